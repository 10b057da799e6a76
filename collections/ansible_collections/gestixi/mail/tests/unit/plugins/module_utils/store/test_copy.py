# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of gestixi_store_copy (store/_copy.py, run_store_copy): a SQLite store copied
into a store of each engine, row for row, or not at all."""
from __future__ import annotations

import pytest

from ansible_collections.gestixi.mail.plugins.module_utils.converge._runner import run_store_copy
from ansible_collections.gestixi.mail.plugins.module_utils.store._copy import COPIED_TABLES, read_rows
from ansible_collections.gestixi.mail.plugins.module_utils.store._export import export
from ansible_collections.gestixi.mail.plugins.module_utils.store._record import ConvergeRecord, read_record, write_record
from ansible_collections.gestixi.mail.plugins.module_utils.store._store import connection_defaults, open_store
from ansible_collections.gestixi.mail.tests.unit.plugins.module_utils.store.test_export import fill, params
from ansible_collections.gestixi.mail.tests.unit.plugins.module_utils.store_harness import ConvergeModule, module_store_options

RECORD = ConvergeRecord(checked_limits=[1000, 1000], description="sha256:description-of-the-test", unchanged=3)


@pytest.fixture()
def source(tmp_path) -> dict:
    """A single server's SQLite store: every kind of row, and the record of its last converge."""
    options = connection_defaults(store_path=str(tmp_path / "single-server.sqlite"))
    store = open_store(options)
    with store.transaction() as conn:
        fill(conn)
        write_record(conn, RECORD)
    store.close()
    return options


def content(options: dict) -> tuple:
    """Every row, the export and the record of a store, as the modules read them."""
    store = open_store(options, read_only=True)
    try:
        with store.snapshot() as conn:
            return read_rows(conn), export(conn, params()), read_record(conn)
    finally:
        store.close()


def copy(source: dict, destination: dict, tmp_path, check_mode: bool = False) -> ConvergeModule:
    module = ConvergeModule({**module_store_options(destination, tmp_path), "source_path": source["store_path"]},
                            check_mode=check_mode)
    try:
        run_store_copy(module)
    except SystemExit:
        pass
    return module


def test_the_copy_holds_every_row_and_exports_the_same_description(source, store_options, tmp_path):
    copied = copy(source, store_options, tmp_path)
    assert copied.failure is None, copied.failure
    assert copied.result["changed"] is True
    assert copied.result["rows"] == {"domains": 2, "users": 3, "aliases": 4, "alias_recipients": 7,
                                     "responders": 2, "app_passwords": 2, "converge_record": 1}
    rows, exported, record = content(store_options)
    assert (rows, exported) == content(source)[:2]
    # The record came last: the inserts' triggers did not forget it, so the next converge of the
    # same description finds the store as the single server left it.
    assert record == RECORD
    assert copied.result["source"] == source["store_path"]
    assert copied.result["destination"] == (store_options["store_path"] if store_options["store_engine"] == "sqlite"
                                            else "postgresql database %s on 127.0.0.1" % store_options["store_database"])


def test_a_second_copy_changes_nothing(source, store_options, tmp_path):
    copy(source, store_options, tmp_path)
    again = copy(source, store_options, tmp_path)
    assert again.failure is None and again.result["changed"] is False


def test_a_copy_converged_since_is_left_with_its_own_record(source, store_options, tmp_path):
    copy(source, store_options, tmp_path)
    store = open_store(store_options)
    with store.transaction() as conn:
        write_record(conn, ConvergeRecord(checked_limits=[1000, 1000], description="sha256:a-later-converge"))
    store.close()
    before = content(store_options)
    again = copy(source, store_options, tmp_path)
    assert again.failure is None and again.result["changed"] is False
    assert content(store_options) == before


def test_check_mode_writes_nothing(source, store_options, tmp_path):
    checked = copy(source, store_options, tmp_path, check_mode=True)
    assert checked.failure is None and checked.result["changed"] is True
    rows = content(store_options)[0]
    assert all(table_rows == [] for _names, table_rows in rows.values())


def test_a_destination_with_other_content_is_refused_and_left_alone(source, store_options, tmp_path):
    store = open_store(store_options)
    with store.transaction() as conn:
        conn.execute("INSERT INTO domains (name) VALUES ('other.example')")
    store.close()
    before = content(store_options)
    refused = copy(source, store_options, tmp_path)
    assert "already holds other content (domains: 1 rows)" in refused.failure["msg"], refused.failure
    assert content(store_options) == before


def test_a_missing_source_or_the_destination_itself_is_refused(source, tmp_path):
    missing = copy({"store_path": str(tmp_path / "nowhere.sqlite")}, connection_defaults(store_path=str(tmp_path / "d.sqlite")), tmp_path)
    assert missing.failure["msg"] == "source_path: no SQLite store at %s" % (tmp_path / "nowhere.sqlite")
    itself = copy(source, source, tmp_path)
    assert "is the destination store itself" in itself.failure["msg"]
    assert not (tmp_path / "d.sqlite").exists()


def test_every_table_of_the_schema_is_copied(source):
    """A table added to the schema must be added to the copy (store/_copy.py COPIED_TABLES)."""
    store = open_store(source, read_only=True)
    with store.snapshot() as conn:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    store.close()
    assert tables == set(COPIED_TABLES)
