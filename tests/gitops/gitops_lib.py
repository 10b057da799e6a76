# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Helpers of the GitOps tests (imported by conftest.py and the tests): real ansible-playbook runs against a throw-away store.

Every run uses an inventory in a temporary folder whose hosts use the local connection and
whose store (state_store_path), Sieve folder (state_sieve_dir) and DKIM keys (state_dkim_key_dir)
are in that folder too.
The callback gestixi.mail.gestixi_plan is enabled and writes the plan of each run as JSON.
"""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from dataclasses import dataclass, field

import pytest
import yaml

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COLLECTION = os.path.join(REPO, "collections", "ansible_collections", "gestixi", "mail")
EXAMPLE_VARS = os.path.join(REPO, "inventories", "example", "group_vars", "mail")
DESCRIPTION_FILES = ("example-org.yml", "example-net.yml")


def example_variables() -> dict:
    """The example inventory's description variables, as YAML reads them."""
    variables = {}
    for name in DESCRIPTION_FILES:
        with open(os.path.join(EXAMPLE_VARS, name), encoding="utf-8") as handle:
            variables.update(yaml.safe_load(handle))
    return variables
BIN = os.path.dirname(sys.executable)
sys.path.insert(0, os.path.join(REPO, "collections"))


def tool(name: str) -> str:
    path = os.path.join(BIN, name)
    if not os.access(path, os.X_OK):
        pytest.skip("%s is not installed next to %s" % (name, sys.executable))
    return path


@dataclass
class Run:
    rc: int
    output: str
    plan: dict = field(default_factory=dict)

    def host(self, name: str) -> dict:
        return self.plan.get("hosts", {}).get(name, {})

    def changes(self, name: str) -> list[dict]:
        return self.host(name).get("changes", [])


class Workspace:
    """A temporary inventory, store and Sieve folder."""

    def __init__(self, root: str) -> None:
        self.root = root
        self.inventory = os.path.join(root, "inventory")
        self.store_dir = os.path.join(root, "store")
        self.store = os.path.join(self.store_dir, "mail.sqlite")
        self.sieve_dir = os.path.join(root, "sieve")
        self.runs = 0
        os.makedirs(os.path.join(self.inventory, "group_vars", "mail"), exist_ok=True)
        os.makedirs(os.path.join(self.inventory, "host_vars"), exist_ok=True)
        os.makedirs(self.store_dir, exist_ok=True)

    def host_settings(self) -> dict:
        return {
            "ansible_connection": "local",
            "ansible_python_interpreter": "{{ ansible_playbook_python }}",
            "state_store_path": self.store,
            "state_sieve_dir": self.sieve_dir,
            # Keys in the workspace, for no signer: there is no rspamd (nor its group) here.
            "state_dkim_key_dir": os.path.join(self.root, "dkim", "{{ inventory_hostname }}"),
            "state_dkim_key_group": "",
            "state_sender_lists_dir": os.path.join(self.root, "senders", "{{ inventory_hostname }}"),
            "state_rspamd_service": "",
        }

    def hosts(self, names: list[str], host_vars: dict[str, str] | None = None) -> None:
        """The mail group with these hosts; host_vars holds YAML text per host."""
        inventory = {"mail": {"hosts": {name: None for name in names}, "vars": self.host_settings()}}
        self.write("hosts.yml", yaml.safe_dump(inventory, sort_keys=False))
        for name, text in (host_vars or {}).items():
            self.write(os.path.join("host_vars", "%s.yml" % name), text)

    def group_vars(self, name: str, text: str) -> None:
        self.write(os.path.join("group_vars", "mail", name), text)

    def use_example(self) -> None:
        """The example inventory's description files (copied, so that a test can change them)."""
        for name in DESCRIPTION_FILES:
            with open(os.path.join(EXAMPLE_VARS, name), encoding="utf-8") as handle:
                self.group_vars(name, handle.read())

    def write(self, relative: str, text: str) -> None:
        path = os.path.join(self.inventory, relative)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)

    def env(self, plan_json: str) -> dict:
        env = dict(os.environ)
        env.update({
            "ANSIBLE_CONFIG": os.path.join(REPO, "ansible.cfg"),
            "ANSIBLE_COLLECTIONS_PATH": os.path.join(REPO, "collections"),
            "ANSIBLE_CALLBACKS_ENABLED": "gestixi.mail.gestixi_plan",
            # Each workspace its own gate verdicts (plugin_utils/_verdicts.py).
            "GESTIXI_MAIL_GATE_CACHE": os.path.join(self.root, "gate-verdicts"),
            "GESTIXI_PLAN_JSON": plan_json,
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_FORCE_COLOR": "0",
            "ANSIBLE_LOCAL_TEMP": os.path.join(self.root, "ansible-tmp"),
            "ANSIBLE_REMOTE_TEMP": os.path.join(self.root, "ansible-tmp"),
            "ANSIBLE_HOME": os.path.join(self.root, "ansible-home"),
            "PATH": BIN + os.pathsep + env.get("PATH", ""),
        })
        for name in ("GESTIXI_PLAN_MARKDOWN", "ANSIBLE_STDOUT_CALLBACK", "ANSIBLE_VAULT_PASSWORD_FILE"):
            env.pop(name, None)
        return env

    def playbook(self, playbook: str, *arguments: str, timeout: int = 900) -> Run:
        self.runs += 1
        plan_json = os.path.join(self.root, "plan-%d.json" % self.runs)
        command = [tool("ansible-playbook"), "-i", self.inventory,
                   os.path.join(REPO, "playbooks", playbook)] + list(arguments)
        done = subprocess.run(command, env=self.env(plan_json), stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, timeout=timeout, check=False)
        plan = {}
        if os.path.exists(plan_json):
            with open(plan_json, encoding="utf-8") as handle:
                plan = json.load(handle)
        return Run(done.returncode, done.stdout, plan)

    def digest(self) -> dict[str, str]:
        """sha256 of the store file and of every file in the Sieve folder."""
        found = {}
        if os.path.exists(self.store):
            found["store"] = _sha256(self.store)
        for folder, _dirs, files in os.walk(self.sieve_dir):
            for name in files:
                path = os.path.join(folder, name)
                found[os.path.relpath(path, self.sieve_dir)] = _sha256(path)
        return found


    def mail_content(self) -> dict:
        """The mail the store and the Sieve folder hold: the rows of the mail tables and the
        scripts, without what the runs keep about them (the store's record, the manifest)."""
        import sqlite3  # noqa: PLC0415

        conn = sqlite3.connect("file:%s?mode=ro" % self.store, uri=True)
        try:
            found: dict = {table: sorted(conn.execute("SELECT * FROM %s" % table).fetchall())
                           for table in ("domains", "users", "aliases", "alias_recipients", "responders")}
        finally:
            conn.close()
        found.update((name, digest) for name, digest in self.digest().items()
                     if name != "store" and name.endswith(".sieve"))
        return found


def _sha256(path: str) -> str:
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def change_lines(changes: list[dict]) -> list[str]:
    from ansible_collections.gestixi.mail.plugins.plugin_utils._plan import change_line, sorted_changes

    return [change_line(change) for change in sorted_changes(changes)]
