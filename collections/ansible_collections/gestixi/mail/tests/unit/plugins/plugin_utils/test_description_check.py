# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""plugin_utils/_description_check.py, directly: plain-text passwords and the gate's warnings.

The gate's agreement with the host is tested in test_description_gate.py.
"""
from __future__ import annotations

import copy
import datetime

from ansible_collections.gestixi.mail.plugins.plugin_utils import _description_check as description_check

BASE = {"gestixi_mail_domains": [{"name": "example.org", "users": [{"login": "alice", "password": "x"}],
                                  "aliases": [{"address": "contact", "to": ["alice"]}]}]}


def test_plain_text_password_only_from_vault_or_template():
    variables = copy.deepcopy(BASE)
    problems = description_check.check_description(variables)[0]
    assert [p.path for p in problems] == ["gestixi_mail_domains[0].users[0].password"]
    problems = description_check.check_description(variables, vaulted={"gestixi_mail_domains[0].users[0].password"})[0]
    assert problems == []
    variables["gestixi_mail_allow_plaintext_passwords"] = True
    assert description_check.check_description(variables)[0] == []


def test_warning_for_an_enabled_reply_that_has_ended():
    variables = copy.deepcopy(BASE)
    variables["gestixi_mail_allow_plaintext_passwords"] = True
    variables["gestixi_mail_domains"][0]["responders"] = [
        {"name": "old", "subject": "s", "message": "m", "end": datetime.date(2020, 1, 1)}]
    problems, warnings = description_check.check_description(variables, today=datetime.date(2026, 11, 27))
    assert problems == []
    assert warnings == ["gestixi_mail_domains[0].responders[0].end: the automatic reply ended on 2020-01-01; "
                        "it no longer answers (remove it or set enabled: false)"]


def test_warning_before_purging_every_domain():
    problems, warnings = description_check.check_description({"gestixi_mail_domains": [],
                                                              "gestixi_mail_purge_domains": True})
    assert problems == []
    assert warnings == ["gestixi_mail_purge_domains is true and the description names no domain: every domain "
                        "of the store will be removed, with its users, aliases and automatic replies"]
