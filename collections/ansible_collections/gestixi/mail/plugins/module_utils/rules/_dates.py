# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Calendar dates of automatic replies, and the UTC instants that bound them.

An automatic reply answers from 00:00 (local time of the domain's IANA zone) on its start date
up to, but not including, 00:00 on the day after its end date. Sieve compares the arrival time
as a UTC ISO 8601 string, so the window is computed here, once, with the zone's real rules
(DST changes included), and written into the script as two UTC instants.
"""
from __future__ import annotations

import datetime
import re

try:
    from zoneinfo import ZoneInfo

    HAS_ZONEINFO = True
except ImportError:  # pragma: no cover - Python < 3.9 on the managed host
    HAS_ZONEINFO = False

DATE_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
# Four-digit years keep the ISO 8601 strings fixed-width, so that Sieve's string comparison
# orders them as instants; the day after the last allowed date must still have four digits.
FIRST_DAY = datetime.date(1970, 1, 1)
LAST_DAY = datetime.date(9998, 12, 31)
SIEVE_INSTANT = "%Y-%m-%dT%H:%M:%S"


def canonical_day(value: object) -> str:
    """'YYYY-MM-DD' for a real calendar date given as text or as a YAML date; raises ValueError."""
    if isinstance(value, datetime.datetime):
        raise ValueError("'%s' is a date and time: give only the date, as YYYY-MM-DD" % value)
    if isinstance(value, datetime.date):
        day = value
    elif isinstance(value, str):
        text = value.strip()
        if not DATE_RE.match(text):
            raise ValueError("'%s' is not a date written as YYYY-MM-DD" % value)
        try:
            day = datetime.date.fromisoformat(text)
        except ValueError:
            raise ValueError("'%s' is not a real calendar date" % value) from None
    else:
        raise ValueError("'%s' is not a date written as YYYY-MM-DD" % (value,))
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError("'%s' is outside %s .. %s" % (day.isoformat(), FIRST_DAY, LAST_DAY))
    return day.isoformat()


def day_start_utc(day: str, zone_name: str) -> datetime.datetime:
    """The first instant (UTC) of the calendar day `day` in the IANA zone `zone_name`.

    Midnight that a DST change skips (America/Santiago, say) is read with the offset before
    the change (fold=0), which is the instant of the change: the day's first real second.
    Midnight that a change repeats is read as the earlier of the two, again the first second.
    """
    zone = ZoneInfo(zone_name)
    local = datetime.datetime.combine(datetime.date.fromisoformat(day), datetime.time(0, 0), tzinfo=zone)
    return local.astimezone(datetime.timezone.utc)


def window_utc(start: str | None, end: str | None, zone_name: str) -> tuple[str | None, str | None]:
    """(first instant, first instant after) of the inclusive dates start..end, as UTC strings.

    None (or '') for a date means that side is open. The strings are 'YYYY-MM-DDTHH:MM:SS',
    the fixed-width prefix of what Sieve's currentdate :zone "+0000" "iso8601" yields.
    """
    begin = day_start_utc(start, zone_name).strftime(SIEVE_INSTANT) if start else None
    finish = None
    if end:
        after = (datetime.date.fromisoformat(end) + datetime.timedelta(days=1)).isoformat()
        finish = day_start_utc(after, zone_name).strftime(SIEVE_INSTANT)
    return begin, finish
