# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A whole mail description converged in one call and one transaction (gestixi_mail).

The steps are the converges of the single-kind modules, each given the options its module
would get (checked and completed by that module's own argument spec), in the order of _steps()
below, which docs/description-format.md#converge-order describes (change both together).
Every step sees what the earlier ones wrote, in check mode too (the transaction is rolled back
at the end). The whole-store checks run once, on the state the whole description leaves, so a
step may pass through a state that only a later step makes valid.
"""
from __future__ import annotations

import hashlib
import json
import re
from typing import Callable, Iterator

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.gestixi.mail.plugins.module_utils.converge import _aliases, _domains, _responders, _users
from ansible_collections.gestixi.mail.plugins.module_utils.converge._plan import Converged, Plan
from ansible_collections.gestixi.mail.plugins.module_utils.converge._translate import DescriptionIndex, converge_calls, field_path
from ansible_collections.gestixi.mail.plugins.module_utils._errors import InvalidItem, MailStateError
from ansible_collections.gestixi.mail.plugins.module_utils.rules._description import declared_twice, description_digest, misplaced
from ansible_collections.gestixi.mail.plugins.module_utils.rules._dns import dns_problems
from ansible_collections.gestixi.mail.plugins.module_utils.rules._password import scheme_of
from ansible_collections.gestixi.mail.plugins.module_utils.rules._senders import sender_problems
from ansible_collections.gestixi.mail.plugins.module_utils.rules._structure import structure_problems
from ansible_collections.gestixi.mail.plugins.module_utils.store._integrity import limits_from_params
from ansible_collections.gestixi.mail.plugins.module_utils._source import source_digest
from ansible_collections.gestixi.mail.plugins.module_utils.store._engine import Connection

Converge = Callable[[Connection, dict], Converged]
# The item a step's problem is about: "users[3] (bob)" -> ("users", 3).
_ITEM_RE = re.compile(r"^([a-z_]+)\[(\d+)\]")


def argument_spec() -> dict:
    return {
        # The action plugin always gives it; its structure is checked by the description's own
        # schema (rules/_structure.py), in the words and at the paths of the controller's gate.
        "domains": {"type": "raw"},
        "checked_digest": {"type": "str", "no_log": False},  # set by the action plugin
        "gate_digest": {"type": "str", "no_log": False},  # the action plugin's (read there)
        "purge_domains": {"type": "bool"},  # None: false
        "password_scheme": dict(_users.argument_spec()["password_scheme"]),
    }


def log_summary(params: dict) -> dict:
    """The arguments as logged and echoed back: the description as counts, never a password."""
    summary = {name: value for name, value in params.items() if name != "domains"}
    domains = [item for item in _list(params.get("domains")) if isinstance(item, dict)]
    summary["domains"] = "%d domain(s), %d user(s), %d alias(es)" % (
        len(domains), sum(len(_list(item.get("users"))) for item in domains),
        sum(len(_list(item.get("aliases"))) for item in domains))
    return summary


def _list(value: object) -> list:
    """value when it is a list (the description may be malformed: its check says so)."""
    return value if isinstance(value, list) else []


def plaintext_passwords(domains: list) -> set[str]:
    """The passwords given in plain text (Ansible must scrub them from any output).

    Ready hashes are left out: nothing the module outputs is built from a password, and
    scrubbing 10,000 hashes from every string of the result would cost seconds.
    """
    found = set()
    for item in _list(domains):
        for user in _list(item.get("users")) if isinstance(item, dict) else []:
            if not isinstance(user, dict):
                continue
            # An app password in plain text is refused, and scrubbed from the output all the same.
            given = [user.get("password")] + [app.get("password") for app in _list(user.get("app_passwords"))
                                              if isinstance(app, dict)]
            found.update(password for password in given
                         if isinstance(password, str) and password and scheme_of(password) is None)
    return found


class _Step:
    """One converge of one kind with the options its module would be given.

    completes_domains: the step only completes the domains of the first step (their catch-alls):
    its plan is folded into that step's, so that each domain is counted and shown once.
    origins: the description path of each item of the step's list (option list_key), so that a
    problem of the step is named where the operator wrote the item.
    """

    def __init__(self, label: str, spec: dict, constraints: dict, converge: Converge, args: dict,
                 completes_domains: bool = False, list_key: str | None = None,
                 origins: list[str] | None = None, one_recipient: list[str] | None = None) -> None:
        self.label = label
        self.spec = spec
        self.constraints = constraints
        self.converge = converge
        self.args = args
        self.completes_domains = completes_domains
        self.list_key = list_key
        self.origins = origins or []
        self.one_recipient = set(one_recipient or ())

    def run(self, conn: Connection, store_params: dict) -> list[Plan]:
        checked = ArgumentSpecValidator(self.spec, **self.constraints).validate(self.args)
        if checked.error_messages:
            raise MailStateError([InvalidItem(self.label, None, message) for message in checked.error_messages])
        try:
            # Its whole-store problems are named by the description (converge_description).
            return self.converge(conn, {**checked.validated_parameters, **store_params}).plans
        except MailStateError as exc:
            raise MailStateError([self.described(problem) for problem in exc.problems]) from None

    def described(self, problem: InvalidItem) -> InvalidItem:
        """The problem, named after this step and, for an item of its list, its description path."""
        named = InvalidItem("%s: %s" % (self.label, problem.item), problem.field, problem.message)
        match = _ITEM_RE.match(problem.item)
        if match and match.group(1) == self.list_key and int(match.group(2)) < len(self.origins):
            origin = self.origins[int(match.group(2))]
            named.path = field_path(origin, problem.field, origin in self.one_recipient)
        return named


def _steps(params: dict, calls: list[dict], check_mode: bool) -> Iterator[_Step]:
    domain_spec = (_domains.argument_spec(), {})
    user_spec = (_users.argument_spec(), _users.module_constraints())
    alias_spec = (_aliases.argument_spec(), {
        "mutually_exclusive": _aliases.MUTUALLY_EXCLUSIVE, "required_one_of": _aliases.REQUIRED_ONE_OF,
        "required_by": _aliases.REQUIRED_BY, "required_if": _aliases.REQUIRED_IF})
    responder_spec = (_responders.argument_spec(), _responders.module_constraints())

    def users(conn: Connection, step_params: dict) -> Converged:
        return _users.converge_users(conn, step_params, check_mode=check_mode)

    def aliases(conn: Connection, step_params: dict) -> Converged:
        return _aliases.converge_aliases(conn, step_params, users_follow=True)

    domain_paths = [call["path"] for call in calls]
    yield _Step("domains", *domain_spec, _domains.converge_domains,
                {"domains": [call["domain"] for call in calls]}, list_key="domains", origins=domain_paths)
    for call in calls:
        yield _Step("users of %s" % call["name"], *user_spec, users,
                    {"domain": call["name"], "users": call["users"], "password_scheme": params["password_scheme"]},
                    list_key="users", origins=call["origins"]["users"])
    yield _Step("aliases", *alias_spec, aliases, {"aliases": [a for call in calls for a in call["aliases"]]},
                list_key="aliases", origins=[path for call in calls for path in call["origins"]["aliases"]],
                one_recipient=[path for call in calls for path in call["origins"]["one_recipient"]])
    yield _Step("catch-alls", *domain_spec, _domains.converge_domains,
                {"domains": [call["catchall"] for call in calls]}, completes_domains=True,
                list_key="domains", origins=domain_paths)
    for call in calls:
        yield _Step("automatic replies of %s" % call["name"], *responder_spec, _responders.converge_responders,
                    {"domain": call["name"], "responders": call["responders"], "purge": call["purge"]},
                    list_key="responders", origins=call["origins"]["responders"])
    for call in calls:
        if call["purge"]:
            yield _Step("aliases of %s (purge)" % call["name"], *alias_spec, aliases,
                        {"domain": call["name"], "aliases": call["aliases"], "purge": True})
            yield _Step("users of %s (purge)" % call["name"], *user_spec, users,
                        {"domain": call["name"], "users": call["logins"], "purge": True})
    if params.get("purge_domains"):
        yield _Step("domains (purge_domains)", *domain_spec, _domains.converge_domains,
                    {"domains": [call["domain"] for call in calls], "purge": True, "cascade": True})


def converge_description(conn: Connection, params: dict, store_params: dict,
                         check_mode: bool = False) -> Converged:
    """Every step in order; the plans, with the store's problems named where the description
    wrote the alias or domain they are about (DescriptionIndex), as the controller's gate names
    the same problems.
    """
    # The rules the gate applies to the whole list first: its structure, then what is declared
    # twice or misplaced, the mail-DNS settings and the allowed and blocked senders (their
    # records and maps are made on the controller, but a host refuses what the gate refuses).
    # Skipped when the action plugin's gate checked exactly this list with these limits (a
    # caller that gives no digest, or another list, is checked in full).
    limits = limits_from_params(store_params)
    digest = description_digest(params["domains"], limits)
    if params.get("checked_digest") != digest:
        problems = structure_problems(params["domains"], "domains") or (
            declared_twice(params["domains"]) + misplaced(params["domains"]) + dns_problems(params["domains"])
            + sender_problems(params["domains"]))
        if problems:
            raise MailStateError(problems)
    calls = converge_calls(params["domains"])
    plans: list[Plan] = []
    for step in _steps(params, calls, check_mode):
        produced = step.run(conn, store_params)
        if step.completes_domains:
            _fold(plans[0], produced[0])
        else:
            plans.extend(produced)

    def named(found: list) -> list[InvalidItem]:
        index = DescriptionIndex(params["domains"], calls)
        return [index.name(problem) for problem in found]

    # A description with a plain-text password gets no key: a fast digest of it kept in the
    # store would be far easier to guess from than the password's own hash.
    key = None if plaintext_passwords(params["domains"]) else description_key(digest, params)
    return Converged(plans, named, key)


def description_key(digest: str, params: dict) -> str | None:
    """What the store's record (store/_record.py) keeps of a converged description: its
    digest (as description_digest gives it), purge_domains, and the code that converged it."""
    code = source_digest()
    if code is None:
        return None
    return hashlib.sha256(json.dumps([digest, bool(params.get("purge_domains")), code]).encode("ascii")).hexdigest()


def _fold(first: Plan, later: Plan) -> None:
    """Fold the updates of a later plan of the same items into the first one."""
    created = {key: index for index, (key, _record) in enumerate(first.created)}
    updated = {key: index for index, (key, _before, _after) in enumerate(first.updated)}
    for key, before, after in later.updated:
        if key in created:
            first.created[created[key]] = (key, after)
        elif key in updated:
            first.updated[updated[key]] = (key, first.updated[updated[key]][1], after)
        else:
            first.updated.append((key, before, after))
            first.unchanged -= 1
