# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""gestixi_config_files, run as Ansible runs it (AnsibleModule on real files)."""
from __future__ import annotations

import json
import os
import stat

import pytest

from ansible.module_utils.testing import patch_module_args

from ansible_collections.gestixi.mail.plugins.modules import gestixi_config_files


def run(capsys, check_mode=False, diff=False, **args) -> dict:
    args = {**args, "_ansible_check_mode": check_mode, "_ansible_diff": diff}
    with patch_module_args(args), pytest.raises(SystemExit):
        gestixi_config_files.main()
    return json.loads(capsys.readouterr().out)


def mode_of(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_writes_each_file_once_then_changes_nothing(tmp_path, capsys):
    files = [{"path": str(tmp_path / "a.cf"), "content": "query = a\n", "mode": "0644"},
             {"path": str(tmp_path / "b.cf"), "content": "query = b\n", "mode": "0640", "secret": True}]
    first = run(capsys, diff=True, files=files)
    assert first["changed"] and first["changed_files"] == [f["path"] for f in files]
    assert [d["before_header"] for d in first["diff"]] == [files[0]["path"]]  # no diff of a secret
    assert (tmp_path / "a.cf").read_text() == "query = a\n" and mode_of(tmp_path / "b.cf") == 0o640
    again = run(capsys, files=files)
    assert again["changed"] is False and again["changed_files"] == []
    assert sorted(os.listdir(tmp_path)) == ["a.cf", "b.cf"]  # no candidate left behind


def test_check_mode_reports_and_writes_nothing(tmp_path, capsys):
    (tmp_path / "a.cf").write_text("old\n")
    result = run(capsys, check_mode=True, diff=True, files=[
        {"path": str(tmp_path / "a.cf"), "content": "new\n"}, {"path": str(tmp_path / "new.cf"), "content": "x"}])
    assert result["changed_files"] == [str(tmp_path / "a.cf"), str(tmp_path / "new.cf")]
    assert result["diff"][0]["before"] == "old\n" and result["diff"][0]["after"] == "new\n"
    assert sorted(os.listdir(tmp_path)) == ["a.cf"] and (tmp_path / "a.cf").read_text() == "old\n"


def test_a_mode_alone_is_a_change(tmp_path, capsys):
    path = tmp_path / "a.cf"
    path.write_text("same\n")
    os.chmod(path, 0o600)
    result = run(capsys, files=[{"path": str(path), "content": "same\n", "mode": "0644"}])
    assert result["changed"] and mode_of(path) == 0o644


def test_one_refused_file_leaves_every_file_as_it_was(tmp_path, capsys):
    (tmp_path / "a.cf").write_text("old a\n")
    (tmp_path / "b.cf").write_text("old b\n")
    # grep -q exits 1 on a candidate without the word "good": b's new content is refused.
    result = run(capsys, validate="grep -q good %s", files=[
        {"path": str(tmp_path / "a.cf"), "content": "good a\n"}, {"path": str(tmp_path / "b.cf"), "content": "bad b\n"}])
    assert result["failed"] and result["msg"].startswith("%s: refused by grep" % (tmp_path / "b.cf"))
    assert (tmp_path / "a.cf").read_text() == "old a\n" and (tmp_path / "b.cf").read_text() == "old b\n"
    assert sorted(os.listdir(tmp_path)) == ["a.cf", "b.cf"]
    accepted = run(capsys, validate="grep -q good %s", files=[{"path": str(tmp_path / "b.cf"), "content": "good b\n"}])
    assert accepted["changed"] and (tmp_path / "b.cf").read_text() == "good b\n"


def test_a_missing_folder_is_named(tmp_path, capsys):
    result = run(capsys, files=[{"path": str(tmp_path / "nope" / "a.cf"), "content": "x"}])
    assert result["failed"] and "its folder %s does not exist" % (tmp_path / "nope") in result["msg"]
