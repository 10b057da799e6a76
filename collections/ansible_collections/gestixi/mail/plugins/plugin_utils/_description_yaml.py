# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A mail description as YAML that reads like the hand-written files (controller side).

Sequences indented under their key, multi-line text as literal blocks (``message: |``), the
recipients of an alias on one line (``to: [alice, bob]``), dates as plain YAML dates, keys in
the order given. The result passes the project's yamllint rules.
"""
from __future__ import annotations

import datetime
import re

import yaml

DATE_KEYS = frozenset(("start", "end"))
DATE_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
FLOW_WIDTH = 100


class _Dumper(yaml.SafeDumper):
    """Indents sequences under their key, as yamllint's default 'indent-sequences' wants."""

    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)


def _text(dumper: yaml.SafeDumper, data: str):
    if "\n" in data:
        return dumper.represent_scalar("tag:yaml.org,2002:str", data, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", data)


def _sequence(dumper: yaml.SafeDumper, data: list):
    short = all(isinstance(item, str) and "\n" not in item for item in data) and \
        sum(len(item) + 2 for item in data) <= FLOW_WIDTH
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=short)


_Dumper.add_representer(str, _text)
_Dumper.add_representer(list, _sequence)


def plain(value: object, key: str | None = None) -> object:
    """Builtin Python types only (no tagged subclasses), dates of automatic replies as dates."""
    if isinstance(value, dict):
        return {str(k): plain(v, str(k)) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item, key) for item in value]
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return datetime.date(value.year, value.month, value.day)
    if isinstance(value, str):
        text = str(value)
        if key in DATE_KEYS and DATE_RE.match(text):
            try:
                return datetime.date.fromisoformat(text)
            except ValueError:
                return text
        return text
    if value is None:
        return None
    return str(value)


def description_yaml(variables: dict) -> str:
    """The YAML text of a vars file holding the description (no document start marker)."""
    return yaml.dump(plain(variables), Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                     default_flow_style=False, width=1000, indent=2)
