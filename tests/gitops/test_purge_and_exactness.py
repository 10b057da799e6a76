# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What removing lines from the description does.

- A field left out takes its default (the description is exact): a removed quota is unlimited.
- Without purge, a user or alias removed from the description stays on the server.
- With purge: true on a domain, it goes (aliases before users, so nothing dangles).
- With gestixi_mail_purge_domains: true, a domain no longer described goes, with its content.
"""
from __future__ import annotations

import copy

import pytest
import yaml

from gitops_lib import change_lines

HASH = ("{SHA512-CRYPT}$6$3uVpMh6lC7fT5V20$IgoTFT6IwAFpXXrYRS4oljGmqcbpfVw3lxxaA7AbbDA9TiPZgo9ZUmVxxbmCNjkt"
        "7024e4iw65YY7qWE9fyhu.")
BASE = {"gestixi_mail_domains": [
    {"name": "example.org", "catchall": "postmaster@example.org",
     "users": [{"login": "alice", "password": HASH, "quota": "1G"}, {"login": "bob", "password": HASH}],
     "aliases": [{"address": "contact", "to": ["alice", "bob"]}, {"address": "sales", "to": ["bob"]},
                 {"address": "postmaster", "to": ["alice"]}]},
    {"name": "example.net", "users": [{"login": "carol", "password": HASH}],
     "aliases": [{"address": "info", "to": ["carol", "alice@example.org"]}]},
]}


def without_bob_and_sales(purge: bool) -> dict:
    variables = copy.deepcopy(BASE)
    org = variables["gestixi_mail_domains"][0]
    org["purge"] = purge
    org["users"] = [{"login": "alice", "password": HASH}]  # quota line removed too
    org["aliases"] = [{"address": "contact", "to": ["alice"]}, {"address": "postmaster", "to": ["alice"]}]
    return variables


@pytest.fixture(scope="module")
def runs(module_workspace):
    ws = module_workspace
    ws.hosts(["mail1"])
    ws.group_vars("description.yml", yaml.safe_dump(BASE))
    out = {"base": ws.playbook("mail.yml")}
    ws.group_vars("description.yml", yaml.safe_dump(without_bob_and_sales(purge=False)))
    out["keep"] = ws.playbook("mail.yml")
    ws.group_vars("description.yml", yaml.safe_dump(without_bob_and_sales(purge=True)))
    out["purge_plan"] = ws.playbook("mail.yml", "--check")
    out["purge"] = ws.playbook("mail.yml")
    only_org = without_bob_and_sales(purge=True)
    only_org["gestixi_mail_domains"] = only_org["gestixi_mail_domains"][:1]
    only_org["gestixi_mail_purge_domains"] = True
    ws.group_vars("description.yml", yaml.safe_dump(only_org))
    out["purge_domains"] = ws.playbook("mail.yml", "--diff")
    out["after"] = ws.playbook("mail.yml", "--check")
    return out


def test_without_purge_nothing_is_removed_but_fields_reset(runs):
    assert runs["base"].rc == 0, runs["base"].output[-3000:]
    keep = runs["keep"]
    assert keep.rc == 0, keep.output[-3000:]
    assert sorted(change_lines(keep.changes("mail1"))) == sorted([
        "~ user alice@example.org (quota)",          # the removed quota line: unlimited again
        "~ alias contact@example.org (to)",
    ])


def test_purge_removes_what_the_domain_no_longer_names(runs):
    plan, purge = runs["purge_plan"], runs["purge"]
    assert plan.rc == 0 and purge.rc == 0, purge.output[-3000:]
    expected = ["- user bob@example.org", "- alias sales@example.org"]  # sorted by kind
    assert [line for line in change_lines(plan.changes("mail1")) if line.startswith("- ")] == expected
    assert [line for line in change_lines(purge.changes("mail1")) if line.startswith("- ")] == expected
    # In the order made: the aliases go before the users they may name.
    made = [(c["action"], c["kind"]) for c in purge.changes("mail1") if c["action"] == "remove"]
    assert made.index(("remove", "alias")) < made.index(("remove", "user"))


def test_purge_domains_removes_a_domain_with_its_content(runs):
    run = runs["purge_domains"]
    assert run.rc == 0, run.output[-3000:]
    assert change_lines(run.changes("mail1")) == ["- domain example.net"]
    after = runs["after"]
    assert after.rc == 0 and after.changes("mail1") == []
