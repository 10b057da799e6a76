# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one problem shape of the collection, its one text, and the one error type.

A problem is {path, item, field, message}, from the controller's gate and from the host alike:
- path: where it is in the description (``gestixi_mail_domains[0].users[3].login``, or
  ``domains[0]...`` relative to a module's option), or None when the problem is about a
  module's own options or the store;
- item: what it is about, in the module's words (``users[3] (bob)``, ``alias x@example.org``);
- field: the option or key of that item (``login``, ``to[1]``), or None;
- message: why, in an operator's words.
Modules turn MailStateError into fail_json in one place (converge/_runner.py).
"""
from __future__ import annotations

import json
import re

# Shown escaped, never raw: a raw CR in a terminal overwrites the line, and the path with it.
# The last key of a path (with its indexes): the field of the item the path leads to.
_LAST_KEY_RE = re.compile(r"^(.+)\.([A-Za-z_][A-Za-z0-9_]*(?:\[\d+\])*)\Z")
IDENTIFIER_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def printable(text: str) -> str:
    """text with every control character and line separator written as an escape (\\r, \\x1b)."""
    return _UNPRINTABLE.sub(_escape, text)


def _escape(match: re.Match) -> str:
    char = match.group()
    named = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
    if char in named:
        return named[char]
    return "\\x%02x" % ord(char) if ord(char) < 0x100 else "\\u%04x" % ord(char)


def yaml_path(base: str, *parts: object) -> str:
    """gestixi_mail_domains[0].aliases[3].to[1] from ('gestixi_mail_domains', 0, 'aliases', 3, 'to', 1)."""
    text = base
    for part in parts:
        if isinstance(part, int):
            text += "[%d]" % part
        elif IDENTIFIER_RE.match(str(part)):
            text += ".%s" % part
        else:
            text += "[%s]" % json.dumps(str(part), ensure_ascii=False)
    return text


class InvalidItem:
    """One problem with one item of the input, named so that an operator can find it."""

    def __init__(self, item: str, field: str | None, message: str, path: str | None = None) -> None:
        self.item = item
        self.field = field
        self.message = message
        self.path = path

    def where(self) -> str:
        if self.path:
            return self.path
        return self.item if not self.field else "%s, field '%s'" % (self.item, self.field)

    def __str__(self) -> str:
        return printable("%s: %s" % (self.where(), self.message))

    def as_dict(self) -> dict:
        return {"path": self.path, "item": self.item, "field": self.field, "message": self.message}


def problem_at(path: str, message: str) -> InvalidItem:
    """A problem of the description at a YAML path: the item is the path up to its last key,
    the field that key (gestixi_mail_domains[0].users[3] and login)."""
    match = _LAST_KEY_RE.match(path)
    item, field = (match.group(1), match.group(2)) if match else (path, None)
    return InvalidItem(item, field, message, path=path)


def report(problems: list[InvalidItem], head: str) -> str:
    """The one text of a list of problems: a head line, then one escaped line per problem."""
    return "\n".join([head] + ["  - %s" % problem for problem in problems])


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
