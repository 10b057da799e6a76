# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one run loop: whole-store checks once per content and limits, the store's record."""
from __future__ import annotations

import os

from ansible_collections.gestixi.mail.plugins.module_utils.converge import _runner
from ansible_collections.gestixi.mail.plugins.module_utils.converge._plan import Converged, Plan
from ansible_collections.gestixi.mail.plugins.module_utils.converge._runner import compact_arguments
from ansible_collections.gestixi.mail.plugins.module_utils.store._store import open_store
from ansible_collections.gestixi.mail.tests.unit.plugins.module_utils.conftest import stored_record
from ansible_collections.gestixi.mail.tests.unit.plugins.module_utils.store_harness import (
    ConvergeModule,
    module_store_options,
)


def test_long_item_lists_are_counted_not_echoed():
    params = {"users": [{"login": "u%d" % i} for i in range(21)], "aliases": [{"name": "a"}], "domain": "x.org"}
    assert compact_arguments(params) == {"users": "(21 items)", "aliases": [{"name": "a"}], "domain": "x.org"}


def _converger(params: dict):
    def converge(statement: str | None, key: str | None = None) -> dict:
        def run(conn):
            plan = Plan("domain", dict)
            if statement:
                conn.execute(statement)
                plan.created.append(("x", {}))
            return Converged([plan], description_key=key)
        module = ConvergeModule(params)
        _runner.run_converge(module, run)
        return module.result
    return converge


def test_whole_store_checks_run_once_per_content_and_limits(store_options, tmp_path, monkeypatch):
    checks = []
    monkeypatch.setattr(_runner, "find_problems", lambda conn, limits: checks.append(tuple(limits)) or [])
    params = module_store_options(store_options, tmp_path)
    converge = _converger(params)
    os.makedirs(params["sieve_dir"])
    converge("INSERT INTO domains (name) VALUES ('example.org')")
    assert len(checks) == 1  # a change is always checked
    converge(None)
    converge(None)
    assert len(checks) == 1  # same content, same limits: not checked again
    params["alias_expansion_limit"] = 500
    converge(None)
    assert checks[-1] == (500, 1000)  # other limits: checked again
    converge(None)
    assert len(checks) == 2
    with open_store(params).transaction() as conn:  # a change outside the modules
        conn.execute("UPDATE domains SET catchall = 'x@example.org'")
    converge(None)
    assert len(checks) == 3


def test_a_run_that_changes_nothing_keeps_the_description_it_did_not_change(store_options, tmp_path):
    params = module_store_options(store_options, tmp_path)
    converge = _converger(params)
    converge("INSERT INTO domains (name) VALUES ('example.org')", key="described")
    assert stored_record(params).description == "described"
    assert stored_record(params).unchanged == 1  # the one created item, unchanged next time
    converge(None)  # a single-kind module that changes nothing: the store is still that description
    assert stored_record(params).description == "described"
    converge("INSERT INTO domains (name) VALUES ('example.net')")  # one that changes it
    assert stored_record(params).description is None
    assert stored_record(params).checked_limits == [1000, 1000]


def test_a_refused_run_keeps_the_record(store_options, tmp_path):
    params = module_store_options(store_options, tmp_path)
    _converger(params)("INSERT INTO domains (name) VALUES ('example.org')", key="described")

    def refused(conn):
        conn.execute("INSERT INTO aliases (address, domain, local_part) VALUES ('a@example.org', 'example.org', 'a')")
        plan = Plan("alias", dict)
        plan.created.append(("a@example.org", {}))  # an alias to nobody: the whole-store check refuses it
        return Converged([plan], description_key="other")

    module = ConvergeModule(params)
    try:
        _runner.run_converge(module, refused)
    except SystemExit:
        pass
    assert [p["item"] for p in module.failure["problems"]] == ["alias a@example.org"]
    assert stored_record(params).description == "described"


def _sieve_texts(folder: str) -> dict:
    texts = {}
    for root, _dirs, files in os.walk(folder):
        for name in files:
            if name.endswith(".sieve"):
                with open(os.path.join(root, name), encoding="utf-8") as file:
                    texts[os.path.relpath(os.path.join(root, name), folder)] = file.read()
    return texts


def test_a_host_that_does_not_converge_renders_the_same_scripts_from_the_store(store_options, tmp_path):
    """A fleet's other hosts (run_sieve_sync): the converging host's scripts, the store untouched."""
    params = module_store_options(store_options, tmp_path / "converging")
    os.makedirs(params["sieve_dir"])

    def converge(conn):
        conn.execute("INSERT INTO domains (name, timezone) VALUES ('example.org', 'Europe/Paris')")
        conn.execute("INSERT INTO users (address, domain, login, password) VALUES ('carol@example.org', 'example.org', 'carol', 'x')")
        conn.execute("INSERT INTO responders (domain, login, name, subject, message) "
                     "VALUES ('example.org', 'carol', 'away', 'Away', 'Back on Monday.')")
        plan = Plan("responder", dict)
        plan.created.append(("carol@example.org/away", {}))
        return Converged([plan])
    _runner.run_converge(ConvergeModule(params), converge)
    with open_store(params).transaction() as conn:
        before = conn.execute("SELECT count(*) FROM responders").fetchone()[0]

    other = {**params, "sieve_dir": str(tmp_path / "other" / "sieve")}
    check = ConvergeModule(other, check_mode=True)
    _runner.run_sieve_sync(check)
    assert check.result["changes"] == [{"action": "create", "kind": "sieve script", "key": "example.org/carol"}]
    assert not os.path.exists(other["sieve_dir"])  # check mode writes nothing

    synced = ConvergeModule(other)
    _runner.run_sieve_sync(synced)
    assert synced.result["changed"] is True
    assert _sieve_texts(other["sieve_dir"]) == _sieve_texts(params["sieve_dir"])
    assert "Back on Monday." in _sieve_texts(other["sieve_dir"])["example.org/carol.sieve"]
    again = ConvergeModule(other)
    _runner.run_sieve_sync(again)
    assert again.result["changed"] is False and again.result["counts"]["unchanged"] == 1
    with open_store(params).transaction() as conn:
        assert conn.execute("SELECT count(*) FROM responders").fetchone()[0] == before
