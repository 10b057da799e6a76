# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fast checks of the pieces behind the GitOps flow that need the repository, without running
ansible-playbook (the collection's own logic is tested in its tests/unit).

- the JSON Schema agrees with jsonschema's own verdicts on the
  cases of test_invalid_descriptions.py and on the example inventory;
- the example inventory is valid for the schema (as an editor sees it) and for every check;
- converge_calls maps the example description onto the modules' real options;
- tools/plan_summary.py and tools/hash_password.
"""
from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys

import pytest
import yaml

from gitops_lib import COLLECTION, DESCRIPTION_FILES, EXAMPLE_VARS, REPO, example_variables

from ansible_collections.gestixi.mail.plugins.module_utils.converge import _translate as translate
from ansible_collections.gestixi.mail.plugins.plugin_utils import _description_check as description_check
from ansible_collections.gestixi.mail.plugins.module_utils.rules import _structure as description_schema
from ansible_collections.gestixi.mail.plugins.plugin_utils import _description_sources as description_sources

jsonschema = pytest.importorskip("jsonschema")

SCHEMA = description_schema.load_schema()


def as_editor_sees(value):
    """YAML 1.2 editors read an unquoted 2026-12-20 as text: the schema must accept both."""
    if isinstance(value, dict):
        return {k: as_editor_sees(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_editor_sees(v) for v in value]
    if isinstance(value, datetime.date):
        return value.isoformat() if not isinstance(value, datetime.datetime) else value.isoformat(sep=" ")
    return value


# --- the schema ---------------------------------------------------------------------------

def test_schema_is_where_the_docs_say():
    path = os.path.join(COLLECTION, "meta", "description.schema.json")
    with open(path, encoding="utf-8") as handle:
        assert json.load(handle) == description_schema.load_schema()  # tools/description_schema wrote it
    for name in DESCRIPTION_FILES:
        with open(os.path.join(EXAMPLE_VARS, name), encoding="utf-8") as handle:
            head = handle.read(300)
        ref = head.split("$schema=", 1)[1].split("\n", 1)[0]
        assert os.path.realpath(os.path.join(EXAMPLE_VARS, ref)) == os.path.realpath(path)


def test_example_is_valid_for_editors_and_for_every_check():
    variables = example_variables()
    assert list(jsonschema.Draft7Validator(SCHEMA).iter_errors(as_editor_sees(variables))) == []
    problems, warnings = description_check.check_description(variables, today=datetime.date(2026, 11, 27))
    assert [str(p) for p in problems] == []
    assert warnings == []
    counts = description_sources.summary([(n, variables[n]) for n in description_sources.source_names(list(variables))])
    assert counts == {"domains": 2, "users": 10, "aliases": 8, "responders": 4}


def _structure_ok(document: dict) -> bool:
    problems: list = []
    checker = description_schema.SchemaChecker(SCHEMA)
    return checker.check(document, SCHEMA, "", problems) and not problems


def test_our_walker_agrees_with_jsonschema():
    """On every case of the table: our structural verdict is jsonschema's (dates as editors see them)."""
    from test_invalid_descriptions import CASES, doc

    validator = jsonschema.Draft7Validator(SCHEMA, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
    documents = [yaml.safe_load(text) for _case, text, _expected in CASES] + [yaml.safe_load(doc())]
    documents.append(example_variables())
    checked = 0
    for document in documents:
        ours = _structure_ok(document)
        theirs = not list(validator.iter_errors(as_editor_sees(document)))
        if any(isinstance(v, datetime.datetime) for v in _leaves(document)):
            continue  # a date-and-time is text to an editor, and refused by us: on purpose
        assert ours == theirs, yaml.safe_dump(as_editor_sees(document))
        checked += 1
    assert checked >= 40


def _leaves(value):
    if isinstance(value, dict):
        for v in value.values():
            yield from _leaves(v)
    elif isinstance(value, list):
        for v in value:
            yield from _leaves(v)
    else:
        yield value


# --- YAML paths ---------------------------------------------------------------------------

# --- the module calls ----------------------------------------------------------------------

def test_converge_calls_use_the_modules_options():
    variables = example_variables()
    domains = variables["gestixi_mail_domains"] + variables["gestixi_mail_domains__example_net"]
    calls = translate.converge_calls(domains)
    org, net = calls
    assert org["name"] == "example.org" and org["purge"] is True and net["purge"] is False
    described_org = variables["gestixi_mail_domains"][0]
    assert org["domain"] == {"name": "example.org", "timezone": "Europe/Paris",
                             "dns": described_org["dns"], "dkim": described_org["dkim"],
                             "senders": described_org["senders"], "application": {}}
    assert net["domain"]["dkim"] == {}  # none described: the store's settings are removed
    assert net["domain"]["senders"] == {}
    assert org["catchall"] == {"name": "example.org", "catchall": "postmaster@example.org"}
    assert net["catchall"] == {"name": "example.net", "catchall": ""}
    alice = org["users"][0]
    assert sorted(alice) == ["app_passwords", "enabled", "login", "name", "password", "quota"]
    assert alice["app_passwords"] == [{"name": "phone", "services": ["imap", "smtp"],
                                       "password": described_org["users"][0]["app_passwords"][0]["password"]}]
    assert (alice["quota"], alice["enabled"]) == ("2G", True)
    bob = next(user for user in org["users"] if user["login"] == "bob")
    assert bob["app_passwords"] == []  # none described: none kept (revoked)
    emma = next(user for user in org["users"] if user["login"] == "emma")
    assert (emma["quota"], emma["name"]) == (0, "Emma Leroy")  # no quota in the description = unlimited
    assert org["logins"][0] == {"login": "alice"}
    assert {"address": "billing@example.org", "to": ["grace", "accounting@example.net"]} in org["aliases"]
    assert {"address": "all@example.org", "to": []} in org["aliases"]
    holidays = next(r for r in org["responders"] if r["name"] == "holidays")
    described = next(r for r in variables["gestixi_mail_domains"][0]["users"][0]["responders"] if r["name"] == "holidays")
    # The description's 'message' is the module's 'body' (Ansible reserves the option name 'message').
    assert holidays == {"login": "alice", "name": "holidays", "enabled": True, "subject": "Out of office",
                        "body": described["message"], "start": "2026-12-19", "end": "2027-01-04", "days": 7}
    closure = next(r for r in org["responders"] if r["name"] == "christmas-closure")
    assert closure["all_users"] is True and "login" not in closure


# --- tools/plan_summary.py ----------------------------------------------------------------

CHANGES = [{"action": "create", "kind": "user", "key": "heidi@example.org"},
           {"action": "update", "kind": "alias", "key": "contact@example.org", "fields": ["to"]},
           {"action": "remove", "kind": "responder", "key": "alice@example.org/holidays"}]


def test_plan_summary_renders_a_json_file(tmp_path):
    path = tmp_path / "plan.json"
    path.write_text(json.dumps({"format": 1, "check_mode": True, "hosts": {"mail1": {"changes": CHANGES}}}))
    done = subprocess.run([sys.executable, os.path.join(REPO, "tools", "plan_summary.py"), str(path)],
                          stdout=subprocess.PIPE, text=True, check=True)
    assert done.stdout.startswith("## Mail plan\n")
    assert "**Plan**: 1 to create, 1 to change, 1 to remove." in done.stdout


# --- tools/hash_password ------------------------------------------------------------------

def test_hash_password_tool():
    pytest.importorskip("passlib")
    tool = os.path.join(REPO, "tools", "hash_password")
    done = subprocess.run([sys.executable, tool, "--stdin", "--scheme", "sha512-crypt"], input="s3cret\n",
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, check=True)
    hashed = done.stdout.strip()
    assert hashed.startswith("{SHA512-CRYPT}$6$") and "s3cret" not in done.stdout + done.stderr
    from passlib.hash import sha512_crypt
    assert sha512_crypt.verify("s3cret", hashed[len("{SHA512-CRYPT}"):])
    done = subprocess.run([sys.executable, tool, "--stdin"], input="s3cret\n", stdout=subprocess.PIPE, text=True,
                          check=True)
    assert done.stdout.startswith("{ARGON2ID}$argon2id$v=19$m=65536,t=3,p=1$")
    assert description_check.check_description({"gestixi_mail_domains": [
        {"name": "example.org", "users": [{"login": "a", "password": done.stdout.strip()}]}]})[0] == []
    empty = subprocess.run([sys.executable, tool, "--stdin"], input="\n", stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, check=False)
    assert empty.returncode != 0 and "empty" in empty.stderr and empty.stdout == ""
    no_tty = subprocess.run([sys.executable, tool], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, check=False)
    assert no_tty.returncode != 0 and "--stdin" in no_tty.stderr
