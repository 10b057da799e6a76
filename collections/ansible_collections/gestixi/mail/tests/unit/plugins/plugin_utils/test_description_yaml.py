# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""plugin_utils/_description_yaml.py: a description as YAML that reads like the hand-written files."""
from __future__ import annotations

import datetime

import yaml

from ansible_collections.gestixi.mail.plugins.plugin_utils import _description_yaml as description_yaml


def test_description_yaml_round_trips():
    variables = {"gestixi_mail_domains": [{"name": "example.org", "aliases": [{"address": "a", "to": ["b", "c"]}],
                                           "responders": [{"name": "r", "subject": "s", "message": "one\ntwo\n",
                                                           "start": "2026-12-20"}]}]}
    text = description_yaml.description_yaml(variables)
    assert "    aliases:\n      - address: a\n        to: [b, c]\n" in text
    assert "        message: |\n          one\n          two\n" in text
    assert "        start: '2026-12-20'\n" in text
    assert yaml.safe_load(text) == variables


class _Tagged(str):
    """A str subclass, as templated values are: the safe dumper alone cannot write it."""


def test_dates_and_tagged_values_become_plain_text():
    text = description_yaml.description_yaml({"v": {_Tagged("day"): datetime.date(2026, 12, 20),
                                                    "at": datetime.datetime(2026, 12, 20, 8, 30),
                                                    "tuple": ("x",), "n": 3, "on": True, "none": None,
                                                    "other": 1.5, "obj": _Tagged("t")}})
    assert text == ("v:\n  day: '2026-12-20'\n  at: '2026-12-20 08:30:00'\n  tuple: [x]\n  n: 3\n  'on': true\n"
                    "  none: null\n  other: 1.5\n  obj: t\n")


def test_only_a_short_list_of_one_line_texts_is_written_on_one_line():
    many = ["recipient%02d@example.org" % i for i in range(5)]  # 140 characters with separators
    assert description_yaml.description_yaml({"to": many}) == "to:\n" + "".join("  - %s\n" % a for a in many)
    assert description_yaml.description_yaml({"to": many[:3]}) == "to: [%s]\n" % ", ".join(many[:3])
    assert description_yaml.description_yaml({"to": ["a", 1]}) == "to:\n  - a\n  - 1\n"
