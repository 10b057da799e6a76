# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The store of every store test, on each engine: a new SQLite file, or an emptied database of
the real PostgreSQL server that ./run unit starts (tools/test-postgres.sh, GESTIXI_TEST_POSTGRES).

Without that server the PostgreSQL cases are skipped, saying why; ./run unit always has one,
and GESTIXI_REQUIRE_POSTGRES=1 (set by ./run) turns the skip into a failure.
"""
from __future__ import annotations

import os
from contextlib import ExitStack

import pytest

from ansible_collections.gestixi.mail.plugins.module_utils.store._record import read_record
from ansible_collections.gestixi.mail.plugins.module_utils.store._store import ENGINES, connection_defaults, open_store

TEST_DATABASE = "gestixi_store_tests"


def postgres_server() -> dict | None:
    """libpq keywords of the test server's superuser, or None."""
    conninfo = os.environ.get("GESTIXI_TEST_POSTGRES")
    if not conninfo:
        return None
    from psycopg.conninfo import conninfo_to_dict
    return conninfo_to_dict(conninfo)


@pytest.fixture(scope="session")
def postgres_database() -> dict:
    """Store options of the test database, created once per session."""
    server = postgres_server()
    if server is None:
        if os.environ.get("GESTIXI_REQUIRE_POSTGRES") == "1":
            pytest.fail("GESTIXI_TEST_POSTGRES is not set: the PostgreSQL store tests cannot run")
        pytest.skip("no PostgreSQL server for the store tests (./run unit starts one: GESTIXI_TEST_POSTGRES)")
    import psycopg
    with psycopg.connect(**server, autocommit=True) as admin:
        admin.execute("DROP DATABASE IF EXISTS %s" % TEST_DATABASE)
        admin.execute("CREATE DATABASE %s" % TEST_DATABASE)
    return {"store_engine": "postgresql", "store_hosts": [server["host"]], "store_port": int(server["port"]),
            "store_user": server["user"], "store_password": server["password"], "store_database": TEST_DATABASE,
            "store_ssl_mode": "disable"}


def empty_postgres(options: dict) -> None:
    """Drop everything the last test left in the test database."""
    write_outside(options, "DROP SCHEMA public CASCADE; CREATE SCHEMA public")


def stored_record(options: dict):
    """The converge record the store holds now, read as the modules read it."""
    store = open_store(options, read_only=True)
    try:
        with store.snapshot() as conn:
            return read_record(conn)
    finally:
        store.close()


def write_outside(options: dict, statement: str) -> None:
    """Run statement in its own transaction, not through this collection: with the engine's
    own client library, as an operator's sqlite3 or psql would."""
    if options["store_engine"] == "sqlite":
        import sqlite3
        conn = sqlite3.connect(options["store_path"])
        with conn:
            conn.execute("PRAGMA foreign_keys = OFF")
            conn.execute(statement)
        conn.close()
        return
    import psycopg
    with psycopg.connect(host=options["store_hosts"][0], port=options["store_port"], user=options["store_user"],
                         password=options["store_password"], dbname=options["store_database"]) as conn:
        conn.execute(statement)


@pytest.fixture(params=ENGINES)
def store_options(request, tmp_path) -> dict:
    """The connection options of a new, empty store of each engine (the SQLite one in tmp_path)."""
    if request.param == "sqlite":
        return connection_defaults(store_path=str(tmp_path / "mail.sqlite"))
    options = connection_defaults(**request.getfixturevalue("postgres_database"))
    empty_postgres(options)
    return options


@pytest.fixture
def store_conn(store_options, request):
    """A connection to a migrated, empty store of each engine, inside a transaction that is
    rolled back afterwards (nothing is created)."""
    store = open_store(store_options, check_mode=True)
    ending = ExitStack()
    request.addfinalizer(ending.close)
    ending.callback(store.close)
    return ending.enter_context(store.transaction())
