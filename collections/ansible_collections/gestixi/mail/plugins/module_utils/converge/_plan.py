# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Plans shared by every module: compare wanted items with the store, count, and describe.

A record is a plain dict of stored fields. A wanted record may hold None for a field the
operator did not give: an existing item keeps its value there.
"""
from __future__ import annotations

from typing import Callable, Hashable, Iterable

Record = dict
PublicView = Callable[[Record], Record]
# Adjusts the view of an updated record (before, after, view of after): a public view shows
# that a secret is set, and this says where it changed, without showing it.
SecretChange = Callable[[Record, Record, Record], None]


class Plan:
    """What one converge does to one kind of item (domains, users, ...)."""

    def __init__(self, kind: str, public: PublicView, secret_change: SecretChange | None = None) -> None:
        self.kind = kind
        self.public = public
        self.secret_change = secret_change
        self.created: list[tuple[Hashable, Record]] = []
        self.updated: list[tuple[Hashable, Record, Record]] = []
        self.removed: list[tuple[Hashable, Record]] = []
        self.unchanged = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.removed)

    def counts(self) -> dict[str, int]:
        return {"created": len(self.created), "updated": len(self.updated),
                "removed": len(self.removed), "unchanged": self.unchanged}

    def changes(self) -> list[dict]:
        """Secret-free list of what changes, for plans and pull-request summaries."""
        out = [{"action": "create", "kind": self.kind, "key": key_text(k)} for k, record in self.created]
        for key, before, after in self.updated:
            fields = sorted(f for f in after if before.get(f) != after.get(f))
            out.append({"action": "update", "kind": self.kind, "key": key_text(key), "fields": fields})
        out.extend({"action": "remove", "kind": self.kind, "key": key_text(k)} for k, record in self.removed)
        return out

    def diff(self) -> dict:
        before = {key_text(k): self.public(b) for k, b, a in self.updated}
        before.update((key_text(k), self.public(b)) for k, b in self.removed)
        after = {}
        for key, old, new in self.updated:
            view = self.public(new)
            if self.secret_change:
                self.secret_change(old, new, view)
            after[key_text(key)] = view
        after.update((key_text(k), self.public(a)) for k, a in self.created)
        return {"before_header": "%s (store)" % self.kind, "after_header": "%s (wanted)" % self.kind,
                "before": to_text_block(before), "after": to_text_block(after)}


class Converged:
    """What one converge did: its plans, and how to name the whole-store problems it causes.

    The run loop (_runner.run_converge) checks the whole store once, after the converge, when
    the store changed. name(found) turns the store's problems (rules/_alias_graph.StoreProblem)
    into the converge's own words: the items and fields that caused them. description_key:
    set by a converge of a whole description (store/_record.py).
    """

    def __init__(self, plans: list[Plan], name: Callable[[list], list] | None = None,
                 description_key: str | None = None) -> None:
        self.plans = plans
        self._name = name
        self.description_key = description_key

    @property
    def changed(self) -> bool:
        return any(plan.changed for plan in self.plans)

    def named(self, found: list) -> list:
        return self._name(found) if self._name else [problem.invalid_item() for problem in found]

    def unchanged_after(self) -> int:
        """How many items a run that changes nothing then counts unchanged (removed ones are gone)."""
        return sum(len(plan.created) + len(plan.updated) + plan.unchanged for plan in self.plans)


def key_text(key: Hashable) -> str:
    if isinstance(key, tuple):
        return "/".join(str(part) for part in key)
    return str(key)


def to_text_block(items: dict[str, Record]) -> str:
    """A stable, line-oriented rendering so that diff shows one line per changed field."""
    lines = []
    for key in sorted(items):
        lines.append("%s:" % key)
        for field in sorted(items[key]):
            lines.append("  %s: %s" % (field, _scalar(items[key][field])))
    return "\n".join(lines) + ("\n" if lines else "")


def _scalar(value: object) -> str:
    if isinstance(value, (list, tuple)):
        return "[%s]" % ", ".join(_scalar(v) for v in value)
    if isinstance(value, bool) or value is None:
        return {True: "true", False: "false", None: "null"}[value]
    if isinstance(value, str):
        return repr(value) if ("\n" in value or value != value.strip() or not value) else value
    return str(value)


def plan_items(plan: Plan, current: dict[Hashable, Record], wanted: dict[Hashable, Record],
               absent: Iterable[Hashable] = (), purge: bool = False,
               defaults: Record | None = None) -> Plan:
    """Fill plan from current vs wanted; purge removes current items that wanted does not name."""
    defaults = defaults or {}
    for key, want in wanted.items():
        given = {field: value for field, value in want.items() if value is not None}
        have = current.get(key)
        if have is None:
            plan.created.append((key, {**defaults, **given}))
            continue
        after = {**have, **given}
        if after != have:
            plan.updated.append((key, have, after))
        else:
            plan.unchanged += 1
    gone = set(absent)
    if purge:
        gone.update(key for key in current if key not in wanted)
    plan.removed.extend((key, current[key]) for key in sorted(gone, key=key_text) if key in current)
    return plan


def summarize(plans: list[Plan]) -> dict:
    """Return values shared by every module: changed, counts, changes and the diff."""
    counts = {"created": 0, "updated": 0, "removed": 0, "unchanged": 0}
    for plan in plans:
        for name, value in plan.counts().items():
            counts[name] += value
    changes = [change for plan in plans for change in plan.changes()]
    diffs = [plan.diff() for plan in plans if plan.changed]
    return {"changed": bool(changes), "counts": counts, "changes": changes, "diff": diffs}
