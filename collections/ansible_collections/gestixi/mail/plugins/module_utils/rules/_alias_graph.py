# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Rules over who receives what: the alias graph of a store, or of a description.

The host checks the graph of its store (store/_integrity.py) inside every converge; the
controller's gate checks the graph of the description alone, with the server's limits, so
that both give the same verdict in the same words. The walk is iterative: no alias graph is
too deep for it. It refuses a graph in which Postfix would not deliver mail as described:

- an alias with the address of a user (one of them would never receive mail);
- an alias with no recipient at all (neither an address nor "all users"): removing the last
  recipient of an alias (a user, say) is refused until the alias is changed or removed;
- a loop: a chain of local aliases that comes back to itself;
- an alias whose expansion exceeds Postfix's virtual_alias_expansion_limit, counted the way
  Postfix counts it: every final address, through nested aliases, "all users" counting the
  domain's enabled users, and an address with no mailbox counting as its domain's catch-all;
- an alias nested as deep as virtual_alias_recursion_limit;
- a catch-all that points at a local address that is neither a user nor an alias.

A local recipient of an alias that does not exist is NOT refused here (adding a domain would
otherwise be refused while an alias still forwards to an address of it); the alias module
refuses it in its own input.
"""
from __future__ import annotations

import difflib
from typing import Iterable, NamedTuple

from ansible_collections.gestixi.mail.plugins.module_utils._errors import InvalidItem

# Postfix defaults (postconf virtual_alias_expansion_limit / virtual_alias_recursion_limit).
# Beyond them Postfix defers every message to the alias (4.6.0) instead of delivering it.
EXPANSION_LIMIT = 1000
RECURSION_LIMIT = 1000


class AliasLimits(NamedTuple):
    """The server's Postfix alias limits, which the store must respect (store options)."""

    expansion: int = EXPANSION_LIMIT
    recursion: int = RECURSION_LIMIT


# At most this many problems are listed; the others are counted (one cause can touch many).
MAX_PROBLEMS = 50
# Expansion counts are capped here so that pathological graphs stay cheap integers.
_COUNT_CAP = EXPANSION_LIMIT * 1000

ALIAS_TO_USER = "shadow"
EMPTY_ALIAS = "empty"
LOOP = "loop"
EXPANSION = "expansion"
NESTING = "nesting"
CATCHALL = "catchall"


class StoreProblem:
    """One rule the store breaks; `alias` or `domain` says what it is about.

    `path` is the chain of addresses involved (a loop, or the first hop of a too-large or
    too-deep alias), so that a module can name the recipient of its own input that causes it.
    """

    def __init__(self, kind: str, message: str, alias: str | None = None, domain: str | None = None,
                 path: tuple[str, ...] = ()) -> None:
        self.kind = kind
        self.message = message
        self.alias = alias
        self.domain = domain
        self.path = path

    @property
    def field(self) -> str:
        if self.kind == CATCHALL:
            return "catchall"
        if self.kind == ALIAS_TO_USER:
            return "address"
        return "to"

    def invalid_item(self, item: str | None = None, field: str | None = None) -> InvalidItem:
        if item is None:
            item = "alias %s" % self.alias if self.alias else "domain %s" % self.domain
        return InvalidItem(item, field or self.field, self.message)


class AliasGraph:
    """Who receives what: users, aliases and catch-alls as plain data (from a store or a description)."""

    def __init__(self, catchalls: dict[str, str | None], users: dict[str, bool],
                 aliases: dict[str, tuple[str, bool]], recipients: dict[str, list[str]]) -> None:
        self.catchalls = catchalls  # domain -> catch-all address ('' or None: none)
        self.users = users  # address -> enabled
        self.enabled_count: dict[str, int] = {}
        for address, enabled in users.items():
            if enabled:
                domain = address.rpartition("@")[2]
                self.enabled_count[domain] = self.enabled_count.get(domain, 0) + 1
        self.aliases = aliases  # address -> (domain, all_users)
        self.recipients = recipients  # alias -> explicit recipients

    def exists(self, address: str) -> bool:
        return address in self.users or address in self.aliases

    def is_local(self, address: str) -> bool:
        return address.rpartition("@")[2] in self.catchalls

    def resolve(self, recipient: str) -> str | None:
        """The alias Postfix expands `recipient` into next, or None for a final address.

        An enabled user maps to itself (final). Any other address of a store domain that is not
        an alias (unknown, or a disabled user) falls back to the domain's catch-all, as Postfix
        looks up '@domain' when the address itself is not found.
        """
        if recipient in self.aliases:
            return recipient
        if self.users.get(recipient):
            return None
        catchall = self.catchalls.get(recipient.rpartition("@")[2])
        if catchall and catchall != recipient and catchall in self.aliases:
            return catchall
        return None

    def hops(self, alias: str) -> tuple[int, list[tuple[str, str]]]:
        """(final addresses reached directly, [(recipient, next alias)]) of one alias.

        Postfix's lookup answer is the UNION of the explicit recipients and, for "all users",
        the domain's enabled users, so an explicit recipient that is one of them counts once.
        """
        domain, all_users = self.aliases[alias]
        direct = 0
        nested: list[tuple[str, str]] = []
        if all_users:
            direct = self.enabled_count.get(domain, 0)
        for recipient in set(self.recipients.get(alias, ())):
            if all_users and self.users.get(recipient) and recipient.rpartition("@")[2] == domain:
                continue
            target = self.resolve(recipient)
            if target is None:
                direct += 1
            else:
                nested.append((recipient, target))
        nested.sort()
        return direct, nested


def graph_problems(graph: AliasGraph, limits: AliasLimits = AliasLimits()) -> list[StoreProblem]:
    """Every rule the graph breaks, in a stable order."""
    problems: list[StoreProblem] = []
    for alias in sorted(graph.aliases):
        if alias in graph.users:
            problems.append(StoreProblem(
                ALIAS_TO_USER, "%s is both an alias and a user's mailbox: a user's address cannot be "
                "an alias (remove the alias, or the user)" % alias, alias=alias))
        if not graph.aliases[alias][1] and not graph.recipients.get(alias):
            problems.append(StoreProblem(
                EMPTY_ALIAS, "alias %s would be left with no recipient (mail to it would bounce): "
                "give it another recipient, or remove the alias, first" % alias, alias=alias))
    problems.extend(_catchall_problems(graph))
    problems.extend(_expansion_problems(graph, limits))
    return problems


def _catchall_problems(graph: AliasGraph) -> Iterable[StoreProblem]:
    for domain in sorted(graph.catchalls):
        target = graph.catchalls[domain]
        if target and graph.is_local(target) and not graph.exists(target):
            yield StoreProblem(
                CATCHALL, "the catch-all of %s sends to %s, which is neither a user nor an alias: "
                "create it first, or change the catch-all" % (domain, target), domain=domain,
                path=(target,))


def _expansion_problems(graph: AliasGraph, limits: AliasLimits) -> list[StoreProblem]:
    """Loops, expansion size and nesting depth, in one depth-first walk of the alias graph."""
    problems: list[StoreProblem] = []
    hops = {alias: graph.hops(alias) for alias in graph.aliases}
    count: dict[str, int] = {}
    depth: dict[str, int] = {}
    widest: dict[str, str] = {}  # first hop towards the largest nested expansion
    deepest: dict[str, str] = {}
    looped: set[str] = set()  # on a loop, or leading into one: no finite expansion
    reported: set[str] = set()
    on_path: dict[str, int] = {}
    for root in sorted(graph.aliases):
        if root in count or root in looped:
            continue
        path = [root]
        on_path[root] = 0
        stack = [iter(hops[root][1])]
        while stack:
            alias = path[-1]
            for recipient, target in stack[-1]:
                if target in on_path:
                    cycle = path[on_path[target]:] + [target]
                    looped.update(cycle)
                    if not reported.issuperset(cycle):
                        reported.update(cycle)
                        problems.append(loop_problem(cycle, recipient))
                elif target not in count and target not in looped:
                    on_path[target] = len(path)
                    path.append(target)
                    stack.append(iter(hops[target][1]))
                    break
            else:
                stack.pop()
                path.pop()
                del on_path[alias]
                _finish(alias, hops[alias], count, depth, widest, deepest, looped)
    for alias in sorted(count):
        # Name the aliases that cause an overflow, not every alias that nests one of them.
        through = widest.get(alias)
        if count[alias] > limits.expansion and (through is None or count[through] <= limits.expansion):
            problems.append(_expansion_problem(alias, count[alias], through, graph, limits.expansion))
        if depth[alias] == limits.recursion:  # the innermost alias at the limit, not all above it
            problems.append(StoreProblem(
                NESTING, "alias %s nests %d aliases deep (through %s): Postfix defers mail to it at "
                "virtual_alias_recursion_limit %d; flatten the chain"
                % (alias, depth[alias], deepest[alias], limits.recursion), alias=alias,
                path=(alias, deepest[alias])))
    return problems


def _finish(alias: str, hop: tuple[int, list[tuple[str, str]]], count: dict[str, int],
            depth: dict[str, int], widest: dict[str, str], deepest: dict[str, str],
            looped: set[str]) -> None:
    direct, nested = hop
    if any(target in looped for recipient, target in nested):
        looped.add(alias)
        return
    total, levels = direct, 1
    for recipient, target in nested:
        total += count[target]
        if depth[target] + 1 > levels:
            levels = depth[target] + 1
            deepest[alias] = target
    if nested:
        widest[alias] = max(nested, key=lambda hop: count[hop[1]])[1]
    count[alias] = min(total, _COUNT_CAP)
    depth[alias] = levels


def loop_problem(cycle: list[str], recipient: str) -> StoreProblem:
    # The recipient that closes the loop may be an address that reaches it through a catch-all.
    shown = list(cycle)
    if recipient != cycle[-1]:
        shown[-1] = "%s (catch-all: %s)" % (recipient, cycle[-1])
    return StoreProblem(
        LOOP, "alias %s is a loop: mail sent to it is never delivered (Postfix defers it); "
        "remove one of these redirections" % " -> ".join(shown), alias=cycle[0], path=tuple(cycle))


def _expansion_problem(alias: str, total: int, through: str | None, graph: AliasGraph,
                       limit: int) -> StoreProblem:
    domain, all_users = graph.aliases[alias]
    parts = []
    if all_users:
        parts.append("all %d enabled users of %s" % (graph.enabled_count.get(domain, 0), domain))
    if through:
        parts.append("nested aliases such as %s" % through)
    why = " (%s)" % ", ".join(parts) if parts else ""
    amount = "%d" % total if total < _COUNT_CAP else "more than %d" % _COUNT_CAP
    return StoreProblem(
        EXPANSION, "alias %s expands to %s addresses%s, more than Postfix's "
        "virtual_alias_expansion_limit %d: mail to it would be deferred, never delivered; split it "
        "into smaller aliases" % (alias, amount, why, limit), alias=alias,
        path=(alias, through) if through else (alias,))


def missing_recipient_message(address: str, known_locals: Iterable[str]) -> str:
    """Why a recipient in a domain of the store (or of the description) is refused: it is no one.

    known_locals: the users' and aliases' local parts of its domain, for a "did you mean".
    """
    local, _at, domain = address.rpartition("@")
    text = "%s does not exist: it is neither a user nor an alias of %s" % (address, domain)
    close = difflib.get_close_matches(local, sorted(set(known_locals)), n=1, cutoff=0.6)
    if close:
        text += "; did you mean %s@%s?" % (close[0], domain)
    return text
