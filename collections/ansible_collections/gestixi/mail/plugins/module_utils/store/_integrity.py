# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The whole-store checks, run inside every converge before it commits.

check_store(conn) loads the store's routing graph with a handful of queries and applies the
rules of rules/_alias_graph.py (20,000 aliases and 10,000 users in about a tenth of a second).
"""
from __future__ import annotations

from ansible_collections.gestixi.mail.plugins.module_utils._errors import InvalidItem, MailStateError
from ansible_collections.gestixi.mail.plugins.module_utils.rules._alias_graph import (
    EXPANSION_LIMIT,
    MAX_PROBLEMS,
    RECURSION_LIMIT,
    AliasGraph,
    AliasLimits,
    StoreProblem,
    graph_problems,
)
from ansible_collections.gestixi.mail.plugins.module_utils.store._engine import Connection


def limits_from_params(params: dict) -> AliasLimits:
    return AliasLimits(params.get("alias_expansion_limit") or EXPANSION_LIMIT,
                       params.get("alias_recursion_limit") or RECURSION_LIMIT)


def load_graph(conn: Connection) -> AliasGraph:
    cursor = conn.cursor()
    cursor.row_factory = None  # tuples: several times faster than named rows here
    catchalls: dict[str, str | None] = dict(cursor.execute("SELECT name, catchall FROM domains"))
    users = {address: bool(enabled) for address, enabled in cursor.execute("SELECT address, enabled FROM users")}
    aliases = {address: (domain, bool(all_users))
               for address, domain, all_users in cursor.execute("SELECT address, domain, all_users FROM aliases")}
    recipients: dict[str, list[str]] = {}
    for alias, recipient in cursor.execute("SELECT alias, recipient FROM alias_recipients"):
        recipients.setdefault(alias, []).append(recipient)
    return AliasGraph(catchalls, users, aliases, recipients)


def find_problems(conn: Connection, limits: AliasLimits = AliasLimits()) -> list[StoreProblem]:
    """Every rule the store breaks, in a stable order."""
    return graph_problems(load_graph(conn), limits)


def check_store(conn: Connection, limits: AliasLimits = AliasLimits()) -> None:
    """Raise MailStateError naming every broken rule; the caller's transaction rolls back."""
    problems = find_problems(conn, limits)
    if problems:
        raise MailStateError(readable([problem.invalid_item() for problem in problems]))


def readable(problems: list[InvalidItem]) -> list[InvalidItem]:
    """The first MAX_PROBLEMS problems, and how many more there are."""
    if len(problems) <= MAX_PROBLEMS:
        return problems
    return problems[:MAX_PROBLEMS] + [InvalidItem("store", None, "and %d more problems like these"
                                                  % (len(problems) - MAX_PROBLEMS))]
