# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Date windows of automatic replies: inclusive calendar days of an IANA zone as UTC instants."""
from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest

from ansible_collections.gestixi.mail.plugins.module_utils.rules._dates import canonical_day, day_start_utc, window_utc

UTC = datetime.timezone.utc


def hours(window: tuple[str, str]) -> float:
    begin, end = (datetime.datetime.fromisoformat(t) for t in window)
    return (end - begin).total_seconds() / 3600


# -- Europe/Paris across the 2026 changes (last Sundays of March and October) ------------------

def test_window_ending_on_the_march_change_ends_at_22_utc():
    # 2026-03-30 00:00 CEST (+02:00) is 2026-03-29T22:00:00Z
    assert window_utc("2026-03-20", "2026-03-29", "Europe/Paris") == ("2026-03-19T23:00:00", "2026-03-29T22:00:00")


def test_window_starting_on_the_march_change_starts_at_23_utc_the_day_before():
    # 2026-03-29 00:00 is still CET (+01:00): the change happens at 02:00
    assert window_utc("2026-03-29", "2026-04-05", "Europe/Paris") == ("2026-03-28T23:00:00", "2026-04-05T22:00:00")


def test_window_starting_on_the_october_change_starts_at_22_utc_the_day_before():
    # 2026-10-25 00:00 is still CEST (+02:00): the change happens at 03:00
    assert window_utc("2026-10-25", "2026-10-31", "Europe/Paris") == ("2026-10-24T22:00:00", "2026-10-31T23:00:00")


def test_window_ending_on_the_october_change_ends_at_23_utc():
    assert window_utc("2026-10-20", "2026-10-25", "Europe/Paris")[1] == "2026-10-25T23:00:00"


def test_change_days_last_23_and_25_hours():
    assert hours(window_utc("2026-03-29", "2026-03-29", "Europe/Paris")) == 23
    assert hours(window_utc("2026-10-25", "2026-10-25", "Europe/Paris")) == 25
    assert hours(window_utc("2026-07-14", "2026-07-14", "Europe/Paris")) == 24


def test_open_sides_and_utc_zone():
    assert window_utc(None, None, "Europe/Paris") == (None, None)
    assert window_utc("", "", "UTC") == (None, None)
    assert window_utc("2026-01-01", None, "UTC") == ("2026-01-01T00:00:00", None)
    assert window_utc(None, "2026-12-31", "UTC") == (None, "2027-01-01T00:00:00")


def test_zone_east_of_utc_starts_the_previous_utc_day_and_year_boundary():
    assert window_utc("2027-01-01", "2027-01-01", "Pacific/Auckland") == ("2026-12-31T11:00:00", "2027-01-01T11:00:00")
    assert window_utc("2026-12-31", "2026-12-31", "America/Los_Angeles") == ("2026-12-31T08:00:00", "2027-01-01T08:00:00")


# -- Midnights that a change skips or repeats ---------------------------------------------------

def test_skipped_midnight_starts_the_day_at_the_change():
    # America/Santiago: 2026-09-06 00:00 (-04) jumps to 01:00 (-03)
    start = day_start_utc("2026-09-06", "America/Santiago")
    assert start == datetime.datetime(2026, 9, 6, 4, 0, tzinfo=UTC)
    assert start.astimezone(ZoneInfo("America/Santiago")).strftime("%H:%M") == "01:00"


def test_repeated_midnight_starts_the_day_at_its_first_occurrence():
    # America/Havana: 2026-11-01 01:00 (-04) goes back to 00:00 (-05): 00:00 happens twice
    assert day_start_utc("2026-11-01", "America/Havana") == datetime.datetime(2026, 11, 1, 4, 0, tzinfo=UTC)


@pytest.mark.parametrize("zone", ["Europe/Paris", "America/Santiago", "America/Havana", "Asia/Beirut",
                                  "Australia/Lord_Howe", "America/New_York", "Pacific/Chatham", "UTC"])
def test_every_day_of_2026_starts_at_its_first_local_second(zone):
    tz = ZoneInfo(zone)
    day = datetime.date(2026, 1, 1)
    while day.year == 2026:
        start = day_start_utc(day.isoformat(), zone)
        assert start.astimezone(tz).date() == day
        assert (start - datetime.timedelta(seconds=1)).astimezone(tz).date() == day - datetime.timedelta(days=1)
        day += datetime.timedelta(days=1)


def test_instants_are_fixed_width_so_text_order_is_time_order():
    days = ["1970-01-01", "2026-03-29", "2026-10-25", "2100-02-28", "9998-12-31"]
    starts = [window_utc(d, d, "Europe/Paris") for d in days]
    flat = [t for pair in starts for t in pair]
    assert all(len(t) == 19 for t in flat)
    assert flat == sorted(flat)


# -- Input --------------------------------------------------------------------------------------

@pytest.mark.parametrize("value,expected", [
    ("2026-12-20", "2026-12-20"), (" 2026-12-20 ", "2026-12-20"), (datetime.date(2026, 12, 20), "2026-12-20"),
    ("2028-02-29", "2028-02-29"), ("1970-01-01", "1970-01-01"), ("9998-12-31", "9998-12-31"),
])
def test_canonical_day_accepts_real_dates(value, expected):
    assert canonical_day(value) == expected


@pytest.mark.parametrize("value,words", [
    ("2026-02-30", "not a real calendar date"), ("2027-02-29", "not a real calendar date"),
    ("2026-13-01", "not a real calendar date"), ("2026-2-3", "YYYY-MM-DD"), ("20261220", "YYYY-MM-DD"),
    ("tomorrow", "YYYY-MM-DD"), ("2026-12-20T10:00", "YYYY-MM-DD"), ("2026/12/20", "YYYY-MM-DD"),
    (20261220, "YYYY-MM-DD"), (datetime.datetime(2026, 12, 20, 10, 0), "only the date"),
    ("1969-12-31", "outside"), ("9999-12-31", "outside"), ("٢٠٢٦-١٢-٢٠", "YYYY-MM-DD"),
])
def test_canonical_day_refuses_what_is_not_a_date(value, words):
    with pytest.raises(ValueError, match=words):
        canonical_day(value)
