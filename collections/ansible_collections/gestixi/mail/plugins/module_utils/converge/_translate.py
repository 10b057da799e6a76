# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The module options a valid description becomes (gestixi_mail and the filter converge_calls)."""
from __future__ import annotations

import datetime

USER_DEFAULTS = {"name": "", "quota": 0, "enabled": True}
RESPONDER_DEFAULTS = {"enabled": True, "subject": "", "message": "", "start": "", "end": "", "days": 7}
RESPONDER_FIELDS = ("name", "enabled", "subject", "message", "start", "end", "days")
# Description field -> gestixi_responder option, where they differ: the reply's text is
# 'message' in the description but 'body' in the module (Ansible reserves the option 'message').
RESPONDER_OPTIONS = {"message": "body"}


def _day_text(value: object) -> object:
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value.isoformat()
    return value


def _responder_args(responder: dict, owner: dict) -> dict:
    args = dict(owner)
    for field in RESPONDER_FIELDS:
        value = responder.get(field)
        args[RESPONDER_OPTIONS.get(field, field)] = RESPONDER_DEFAULTS[field] if value is None else _day_text(value)
    return args


def _full(address: str, domain: str) -> str:
    return address if "@" in address else "%s@%s" % (address, domain)


def converge_calls(domains: list) -> list[dict]:
    """One entry per domain: the options of each module call, in the modules' own words.

    The description is exact: a field it leaves out takes the value a new item gets (a user
    without quota is unlimited, a domain without catch-all has none), except a user's password,
    which is kept when not given (the description holds no password of an existing user that
    was exported from a server).
    Alias addresses and their recipients are full addresses (a bare name is in its domain).
    """
    calls = []
    for item in domains or []:
        name = item["name"]
        users, logins, responders = [], [], []
        for user in item.get("users") or []:
            entry = {"login": user["login"]}
            for field, default in USER_DEFAULTS.items():
                entry[field] = default if user.get(field) is None else user[field]
            if user.get("password") is not None:
                entry["password"] = user["password"]
            users.append(entry)
            logins.append({"login": user["login"]})
            responders.extend(_responder_args(r, {"login": user["login"]}) for r in user.get("responders") or [])
        responders.extend(_responder_args(r, {"all_users": True}) for r in item.get("responders") or [])
        # Full addresses everywhere, so that the aliases of every domain can be converged in
        # one call (an alias may redirect to an alias of a domain described after it).
        aliases = []
        for alias in item.get("aliases") or []:
            to = alias.get("to")
            to = [to] if isinstance(to, str) else list(to or [])
            aliases.append({"address": _full(alias["address"], name), "to": [_full(r, name) for r in to]})
        calls.append({
            "name": name,
            "purge": item.get("purge") is True,
            "domain": {"name": name, "timezone": item.get("timezone") or "UTC"},
            "catchall": {"name": name, "catchall": item.get("catchall") or ""},
            "users": users,
            "logins": logins,
            "aliases": aliases,
            "responders": responders,
        })
    return calls
