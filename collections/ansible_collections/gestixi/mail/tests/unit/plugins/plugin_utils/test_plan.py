# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""plugin_utils/_plan.py: the plan of a run (its lines, the merging of changes, its Markdown)."""
from __future__ import annotations

from ansible_collections.gestixi.mail.plugins.plugin_utils import _plan as plan

CHANGES = [{"action": "create", "kind": "user", "key": "heidi@example.org"},
           {"action": "update", "kind": "alias", "key": "contact@example.org", "fields": ["to"]},
           {"action": "remove", "kind": "responder", "key": "alice@example.org/holidays"}]


def test_plan_lines_and_merging():
    results = [{"results": [{"changes": CHANGES[:1]}, {"skipped": True}]},
               {"changes": CHANGES[1:] + [{"action": "update", "kind": "user", "key": "heidi@example.org",
                                           "fields": ["name"]}]},
               {"failed": True, "changes": [{"action": "create", "kind": "user", "key": "ignored"}]}]
    changes = plan.changes_of(results)
    assert changes == CHANGES  # the update of a user created by this run is part of its creation
    assert plan.plan_lines(changes, host="mail1") == [
        "Plan for mail1: 1 to create, 1 to change, 1 to remove (check mode: nothing was changed)",
        "+ user heidi@example.org", "~ alias contact@example.org (to)", "- responder alice@example.org/holidays"]
    assert plan.plan_lines([], host="mail1", check_mode=False) == ["Applied on mail1: no changes"]


def test_plan_speaks_the_descriptions_words():
    changes = plan.changes_of([{"changes": [{"action": "update", "kind": "responder", "key": "alice@example.org/holidays",
                                             "fields": ["body", "end"]}]}])
    assert changes[0]["fields"] == ["message", "end"]


def test_markdown_groups_hosts_and_reports_problems():
    run = {"check_mode": True, "hosts": {"mail2": {"changes": CHANGES}, "mail1": {"changes": CHANGES},
                                         "mail3": {"changes": []}}}
    text = plan.markdown(run)
    assert "### `mail1`, `mail2`" in text and "### `mail3`" in text
    assert text.count("| ➕ create | user | `heidi@example.org` |  |") == 1
    failed = {"check_mode": True, "hosts": {"mail1": {"failed": True, "problems": [
        {"path": "gestixi_mail_domains[0].users[1].login", "message": "'Bob' is not a valid login"}]}}}
    text = plan.markdown(failed)
    assert ":x: **The mail description has 1 problem**; no server was changed:" in text
    assert "- `gestixi_mail_domains[0].users[1].login`: 'Bob' is not a valid login" in text


def test_long_plans_are_cut_for_people_not_for_machines():
    many = [{"action": "create", "kind": "user", "key": "u%05d@example.org" % i} for i in range(10000)]
    lines = plan.plan_lines(many, host="big", limit=200)
    assert len(lines) == 202 and lines[-1] == "... and 9800 more change(s)"
    text = plan.markdown({"check_mode": True, "hosts": {"big": {"changes": many, "diffs": [
        {"before_header": "user (store)", "after_header": "user (wanted)", "before": "",
         "after": "".join("u%05d@example.org:\n  name: x\n" % i for i in range(10000))}]}}})
    assert len(text) <= plan.MAX_MARKDOWN + 100
    assert "| | ... | 9700 more change(s) | see the job log |" in text
    assert "**Plan**: 10000 to create." in text


def test_derived_kinds_come_last_without_their_checksums():
    changes = plan.changes_of([{"changes": [
        {"action": "update", "kind": "sieve script", "key": "alice@example.org", "fields": ["checksum"]},
        {"action": "create", "kind": "domain", "key": "example.org"},
        {"action": "bogus", "kind": "user", "key": "x"}, "not a change"]}])
    assert changes == [{"action": "update", "kind": "sieve script", "key": "alice@example.org"},
                       {"action": "create", "kind": "domain", "key": "example.org"}]
    assert plan.plan_lines(changes, host="mail1", check_mode=False, indent="  ") == [
        "Applied on mail1: 1 created, 1 changed", "  + domain example.org", "  ~ sieve script alice@example.org"]


def test_diffs_are_taken_from_loops_and_shown_without_derived_files():
    results = [{"results": [{"diff": [{"before_header": "alias (store)", "after_header": "alias (wanted)",
                                       "before": "to: [a]\n", "after": "to: [a, b]\n"}, {"before": "", "after": ""}]},
                            {"diff": {"before_header": "sieve script (store)", "before": "x", "after": "y"}}]},
               {"skipped": True, "diff": {"before": "never", "after": "shown"}}]
    diffs = plan.diffs_of(results)
    assert diffs == [{"before_header": "alias (store)", "after_header": "alias (wanted)",
                      "before": "to: [a]\n", "after": "to: [a, b]\n"},
                     {"before_header": "sieve script (store)", "after_header": "", "before": "x", "after": "y"}]
    assert plan.unified(diffs).splitlines() == ["--- alias (store)", "+++ alias (wanted)", "@@ -1 +1 @@",
                                                "-to: [a]", "+to: [a, b]"]


def test_markdown_of_a_failed_run_an_unchanged_run_and_an_empty_run():
    failed = plan.markdown({"check_mode": True, "hosts": {
        "mail1": {"failed": True, "errors": ["Converge: store is locked"], "changes": CHANGES[:1]},
        "mail2": {"changes": []}}})
    assert ":x: **The run failed on `mail1`**: the plan below is incomplete; see the job log." in failed
    assert "- Converge: store is locked (on `mail1`)" in failed
    assert "### `mail2`\n\nNo changes." in failed
    unchanged = plan.markdown({"check_mode": False, "hosts": {"mail2": {"changes": []}, "mail1": {"changes": []}}})
    assert unchanged == ("## Mail plan\n\n:white_check_mark: **No changes.** Every mail server already matches "
                         "the description (`mail1`, `mail2`).\n")
    assert plan.markdown({"hosts": {}}, title="T") == (
        "## T\n\nNo mail server was planned (no host ran the gestixi.mail modules).\n")
    applied = plan.markdown({"check_mode": False, "hosts": {"mail1": {"changes": [
        {"action": "update", "kind": "alias", "key": "a|b@example.org", "fields": ["to"]}]}}})
    assert "**Applied**: 1 changed." in applied
    assert "| ✏️ change | alias | `a|b@example.org` | to |" in applied
