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
from ansible_collections.gestixi.mail.plugins.module_utils.store._sqlite import SQLiteStore as Store
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
    # A domain declared twice has that one problem: what is under it is not judged a second time.
    ([{"name": "example.org"}, {"name": "example.org", "users": [user("alice@")],
                                "aliases": [{"address": "info@example.net", "to": []}]}],
     "gestixi_mail_domains[1].name", "the domain example.org is declared twice (also at gestixi_mail_domains[0])"),
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


# ---------------------------------------------------------------------------------------------
# The mail-DNS settings (dns:, dkim:): refused alike, at the same path, in the same words

D = "gestixi_mail_domains[0]"
BAD_DNS_SETTINGS = [
    ("dns", "yes", D + ".dns", "expected a mapping (key: value), got the text 'yes'"),
    ("dns", {"mxx": ["mx.example.org"]}, D + ".dns.mxx",
     "unknown key 'mxx' (did you mean 'mx'?); dns takes: mx, spf, dmarc, mta_sts, tls_rpt"),
    ("dns", {"mx": "mx.example.org"}, D + ".dns.mx", "expected a list, got the text 'mx.example.org'"),
    ("dns", {"mx": []}, D + ".dns.mx",
     "list at least one host name, or leave mx out: the mail servers' own host names are used"),
    ("dns", {"mx": [""]}, D + ".dns.mx[0]", "must not be empty"),
    ("dns", {"mx": ["192.0.2.25"]}, D + ".dns.mx[0]",
     "'192.0.2.25' is an IP address, not a host name: MX records name hosts (give the server's host name)"),
    ("dns", {"mx": ["mx"]}, D + ".dns.mx[0]",
     "'mx' is not a valid domain name: it needs at least two labels of letters, digits and '-'"),
    ("dns", {"mx": ["mx.example.org", "MX.Example.org."]}, D + ".dns.mx[1]",
     "the host mx.example.org is declared twice (also at gestixi_mail_domains[0].dns.mx[0])"),
    ("dns", {"spf": "ip4:192.0.2.10"}, D + ".dns.spf", "expected a list, got the text 'ip4:192.0.2.10'"),
    ("dns", {"spf": ["inclde:_spf.partner.example"]}, D + ".dns.spf[0]",
     "'inclde:_spf.partner.example' is not an SPF mechanism such as include:_spf.partner.example, "
     "ip4:192.0.2.10, ip4:192.0.2.0/24, ip6:2001:db8::10, a:host.example or mx:other.example"),
    ("dns", {"spf": ["ip4:192.0.2.0/33"]}, D + ".dns.spf[0]",
     "'ip4:192.0.2.0/33' is not valid: the prefix after '/' is a number from 0 to 32"),
    ("dns", {"spf": ["ip6:2001:db8::zz"]}, D + ".dns.spf[0]",
     "'ip6:2001:db8::zz' is not valid: '2001:db8::zz' is not an IPv6 address"),
    ("dns", {"spf": ["~all"]}, D + ".dns.spf[0]",
     "'~all' is not needed: the record always ends with -all (only the listed senders may send)"),
    ("dns", {"spf": ["ptr"]}, D + ".dns.spf[0]",
     "'ptr': the ptr mechanism is slow and unreliable (RFC 7208 5.5 says not to use it); use a, ip4 or ip6"),
    ("dns", {"spf": ["ip4:192.0.2.10", "+IP4:192.0.2.10"]}, D + ".dns.spf[1]",
     "the SPF mechanism ip4:192.0.2.10 is declared twice (also at gestixi_mail_domains[0].dns.spf[0])"),
    ("dns", {"spf": ["include:s%d.partner.example" % i for i in range(10)]}, D + ".dns.spf",
     "the SPF record would need 11 DNS lookups (mx, include, a, exists), more than the 10 receivers allow "
     "(RFC 7208 4.6.4): they would reject the domain's mail; list addresses with ip4/ip6 instead"),
    ("dns", {"dmarc": "reject"}, D + ".dns.dmarc", "expected a mapping (key: value), got the text 'reject'"),
    ("dns", {"dmarc": {"policy": "Reject"}}, D + ".dns.dmarc.policy",
     "'Reject' is not valid: expected one of none, quarantine, reject (did you mean 'reject'?)"),
    ("dns", {"dmarc": {"policy": True}}, D + ".dns.dmarc.policy",
     "expected text, got true (a yes/no value); put the value in quotes to keep it as text"),
    ("dns", {"dmarc": {"reports": "mailto:dmarc@example.org"}}, D + ".dns.dmarc.reports",
     "'mailto:dmarc@example.org': write the address alone, without 'mailto:' (it is added in the record)"),
    ("dns", {"dmarc": {"reports": "dmarc"}}, D + ".dns.dmarc.reports", "'dmarc' is not a mail address (local@domain)"),
    ("dns", {"dmarc": {"rua": "dmarc@example.org"}}, D + ".dns.dmarc.rua",
     "unknown key 'rua'; dmarc takes: policy, reports"),
    ("dns", {"mta_sts": "enforcing"}, D + ".dns.mta_sts",
     "'enforcing' is not valid: expected one of none, testing, enforce (did you mean 'enforce'?)"),
    ("dns", {"mta_sts": False}, D + ".dns.mta_sts",
     "expected text, got false (a yes/no value); put the value in quotes to keep it as text"),
    ("dns", {"tls_rpt": "tls reports@example.org"}, D + ".dns.tls_rpt",
     "'tls reports@example.org' is not a valid mail address: invalid local part (before @)"),
    ("dns", {"tls_rpt": "tls@"}, D + ".dns.tls_rpt", "'tls@' is not a mail address: a domain name is required"),
    ("dkim", ["gestixi"], D + ".dkim", "expected a mapping (key: value), got a list"),
    ("dkim", {"key": "x"}, D + ".dkim.key", "unknown key 'key'; dkim takes: selector, next_selector, previous"),
    ("dkim", {"selector": "my_key"}, D + ".dkim.selector",
     "'my_key' is not a valid DKIM selector: use letters, digits and '-', in labels separated by '.' "
     "(RFC 6376), for example gestixi or s2026, each label at most 63 characters"),
    ("dkim", {"selector": ("a" * 63 + ".") * 3 + "b" * 40}, D + ".dkim.selector",
     "the record %s._domainkey.example.org would be longer than 253 characters: use a shorter selector"
     % (("a" * 63 + ".") * 3 + "b" * 40)),
    ("dkim", {"selector": 2026}, D + ".dkim.selector",
     "expected text, got the number 2026; put the value in quotes to keep it as text"),
    ("dkim", {"next_selector": "Gestixi"}, D + ".dkim.next_selector",
     "the selector gestixi is the active selector (gestixi by default): the next key needs a selector of its "
     "own (for example gestixi2)"),
    ("dkim", {"selector": "s2026", "next_selector": "s2026"}, D + ".dkim.next_selector",
     "the selector s2026 is the active selector: the next key needs a selector of its own (for example gestixi2)"),
    ("dkim", {"next_selector": "-next"}, D + ".dkim.next_selector",
     "'-next' is not a valid DKIM selector: use letters, digits and '-', in labels separated by '.' "
     "(RFC 6376), for example gestixi or s2026, each label at most 63 characters"),
    ("dkim", {"previous": "s2025"}, D + ".dkim.previous", "expected a list, got the text 's2025'"),
    ("dkim", {"previous": ["s2025"]}, D + ".dkim.previous[0]",
     "expected a previous DKIM key (a mapping such as 'selector: ...'), got the text 's2025'"),
    ("dkim", {"previous": [{"selector": "s2025"}]}, D + ".dkim.previous[0].until",
     "is missing: give the last day the old key stays published (YYYY-MM-DD)"),
    ("dkim", {"previous": [{"until": "2027-01-31"}]}, D + ".dkim.previous[0].selector",
     "is missing: name the selector of the old key, for example gestixi2025"),
    ("dkim", {"previous": [{"selector": "s2025", "until": "2026-02-30"}]}, D + ".dkim.previous[0].until",
     "'2026-02-30' is not a real calendar date"),
    ("dkim", {"previous": [{"selector": "s2025", "until": "31/01/2027"}]}, D + ".dkim.previous[0].until",
     "'31/01/2027' is not valid: expected a date written YYYY-MM-DD, for example 2026-12-20"),
    ("dkim", {"previous": [{"selector": "s2025", "until": "2027-01-31", "key": "x"}]}, D + ".dkim.previous[0].key",
     "unknown key 'key'; a previous DKIM key takes: selector, until"),
    ("dkim", {"selector": "s2026", "previous": [{"selector": "s2025", "until": "2027-01-31"},
                                                {"selector": "S2025", "until": "2027-02-28"}]},
     D + ".dkim.previous[1].selector",
     "the selector s2025 is declared twice (also at gestixi_mail_domains[0].dkim.previous[0].selector)"),
    ("dkim", {"next_selector": "s2027", "previous": [{"selector": "s2027", "until": "2027-01-31"}]},
     D + ".dkim.previous[0].selector",
     "the selector s2027 is declared twice (also at gestixi_mail_domains[0].dkim.next_selector)"),
    ("dkim", {"previous": [{"selector": "gestixi", "until": "2027-01-31"}]}, D + ".dkim.previous[0].selector",
     "the selector gestixi is the active selector (gestixi by default): an old key stays published under its "
     "own selector, not the one that signs now"),
]


@pytest.mark.parametrize("key, value, path, words", BAD_DNS_SETTINGS,
                         ids=["%s-%d" % (case[0], index) for index, case in enumerate(BAD_DNS_SETTINGS)])
def test_every_mail_dns_setting_is_refused_alike_on_both_sides(key, value, path, words, tmp_path):
    domains = [{"name": "example.org", "users": [user("bob")], key: value}]
    assert gate(domains) == [(path, words)]
    assert as_gate_names(host(domains, tmp_path)) == [(path, words)]


def test_several_dns_problems_are_all_named_and_the_host_names_the_same(tmp_path):
    domains = [{"name": "example.org", "dns": {"mx": ["192.0.2.25"], "spf": ["ptr"]},
                "dkim": {"next_selector": "gestixi"}},
               {"name": "example.net", "dns": {"dmarc": {"reports": "dmarc"}}}]
    refused = gate(domains)
    assert [path for path, _words in refused] == [
        D + ".dkim.next_selector", D + ".dns.mx[0]", D + ".dns.spf[0]", "gestixi_mail_domains[1].dns.dmarc.reports"]
    assert sorted(as_gate_names(host(domains, tmp_path))) == sorted(refused)


def test_valid_mail_dns_settings_are_accepted_on_both_sides_and_not_stored(tmp_path):
    settings = {"dns": {"mx": ["mx1.example.org", "mx2.bücher.example"],
                        "spf": ["include:_spf.partner.example", "ip4:192.0.2.0/24", "ip6:2001:db8::10", "a:relay.example.org"],
                        "dmarc": {"policy": "reject", "reports": "dmarc@example.org"}, "mta_sts": "enforce",
                        "tls_rpt": "tls-reports@example.org"},
                "dkim": {"selector": "s2026", "next_selector": "s2027",
                         "previous": [{"selector": "s2025", "until": datetime.date(2027, 1, 31)}]}}
    domains = [{"name": "example.org", "users": [user("bob")], **settings}, {"name": "example.net", "dns": None, "dkim": None}]
    assert gate(domains) == []
    store = Store(str(tmp_path / "mail.sqlite"))
    params = {"domains": json.loads(json.dumps(domains, default=str)), "password_scheme": "SHA512-CRYPT",
              "purge_domains": False}
    with store.transaction() as conn:
        converged = converge_description(conn, params, {"alias_expansion_limit": 1000, "alias_recursion_limit": 1000})
        check_converged(conn, converged, AliasLimits())
    rows = store.conn.execute("SELECT name FROM domains ORDER BY name").fetchall()
    store.close()
    assert [row[0] for row in rows] == ["example.net", "example.org"]


def test_an_old_dkim_key_past_its_date_is_a_warning_not_a_problem():
    domains = [{"name": "example.org", "dkim": {"selector": "s2026", "previous": [
        {"selector": "s2025", "until": "2026-11-30"}, {"selector": "s2024", "until": TODAY.isoformat()}]}}]
    problems, warnings = check_description({"gestixi_mail_domains": domains}, today=TODAY)
    assert problems == []
    assert warnings == ["gestixi_mail_domains[0].dkim.previous[0].until: the old DKIM key s2025 was published "
                        "until 2026-11-30; it is no longer published (remove it)"]


# ---------------------------------------------------------------------------------------------
# The allowed and blocked senders (senders:): refused alike, at the same path, in the same words

BAD_SENDERS = [
    ("yes", D + ".senders", "expected a mapping (key: value), got the text 'yes'"),
    ({"blocks": ["bad.test"]}, D + ".senders.blocks",
     "unknown key 'blocks' (did you mean 'blocked'?); senders takes: allowed, blocked"),
    ({"blocked": "bad.test"}, D + ".senders.blocked", "expected a list, got the text 'bad.test'"),
    ({"blocked": [7]}, D + ".senders.blocked[0]", "expected text, got the number 7; put the value in quotes to keep it as text"),
    ({"blocked": [""]}, D + ".senders.blocked[0]", "must not be empty"),
    ({"allowed": ["partner"]}, D + ".senders.allowed[0]",
     "'partner' is not a valid domain name: it needs at least two labels of letters, digits and '-'; "
     "a sender is a mail address (user@host) or a domain name (host)"),
    ({"blocked": ["x@bad"]}, D + ".senders.blocked[0]",
     "'x@bad' is not a mail address (user@host) or a domain name (host): 'bad' is not a valid domain name: "
     "it needs at least two labels of letters, digits and '-'"),
    ({"blocked": ["bad.test", "BAD.test."]}, D + ".senders.blocked[1]",
     "the sender bad.test is declared twice (also at gestixi_mail_domains[0].senders.blocked[0])"),
    ({"allowed": ["news@partner.test"], "blocked": ["News@Partner.test"]}, D + ".senders.blocked[0]",
     "the sender news@partner.test is both allowed (at gestixi_mail_domains[0].senders.allowed[0]) and "
     "blocked: keep it in one list"),
    ({"allowed": ["s%d.test" % index for index in range(1001)]}, D + ".senders.allowed",
     "the allowed senders of example.org are 1001 entries, more than 1000: list a domain rather than many "
     "of its addresses"),
]


@pytest.mark.parametrize("senders, path, words", BAD_SENDERS, ids=["senders-%d" % index for index in range(len(BAD_SENDERS))])
def test_every_bad_sender_is_refused_alike_on_both_sides(senders, path, words, tmp_path):
    domains = [{"name": "example.org", "users": [user("bob")], "senders": senders}]
    assert gate(domains) == [(path, words)]
    assert as_gate_names(host(domains, tmp_path)) == [(path, words)]


def test_senders_of_several_domains_are_all_named_and_the_host_names_the_same(tmp_path):
    domains = [{"name": "example.org", "senders": {"allowed": ["*.partner.test"], "blocked": ["@bad.test"]},
                "dns": {"mx": ["192.0.2.25"]}},
               {"name": "example.net", "senders": {"blocked": ["192.0.2.1"]}}]
    refused = gate(domains)
    assert sorted(path for path, _words in refused) == [
        D + ".dns.mx[0]", D + ".senders.allowed[0]", D + ".senders.blocked[0]",
        "gestixi_mail_domains[1].senders.blocked[0]"]
    assert sorted(as_gate_names(host(domains, tmp_path))) == sorted(refused)


def test_valid_senders_are_accepted_on_both_sides_and_stored_in_their_canonical_form(tmp_path):
    domains = [{"name": "example.org", "users": [user("bob")],
                "senders": {"allowed": ["Outside.test", "news@BÜCHER.example"], "blocked": ["spammer@bad.test", "bad.test"]}},
               {"name": "example.net", "senders": None}, {"name": "example.com", "senders": {"allowed": None}}]
    assert gate(domains) == []
    store = Store(str(tmp_path / "mail.sqlite"))
    params = {"domains": domains, "password_scheme": "SHA512-CRYPT", "purge_domains": False}
    with store.transaction() as conn:
        converged = converge_description(conn, params, {"alias_expansion_limit": 1000, "alias_recursion_limit": 1000})
        check_converged(conn, converged, AliasLimits())
    rows = store.conn.execute("SELECT name, senders FROM domains ORDER BY name").fetchall()
    store.close()
    assert [tuple(row) for row in rows] == [
        ("example.com", ""), ("example.net", ""),
        ("example.org", '{"allowed":["news@xn--bcher-kva.example","outside.test"],"blocked":["bad.test","spammer@bad.test"]}')]
