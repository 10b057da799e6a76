# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The example inventory converges idempotently; the export of a server applies back as no change.

Against a throw-away store on localhost (the example's hosts are replaced by one local host;
its description files are used as they are in Git). Molecule runs the same against real
Postfix and Dovecot.
"""
from __future__ import annotations

import os

import pytest
import yaml

from gitops_lib import DESCRIPTION_FILES, change_lines


@pytest.fixture(scope="module")
def runs(module_workspace):
    ws = module_workspace
    ws.hosts(["mail1"])
    ws.use_example()
    out = {"first": ws.playbook("mail.yml")}
    out["digest_first"] = ws.digest()
    out["content_first"] = ws.mail_content()
    out["second"] = ws.playbook("mail.yml", "--diff")
    out["plan"] = ws.playbook("mail.yml", "--check", "--diff")
    out["digest_second"] = ws.digest()

    export_dir = os.path.join(ws.root, "exported")
    out["export"] = ws.playbook("export.yml", "-e", "state_export_dir=%s" % export_dir)
    exported = os.path.join(export_dir, "mail1.yml")
    out["exported_text"] = open(exported, encoding="utf-8").read() if os.path.exists(exported) else ""
    out["exported_mode"] = os.stat(exported).st_mode & 0o777 if os.path.exists(exported) else None
    # The exported file replaces the description in Git.
    for name in DESCRIPTION_FILES:
        os.unlink(os.path.join(ws.inventory, "group_vars", "mail", name))
    ws.group_vars("exported.yml", out["exported_text"])
    out["export_plan"] = ws.playbook("mail.yml", "--check", "--diff")
    out["export_apply"] = ws.playbook("mail.yml")
    out["content_export"] = ws.mail_content()
    out["digest_export"] = ws.digest()
    out["export_again"] = ws.playbook("mail.yml")
    out["digest_export_again"] = ws.digest()
    return out


def test_example_converges(runs):
    first = runs["first"]
    assert first.rc == 0, first.output[-3000:]
    lines = change_lines(first.changes("mail1"))
    for expected in ("+ domain example.org", "+ domain example.net", "+ user alice@example.org",
                     "+ user julie@example.net", "+ alias all@example.org", "+ alias billing@example.org",
                     "+ responder *@example.org/christmas-closure", "+ responder ines@example.net/parental-leave"):
        assert expected in lines
    assert sum(line.startswith("+ user ") for line in lines) == 10
    assert sum(line.startswith("+ alias ") for line in lines) == 8
    assert sum(line.startswith("+ responder ") for line in lines) == 4


def test_example_is_idempotent(runs):
    for name in ("second", "plan"):
        run = runs[name]
        assert run.rc == 0, run.output[-3000:]
        assert run.changes("mail1") == [], name
        assert "changed=0" in run.output, name
    assert runs["digest_second"] == runs["digest_first"]


def test_export_is_a_description_without_secrets(runs):
    export = runs["export"]
    assert export.rc == 0, export.output[-3000:]
    text = runs["exported_text"]
    assert runs["exported_mode"] == 0o640
    assert "$argon2id$" not in text and "$6$" not in text and "password:" not in text
    data = yaml.safe_load(text)
    names = [domain["name"] for domain in data["gestixi_mail_domains"]]
    assert names == ["example.net", "example.org"]
    org = data["gestixi_mail_domains"][1]
    assert org["catchall"] == "postmaster@example.org"
    assert {"address": "all", "to": []} in org["aliases"]
    assert {"address": "billing", "to": ["grace", "accounting@example.net"]} in org["aliases"] or \
        {"address": "billing", "to": ["accounting@example.net", "grace"]} in org["aliases"]


def test_export_applies_back_as_no_change(runs):
    for name in ("export_plan", "export_apply"):
        run = runs[name]
        assert run.rc == 0, run.output[-3000:]
        assert run.changes("mail1") == [], (name, change_lines(run.changes("mail1")))
        assert "changed=0" in run.output, name
    # The same mail, and the same scripts. The store file itself now records that it holds the
    # exported description (another text, so another digest), for the next run to recognise.
    assert runs["content_export"] == runs["content_first"]
    # Once recorded, a re-run of it writes nothing at all.
    assert runs["export_again"].rc == 0 and "changed=0" in runs["export_again"].output
    assert runs["digest_export_again"] == runs["digest_export"]


def test_export_reads_like_a_hand_written_file(runs):
    text = runs["exported_text"]
    assert text.startswith("---\n# Mail description exported from mail1")
    assert "    to: [alice, bob]\n" in text
    assert "        message: |\n" in text
    assert "        start: '2026-12-19'\n" in text
    yamllint = os.path.join(os.path.dirname(__import__("sys").executable), "yamllint")
    if os.access(yamllint, os.X_OK):
        import subprocess

        from gitops_lib import REPO

        done = subprocess.run([yamllint, "-c", os.path.join(REPO, ".yamllint"), "-"], input=text, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False)
        assert done.returncode == 0, done.stdout
