# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The gate's verdicts on valid descriptions, kept on the controller between runs.

A GitOps pipeline applies the same description again and again; checking 10,000 users costs
1 to 3 s each time. A valid verdict is recorded under a digest of everything it depends on:
the description as read, the limits, the vaulted paths, the day (warnings about ended
replies depend on it) and the code of the rules themselves (a new release checks again).
Only valid verdicts are kept, with their warnings (no secret: warnings quote no password);
a description with any problem is always checked. Files are the controller user's own
(0700 folder, 0600 files). GESTIXI_MAIL_GATE_CACHE names another folder, or "off".
"""
from __future__ import annotations

import datetime
import functools
import hashlib
import json
import os
import tempfile

_OFF = "off"


def cache_dir() -> str | None:
    configured = os.environ.get("GESTIXI_MAIL_GATE_CACHE")
    if configured == _OFF:
        return None
    if configured:
        return configured
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "gestixi.mail", "gate")


@functools.lru_cache(maxsize=1)
def rules_version() -> str:
    """A digest of the code that decides a verdict: module_utils and plugin_utils."""
    plugins = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    digest = hashlib.sha256()
    for folder in ("module_utils", "plugin_utils"):
        for root, dirs, files in os.walk(os.path.join(plugins, folder)):
            dirs.sort()
            for name in sorted(files):
                if name.endswith(".py"):
                    with open(os.path.join(root, name), "rb") as handle:
                        digest.update(name.encode() + b"\0" + handle.read())
    return digest.hexdigest()


def verdict_key(digest: str) -> str:
    return hashlib.sha256(("%s:%s:%s" % (digest, rules_version(), datetime.date.today())).encode()).hexdigest()


def recalled(digest: str) -> list[str] | None:
    """The warnings of a valid verdict recorded for this digest today, or None."""
    facts = recalled_facts(digest)
    return facts["warnings"] if facts is not None else None


def recalled_facts(digest: str) -> dict | None:
    """Everything recorded with a valid verdict for this digest today (its warnings at least), or None."""
    folder = cache_dir()
    if folder is None:
        return None
    try:
        with open(os.path.join(folder, verdict_key(digest)), encoding="utf-8") as handle:
            facts = json.load(handle)
    except (OSError, ValueError):
        return None
    if not isinstance(facts, dict) or not isinstance(facts.get("warnings"), list):
        return None
    return facts


def record(digest: str, warnings: list[str], **facts) -> None:
    """Keep a valid verdict (and facts found with it, no secret among them); a cache that cannot
    be written only costs a check next time."""
    folder = cache_dir()
    if folder is None:
        return
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".verdict-")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(dict(facts, warnings=list(warnings)), out)
        os.replace(temporary, os.path.join(folder, verdict_key(digest)))
    except OSError:
        return
