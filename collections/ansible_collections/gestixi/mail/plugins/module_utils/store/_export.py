# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read the store back as the mail description operators keep in Git (gestixi_mail_info).

The result has the shape of ``gestixi_mail_domains`` (docs/description-format.md), so that
``to_nice_yaml`` of it can be committed and fed back to the modules: doing so changes nothing.
No secret ever leaves this file: of a password only whether one is set and its scheme.

Rules that make the round trip exact:
- a field equal to the default the modules give a new item is left out (include_defaults
  shows it), so that the export reads like hand-written YAML and feeding it back into an
  empty store recreates the same rows;
- domain names are shown in Unicode only when converting them back gives the stored A-label;
- an alias recipient in the alias's own domain is shown by its local part (the modules read
  a bare word in the alias's domain), any other as a full address; an alias that reaches all
  users and explicit recipients too is two items (items with one address add up);
- a user's quota is a size with a binary unit (2G), never a bare number (which means MiB);
- a user's app passwords are shown by name and services, without their hashes: applied back,
  the stored ones stay;
- a domain's allowed and blocked senders are shown in their stored form (sorted, lower case),
  their domains in the form name_form asks for;
- lists are sorted, so that two exports of the same store are equal text.
"""
from __future__ import annotations

import re

from ansible_collections.gestixi.mail.plugins.module_utils.rules._address import canonical_domain, display_domain
from ansible_collections.gestixi.mail.plugins.module_utils._errors import ProblemCollector
from ansible_collections.gestixi.mail.plugins.module_utils.rules._app_password import services_of_flags
from ansible_collections.gestixi.mail.plugins.module_utils.rules._dns import setting_from_stored
from ansible_collections.gestixi.mail.plugins.module_utils.store._schema import SCHEMA_VERSION
from ansible_collections.gestixi.mail.plugins.module_utils.store._engine import Connection, Row

PARTS = ("users", "aliases", "responders", "passwords")
DEFAULT_PARTS = list(PARTS)

DOMAIN_DEFAULTS = {"timezone": "UTC"}
RESPONDER_DEFAULT_DAYS = 7

# Schemes Dovecot understands that the collection writes or accepts as ready hashes, and the
# crypt(3) prefixes a hash without a {SCHEME} prefix can carry.
_SCHEME_RE = re.compile(r"^\{([A-Za-z0-9._-]+)\}")
_CRYPT_PREFIXES = (
    ("$argon2id$", "ARGON2ID"),
    ("$argon2i$", "ARGON2I"),
    ("$2y$", "BLF-CRYPT"),
    ("$2b$", "BLF-CRYPT"),
    ("$2a$", "BLF-CRYPT"),
    ("$6$", "SHA512-CRYPT"),
    ("$5$", "SHA256-CRYPT"),
    ("$1$", "MD5-CRYPT"),
)

_QUOTA_UNITS = (("T", 1024 ** 4), ("G", 1024 ** 3), ("M", 1024 ** 2), ("K", 1024))

CLIENT_SETTINGS_SPEC = {
    "imap_host": {"type": "str", "required": True},
    "imap_port": {"type": "int", "default": 993},
    "imap_security": {"type": "str", "choices": ["ssl", "starttls"], "default": "ssl"},
    "smtp_host": {"type": "str"},
    "smtp_port": {"type": "int", "default": 465},
    "smtp_security": {"type": "str", "choices": ["ssl", "starttls"], "default": "ssl"},
}


def argument_spec() -> dict:
    return {
        "domains": {"type": "list", "elements": "str"},
        "include": {"type": "list", "elements": "str", "choices": list(PARTS), "default": DEFAULT_PARTS},
        "include_defaults": {"type": "bool", "default": False},
        "name_form": {"type": "str", "choices": ["unicode", "ascii"], "default": "unicode"},
        "client_settings": {"type": "dict", "options": CLIENT_SETTINGS_SPEC},
    }


# ---------------------------------------------------------------------------------------------
# Small conversions


def password_info(stored: str | None) -> dict:
    """Whether a password is set and its scheme: never the hash itself."""
    if not stored:
        return {"set": False, "scheme": None}
    match = _SCHEME_RE.match(stored)
    if match:
        return {"set": True, "scheme": match.group(1).upper()}
    for prefix, scheme in _CRYPT_PREFIXES:
        if stored.startswith(prefix):
            return {"set": True, "scheme": scheme}
    return {"set": True, "scheme": "unknown"}


def human_quota(quota_bytes: int) -> str:
    """2147483648 -> '2G': the largest binary unit that divides exactly.

    A quota that is no whole number of KiB cannot be written in the description (only a store
    changed by hand holds one): it is shown as 'N bytes', which the checks refuse, rather than
    rounded into another value.
    """
    for unit, size in _QUOTA_UNITS:
        if quota_bytes % size == 0:
            return "%d%s" % (quota_bytes // size, unit)
    return "%d bytes" % quota_bytes


def shown_domain(name: str, name_form: str) -> str:
    """The domain as the export shows it: Unicode only when it converts back exactly."""
    if name_form == "ascii":
        return name
    human = display_domain(name)
    if human == name:
        return name
    try:
        return human if canonical_domain(human) == name else name
    except ValueError:
        return name


def shown_address(address: str, name_form: str) -> str:
    local, dummy, domain = address.rpartition("@")
    if not local:
        return address
    return "%s@%s" % (local, shown_domain(domain, name_form))


def shown_sender(sender: str, name_form: str) -> str:
    """An allowed or blocked sender (an address or a domain) as the export shows it."""
    return shown_address(sender, name_form) if "@" in sender else shown_domain(sender, name_form)


# ---------------------------------------------------------------------------------------------
# Reading


class Options:
    """The module's options, resolved once."""

    def __init__(self, params: dict) -> None:
        self.parts = set(params.get("include") or ())
        self.include_defaults = bool(params.get("include_defaults"))
        self.name_form = params.get("name_form") or "unicode"
        self.client_settings = params.get("client_settings")
        self.domains = selected_domains(params.get("domains"))


def selected_domains(names: list | None) -> list[str] | None:
    """Canonical names of the domains to restrict to, or None for all; bad names are refused."""
    if names is None:
        return None
    problems = ProblemCollector()
    selected = []
    for index, name in enumerate(names):
        try:
            selected.append(canonical_domain(name))
        except ValueError as exc:
            problems.add("domains[%d]" % index, None, str(exc))
    problems.raise_if_any()
    return sorted(set(selected))


def _domain_filter(column: str, domains: list[str] | None) -> tuple[str, list[str]]:
    if domains is None:
        return "", []
    if not domains:
        return " WHERE 0", []
    return " WHERE %s IN (%s)" % (column, ", ".join("?" * len(domains))), list(domains)


def export(conn: Connection, params: dict, store_exists: bool = True) -> dict:
    """The whole result of gestixi_mail_info (without changed)."""
    opts = Options(params)
    where, args = _domain_filter("name", opts.domains)
    rows = conn.execute("SELECT name, timezone, catchall, dns, dkim, senders, application_login FROM domains%s "
                        "ORDER BY name" % where, args)
    entries = {row["name"]: _domain_entry(row, opts) for row in rows}
    names = sorted(entries)
    users = _read_users(conn, opts.domains)

    for name in names:
        entry = entries[name]
        if "users" in opts.parts:
            apps = _read_app_passwords(conn, name)
            entry["users"] = [_user_entry(row, opts, apps.get(row["address"], [])) for row in users.get(name, [])]
        if "aliases" in opts.parts:
            entry["aliases"] = [item for alias in _read_aliases(conn, name)
                                for item in _alias_entries(alias, name, opts)]
        if "responders" in opts.parts:
            _add_responders(entry, _read_responders(conn, name), opts)

    if not opts.include_defaults:
        for entry in entries.values():
            for part in ("users", "aliases", "responders"):
                if entry.get(part) == []:
                    del entry[part]

    result: dict = {
        "domains": [entries[name] for name in names],
        "store": {"exists": store_exists, "schema_version": SCHEMA_VERSION},
    }
    if "passwords" in opts.parts:
        result["passwords"] = {row["address"]: password_info(row["password"])
                               for name in names for row in users.get(name, [])}
    if opts.client_settings:
        result["client_settings"] = {row["address"]: client_settings(row["address"], opts.client_settings)
                                     for name in names for row in users.get(name, []) if row["enabled"]}
    return result


def _add_responders(entry: dict, rows: list[Row], opts: Options) -> None:
    """Domain-wide responders under the domain, a user's under that user (as the description)."""
    per_user: dict[str, list[dict]] = {}
    entry["responders"] = []
    for row in rows:
        if row["login"]:
            per_user.setdefault(row["login"], []).append(_responder_entry(row, opts))
        else:
            entry["responders"].append(_responder_entry(row, opts))
    if "users" in entry:
        for user in entry["users"]:
            found = per_user.pop(user["login"], [])
            if found or opts.include_defaults:
                user["responders"] = found
    # Without the users part (or for a login that has no mailbox, which the modules refuse):
    # a user entry that carries only the login and its responders, so that none is hidden.
    if per_user:
        stubs = [{"login": login, "responders": per_user[login]} for login in sorted(per_user)]
        entry["users"] = sorted(entry.get("users", []) + stubs, key=lambda user: user["login"])


def _domain_entry(row: Row, opts: Options) -> dict:
    entry: dict = {"name": shown_domain(row["name"], opts.name_form)}
    if opts.include_defaults or row["timezone"] != DOMAIN_DEFAULTS["timezone"]:
        entry["timezone"] = row["timezone"]
    if row["catchall"]:
        entry["catchall"] = shown_address(row["catchall"], opts.name_form)
    elif opts.include_defaults:
        entry["catchall"] = ""
    for key in ("dns", "dkim"):
        if row[key]:
            entry[key] = setting_from_stored(row[key])
    if row["senders"]:
        entry["senders"] = {key: [shown_sender(sender, opts.name_form) for sender in senders]
                            for key, senders in setting_from_stored(row["senders"]).items()}
    if row["application_login"]:
        # Without its password (no secret leaves the store): applied back, the stored one stays.
        entry["application"] = {"login": row["application_login"].partition("@")[0]}
    return entry


def _read_users(conn: Connection, domains: list[str] | None) -> dict[str, list[Row]]:
    where, args = _domain_filter("domain", domains)
    out: dict[str, list[Row]] = {}
    for row in conn.execute("SELECT address, domain, login, display_name, password, quota_bytes, enabled "
                            "FROM users%s ORDER BY domain, login" % where, args):
        out.setdefault(row["domain"], []).append(row)
    return out


def _read_app_passwords(conn: Connection, domain: str) -> dict[str, list[dict]]:
    """address -> its app passwords as the description writes them, by name: never a hash."""
    out: dict[str, list[dict]] = {}
    for row in conn.execute("SELECT p.address, p.name, p.imap, p.smtp FROM app_passwords p JOIN users u "
                            "ON u.address = p.address WHERE u.domain = ? ORDER BY p.address, p.name", (domain,)):
        services = list(services_of_flags((row["imap"], row["smtp"])))
        out.setdefault(row["address"], []).append({"name": row["name"], "services": services})
    return out


def _user_entry(row: Row, opts: Options, apps: list[dict] | None = None) -> dict:
    entry: dict = {"login": row["login"]}
    if row["display_name"] or opts.include_defaults:
        entry["name"] = row["display_name"]
    if row["quota_bytes"]:
        entry["quota"] = human_quota(row["quota_bytes"])
    elif opts.include_defaults:
        entry["quota"] = 0
    if not row["enabled"] or opts.include_defaults:
        entry["enabled"] = bool(row["enabled"])
    if apps or opts.include_defaults:
        entry["app_passwords"] = list(apps or [])
    return entry


def _read_aliases(conn: Connection, domain: str) -> list[dict]:
    out: list[dict] = []
    for row in conn.execute(
            "SELECT a.address, a.local_part, a.all_users, r.recipient FROM aliases a "
            "LEFT JOIN alias_recipients r ON r.alias = a.address WHERE a.domain = ? "
            "ORDER BY a.local_part, r.recipient", (domain,)):
        if not out or out[-1]["address"] != row["address"]:
            out.append({"address": row["address"], "local_part": row["local_part"],
                        "all_users": bool(row["all_users"]), "recipients": []})
        if row["recipient"] is not None:
            out[-1]["recipients"].append(row["recipient"])
    return out


def _alias_entries(alias: dict, domain: str, opts: Options) -> list[dict]:
    """The description items of one alias: "all users" and explicit recipients add up.

    A recipient in the alias's own domain is shown bare (the modules read a bare word in the
    alias's domain), any other as a full address.
    """
    to = []
    for recipient in alias["recipients"]:
        local, dummy, rdomain = recipient.rpartition("@")
        to.append(local if rdomain == domain else shown_address(recipient, opts.name_form))
    items = []
    if alias["all_users"]:
        items.append({"address": alias["local_part"], "to": []})
    if to:
        items.append({"address": alias["local_part"], "to": to})
    if not items:
        # An alias with no recipient at all (only possible when written outside the modules)
        # has no description: without 'to' the modules and the description check refuse it.
        items.append({"address": alias["local_part"]})
    return items


def _read_responders(conn: Connection, domain: str) -> list[Row]:
    return conn.execute("SELECT login, name, enabled, subject, message, start_date, end_date, days "
                        "FROM responders WHERE domain = ? ORDER BY login, name", (domain,)).fetchall()


def _responder_entry(row: Row, opts: Options) -> dict:
    """An open start or end date is left out: the description has no other way to say it."""
    entry: dict = {"name": row["name"]}
    if not row["enabled"] or opts.include_defaults:
        entry["enabled"] = bool(row["enabled"])
    for field in ("subject", "message"):
        if row[field] or opts.include_defaults:
            entry[field] = row[field]
    if row["start_date"]:
        entry["start"] = row["start_date"]
    if row["end_date"]:
        entry["end"] = row["end_date"]
    if row["days"] != RESPONDER_DEFAULT_DAYS or opts.include_defaults:
        entry["days"] = row["days"]
    return entry


def client_settings(address: str, server: dict) -> dict:
    """What a desktop mail client needs for one mailbox (also what autoconfig publishes)."""
    smtp_host = server.get("smtp_host") or server["imap_host"]
    return {
        "username": address,
        "incoming": {"type": "imap", "host": server["imap_host"], "port": server["imap_port"],
                     "security": server["imap_security"], "authentication": "password-cleartext"},
        "outgoing": {"type": "smtp", "host": smtp_host, "port": server["smtp_port"],
                     "security": server["smtp_security"], "authentication": "password-cleartext"},
    }
