# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The filter gestixi.mail.plan_lines: registered task results -> a concise plan."""
from __future__ import annotations

from ansible_collections.gestixi.mail.plugins.filter.plan_lines import FilterModule

plan_lines = FilterModule().filters()["plan_lines"]

USERS = {"changes": [{"action": "create", "kind": "user", "key": "bob@example.org"},
                     {"action": "create", "kind": "user", "key": "amy@example.org"}]}
ALIASES = {"results": [{"changes": [{"action": "update", "kind": "alias", "key": "contact@example.org",
                                     "fields": ["to"]}]},
                       {"skipped": True}]}


def test_results_of_several_tasks_make_one_plan():
    assert plan_lines([ALIASES, USERS], host="mail1") == [
        "Plan for mail1: 2 to create, 1 to change (check mode: nothing was changed)",
        "+ user amy@example.org", "+ user bob@example.org", "~ alias contact@example.org (to)"]


def test_one_registered_result_as_the_role_passes_it():
    assert plan_lines(USERS, host="mail1", check_mode=False) == [
        "Applied on mail1: 2 created", "+ user amy@example.org", "+ user bob@example.org"]
    assert plan_lines(None, host="mail1") == ["Plan for mail1: no changes"]
    assert plan_lines([]) == ["Plan: no changes"]


def test_the_limit_cuts_the_lines_and_zero_shows_them_all():
    many = {"changes": [{"action": "remove", "kind": "user", "key": "u%03d@example.org" % i} for i in range(250)]}
    default = plan_lines(many, host="mail1", check_mode=False)
    assert len(default) == 202 and default[-1] == "... and 50 more change(s)"
    assert plan_lines(many, check_mode=False, limit="1") == ["Applied: 250 removed", "- user u000@example.org",
                                                             "... and 249 more change(s)"]
    every = plan_lines(many, check_mode=0, limit=0)
    assert len(every) == 251 and every[0] == "Applied: 250 removed" and every[-1] == "- user u249@example.org"
