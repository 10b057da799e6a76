# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The PostgreSQL engine of the store: one database that a fleet of mail hosts reads live.

Reached with psycopg (Debian's python3-psycopg on the mail hosts), over TLS when the server
offers it (store_ssl_mode), with a password or a client certificate. The hosts may name a
primary and its standbys, tried in order: a converge writes only to the one that accepts writes
(target_session_attrs=read-write), and fails clearly when none does.

A write transaction is READ COMMITTED under a transaction-scoped advisory lock: converges are
serialised, and a converge that waited sees what the one before it committed. Readers (Postfix,
Dovecot, snapshots) are never blocked. Text columns sort and compare by code point (COLLATE
"C"), as SQLite's do, so that both engines give the same order, scripts and exports.
"""
from __future__ import annotations

import re
from contextlib import contextmanager
from functools import lru_cache
from typing import Any, Iterable, Iterator

from ansible_collections.gestixi.mail.plugins.module_utils._errors import MailStateError
from ansible_collections.gestixi.mail.plugins.module_utils.store._engine import Dialect, Store
from ansible_collections.gestixi.mail.plugins.module_utils.store._schema import ForgetsRecord

try:
    import psycopg
    from psycopg.adapt import Dumper
    from psycopg.rows import tuple_row
except ImportError:  # the sqlite engine needs none of it; open_store names the package
    psycopg = None
    Dumper = object
    tuple_row = None

PSYCOPG_PACKAGE = "psycopg (Debian: python3-psycopg; PyPI: psycopg)"
# pg_advisory_xact_lock key of the one converge at a time: "gestixi" in ASCII.
CONVERGE_LOCK = 0x67657374697869
LOCK_TIMEOUT_SECONDS = 30
_TEXT_COLUMN = re.compile(r"\bTEXT\b")
# What psycopg and libpq put before the reason a connection failed (the message names the host).
_LIBPQ_PREFIX = re.compile(r'^(connection failed: )?(connection to server at "[^"]*"( \([^)]*\))?, port \d+ failed: )?')
_INTEGER_COLUMN = re.compile(r"\bINTEGER\b")


class PostgresDialect(Dialect):
    def quoted(self, expression: str) -> str:
        return "quote_nullable(%s)" % expression

    def joined_lines(self, expression: str) -> str:
        return "string_agg(%s, chr(10))" % expression


@lru_cache(maxsize=256)
def _placeholders(sql: str) -> str:
    """The store's SQL (`?` placeholders) in psycopg's (`%s`; a literal % doubled). The store's
    SQL never has a ? inside a literal: values are parameters."""
    return sql.replace("%", "%%").replace("?", "%s")


class Row(tuple):
    """A row read by index or by column name, like sqlite3.Row."""

    def __new__(cls, values: Iterable, names: dict[str, int]) -> "Row":
        row = super().__new__(cls, values)
        row._names = names
        return row

    def __getitem__(self, key):
        if isinstance(key, str):
            return tuple.__getitem__(self, self._names[key])
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self._names)


def _named_rows(cursor):
    names = {column.name: index for index, column in enumerate(cursor.description or ())}

    def make(values):
        return Row(values, names)
    return make


class _BooleanAsInteger(Dumper):
    """The schema's flags are INTEGER 0/1 (as in SQLite): a Python bool is written as one."""

    oid = 23  # int4

    def dump(self, obj):
        return b"1" if obj else b"0"


class _Cursor:
    """A psycopg cursor that takes the store's SQL; row_factory None gives plain tuples."""

    def __init__(self, cursor) -> None:
        self._cursor = cursor

    @property
    def row_factory(self):
        return self._cursor.row_factory

    @row_factory.setter
    def row_factory(self, factory) -> None:
        self._cursor.row_factory = factory or tuple_row

    def execute(self, sql: str, params: Iterable = ()) -> "_Cursor":
        self._cursor.execute(_placeholders(sql), tuple(params))
        return self

    def executemany(self, sql: str, rows: Iterable) -> "_Cursor":
        rows = list(rows)
        if rows:
            self._cursor.executemany(_placeholders(sql), rows)
        return self

    # A statement without rows (UPDATE ...) reads as no rows, as in sqlite3.
    def fetchone(self):
        return self._cursor.fetchone() if self._cursor.description else None

    def fetchall(self) -> list:
        return self._cursor.fetchall() if self._cursor.description else []

    def __iter__(self):
        return iter(self._cursor if self._cursor.description else ())


class _Connection:
    """The connection the converges see (store/_engine.py): the sqlite3.Connection calls they use."""

    dialect = PostgresDialect()

    def __init__(self, raw) -> None:
        self.raw = raw

    def cursor(self) -> _Cursor:
        return _Cursor(self.raw.cursor(row_factory=_named_rows))

    def execute(self, sql: str, params: Iterable = ()) -> _Cursor:
        return self.cursor().execute(sql, params)

    def executemany(self, sql: str, rows: Iterable) -> _Cursor:
        return self.cursor().executemany(sql, rows)

    def close(self) -> None:
        self.raw.close()


def connection_options(params: dict, host: str, write: bool) -> dict:
    """psycopg.connect() keywords for one server of the store options (store_argument_spec)."""
    options = {
        "dbname": params["store_database"],
        "host": host,
        "port": str(params["store_port"]),
        "user": params["store_user"],
        "sslmode": params["store_ssl_mode"],
        "connect_timeout": str(params["store_connect_timeout"]),
        "application_name": "gestixi.mail",
        # Writes go to the primary only; reads to the first server that answers.
        "target_session_attrs": "read-write" if write else "any",
        "autocommit": True,
    }
    for option, key in (("store_password", "password"), ("store_ca_cert", "sslrootcert"),
                        ("store_ssl_cert", "sslcert"), ("store_ssl_key", "sslkey")):
        if params.get(option):
            options[key] = params[option]
    return options


def connect(params: dict, write: bool):
    """A connection to the first server of store_hosts that answers (and accepts writes, for a
    writer). One server per attempt, not a libpq multi-host string: psycopg 3.1 (Debian 12)
    gives up after the first server of such a string when that one is down."""
    failures = []
    for host in params["store_hosts"]:
        try:
            return psycopg.connect(**connection_options(params, host, write))
        except psycopg.Error as exc:
            failures.append("%s: %s" % (host, _LIBPQ_PREFIX.sub("", _first_line(exc))))
    why = "; ".join(failures)
    if write and any("read-only" in failure for failure in failures):
        why += " (a converge needs the primary: no server of store_hosts accepts writes)"
    raise MailStateError("cannot open the store %s: %s" % (describe(params), why))


def describe(params: dict) -> str:
    return "postgresql database %s on %s" % (params["store_database"], ",".join(params["store_hosts"]))


class PostgresStore(Store):
    def __init__(self, params: dict, check_mode: bool = False, read_only: bool = False) -> None:
        super().__init__(check_mode)
        self.params = params
        if psycopg is None:
            raise MailStateError("the postgresql store needs the Python package %s on the host that "
                                 "runs the module" % PSYCOPG_PACKAGE)
        raw = connect(params, write=not read_only)
        raw.adapters.register_dumper(bool, _BooleanAsInteger)
        self.conn = _Connection(raw)
        try:
            self.conn.execute("SET lock_timeout = '%ds'" % LOCK_TIMEOUT_SECONDS)
            self.created = self.schema_version() == 0
            if read_only and not self.created:
                self.check_readable()
        except BaseException:
            self.conn.close()
            raise

    def describe(self) -> str:
        return describe(self.params)

    def schema_version(self) -> int:
        # From the catalog rows as this statement sees them: to_regclass() answers from the
        # session's cache, which still says "no table" after another converge created it while
        # this one waited for the lock.
        if not self.conn.execute("SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_tables "
                                 "WHERE schemaname = current_schema() AND tablename = 'gestixi_schema')").fetchone()[0]:
            return 0
        row = self.conn.execute("SELECT version FROM gestixi_schema").fetchone()
        return row[0] if row else 0

    def _set_schema_version(self, version: int) -> None:
        self.conn.execute("CREATE TABLE IF NOT EXISTS gestixi_schema (version INTEGER NOT NULL)")
        self.conn.execute("DELETE FROM gestixi_schema")
        self.conn.execute("INSERT INTO gestixi_schema (version) VALUES (?)", (version,))

    def _statements(self, step: str | ForgetsRecord) -> list[str]:
        if not isinstance(step, ForgetsRecord):
            # Text sorted as SQLite sorts it; integers of 64 bits, as SQLite's (quotas in bytes).
            return [_INTEGER_COLUMN.sub("BIGINT", _TEXT_COLUMN.sub('TEXT COLLATE "C"', step))]
        # Row triggers, as SQLite's: a statement that writes no row forgets nothing.
        return ["CREATE OR REPLACE FUNCTION gestixi_forget_record() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN DELETE FROM converge_record; RETURN NULL; END $$",
                "CREATE TRIGGER %s_forgets_record AFTER %s ON %s FOR EACH ROW EXECUTE FUNCTION "
                "gestixi_forget_record()" % (step.table, " OR ".join(step.EVENTS), step.table)]

    @contextmanager
    def snapshot(self) -> Iterator[Any]:
        self.conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        try:
            yield self.conn
        finally:
            self.conn.execute("ROLLBACK")

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        try:
            self.conn.execute("BEGIN")
            self.conn.execute("SELECT pg_advisory_xact_lock(?)", (CONVERGE_LOCK,))
        except psycopg.Error as exc:
            self._rollback()
            raise MailStateError("cannot lock the store %s: %s" % (self.describe(), _first_line(exc))) from None
        try:
            self.migrate()
            yield self.conn
        except BaseException:
            self._rollback()
            raise
        if self.check_mode:
            self._rollback()
            return
        try:
            self.conn.execute("COMMIT")
        except psycopg.Error as exc:
            raise MailStateError("cannot commit to the store %s: %s" % (self.describe(), _first_line(exc))) from None
        self.created = False

    def _rollback(self) -> None:
        try:
            self.conn.execute("ROLLBACK")
        except psycopg.Error:
            pass  # the connection is gone: the server rolled back


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]
