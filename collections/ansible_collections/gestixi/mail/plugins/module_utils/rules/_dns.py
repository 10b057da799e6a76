# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Rules of a domain's mail-DNS settings (`dns:` and `dkim:` in the description), once.

The structure (keys, types, the allowed words of dmarc.policy and mta_sts) is the schema's
(rules/_description_schema.py); what a value means is checked here: host names (with the one
domain parser of rules/_address.py), SPF mechanisms, DKIM selectors (RFC 6376), the report
addresses, and that no selector is used twice. The controller's gate (plugin_utils/
_description_meaning.py) and the host's gestixi_mail (converge/_whole_description.py) both run
these functions, so that both refuse the same values at the same paths in the same words.
dns_settings() gives the settings with their defaults, for the DNS records
(plugin_utils/_dns_records.py).
"""
from __future__ import annotations

import datetime
import ipaddress
import json
import re
from typing import Callable

from ansible_collections.gestixi.mail.plugins.module_utils._errors import InvalidItem, problem_at, yaml_path
from ansible_collections.gestixi.mail.plugins.module_utils.rules._address import canonical_address, canonical_domain
from ansible_collections.gestixi.mail.plugins.module_utils.rules._dates import canonical_day
from ansible_collections.gestixi.mail.plugins.module_utils.rules._description import declared_domains

DMARC_POLICIES = ("none", "quarantine", "reject")
MTA_STS_MODES = ("none", "testing", "enforce")
# Quarantine, as Mail-in-a-Box chooses: every message the servers send is DKIM-signed and
# aligned, so a message that fails DMARC is not ours.
DEFAULT_DMARC_POLICY = "quarantine"
# Testing: receivers report failures (TLS-RPT) but still deliver; enforce once reports are clean.
DEFAULT_MTA_STS = "testing"
DEFAULT_SELECTOR = "gestixi"
# RFC 7208 4.6.4: at most 10 mechanisms that need a DNS lookup, or receivers answer permerror.
SPF_LOOKUP_LIMIT = 10
MAX_NAME = 253  # a DNS name in text form, without the final dot
MAX_SPF_MECHANISMS = 40  # far beyond any real record; keeps one TXT record reasonable

# RFC 6376 3.1: selector = sub-domain *("." sub-domain), sub-domain = let-dig [Ldh-str].
_SELECTOR_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
SELECTOR_RE = re.compile(r"^%s(?:\.%s)*\Z" % (_SELECTOR_LABEL, _SELECTOR_LABEL))
# Labels such as _spf in include:_spf.partner.example (RFC 7208 allows them, host names do not).
_SERVICE_LABEL_RE = re.compile(r"^_[a-z0-9](?:[a-z0-9_-]{0,61}[a-z0-9])?\Z")
_SPF_NAME_RE = re.compile(r"^([a-z0-9]+)(.*)\Z", re.S)
_CIDR_RE = re.compile(r"^(?:/([0-9]{1,3}))?(?://([0-9]{1,3}))?\Z")
_PREFIX_RE = re.compile(r"^[0-9]{1,3}\Z")
SPF_HINT = ("an SPF mechanism such as include:_spf.partner.example, ip4:192.0.2.10, ip4:192.0.2.0/24, "
            "ip6:2001:db8::10, a:host.example or mx:other.example")
SELECTOR_HINT = "letters, digits and '-', in labels separated by '.' (RFC 6376), for example gestixi or s2026"


# ---------------------------------------------------------------------------------------------
# One value


def canonical_host(name: object) -> str:
    """A mail host name in its stored form (lower-case IDNA A-labels); raises ValueError.

    MX records and MTA-STS policies name hosts, never IP addresses (RFC 5321 5.1, RFC 7505).
    """
    if not isinstance(name, str) or not name.strip():
        raise ValueError("a host name is required")
    host = canonical_domain(name)
    if host.rpartition(".")[2].isdigit():
        raise ValueError("'%s' is an IP address, not a host name: MX records name hosts (give the "
                         "server's host name)" % name)
    return host


def canonical_selector(text: object) -> str:
    """A DKIM selector in its stored form (lower case: DNS names ignore case); raises ValueError."""
    if not isinstance(text, str) or not text:
        raise ValueError("a selector is required")
    if not SELECTOR_RE.match(text):
        raise ValueError("'%s' is not a valid DKIM selector: use %s, each label at most 63 characters"
                         % (text, SELECTOR_HINT))
    return text.lower()


def report_address(text: object) -> str:
    """A report address (DMARC rua, TLS-RPT) in its stored form; raises ValueError."""
    if isinstance(text, str) and text.strip().lower().startswith("mailto:"):
        raise ValueError("'%s': write the address alone, without 'mailto:' (it is added in the "
                         "record)" % text)
    try:
        return canonical_address(text)
    except ValueError as exc:
        if isinstance(text, str) and text in str(exc):
            raise
        raise ValueError("'%s' is not a mail address: %s" % (text, exc)) from None


def _spf_domain(text: str, original: str) -> str:
    """The target of include:, exists:, a: or mx: in its stored form; raises ValueError."""
    if "%" in text:
        raise ValueError("'%s': SPF macros (%%{...}) are not supported here; give a fixed domain"
                         % original)
    labels = text.split(".")
    service = []
    while labels and labels[0].startswith("_"):
        label = labels.pop(0).lower()
        if not _SERVICE_LABEL_RE.match(label):
            raise ValueError("'%s' is not valid: '%s' is not a DNS label" % (original, label))
        service.append(label)
    try:
        host = canonical_domain(".".join(labels))
    except ValueError:
        raise ValueError("'%s' is not valid: '%s' is not a domain name" % (original, text)) from None
    return ".".join(service + [host])


def _cidr(text: str, original: str, mechanism: str) -> str:
    match = _CIDR_RE.match(text)
    if not match:
        raise ValueError("'%s' is not valid: after %s, only /<bits> (IPv4) and //<bits> (IPv6) may "
                         "follow" % (original, mechanism))
    four, six = match.groups()
    if four is not None and int(four) > 32 or six is not None and int(six) > 128:
        raise ValueError("'%s' is not valid: a prefix is at most /32 (IPv4) and //128 (IPv6)" % original)
    return ("/%d" % int(four) if four is not None else "") + ("//%d" % int(six) if six is not None else "")


def _ip_range(text: str, original: str, version: int) -> str:
    address, slash, prefix = text.partition("/")
    kind = ipaddress.IPv4Address if version == 4 else ipaddress.IPv6Address
    try:
        parsed = kind(address)
    except ValueError:
        raise ValueError("'%s' is not valid: '%s' is not an IPv%d address" % (original, address, version)) from None
    if not slash:
        return str(parsed)
    limit = 32 if version == 4 else 128
    if not _PREFIX_RE.match(prefix) or int(prefix) > limit:
        raise ValueError("'%s' is not valid: the prefix after '/' is a number from 0 to %d" % (original, limit))
    return "%s/%d" % (parsed, int(prefix))


def canonical_spf_mechanism(text: object) -> str:
    """One SPF mechanism (RFC 7208 5) in its stored form: lower-case name, canonical target.

    Taken: include, exists, a, mx (with a target), ip4, ip6, each with an optional qualifier.
    Refused: all (the record ends with -all), ptr (RFC 7208 5.5: do not use), modifiers
    (redirect=, exp=), macros. Raises ValueError.
    """
    if not isinstance(text, str) or not text.strip():
        raise ValueError("an SPF mechanism is required")
    original = text
    body = text.strip()
    if any(char.isspace() for char in body):
        raise ValueError("'%s' is not valid: one mechanism per list item, without spaces" % original)
    qualifier = ""
    if body[0] in "+-~?":
        qualifier, body = body[0], body[1:]
        qualifier = "" if qualifier == "+" else qualifier
    match = _SPF_NAME_RE.match(body.lower())
    name, rest = (match.group(1), body[len(match.group(1)):]) if match else ("", body)
    if name == "all":
        raise ValueError("'%s' is not needed: the record always ends with -all (only the listed "
                         "senders may send)" % original)
    if name == "ptr":
        raise ValueError("'%s': the ptr mechanism is slow and unreliable (RFC 7208 5.5 says not to "
                         "use it); use a, ip4 or ip6" % original)
    if name == "v":
        raise ValueError("'%s' is not needed: the record is written for you (v=spf1 mx ... -all); "
                         "list only the other senders" % original)
    if rest.startswith("="):
        raise ValueError("'%s': SPF modifiers (redirect=, exp=) are not taken here; list the "
                         "senders as mechanisms" % original)
    if name in ("include", "exists"):
        if not rest.startswith(":") or len(rest) == 1:
            raise ValueError("'%s' is not valid: %s needs a domain, as %s:_spf.partner.example"
                             % (original, name, name))
        return "%s%s:%s" % (qualifier, name, _spf_domain(rest[1:], original))
    if name in ("a", "mx"):
        target, cidr = "", rest
        if rest.startswith(":"):
            target, slash, after = rest[1:].partition("/")
            cidr = slash + after
            if not target:
                raise ValueError("'%s' is not valid: a host name follows '%s:'" % (original, name))
            target = ":" + _spf_domain(target, original)
        elif name == "mx" and not rest:
            raise ValueError("'%s' is not needed: the record always starts with mx (the domain's own "
                             "mail servers)" % original)
        return "%s%s%s%s" % (qualifier, name, target, _cidr(cidr, original, name))
    if name in ("ip4", "ip6"):
        if not rest.startswith(":") or len(rest) == 1:
            raise ValueError("'%s' is not valid: %s needs an address, as %s" % (
                original, name, "ip4:192.0.2.10" if name == "ip4" else "ip6:2001:db8::10"))
        return "%s%s:%s" % (qualifier, name, _ip_range(rest[1:], original, 4 if name == "ip4" else 6))
    raise ValueError("'%s' is not %s" % (original, SPF_HINT))


def spf_lookups(mechanisms: list[str]) -> int:
    """The DNS lookups a receiver makes for the record `v=spf1 mx <mechanisms> -all`."""
    return 1 + sum(1 for m in mechanisms if m.lstrip("+-~?").split(":")[0].split("/")[0]
                   in ("include", "exists", "a", "mx"))


# ---------------------------------------------------------------------------------------------
# A domain's settings


def _mapping(value: object) -> dict:
    return value if isinstance(value, dict) else {}


def _texts(value: object) -> list[tuple[int, str]]:
    """(index, text) of the non-empty texts of a list (the schema refuses the others)."""
    if not isinstance(value, (list, tuple)):
        return []
    return [(index, item) for index, item in enumerate(value) if isinstance(item, str) and item]


def canonical_distinct(values: object, list_path: str, canonical: Callable[[str], str], kind: str,
                       add: Callable[[str, str], None]) -> dict[str, str]:
    """Each text of a list in its canonical form -> where it is first written; a text that is
    not valid, or written twice, is reported through add."""
    first: dict[str, str] = {}
    for index, text in _texts(values):
        where = yaml_path(list_path, index)
        try:
            value = canonical(text)
        except ValueError as exc:
            add(where, str(exc))
            continue
        if value in first:
            add(where, "the %s %s is declared twice (also at %s)" % (kind, value, first[value]))
        first.setdefault(value, where)
    return first


def domain_dns_problems(item: dict, path: str, domain: str) -> list[InvalidItem]:
    """Every problem of the dns and dkim settings of one domain (canonical name `domain`,
    written at `path`). Values of a wrong type are skipped: the schema reports them."""
    problems: list[InvalidItem] = []

    def add(where: str, message: str) -> None:
        problems.append(problem_at(where, message))

    dns = _mapping(item.get("dns"))
    dns_path = yaml_path(path, "dns")
    if isinstance(dns.get("mx"), (list, tuple)) and not dns["mx"]:
        add(yaml_path(dns_path, "mx"), "list at least one host name, or leave mx out: the mail "
            "servers' own host names are used")
    canonical_distinct(dns.get("mx"), yaml_path(dns_path, "mx"), canonical_host, "host", add)
    mechanisms = canonical_distinct(dns.get("spf"), yaml_path(dns_path, "spf"), canonical_spf_mechanism, "SPF mechanism", add)
    lookups = spf_lookups(list(mechanisms))
    if len(mechanisms) > MAX_SPF_MECHANISMS:
        add(yaml_path(dns_path, "spf"), "%d mechanisms are more than %d: group the senders under one "
            "include: domain" % (len(mechanisms), MAX_SPF_MECHANISMS))
    elif lookups > SPF_LOOKUP_LIMIT:
        add(yaml_path(dns_path, "spf"), "the SPF record would need %d DNS lookups (mx, include, a, "
            "exists), more than the %d receivers allow (RFC 7208 4.6.4): they would reject the "
            "domain's mail; list addresses with ip4/ip6 instead" % (lookups, SPF_LOOKUP_LIMIT))
    for key, field in (("dmarc", "reports"), (None, "tls_rpt")):
        holder = _mapping(dns.get(key)) if key else dns
        value = holder.get(field)
        if isinstance(value, str) and value:
            try:
                report_address(value)
            except ValueError as exc:
                add(yaml_path(dns_path, *((key, field) if key else (field,))), str(exc))
    problems.extend(_dkim_problems(_mapping(item.get("dkim")), yaml_path(path, "dkim"), domain))
    return problems


def _dkim_problems(dkim: dict, path: str, domain: str) -> list[InvalidItem]:
    problems: list[InvalidItem] = []
    used: dict[str, str] = {}

    def selector(value: object, where: str, role: str, default: str | None = None) -> None:
        if not (isinstance(value, str) and value):
            if default is None:
                return
            value = default
        try:
            canonical = canonical_selector(value)
        except ValueError as exc:
            problems.append(problem_at(where, str(exc)))
            return
        record = "%s._domainkey.%s" % (canonical, domain)
        if len(record) > MAX_NAME:
            problems.append(problem_at(where, "the record %s would be longer than %d characters: use a "
                                       "shorter selector" % (record, MAX_NAME)))
        elif canonical in used:
            first = used[canonical]
            if first.endswith("dkim.selector"):
                active = "the active selector%s" % ("" if "selector" in dkim else " (%s by default)" % DEFAULT_SELECTOR)
                problems.append(problem_at(where, "the selector %s is %s: %s" % (canonical, active, role)))
            else:
                problems.append(problem_at(where, "the selector %s is declared twice (also at %s)" % (canonical, first)))
        used.setdefault(canonical, where)

    selector(dkim.get("selector"), yaml_path(path, "selector"), "", DEFAULT_SELECTOR)
    selector(dkim.get("next_selector"), yaml_path(path, "next_selector"),
             "the next key needs a selector of its own (for example %s2)" % DEFAULT_SELECTOR)
    previous = dkim.get("previous")
    for index, old in enumerate(previous if isinstance(previous, (list, tuple)) else []):
        if isinstance(old, dict):
            selector(old.get("selector"), yaml_path(path, "previous", index, "selector"),
                     "an old key stays published under its own selector, not the one that signs now")
    return problems


def dns_problems(domains: object, paths: list[str] | None = None) -> list[InvalidItem]:
    """The problems of the dns and dkim settings of every domain of a description (each
    declared domain once, as the controller's meaning check reads them)."""
    return [problem for item, here, name in declared_domains(domains, paths)
            for problem in domain_dns_problems(item, here, name)]


# ---------------------------------------------------------------------------------------------
# The settings, with their defaults


class DnsSettings:
    """A valid domain's mail-DNS settings in their stored form, defaults applied.

    mx None means the mail servers' own host names (known only when records are computed).
    previous: (selector, until) of the old keys, until as YYYY-MM-DD.
    """

    def __init__(self, item: dict) -> None:
        dns = _mapping(item.get("dns"))
        dkim = _mapping(item.get("dkim"))
        dmarc = _mapping(dns.get("dmarc"))
        mx = dns.get("mx")
        self.mx: list[str] | None = None if mx is None else _unique(canonical_host(h) for h in mx)
        self.spf: list[str] = _unique(canonical_spf_mechanism(m) for m in dns.get("spf") or [])
        self.dmarc_policy: str = dmarc.get("policy") or DEFAULT_DMARC_POLICY
        self.dmarc_reports: str | None = report_address(dmarc["reports"]) if dmarc.get("reports") else None
        self.mta_sts: str = dns.get("mta_sts") or DEFAULT_MTA_STS
        self.tls_rpt: str | None = report_address(dns["tls_rpt"]) if dns.get("tls_rpt") else None
        self.selector: str = canonical_selector(dkim.get("selector") or DEFAULT_SELECTOR)
        self.next_selector: str | None = canonical_selector(dkim["next_selector"]) if dkim.get("next_selector") else None
        self.previous: list[tuple[str, str]] = [(canonical_selector(old["selector"]), canonical_day(old["until"]))
                                                for old in dkim.get("previous") or []]

    def published_selectors(self, today: str) -> list[tuple[str, str]]:
        """The DKIM selectors whose key is published on `today` (YYYY-MM-DD), each with what it
        is for: the one that signs, the next one (published before it signs, so that receivers'
        caches hold it when it starts), the old ones until their day (mail signed with them
        still verifies while it is in transit or read). The server keeps a key for each."""
        published = [(self.selector, "DKIM key %s (signs now)" % self.selector)]
        if self.next_selector:
            published.append((self.next_selector, "DKIM key %s (published before it signs)" % self.next_selector))
        for selector, until in self.previous:
            if until >= today:
                published.append((selector, "DKIM key %s (old, published until %s)" % (selector, until)))
        return published

    def retired_selectors(self, today: str) -> list[tuple[str, str]]:
        """The old selectors whose day has passed: (selector, until). Their record is withdrawn."""
        return [(selector, until) for selector, until in self.previous if until < today]


def _unique(values) -> list[str]:
    return list(dict.fromkeys(values))


def dns_settings(item: dict) -> DnsSettings:
    """The settings of a domain the rules above accept; raises ValueError otherwise."""
    return DnsSettings(item)


def dkim_keys_wanted(domains: list[dict], today: str) -> list[dict]:
    """For the domains of a valid description: which DKIM keys each mail server keeps, as
    {name (A-label), selector (the one that signs), published (every selector with a key)},
    the input of the gestixi_dkim_keys module."""
    wanted = []
    for item in domains:
        settings = dns_settings(item)
        wanted.append({"name": canonical_domain(item["name"]), "selector": settings.selector,
                       "published": [selector for selector, _about in settings.published_selectors(today)]})
    return wanted


# ---------------------------------------------------------------------------------------------
# The settings as the store keeps them


def stored_setting(value: object) -> str:
    """A domain's `dns` or `dkim` as written (keys without a value left out, dates as
    YYYY-MM-DD), or its `senders` in their canonical form (rules/_senders.py), as one
    canonical JSON text; "" when it is not set."""
    value = _without_empty(value)
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")) if value else ""


def setting_from_stored(text: str) -> dict | None:
    """The mapping of stored_setting's text, None for ""."""
    return json.loads(text) if text else None


def _without_empty(value: object) -> object:
    if isinstance(value, dict):
        return {str(key): _without_empty(inner) for key, inner in value.items() if inner is not None}
    if isinstance(value, (list, tuple)):
        return [_without_empty(inner) for inner in value]
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value
