# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every store engine provides (store/_sqlite.py, store/_postgres.py).

The converges, the checks, the export and the Sieve rendering see only this: a connection
`conn` with execute(sql, params) and executemany(sql, rows), whose SQL has `?` placeholders,
whose rows are read by index or by column name, and whose `dialect` writes the few expressions
the two engines spell differently. One write transaction at a time, in which the schema is
migrated first; reads in a snapshot.
"""
from __future__ import annotations

from typing import Any, ContextManager

from ansible_collections.gestixi.mail.plugins.module_utils._errors import MailStateError
from ansible_collections.gestixi.mail.plugins.module_utils.store._schema import MIGRATIONS, SCHEMA_VERSION, ForgetsRecord

# The types of this contract: sqlite3's Connection, Cursor and Row, or the PostgreSQL engine's,
# which behave like them for every call the converges make.
Connection = Any
Cursor = Any
Row = Any


class Dialect:
    """The expressions that SQLite and PostgreSQL spell differently."""

    def quoted(self, expression: str) -> str:
        """expression as an SQL literal in text, NULL as NULL: unambiguous once joined."""
        raise NotImplementedError

    def joined_lines(self, expression: str) -> str:
        """The aggregate of expression over the rows, joined with newlines."""
        raise NotImplementedError


class Store:
    """One connection to the store; changes happen only inside transaction().

    created: the store holds no schema yet (a new file, an empty database).
    read_only opens it without creating or migrating it; a missing store reads as empty.
    check_mode: transaction() always rolls back, and creates nothing.
    """

    conn: Any
    created = False
    committed_stamp: list | None = None  # stamp() of what the last commit wrote

    def __init__(self, check_mode: bool = False) -> None:
        self.check_mode = check_mode

    def describe(self) -> str:
        """The store as messages name it (never a password)."""
        raise NotImplementedError

    def schema_version(self) -> int:
        raise NotImplementedError

    def _set_schema_version(self, version: int) -> None:
        raise NotImplementedError

    def _statements(self, step: str | ForgetsRecord) -> list[str]:
        """One step of a migration (store/_schema.py) in this engine's SQL."""
        raise NotImplementedError

    def migrate(self) -> int:
        """Bring the schema to SCHEMA_VERSION inside the caller's transaction; return the old version."""
        version = self.schema_version()
        if version > SCHEMA_VERSION:
            raise MailStateError("the store has schema version %d, newer than this collection knows "
                                 "(%d): upgrade gestixi.mail" % (version, SCHEMA_VERSION))
        for steps in MIGRATIONS[version:]:
            for step in steps:
                for statement in self._statements(step):
                    self.conn.execute(statement)
        if version != SCHEMA_VERSION:
            self._set_schema_version(SCHEMA_VERSION)
        return version

    def check_readable(self) -> None:
        """A store of another schema version cannot be read: say what to do."""
        version = self.schema_version()
        if version != SCHEMA_VERSION:
            raise MailStateError("the store %s has schema version %d, this collection reads %d: "
                                 "run any gestixi.mail module without check mode to migrate it"
                                 % (self.describe(), version, SCHEMA_VERSION))

    def stamp(self) -> list | None:
        """What identifies the store's content as of the last commit, or None when the engine
        cannot tell (then the Sieve scripts are checked against a fingerprint of the rows)."""
        return None

    def snapshot(self) -> ContextManager[Any]:
        """One read transaction: every query inside sees the same committed content."""
        raise NotImplementedError

    def transaction(self) -> ContextManager[Any]:
        """The one write transaction: migrated first; committed, or rolled back on error and
        always in check mode."""
        raise NotImplementedError

    def close(self) -> None:
        self.conn.close()
