# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A user's app passwords (its `app_passwords:` in the description).

An app password is a second password of a user, named (phone, laptop-thunderbird), for the
services it names only: IMAP and/or SMTP submission. It never opens the webmail nor ManageSieve.
Dovecot's passdb chain (roles/server/vars/store_queries.yml, `app_password`) tries the user's
main password first, then each app password that names the service (%s), one passdb per slot:
hence at most MAX_PER_USER of them per user. Roundcube logs into IMAP and submission from the
loopback address, where app passwords are refused (roles/server/README.md).

The password is given as a ready hash like a user's (never in plain text: the description lives
in Git); left out, the stored hash of that name stays (an export shows the names and services
only). A user's list is exact: an app password the list no longer names is revoked.
Stored in the table app_passwords, one row per (address, name), a flag per service.

The controller's gate (plugin_utils/_description_meaning.py) and gestixi_user on the host
(converge/_users.py) both take the problems of a list from list_problems(), in the same words.
"""
from __future__ import annotations

import re

from ansible_collections.gestixi.mail.plugins.module_utils._errors import yaml_path
from ansible_collections.gestixi.mail.plugins.module_utils.rules._password import PasswordError, canonical_hash, hash_problem, is_hash

KEY = "app_passwords"
# The services an app password may name, in their stored order: Dovecot's own service names
# (imap; smtp is Postfix's SASL on the submission ports).
SERVICES = ("imap", "smtp")
# One Dovecot passdb per slot (the server role writes this many; a unit test ties the two).
MAX_PER_USER = 8
MAX_NAME = 64
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
NAME_RULE = "letters, digits, '.', '-' and '_', starting with a letter or a digit, for example phone"


def name_problem(name: object) -> str | None:
    if not isinstance(name, str) or not name:
        return "every app password needs a name, for example phone"
    if len(name) > MAX_NAME:
        return "the name is longer than %d characters" % MAX_NAME
    if not NAME_RE.match(name):
        return "'%s' is not a valid app password name: use %s" % (name[:MAX_NAME], NAME_RULE)
    return None


def services_problems(services: object, where: str) -> list[tuple[str, str]]:
    """The problems of a `services` list, as (field, message) pairs (field under `where`)."""
    field = yaml_path(where, "services")
    if isinstance(services, str):
        services = [services]
    if not isinstance(services, (list, tuple)) or not services:
        return [(field, "name the services it may be used for: a list of %s, for example [imap]"
                 % " and ".join(SERVICES))]
    problems = []
    seen: set[str] = set()
    for index, service in enumerate(services):
        if service not in SERVICES:
            shown = "'%s'" % service[:40] if isinstance(service, str) else "this value"
            problems.append((yaml_path(field, index), "%s is not a service an app password may use: expected %s "
                             "(never the webmail nor ManageSieve)" % (shown, " or ".join(SERVICES))))
        elif service in seen:
            problems.append((yaml_path(field, index), "%s is listed twice" % service))
        else:
            seen.add(service)
    return problems


def password_problem(password: object) -> str | None:
    """Why a given password cannot be an app password's, or None. Never quotes it."""
    if not isinstance(password, str) or not password:
        return "give the app password as a hash made with tools/hash_password or 'doveadm pw'"
    if not is_hash(password):
        return ("give the app password as a hash made with tools/hash_password or 'doveadm pw', "
                "never in plain text: the description is kept in Git")
    try:
        return hash_problem(password)
    except PasswordError:
        return None  # passlib is missing on the controller: the host checks the shape


def list_problems(items: object, base: str = KEY) -> list[tuple[str, str]]:
    """The problems of a user's app passwords as written, as (field, message) pairs, the field
    a path under the user (app_passwords[1].services[0]). A missing password is not one: the
    stored one stays (records() refuses a new app password without it)."""
    if items is None:
        return []
    if not isinstance(items, (list, tuple)):
        return [(base, "expected a list of app passwords (name, password, services)")]
    problems: list[tuple[str, str]] = []
    if len(items) > MAX_PER_USER:
        problems.append((base, "a user has at most %d app passwords (%d are listed): revoke the "
                         "unused ones" % (MAX_PER_USER, len(items))))
    names: dict[str, str] = {}
    for index, item in enumerate(items):
        where = yaml_path(base, index)
        if not isinstance(item, dict):
            problems.append((where, "expected an app password (a mapping such as 'name: ...')"))
            continue
        name = item.get("name")
        why = name_problem(name)
        if why:
            problems.append((yaml_path(where, "name"), why))
        elif name in names:
            problems.append((yaml_path(where, "name"), "the app password '%s' is declared twice (also at %s)"
                             % (name, names[name])))
        else:
            names[name] = where
        problems.extend(services_problems(item.get("services"), where))
        if item.get("password") is not None:
            why = password_problem(item["password"])
            if why:
                problems.append((yaml_path(where, "password"), why))
    return problems


def canonical_services(services: list | tuple | str) -> tuple[str, ...]:
    """The services in their stored order (imap before smtp), each once."""
    given = [services] if isinstance(services, str) else list(services)
    return tuple(service for service in SERVICES if service in given)


def services_of_flags(flags) -> tuple[str, ...]:
    """The services of a stored row's flags (one per SERVICES, in that order: imap, smtp)."""
    return tuple(service for service, flag in zip(SERVICES, flags) if flag)


def flags_of_services(services) -> tuple[int, ...]:
    """The stored flags (one per SERVICES) of a list of services."""
    return tuple(int(service in services) for service in SERVICES)


def records(items: list, stored: dict[str, dict], base: str = KEY) -> tuple[dict[str, dict], list[tuple[str, str]]]:
    """The records to store for a valid list (name -> {password, services}), the stored hash
    kept where none is given, and the problems of new ones without a password."""
    wanted: dict[str, dict] = {}
    problems: list[tuple[str, str]] = []
    for index, item in enumerate(items):
        password = item.get("password")
        if password is None:
            if item["name"] not in stored:
                problems.append((yaml_path(base, index, "password"),
                                 "a new app password needs its password, as a hash made with tools/hash_password"))
                continue
            password = stored[item["name"]]["password"]
        wanted[item["name"]] = {"password": canonical_hash(password), "services": canonical_services(item["services"])}
    return wanted, problems


def shown(record: dict) -> dict:
    """An app password in plans and diffs: its services, never its hash."""
    return {"services": list(record["services"]), "password": "(set)"}
