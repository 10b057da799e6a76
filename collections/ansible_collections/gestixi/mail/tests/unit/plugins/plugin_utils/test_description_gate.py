# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The controller's gate: the rules the host uses, at YAML paths, with the servers' limits.

Each case is checked on both sides: the gate (check_description) and the host's converge of
the same description on an empty store (gestixi_mail's converge_description), which must
refuse it with the same problems at the same paths and write nothing.
"""
from __future__ import annotations

import datetime
import json
import re

import pytest

from ansible_collections.gestixi.mail.plugins.module_utils._errors import InvalidItem, MailStateError, printable
from ansible_collections.gestixi.mail.plugins.module_utils.converge._runner import check_converged
from ansible_collections.gestixi.mail.plugins.module_utils.converge._whole_description import converge_description
from ansible_collections.gestixi.mail.plugins.module_utils.rules import _responder, _user
from ansible_collections.gestixi.mail.plugins.module_utils.rules._alias_graph import AliasLimits
from ansible_collections.gestixi.mail.plugins.module_utils.store._store import Store
from ansible_collections.gestixi.mail.plugins.plugin_utils._description_check import check_description, report
from ansible_collections.gestixi.mail.plugins.module_utils.rules._structure import load_schema

HASH = "{SHA512-CRYPT}$6$saltsaltsaltsalt$" + "a" * 86


@pytest.fixture(autouse=True)
def no_verdicts_kept(monkeypatch):
    """Every check here runs (the verdicts of plugin_utils/_verdicts.py are tested below)."""
    monkeypatch.setenv("GESTIXI_MAIL_GATE_CACHE", "off")


TODAY = datetime.date(2026, 12, 1)


def user(login: str, **fields) -> dict:
    return {"login": login, "password": HASH, **fields}


def gate(domains: list, limits: AliasLimits = AliasLimits(), **variables) -> list[tuple[str, str]]:
    problems, _warnings = check_description({"gestixi_mail_domains": domains, **variables}, today=TODAY,
                                            limits=limits)
    return [(problem.path, problem.message) for problem in problems]


def host(domains: list, tmp_path, limits: AliasLimits = AliasLimits()) -> list[tuple[str, str]]:
    """The host's problems, named under its option; asserts that nothing was written."""
    path = str(tmp_path / "mail.sqlite")
    store = Store(path)
    params = {"domains": json.loads(json.dumps(domains)), "password_scheme": "SHA512-CRYPT", "purge_domains": False}
    store_params = {"alias_expansion_limit": limits.expansion, "alias_recursion_limit": limits.recursion}
    problems: list[tuple[str, str]] = []
    try:
        with store.transaction() as conn:
            check_converged(conn, converge_description(conn, params, store_params), limits)
            raise AssertionError("the host accepted the description")
    except MailStateError as exc:
        problems = [(problem.path, problem.message) for problem in exc.problems]
    finally:
        store.close()
    reopened = Store(path, read_only=True)
    try:
        assert reopened.conn.execute("SELECT count(*) FROM domains").fetchone()[0] == 0
    finally:
        reopened.close()
    return problems


def as_gate_names(problems: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The host names paths under its option domains; the gate under the variable."""
    return [(re.sub(r"(?<![\w.])domains\[", "gestixi_mail_domains[", path),
             re.sub(r"(?<![\w.])domains\[", "gestixi_mail_domains[", message)) for path, message in problems]


def chain(length: int) -> list[dict]:
    """a0 -> a1 -> ... -> a<length> -> u: length + 1 aliases nested in one another."""
    aliases = [{"address": "a%d" % i, "to": ["a%d" % (i + 1)]} for i in range(length)]
    aliases.append({"address": "a%d" % length, "to": ["u"]})
    return [{"name": "example.org", "users": [user("u")], "aliases": aliases}]


def test_a_chain_deeper_than_pythons_stack_is_judged_not_crashed(tmp_path):
    # 3,000 nested aliases: the old recursive loop check died with RecursionError here.
    assert gate(chain(3000), AliasLimits(1000, 5000)) == []
    refused = gate(chain(3000), AliasLimits(1000, 1000))
    assert len(refused) == 1
    path, message = refused[0]
    assert path == "gestixi_mail_domains[0].aliases[2001].to"
    assert "virtual_alias_recursion_limit 1000" in message
    assert as_gate_names(host(chain(3000), tmp_path, AliasLimits(1000, 1000))) == refused


def test_a_long_loop_is_named_at_the_recipient_that_closes_it(tmp_path):
    domains = chain(2000)
    domains[0]["aliases"][-1]["to"] = ["a0"]  # a2000 -> a0
    refused = gate(domains)
    assert [path for path, _message in refused] == ["gestixi_mail_domains[0].aliases[0].to[0]"]
    assert "is a loop" in refused[0][1]
    assert as_gate_names(host(domains, tmp_path)) == refused


def test_the_servers_expansion_limit_is_applied_by_the_gate(tmp_path):
    domains = [{"name": "example.org", "users": [user("u%d" % i) for i in range(4)],
                "aliases": [{"address": "all", "to": []}]}]
    assert gate(domains, AliasLimits(4, 1000)) == []
    refused = gate(domains, AliasLimits(3, 1000))
    assert refused == [("gestixi_mail_domains[0].aliases[0].to",
                        "alias all@example.org expands to 4 addresses (all 4 enabled users of example.org), "
                        "more than Postfix's virtual_alias_expansion_limit 3: mail to it would be deferred, "
                        "never delivered; split it into smaller aliases")]
    assert as_gate_names(host(domains, tmp_path, AliasLimits(3, 1000))) == refused


def test_an_alias_with_a_users_address_is_refused_alike(tmp_path):
    domains = [{"name": "example.org", "users": [user("bob")], "aliases": [{"address": "bob", "to": ["x@else.test"]}]}]
    refused = gate(domains)
    assert refused == [("gestixi_mail_domains[0].aliases[0].address",
                        "bob@example.org is both an alias and a user's mailbox: a user's address cannot be an "
                        "alias (remove the alias, or the user)")]
    assert as_gate_names(host(domains, tmp_path)) == refused


@pytest.mark.parametrize("domains, path, words", [
    ([{"name": "example.org"}, {"name": "EXAMPLE.org"}], "gestixi_mail_domains[1].name",
     "the domain example.org is declared twice (also at gestixi_mail_domains[0])"),
    ([{"name": "example.org", "users": [user("bob"), user("bob")]}], "gestixi_mail_domains[0].users[1].login",
     "the user bob@example.org is declared twice (also at gestixi_mail_domains[0].users[0])"),
    # The host's alias module merges two items of one address; a description declares it once.
    ([{"name": "example.org", "users": [user("bob")],
       "aliases": [{"address": "info", "to": ["bob"]}, {"address": "Info@example.org", "to": []}]}],
     "gestixi_mail_domains[0].aliases[1].address",
     "the alias info@example.org is declared twice (also at gestixi_mail_domains[0].aliases[0])"),
    ([{"name": "example.org", "users": [user("bob")], "aliases": [{"address": "info", "to": ["bob", "BOB"]}]}],
     "gestixi_mail_domains[0].aliases[0].to[1]",
     "the recipient bob@example.org is declared twice (also at gestixi_mail_domains[0].aliases[0].to[0])"),
    ([{"name": "example.org", "users": [user("bob", responders=[
        {"name": "away", "enabled": False}, {"name": "away", "enabled": False}])]}],
     "gestixi_mail_domains[0].users[0].responders[1].name",
     "the automatic reply 'away' is declared twice (also at gestixi_mail_domains[0].users[0].responders[0])"),
])
def test_declared_twice_is_one_rule_on_both_sides(domains, path, words, tmp_path):
    assert gate(domains) == [(path, words)]
    assert as_gate_names(host(domains, tmp_path)) == [(path, words)]


def test_reply_fields_follow_the_rules_of_the_module(tmp_path):
    """C1 controls and U+2028 in a subject, spaces around a name: the host always refused them."""
    base = {"name": "away", "subject": "Away", "message": "Back soon"}
    for field, value in (("subject", "Away\u2028now"), ("subject", "Away \x85 now"), ("name", " away ")):
        domains = [{"name": "example.org", "users": [user("bob", responders=[{**base, field: value}])]}]
        refused = gate(domains)
        assert [path for path, _message in refused] == [
            "gestixi_mail_domains[0].users[0].responders[0].%s" % field], (field, value)
        assert as_gate_names(host(domains, tmp_path)) == refused


def test_the_schema_limits_are_the_rules_limits():
    definitions = load_schema()["definitions"]
    reply = definitions["responder"]["properties"]
    assert reply["name"]["maxLength"] == _responder.MAX_NAME
    assert reply["subject"]["maxLength"] == _responder.MAX_SUBJECT
    assert reply["message"]["maxLength"] == _responder.MAX_BODY
    assert (reply["days"]["minimum"], reply["days"]["maximum"]) == (_responder.MIN_DAYS, _responder.MAX_DAYS)
    assert definitions["user"]["properties"]["name"]["maxLength"] == _user.MAX_NAME


def test_control_characters_are_shown_escaped_never_raw():
    problem = InvalidItem("users[0]", "name", "'evil\rgestixi_mail_domains[0]: fine\x1b[2J' is bad",
                          path="gestixi_mail_domains[0].users[0].name")
    text = report([problem])
    assert "\r" not in text and "\x1b" not in text
    assert "'evil\\rgestixi_mail_domains[0]: fine\\x1b[2J' is bad" in text
    assert printable("a\u2028b\x85c\td") == "a\\u2028b\\x85c\\td"


def test_problems_have_one_shape_on_both_sides():
    domains = [{"name": "example.org", "users": [user("bob"), user("bob")]}]
    problems, _warnings = check_description({"gestixi_mail_domains": domains}, today=TODAY)
    assert [p.as_dict() for p in problems] == [{
        "path": "gestixi_mail_domains[0].users[1].login", "item": "gestixi_mail_domains[0].users[1]",
        "field": "login",
        "message": "the user bob@example.org is declared twice (also at gestixi_mail_domains[0].users[0])"}]


def test_a_gate_result_is_trusted_only_for_the_description_it_checked(monkeypatch):
    from ansible_collections.gestixi.mail.plugins.plugin_utils import _description_check

    variables = {"gestixi_mail_domains": [{"name": "example.org", "users": [user("bob")]}]}
    first = _description_check.check_host_description(None, {}, variables)
    assert first.valid and first.digest and not first.trusted

    def no_second_check(*_args, **_kwargs):
        raise AssertionError("checked again")

    monkeypatch.setattr(_description_check, "check_description", no_second_check)
    again = _description_check.check_host_description(None, {}, variables, trusted_digest=first.digest)
    assert again.trusted and again.digest == first.digest and again.result()["digest"] == first.digest
    # Another description, other limits: the digest does not match, and the check runs.
    changed = {"gestixi_mail_domains": [{"name": "example.org", "users": [user("bob"), user("eve")]}]}
    for args in ((changed,), (variables,)):
        limits = AliasLimits(5, 5) if args[0] is variables else AliasLimits()
        with pytest.raises(AssertionError, match="checked again"):
            _description_check.check_host_description(None, {}, *args, limits=limits, trusted_digest=first.digest)


def test_the_host_skips_the_descriptions_own_rules_only_for_the_list_the_gate_checked(tmp_path, monkeypatch):
    from ansible_collections.gestixi.mail.plugins.module_utils.converge import _whole_description
    from ansible_collections.gestixi.mail.plugins.module_utils.rules._description import description_digest

    domains = [{"name": "example.org", "users": [user("bob")]}]
    calls = []
    real = _whole_description.structure_problems
    monkeypatch.setattr(_whole_description, "structure_problems", lambda *a: calls.append(a) or real(*a))
    store = Store(str(tmp_path / "mail.sqlite"), check_mode=True)
    store_params = {"alias_expansion_limit": 1000, "alias_recursion_limit": 1000}
    for digest, checked in ((None, True), ("forged", True), (description_digest(domains, AliasLimits()), False)):
        calls.clear()
        params = {"domains": domains, "password_scheme": "SHA512-CRYPT", "purge_domains": False,
                  "checked_digest": digest}
        with store.transaction() as conn:
            converge_description(conn, params, store_params, check_mode=True)
        assert bool(calls) is checked, digest
    store.close()


def test_a_valid_verdict_is_kept_between_runs_with_its_warnings(tmp_path, monkeypatch):
    from ansible_collections.gestixi.mail.plugins.plugin_utils import _description_check, _verdicts

    monkeypatch.setenv("GESTIXI_MAIL_GATE_CACHE", str(tmp_path / "verdicts"))
    ended = {"name": "away", "subject": "Away", "message": "Back", "start": "2020-01-01", "end": "2020-01-02"}
    variables = {"gestixi_mail_domains": [{"name": "example.org", "users": [user("bob", responders=[ended])]}]}
    first = _description_check.check_host_description(None, {}, variables)
    assert first.valid and not first.trusted and first.warnings
    folder = tmp_path / "verdicts"
    assert oct(folder.stat().st_mode & 0o777) == "0o700"
    kept = list(folder.iterdir())
    assert len(kept) == 1 and oct(kept[0].stat().st_mode & 0o777) == "0o600"
    assert HASH not in kept[0].read_text()

    def no_second_check(*_args, **_kwargs):
        raise AssertionError("checked again")

    monkeypatch.setattr(_description_check, "check_description", no_second_check)
    again = _description_check.check_host_description(None, {}, variables)
    assert again.trusted and again.warnings == first.warnings and again.digest == first.digest
    # Another release of the rules, or an invalid description, is always checked.
    monkeypatch.setattr(_verdicts, "rules_version", lambda: "another release")
    with pytest.raises(AssertionError, match="checked again"):
        _description_check.check_host_description(None, {}, variables)
    monkeypatch.undo()
    monkeypatch.setenv("GESTIXI_MAIL_GATE_CACHE", str(tmp_path / "verdicts"))
    bad = {"gestixi_mail_domains": [{"name": "example.org", "users": [user("bob"), user("bob")]}]}
    for _run in range(2):
        assert not _description_check.check_host_description(None, {}, bad).valid
    assert len(list(folder.iterdir())) == 1
