# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A scripted pull request against the example description, end to end.

main: the example inventory's description, applied to a throw-away store.
The pull request: add a user (heidi), give the alias contact@ the recipients alice and heidi
(instead of alice and bob: the new user is a recipient, so the plan must see users and aliases
together), and remove alice's automatic reply "holidays".
CI: `tools/plan_summary.py --run -- ... playbooks/mail.yml --check --diff` prints the plan and
writes the Markdown comment; nothing changes. Merge: apply. The next plan is empty.
"""
from __future__ import annotations

import os
import subprocess

import pytest
import yaml

from gitops_lib import REPO, change_lines, tool

HEIDI_PASSWORD = "heidi-demo-password"


def pull_request(workspace) -> None:
    """Edit the description files as an operator would (YAML in, YAML out)."""
    path = os.path.join(workspace.inventory, "group_vars", "mail", "example-org.yml")
    with open(path, encoding="utf-8") as handle:
        variables = yaml.safe_load(handle)
    domain = variables["gestixi_mail_domains"][0]
    hashed = subprocess.run([tool("python"), os.path.join(REPO, "tools", "hash_password"), "--stdin",
                             "--scheme", "SHA512-CRYPT"], input=HEIDI_PASSWORD + "\n", text=True,
                            stdout=subprocess.PIPE, check=True).stdout.strip()
    assert hashed.startswith("{SHA512-CRYPT}$6$")
    domain["users"].append({"login": "heidi", "name": "Heidi Weber", "password": hashed})
    contact = next(alias for alias in domain["aliases"] if alias["address"] == "contact")
    contact["to"] = ["alice", "heidi"]
    alice = next(user for user in domain["users"] if user["login"] == "alice")
    alice["responders"] = [r for r in alice["responders"] if r["name"] != "holidays"]
    workspace.group_vars("example-org.yml", yaml.safe_dump(variables, sort_keys=False, allow_unicode=True))


@pytest.fixture(scope="module")
def flow(module_workspace):
    ws = module_workspace
    ws.hosts(["mail1"])
    ws.use_example()
    runs = {"main": ws.playbook("mail.yml")}
    assert runs["main"].rc == 0, runs["main"].output[-3000:]
    pull_request(ws)
    before = ws.digest()
    markdown_path = os.path.join(ws.root, "plan.md")
    json_path = os.path.join(ws.root, "pr-plan.json")
    done = subprocess.run(
        [tool("python"), os.path.join(REPO, "tools", "plan_summary.py"), "--run", "-o", markdown_path,
         "--json", json_path, "--", "-i", ws.inventory, os.path.join(REPO, "playbooks", "mail.yml"),
         "--check", "--diff"],
        env=ws.env(os.path.join(ws.root, "unused.json")), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, timeout=900, check=False)
    with open(markdown_path, encoding="utf-8") as handle:
        markdown = handle.read()
    with open(json_path, encoding="utf-8") as handle:
        plan = yaml.safe_load(handle)
    runs["plan_digest_unchanged"] = ws.digest() == before
    runs["apply"] = ws.playbook("mail.yml", "--diff")
    runs["replan"] = ws.playbook("mail.yml", "--check", "--diff")
    runs["replan_markdown"] = subprocess.run(
        [tool("python"), os.path.join(REPO, "tools", "plan_summary.py"),
         os.path.join(ws.root, "plan-%d.json" % ws.runs)], stdout=subprocess.PIPE, text=True, check=True).stdout
    return done, markdown, plan, runs


EXPECTED = [
    "+ user heidi@example.org",
    "~ alias contact@example.org (to)",
    "- responder alice@example.org/holidays",
    # what follows: heidi gets the domain-wide reply; contact@ no longer reaches bob; alice
    # keeps only the domain-wide reply
    "+ sieve script example.org/heidi",
    "~ sieve script example.org/alice",
    "~ sieve script example.org/bob",
]


def test_plan_run_succeeds_and_changes_nothing(flow):
    done, _markdown, _plan, runs = flow
    assert done.returncode == 0, done.stdout[-3000:]
    assert runs["plan_digest_unchanged"], "the check-mode plan changed the store or a Sieve script"
    assert "changed: [mail1]" in done.stdout  # the plan shows what WOULD change


def test_plan_lists_exactly_the_pull_request(flow):
    _done, _markdown, plan, _runs = flow
    assert plan["check_mode"] is True
    assert sorted(change_lines(plan["hosts"]["mail1"]["changes"])) == sorted(EXPECTED)


def test_plan_output_is_concise_and_reviewable(flow):
    done, _markdown, _plan, _runs = flow
    output = done.stdout
    assert "Plan for mail1: 2 to create, 3 to change, 1 to remove (check mode: nothing was changed)" in output
    # the role's own summary and the callback's end-of-run plan
    for line in EXPECTED:
        assert "- %s" % line in output or "'%s'" % line in output or line in output
    assert "GESTIXI MAIL PLAN" in output
    # diff of the alias, with the new recipient
    assert "+  to: [alice@example.org, heidi@example.org]" in output
    assert "-  to: [alice@example.org, bob@example.org]" in output


def test_plan_holds_no_secret(flow):
    done, markdown, plan, _runs = flow
    for text in (done.stdout, markdown, yaml.safe_dump(plan)):
        assert HEIDI_PASSWORD not in text
        assert "$6$" not in text and "$argon2id$" not in text
    assert "password: (set)" in done.stdout


def test_markdown_summary(flow):
    _done, markdown, _plan, _runs = flow
    assert markdown.startswith("## Mail plan\n")
    assert "### `mail1`" in markdown
    assert "**Plan**: 2 to create, 3 to change, 1 to remove." in markdown
    assert "| ➕ create | user | `heidi@example.org` |  |" in markdown
    assert "| ✏️ change | alias | `contact@example.org` | to |" in markdown
    assert "| ➖ remove | responder | `alice@example.org/holidays` |  |" in markdown
    assert "```diff" in markdown and "+  to: [alice@example.org, heidi@example.org]" in markdown
    assert "sha256" not in markdown  # generated scripts are listed, their checksums are not


def test_apply_then_replan_is_empty(flow):
    _done, _markdown, _plan, runs = flow
    apply = runs["apply"]
    assert apply.rc == 0, apply.output[-3000:]
    assert apply.plan["check_mode"] is False
    assert sorted(change_lines(apply.changes("mail1"))) == sorted(EXPECTED)
    assert "Applied on mail1: 2 created, 3 changed, 1 removed" in apply.output
    replan = runs["replan"]
    assert replan.rc == 0, replan.output[-3000:]
    assert replan.changes("mail1") == []
    assert "Plan for mail1: no changes" in replan.output
    assert "changed=0" in replan.output
    assert ":white_check_mark: **No changes.**" in runs["replan_markdown"]
