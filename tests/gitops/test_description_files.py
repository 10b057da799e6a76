# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The example description kept in description files (gestixi_mail_description_files) rather
than in group_vars: it converges, an unchanged re-run changes nothing, a problem in a file is
named in that file and stops the run, and the same files moved back into group_vars are the
same description (the store's record of the converge matches: nothing to do)."""
from __future__ import annotations

import os
import shutil

import pytest

from gitops_lib import DESCRIPTION_FILES, EXAMPLE_VARS, change_lines


@pytest.fixture(scope="module")
def runs(module_workspace):
    ws = module_workspace
    ws.hosts(["mail1"])
    # Beside the inventory folder, as docs/description-format.md advises (Ansible would parse
    # them as inventory sources inside it).
    descriptions = os.path.join(ws.root, "descriptions")
    os.makedirs(descriptions)
    for name in DESCRIPTION_FILES:
        shutil.copy(os.path.join(EXAMPLE_VARS, name), descriptions)
    ws.group_vars("description-files.yml", "gestixi_mail_description_files: [../descriptions]\n")
    out = {"first": ws.playbook("mail.yml")}
    out["digest_first"] = ws.digest()
    out["again"] = ws.playbook("mail.yml", "--diff")
    out["digest_again"] = ws.digest()
    # bob declared twice in the file of example.org
    org = os.path.join(descriptions, "example-org.yml")
    with open(org, encoding="utf-8") as handle:
        text = handle.read()
    marker = "    users:\n"
    assert marker in text
    with open(org, "w", encoding="utf-8") as handle:
        handle.write(text.replace(marker, marker + "      - login: alice\n", 1))
    out["broken"] = ws.playbook("mail.yml")
    out["digest_broken"] = ws.digest()
    # The same files as the inventory form.
    os.unlink(os.path.join(ws.inventory, "group_vars", "mail", "description-files.yml"))
    shutil.rmtree(descriptions)
    ws.use_example()
    out["inventory_form"] = ws.playbook("mail.yml", "--diff")
    out["digest_inventory_form"] = ws.digest()
    return out


def test_the_files_converge(runs):
    first = runs["first"]
    assert first.rc == 0, first.output[-3000:]
    lines = change_lines(first.changes("mail1"))
    assert "+ user alice@example.org" in lines and "+ alias all@example.org" in lines
    assert sum(line.startswith("+ user ") for line in lines) == 10


def test_unchanged_files_change_nothing(runs):
    again = runs["again"]
    assert again.rc == 0, again.output[-3000:]
    assert again.changes("mail1") == []
    assert runs["digest_again"] == runs["digest_first"]


def test_a_problem_is_named_in_its_file_and_nothing_changes(runs):
    broken = runs["broken"]
    assert broken.rc != 0
    assert "../descriptions/example-org.yml:gestixi_mail_domains[0].users[" in broken.output
    assert "alice@example.org is declared twice" in broken.output
    assert runs["digest_broken"] == runs["digest_first"]


def test_the_inventory_form_of_the_same_files_is_the_same_description(runs):
    moved = runs["inventory_form"]
    assert moved.rc == 0, moved.output[-3000:]
    assert moved.changes("mail1") == []
    assert runs["digest_inventory_form"] == runs["digest_first"]
