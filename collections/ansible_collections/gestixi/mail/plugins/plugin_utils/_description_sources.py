# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where the mail description is: its variables, their YAML paths, and what they declare.

The description is gestixi_mail_domains, joined with any gestixi_mail_domains__<suffix>
(sorted by name), as docs/description-format.md says; these variables come from the inventory or
from the description files that gestixi_mail_description_files names (_description_files).
"""
from __future__ import annotations

import difflib
import re
from typing import Iterator

from ansible_collections.gestixi.mail.plugins.module_utils._errors import InvalidItem

DESCRIPTION_VAR = "gestixi_mail_domains"
PURGE_DOMAINS_VAR = "gestixi_mail_purge_domains"
ALLOW_PLAINTEXT_VAR = "gestixi_mail_allow_plaintext_passwords"
FILES_VAR = "gestixi_mail_description_files"
SPLIT_RE = re.compile(r"^gestixi_mail_domains__[A-Za-z0-9_]+$")
# Variables of the description an operator sets; a near miss of one of these is a typo.
KNOWN_VARS = (DESCRIPTION_VAR, PURGE_DOMAINS_VAR, ALLOW_PLAINTEXT_VAR, FILES_VAR)


def source_names(names: list[str]) -> list[str]:
    """The variables that hold the description, in the order they are joined."""
    split = sorted(name for name in names if SPLIT_RE.match(name))
    return ([DESCRIPTION_VAR] if DESCRIPTION_VAR in names else []) + split


def near_miss_vars(names: list[str]) -> list[tuple[str, str]]:
    """(typo, meant) for variables that look like a misspelt description variable."""
    out = []
    for name in names:
        if not isinstance(name, str) or name in KNOWN_VARS or SPLIT_RE.match(name):
            continue
        if not name.startswith(("gestixi_mail", "gestix_mail", "gestixi-mail")):
            continue
        close = difflib.get_close_matches(name, KNOWN_VARS, n=1, cutoff=0.85)
        if name.startswith("gestixi_mail_domains_"):
            out.append((name, "gestixi_mail_domains__<suffix>"))
        elif close:
            out.append((name, close[0]))
    return out


def joined(sources: list[tuple[str, object]]) -> Iterator[tuple[str, int, dict]]:
    """(variable, index, domain) for every domain item of every source that is a list."""
    for name, value in sources:
        if isinstance(value, (list, tuple)):
            for index, item in enumerate(value):
                yield name, index, item


def list_of(item: dict, key: str) -> list:
    value = item.get(key)
    return list(value) if isinstance(value, (list, tuple)) else []


def path_sort_key(path: str) -> list:
    """Sort paths in document order: numbers as numbers."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", path)]


def summary(sources: list[tuple[str, object]]) -> dict:
    """Counts of what the description declares (no secrets)."""
    counts = {"domains": 0, "users": 0, "aliases": 0, "responders": 0}
    for _var, _index, item in joined(sources):
        if not isinstance(item, dict):
            continue
        counts["domains"] += 1
        users = list_of(item, "users")
        counts["users"] += len(users)
        counts["aliases"] += len(list_of(item, "aliases"))
        counts["responders"] += len(list_of(item, "responders")) + sum(
            len(list_of(user, "responders")) for user in users if isinstance(user, dict))
    return counts


_OPTION_INDEX_RE = re.compile(r"^domains\[(\d+)\]")


def in_sources(problem: InvalidItem, sources: list[tuple[str, object]]) -> InvalidItem:
    """A problem named under the joined list (domains[12].users[3]) named at its variable
    instead (gestixi_mail_domains__b[2].users[3]), as every other problem of the gate is."""
    match = _OPTION_INDEX_RE.match(problem.path or "")
    if match:
        for position, (var, index, _item) in enumerate(joined(sources)):
            if position == int(match.group(1)):
                problem.path = "%s[%d]%s" % (var, index, problem.path[match.end():])
                break
    return problem
