# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one error type the collection raises; modules turn it into fail_json in one place."""
from __future__ import annotations


class InvalidItem:
    """One problem with one item of the input, named so that an operator can find it."""

    def __init__(self, item: str, field: str | None, message: str) -> None:
        self.item = item
        self.field = field
        self.message = message

    def __str__(self) -> str:
        where = self.item if not self.field else "%s, field '%s'" % (self.item, self.field)
        return "%s: %s" % (where, self.message)

    def as_dict(self) -> dict:
        return {"item": self.item, "field": self.field, "message": self.message}


class MailStateError(Exception):
    """Raised for bad input or a state the store refuses; carries every problem found."""

    def __init__(self, problems: list[InvalidItem] | str) -> None:
        if isinstance(problems, str):
            problems = [InvalidItem("store", None, problems)]
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


class ProblemCollector:
    """Gathers every problem of a whole input so that all are reported at once."""

    def __init__(self) -> None:
        self.problems: list[InvalidItem] = []

    def add(self, item: str, field: str | None, message: str) -> None:
        self.problems.append(InvalidItem(item, field, message))

    def raise_if_any(self) -> None:
        if self.problems:
            raise MailStateError(self.problems)
