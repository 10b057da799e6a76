# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The SQLite engine of the store: one file, the embedded default for a single server.

Postfix and Dovecot open the file read-only, live. A write transaction is BEGIN IMMEDIATE
(one writer at a time, readers go on reading the last commit).
"""
from __future__ import annotations

import os
import sqlite3
from contextlib import contextmanager
from typing import Iterator

from ansible_collections.gestixi.mail.plugins.module_utils._errors import MailStateError
from ansible_collections.gestixi.mail.plugins.module_utils.store._engine import Dialect, Store
from ansible_collections.gestixi.mail.plugins.module_utils.store._schema import ForgetsRecord

DEFAULT_STORE_PATH = "/var/lib/gestixi-mail/mail.sqlite"


def schema_version(conn: sqlite3.Connection) -> int:
    return conn.execute("PRAGMA user_version").fetchone()[0]


class SQLiteDialect(Dialect):
    def quoted(self, expression: str) -> str:
        return "quote(%s)" % expression

    def joined_lines(self, expression: str) -> str:
        return "group_concat(%s, char(10))" % expression


class _Connection(sqlite3.Connection):
    dialect = SQLiteDialect()


class SQLiteStore(Store):
    """The store in one SQLite file.

    In check mode or read-only, a missing file is an empty in-memory store: nothing is created.
    """

    def __init__(self, path: str | None, check_mode: bool = False, read_only: bool = False) -> None:
        """path None: an empty store in memory, read-only."""
        super().__init__(check_mode)
        read_only = read_only or path is None
        self.path = path or ":memory:"
        self.created = path is None or not os.path.exists(path)
        directory = os.path.dirname(os.path.abspath(self.path))
        if self.created and not (check_mode or read_only) and not os.path.isdir(directory):
            raise MailStateError("the store's folder %s does not exist (the server role creates "
                                 "it; set store_path to use another place)" % directory)
        if self.created and not (check_mode or read_only):
            # Create the file private before SQLite writes hashes into it; the module then
            # applies store_owner/store_group/store_mode.
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        if self.created and (check_mode or read_only):
            target, uri = ":memory:", False
        elif read_only:
            target, uri = "file:%s?mode=ro" % path, True
        else:
            target, uri = path, False
        try:
            self.conn = sqlite3.connect(target, isolation_level=None, timeout=30, uri=uri, factory=_Connection)
            self.conn.row_factory = sqlite3.Row
            self.conn.execute("PRAGMA foreign_keys = ON")
            if read_only and self.created:
                self.migrate()
            elif read_only:
                self.check_readable()
            else:
                # Postfix and Dovecot read the file while a converge writes it. Without spilling,
                # the transaction's pages stay in memory and SQLite takes the exclusive lock that
                # blocks those readers only for the commit itself, not for the whole converge.
                self.conn.execute("PRAGMA cache_spill = OFF")
        except sqlite3.Error as exc:
            raise MailStateError("cannot open the store %s: %s" % (path, exc)) from None

    def describe(self) -> str:
        return self.path

    def schema_version(self) -> int:
        return schema_version(self.conn)

    def _set_schema_version(self, version: int) -> None:
        self.conn.execute("PRAGMA user_version = %d" % version)

    def _statements(self, step: str | ForgetsRecord) -> list[str]:
        if not isinstance(step, ForgetsRecord):
            return [step]
        return ["CREATE TRIGGER %s_%s_forgets_record AFTER %s ON %s BEGIN DELETE FROM converge_record; END"
                % (step.table, event.lower(), event, step.table) for event in step.EVENTS]

    def stamp(self) -> list | None:
        """What identifies the store file's content: inode, size and the header's change
        counter and page count, which SQLite updates on every commit in its default (rollback
        journal) mode. None for a store in memory or in WAL mode (no counter per commit).

        Read it inside a transaction (the lock keeps other writers out) to describe what the
        transaction sees.
        """
        return self._stamp(None if self.created else self._header())

    def _stamp(self, header: bytes | None) -> list | None:
        if header is None:
            return None
        try:
            status = os.stat(self.path)
        except OSError:
            return None
        return [status.st_ino, status.st_size, header[24:32].hex()]

    def _header(self) -> bytes | None:
        """The first 32 bytes of the file as it is (fewer for a new, still empty file); None in
        WAL mode or when the file cannot be read."""
        if self.conn.execute("PRAGMA journal_mode").fetchone()[0].lower() == "wal":
            return None
        try:
            with open(self.path, "rb") as handle:
                return handle.read(32)
        except OSError:
            return None

    @contextmanager
    def snapshot(self) -> Iterator[sqlite3.Connection]:
        """One read transaction: every query inside sees the same committed content."""
        self.conn.execute("BEGIN")
        try:
            yield self.conn
        finally:
            self.conn.execute("ROLLBACK")

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on error and always in check mode."""
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise MailStateError("cannot lock the store %s: %s" % (self.path, exc)) from None
        try:
            self.migrate()
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            if self.created and not self.check_mode:
                # A store this run created holds nothing yet: leave no trace of a failed run.
                os.unlink(self.path)
            raise
        if self.check_mode:
            self.conn.execute("ROLLBACK")
            return
        before = self._header()
        try:
            self.conn.execute("COMMIT")
        except sqlite3.Error as exc:
            raise MailStateError("cannot commit to the store %s: %s" % (self.path, exc)) from None
        self.created = False  # committed: from now on the file holds data
        # SQLite adds one to the change counter per committed transaction: one above the
        # counter read before COMMIT is this commit's content, not a later writer's.
        after = self._header()
        if before is not None and after is not None and _change_counter(after) == (_change_counter(before) + 1) % 2 ** 32:
            self.committed_stamp = self._stamp(after)


def _change_counter(header: bytes) -> int:
    """The file change counter (header bytes 24..27); 0 for a new, still empty file."""
    return int.from_bytes(header[24:28], "big") if len(header) >= 28 else 0
