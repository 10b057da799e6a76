# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The role used directly in an operator's own playbook (not through playbooks/mail.yml).

The role's first task checks every host's description on the controller; one bad host must
stop every host before any change.
"""
from __future__ import annotations

import os
import subprocess

import yaml

from gitops_lib import tool

GOOD = {"gestixi_mail_domains": [{"name": "example.org", "users": [
    {"login": "alice", "password": "{SHA512-CRYPT}$6$3uVpMh6lC7fT5V20$IgoTFT6IwAFpXXrYRS4oljGmqcbpfVw3lxxaA7AbbDA9"
                                   "TiPZgo9ZUmVxxbmCNjkt7024e4iw65YY7qWE9fyhu."}]}]}
BAD = {"gestixi_mail_domains": [{"name": "example.org", "users": [{"login": "bob", "pasword": "x"}]}]}


def _own_play(ws) -> subprocess.CompletedProcess:
    """An operator's own play that applies the role to every host."""
    playbook = os.path.join(ws.root, "own.yml")
    with open(playbook, "w", encoding="utf-8") as handle:
        handle.write("- name: An operator's own play\n  hosts: mail\n  gather_facts: false\n"
                     "  roles:\n    - role: gestixi.mail.state\n")
    return subprocess.run([tool("ansible-playbook"), "-i", ws.inventory, playbook],
                          env=ws.env(os.path.join(ws.root, "plan.json")), stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=600, check=False)


def test_one_bad_host_stops_every_host(workspace):
    ws = workspace
    ws.hosts(["good", "bad"], {"good": yaml.safe_dump(GOOD), "bad": yaml.safe_dump(BAD)})
    done = _own_play(ws)
    assert done.returncode != 0
    # The check refused the bad host, naming the YAML path ...
    assert "gestixi_mail_domains[0].users[0].pasword: unknown key 'pasword'" in done.stdout
    # ... and any_errors_fatal stopped the good one before any change.
    assert "TASK [gestixi.mail.state : Converge the mail description]" not in done.stdout
    assert not os.path.exists(ws.store)


def test_a_bad_role_argument_stops_every_host(workspace):
    """Ansible's check of meta/argument_specs.yml fails only the host it refuses; the role
    then stops the others before the description is checked or anything changes."""
    ws = workspace
    ws.hosts(["good", "bad"], {"good": yaml.safe_dump(GOOD),
                               "bad": yaml.safe_dump({**GOOD, "state_show_plan": "perhaps"})})
    done = _own_play(ws)
    assert done.returncode != 0
    assert "Validating arguments against arg spec 'main'" in done.stdout
    assert "state_show_plan" in done.stdout
    assert "bad failed before the mail description could be checked" in done.stdout
    assert "TASK [gestixi.mail.state : Converge the mail description]" not in done.stdout
    assert not os.path.exists(ws.store)


def test_the_servers_alias_limit_reaches_the_modules(workspace):
    """An all-users alias of 3 users passes Postfix's default limit, not a server limit of 2."""
    ws = workspace
    password = GOOD["gestixi_mail_domains"][0]["users"][0]["password"]
    description = {"gestixi_mail_domains": [{
        "name": "example.org",
        "users": [{"login": login, "password": password} for login in ("alice", "bob", "carol")],
        "aliases": [{"address": "all", "to": []}]}]}
    ws.hosts(["mail1"], {"mail1": yaml.safe_dump(description)})
    assert ws.playbook("mail.yml").rc == 0
    ws.write("host_vars/mail1.yml", yaml.safe_dump({**description, "server_virtual_alias_expansion_limit": 2}))
    before = ws.digest()
    run = ws.playbook("mail.yml")
    assert run.rc != 0
    assert "virtual_alias_expansion_limit 2" in run.output
    assert ws.digest() == before
