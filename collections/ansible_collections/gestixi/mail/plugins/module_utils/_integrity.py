# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Rules over the whole store, checked inside every converge before it commits."""
from __future__ import annotations

import sqlite3

from ansible_collections.gestixi.mail.plugins.module_utils._errors import ProblemCollector


def check_store(conn: sqlite3.Connection) -> None:
    problems = ProblemCollector()
    for (address,) in conn.execute("SELECT a.address FROM aliases a JOIN users u ON u.address = a.address"):
        problems.add("alias %s" % address, "address", "an alias cannot have the address of a user's mailbox")
    problems.raise_if_any()
