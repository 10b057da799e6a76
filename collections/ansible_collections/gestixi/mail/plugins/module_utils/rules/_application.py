# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A domain's application credential (its `application:` in the description).

The business application (invoices, quotes, reminders) logs in as <login>@<domain> on the
submission ports, and nowhere else: Dovecot's passdb answers that login for the smtp service
only (roles/server/vars/store_queries.yml), so IMAP, ManageSieve and the webmail refuse it.
With it, the application may send as any address of its own domain; a copy of what it sends
as a user is filed, read, in that user's "GestiXi - Sent".

The password is given as a ready hash (never in plain text: the description lives in Git).
Stored as the two columns application_login (NULL: no credential) and application_password.
"""
from __future__ import annotations

from ansible_collections.gestixi.mail.plugins.module_utils.rules._address import login_problem
from ansible_collections.gestixi.mail.plugins.module_utils.rules._password import canonical_hash, hash_problem, is_hash

NONE = ""  # the stored setting of a domain without an application credential


def _given(setting: dict) -> bool:
    """False for a domain without a credential (no login: {} removes it)."""
    return bool(setting) and setting.get("login") not in (None, "")


def setting_problems(setting: dict) -> list[tuple[str, str]]:
    """The problems of an `application:` as written, as (field, message) pairs: the rules the
    controller's check and the host share (a missing login is the structure's)."""
    if not _given(setting):
        return []
    problems = []
    why = login_problem(setting["login"])
    if why:
        problems.append(("application.login", why))
    password = setting.get("password")
    if password is not None:
        if not is_hash(password):
            problems.append(("application.password", "give the application's password as a hash made with "
                             "'doveadm pw', never in plain text: the description is kept in Git"))
        else:
            why = hash_problem(password)
            if why:
                problems.append(("application.password", why))
    return problems


def application_record(setting: dict, domain: str, stored: dict | str) -> tuple[dict | str, list[tuple[str, str]]]:
    """The record to store for a given `application:` of `domain` (the address it logs in as,
    and the password: the stored one when not given), and its problems as (field, message)
    pairs."""
    if not _given(setting):
        return NONE, []
    problems = setting_problems(setting)
    password = setting.get("password")
    if password is None:
        if not stored:
            problems.append(("application.password", "a new application credential needs its password, "
                             "as a hash made with 'doveadm pw' (it is not any user's password)"))
        password = stored["password"] if stored else None
    if problems:
        return NONE, problems
    return {"address": "%s@%s" % (setting["login"], domain), "password": canonical_hash(password)}, []


def shown(record: dict | str, password: str = "set") -> str | None:
    """The credential in plans: the address it logs in as, never its hash."""
    return "%s (password %s)" % (record["address"], password) if record else None
