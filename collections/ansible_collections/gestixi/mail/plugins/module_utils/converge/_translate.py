# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The module options a valid description becomes (gestixi_mail and the filter converge_calls).

Every option list keeps, beside it, the description path each of its items comes from
(``origins``): a problem the host finds in ``users[3]`` of a domain's call is then named where
the operator wrote it, ``domains[0].users[3].login``, exactly as the controller's gate names it.
"""
from __future__ import annotations

import datetime

from ansible_collections.gestixi.mail.plugins.module_utils._errors import InvalidItem, yaml_path
from ansible_collections.gestixi.mail.plugins.module_utils.rules._address import canonical_address, canonical_domain, canonical_or_none
from ansible_collections.gestixi.mail.plugins.module_utils.rules._alias_graph import CATCHALL, LOOP, AliasGraph, AliasLimits, StoreProblem, graph_problems
from ansible_collections.gestixi.mail.plugins.module_utils.rules import _responder, _user

RESPONDER_FIELDS = ("name", "enabled", "subject", "message", "start", "end", "days")
# Description field -> gestixi_responder option, where they differ: the reply's text is
# 'message' in the description but 'body' in the module (Ansible reserves the option 'message').
RESPONDER_OPTIONS = {"message": "body"}
# Module option -> description field, to name a host problem in the description's words.
DESCRIPTION_FIELDS = {option: field for field, option in RESPONDER_OPTIONS.items()}


def _day_text(value: object) -> object:
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value.isoformat()
    return value


def _responder_args(responder: dict, owner: dict) -> dict:
    args = dict(owner)
    for field in RESPONDER_FIELDS:
        option = RESPONDER_OPTIONS.get(field, field)
        value = responder.get(field)
        args[option] = _responder.DEFAULTS.get(option, "") if value is None else _day_text(value)
    return args


def _full(address: str, domain: str) -> str:
    """A bare name in its domain; an empty or non-text value as it is (its rule refuses it)."""
    if not isinstance(address, str) or not address.strip() or "@" in address:
        return address
    return "%s@%s" % (address, domain)


def converge_calls(domains: list, paths: list[str] | None = None) -> list[dict]:
    """One entry per domain: the options of each module call, in the modules' own words.

    The description is exact: a field it leaves out takes the value a new item gets (a user
    without quota is unlimited, a domain without catch-all has none, a user without app
    passwords has none), except a user's password (and an app password's), which is kept when
    not given (the description holds no password of an existing user that
    was exported from a server).
    Alias addresses are full addresses (a bare name is in its domain); recipients are as written
    (the alias module reads a bare one in the alias's domain).
    `origins` gives, for each list, the path of each item in the description: under the path
    of its domain, paths[i] (by default domains[i], the module's option).
    """
    calls = []
    for index, item in enumerate(domains or []):
        name = item["name"]
        here = paths[index] if paths is not None else yaml_path("domains", index)
        users, logins, responders = [], [], []
        origins: dict[str, list[str]] = {"users": [], "aliases": [], "responders": [], "one_recipient": []}
        for user_index, user in enumerate(item.get("users") or []):
            entry = {"login": user["login"]}
            for field, default in _user.DEFAULTS.items():
                entry[field] = default if user.get(field) is None else user[field]
            if user.get("password") is not None:
                entry["password"] = user["password"]
            # Exact too: a user described without app passwords has none (each one's hash, when
            # left out, is kept: an export shows names and services only).
            entry["app_passwords"] = [dict(app) if isinstance(app, dict) else app
                                      for app in user.get("app_passwords") or []]
            users.append(entry)
            logins.append({"login": user["login"]})
            origins["users"].append(yaml_path(here, "users", user_index))
            for reply_index, reply in enumerate(user.get("responders") or []):
                responders.append(_responder_args(reply, {"login": user["login"]}))
                origins["responders"].append(yaml_path(here, "users", user_index, "responders", reply_index))
        for reply_index, reply in enumerate(item.get("responders") or []):
            responders.append(_responder_args(reply, {"all_users": True}))
            origins["responders"].append(yaml_path(here, "responders", reply_index))
        # Full alias addresses, so that the aliases of every domain can be converged in one call
        # (an alias may redirect to an alias of a domain described after it); a bare recipient
        # is read in its alias's domain by the module, as written (its problems quote it so).
        aliases = []
        for alias_index, alias in enumerate(item.get("aliases") or []):
            to = alias.get("to")
            to = [to] if isinstance(to, str) else to
            # A missing "to" stays missing (the alias module refuses it); "to: []" is all users.
            aliases.append({"address": _full(alias["address"], name), "to": None if to is None else list(to)})
            origins["aliases"].append(yaml_path(here, "aliases", alias_index))
            if isinstance(alias.get("to"), str):  # its one recipient is at "to", not "to[0]"
                origins["one_recipient"].append(origins["aliases"][-1])
        calls.append({
            "name": name,
            "path": here,
            "purge": item.get("purge") is True,
            # Exact: a domain described without `application:` has no application credential,
            # without `senders:` no allowed or blocked sender.
            "domain": {"name": name, "timezone": item.get("timezone") or "UTC",
                       "dns": item.get("dns") or {}, "dkim": item.get("dkim") or {},
                       "senders": item.get("senders") or {},
                       "application": item.get("application") or {}},
            "catchall": {"name": name, "catchall": item.get("catchall") or ""},
            "users": users,
            "logins": logins,
            "aliases": aliases,
            "responders": responders,
            "origins": origins,
        })
    return calls


def field_path(item_path: str, field: str | None, one_recipient: bool = False) -> str:
    """The description path of a module option of an item: body -> message, to[1] -> to[1]
    (or to, for an alias whose one recipient was written as text)."""
    if not field:
        return item_path
    name, bracket, rest = field.partition("[")
    if name == "to" and one_recipient:
        return "%s.to" % item_path
    return "%s.%s%s" % (item_path, DESCRIPTION_FIELDS.get(name, name), bracket + rest)


# ---------------------------------------------------------------------------------------------
# The alias graph of a description, and where its problems were written

class DescriptionIndex:
    """Where each canonical domain, alias and alias recipient of a description was written.

    Built from converge_calls(); the controller's gate and the host's gestixi_mail name a
    problem of the alias graph with it, so that both name it at the same path.
    """

    def __init__(self, domains: list, calls: list[dict]) -> None:
        self.domain_paths: dict[str, str] = {}
        self.alias_paths: dict[str, str] = {}
        self.recipient_paths: dict[tuple[str, str], str] = {}
        for item, call in zip(domains, calls):
            domain = canonical_or_none(canonical_domain, call["name"])
            if domain is None:
                continue
            self.domain_paths.setdefault(domain, call["path"])
            for alias, given, path in zip(call["aliases"], item.get("aliases") or [], call["origins"]["aliases"]):
                address = canonical_or_none(canonical_address, alias["address"])
                if address is None:
                    continue
                self.alias_paths.setdefault(address, path)
                written_as_text = isinstance(given.get("to"), str)
                for index, recipient in enumerate(alias["to"] or []):
                    target = canonical_or_none(canonical_address, recipient, address.rpartition("@")[2])
                    if target is not None:
                        where = yaml_path(path, "to") if written_as_text else yaml_path(path, "to", index)
                        self.recipient_paths.setdefault((address, target), where)

    def name(self, problem: StoreProblem) -> InvalidItem:
        """The problem at the path of the alias (or domain) it is about, when the description has it."""
        named = problem.invalid_item()
        if problem.kind == CATCHALL:
            path = self.domain_paths.get(problem.domain or "")
            named.path = yaml_path(path, "catchall") if path else None
            return named
        path = self.alias_paths.get(problem.alias or "")
        if path is None:
            return named
        if problem.kind == LOOP and len(problem.path) > 1:
            named.path = self.recipient_paths.get((problem.path[0], problem.path[1]), yaml_path(path, "to"))
        else:
            named.path = yaml_path(path, problem.field)
        return named


def description_graph(calls: list[dict]) -> AliasGraph:
    """The alias graph the store would hold if it held exactly this description."""
    catchalls: dict[str, str | None] = {}
    users: dict[str, bool] = {}
    aliases: dict[str, tuple[str, bool]] = {}
    recipients: dict[str, list[str]] = {}
    for call in calls:
        domain = canonical_or_none(canonical_domain, call["name"])
        if domain is None:
            continue
        catchalls[domain] = canonical_or_none(canonical_address, call["catchall"]["catchall"]) or ""
        for user in call["users"]:
            users["%s@%s" % (user["login"], domain)] = user["enabled"] is not False
        for alias in call["aliases"]:
            address = canonical_or_none(canonical_address, alias["address"])
            if address is None:
                continue
            before_all = aliases.get(address, (domain, False))[1]
            aliases[address] = (address.rpartition("@")[2], before_all or alias["to"] == [])
            for recipient in alias["to"] or []:
                target = canonical_or_none(canonical_address, recipient, address.rpartition("@")[2])
                if target is not None and target not in recipients.setdefault(address, []):
                    recipients[address].append(target)
    return AliasGraph(catchalls, users, aliases, recipients)


def graph_problems_of(domains: list, limits: AliasLimits, paths: list[str] | None = None) -> list[InvalidItem]:
    """The alias-graph problems of a description alone, named at their paths (converge_calls)."""
    calls = converge_calls(domains, paths)
    found = graph_problems(description_graph(calls), limits)
    if not found:
        return []
    index = DescriptionIndex(domains, calls)  # only to name problems: it costs as much as the walk
    return [index.name(problem) for problem in found]
