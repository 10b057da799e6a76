# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The store's record is forgotten by any write to a mail table, by whatever writes (real SQLite and PostgreSQL)."""
from __future__ import annotations

import sqlite3

import pytest

from ansible_collections.gestixi.mail.plugins.module_utils.store._record import ConvergeRecord, read_record, write_record
from ansible_collections.gestixi.mail.plugins.module_utils.store._sqlite import SQLiteStore
from ansible_collections.gestixi.mail.plugins.module_utils.store._store import open_store
from ansible_collections.gestixi.mail.tests.unit.plugins.module_utils.conftest import stored_record, write_outside

WRITES = [
    "INSERT INTO domains (name) VALUES ('example.net')",
    "UPDATE domains SET timezone = 'Europe/Paris'",
    "DELETE FROM responders",
    "INSERT INTO users (address, domain, login, password) VALUES ('bob@example.org', 'example.org', 'bob', 'x')",
    "UPDATE users SET quota_bytes = 1",
    "DELETE FROM alias_recipients",
    "INSERT INTO aliases (address, domain, local_part) VALUES ('b@example.org', 'example.org', 'b')",
    "UPDATE aliases SET all_users = 1",
    "DELETE FROM aliases",
    "INSERT INTO alias_recipients (alias, recipient) VALUES ('a@example.org', 'bob@example.org')",
    "INSERT INTO responders (domain, name) VALUES ('example.org', 'closed')",
    "UPDATE responders SET subject = 'x'",
    "DELETE FROM users",
]


@pytest.fixture
def options(store_options) -> dict:
    store = open_store(store_options)
    with store.transaction() as conn:
        conn.execute("INSERT INTO domains (name) VALUES ('example.org')")
        conn.execute("INSERT INTO users (address, domain, login, password) VALUES ('alice@example.org', 'example.org', 'alice', 'x')")
        conn.execute("INSERT INTO aliases (address, domain, local_part) VALUES ('a@example.org', 'example.org', 'a')")
        conn.execute("INSERT INTO alias_recipients (alias, recipient) VALUES ('a@example.org', 'alice@example.org')")
        conn.execute("INSERT INTO responders (domain, login, name) VALUES ('example.org', 'alice', 'away')")
    store.close()
    return store_options


@pytest.mark.parametrize("statement", WRITES)
def test_any_write_by_anyone_forgets_the_record(options, statement):
    store = open_store(options)
    with store.transaction() as conn:
        write_record(conn, ConvergeRecord([1000, 1000], "key", 5))
    store.close()
    assert stored_record(options) == ConvergeRecord([1000, 1000], "key", 5)
    write_outside(options, statement)
    assert stored_record(options) == ConvergeRecord()


def test_a_write_that_rolls_back_keeps_the_record(options):
    store = open_store(options)
    with store.transaction() as conn:
        write_record(conn, ConvergeRecord([1000, 1000], "key", 5))
    with pytest.raises(RuntimeError):
        with store.transaction() as conn:
            conn.execute("DELETE FROM aliases")
            raise RuntimeError("refused")
    store.close()
    assert stored_record(options).description == "key"


def test_a_store_of_the_first_schema_gets_the_record_table(tmp_path):
    path = str(tmp_path / "old.sqlite")
    conn = sqlite3.connect(path)
    from ansible_collections.gestixi.mail.plugins.module_utils.store._schema import MIGRATIONS  # noqa: PLC0415
    for statement in MIGRATIONS[0]:
        conn.execute(statement)
    conn.execute("PRAGMA user_version = 1")
    conn.execute("INSERT INTO domains (name) VALUES ('example.org')")
    conn.commit()
    conn.close()
    store = SQLiteStore(path)
    with store.transaction() as conn:
        assert read_record(conn) == ConvergeRecord()
        write_record(conn, ConvergeRecord(None, "key", 1))
        conn.execute("UPDATE domains SET timezone = 'UTC'")
        assert read_record(conn) == ConvergeRecord()  # the trigger exists after the migration
        assert conn.execute("SELECT name FROM domains").fetchall()[0][0] == "example.org"
    store.close()
