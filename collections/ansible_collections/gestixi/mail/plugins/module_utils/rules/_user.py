# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The rules of a user's fields (display name, quota): the gate on the controller and
gestixi_user on the host both use these. The login's rule is in _address (login_problem)."""
from __future__ import annotations

import re

# What a new user gets for a field the description or the module leaves out.
DEFAULTS = {"name": "", "quota": 0, "enabled": True}
UNITS = {"": 1024 ** 2, "K": 1024, "M": 1024 ** 2, "G": 1024 ** 3, "T": 1024 ** 4}
QUOTA_RE = re.compile(r"^(\d+)\s*([KMGT]?)$", re.IGNORECASE)
MAX_QUOTA = 2 ** 63 - 1
MAX_NAME = 255
CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")


def name_problem(name: object) -> str | None:
    if not isinstance(name, str):
        return "the display name must be text"
    if CONTROL_RE.search(name):
        return "the display name cannot contain line breaks or other control characters"
    if len(name) > MAX_NAME:
        return "the display name is longer than %d characters" % MAX_NAME
    return None


def parse_quota(value: object) -> int:
    """Bytes from an integer (MiB) or a size such as '500M', '2G'; 0 is unlimited. ValueError."""
    if isinstance(value, bool) or value is None:
        raise ValueError("give the quota as a number of MiB or a size such as 500M or 2G")
    if isinstance(value, int):
        if value < 0:
            raise ValueError("the quota cannot be negative (0 means unlimited)")
        number, unit = value, ""
    elif isinstance(value, str):
        match = QUOTA_RE.match(value.strip())
        if not match:
            raise ValueError("'%s' is not a quota: give a number of MiB or a size such as 500M, "
                             "2G or 1T (0 means unlimited)" % value[:40])
        number, unit = int(match.group(1)), match.group(2).upper()
    else:
        raise ValueError("give the quota as a number of MiB or a size such as 500M or 2G")
    quota = number * UNITS[unit]
    if quota > MAX_QUOTA:
        raise ValueError("the quota %s is too large" % (value,))
    return quota


def format_quota(quota: int) -> str:
    """The shortest exact size text of a quota in bytes ('unlimited' for 0)."""
    if not quota:
        return "unlimited"
    for unit in ("T", "G", "M", "K"):
        if quota % UNITS[unit] == 0:
            return "%d%s" % (quota // UNITS[unit], unit)
    return "%d bytes" % quota
