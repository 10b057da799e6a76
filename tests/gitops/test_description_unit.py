# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fast checks of the pieces behind the GitOps flow, without running ansible-playbook.

- the JSON Schema is a valid draft-07 schema and agrees with jsonschema's own verdicts; the
  role's meta/argument_specs.yml leaves the description to it;
- the example inventory is valid for the schema (as an editor sees it) and for every check;
- converge_calls maps the description onto the modules' real options;
- the plan and its Markdown; tools/hash_password; tools/plan_summary.py.
"""
from __future__ import annotations

import copy
import datetime
import json
import os
import subprocess
import sys

import pytest
import yaml

from gitops_lib import COLLECTION, DESCRIPTION_FILES, EXAMPLE_VARS, REPO

from ansible_collections.gestixi.mail.plugins.module_utils import _errors as errors
from ansible_collections.gestixi.mail.plugins.module_utils.converge import _translate as translate
from ansible_collections.gestixi.mail.plugins.plugin_utils import _description_check as description_check
from ansible_collections.gestixi.mail.plugins.module_utils.rules import _structure as description_schema
from ansible_collections.gestixi.mail.plugins.plugin_utils import _description_sources as description_sources
from ansible_collections.gestixi.mail.plugins.plugin_utils import _description_yaml as description_yaml
from ansible_collections.gestixi.mail.plugins.plugin_utils import _plan as plan

jsonschema = pytest.importorskip("jsonschema")

SCHEMA = description_schema.load_schema()
ARGUMENT_SPECS = os.path.join(COLLECTION, "roles", "state", "meta", "argument_specs.yml")


def example_variables() -> dict:
    variables = {}
    for name in DESCRIPTION_FILES:
        with open(os.path.join(EXAMPLE_VARS, name), encoding="utf-8") as handle:
            variables.update(yaml.safe_load(handle))
    return variables


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

def test_schema_is_valid_draft7():
    jsonschema.Draft7Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "http://json-schema.org/draft-07/schema#"


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


def test_role_arguments_leave_the_description_to_our_check():
    """Ansible's own check of a declared description copies all of it into a task (seconds for
    10,000 users) and stops at the first problem without its YAML path: not declared."""
    with open(ARGUMENT_SPECS, encoding="utf-8") as handle:
        specs = yaml.safe_load(handle)["argument_specs"]
    main = specs["main"]["options"]
    assert not [name for name in main if name.startswith(description_sources.DESCRIPTION_VAR)]
    for name in description_sources.KNOWN_VARS[1:]:
        assert name in main
    assert "meta/description.schema.json" in " ".join(specs["main"]["description"])
    assert specs["validate"]["options"] == {}  # see the comment there: our check names YAML paths


# --- the checks, directly ----------------------------------------------------------------

BASE = {"gestixi_mail_domains": [{"name": "example.org", "users": [{"login": "alice", "password": "x"}],
                                  "aliases": [{"address": "contact", "to": ["alice"]}]}]}


def test_plain_text_password_only_from_vault_or_template():
    variables = copy.deepcopy(BASE)
    problems, _ = description_check.check_description(variables)
    assert [p.path for p in problems] == ["gestixi_mail_domains[0].users[0].password"]
    problems, _ = description_check.check_description(variables, vaulted={"gestixi_mail_domains[0].users[0].password"})
    assert problems == []
    variables["gestixi_mail_allow_plaintext_passwords"] = True
    assert description_check.check_description(variables)[0] == []


def test_warning_for_an_enabled_reply_that_has_ended():
    variables = copy.deepcopy(BASE)
    variables["gestixi_mail_allow_plaintext_passwords"] = True
    variables["gestixi_mail_domains"][0]["responders"] = [
        {"name": "old", "subject": "s", "message": "m", "end": datetime.date(2020, 1, 1)}]
    problems, warnings = description_check.check_description(variables, today=datetime.date(2026, 11, 27))
    assert problems == []
    assert warnings == ["gestixi_mail_domains[0].responders[0].end: the automatic reply ended on 2020-01-01; "
                        "it no longer answers (remove it or set enabled: false)"]


def test_split_variables_are_joined_in_name_order():
    names = ["gestixi_mail_domains__b", "other", "gestixi_mail_domains", "gestixi_mail_domains__a"]
    assert description_sources.source_names(names) == ["gestixi_mail_domains", "gestixi_mail_domains__a",
                                               "gestixi_mail_domains__b"]
    assert description_sources.near_miss_vars(["gestixi_mail_domain", "gestixi_mail_purge_domain", "gestixi_mail_other",
                                       "gestixi_mail_domains_shop"]) == [
        ("gestixi_mail_domain", "gestixi_mail_domains"),
        ("gestixi_mail_purge_domain", "gestixi_mail_purge_domains"),
        ("gestixi_mail_domains_shop", "gestixi_mail_domains__<suffix>")]


def test_yaml_paths():
    assert errors.yaml_path("gestixi_mail_domains", 0, "aliases", 3, "to", 1) == \
        "gestixi_mail_domains[0].aliases[3].to[1]"
    assert errors.yaml_path("v", "odd key") == 'v["odd key"]'


# --- the module calls ----------------------------------------------------------------------

def test_converge_calls_use_the_modules_options():
    variables = example_variables()
    domains = variables["gestixi_mail_domains"] + variables["gestixi_mail_domains__example_net"]
    calls = translate.converge_calls(domains)
    org, net = calls
    assert org["name"] == "example.org" and org["purge"] is True and net["purge"] is False
    assert org["domain"] == {"name": "example.org", "timezone": "Europe/Paris"}
    assert org["catchall"] == {"name": "example.org", "catchall": "postmaster@example.org"}
    assert net["catchall"] == {"name": "example.net", "catchall": ""}
    alice = org["users"][0]
    assert sorted(alice) == ["enabled", "login", "name", "password", "quota"]
    assert (alice["quota"], alice["enabled"]) == ("2G", True)
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


def test_converge_calls_accept_yaml_dates_and_a_single_recipient():
    calls = translate.converge_calls([{"name": "example.org", "aliases": [{"address": "a", "to": "bob@x.example"}],
                                         "users": [{"login": "u", "responders": [
                                             {"name": "r", "start": datetime.date(2026, 1, 2)}]}]}])
    assert calls[0]["aliases"] == [{"address": "a@example.org", "to": ["bob@x.example"]}]
    assert calls[0]["responders"][0]["start"] == "2026-01-02"
    assert calls[0]["responders"][0]["end"] == ""
    assert calls[0]["responders"][0]["body"] == "" and "message" not in calls[0]["responders"][0]
    assert "password" not in calls[0]["users"][0]  # kept as it is on the server


# --- the plan ------------------------------------------------------------------------------

CHANGES = [{"action": "create", "kind": "user", "key": "heidi@example.org"},
           {"action": "update", "kind": "alias", "key": "contact@example.org", "fields": ["to"]},
           {"action": "remove", "kind": "responder", "key": "alice@example.org/holidays"}]


def test_plan_lines_and_merging():
    results = [{"results": [{"changes": CHANGES[:1]}, {"skipped": True}]},
               {"changes": CHANGES[1:] + [{"action": "update", "kind": "user", "key": "heidi@example.org",
                                           "fields": ["name"]}]},
               {"failed": True, "changes": [{"action": "create", "kind": "user", "key": "ignored"}]}]
    changes = plan.changes_of(results)
    assert changes == CHANGES  # the update of a user created by this run is part of its creation
    assert plan.plan_lines(changes, host="mail1") == [
        "Plan for mail1: 1 to create, 1 to change, 1 to remove (check mode: nothing was changed)",
        "+ user heidi@example.org", "~ alias contact@example.org (to)", "- responder alice@example.org/holidays"]
    assert plan.plan_lines([], host="mail1", check_mode=False) == ["Applied on mail1: no changes"]


def test_plan_speaks_the_descriptions_words():
    changes = plan.changes_of([{"changes": [{"action": "update", "kind": "responder", "key": "alice@example.org/holidays",
                                             "fields": ["body", "end"]}]}])
    assert changes[0]["fields"] == ["message", "end"]


def test_markdown_groups_hosts_and_reports_problems():
    run = {"check_mode": True, "hosts": {"mail2": {"changes": CHANGES}, "mail1": {"changes": CHANGES},
                                         "mail3": {"changes": []}}}
    text = plan.markdown(run)
    assert "### `mail1`, `mail2`" in text and "### `mail3`" in text
    assert text.count("| ➕ create | user | `heidi@example.org` |  |") == 1
    failed = {"check_mode": True, "hosts": {"mail1": {"failed": True, "problems": [
        {"path": "gestixi_mail_domains[0].users[1].login", "message": "'Bob' is not a valid login"}]}}}
    text = plan.markdown(failed)
    assert ":x: **The mail description has 1 problem**; no server was changed:" in text
    assert "- `gestixi_mail_domains[0].users[1].login`: 'Bob' is not a valid login" in text


def test_plan_summary_renders_a_json_file(tmp_path):
    path = tmp_path / "plan.json"
    path.write_text(json.dumps({"format": 1, "check_mode": True, "hosts": {"mail1": {"changes": CHANGES}}}))
    done = subprocess.run([sys.executable, os.path.join(REPO, "tools", "plan_summary.py"), str(path)],
                          stdout=subprocess.PIPE, text=True, check=True)
    assert done.stdout.startswith("## Mail plan\n")
    assert "**Plan**: 1 to create, 1 to change, 1 to remove." in done.stdout


# --- export formatting, password tool -----------------------------------------------------

def test_description_yaml_round_trips():
    variables = {"gestixi_mail_domains": [{"name": "example.org", "aliases": [{"address": "a", "to": ["b", "c"]}],
                                           "responders": [{"name": "r", "subject": "s", "message": "one\ntwo\n",
                                                           "start": "2026-12-20"}]}]}
    text = description_yaml.description_yaml(variables)
    assert "    aliases:\n      - address: a\n        to: [b, c]\n" in text
    assert "        message: |\n          one\n          two\n" in text
    assert "        start: '2026-12-20'\n" in text
    assert yaml.safe_load(text) == variables


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


def test_long_plans_are_cut_for_people_not_for_machines():
    many = [{"action": "create", "kind": "user", "key": "u%05d@example.org" % i} for i in range(10000)]
    lines = plan.plan_lines(many, host="big", limit=200)
    assert len(lines) == 202 and lines[-1] == "... and 9800 more change(s)"
    text = plan.markdown({"check_mode": True, "hosts": {"big": {"changes": many, "diffs": [
        {"before_header": "user (store)", "after_header": "user (wanted)", "before": "",
         "after": "".join("u%05d@example.org:\n  name: x\n" % i for i in range(10000))}]}}})
    assert len(text) <= plan.MAX_MARKDOWN + 100
    assert "| | ... | 9700 more change(s) | see the job log |" in text
    assert "**Plan**: 10000 to create." in text


def test_warning_before_purging_every_domain():
    problems, warnings = description_check.check_description({"gestixi_mail_domains": [],
                                                        "gestixi_mail_purge_domains": True})
    assert problems == []
    assert warnings == ["gestixi_mail_purge_domains is true and the description names no domain: every domain "
                        "of the store will be removed, with its users, aliases and automatic replies"]
