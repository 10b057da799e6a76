# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Aliases (redirections): validation, planning and writing for gestixi_alias.

An alias is stored as `all_users` (an empty "to": every enabled user of its domain, resolved
by Postfix at lookup time) plus a set of explicit recipients. Both add up: an alias defined
twice, once with `to: []` and once with `to: [boss@example.net]`, reaches all users and boss.

- List form (`aliases`): each named alias gets exactly the recipients the list gives it; two
  items with one address merge. `purge` removes the other aliases of `domain`.
- Single form: `recipients_mode: add` (default) adds the given recipients to the alias, as a
  redirection added on the admin page did; `replace` sets exactly them. `state: absent`
  removes the alias, or with `to` only those recipients (the alias goes with its last one).

Removing an alias also removes it from the recipients of the aliases that redirect to it
(shown as updates of those aliases); an alias must never be left with no recipient at all,
so such a removal is refused, naming the alias to change first.
"""
from __future__ import annotations

from ansible_collections.gestixi.mail.plugins.module_utils.rules._address import (
    recipient_problem,
    canonical_address,
    canonical_domain,
    canonical_local_part,
)
from ansible_collections.gestixi.mail.plugins.module_utils.converge._plan import Converged, Plan, plan_items
from ansible_collections.gestixi.mail.plugins.module_utils._errors import InvalidItem, MailStateError, ProblemCollector
from ansible_collections.gestixi.mail.plugins.module_utils.rules._alias_graph import ALIAS_TO_USER, LOOP, loop_problem, missing_recipient_message
from ansible_collections.gestixi.mail.plugins.module_utils.store._integrity import readable
from ansible_collections.gestixi.mail.plugins.module_utils.store._engine import Connection

ALL_USERS = "(all users)"
ITEM_OPTIONS = {
    "name": {"type": "str"},
    "address": {"type": "str"},
    "to": {"type": "list", "elements": "str"},
    "state": {"type": "str", "choices": ["present", "absent"], "default": "present"},
}


def argument_spec() -> dict:
    return {
        "address": {"type": "str"},
        "name": {"type": "str"},
        "domain": {"type": "str"},
        "to": {"type": "list", "elements": "str"},
        "recipients_mode": {"type": "str", "choices": ["add", "replace"]},
        "state": {"type": "str", "choices": ["present", "absent"], "default": "present"},
        "aliases": {"type": "list", "elements": "dict", "options": ITEM_OPTIONS},
        "purge": {"type": "bool", "default": False},
    }


MUTUALLY_EXCLUSIVE = [("address", "name"), ("aliases", "address"), ("aliases", "name"),
                      ("aliases", "to"), ("aliases", "recipients_mode")]
REQUIRED_ONE_OF = [("address", "name", "aliases")]
REQUIRED_BY = {"name": "domain"}
REQUIRED_IF = [("purge", True, ("aliases", "domain"))]


def public(record: dict) -> dict:
    """The diff view: recipients as a sorted list, "(all users)" first."""
    return {"to": ([ALL_USERS] if record["all_users"] else []) + sorted(record["to"])}


def record(all_users: bool, recipients) -> dict:
    return {"all_users": bool(all_users), "to": tuple(sorted(set(recipients)))}


def is_empty(rec: dict) -> bool:
    return not rec["all_users"] and not rec["to"]


class Entry:
    """One definition of an alias in the input (an item of the list, or the single form)."""

    def __init__(self, label: str, address: str | None, state: str, to: list | None,
                 field: str = "address") -> None:
        self.label = label
        self.address = address
        self.field = field  # the option that names the alias: address, name or domain
        self.state = state
        self.to_given = to is not None
        self.all_users = to == []
        self.recipients: list[tuple[int, str]] = []  # (index in `to`, canonical address)
        self.valid = address is not None

    def addresses(self) -> list[str]:
        return [address for index, address in self.recipients]

    def field_of(self, recipient: str) -> str | None:
        for index, address in self.recipients:
            if address == recipient:
                return "to[%d]" % index
        return None


class Snapshot:
    """What the store holds before this run writes, loaded in a few queries."""

    def __init__(self, conn: Connection) -> None:
        cursor = conn.cursor()
        cursor.row_factory = None
        self.catchalls: dict[str, str | None] = dict(cursor.execute("SELECT name, catchall FROM domains"))
        self.users: set[str] = {row[0] for row in cursor.execute("SELECT address FROM users")}
        self.domain_of: dict[str, str] = {}
        all_users: dict[str, bool] = {}
        for address, domain, flag in cursor.execute("SELECT address, domain, all_users FROM aliases"):
            self.domain_of[address] = domain
            all_users[address] = bool(flag)
        recipients: dict[str, list[str]] = {}
        for alias, recipient in cursor.execute("SELECT alias, recipient FROM alias_recipients"):
            recipients.setdefault(alias, []).append(recipient)
        self.aliases: dict[str, dict] = {address: record(flag, recipients.get(address, ()))
                                         for address, flag in all_users.items()}


def load(conn: Connection) -> dict[str, dict]:
    return Snapshot(conn).aliases


# --------------------------------------------------------------------------------------------
# Reading the input

def _entries(params: dict, problems: ProblemCollector) -> tuple[list[Entry], str | None]:
    """Parse every definition; return them and the canonical top-level domain (or None)."""
    domain = None
    if params["domain"] is not None:
        try:
            domain = canonical_domain(params["domain"])
        except ValueError as exc:
            where = "aliases" if params["aliases"] is not None else "alias %s" % params["domain"]
            problems.add(where, "domain", str(exc))
            return [], None
    if params["aliases"] is not None:
        entries = [_list_entry(index, item, domain, problems)
                   for index, item in enumerate(params["aliases"])]
    else:
        entries = [_single_entry(params, domain, problems)]
    return entries, domain


def _list_entry(index: int, item: dict, domain: str | None,
                problems: ProblemCollector) -> Entry:
    label = "aliases[%d]" % index
    address = None
    field = "name" if item["name"] is not None else "address"
    try:
        if item["name"] is not None and item["address"] is not None:
            raise ValueError("give either 'name' or 'address', not both")
        if item["name"] is not None:
            if domain is None:
                raise ValueError("'name' needs the option 'domain' (or give a full 'address')")
            address = "%s@%s" % (canonical_local_part(item["name"]), domain)
        else:
            if item["address"] is None:
                raise ValueError("each alias needs a 'name' or an 'address'")
            address = canonical_address(item["address"], domain)
            if domain is not None and address.rpartition("@")[2] != domain:
                raise ValueError("%s is not in %s, the domain of this list" % (address, domain))
    except ValueError as exc:
        problems.add(label, field, str(exc))
        address = None
    if address is not None:
        label = "%s (%s)" % (label, address)
    entry = Entry(label, address, item["state"], item["to"], field)
    if entry.state == "present":
        if item["to"] is None and address is not None:
            problems.add(label, "to", "give the recipients ('to'), or an empty list for all users of the domain")
            entry.valid = False
        _parse_recipients(entry, item["to"], problems)
    return entry


def _single_entry(params: dict, domain: str | None, problems: ProblemCollector) -> Entry:
    address = None
    field = "name" if params["name"] is not None else "address"
    try:
        if params["name"] is not None:
            address = "%s@%s" % (canonical_local_part(params["name"]), domain)
        else:
            address = canonical_address(params["address"], domain)
            if domain is not None and address.rpartition("@")[2] != domain:
                raise ValueError("%s is not in %s (option 'domain')" % (address, domain))
    except ValueError as exc:
        problems.add("alias %s" % (params["address"] or params["name"]), field, str(exc))
    if params["name"] is not None or "@" not in (params["address"] or "@"):
        field = "domain"  # the domain of the alias came from the option 'domain'
    entry = Entry("alias %s" % address, address, params["state"], params["to"], field)
    if entry.state == "present" and params["to"] is None and address is not None:
        problems.add(entry.label, "to", "give the recipients ('to'), or an empty list for all users of the domain")
        entry.valid = False
    _parse_recipients(entry, params["to"], problems)
    return entry


def _parse_recipients(entry: Entry, to: list | None, problems: ProblemCollector) -> None:
    if to is None or entry.address is None:
        return
    domain = entry.address.rpartition("@")[2]
    for index, text in enumerate(to):
        try:
            entry.recipients.append((index, canonical_address(text, domain)))
        except ValueError as exc:
            problems.add(entry.label, "to[%d]" % index, recipient_problem(exc, text, domain))
            entry.valid = False


# --------------------------------------------------------------------------------------------
# Planning

class Wanted:
    """The wanted result of this run: records to write, aliases to remove, and who said so."""

    def __init__(self) -> None:
        self.records: dict[str, dict] = {}
        self.removed: dict[str, tuple[str, str]] = {}  # address -> (item, field) removing it
        self.entries: dict[str, list[Entry]] = {}  # address -> its definitions in the input

    def label(self, address: str) -> str:
        return self.entries[address][0].label

    def locate(self, alias: str, recipient: str | None) -> tuple[str, str]:
        """(item, field) of the definition of `alias` that gives `recipient`."""
        for entry in self.entries[alias]:
            field = entry.field_of(recipient) if recipient else None
            if field:
                return entry.label, field
        return self.label(alias), "to"


def _wanted_from_list(entries: list[Entry], snapshot: Snapshot, domain: str | None, purge: bool,
                      problems: ProblemCollector) -> Wanted:
    wanted = Wanted()
    first_of: dict[str, Entry] = {}
    for entry in entries:
        if entry.address is None:
            continue
        first = first_of.setdefault(entry.address, entry)
        if first.state != entry.state:
            problems.add(entry.label, "state", "%s is listed as %s here and as %s in %s: list it once"
                         % (entry.address, entry.state, first.state, first.label.split(" ")[0]))
            continue
        wanted.entries.setdefault(entry.address, []).append(entry)
        if entry.state == "absent":
            if entry.address in snapshot.aliases:
                wanted.removed.setdefault(entry.address, (entry.label, "state"))
            continue
        have = wanted.records.get(entry.address)
        given = record(entry.all_users, entry.addresses())
        wanted.records[entry.address] = given if have is None else _union(have, given)
    if purge and domain is not None:
        for address in sorted(snapshot.aliases):
            if snapshot.domain_of[address] == domain and address not in wanted.records:
                wanted.removed.setdefault(address, ("alias %s (not in the list)" % address, "purge"))
    return wanted


def _wanted_from_single(entry: Entry, snapshot: Snapshot, mode: str) -> Wanted:
    wanted = Wanted()
    if entry.address is None:
        return wanted
    address = entry.address
    wanted.entries[address] = [entry]
    have = snapshot.aliases.get(address)
    given = record(entry.all_users, entry.addresses())
    if entry.state == "present":
        wanted.records[address] = _union(have, given) if (have is not None and mode == "add") else given
    elif have is None:
        pass  # absent already
    elif not entry.to_given:
        wanted.removed[address] = (entry.label, "state")
    else:
        rest = record(have["all_users"] and not given["all_users"], set(have["to"]) - set(given["to"]))
        if is_empty(rest):
            wanted.removed[address] = (entry.label, "to")
        else:
            wanted.records[address] = rest
    return wanted


def _union(first: dict, second: dict) -> dict:
    return record(first["all_users"] or second["all_users"], first["to"] + second["to"])


def _check_input(wanted: Wanted, snapshot: Snapshot, problems: ProblemCollector,
                 domain: str | None, list_form: bool, refuse_user_addresses: bool = True) -> None:
    """Domains, shadowing and local recipients, against the store as this run leaves it."""
    if list_form and domain is not None and domain not in snapshot.catchalls:
        problems.add("aliases", "domain", "domain %s is not in the store: create it first with "
                     "gestixi.mail.gestixi_domain" % domain)
        return
    for address in wanted.records:
        alias_domain = address.rpartition("@")[2]
        for entry in wanted.entries[address]:
            if entry.state != "present":
                continue  # recipients being removed need not exist
            if alias_domain not in snapshot.catchalls:
                problems.add(entry.label, entry.field, "domain %s is not in the store: create it "
                             "first with gestixi.mail.gestixi_domain" % alias_domain)
                break
            if refuse_user_addresses and address in snapshot.users:
                problems.add(entry.label, entry.field, "%s is a user's mailbox: an alias cannot have "
                             "a user's address (choose another address, or remove the user)" % address)
                break
            for index, recipient in entry.recipients:
                if recipient == address:  # the graph's rule, found here with the other problems
                    problems.add(entry.label, "to[%d]" % index, loop_problem([address, address], address).message)
                elif _missing(recipient, wanted, snapshot):
                    if recipient in wanted.removed:
                        item, field = wanted.removed[recipient]
                        message = "%s is removed by this run (%s): a recipient in a domain of this store " \
                            "must exist (create the user or alias first, or check the spelling)" % (
                                recipient, "purge: the list does not name it" if field == "purge" else item)
                    else:
                        message = missing_recipient_message(recipient, _locals_of(recipient, wanted, snapshot))
                    problems.add(entry.label, "to[%d]" % index, message)


def _missing(recipient: str, wanted: Wanted, snapshot: Snapshot) -> bool:
    """True for a local address that will be neither a user nor an alias after this run."""
    if recipient.rpartition("@")[2] not in snapshot.catchalls:
        return False  # an external address
    if recipient in snapshot.users or recipient in wanted.records:
        return False
    return recipient not in snapshot.aliases or recipient in wanted.removed


def _locals_of(address: str, wanted: Wanted, snapshot: Snapshot) -> set[str]:
    """The local parts of the users and aliases that the domain of address has after this run."""
    domain = address.rpartition("@")[2]
    names = set(snapshot.users) | set(wanted.records) | (set(snapshot.aliases) - set(wanted.removed))
    return {name.rpartition("@")[0] for name in names if name.rpartition("@")[2] == domain}


def _vanishes(address: str, wanted: Wanted, snapshot: Snapshot) -> bool:
    """A removed alias whose address is not also a user (which the same run may have created:
    turning an alias into a user keeps the entries and catch-alls that name the address)."""
    return address in wanted.removed and address not in snapshot.users


def _detach(wanted: Wanted, snapshot: Snapshot, problems: ProblemCollector) -> list[tuple[str, dict, dict]]:
    """Updates of the aliases outside this run that redirect to an alias this run removes."""
    if not wanted.removed:
        return []
    updates = []
    for alias in sorted(snapshot.aliases):
        if alias in wanted.records or alias in wanted.removed:
            continue
        before = snapshot.aliases[alias]
        gone = sorted(recipient for recipient in before["to"] if _vanishes(recipient, wanted, snapshot))
        if not gone:
            continue
        after = record(before["all_users"], set(before["to"]) - set(gone))
        if is_empty(after):
            item, field = wanted.removed[gone[0]]
            problems.add(item, field, "alias %s redirects only to %s, which this run removes: it "
                         "would be left with no recipient; change or remove %s first"
                         % (alias, ", ".join(gone), alias))
        else:
            updates.append((alias, before, after))
    for domain in sorted(snapshot.catchalls):
        target = snapshot.catchalls[domain]
        if _vanishes(target, wanted, snapshot):
            item, field = wanted.removed[target]
            problems.add(item, field, "%s is the catch-all of %s: change the domain's catch-all first"
                         % (target, domain))
    return updates


def converge_aliases(conn: Connection, params: dict, users_follow: bool = False) -> Converged:
    """Converge aliases; the whole-store problems it causes are named by its items.

    users_follow: the same transaction converges users afterwards (a whole description), so
    an alias may take the address of a user that a later step removes; the whole-store check
    at the end refuses the pair if the user stays.
    """
    problems = ProblemCollector()
    snapshot = Snapshot(conn)
    entries, domain = _entries(params, problems)
    list_form = params["aliases"] is not None
    if list_form:
        wanted = _wanted_from_list(entries, snapshot, domain, params["purge"], problems)
    else:
        wanted = _wanted_from_single(entries[0], snapshot, params["recipients_mode"] or "add") \
            if entries else Wanted()
    _check_input(wanted, snapshot, problems, domain, list_form, refuse_user_addresses=not users_follow)
    detached = _detach(wanted, snapshot, problems)
    if problems.problems:
        raise MailStateError(readable(problems.problems))

    plan = plan_items(Plan("alias", public), snapshot.aliases, wanted.records, absent=wanted.removed)
    plan.updated.extend(detached)
    _write(conn, plan, snapshot.users)
    return Converged([plan], lambda found: _named(found, wanted))


def _write(conn: Connection, plan: Plan, users: set[str]) -> None:
    removed = [(address,) for address, dummy in plan.removed]
    # Entries of other aliases naming a removed alias go with it, unless a user has the address.
    conn.executemany("DELETE FROM alias_recipients WHERE recipient = ?",
                     [row for row in removed if row[0] not in users])
    conn.executemany("DELETE FROM aliases WHERE address = ?", removed)
    conn.executemany("INSERT INTO aliases (address, domain, local_part, all_users) VALUES (?, ?, ?, ?)",
                     [(a, a.rpartition("@")[2], a.rpartition("@")[0], int(r["all_users"]))
                      for a, r in plan.created])
    conn.executemany("UPDATE aliases SET all_users = ? WHERE address = ?",
                     [(int(after["all_users"]), a) for a, before, after in plan.updated
                      if before["all_users"] != after["all_users"]])
    gone, added = [], [(a, recipient) for a, r in plan.created for recipient in r["to"]]
    for a, before, after in plan.updated:
        gone.extend((a, recipient) for recipient in set(before["to"]) - set(after["to"]))
        added.extend((a, recipient) for recipient in set(after["to"]) - set(before["to"]))
    conn.executemany("DELETE FROM alias_recipients WHERE alias = ? AND recipient = ?", gone)
    conn.executemany("INSERT INTO alias_recipients (alias, recipient) VALUES (?, ?)", added)


def _named(found: list, wanted: Wanted) -> list[InvalidItem]:
    """The store's problems, those of this run's aliases named by their items."""
    named: list[InvalidItem] = []
    for problem in found:
        ours = [a for a in (problem.path[:-1] if problem.kind == LOOP else (problem.alias,))
                if a in wanted.records]
        if not ours:
            named.append(problem.invalid_item())
            continue
        alias = ours[0]
        if problem.kind == LOOP:
            cycle = list(problem.path[:-1])
            start = cycle.index(alias)
            cycle = cycle[start:] + cycle[:start] + [alias]
            item, field = wanted.locate(alias, cycle[1])
            message = problem.message.replace(" -> ".join(problem.path), " -> ".join(cycle))
            named.append(InvalidItem(item, field, message))
        else:
            item, field = wanted.locate(alias, problem.path[1] if len(problem.path) > 1 else None)
            named.append(problem.invalid_item(item, field if problem.kind != ALIAS_TO_USER else "address"))
    return named
