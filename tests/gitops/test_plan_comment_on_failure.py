# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A pull request with a broken description: the PR comment lists the problems, CI fails."""
from __future__ import annotations

import os
import subprocess

from gitops_lib import REPO, tool

BROKEN = """---
gestixi_mail_domains:
  - name: example.org
    users:
      - login: alice
        pasword: "{SHA512-CRYPT}$6$x"
    aliases:
      - address: contact
        to: [alice, bobby]
"""


def test_broken_description_gives_a_comment_and_a_failure(workspace):
    ws = workspace
    ws.hosts(["mail1", "mail2"])
    ws.group_vars("description.yml", BROKEN)
    markdown = os.path.join(ws.root, "plan.md")
    done = subprocess.run([tool("python"), os.path.join(REPO, "tools", "plan_summary.py"), "--run", "-o", markdown,
                           "--", "-i", ws.inventory, os.path.join(REPO, "playbooks", "mail.yml"), "--check", "--diff"],
                          env=ws.env(os.path.join(ws.root, "unused.json")), stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=600, check=False)
    assert done.returncode != 0
    with open(markdown, encoding="utf-8") as handle:
        text = handle.read()
    assert ":x: **The mail description has 2 problems**; no server was changed:" in text
    assert "- `gestixi_mail_domains[0].aliases[0].to[1]`: bobby@example.org does not exist" in text
    assert "- `gestixi_mail_domains[0].users[0].pasword`: unknown key 'pasword'" in text
    assert "(on `mail1`)" not in text  # both hosts have the same problems: listed once
    assert "$6$x" not in text and "$6$x" not in done.stdout
    assert not os.path.exists(ws.store)
