# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Rules of a whole description: each thing is declared once, under its own domain.

The controller's gate and the host's gestixi_mail both run declared_twice() on the same list
of domains, so that a domain, user, alias, automatic reply or alias recipient written twice
is refused by both, at the same path, in the same words (the host would otherwise merge two
definitions of an alias, as gestixi_alias's list form does on purpose).
Items that are not well formed are skipped: their own rules report them.
"""
from __future__ import annotations

import hashlib
import json
from typing import Iterator

from ansible_collections.gestixi.mail.plugins.module_utils._errors import InvalidItem, yaml_path
from ansible_collections.gestixi.mail.plugins.module_utils.rules._address import canonical_address, canonical_domain, canonical_or_none, login_problem
from ansible_collections.gestixi.mail.plugins.module_utils.rules._responder import check_name


def _items(item: dict, key: str) -> list:
    value = item.get(key)
    return list(value) if isinstance(value, (list, tuple)) else []


def declared_twice(domains: list, paths: list[str] | None = None) -> list[InvalidItem]:
    """A problem for every repeated declaration; paths[i] is where domain i was written."""
    problems: list[InvalidItem] = []

    def twice(path: str, text: str, first: str) -> None:
        problems.append(InvalidItem(path.rpartition(".")[0], path.rpartition(".")[2],
                                    "%s is declared twice (also at %s)" % (text, first), path=path))

    seen_domains: dict[str, str] = {}
    for index, item in enumerate(domains or []):
        here = paths[index] if paths is not None else yaml_path("domains", index)
        if not isinstance(item, dict):
            continue
        name = canonical_or_none(canonical_domain, item.get("name"))
        if name is None:
            continue
        if name in seen_domains:
            twice(yaml_path(here, "name"), "the domain %s" % name, seen_domains[name])
            continue
        seen_domains[name] = here
        logins: dict[str, str] = {}
        for user_index, user in enumerate(_items(item, "users")):
            where = yaml_path(here, "users", user_index)
            login = user.get("login") if isinstance(user, dict) else None
            if isinstance(login, str) and login_problem(login) is None:
                if login in logins:
                    twice(yaml_path(where, "login"), "the user %s@%s" % (login, name), logins[login])
                else:
                    logins[login] = where
            if isinstance(user, dict):
                _replies(_items(user, "responders"), yaml_path(where, "responders"), twice)
        _replies(_items(item, "responders"), yaml_path(here, "responders"), twice)
        aliases: dict[str, str] = {}
        for alias_index, alias in enumerate(_items(item, "aliases")):
            where = yaml_path(here, "aliases", alias_index)
            if not isinstance(alias, dict):
                continue
            address = canonical_or_none(canonical_address, alias.get("address"), name)
            if address is not None and address.rpartition("@")[2] == name:
                if address in aliases:
                    twice(yaml_path(where, "address"), "the alias %s" % address, aliases[address])
                    continue
                aliases[address] = where
            to = alias.get("to")
            if isinstance(to, (list, tuple)):
                recipients: dict[str, str] = {}
                for to_index, recipient in enumerate(to):
                    target = canonical_or_none(canonical_address, recipient, name)
                    if target is None:
                        continue
                    if target in recipients:
                        twice(yaml_path(where, "to", to_index), "the recipient %s" % target, recipients[target])
                    else:
                        recipients[target] = yaml_path(where, "to", to_index)
        # The application's login is an address of the domain too: one mailbox, alias or login each.
        application = item.get("application")
        login = application.get("login") if isinstance(application, dict) else None
        if isinstance(login, str) and login_problem(login) is None:
            first = logins.get(login) or aliases.get("%s@%s" % (login, name))
            if first:
                twice(yaml_path(here, "application", "login"), "the address %s@%s" % (login, name), first)
    return problems


def _replies(replies: list, path: str, twice) -> None:
    names: dict[str, str] = {}
    for index, reply in enumerate(replies):
        name = reply.get("name") if isinstance(reply, dict) else None
        if canonical_or_none(check_name, name) is None:
            continue
        where = yaml_path(path, index)
        if name in names:
            twice(yaml_path(where, "name"), "the automatic reply '%s'" % name, names[name])
        else:
            names[name] = where


def placement_message(address: str, domain: str, declared: dict[str, str], kind: str,
                      hint: str | None = None) -> str:
    """Why a user or alias written with a full address under `domain` is misplaced.

    declared: canonical domain -> where the description declares it. Raises ValueError for
    an address whose domain is not a valid name.
    """
    other = canonical_domain(address.rpartition("@")[2])
    if other == domain:
        return hint or "write it without the domain"
    if other in declared:
        return "%s is in the domain %s, not %s: move this %s under that domain (%s)" % (
            address, other, domain, kind, declared[other])
    return "%s uses the domain %s, which is not declared: declare it in gestixi_mail_domains and put " \
        "this %s under it" % (address, other, kind)


LOGIN_HINT = "write only the login (the part before @)"


def declared_domains(domains: object, paths: list[str] | None = None) -> Iterator[tuple[dict, str, str]]:
    """(item, path, canonical name) of each domain a description declares, once: a domain whose
    name is not valid, or that is declared a second time, is skipped (its own rules report it).
    For the rules that read each domain once: misplaced() below, rules/_dns.py, rules/_senders.py."""
    seen: set[str] = set()
    for index, item in enumerate(domains if isinstance(domains, (list, tuple)) else []):
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            continue
        name = canonical_or_none(canonical_domain, item["name"])
        if name is None or name in seen:
            continue
        seen.add(name)
        yield item, paths[index] if paths is not None else yaml_path("domains", index), name


def misplaced(domains: list, paths: list[str] | None = None) -> list[InvalidItem]:
    """A problem for every user login or alias address that names another domain than its own.

    A domain declared a second time is skipped, as the controller's meaning check skips it:
    its declaration is the one problem it has."""
    once = list(declared_domains(domains, paths))
    declared = {name: here for _item, here, name in once}
    problems: list[InvalidItem] = []
    for item, here, name in once:
        for kind, key, field, hint in (("user", "users", "login", LOGIN_HINT), ("alias", "aliases", "address", None)):
            for index, entry in enumerate(_items(item, key)):
                text = entry.get(field) if isinstance(entry, dict) else None
                if not isinstance(text, str) or "@" not in text:
                    continue
                if kind == "alias" and canonical_or_none(canonical_address, text) is None:
                    continue  # not an address at all: its own rule says so
                path = yaml_path(here, key, index, field)
                if kind == "alias" and canonical_or_none(canonical_address, text).rpartition("@")[2] == name:
                    continue  # a full address in its own domain
                try:
                    message = placement_message(text, name, declared, kind, hint)
                except ValueError as exc:
                    message = str(exc)
                problems.append(InvalidItem(path.rpartition(".")[0], field, message, path=path))
    return problems


def description_digest(domains: list, limits: tuple, context: dict | None = None) -> str:
    """A digest of exactly what the gate checked: the joined domains (plain data), the alias
    limits, and what else its verdict depends on (context). A gate result is trusted only
    for the description it was computed on."""
    text = json.dumps([domains, list(limits), context or {}], sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
