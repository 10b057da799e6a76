# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What both engines promise alike (store/_engine.py), and what the PostgreSQL one adds: one
converge at a time, writes only where the server accepts them, no secret in its messages.
Against real SQLite files and the real PostgreSQL server of ./run unit."""
from __future__ import annotations

import threading
import time

import pytest

from ansible_collections.gestixi.mail.plugins.module_utils._errors import MailStateError
from ansible_collections.gestixi.mail.plugins.module_utils.store._schema import SCHEMA_VERSION
from ansible_collections.gestixi.mail.plugins.module_utils.store._store import open_store
from ansible_collections.gestixi.mail.tests.unit.plugins.module_utils.conftest import write_outside


def domains(options) -> list[str]:
    store = open_store(options, read_only=True)
    try:
        with store.snapshot() as conn:
            return [row["name"] for row in conn.execute("SELECT name FROM domains ORDER BY name")]
    finally:
        store.close()


def test_a_new_store_is_migrated_on_its_first_write(store_options):
    store = open_store(store_options)
    assert store.created
    with store.transaction() as conn:
        conn.execute("INSERT INTO domains (name) VALUES (?)", ("example.org",))
    assert not store.created and store.schema_version() == SCHEMA_VERSION
    store.close()
    assert domains(store_options) == ["example.org"]


def test_reading_a_store_that_holds_nothing_creates_nothing(store_options):
    store = open_store(store_options, read_only=True)
    with store.snapshot() as conn:
        assert conn.execute("SELECT COUNT(*) FROM users").fetchone()[0] == 0
    assert store.created
    store.close()
    assert open_store(store_options, read_only=True).created  # still nothing there


def test_check_mode_and_errors_roll_back_everything(store_options):
    store = open_store(store_options, check_mode=True)
    with store.transaction() as conn:
        conn.execute("INSERT INTO domains (name) VALUES ('example.org')")
        assert conn.execute("SELECT COUNT(*) FROM domains").fetchone()[0] == 1
    store.close()
    assert open_store(store_options, read_only=True).created  # not even the schema

    store = open_store(store_options)
    with store.transaction() as conn:
        conn.execute("INSERT INTO domains (name) VALUES ('a.example')")
    with pytest.raises(MailStateError):
        with store.transaction() as conn:
            conn.execute("INSERT INTO domains (name) VALUES ('b.example')")
            raise MailStateError("item 9000 is bad")
    store.close()
    assert domains(store_options) == ["a.example"]


def test_a_newer_schema_is_refused(store_options):
    store = open_store(store_options)
    with store.transaction():
        pass
    store._set_schema_version(SCHEMA_VERSION + 1)  # autocommit on PostgreSQL; SQLite's pragma is immediate
    store.close()
    with pytest.raises(MailStateError, match="newer than this collection"):
        with open_store(store_options).transaction():
            pass
    with pytest.raises(MailStateError, match="schema version %d, this collection reads" % (SCHEMA_VERSION + 1)):
        open_store(store_options, read_only=True)


def test_text_sorts_by_code_point_on_both_engines(store_options):
    """The order of replies and exports must not depend on the engine or the server's locale."""
    names = ["b.example", "B.example", "a.example", "_.example", "é.example", "Z.example", "xn--a.example"]
    store = open_store(store_options)
    with store.transaction() as conn:
        conn.executemany("INSERT INTO domains (name) VALUES (?)", [(name,) for name in names])
    store.close()
    assert domains(store_options) == sorted(names)


def test_rows_read_by_index_and_by_name_and_flags_written_as_integers(store_options):
    store = open_store(store_options)
    with store.transaction() as conn:
        conn.execute("INSERT INTO domains (name) VALUES ('example.org')")
        conn.execute("INSERT INTO aliases (address, domain, local_part, all_users) VALUES (?, ?, ?, ?)",
                     ("all@example.org", "example.org", "all", True))
        conn.execute("INSERT INTO users (address, domain, login, password, quota_bytes) VALUES (?, ?, ?, ?, ?)",
                     ("a@example.org", "example.org", "a", "x", 5 * 2 ** 40))  # 5 TiB: beyond 32 bits
        row = conn.execute("SELECT address, all_users FROM aliases").fetchone()
        assert (row[0], row["all_users"], tuple(row), list(row.keys())) == (
            "all@example.org", 1, ("all@example.org", 1), ["address", "all_users"])
        assert conn.execute("SELECT quota_bytes FROM users").fetchone()[0] == 5 * 2 ** 40
        assert conn.execute("UPDATE users SET enabled = 0").fetchall() == []  # no rows, as in sqlite3
    store.close()


# -- PostgreSQL only -------------------------------------------------------------------------

@pytest.fixture
def postgres(store_options) -> dict:
    if store_options["store_engine"] != "postgresql":
        pytest.skip("PostgreSQL's server behaviour")
    return store_options


def test_two_converges_are_serialised_and_no_write_is_lost(postgres):
    first = open_store(postgres)
    with first.transaction() as conn:
        conn.execute("INSERT INTO domains (name) VALUES ('example.org')")
    order: list[str] = []

    def second_converge():
        store = open_store(postgres)
        with store.transaction() as conn:
            order.append("second locked")
            # What the first converge committed while this one waited is what it reads.
            count = conn.execute("SELECT COUNT(*) FROM users").fetchone()[0]
            conn.execute("INSERT INTO users (address, domain, login, password) VALUES (?, 'example.org', ?, 'x')",
                         ("u%d@example.org" % count, "u%d" % count))
        store.close()

    with first.transaction() as conn:
        conn.execute("INSERT INTO users (address, domain, login, password) VALUES ('u0@example.org', 'example.org', 'u0', 'x')")
        waiting = threading.Thread(target=second_converge)
        waiting.start()
        time.sleep(0.5)
        assert order == []  # still waiting for the lock this transaction holds
        order.append("first commits")
    waiting.join(10)
    first.close()
    assert order == ["first commits", "second locked"]
    store = open_store(postgres, read_only=True)
    with store.snapshot() as conn:
        assert [r[0] for r in conn.execute("SELECT login FROM users ORDER BY login")] == ["u0", "u1"]
    store.close()


def test_two_first_converges_of_an_empty_database_create_the_schema_once(postgres):
    """The mail hosts of a new fleet migrate the empty store at the same time: the one that
    waited for the lock finds the schema the other committed (not a stale "no schema")."""
    first, second = open_store(postgres), open_store(postgres)
    assert first.created and second.created  # both opened an empty database
    failures: list[Exception] = []

    def second_converge():
        try:
            with second.transaction() as conn:
                conn.execute("INSERT INTO domains (name) VALUES ('example.net')")
        except Exception as exc:  # pylint: disable=broad-except
            failures.append(exc)

    with first.transaction() as conn:
        conn.execute("INSERT INTO domains (name) VALUES ('example.org')")
        waiting = threading.Thread(target=second_converge)
        waiting.start()
        time.sleep(0.5)
    waiting.join(10)
    first.close()
    second.close()
    assert failures == []
    assert domains(postgres) == ["example.net", "example.org"]


def test_readers_are_not_blocked_by_a_converge_that_is_writing(postgres):
    writer = open_store(postgres)
    with writer.transaction() as conn:
        conn.execute("INSERT INTO domains (name) VALUES ('x.org')")
    with writer.transaction() as conn:
        conn.executemany("INSERT INTO users (address, domain, login, password) VALUES (?, 'x.org', ?, 'x')",
                         [("u%d@x.org" % i, "u%d" % i) for i in range(2000)])
        reader = open_store(postgres, read_only=True)
        with reader.snapshot() as read:
            assert read.execute("SELECT COUNT(*) FROM users").fetchone()[0] == 0  # the last commit only
        reader.close()
    writer.close()


def test_a_server_that_refuses_writes_fails_the_converge_clearly(postgres):
    """A standby (here: a role whose sessions are read-only, which libpq sees the same way):
    a converge needs the primary and says so; reading goes on."""
    store = open_store(postgres)
    with store.transaction() as conn:
        conn.execute("INSERT INTO domains (name) VALUES ('example.org')")
    store.close()
    write_outside(postgres, "ALTER DATABASE %s SET default_transaction_read_only = on" % postgres["store_database"])
    try:
        with pytest.raises(MailStateError) as refused:
            open_store(postgres)
        message = str(refused.value)
        assert ("cannot open the store postgresql database %s on 127.0.0.1" % postgres["store_database"]) in message
        assert "a converge needs the primary: no server of store_hosts accepts writes" in message, message
        assert domains(postgres) == ["example.org"]
    finally:
        write_outside(postgres, "SET TRANSACTION READ WRITE; ALTER DATABASE %s RESET default_transaction_read_only"
                      % postgres["store_database"])


def test_a_server_down_first_in_store_hosts_is_passed_over(postgres):
    """The primary stopped, a standby (or a promoted one) next in store_hosts answers: psycopg 3.1
    (Debian 12) alone would stop at the first server of a multi-host string."""
    assert postgres["store_hosts"] == ["127.0.0.1"]
    down_first = {**postgres, "store_hosts": ["127.0.0.2", "127.0.0.1"], "store_connect_timeout": 2}
    store = open_store(down_first)
    with store.transaction() as conn:
        conn.execute("INSERT INTO domains (name) VALUES ('example.org')")
    store.close()
    assert domains(postgres) == ["example.org"]
    write_outside(postgres, "ALTER DATABASE %s SET default_transaction_read_only = on" % postgres["store_database"])
    try:
        with pytest.raises(MailStateError) as refused:
            open_store(down_first)
        message = str(refused.value)
        assert "127.0.0.2: Connection refused; 127.0.0.1: session is read-only" in message, message
        assert "a converge needs the primary" in message, message
    finally:
        write_outside(postgres, "SET TRANSACTION READ WRITE; ALTER DATABASE %s RESET default_transaction_read_only"
                      % postgres["store_database"])


def test_no_password_in_the_messages(postgres):
    wrong = {**postgres, "store_password": "wrong-Secret-42"}
    with pytest.raises(MailStateError) as refused:
        open_store(wrong)
    assert "password authentication failed" in str(refused.value)
    assert "wrong-Secret-42" not in str(refused.value) and postgres["store_password"] not in str(refused.value)
    unreachable = {**postgres, "store_hosts": ["127.0.0.1"], "store_port": 1, "store_connect_timeout": 2}
    with pytest.raises(MailStateError, match="cannot open the store postgresql database"):
        open_store(unreachable)
