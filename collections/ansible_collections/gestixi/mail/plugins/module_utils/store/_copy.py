# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Copying a whole store into another one: a single server's SQLite file into the PostgreSQL
database of a fleet (playbooks/store-migrate.yml), row for row, password hashes included.

The copy is written in the destination's one write transaction and read back before the commit:
unless every row of every table is the source's, nothing is committed. A destination that
already holds the very same content is left as it is (the copy ran before); one that holds other
rows is refused, so that no store is ever merged into another.
"""
from __future__ import annotations

from ansible_collections.gestixi.mail.plugins.module_utils._errors import MailStateError
from ansible_collections.gestixi.mail.plugins.module_utils.store._engine import Connection

# In the order of their foreign keys.
CONTENT_TABLES = ("domains", "users", "aliases", "alias_recipients", "responders", "app_passwords")
# Written after them: the triggers of the content tables forget the record on every insert.
RECORD_TABLE = "converge_record"
COPIED_TABLES = CONTENT_TABLES + (RECORD_TABLE,)

Rows = dict[str, tuple[list[str], list[tuple]]]


def _sort_key(row: tuple) -> tuple:
    # NULL before any value, so that rows with NULLs sort without comparing None to text.
    return tuple((value is not None, value) for value in row)


def read_rows(conn: Connection, columns: dict[str, list[str]] | None = None) -> Rows:
    """Every row of every copied table, sorted, with its column names. columns: read these
    columns of each table (the source's), else all of them."""
    rows = {}
    for table in COPIED_TABLES:
        names = (columns or {}).get(table)
        found = conn.execute("SELECT %s FROM %s" % (", ".join(names) if names else "*", table)).fetchall()
        if names is None:
            names = list(found[0].keys()) if found else []
        rows[table] = (names, sorted((tuple(row) for row in found), key=_sort_key))
    return rows


def counts(rows: Rows) -> dict[str, int]:
    return {table: len(table_rows) for table, (_names, table_rows) in rows.items()}


def copy_rows(source: Rows, conn: Connection, destination_name: str) -> bool:
    """Write source's rows into the store of conn (inside its write transaction) and check them
    back; return False when it holds them already (whatever its own record: a converge since the
    copy may have written one). destination_name: the store, for messages."""
    columns = {table: names for table, (names, _rows) in source.items() if names}
    present = read_rows(conn, columns)
    if all(present[table] == source[table] for table in CONTENT_TABLES):
        return False
    held = {table: count for table, count in counts(present).items() if count and table != RECORD_TABLE}
    if held:
        raise MailStateError(
            "the store %s already holds other content (%s): a store is copied only into an empty "
            "one. Empty it, or point the copy at another database" % (
                destination_name, ", ".join("%s: %d rows" % item for item in held.items())))
    conn.execute("DELETE FROM %s" % RECORD_TABLE)
    for table in COPIED_TABLES:
        names, table_rows = source[table]
        if table_rows:
            conn.executemany("INSERT INTO %s (%s) VALUES (%s)" % (table, ", ".join(names), ", ".join("?" * len(names))),
                             table_rows)
    copied = read_rows(conn, columns)
    if copied != source:
        differing = [table for table in COPIED_TABLES if copied[table] != source[table]]
        raise MailStateError("the copy into %s does not read back as the source (tables %s): nothing "
                             "was committed" % (destination_name, ", ".join(differing)))
    return True
