# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Rendering of the administrator-owned Sieve script of each user (automatic replies)."""
from __future__ import annotations

import sqlite3


def wanted_scripts(conn: sqlite3.Connection) -> dict[str, str]:
    """'<domain>/<login>' -> script text, for every user with an enabled responder."""
    # Work in progress (gestixi_responder): until responders are rendered, no user has a script.
    return {}
