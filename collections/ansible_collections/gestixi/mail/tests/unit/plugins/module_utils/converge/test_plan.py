# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

from ansible_collections.gestixi.mail.plugins.module_utils.converge._plan import Plan, plan_items, summarize


def public(record):
    return {k: v for k, v in record.items() if k != "secret"}


def test_plan_creates_updates_keeps_and_counts():
    current = {"a": {"x": 1, "secret": "s1"}, "b": {"x": 2, "secret": "s2"}}
    wanted = {"a": {"x": 1, "secret": None}, "b": {"x": 3, "secret": None}, "c": {"x": 4, "secret": None}}
    plan = plan_items(Plan("thing", public), current, wanted, defaults={"secret": "d"})
    assert plan.counts() == {"created": 1, "updated": 1, "removed": 0, "unchanged": 1}
    assert plan.created == [("c", {"secret": "d", "x": 4})]
    # a field the operator did not give keeps the stored value
    assert plan.updated == [("b", {"x": 2, "secret": "s2"}, {"x": 3, "secret": "s2"})]


def test_purge_removes_only_unnamed_and_absent_is_explicit():
    current = {"a": {"x": 1}, "b": {"x": 2}, "c": {"x": 3}}
    plan = plan_items(Plan("thing", public), current, {"a": {"x": 1}}, absent={"b", "zz"})
    assert [key for key, record in plan.removed] == ["b"]
    plan = plan_items(Plan("thing", public), current, {"a": {"x": 1}}, purge=True)
    assert [key for key, record in plan.removed] == ["b", "c"]


def test_changes_and_diff_never_show_hidden_fields():
    current = {"a": {"x": 1, "secret": "old-hash"}}
    plan = plan_items(Plan("user", public), current, {"a": {"x": 2, "secret": "new-hash"}, "n": {"x": 0, "secret": "h"}})
    result = summarize([plan])
    assert result["changed"] is True
    assert result["counts"] == {"created": 1, "updated": 1, "removed": 0, "unchanged": 0}
    assert {"action": "update", "kind": "user", "key": "a", "fields": ["secret", "x"]} in result["changes"]
    text = repr(result["diff"])
    assert "hash" not in text and "h'" not in text
    assert result["diff"][0]["before"] == "a:\n  x: 1\n"
    assert result["diff"][0]["after"] == "a:\n  x: 2\nn:\n  x: 0\n"


def test_unchanged_plan_reports_no_change_and_no_diff():
    plan = plan_items(Plan("thing", public), {("d", "a"): {"x": 1}}, {("d", "a"): {"x": 1}})
    result = summarize([plan])
    assert result == {"changed": False, "counts": {"created": 0, "updated": 0, "removed": 0, "unchanged": 1},
                      "changes": [], "diff": []}
