# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The manifest of _sieve_sync: an unchanged store renders nothing; any change or drift does."""
from __future__ import annotations

import os

import pytest

from ansible_collections.gestixi.mail.plugins.module_utils.sieve import _sync
from ansible_collections.gestixi.mail.plugins.module_utils.sieve._sync import MANIFEST, plan_scripts
from ansible_collections.gestixi.mail.plugins.module_utils.store._sqlite import SQLiteStore as Store


class FakeModule:
    check_mode = False

    def get_bin_path(self, name):
        return None


@pytest.fixture
def conn(store_conn):
    c = store_conn
    c.execute("INSERT INTO domains (name, timezone) VALUES ('example.org', 'Europe/Paris')")
    for login in ("alice", "bob"):
        c.execute("INSERT INTO users (address, domain, login, password) VALUES (?, 'example.org', ?, 'x')",
                  ("%s@example.org" % login, login))
    c.execute("INSERT INTO responders (domain, login, name, subject, message) "
              "VALUES ('example.org', 'alice', 'holidays', 'Away', 'Back on Monday.')")
    return c


def sync(conn, sieve_dir: str):
    scripts = plan_scripts(conn, sieve_dir)
    scripts.prepare(FakeModule(), None)
    scripts.activate(None)
    scripts.discard()
    return scripts


def test_unchanged_store_is_not_rendered_again(conn, tmp_path, monkeypatch):
    sieve_dir = str(tmp_path)
    first = sync(conn, sieve_dir)
    assert [key for key, record in first.plan.created] == ["example.org/alice"]
    assert os.path.exists(os.path.join(sieve_dir, MANIFEST))
    monkeypatch.setattr(_sync, "wanted_scripts", lambda c: pytest.fail("rendered again"))
    again = sync(conn, sieve_dir)
    assert again.plan.counts() == {"created": 0, "updated": 0, "removed": 0, "unchanged": 1}
    assert not again.plan.changed


def test_a_change_of_any_input_renders_again(conn, tmp_path):
    sieve_dir = str(tmp_path)
    sync(conn, sieve_dir)
    changes = [
        "UPDATE responders SET subject = 'Gone'",
        "INSERT INTO aliases (address, domain, local_part) VALUES ('c@example.org', 'example.org', 'c')",
        "INSERT INTO alias_recipients (alias, recipient) VALUES ('c@example.org', 'alice@example.org')",
        "UPDATE domains SET timezone = 'UTC'",
        "UPDATE users SET enabled = 0 WHERE login = 'bob'",
        "INSERT INTO responders (domain, login, name, subject, message) "
        "VALUES ('example.org', '', 'closure', 'Closed', 'Closed today.')",
    ]
    for statement in changes:
        before = _sync._read_manifest(sieve_dir)["fingerprint"]
        conn.execute(statement)
        scripts = sync(conn, sieve_dir)
        assert _sync._read_manifest(sieve_dir)["fingerprint"] != before, statement
        assert scripts.manifest is None, statement
    assert sorted(os.listdir(os.path.join(sieve_dir, "example.org"))) == ["alice.sieve"]  # bob is disabled


def test_a_password_change_renders_nothing(conn, tmp_path, monkeypatch):
    sync(conn, str(tmp_path))
    conn.execute("UPDATE users SET password = 'y', quota_bytes = 1024, display_name = 'Bob'")
    monkeypatch.setattr(_sync, "wanted_scripts", lambda c: pytest.fail("rendered again"))
    assert not sync(conn, str(tmp_path)).plan.changed


def test_a_missing_or_extra_script_file_is_repaired(conn, tmp_path):
    sieve_dir = str(tmp_path)
    sync(conn, sieve_dir)
    os.unlink(os.path.join(sieve_dir, "example.org", "alice.sieve"))
    assert [key for key, record in sync(conn, sieve_dir).plan.created] == ["example.org/alice"]
    (tmp_path / "example.org" / "mallory.sieve").write_text("keep;\n")
    assert [key for key, record in sync(conn, sieve_dir).plan.removed] == ["example.org/mallory"]


def test_an_interrupted_activation_leaves_no_manifest(conn, tmp_path, monkeypatch):
    sieve_dir = str(tmp_path)
    sync(conn, sieve_dir)
    conn.execute("UPDATE responders SET subject = 'Gone'")
    scripts = plan_scripts(conn, sieve_dir)
    scripts.prepare(FakeModule(), None)

    def broken(*args):
        raise OSError("disk full")
    monkeypatch.setattr(_sync.os, "replace", broken)
    with pytest.raises(OSError):
        scripts.activate(None)
    scripts.discard()
    assert not os.path.exists(os.path.join(sieve_dir, MANIFEST))
    monkeypatch.undo()
    assert [key for key, before, after in sync(conn, sieve_dir).plan.updated] == ["example.org/alice"]


def test_check_mode_and_a_missing_folder_write_no_manifest(conn, tmp_path):
    sieve_dir = str(tmp_path / "sieve")
    scripts = plan_scripts(conn, sieve_dir)
    module = FakeModule()
    module.check_mode = True
    scripts.prepare(module, None)
    scripts.discard()  # run_converge never activates in check mode
    assert not os.path.exists(sieve_dir)
    conn.execute("DELETE FROM responders")
    sync(conn, sieve_dir)  # nothing to write: the folder is not created for a manifest
    assert not os.path.exists(sieve_dir)


def test_the_store_stamp_changes_with_every_commit(tmp_path):
    path = str(tmp_path / "mail.sqlite")
    store = Store(path)
    with store.transaction() as conn:
        conn.execute("INSERT INTO domains (name) VALUES ('example.org')")
    first = store.stamp()
    with store.transaction() as conn:
        assert store.stamp() == first  # inside a transaction: what it sees
        conn.execute("UPDATE domains SET timezone = 'Europe/Paris'")
    assert store.stamp() != first
    with store.transaction():
        pass
    assert store.stamp() == store.stamp()
    store.close()
    assert Store(str(tmp_path / "absent.sqlite"), check_mode=True).stamp() is None


def test_a_known_stamp_needs_no_fingerprint(conn, tmp_path, monkeypatch):
    sieve_dir = str(tmp_path)
    sync(conn, sieve_dir)  # a converge that changed the store: no stamp recorded
    scripts = plan_scripts(conn, sieve_dir, ["stamp"])  # fingerprint matches: stamp recorded
    assert scripts.manifest is not None
    scripts.activate(["stamp"])
    assert _sync._read_manifest(sieve_dir)["store"] == ["stamp"]
    monkeypatch.setattr(_sync, "inputs_fingerprint", lambda *a: pytest.fail("fingerprinted"))
    assert plan_scripts(conn, sieve_dir, ["stamp"]).plan.unchanged == 1
    monkeypatch.undo()
    conn.execute("UPDATE responders SET subject = 'Gone'")
    assert plan_scripts(conn, sieve_dir, ["other stamp"]).manifest is None  # rendered again


def test_changed_code_invalidates_the_manifest(conn, tmp_path, monkeypatch):
    sync(conn, str(tmp_path))
    monkeypatch.setattr(_sync, "code_digest", lambda: "new code")
    assert plan_scripts(conn, str(tmp_path)).manifest is None
