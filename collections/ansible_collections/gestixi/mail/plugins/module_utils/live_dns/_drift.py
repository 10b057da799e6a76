# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a DNS server answers, against the records a mail domain needs (the DNS plan).

The wanted records are the dns_records filter's (plugin_utils/_dns_records.py): RRsets in
presentation format. Each is asked of one server (the domain's primary, as an operator's
`dig @server` would) and compared as DNS data, not as text: values are parsed by dnspython,
so that case, quoting and the order of an RRset do not count as drift. A retired record (an
old DKIM key whose day has passed) is drift while the server still answers it.

dnspython does the DNS (queries, parsing); only the comparison is ours.
"""
from __future__ import annotations

from ansible_collections.gestixi.mail.plugins.module_utils._errors import InvalidItem, MailStateError

try:
    import dns.exception
    import dns.flags
    import dns.message
    import dns.name
    import dns.query
    import dns.rcode
    import dns.rdata
    import dns.rdataclass
    import dns.rdatatype
    HAS_DNSPYTHON = True
except ImportError:  # reported by the module, with what to install
    HAS_DNSPYTHON = False

MISSING = "missing"
DIFFERS = "differs"
RETIRED = "retired"
# A drifted record as a change of the plan (the converge modules' `changes`): what a push does.
ACTIONS = {MISSING: "create", DIFFERS: "update", RETIRED: "remove"}
CHANGE_KIND = "DNS record"


class Wanted:
    """One RRset of the plan: name (absolute), type, ttl and values; or, retired, its absence."""

    def __init__(self, name: str, rtype: str, ttl: int | None, values: list[str], about: str,
                 retired: bool = False) -> None:
        self.name = name
        self.type = rtype.upper()
        self.ttl = ttl
        self.values = values
        self.about = about
        self.retired = retired


def wanted_records(plans: list[dict]) -> list[Wanted]:
    """The records and retired records of dns_records plans, each RRset once (a mail server's
    own A, AAAA and TLSA records are in the plan of every domain it serves); refuses what is
    not one, and an RRset that two plans want with different data, by index."""
    wanted = []
    problems = []
    seen: dict[tuple[str, str], tuple] = {}

    def add(record: Wanted, where: str) -> None:
        key = (record.name.lower(), record.type)
        data = (record.ttl, sorted(record.values), record.retired)
        if key not in seen:
            seen[key] = data
            wanted.append(record)
        elif seen[key] != data:
            problems.append(InvalidItem(where, None, "%s %s is planned by an earlier plan with other data" % key))

    for index, plan in enumerate(plans):
        if not isinstance(plan, dict) or not isinstance(plan.get("records", []), list):
            problems.append(InvalidItem("plans[%d]" % index, None, "not a plan of the gestixi.mail.dns_records filter"))
            continue
        for position, record in enumerate(plan.get("records", [])):
            try:
                add(Wanted(record["name"], record["type"], int(record["ttl"]), list(record["values"]),
                           record.get("about", "")), "plans[%d].records[%d]" % (index, position))
            except (KeyError, TypeError, ValueError):
                problems.append(InvalidItem("plans[%d].records[%d]" % (index, position), None,
                                            "a record has name, type, ttl and values"))
        for position, record in enumerate(plan.get("retired", [])):
            try:
                add(Wanted(record["name"], record["type"], None, [], record.get("about", ""), retired=True),
                    "plans[%d].retired[%d]" % (index, position))
            except (KeyError, TypeError):
                problems.append(InvalidItem("plans[%d].retired[%d]" % (index, position), None,
                                            "a retired record has name and type"))
    if problems:
        raise MailStateError(problems)
    return wanted


def zone_of(name: str, zones: list[str]) -> str | None:
    """The longest of zones that holds name (all absolute, lower case), or None."""
    name = name.lower()
    inside = [zone for zone in zones if name == zone or name.endswith("." + zone)]
    return max(inside, key=len) if inside else None


class Answer:
    def __init__(self, ttl: int | None, rdatas: list) -> None:
        self.ttl = ttl
        self.rdatas = rdatas

    def texts(self) -> list[str]:
        return sorted(rdata.to_text() for rdata in self.rdatas)


def ask(server: str, port: int, timeout: float, name: str, rtype: str) -> Answer:
    """The RRset the server answers for name and type (empty when it has none); raises
    MailStateError when the server does not answer, or refuses or fails the question."""
    query = dns.message.make_query(name, rtype)
    query.flags &= ~dns.flags.RD  # the server's own data, never a recursion
    try:
        response, _tcp = dns.query.udp_with_fallback(query, server, timeout=timeout, port=port)
    except (dns.exception.DNSException, OSError) as exc:
        raise MailStateError([InvalidItem("%s %s" % (name, rtype), None, "no answer from %s port %d: %s"
                                          % (server, port, exc))]) from None
    rcode = response.rcode()
    if rcode not in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN):
        raise MailStateError([InvalidItem("%s %s" % (name, rtype), None, "%s port %d answers %s: is it the "
                                          "primary server of this zone?" % (server, port, dns.rcode.to_text(rcode)))])
    owner = dns.name.from_text(name)
    wanted_type = dns.rdatatype.from_text(rtype)
    for rrset in response.answer:
        if rrset.name == owner and rrset.rdtype == wanted_type:
            return Answer(rrset.ttl, list(rrset))
    return Answer(None, [])


def compare(record: Wanted, answer: Answer) -> dict | None:
    """The drift of one record, or None when the server answers it as planned."""
    live = {"ttl": answer.ttl, "values": answer.texts()}
    if record.retired:
        return None if not answer.rdatas else _drift(record, RETIRED, live)
    if not answer.rdatas:
        return _drift(record, MISSING, live)
    want = {dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.from_text(record.type), value)
            for value in record.values}
    if want != set(answer.rdatas) or answer.ttl != record.ttl:
        return _drift(record, DIFFERS, live)
    return None


def _drift(record: Wanted, problem: str, live: dict) -> dict:
    return {"name": record.name, "type": record.type, "problem": problem, "about": record.about,
            "ttl": record.ttl, "values": record.values, "live": live}


def check(records: list[Wanted], server: str, port: int, timeout: float, zones: list[str] | None) -> dict:
    """The module's result: drift (with each record's zone), changes (the same, as the plan's
    lines), in_step, not_checked."""
    zones = [zone.lower().rstrip(".") + "." for zone in zones or []]
    drift, not_checked, in_step = [], [], 0
    problems = []
    for record in records:
        zone = zone_of(record.name, zones) if zones else None
        if zones and zone is None:
            not_checked.append({"name": record.name, "type": record.type, "about": record.about})
            continue
        try:
            found = compare(record, ask(server, port, timeout, record.name, record.type))
        except MailStateError as exc:
            problems.extend(exc.problems)
            continue
        except (dns.exception.DNSException, ValueError) as exc:
            problems.append(InvalidItem("%s %s" % (record.name, record.type), None, "not a valid record: %s" % exc))
            continue
        if found is None:
            in_step += 1
        else:
            found["zone"] = zone
            drift.append(found)
    if problems:
        raise MailStateError(problems)
    changes = [{"action": ACTIONS[found["problem"]], "kind": CHANGE_KIND, "key": "%s %s" % (found["name"], found["type"])}
               for found in drift]
    return {"drift": drift, "changes": changes, "in_step": in_step, "not_checked": not_checked}
