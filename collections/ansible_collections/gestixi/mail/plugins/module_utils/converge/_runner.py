# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every gestixi.mail module shares: the store options and the one run loop.

A converge runs in one store transaction: plan and apply the module's items, check the whole
store (aliases, loops, limits), record what the store now holds (store/_record.py), render and
compile the Sieve scripts that changed, then commit. Any MailStateError rolls everything back
and becomes fail_json here, and only here.
"""
from __future__ import annotations

import os
from typing import Callable

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.gestixi.mail.plugins.module_utils.converge._plan import Converged, summarize
from ansible_collections.gestixi.mail.plugins.module_utils._errors import InvalidItem, MailStateError
from ansible_collections.gestixi.mail.plugins.module_utils.store._copy import copy_rows, counts, read_rows
from ansible_collections.gestixi.mail.plugins.module_utils.store._integrity import find_problems, limits_from_params, readable
from ansible_collections.gestixi.mail.plugins.module_utils.store._record import ConvergeRecord, read_record, write_record
from ansible_collections.gestixi.mail.plugins.module_utils.sieve._sync import plan_scripts
from ansible_collections.gestixi.mail.plugins.module_utils.store._engine import Connection
from ansible_collections.gestixi.mail.plugins.module_utils.store._store import DRIVER_ERRORS, connection_argument_spec, open_store

DEFAULT_SIEVE_DIR = "/var/lib/gestixi-mail/sieve"


def store_argument_spec() -> dict:
    """The store options of every module, documented in the gestixi.mail.store doc fragment:
    its connection, and what a converge keeps in step with it."""
    return {
        **connection_argument_spec(),
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


def run_converge(module, converge: Callable[[Connection], Converged], *,
                 echo: Callable[[dict], dict] | None = None, **extra) -> None:
    """Run converge(conn) in one transaction and exit the module with the result.

    The whole store is checked here, once, whenever the converge changed it (its problems
    named by converge's own items, Converged.named), or when the store's record does not show
    it checked with these limits. The record then says what this run leaves (store/_record.py).
    echo: the module arguments as the result shows them (`invocation`); by default long
    lists are counted (compact_arguments).
    """
    params = module.params
    limits = limits_from_params(params)
    scripts = None
    try:
        store = open_store(params, check_mode=module.check_mode)
        try:
            with store.transaction() as conn:
                known = read_record(conn)  # read first: any write of the converge forgets it
                converged = converge(conn)
                changed = converged.changed
                if changed or not known.checked(limits):
                    check_converged(conn, converged, limits)
                record = _record_after(known, converged, limits)
                recorded = record != known
                if recorded:
                    write_record(conn, record)
                stamp = None if changed else store.stamp()
                scripts = plan_scripts(conn, params["sieve_dir"], stamp)
                scripts.prepare(module, params["sievec_path"])
            if not module.check_mode:
                # The stamp of what this run committed, or of the store it left as it was: the
                # next converge that changes nothing then finds the scripts in step without rendering.
                scripts.activate(store.committed_stamp if changed or recorded else stamp)
        finally:
            if scripts is not None:
                scripts.discard()  # compiled scripts that were not activated
            store.close()
    except MailStateError as exc:
        fail(module, exc, echo)
    result = summarize(converged.plans + [scripts.plan])
    _exit(module, result, echo, **extra)


def check_converged(conn: Connection, converged: Converged, limits: tuple) -> None:
    """The whole-store checks on what converged leaves; its problems in its own words."""
    found = find_problems(conn, limits)
    if found:
        raise MailStateError(readable(converged.named(found)))


def _record_after(known: ConvergeRecord, converged: Converged, limits: tuple) -> ConvergeRecord:
    """What is known of the store after a converge that passed the checks with limits: a
    description it converged, or the one it did not change."""
    if converged.description_key is not None:
        return ConvergeRecord(list(limits), converged.description_key, converged.unchanged_after())
    if converged.changed:
        return ConvergeRecord(list(limits))
    return ConvergeRecord(list(limits), known.description, known.unchanged)


def run_recorded(module, description_key: str | None, echo: Callable[[dict], dict] | None = None) -> None:
    """Exit unchanged when the store's record shows it holds the converge of this description
    and the Sieve scripts are in step with it; else exit with converged=false, changing nothing.

    What lets an unchanged GitOps run skip sending, checking and planning the description.
    """
    unchanged = _recorded_items(module.params, description_key)
    if unchanged is None:
        module.exit_json(changed=False, converged=False)
    else:
        result = summarize([])
        result["counts"]["unchanged"] = unchanged
        _exit(module, result, echo, converged=True)


def _recorded_items(params: dict, description_key: str | None) -> int | None:
    """How many items the store and its scripts hold for this description, or None when the
    store's record does not describe it, or the scripts are not known to be in step."""
    try:
        store = open_store(params, read_only=True)
    except MailStateError:
        return None  # another schema, or no store yet: the full converge says what is wrong
    try:
        with store.snapshot() as conn:
            record = ConvergeRecord() if store.created else read_record(conn)
            if not record.describes(description_key):
                return None
            scripts = plan_scripts(conn, params["sieve_dir"], store.stamp())
    except DRIVER_ERRORS:
        return None
    finally:
        store.close()
    return record.unchanged + scripts.plan.unchanged if scripts.in_step else None


def _exit(module, result: dict, echo: Callable[[dict], dict] | None, **extra) -> None:
    if not module._diff:
        del result["diff"]
    if module.params["store_engine"] == "sqlite" and (not module.check_mode or os.path.exists(module.params["store_path"])):
        result["changed"] = _store_file_attributes(module, result["changed"])
    result.update(extra)
    module.exit_json(invocation={"module_args": (echo or compact_arguments)(module.params)}, **result)


def run_read(module, read: Callable[[Connection, bool], dict]) -> None:
    """Exit with read(conn, exists): one snapshot of the store; exists is false for a store
    that holds nothing yet (no file, an empty database), which reads as empty."""
    try:
        store = open_store(module.params, read_only=True)
        try:
            with store.snapshot() as conn:
                result = read(conn, not store.created)
        finally:
            store.close()
    except MailStateError as exc:
        fail(module, exc)
    module.exit_json(changed=False, **result)


def run_sieve_sync(module) -> None:
    """Bring this host's Sieve scripts in step with the store, which is not written: a mail host
    of a fleet whose shared store another host converged renders its own scripts from it."""
    scripts = None
    try:
        store = open_store(module.params, read_only=True)
        try:
            with store.snapshot() as conn:
                stamp = store.stamp()
                scripts = plan_scripts(conn, module.params["sieve_dir"], stamp)
                scripts.prepare(module, module.params["sievec_path"])
            if not module.check_mode:
                scripts.activate(stamp)
        finally:
            if scripts is not None:
                scripts.discard()
            store.close()
    except MailStateError as exc:
        fail(module, exc)
    result = summarize([scripts.plan])
    if not module._diff:
        del result["diff"]
    module.exit_json(**result)


def run_store_copy(module) -> None:
    """Copy the SQLite store at source_path into the store of the store options (store/_copy.py)."""
    source_path = module.params["source_path"]
    try:
        if not os.path.isfile(source_path):
            raise MailStateError([InvalidItem("source_path", None, "no SQLite store at %s" % source_path)])
        if module.params["store_engine"] == "sqlite" and os.path.abspath(module.params["store_path"]) == os.path.abspath(source_path):
            raise MailStateError([InvalidItem("source_path", None, "%s is the destination store itself" % source_path)])
        source = open_store({"store_engine": "sqlite", "store_path": source_path}, read_only=True)
        try:
            with source.snapshot() as conn:
                rows = read_rows(conn)
        finally:
            source.close()
        destination = open_store(module.params, check_mode=module.check_mode)
        try:
            with destination.transaction() as conn:
                changed = copy_rows(rows, conn, destination.describe())
        finally:
            destination.close()
    except MailStateError as exc:
        fail(module, exc)
    module.exit_json(changed=changed, rows=counts(rows), source=source_path, destination=destination.describe())


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
