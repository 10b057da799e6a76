# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared by the unit tests of the converges: a store of either engine with domains and users
(test_aliases.py, test_users.py; the store_options fixture of conftest.py), and a stand-in for
AnsibleModule to drive run_converge."""
from __future__ import annotations

from typing import Callable

import pytest

from ansible_collections.gestixi.mail.plugins.module_utils.converge._aliases import load
from ansible_collections.gestixi.mail.plugins.module_utils.converge._plan import summarize
from ansible_collections.gestixi.mail.plugins.module_utils._errors import MailStateError
from ansible_collections.gestixi.mail.plugins.module_utils.converge._runner import check_converged
from ansible_collections.gestixi.mail.plugins.module_utils.rules._alias_graph import AliasLimits
from ansible_collections.gestixi.mail.plugins.module_utils.store._store import open_store

DOMAINS = ("example.org", "example.net", "xn--bcher-kva.example")


class StoreHarness:
    """Runs a converge function the way run_converge does: one transaction, the whole-store
    checks in the converge's words (check_converged), commit.

    The store (`options`, its connection options) starts with the DOMAINS and `users`, rows
    (address, domain, login, enabled).
    """

    def __init__(self, options: dict, converge: Callable, defaults: dict, users: tuple = ()) -> None:
        self.options = options
        self.engine = options["store_engine"]
        self.converge = converge
        self.defaults = defaults
        store = self.open()
        with store.transaction() as conn:
            conn.executemany("INSERT INTO domains (name) VALUES (?)", [(name,) for name in DOMAINS])
            conn.executemany("INSERT INTO users (address, domain, login, password, enabled) "
                             "VALUES (?, ?, ?, 'x', ?)", users)
        store.close()

    def open(self, check_mode=False, read_only=False):
        return open_store(self.options, check_mode=check_mode, read_only=read_only)

    def run(self, check_mode=False, **params):
        store = self.open(check_mode=check_mode)
        try:
            with store.transaction() as conn:
                params = {**self.defaults, **params}
                converged = self.converge(conn, params, check_mode=True) if check_mode else self.converge(conn, params)
                check_converged(conn, converged, AliasLimits())
            return summarize(converged.plans)
        finally:
            store.close()

    def fail(self, **params) -> list[tuple[str, str | None, str]]:
        before = self.dump()
        with pytest.raises(MailStateError) as err:
            self.run(**params)
        assert self.dump() == before, "a refused run must write nothing"
        return [(p.item, p.field, p.message) for p in err.value.problems]

    def sql(self, statement: str, *args) -> list[tuple]:
        store = self.open()
        try:
            with store.transaction() as conn:
                return [tuple(row) for row in conn.execute(statement, args)]
        finally:
            store.close()

    def dump(self) -> dict:
        return {table: self.sql("SELECT * FROM %s ORDER BY 1, 2" % table)
                for table in ("users", "aliases", "alias_recipients", "responders", "domains", "app_passwords")}

    def users(self, domain="example.org") -> dict[str, tuple]:
        return {row[0]: row[1:] for row in self.sql(
            "SELECT login, display_name, password, quota_bytes, enabled FROM users WHERE domain = ?", domain)}

    def aliases(self) -> dict:
        store = self.open(read_only=True)
        try:
            return {address: (rec["all_users"], list(rec["to"])) for address, rec in load(store.conn).items()}
        finally:
            store.close()


class ConvergeModule:
    """Enough of AnsibleModule for run_converge: the result or the failure is kept."""

    def __init__(self, params: dict, check_mode: bool = False) -> None:
        self.params = params
        self.check_mode = check_mode
        self._diff = True
        self.result: dict | None = None
        self.failure: dict | None = None

    def exit_json(self, **result):
        self.result = result

    def fail_json(self, **result):
        self.failure = result
        raise SystemExit(1)  # as AnsibleModule.fail_json does

    def get_bin_path(self, name):
        return None

    def set_owner_if_different(self, path, owner, changed):
        return changed

    set_group_if_different = set_owner_if_different
    set_mode_if_different = set_owner_if_different


def module_store_options(connection: dict, folder) -> dict:
    """The store options of a module (store_argument_spec): the store `connection` (the
    store_options fixture), the Sieve scripts in folder."""
    return {**connection, "sieve_dir": str(folder / "sieve"), "sievec_path": None,
            "alias_expansion_limit": 1000, "alias_recursion_limit": 1000}
