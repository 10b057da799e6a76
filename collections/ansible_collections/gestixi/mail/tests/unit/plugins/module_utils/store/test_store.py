# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import os
import stat

import pytest

from ansible_collections.gestixi.mail.plugins.module_utils._errors import MailStateError
from ansible_collections.gestixi.mail.plugins.module_utils.store._schema import SCHEMA_VERSION
from ansible_collections.gestixi.mail.plugins.module_utils.store._sqlite import SQLiteStore as Store, schema_version


def test_new_store_is_private_and_migrated(tmp_path):
    path = str(tmp_path / "mail.sqlite")
    store = Store(path)
    with store.transaction() as conn:
        conn.execute("INSERT INTO domains (name) VALUES ('example.org')")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert schema_version(store.conn) == SCHEMA_VERSION
    store.close()


def test_check_mode_rolls_back_and_missing_store_is_not_created(tmp_path):
    path = str(tmp_path / "mail.sqlite")
    store = Store(path, check_mode=True)
    with store.transaction() as conn:
        conn.execute("INSERT INTO domains (name) VALUES ('example.org')")
        assert conn.execute("SELECT COUNT(*) FROM domains").fetchone()[0] == 1
    store.close()
    assert not os.path.exists(path)

    Store(path).close()
    with open(path, "rb") as handle:
        before = handle.read()
    store = Store(path, check_mode=True)
    with store.transaction() as conn:
        conn.execute("INSERT INTO domains (name) VALUES ('example.org')")
    store.close()
    with open(path, "rb") as handle:
        assert handle.read() == before


def test_error_rolls_back_everything_and_leaves_no_new_file(tmp_path):
    path = str(tmp_path / "mail.sqlite")
    store = Store(path)
    with pytest.raises(MailStateError):
        with store.transaction() as conn:
            conn.execute("INSERT INTO domains (name) VALUES ('example.org')")
            raise MailStateError("item 9000 is bad")
    store.close()
    assert not os.path.exists(path)

    store = Store(path)
    with store.transaction() as conn:
        conn.execute("INSERT INTO domains (name) VALUES ('a.example')")
    with pytest.raises(MailStateError):
        with store.transaction() as conn:
            conn.execute("INSERT INTO domains (name) VALUES ('b.example')")
            raise MailStateError("bad")
    assert [r[0] for r in store.conn.execute("SELECT name FROM domains")] == ["a.example"]
    store.close()


def test_read_only_never_creates_and_refuses_newer_schema(tmp_path):
    path = str(tmp_path / "mail.sqlite")
    store = Store(path, read_only=True)
    assert store.conn.execute("SELECT COUNT(*) FROM users").fetchone()[0] == 0
    store.close()
    assert not os.path.exists(path)

    store = Store(path)
    with store.transaction() as conn:
        conn.execute("PRAGMA user_version = %d" % (SCHEMA_VERSION + 1))
    store.close()
    with pytest.raises(MailStateError, match="newer than this collection"):
        with Store(path).transaction():
            pass


def test_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(MailStateError, match="does not exist"):
        Store(str(tmp_path / "nope" / "mail.sqlite"))


def test_failed_second_transaction_keeps_a_store_created_by_the_first(tmp_path):
    path = str(tmp_path / "mail.sqlite")
    store = Store(path)
    with store.transaction() as conn:
        conn.execute("INSERT INTO domains (name) VALUES ('a.example')")
    with pytest.raises(MailStateError):
        with store.transaction() as conn:
            raise MailStateError("bad")
    store.close()
    assert os.path.exists(path)


def test_readers_are_not_blocked_while_a_large_converge_is_still_writing(tmp_path):
    import sqlite3

    path = str(tmp_path / "mail.sqlite")
    store = Store(path)
    with store.transaction() as conn:
        conn.execute("INSERT INTO domains (name) VALUES ('x.org')")
    with store.transaction() as conn:
        # Far more than SQLite's default page cache (2 MB): without cache_spill = OFF the writer
        # would take the exclusive lock here, before COMMIT, and readers would fail.
        conn.executemany("INSERT INTO users (address, domain, login, password) VALUES (?, 'x.org', ?, ?)",
                         [("u%d@x.org" % i, "u%d" % i, "x" * 200) for i in range(40000)])
        reader = sqlite3.connect("file:%s?mode=ro" % path, uri=True, timeout=0)
        assert reader.execute("SELECT COUNT(*) FROM users").fetchone()[0] == 0
        reader.close()
    store.close()
