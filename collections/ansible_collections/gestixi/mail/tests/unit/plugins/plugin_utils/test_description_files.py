# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Description files (gestixi_mail_description_files): the same description as the inventory
form, problems named in their file, and an unchanged file neither loaded nor checked again."""
from __future__ import annotations

import pytest
import yaml
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar

from ansible_collections.gestixi.mail.plugins.module_utils.rules._alias_graph import AliasLimits
from ansible_collections.gestixi.mail.plugins.plugin_utils import _description_check, _description_files

HASH = "{SHA512-CRYPT}$6$saltsaltsaltsalt$" + "a" * 86
BOB = {"login": "bob", "password": HASH}
AWAY = {"name": "away", "subject": "Away", "message": "Back soon", "start": "2099-07-01", "end": "2099-07-31"}
ORG = [{"name": "example.org", "users": [BOB, {"login": "eve", "password": HASH, "responders": [AWAY]}],
        "aliases": [{"address": "all", "to": []}, {"address": "contact", "to": ["bob"]}]}]
NET = [{"name": "example.net", "users": [{"login": "julie", "password": HASH}]}]


@pytest.fixture(autouse=True)
def verdicts(tmp_path, monkeypatch):
    monkeypatch.setenv("GESTIXI_MAIL_GATE_CACHE", str(tmp_path / "verdicts"))


def write(folder, name: str, variables: dict | str) -> str:
    path = folder / name
    path.write_text(variables if isinstance(variables, str) else yaml.safe_dump(variables), encoding="utf-8")
    return str(path)


def gate(task_vars: dict, **kwargs) -> _description_check.CheckedDescription:
    """The gate as the action plugins run it, with Ansible's own templar of the host's variables."""
    templar = Templar(loader=DataLoader(), variables=task_vars)
    return _description_check.check_host_description(templar, task_vars, **kwargs)


def problems_of(checked) -> list[tuple[str, str]]:
    return [(problem.path, problem.message) for problem in checked.problems]


def test_files_give_the_description_the_inventory_would(tmp_path):
    folder = tmp_path / "descriptions"
    folder.mkdir()
    write(folder, "b-net.yml", {"gestixi_mail_domains__net": NET})
    write(folder, "a-org.yml", {"gestixi_mail_domains": ORG})
    write(folder, "notes.txt", "not a description file")
    inventory = gate({"gestixi_mail_domains": ORG, "gestixi_mail_domains__net": NET})
    files = gate({"gestixi_mail_description_files": "descriptions", "inventory_dir": str(tmp_path)})
    assert inventory.valid and files.valid, problems_of(files)
    assert files.domains() == inventory.domains()
    assert [item["name"] for item in files.domains()] == ["example.org", "example.net"]
    # The host's record of a converge compares this digest: either form converges the same.
    assert files.converge_digest(AliasLimits()) == inventory.converge_digest(AliasLimits())
    assert files.result()["sources"] == ["descriptions/a-org.yml:gestixi_mail_domains",
                                         "descriptions/b-net.yml:gestixi_mail_domains__net"]
    assert files.result()["counts"] == inventory.result()["counts"] == {
        "domains": 2, "users": 3, "aliases": 2, "responders": 1}


def test_the_inventory_and_files_join_and_each_variable_is_given_once(tmp_path):
    path = write(tmp_path, "net.yml", {"gestixi_mail_domains__net": NET})
    joined = gate({"gestixi_mail_domains": ORG, "gestixi_mail_description_files": [path]})
    assert joined.valid and [item["name"] for item in joined.domains()] == ["example.org", "example.net"]
    twice = gate({"gestixi_mail_domains__net": NET, "gestixi_mail_description_files": [path]})
    assert problems_of(twice) == [("%s:gestixi_mail_domains__net" % path,
                                   "is also defined in the inventory: give each variable once")]


def test_a_problem_is_named_in_its_file(tmp_path):
    twice = [{"name": "example.org", "users": [{"login": "bob", "password": HASH}, {"login": "bob", "password": HASH}]}]
    path = write(tmp_path, "org.yml", {"gestixi_mail_domains": twice})
    checked = gate({"gestixi_mail_description_files": path})
    assert problems_of(checked) == [("%s:gestixi_mail_domains[0].users[1].login" % path,
                                     "the user bob@example.org is declared twice (also at gestixi_mail_domains[0].users[0])")]
    assert checked.problems[0].item == "%s:gestixi_mail_domains[0].users[1]" % path


@pytest.mark.parametrize("text,expected", [
    ("gestixi_mail_domains: [", "is not valid YAML (line 2, column 1)"),
    ("- name: example.org\n", "must be a mapping of description variables"),
    ("gestixi_mail_domains:\n  - name: example.org\n    users:\n      - login: bob\n        password: !vault |\n"
     "          $ANSIBLE_VAULT;1.1;AES256\n          6162\n", "holds a !vault value (line 5)"),
])
def test_a_file_that_is_not_description_data_is_refused(tmp_path, text, expected):
    path = write(tmp_path, "bad.yml", text)
    found = problems_of(gate({"gestixi_mail_description_files": [path]}))
    assert len(found) == 1 and found[0][0] == path and found[0][1].startswith(expected), found


def test_files_are_not_templated_and_hold_only_description_variables(tmp_path):
    templated = [{"name": "example.org", "users": [{"login": "bob", "password": "{{ vault_bob }}"}]}]
    path = write(tmp_path, "org.yml", {"gestixi_mail_domains": templated, "gestixi_mail_purge_domains": True})
    found = problems_of(gate({"gestixi_mail_description_files": [path]}))
    assert [where for where, _message in found] == [
        "%s:gestixi_mail_domains[0].users[0].password" % path, "%s:gestixi_mail_purge_domains" % path]
    assert "description files are not templated" in found[0][1]
    assert "is not a description variable" in found[1][1]


def test_a_missing_path_is_named_where_it_is_listed(tmp_path):
    found = problems_of(gate({"gestixi_mail_description_files": ["gone.yml"], "inventory_dir": str(tmp_path)}))
    assert found == [("gestixi_mail_description_files[0]", "cannot be read: No such file or directory")]
    found = problems_of(gate({"gestixi_mail_description_files": ["relative.yml"]}))
    assert found[0][0] == "gestixi_mail_description_files[0]" and "give an absolute path" in found[0][1]
    assert problems_of(gate({"gestixi_mail_description_files": [3]}))[0][0] == "gestixi_mail_description_files"


def test_unchanged_files_are_neither_loaded_nor_checked_again(tmp_path, monkeypatch):
    path = write(tmp_path, "org.yml", {"gestixi_mail_domains": ORG})
    task_vars = {"gestixi_mail_description_files": [path]}
    first = gate(task_vars)
    assert first.valid and not first.trusted

    def refused(*_args, **_kwargs):
        raise AssertionError("loaded or checked again")

    with monkeypatch.context() as patched:
        patched.setattr(_description_files.DescriptionFile, "load", refused)
        patched.setattr(_description_check, "check_description", refused)
        again = gate(task_vars)
        assert again.trusted and again.digest == first.digest
        assert again.result() == first.result()
        assert again.converge_digest(AliasLimits()) == first.converge_digest(AliasLimits())
        assert not again.has_plaintext_passwords()
        # Other limits: the digest recorded with the files does not apply to them.
        with pytest.raises(AssertionError, match="loaded or checked again"):
            again.converge_digest(AliasLimits(5, 5))
    # The items are there when the host needs them.
    assert again.domains() == first.domains()
    # One byte changed: loaded and checked.
    write(tmp_path, "org.yml", {"gestixi_mail_domains": ORG + NET})
    with monkeypatch.context() as patched:
        patched.setattr(_description_check, "check_description", refused)
        with pytest.raises(AssertionError, match="loaded or checked again"):
            gate(task_vars)
    changed = gate(task_vars)
    assert changed.valid and len(changed.domains()) == 2 and changed.digest != first.digest


def test_a_file_inside_an_inventory_folder_is_a_warning(tmp_path):
    """Ansible parses every file of an inventory folder as an inventory source, before every run."""
    inventory = tmp_path / "inventory"
    (inventory / "group_vars" / "mail").mkdir(parents=True)
    (inventory / "descriptions").mkdir()
    (tmp_path / "descriptions").mkdir()
    inside = write(inventory / "descriptions", "org.yml", {"gestixi_mail_domains": ORG})
    beside = write(tmp_path / "descriptions", "net.yml", {"gestixi_mail_domains__net": NET})
    kept = write(inventory / "group_vars" / "mail", "notes.yml", {"gestixi_mail_domains__kept": []})
    checked = gate({"gestixi_mail_description_files": [inside, beside, kept],
                    "ansible_inventory_sources": [str(inventory)]})
    assert checked.valid, problems_of(checked)
    assert len(checked.warnings) == 1 and checked.warnings[0].startswith(inside + " is in the inventory folder")
    # Remembered verdicts say it again.
    assert gate({"gestixi_mail_description_files": [inside, beside, kept],
                 "ansible_inventory_sources": [str(inventory)]}).warnings == checked.warnings
    # An inventory file (not a folder) reads nothing else.
    hosts = write(inventory, "hosts.yml", "all: {}\n")
    assert gate({"gestixi_mail_description_files": [inside], "ansible_inventory_sources": [hosts]}).warnings == []
