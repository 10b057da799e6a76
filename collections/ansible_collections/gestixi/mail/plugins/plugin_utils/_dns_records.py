# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The DNS records a mail domain needs, computed from its description and the servers' facts.

Pure: no lookup, no file, no clock other than the `today` it is given. For one domain of the
description (its `dns:` and `dkim:` settings, rules/_dns.py) and what the caller knows of the
mail servers (DnsFacts: host names, addresses, DKIM public keys, certificate digests, the
webmail host, ports), domain_plan() returns every record as a plain dict

    {"name": "gestixi._domainkey.example.org.", "type": "TXT", "ttl": 3600,
     "values": ['"v=DKIM1; k=rsa; p=MIIB..." "..."'], "about": "DKIM key gestixi (signs now)"}

one per name and type (an RRset), values in presentation format (RFC 1035 5.1: what a zone
file and nsupdate take), names absolute and in A-label form, in a stable order. A record whose
input is unknown (a public key not made yet) is not invented: it is listed in `missing`, with
what it needs. zone_snippet() writes plans as zone-file text.
"""
from __future__ import annotations

import base64
import binascii
import datetime
import hashlib
import ipaddress
import re

from ansible_collections.gestixi.mail.plugins.module_utils.rules._address import canonical_domain, display_domain
from ansible_collections.gestixi.mail.plugins.module_utils.rules._dns import canonical_host, dns_problems, dns_settings

DEFAULT_TTL = 3600
# One week: RFC 8461 advises weeks; a change of policy is announced by a new id anyway.
DEFAULT_MTA_STS_MAX_AGE = 604800
TXT_STRING_MAX = 255  # bytes in one character-string of a TXT record (RFC 1035 3.3)
# RFC 6186 and RFC 8314 services, in the order they are published, with the server role's
# default ports (roles/server/defaults/main.yml). POP3 is not offered by the servers: RFC 6186 3.4
# says to publish such a service with the target "." so that clients do not try it.
SRV_SERVICES = (
    ("submission", "_submission._tcp", 587),
    ("submissions", "_submissions._tcp", 465),
    ("imap", "_imap._tcp", 143),
    ("imaps", "_imaps._tcp", 993),
    ("pop3", "_pop3._tcp", None),
    ("pop3s", "_pop3s._tcp", None),
    ("sieve", "_sieve._tcp", 4190),  # ManageSieve, RFC 5804 1.8
)
DEFAULT_HTTPS_PORT = 443
_HEX_RE = re.compile(r"^[0-9a-f]{64}\Z")
_PEM_RE = re.compile(r"-----(?:BEGIN|END) [A-Z ]+-----")


# ---------------------------------------------------------------------------------------------
# What the caller knows of the servers


class MailServer:
    """A mail server: its host name, addresses (when known) and the SHA-256 digests of its TLS
    certificate's public key (SPKI) for TLSA 3 1 1: the current one and, during a rollover, the
    next one."""

    def __init__(self, name: str, ipv4: list[str], ipv6: list[str], tlsa: list[str]) -> None:
        self.name = name
        self.ipv4 = ipv4
        self.ipv6 = ipv6
        self.tlsa = tlsa


class WebHost:
    """The webmail host: it serves autoconfig, autodiscover and the MTA-STS policy over HTTPS."""

    def __init__(self, name: str | None, ipv4: list[str], ipv6: list[str]) -> None:
        self.name = name
        self.ipv4 = ipv4
        self.ipv6 = ipv6


class DnsFacts:
    def __init__(self, servers: list[MailServer], dkim_keys: dict[str, dict[str, str]],
                 webmail: WebHost | None, clients_host: str | None, ports: dict[str, int | None],
                 ttl: int, mta_sts_max_age: int, today: datetime.date) -> None:
        self.servers = servers
        self.dkim_keys = dkim_keys  # domain (A-label) -> selector -> base64 public key
        self.webmail = webmail
        self.clients_host = clients_host
        self.ports = ports
        self.ttl = ttl
        self.mta_sts_max_age = mta_sts_max_age
        self.today = today

    def server(self, name: str) -> MailServer | None:
        return next((server for server in self.servers if server.name == name), None)


def _addresses(value: object, version: int, what: str) -> list[str]:
    if value in (None, ""):
        return []
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, (list, tuple)):
        raise ValueError("%s: expected a list of IPv%d addresses, got %r" % (what, version, value))
    kind = ipaddress.IPv4Address if version == 4 else ipaddress.IPv6Address
    found = []
    for text in values:
        try:
            found.append(str(kind(str(text).strip())))
        except ValueError:
            raise ValueError("%s: %r is not an IPv%d address" % (what, text, version)) from None
    return list(dict.fromkeys(found))


def spki_digest(text: object, what: str) -> str:
    """A SHA-256 digest written in hex (colons and case as openssl prints them are fine)."""
    digest = str(text).strip().replace(":", "").lower() if isinstance(text, str) else ""
    if not _HEX_RE.match(digest):
        raise ValueError("%s: %r is not a SHA-256 digest (64 hex digits) of the certificate's public key" % (what, text))
    return digest


def dkim_public_key(text: object, what: str) -> str:
    """The base64 of a DKIM public key (p=), from the base64 alone or a PEM 'PUBLIC KEY' block."""
    if not isinstance(text, str):
        raise ValueError("%s: expected the public key as text (base64 or PEM), got %r" % (what, text))
    key = "".join(_PEM_RE.sub("", text).split())
    try:
        raw = base64.b64decode(key, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("%s: not a public key in base64 or PEM" % what) from None
    if len(raw) < 64:
        raise ValueError("%s: %d bytes is too short for an RSA public key" % (what, len(raw)))
    return key


def _host_record(value: object, what: str) -> tuple[str | None, list[str], list[str], dict]:
    if isinstance(value, str):
        value = {"name": value}
    if not isinstance(value, dict):
        raise ValueError("%s: expected a host name or a mapping with name, ipv4, ipv6, got %r" % (what, value))
    name = value.get("name")
    try:
        host = canonical_host(name) if name else None
    except ValueError as exc:
        raise ValueError("%s: %s" % (what, exc)) from None
    return (host, _addresses(value.get("ipv4"), 4, "%s ipv4" % what),
            _addresses(value.get("ipv6"), 6, "%s ipv6" % what), value)


def dns_facts(servers: object, dkim_keys: object = None, webmail: object = None, clients_host: object = None,
              ports: object = None, ttl: object = DEFAULT_TTL, mta_sts_max_age: object = DEFAULT_MTA_STS_MAX_AGE,
              today: object = None) -> DnsFacts:
    """The facts from plain data (a filter's arguments); raises ValueError naming what is wrong.

    servers: host names, or mappings {name, ipv4, ipv6, tlsa: {current, next}};
    dkim_keys: {domain: {selector: public key}}; webmail: a host name or {name, ipv4, ipv6};
    ports: {submission, submissions, imap, imaps, pop3, pop3s, sieve, https}, 0 or null for a
    service that is not offered.
    """
    if isinstance(servers, (str, dict)):
        servers = [servers]
    if not isinstance(servers, (list, tuple)) or not servers:
        raise ValueError("servers: give the mail servers, at least their host names")
    found: list[MailServer] = []
    for index, value in enumerate(servers):
        what = "servers[%d]" % index
        name, ipv4, ipv6, given = _host_record(value, what)
        if name is None:
            raise ValueError("%s: a host name is required" % what)
        tlsa = given.get("tlsa") or {}
        if not isinstance(tlsa, dict):
            raise ValueError("%s.tlsa: expected a mapping with current and next, got %r" % (what, tlsa))
        unknown = set(tlsa) - {"current", "next"}
        if unknown:
            raise ValueError("%s.tlsa: unknown key(s) %s; it takes current and next" % (what, ", ".join(sorted(unknown))))
        digests = [spki_digest(tlsa[key], "%s.tlsa.%s" % (what, key)) for key in ("current", "next") if tlsa.get(key)]
        found.append(MailServer(name, ipv4, ipv6, list(dict.fromkeys(digests))))
    keys: dict[str, dict[str, str]] = {}
    if not isinstance(dkim_keys or {}, dict):
        raise ValueError("dkim_keys: expected {domain: {selector: public key}}, got %r" % (dkim_keys,))
    for domain, selectors in (dkim_keys or {}).items():
        if not isinstance(selectors, dict):
            raise ValueError("dkim_keys[%s]: expected {selector: public key}, got %r" % (domain, selectors))
        name = canonical_domain(domain)
        keys[name] = {str(selector).lower(): dkim_public_key(key, "dkim_keys[%s][%s]" % (domain, selector))
                      for selector, key in selectors.items() if key}
    web = None
    if webmail:
        name, ipv4, ipv6, _given = _host_record(webmail, "webmail")
        web = WebHost(name, ipv4, ipv6)
    clients = canonical_host(clients_host) if clients_host else None
    wanted_ports: dict[str, int | None] = {service: port for service, _label, port in SRV_SERVICES}
    wanted_ports["https"] = DEFAULT_HTTPS_PORT
    if not isinstance(ports or {}, dict):
        raise ValueError("ports: expected {service: port}, got %r" % (ports,))
    for service, port in (ports or {}).items():
        if service not in wanted_ports:
            raise ValueError("ports: unknown service %r; it takes %s" % (service, ", ".join(wanted_ports)))
        if port in (None, 0, False, ""):
            wanted_ports[service] = None
            continue
        try:
            number = int(port)
        except (TypeError, ValueError):
            raise ValueError("ports.%s: %r is not a port number" % (service, port)) from None
        if not 1 <= number <= 65535 or isinstance(port, bool):
            raise ValueError("ports.%s: %r is not a port number (1 to 65535)" % (service, port))
        wanted_ports[service] = number
    return DnsFacts(found, keys, web, clients, wanted_ports, _whole(ttl, "ttl", 60), _whole(mta_sts_max_age, "mta_sts_max_age", 86400),
                    _day(today))


def _whole(value: object, what: str, minimum: int) -> int:
    try:
        number = int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError("%s: %r is not a whole number" % (what, value)) from None
    if isinstance(value, bool) or number < minimum or number > 31557600:
        raise ValueError("%s: %r is not a number of seconds from %d to 31557600" % (what, value, minimum))
    return number


def _day(value: object) -> datetime.date:
    if value is None or value == "":
        return datetime.date.today()
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        raise ValueError("today: %r is not a date (YYYY-MM-DD)" % (value,)) from None


# ---------------------------------------------------------------------------------------------
# Presentation format


def absolute(name: str) -> str:
    return name if name.endswith(".") else name + "."


def txt_value(text: str) -> str:
    """A TXT record's text in presentation format: quoted strings of at most 255 bytes each."""
    data = text.encode("utf-8")
    chunks = [data[start:start + TXT_STRING_MAX] for start in range(0, len(data), TXT_STRING_MAX)] or [b""]
    return " ".join('"%s"' % _escaped(chunk) for chunk in chunks)


def _escaped(chunk: bytes) -> str:
    out = []
    for byte in chunk:
        if byte in (0x22, 0x5c):  # " and \
            out.append("\\" + chr(byte))
        elif 0x20 <= byte < 0x7f:
            out.append(chr(byte))
        else:
            out.append("\\%03d" % byte)
    return "".join(out)


# ---------------------------------------------------------------------------------------------
# The records of one domain


class _Records:
    def __init__(self, ttl: int) -> None:
        self.ttl = ttl
        self.records: list[dict] = []
        self.missing: list[dict] = []
        self.retired: list[dict] = []

    def add(self, name: str, rtype: str, values: list[str], about: str) -> None:
        if values:
            self.records.append({"name": absolute(name), "type": rtype, "ttl": self.ttl,
                                 "values": list(dict.fromkeys(values)), "about": about})

    def retire(self, name: str, rtype: str, about: str) -> None:
        self.retired.append({"name": absolute(name), "type": rtype, "about": about})

    def lack(self, name: str, rtype: str, needs: str) -> None:
        self.missing.append({"name": absolute(name), "type": rtype, "needs": needs})

    def host(self, name: str, web: WebHost | None, about: str, needs: str) -> None:
        """name as an alias of the webmail host (CNAME), or its addresses (A, AAAA)."""
        if web is not None and web.name and web.name != name:
            self.add(name, "CNAME", [absolute(web.name)], about)
        elif web is not None and (web.ipv4 or web.ipv6):
            self.add(name, "A", web.ipv4, about)
            self.add(name, "AAAA", web.ipv6, about)
        else:
            self.lack(name, "CNAME", needs)


def mta_sts_policy(mode: str, mx: list[str], max_age: int) -> str:
    """The policy file served at https://mta-sts.<domain>/.well-known/mta-sts.txt (RFC 8461 3.2)."""
    lines = ["version: STSv1", "mode: %s" % mode] + ["mx: %s" % host for host in mx] + ["max_age: %d" % max_age]
    return "\n".join(lines) + "\n"


def domain_plan(item: dict, facts: DnsFacts) -> dict:
    """Every record of one valid domain of the description: {domain, records, missing, retired
    (records to withdraw: old DKIM keys past their day), mta_sts_policy}. Raises ValueError for settings the description's rules refuse."""
    problems = dns_problems([item])
    if problems:
        raise ValueError("; ".join(str(problem) for problem in problems))
    domain = canonical_domain(item.get("name"))
    settings = dns_settings(item)
    out = _Records(facts.ttl)
    servers = [server.name for server in facts.servers]
    mx = settings.mx if settings.mx is not None else servers

    out.add(domain, "MX", ["%d %s" % (10 * (rank + 1), absolute(host)) for rank, host in enumerate(mx)],
            "MX: the hosts that receive mail for %s, in order of preference" % domain)
    # The servers send the domain's mail: `mx` covers them only where they are MX hosts too.
    senders = []
    for server in facts.servers:
        if server.name not in mx:
            senders.extend(["ip4:%s" % a for a in server.ipv4] + ["ip6:%s" % a for a in server.ipv6]
                           or ["a:%s" % server.name])
    spf = " ".join(["v=spf1", "mx"] + list(dict.fromkeys(senders + settings.spf)) + ["-all"])
    out.add(domain, "TXT", [txt_value(spf)], "SPF: who may send mail from %s" % domain)

    keys = facts.dkim_keys.get(domain, {})
    for selector, until in settings.retired_selectors(facts.today.isoformat()):
        out.retire("%s._domainkey.%s" % (selector, domain), "TXT", "DKIM key %s (old, withdrawn after %s)" % (selector, until))
    for selector, about in settings.published_selectors(facts.today.isoformat()):
        name = "%s._domainkey.%s" % (selector, domain)
        if selector in keys:
            out.add(name, "TXT", [txt_value("v=DKIM1; k=rsa; p=%s" % keys[selector])], about)
        else:
            out.lack(name, "TXT", "the DKIM public key of selector %s of %s" % (selector, domain))

    dmarc = "v=DMARC1; p=%s" % settings.dmarc_policy
    if settings.dmarc_reports:
        dmarc += "; rua=mailto:%s" % settings.dmarc_reports
    out.add("_dmarc.%s" % domain, "TXT", [txt_value(dmarc)], "DMARC: what receivers do with mail that fails")
    if settings.dmarc_reports:
        report_domain = settings.dmarc_reports.rpartition("@")[2]
        if report_domain != domain and not report_domain.endswith("." + domain):
            # RFC 7489 7.1: another domain accepts to receive this domain's reports.
            out.add("%s._report._dmarc.%s" % (domain, report_domain), "TXT", [txt_value("v=DMARC1")],
                    "DMARC: %s accepts the reports of %s" % (report_domain, domain))
    if settings.tls_rpt:
        out.add("_smtp._tls.%s" % domain, "TXT", [txt_value("v=TLSRPTv1; rua=mailto:%s" % settings.tls_rpt)],
                "TLS-RPT: where senders report TLS failures")

    policy = mta_sts_policy(settings.mta_sts, mx, facts.mta_sts_max_age)
    policy_id = hashlib.sha256(policy.encode("utf-8")).hexdigest()[:20]  # changes with the policy
    web = facts.webmail
    needs_web = "the webmail host name (webmail: it serves %s over HTTPS)"
    # A policy record with no host to serve the policy would make senders fail to fetch it.
    if web is not None:
        out.add("_mta-sts.%s" % domain, "TXT", [txt_value("v=STSv1; id=%s" % policy_id)],
                "MTA-STS: policy %s (mode %s)" % (policy_id, settings.mta_sts))
    else:
        out.lack("_mta-sts.%s" % domain, "TXT", needs_web % ("the policy of mode %s" % settings.mta_sts))
    out.host("mta-sts.%s" % domain, web, "MTA-STS: the host that serves the policy",
             needs_web % ("https://mta-sts.%s/.well-known/mta-sts.txt" % domain))
    out.host("autoconfig.%s" % domain, web, "mail client settings (Thunderbird autoconfig)", needs_web % "autoconfig")
    out.host("autodiscover.%s" % domain, web, "mail client settings (Outlook autodiscover)", needs_web % "autodiscover")
    if web is not None and web.name and facts.ports.get("https"):
        out.add("_autodiscover._tcp.%s" % domain, "SRV", ["0 1 %d %s" % (facts.ports["https"], absolute(web.name))],
                "mail client settings (Outlook autodiscover)")

    clients = facts.clients_host or servers[0]
    for service, label, _default in SRV_SERVICES:
        port = facts.ports.get(service)
        value = "0 1 %d %s" % (port, absolute(clients)) if port else "0 0 0 ."
        out.add("%s.%s" % (label, domain), "SRV", [value], "client settings: %s %s" % (
            service, "on port %d" % port if port else "is not offered (RFC 6186: target '.')"))

    for host in mx:
        server = facts.server(host)
        if server is None:
            continue  # another operator's MX: not ours to describe
        if server.ipv4 or server.ipv6:
            out.add(host, "A", server.ipv4, "the mail server %s" % host)
            out.add(host, "AAAA", server.ipv6, "the mail server %s" % host)
        else:
            out.lack(host, "A", "the IPv4 or IPv6 address of the mail server %s" % host)
        if server.tlsa:
            out.add("_25._tcp.%s" % host, "TLSA", ["3 1 1 %s" % digest for digest in server.tlsa],
                    "DANE: the certificate of %s (current%s)" % (host, ", next" if len(server.tlsa) > 1 else ""))
        else:
            out.lack("_25._tcp.%s" % host, "TLSA", "the SHA-256 digest of the public key (SPKI) of the TLS "
                     "certificate of %s" % host)
    return {"domain": domain, "records": out.records, "missing": out.missing, "retired": out.retired,
            "mta_sts_policy": policy}


def dns_plan(domains: list, facts: DnsFacts) -> list[dict]:
    """domain_plan() of every domain of a description, in its order."""
    return [domain_plan(item, facts) for item in domains or []]


# ---------------------------------------------------------------------------------------------
# Zone-file text


def _relative(name: str, origin: str) -> str | None:
    """name relative to origin ('@' for the origin itself), or None when it is outside."""
    if name == origin:
        return "@"
    if name.endswith("." + origin):
        return name[:-len(origin) - 1]
    return None


def zone_snippet(plans: dict | list[dict]) -> str:
    """RFC 1035 presentation-format text of one plan or several (one section each): the
    records of the domain's zone under $ORIGIN, then, commented out, the records that belong
    in other zones (a mail server's own zone), the missing inputs and the MTA-STS policy."""
    if isinstance(plans, dict):
        plans = [plans]
    sections = [_section(plan) for plan in plans]
    return "\n".join(sections)


def _section(plan: dict) -> str:
    origin = absolute(plan["domain"])
    shown = display_domain(plan["domain"])
    head = shown if shown == plan["domain"] else "%s (%s)" % (shown, plan["domain"])
    lines = ["; gestixi.mail: the mail DNS records of %s" % head, "$ORIGIN %s" % origin]
    inside = [(record, _relative(record["name"], origin)) for record in plan["records"]]
    outside = [record for record, owner in inside if owner is None]
    inside = [(record, owner) for record, owner in inside if owner is not None]
    width = max([len(owner) for _record, owner in inside] + [1])
    for record, owner in inside:
        lines.append("; %s" % record["about"])
        for value in record["values"]:
            lines.append("%-*s %d IN %-5s %s" % (width, owner, record["ttl"], record["type"], value))
    if outside:
        lines.append(";")
        lines.append("; In other zones (publish them there):")
        for record in outside:
            lines.append(";   ; %s" % record["about"])
            for value in record["values"]:
                lines.append(";   %s %d IN %s %s" % (record["name"], record["ttl"], record["type"], value))
    if plan["missing"]:
        lines.append(";")
        lines.append("; Not shown, their inputs are not known yet:")
        for missing in plan["missing"]:
            lines.append(";   %s %s: needs %s" % (missing["name"], missing["type"], missing["needs"]))
    if plan.get("mta_sts_policy"):
        lines.append(";")
        lines.append("; MTA-STS policy, served at https://mta-sts.%s/.well-known/mta-sts.txt:" % plan["domain"])
        lines.extend(";   %s" % line for line in plan["mta_sts_policy"].splitlines())
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------
# One line of the DNS plan

_PLAN_MARKS = {"missing": "+", "differs": "~", "retired": "-"}


def dns_plan_line(item: dict) -> str:
    """A line of the DNS plan for a record that drifted (gestixi_dns_check's drift), or for a
    record whose input is missing (a plan's missing):
    + TXT s2027._domainkey.example.org. "v=DKIM1; ..." (DKIM key s2027 (published before it signs))
    ~ MX example.org. 10 mail1.example.org. (now: 10 old.example.org.)
    ? TLSA _25._tcp.mail1.example.org.: needs the SHA-256 digest ..."""
    if "needs" in item:
        return "? %s %s: needs %s" % (item["type"], item["name"], item["needs"])
    mark = _PLAN_MARKS.get(item.get("problem"), "~")
    if item.get("problem") == "retired":
        return "- %s %s (%s)" % (item["type"], item["name"], item.get("about", ""))
    values = " | ".join(_short(value) for value in item.get("values", []))
    line = "%s %s %s %s" % (mark, item["type"], item["name"], values)
    live = item.get("live") or {}
    if item.get("problem") == "differs":
        now = " | ".join(_short(value) for value in live.get("values", []))
        line += " (now: %s%s)" % (now, "" if live.get("ttl") == item.get("ttl") else ", TTL %s" % live.get("ttl"))
    elif item.get("about"):
        line += " (%s)" % item["about"]
    return line


def _short(value: str, limit: int = 60) -> str:
    return value if len(value) <= limit else value[:limit - 3] + "..."
