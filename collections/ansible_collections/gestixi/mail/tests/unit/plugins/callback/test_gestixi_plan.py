# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The callback gestixi.mail.gestixi_plan: what it records of each task result, what it prints
at the end of the run and the JSON and Markdown files it writes.

The callback is fed the results a run would give it (task, host and result objects with the
attributes it reads); its options are the ones its DOCUMENTATION declares, read by Ansible's
configuration manager as in a real run.
"""
from __future__ import annotations

import json
import os
import stat

import pytest
import yaml

from ansible import constants as C
from ansible import context
from ansible.module_utils.common.collections import ImmutableDict

from ansible_collections.gestixi.mail.plugins.callback import gestixi_plan
from ansible_collections.gestixi.mail.plugins.plugin_utils._plan import PLAN_FORMAT, markdown

NAME = "gestixi.mail.gestixi_plan"
ENV = ("GESTIXI_PLAN_JSON", "GESTIXI_PLAN_MARKDOWN", "GESTIXI_PLAN_LIMIT", "GESTIXI_PLAN_SHOW")

C.config.initialize_plugin_configuration_definitions(
    "callback", NAME, yaml.safe_load(gestixi_plan.DOCUMENTATION)["options"])


class Display:
    """What the callback prints, line by line."""

    verbosity = 0

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.warnings: list[str] = []

    def banner(self, text: str) -> None:
        self.lines.append("== %s" % text)

    def display(self, text: str) -> None:
        self.lines.extend(text.split("\n"))

    def warning(self, text: str) -> None:
        self.warnings.append(text)


class Task:
    def __init__(self, action: str, name: str = "Converge", resolved: str | None = None) -> None:
        self.action = action
        self.resolved_action = resolved
        self.name = name

    def get_name(self) -> str:
        return self.name


class Host:
    def __init__(self, name: str) -> None:
        self.name = name

    def get_name(self) -> str:
        return self.name


class Result:
    def __init__(self, host: str, task: Task, result: dict) -> None:
        self.host = Host(host)
        self.task = task
        self.result = result


class Playbook:
    _file_name = "/somewhere/playbooks/mail.yml"


@pytest.fixture(autouse=True)
def no_environment(monkeypatch):
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(context, "CLIARGS", ImmutableDict({"check": True}))


def callback(**options) -> gestixi_plan.CallbackModule:
    plugin = gestixi_plan.CallbackModule(display=Display())
    plugin._load_name = NAME  # what the plugin loader sets
    plugin.set_options(direct=options)
    return plugin


def create(kind: str, key: str) -> dict:
    return {"action": "create", "kind": kind, "key": key}


USER = "gestixi.mail.gestixi_user"
WHOLE = "gestixi.mail.gestixi_mail"
VALIDATE = "gestixi.mail.gestixi_description_validate"


def test_the_documented_options_and_their_environment(monkeypatch):
    assert callback().get_options() == {"json_file": None, "markdown_file": None, "limit": 500, "show": True}
    monkeypatch.setenv("GESTIXI_PLAN_LIMIT", "3")
    monkeypatch.setenv("GESTIXI_PLAN_SHOW", "false")
    monkeypatch.setenv("GESTIXI_PLAN_JSON", "/tmp/plan.json")
    assert callback().get_options() == {"json_file": "/tmp/plan.json", "markdown_file": None, "limit": 3, "show": False}


def test_only_the_converge_modules_changes_are_recorded_and_merged_across_tasks():
    plugin = callback()
    plugin.v2_playbook_on_start(Playbook())
    plugin.v2_runner_on_ok(Result("mail1", Task("gestixi_user", resolved=USER), {"results": [
        {"changes": [create("user", "bob@example.org")]}, {"skipped": True}]}))
    plugin.v2_runner_on_ok(Result("mail1", Task(WHOLE), {
        "changes": [{"action": "update", "kind": "user", "key": "bob@example.org", "fields": ["name"]},
                    {"action": "update", "kind": "responder", "key": "bob@example.org/r", "fields": ["body"]}],
        "diff": [{"before_header": "responder (store)", "after_header": "responder (wanted)",
                  "before": "body: a\n", "after": "body: b\n"}]}))
    # Not a converge module: its "changes" are not the plan's.
    plugin.v2_runner_on_ok(Result("mail1", Task("ansible.builtin.debug"), {"changes": [create("user", "no@example.org")]}))
    plugin.v2_runner_on_ok(Result("mail1", Task(VALIDATE), {"changes": [create("user", "no@example.org")]}))
    run = plugin.run_data()
    assert run == {"format": PLAN_FORMAT, "playbook": "mail.yml", "check_mode": True, "hosts": {"mail1": {
        # The update of a user this run creates is part of its creation; 'body' is the description's 'message'.
        "changes": [create("user", "bob@example.org"),
                    {"action": "update", "kind": "responder", "key": "bob@example.org/r", "fields": ["message"]}],
        "diffs": [{"before_header": "responder (store)", "after_header": "responder (wanted)",
                   "before": "body: a\n", "after": "body: b\n"}],
        "failed": False, "problems": [], "errors": []}}}


def test_the_dns_records_not_in_step_are_part_of_the_plan():
    plugin = callback()
    plugin.v2_playbook_on_start(Playbook())
    changes = [{"action": "update", "kind": "DNS record", "key": "_dmarc.example.org. TXT"},
               {"action": "create", "kind": "DNS record", "key": "s2027._domainkey.example.org. TXT"},
               {"action": "remove", "kind": "DNS record", "key": "s2025._domainkey.example.org. TXT"}]
    plugin.v2_runner_on_ok(Result("mail1", Task("gestixi_dns_check", resolved="gestixi.mail.gestixi_dns_check"),
                                  {"drift": [], "changes": changes}))
    plugin.v2_runner_on_ok(Result("mail1", Task(WHOLE), {"changes": [create("user", "bob@example.org")]}))
    run = plugin.run_data()
    assert sorted(c["key"] for c in run["hosts"]["mail1"]["changes"]) == sorted(
        ["bob@example.org"] + [c["key"] for c in changes])
    text = markdown(run)
    for line in ("| ✏️ change | DNS record | `_dmarc.example.org. TXT` |",
                 "| ➕ create | DNS record | `s2027._domainkey.example.org. TXT` |",
                 "| ➖ remove | DNS record | `s2025._domainkey.example.org. TXT` |"):
        assert line in text, text
    assert text.index("bob@example.org") < text.index("_dmarc.example.org.")


def test_the_descriptions_problems_and_the_modules_errors_of_a_failed_run():
    plugin = callback()
    problem = {"path": "gestixi_mail_domains[0].users[1].login", "message": "'Bob' is not a valid login"}
    plugin.v2_runner_on_failed(Result("mail1", Task(VALIDATE, "Check"), {"problems": [problem, dict(problem)]}))
    plugin.v2_runner_on_failed(Result("mail2", Task(WHOLE), {"msg": "1 problem", "problems": [
        {"path": "gestixi_mail_domains[1].catchall", "message": "is not an address"}]}))
    plugin.v2_runner_on_failed(Result("mail3", Task(USER, "Users"), {"results": [
        {"failed": True, "msg": "users[0].quota: not a size"}, {"changed": False}, {"failed": True, "msg": "second"}]}))
    plugin.v2_runner_on_failed(Result("mail3", Task(WHOLE, "Converge"), {"msg": "store is locked", "problems": [
        {"message": "no path: a store problem"}]}))
    plugin.v2_runner_on_failed(Result("mail4", Task("ansible.builtin.command", "Reload"), {"msg": "password=s3cret"}))
    plugin.v2_runner_on_failed(Result("mail5", Task(USER), {"msg": "ignored"}), ignore_errors=True)
    plugin.v2_runner_on_unreachable(Result("mail6", Task(USER), {"msg": "ssh: no route"}))
    hosts = plugin.run_data()["hosts"]
    assert {name: (host["failed"], host["problems"], host["errors"]) for name, host in hosts.items()} == {
        "mail1": (True, [problem], []),
        "mail2": (True, [{"path": "gestixi_mail_domains[1].catchall", "message": "is not an address"}], []),
        "mail3": (True, [], ["Users: users[0].quota: not a size", "Users: second", "Converge: store is locked"]),
        "mail4": (True, [], ["Reload failed (see the job log)"]),  # another module's message may hold a secret
        "mail6": (True, [], ["unreachable"]),
    }


def test_the_plan_is_printed_hosts_with_the_same_plan_together():
    plugin = callback(limit=1)
    for host in ("mail2", "mail1"):
        changes = [create("user", "bob@example.org"), create("user", "amy@example.org")]
        plugin.v2_runner_on_ok(Result(host, Task(USER), {"changes": changes}))
    plugin.v2_runner_on_ok(Result("mail3", Task(USER), {"changes": []}))
    plugin.v2_runner_on_failed(Result("mail4", Task(VALIDATE), {"problems": [{"path": "p", "message": "m"}]}))
    plugin.v2_playbook_on_stats(None)
    assert plugin._display.lines == [
        "== GESTIXI MAIL PLAN",
        "Plan for mail1, mail2: 2 to create (check mode: nothing was changed)",
        "  + user amy@example.org",
        "  ... and 1 more change(s)",
        "Plan for mail3: no changes",
        "mail4: FAILED (1 problem(s) in the description, 0 error(s)); nothing was changed",
    ]


def test_an_applied_run_that_failed_after_changes_shows_them(monkeypatch):
    monkeypatch.setattr(context, "CLIARGS", ImmutableDict({"check": False}))
    plugin = callback(limit=0)
    plugin.v2_runner_on_ok(Result("mail1", Task(USER), {"changes": [create("user", "bob@example.org")]}))
    plugin.v2_runner_on_failed(Result("mail1", Task(USER, "Users"), {"msg": "boom"}))
    plugin.v2_playbook_on_stats(None)
    assert plugin._display.lines == ["== GESTIXI MAIL CHANGES", "mail1: FAILED (0 problem(s) in the description, 1 error(s))",
                                     "Applied on mail1: 1 created", "  + user bob@example.org"]


def test_nothing_is_printed_without_hosts_or_when_not_shown(tmp_path):
    plugin = callback()
    plugin.v2_playbook_on_stats(None)
    assert plugin._display.lines == []
    plugin = callback(show=False, json_file=str(tmp_path / "plan.json"))
    plugin.v2_runner_on_ok(Result("mail1", Task(USER), {"changes": [create("user", "bob@example.org")]}))
    plugin.v2_playbook_on_stats(None)
    assert plugin._display.lines == []
    assert json.loads((tmp_path / "plan.json").read_text())["hosts"]["mail1"]["changes"] == [create("user", "bob@example.org")]


def test_the_json_and_markdown_files_are_the_whole_plan_for_the_owner_only(tmp_path):
    json_file, markdown_file = tmp_path / "plan.json", tmp_path / "plan.md"
    plugin = callback(limit=1, json_file=str(json_file), markdown_file=str(markdown_file))
    changes = [create("user", "u%d@example.org" % i) for i in range(3)]
    plugin.v2_runner_on_ok(Result("mail1", Task(USER), {"changes": changes}))
    plugin.v2_playbook_on_stats(None)
    run = plugin.run_data()
    assert json.loads(json_file.read_text(encoding="utf-8")) == run
    assert run["hosts"]["mail1"]["changes"] == changes  # the limit is for the printed plan only
    assert json_file.read_text(encoding="utf-8") == json.dumps(run, indent=2, sort_keys=True) + "\n"
    assert markdown_file.read_text(encoding="utf-8") == markdown(run) + "\n"
    assert "**Plan**: 3 to create." in markdown_file.read_text(encoding="utf-8")
    for path in (json_file, markdown_file):
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_a_file_that_cannot_be_written_is_a_warning(tmp_path):
    path = tmp_path / "missing-folder" / "plan.json"
    plugin = callback(json_file=str(path), show=False)
    plugin.v2_runner_on_ok(Result("mail1", Task(USER), {"changes": []}))
    plugin.v2_playbook_on_stats(None)
    assert not path.exists()
    assert len(plugin._display.warnings) == 1
    assert plugin._display.warnings[0].startswith("gestixi_plan: cannot write %s: " % path)
