# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every gestixi.mail module shares: the store options and the one run loop.

A converge runs in one store transaction: plan and apply the module's items, check the whole
store (aliases, loops, limits), render and compile the Sieve scripts that changed, then commit.
Any MailStateError rolls everything back and becomes fail_json here, and only here.
"""
from __future__ import annotations

import sqlite3
from typing import Callable

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.gestixi.mail.plugins.module_utils.converge._plan import Plan, summarize
from ansible_collections.gestixi.mail.plugins.module_utils._errors import MailStateError
from ansible_collections.gestixi.mail.plugins.module_utils.store._integrity import check_store, limits_from_params
from ansible_collections.gestixi.mail.plugins.module_utils.sieve._sync import plan_scripts
from ansible_collections.gestixi.mail.plugins.module_utils.store._store import DEFAULT_STORE_PATH, Store

DEFAULT_SIEVE_DIR = "/var/lib/gestixi-mail/sieve"


def store_argument_spec() -> dict:
    """Options of the store connection, documented in the gestixi.mail.store doc fragment."""
    return {
        "store_path": {"type": "path", "default": DEFAULT_STORE_PATH},
        "store_owner": {"type": "str"},
        "store_group": {"type": "str"},
        "store_mode": {"type": "raw"},
        "sieve_dir": {"type": "path", "default": DEFAULT_SIEVE_DIR},
        "sievec_path": {"type": "path"},
        "alias_expansion_limit": {"type": "int", "default": 1000},
        "alias_recursion_limit": {"type": "int", "default": 1000},
    }


class SummaryLoggingModule(AnsibleModule):
    """AnsibleModule that logs its invocation in one short line, summary(params).

    The stock log line renders every argument and scrubs it of every no_log value: with
    10,000 users that alone takes seconds, and a password inside an argument without its own
    no_log option (a whole description) would be logged.
    """

    def __init__(self, *args, summary: Callable[[dict], dict], **kwargs) -> None:
        self.summary = summary
        super().__init__(*args, **kwargs)

    def _log_invocation(self) -> None:
        summary = self.summary(self.params)
        self.log("Invoked with %s" % " ".join("%s=%s" % item for item in summary.items()), log_args=summary)


def fail(module, exc: MailStateError, echo: Callable[[dict], dict] | None = None) -> None:
    extra = {"invocation": {"module_args": echo(module.params)}} if echo else {}
    module.fail_json(msg=str(exc), problems=[p.as_dict() for p in exc.problems], **extra)


def run_converge(module, converge: Callable[[sqlite3.Connection], list[Plan]], *,
                 converge_checks_changes: bool = False, echo: Callable[[dict], dict] | None = None,
                 **extra) -> None:
    """Run converge(conn) -> plans in one transaction and exit the module with the result.

    converge_checks_changes: converge already ran the whole-store checks whenever it changed
    the store (to name the problems by its own items), so they are not run a second time.
    echo: the module arguments as the result shows them (`invocation`); by default long
    lists are counted (compact_arguments).
    """
    params = module.params
    scripts = None
    try:
        store = Store(params["store_path"], check_mode=module.check_mode)
        try:
            with store.transaction() as conn:
                plans = converge(conn)
                changed = any(plan.changed for plan in plans)
                limits = limits_from_params(params)
                scripts = plan_scripts(conn, params["sieve_dir"], None if changed else store.stamp())
                # The Sieve manifest also proves when this same content already passed the
                # whole-store checks with these limits: then a converge that changes nothing
                # skips them (they cost about a second for 20,000 aliases).
                if (changed and not converge_checks_changes) or (
                        not changed and not scripts.store_checked(list(limits))):
                    check_store(conn, limits)
                scripts.checked_limits = list(limits)
                scripts.prepare(module, params["sievec_path"])
            if not module.check_mode:
                if changed:
                    # What this run committed: the next converge that changes nothing then
                    # finds the scripts proven in step without rendering them.
                    scripts.store_stamp = store.committed_stamp
                scripts.activate()
        finally:
            if scripts is not None:
                scripts.discard()  # compiled scripts that were not activated
            store.close()
    except MailStateError as exc:
        fail(module, exc, echo)
    result = summarize(plans + [scripts.plan])
    if not module._diff:
        del result["diff"]
    if not module.check_mode or not store.created:
        result["changed"] = _store_file_attributes(module, result["changed"])
    result.update(extra)
    module.exit_json(invocation={"module_args": (echo or compact_arguments)(module.params)}, **result)


def run_read(module, read: Callable[[sqlite3.Connection], dict]) -> None:
    try:
        store = Store(module.params["store_path"], read_only=True)
        try:
            result = read(store.conn)
        finally:
            store.close()
    except MailStateError as exc:
        fail(module, exc)
    module.exit_json(changed=False, **result)


def compact_arguments(params: dict, limit: int = 20) -> dict:
    """The invocation echoed back, with long item lists counted rather than repeated.

    A converge of 20,000 aliases would otherwise send every item back to the controller.
    """
    return {name: ("(%d items)" % len(value) if isinstance(value, list) and len(value) > limit else value)
            for name, value in params.items()}


def _store_file_attributes(module, changed: bool) -> bool:
    path = module.params["store_path"]
    changed = module.set_owner_if_different(path, module.params["store_owner"], changed)
    changed = module.set_group_if_different(path, module.params["store_group"], changed)
    return module.set_mode_if_different(path, module.params["store_mode"], changed)
