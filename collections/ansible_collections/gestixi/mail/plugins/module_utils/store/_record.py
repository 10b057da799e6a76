# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The store's record of what its content was last found to be.

Two facts, each true of the content only until the next write to a mail table (the schema's
triggers then delete the record in the same transaction, whoever writes):
- checked_limits: the content passed the whole-store checks (store/_integrity.py) with these
  alias limits, so a run that changes nothing needs not check it again;
- description: the content is what converging the description with this key leaves
  (converge/_whole_description.py's description_key), with `unchanged` items, so that a
  GitOps re-run of that description can be answered without sending or planning it.
"""
from __future__ import annotations

import json

from ansible_collections.gestixi.mail.plugins.module_utils.store._engine import Connection


class ConvergeRecord:
    def __init__(self, checked_limits: list | None = None, description: str | None = None, unchanged: int = 0) -> None:
        self.checked_limits = checked_limits
        self.description = description
        self.unchanged = unchanged

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ConvergeRecord) and self._fields() == other._fields()

    def _fields(self) -> tuple:
        return (self.checked_limits, self.description, self.unchanged)

    def checked(self, limits: tuple) -> bool:
        return self.checked_limits == list(limits)

    def describes(self, description: str | None) -> bool:
        return description is not None and self.description == description


def read_record(conn: Connection) -> ConvergeRecord:
    """The record, or an empty one (nothing is known of the content)."""
    row = conn.execute("SELECT checked_limits, description, unchanged FROM converge_record WHERE id = 1").fetchone()
    if row is None:
        return ConvergeRecord()
    try:
        limits = json.loads(row[0]) if row[0] else None
    except ValueError:
        limits = None
    return ConvergeRecord(limits if isinstance(limits, list) else None, row[1], row[2] or 0)


def write_record(conn: Connection, record: ConvergeRecord) -> None:
    """Replace the record, inside the transaction that leaves the content it describes."""
    conn.execute("INSERT INTO converge_record (id, checked_limits, description, unchanged) VALUES (1, ?, ?, ?) "
                 "ON CONFLICT (id) DO UPDATE SET checked_limits = excluded.checked_limits, "
                 "description = excluded.description, unchanged = excluded.unchanged",
                 (json.dumps(record.checked_limits) if record.checked_limits is not None else None,
                  record.description, record.unchanged))
