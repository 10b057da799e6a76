# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A mail description as YAML that reads like the hand-written files (controller side).

Sequences indented under their key, multi-line text as literal blocks (``message: |``), the
recipients of an alias on one line (``to: [alice, bob]``), dates as quoted text ('2026-12-20',
which YAML tools that know no dates, such as ansible-lint's schema check, read as well), keys
in the order given. The result passes the project's yamllint rules.
"""
from __future__ import annotations

import datetime

import yaml

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


def plain(value: object) -> object:
    """Builtin Python types only (no tagged subclasses); dates as YYYY-MM-DD text."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, str):
        return str(value)
    if value is None:
        return None
    return str(value)


def description_yaml(variables: dict) -> str:
    """The YAML text of a vars file holding the description (no document start marker)."""
    return yaml.dump(plain(variables), Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                     default_flow_style=False, width=1000, indent=2)
