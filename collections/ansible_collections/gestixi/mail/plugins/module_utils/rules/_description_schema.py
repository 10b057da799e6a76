# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The description's structure as a JSON Schema (draft-07), built from the rules' limits.

The one source of meta/description.schema.json (the file editors use): `tools/description_schema`
writes it from DESCRIPTION_SCHEMA, and a unit test proves the file is up to date. The walker
(rules/_structure.py) applies it on the controller's gate and in gestixi_mail on the host.
"""
from __future__ import annotations

from ansible_collections.gestixi.mail.plugins.module_utils.rules import _app_password, _dns, _responder, _senders, _user
from ansible_collections.gestixi.mail.plugins.module_utils.rules._address import MAX_LOGIN

DESCRIPTION_SCHEMA = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://gestixi.example/schemas/gestixi.mail/description.schema.json",
    "title": "gestixi.mail: the mail description (a group_vars file)",
    "description": (
        "Domains, users (mailboxes), aliases and automatic replies of the mail servers. "
        "See docs/description-format.md. The same file is used by the gestixi.mail.state "
        "role to check the description before any server is touched."
    ),
    "type": "object",
    "properties": {
        "gestixi_mail_domains": {
            "$ref": "#/definitions/domains",
        },
        "gestixi_mail_purge_domains": {
            "description": (
                "Remove the domains of the store that no description names, with their users, "
                "aliases and automatic replies. Default false."
            ),
            "type": "boolean",
        },
    },
    "patternProperties": {
        "^gestixi_mail_domains__[A-Za-z0-9_]+$": {
            "$ref": "#/definitions/domains",
        },
    },
    "additionalProperties": True,
    "definitions": {
        "domains": {
            "description": (
                "Mail domains. gestixi_mail_domains and every gestixi_mail_domains__<suffix> "
                "variable are joined (in name order), so that each domain can live in its own "
                "file."
            ),
            "type": ["array", "null"],
            "items": {
                "$ref": "#/definitions/domain",
            },
        },
        "domain": {
            "description": "One mail domain: it must be declared before its users, aliases and automatic replies can exist.",
            "type": "object",
            "required": ["name"],
            "additionalProperties": False,
            "properties": {
                "name": {
                    "description": "The domain, for example example.org; international names (bücher.example) are allowed.",
                    "type": "string",
                    "minLength": 1,
                },
                "timezone": {
                    "description": (
                        "IANA time zone in which the dates of automatic replies are read (Europe/Paris). "
                        "UTC for a new domain when not given."
                    ),
                    "type": "string",
                    "minLength": 1,
                },
                "catchall": {
                    "description": "Address that receives mail sent to any unknown address of the domain. An empty string removes it.",
                    "type": "string",
                },
                "purge": {
                    "description": (
                        "Remove the users, aliases and automatic replies of this domain that the "
                        "description does not name. Default false."
                    ),
                    "type": "boolean",
                },
                "users": {
                    "description": "Mailboxes: each user is login@domain.",
                    "type": ["array", "null"],
                    "items": {
                        "$ref": "#/definitions/user",
                    },
                },
                "aliases": {
                    "description": "Redirections (generic addresses such as contact@ or support@).",
                    "type": ["array", "null"],
                    "items": {
                        "$ref": "#/definitions/alias",
                    },
                },
                "responders": {
                    "description": "Domain-wide automatic replies: they answer for every user of the domain.",
                    "type": ["array", "null"],
                    "items": {
                        "$ref": "#/definitions/responder",
                    },
                },
                "dns": {
                    "$ref": "#/definitions/dns",
                },
                "dkim": {
                    "$ref": "#/definitions/dkim",
                },
                "senders": {
                    "$ref": "#/definitions/senders",
                },
                "application": {
                    "$ref": "#/definitions/application",
                },
            },
        },
        "application": {
            "description": (
                "The business application's submission credential: it logs in as login@domain on "
                "the submission ports only (no IMAP, no webmail), may send as any address of the "
                "domain, and a copy of what it sends as a user is filed, read, in that user's "
                "\"GestiXi - Sent\"."
            ),
            "type": ["object", "null"],
            "required": ["login"],
            "additionalProperties": False,
            "properties": {
                "login": {
                    "description": "The part before @ of the address it logs in as (not a user or an alias of the domain).",
                    "type": "string",
                    "minLength": 1,
                },
                "password": {
                    "description": (
                        "Its password as a hash made with 'doveadm pw' ({ARGON2ID}, {BLF-CRYPT} or "
                        "{SHA512-CRYPT}), never in plain text. Required when the credential is new; "
                        "left out, the stored one stays (as in an export)."
                    ),
                    "type": "string",
                    "minLength": 1,
                },
            },
        },
        "dns": {
            "description": (
                "The domain's mail DNS records (MX, SPF, DMARC, MTA-STS, TLS-RPT): what they say. "
                "Every key is optional; the defaults are what a careful operator chooses."
            ),
            "type": ["object", "null"],
            "additionalProperties": False,
            "properties": {
                "mx": {
                    "description": (
                        "Host names that receive the domain's mail, in order of preference. Default: "
                        "the mail servers' own host names."
                    ),
                    "type": "array",
                    "items": {"type": "string", "minLength": 1},
                },
                "spf": {
                    "description": (
                        "Other servers allowed to send for the domain, as SPF mechanisms "
                        "(include:_spf.partner.example, ip4:192.0.2.10, ip6:2001:db8::10, a:host.example). "
                        "The record is 'v=spf1 mx <these> -all'. Default: none."
                    ),
                    "type": "array",
                    "items": {"type": "string", "minLength": 1},
                },
                "dmarc": {
                    "$ref": "#/definitions/dmarc",
                },
                "mta_sts": {
                    "description": (
                        "MTA-STS mode: testing (report, still deliver), enforce (deliver only over "
                        "verified TLS) or none (withdraw a policy). Default %s." % _dns.DEFAULT_MTA_STS
                    ),
                    "type": "string",
                    "enum": list(_dns.MTA_STS_MODES),
                },
                "tls_rpt": {
                    "description": "Address that receives TLS reports (TLS-RPT). No TLS-RPT record without it.",
                    "type": "string",
                    "minLength": 1,
                },
            },
        },
        "dmarc": {
            "description": "The domain's DMARC record.",
            "type": ["object", "null"],
            "additionalProperties": False,
            "properties": {
                "policy": {
                    "description": (
                        "What receivers do with a message that fails DMARC: none, quarantine or reject. "
                        "Default %s (all mail of the servers is signed and aligned)." % _dns.DEFAULT_DMARC_POLICY
                    ),
                    "type": "string",
                    "enum": list(_dns.DMARC_POLICIES),
                },
                "reports": {
                    "description": "Address that receives the aggregate reports (rua). No reports without it.",
                    "type": "string",
                    "minLength": 1,
                },
            },
        },
        "dkim": {
            "description": "The domain's DKIM keys, named by their selectors (RFC 6376).",
            "type": ["object", "null"],
            "additionalProperties": False,
            "properties": {
                "selector": {
                    "description": "The selector of the key that signs. Default %s." % _dns.DEFAULT_SELECTOR,
                    "type": "string",
                    "minLength": 1,
                },
                "next_selector": {
                    "description": "The key that will sign next: published now, so that it is in DNS before it signs.",
                    "type": "string",
                    "minLength": 1,
                },
                "previous": {
                    "description": "Old keys kept published until a date, so that mail they signed still verifies.",
                    "type": ["array", "null"],
                    "items": {
                        "$ref": "#/definitions/dkim_previous",
                    },
                },
            },
        },
        "senders": {
            "description": (
                "Senders whose mail to this domain's recipients is refused (blocked) or trusted "
                "(allowed), each %s. The envelope sender and the header From are compared, the "
                "address and its domain; a domain matches exactly, never its subdomains. At most "
                "%d entries per list, none in both." % (_senders.SENDER_HINT, _senders.MAX_ENTRIES)
            ),
            "type": ["object", "null"],
            "additionalProperties": False,
            "properties": {
                "allowed": {
                    "description": (
                        "Trusted senders: their mail gets a spam-score bonus when the sender is "
                        "authenticated (DMARC pass for the header From, SPF pass for the envelope sender)."
                    ),
                    "type": ["array", "null"],
                    "items": {"type": "string", "minLength": 1},
                },
                "blocked": {
                    "description": "Refused senders: their mail to this domain is rejected.",
                    "type": ["array", "null"],
                    "items": {"type": "string", "minLength": 1},
                },
            },
        },
        "dkim_previous": {
            "description": "An old DKIM key, published until a date.",
            "type": "object",
            "required": ["selector", "until"],
            "additionalProperties": False,
            "properties": {
                "selector": {
                    "description": "The old key's selector.",
                    "type": "string",
                    "minLength": 1,
                },
                "until": {
                    "description": "Last day (YYYY-MM-DD, inclusive) the old key stays published.",
                    "type": "string",
                    "format": "date",
                    "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
                    "errorMessage": "a date written YYYY-MM-DD, for example 2026-12-20",
                },
            },
        },
        "user": {
            "description": "A mailbox login@domain.",
            "type": "object",
            "required": ["login"],
            "additionalProperties": False,
            "properties": {
                "login": {
                    "description": "The part before @: lower-case letters, digits, '.', '-' and '_'.",
                    "type": "string",
                    "minLength": 1,
                    "maxLength": MAX_LOGIN,
                },
                "name": {
                    "description": "Display name, for example Alice Martin.",
                    "type": "string",
                    "maxLength": _user.MAX_NAME,
                },
                "password": {
                    "description": (
                        "A ready hash ({ARGON2ID}..., {BLF-CRYPT}... or {SHA512-CRYPT}..., made with "
                        "tools/hash_password) or \"{{ vault_variable }}\" holding a plain text kept in "
                        "Ansible Vault. Required for a new user; an existing user without it keeps its "
                        "password."
                    ),
                    "type": "string",
                    "minLength": 1,
                },
                "quota": {
                    "description": (
                        "Storage quota: a number of MiB (500) or a size with a unit K, M, G or T (2G). 0 "
                        "is unlimited, the default."
                    ),
                    "type": ["string", "integer"],
                    "pattern": "^[0-9]+ *[KMGTkmgt]?$",
                    "minimum": 0,
                    "errorMessage": "a number of MiB (500) or a size such as 500M, 2G or 1T",
                },
                "enabled": {
                    "description": "A disabled user keeps its mailbox but can neither log in nor receive mail. Default true.",
                    "type": "boolean",
                },
                "responders": {
                    "description": "This user's automatic replies.",
                    "type": ["array", "null"],
                    "items": {
                        "$ref": "#/definitions/responder",
                    },
                },
                "app_passwords": {
                    "description": (
                        "Named second passwords of this user, each for the services it names (IMAP, "
                        "SMTP submission), never for the webmail nor ManageSieve; at most %d. The list "
                        "is exact: an app password it no longer names is revoked."
                        % _app_password.MAX_PER_USER
                    ),
                    "type": ["array", "null"],
                    "items": {
                        "$ref": "#/definitions/app_password",
                    },
                },
            },
        },
        "app_password": {
            "description": "An app password: a name, a hash, and the services it may be used for.",
            "type": "object",
            "required": ["name", "services"],
            "additionalProperties": False,
            "properties": {
                "name": {
                    "description": "Identifies it, unique for the user (phone, laptop); shown in plans and exports.",
                    "type": "string",
                    "minLength": 1,
                    "maxLength": _app_password.MAX_NAME,
                    "pattern": _app_password.NAME_RE.pattern,
                    "errorMessage": _app_password.NAME_RULE,
                },
                "password": {
                    "description": (
                        "Its password as a hash made with tools/hash_password or 'doveadm pw' "
                        "({ARGON2ID}, {BLF-CRYPT} or {SHA512-CRYPT}), never in plain text. Required when "
                        "it is new; left out, the stored one stays (as in an export)."
                    ),
                    "type": "string",
                    "minLength": 1,
                },
                "services": {
                    "description": "Where it logs in: imap, smtp (submission) or both; never the webmail.",
                    "type": "array",
                    "items": {
                        "type": "string",
                        "enum": list(_app_password.SERVICES),
                    },
                },
            },
        },
        "alias": {
            "description": "A redirection: mail to the alias goes to every address in 'to'.",
            "type": "object",
            "required": ["address", "to"],
            "additionalProperties": False,
            "properties": {
                "address": {
                    "description": "The alias: a local part (contact) or a full address of this domain (contact@example.org).",
                    "type": "string",
                    "minLength": 1,
                },
                "to": {
                    "description": (
                        "Where mail goes: logins of this domain (alice) or full addresses "
                        "(bob@example.net). An empty list [] means every user of the domain, resolved "
                        "when mail arrives."
                    ),
                    "type": ["array", "string"],
                    "items": {
                        "type": "string",
                        "minLength": 1,
                    },
                },
            },
        },
        "responder": {
            "description": (
                "An automatic reply. It answers only mail received between start and end "
                "(inclusive, in the domain's time zone)."
            ),
            "type": "object",
            "required": ["name"],
            "additionalProperties": False,
            "properties": {
                "name": {
                    "description": (
                        "A short name that identifies the reply (holidays); changing the text of a named "
                        "reply does not answer the same senders again."
                    ),
                    "type": "string",
                    "minLength": 1,
                    "maxLength": _responder.MAX_NAME,
                    "pattern": "^[^/\\x00-\\x1f\\x7f]+$",
                    "errorMessage": "a short name without '/' or control characters, for example holidays",
                },
                "enabled": {
                    "description": "Default true. An enabled reply needs a subject and a message.",
                    "type": "boolean",
                },
                "subject": {
                    "description": "Subject of the reply.",
                    "type": "string",
                    "maxLength": _responder.MAX_SUBJECT,
                    "pattern": "^[^\\x00-\\x1f\\x7f]*$",
                    "errorMessage": "one line of text, without line breaks",
                },
                "message": {
                    "description": "Text of the reply.",
                    "type": "string",
                    "maxLength": _responder.MAX_BODY,
                },
                "start": {
                    "description": "First day (YYYY-MM-DD, inclusive). Open when not given.",
                    "type": "string",
                    "format": "date",
                    "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
                    "errorMessage": "a date written YYYY-MM-DD, for example 2026-12-20",
                },
                "end": {
                    "description": "Last day (YYYY-MM-DD, inclusive). Open when not given.",
                    "type": "string",
                    "format": "date",
                    "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
                    "errorMessage": "a date written YYYY-MM-DD, for example 2026-12-20",
                },
                "days": {
                    "description": "Answer the same sender at most once in this many days (1 to 365). Default 7.",
                    "type": "integer",
                    "minimum": _responder.MIN_DAYS,
                    "maximum": _responder.MAX_DAYS,
                },
            },
        },
    },
}
