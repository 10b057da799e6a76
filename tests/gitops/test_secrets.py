# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Passwords from Ansible Vault (a vault file and an inline !vault string) and ready hashes:
accepted by the check, hashed once, never re-hashed, and never in any output, even at -vvv."""
from __future__ import annotations

import os
import sqlite3
import subprocess

import pytest

from gitops_lib import tool

ALICE = "alice-Vault-File-9431"
BOB = "bob-Inline-Vault-2286"
CAROL_HASH = ("{SHA512-CRYPT}$6$3uVpMh6lC7fT5V20$IgoTFT6IwAFpXXrYRS4oljGmqcbpfVw3lxxaA7AbbDA9TiPZgo9ZUmVxxbmCNjkt"
              "7024e4iw65YY7qWE9fyhu.")


def vault(ws, *arguments: str, text: str | None = None) -> str:
    done = subprocess.run([tool("ansible-vault")] + list(arguments) + ["--vault-password-file", ws.vault_pass],
                          input=text, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          env=ws.env(os.path.join(ws.root, "unused.json")), check=True)
    return done.stdout


@pytest.fixture(scope="module")
def runs(module_workspace):
    ws = module_workspace
    ws.vault_pass = os.path.join(ws.root, "vault-pass")
    with open(ws.vault_pass, "w", encoding="utf-8") as handle:
        handle.write("test-vault-password\n")
    ws.hosts(["mail1"])
    inline = vault(ws, "encrypt_string", "--stdin-name", "vault_bob_password", text=BOB)
    ws.group_vars("inline.yml", "---\n" + inline)
    ws.group_vars("vault.yml", vault(ws, "encrypt", "--output", "-", text="vault_alice_password: %s\n" % ALICE))
    ws.group_vars("description.yml", """---
gestixi_mail_domains:
  - name: example.org
    users:
      - login: alice
        password: "{{ vault_alice_password }}"
      - login: bob
        password: "{{ vault_bob_password }}"
      - login: carol
        password: "%s"
""" % CAROL_HASH)
    out = {"apply": ws.playbook("mail.yml", "--diff", "-vvv", "--vault-password-file", ws.vault_pass)}
    with sqlite3.connect(ws.store) as conn:
        out["hashes"] = dict(conn.execute("SELECT login, password FROM users"))
    out["again"] = ws.playbook("mail.yml", "--diff", "-vvv", "--vault-password-file", ws.vault_pass)
    out["plan"] = ws.playbook("mail.yml", "--check", "--diff", "-vvv", "--vault-password-file", ws.vault_pass)
    with sqlite3.connect(ws.store) as conn:
        out["hashes_after"] = dict(conn.execute("SELECT login, password FROM users"))
    return out


def test_vault_passwords_are_accepted_and_hashed_once(runs):
    assert runs["apply"].rc == 0, runs["apply"].output[-3000:]
    hashes = runs["hashes"]
    assert hashes["alice"].startswith("{ARGON2ID}$argon2id$") and hashes["bob"].startswith("{ARGON2ID}$argon2id$")
    assert hashes["carol"] == CAROL_HASH
    for name in ("again", "plan"):
        assert runs[name].rc == 0, runs[name].output[-3000:]
        assert runs[name].changes("mail1") == [], name
    assert runs["hashes_after"] == hashes  # verified, never hashed again


def test_no_secret_in_any_output(runs):
    secrets = [ALICE, BOB, CAROL_HASH, CAROL_HASH.split("$")[-1]] + \
        [value for value in runs["hashes"].values()] + [value.split("$")[-1] for value in runs["hashes"].values()]
    for name in ("apply", "again", "plan"):
        text = runs[name].output + repr(runs[name].plan)
        for secret in secrets:
            assert secret not in text, (name, secret[:12])
    assert "password: (set)" in runs["apply"].output
