# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The filter gestixi.mail.description_yaml: variables -> a description file to commit."""
from __future__ import annotations

import copy
import datetime

import pytest
import yaml

from ansible.errors import AnsibleFilterError

from ansible_collections.gestixi.mail.plugins.filter.description_yaml import FilterModule

description_yaml = FilterModule().filters()["description_yaml"]

# The rules of the project's .yamllint (kept in step by hand: the collection does not ship it).
YAMLLINT_RULES = """
extends: default
rules:
  comments:
    min-spaces-from-content: 1
  braces:
    max-spaces-inside: 1
  line-length:
    max: 160
  truthy:
    allowed-values: ["true", "false"]
    check-keys: false
"""

EXPORTED = {"gestixi_mail_domains": [{
    "name": "example.org", "timezone": "Europe/Paris", "catchall": "",
    "users": [{"login": "alice", "name": "Alice Martin", "quota": "2G", "enabled": True, "responders": [
        {"name": "holidays", "enabled": False, "subject": "Away", "message": "Back on Monday.\n\nAlice\n",
         "start": datetime.date(2026, 12, 19), "end": datetime.date(2027, 1, 4), "days": 7}]}],
    "aliases": [{"address": "contact", "to": ["alice", "bob@example.net"]}, {"address": "all", "to": []}]}]}


def test_an_export_reads_back_as_it_was_and_passes_yamllint():
    text = description_yaml(EXPORTED)
    expected = copy.deepcopy(EXPORTED)
    expected["gestixi_mail_domains"][0]["users"][0]["responders"][0].update(start="2026-12-19", end="2027-01-04")
    assert yaml.safe_load(text) == expected  # dates as YYYY-MM-DD text
    assert list(yaml.safe_load(text)["gestixi_mail_domains"][0]) == ["name", "timezone", "catchall", "users", "aliases"]
    assert "    aliases:\n      - address: contact\n        to: [alice, bob@example.net]\n      - address: all\n" \
        "        to: []\n" in text
    yamllint_config = pytest.importorskip("yamllint.config")
    linter = pytest.importorskip("yamllint.linter")
    problems = list(linter.run("---\n" + text, yamllint_config.YamlLintConfig(YAMLLINT_RULES)))
    assert [str(problem) for problem in problems] == []


@pytest.mark.parametrize("value", [None, [], "gestixi_mail_domains: []"])
def test_anything_but_a_mapping_is_refused(value):
    with pytest.raises(AnsibleFilterError, match="description_yaml needs a mapping of variables"):
        description_yaml(value)
