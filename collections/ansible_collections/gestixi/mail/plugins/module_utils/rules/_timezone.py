# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""IANA time zones, as domains use them for the dates of automatic replies."""
from __future__ import annotations

try:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    HAS_ZONEINFO = True
except ImportError:  # pragma: no cover - Python < 3.9 on the managed host
    HAS_ZONEINFO = False


def timezone_problem(name: str) -> str | None:
    """Why name is not a usable IANA time zone, or None."""
    if not HAS_ZONEINFO:
        return "Python's zoneinfo (3.9 or newer) is needed on the mail host to check time zones"
    if not name or name.startswith("/") or ".." in name:
        return "'%s' is not an IANA time zone name such as Europe/Paris" % name
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return "'%s' is not a known IANA time zone (for example Europe/Paris or UTC)" % name
    return None
