# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""gestixi_alias: the list form, the single form, removal and every refused input."""
from __future__ import annotations

import time

import pytest

from ansible_collections.gestixi.mail.plugins.module_utils.converge._aliases import converge_aliases
from ansible_collections.gestixi.mail.tests.unit.plugins.module_utils.store_harness import StoreHarness

DEFAULTS = {"address": None, "name": None, "domain": None, "to": None, "recipients_mode": None,
            "state": "present", "aliases": None, "purge": False}
USERS = (("alice@example.org", "example.org", "alice", 1),
         ("bob@example.org", "example.org", "bob", 1),
         ("carol@example.org", "example.org", "carol", 0),
         ("dave@example.net", "example.net", "dave", 1))


def item(name=None, to=None, state="present", address=None):
    return {"name": name, "address": address, "to": to, "state": state}


@pytest.fixture
def mail(store_options):
    return StoreHarness(store_options, converge_aliases, DEFAULTS, USERS)


# ----------------------------------------------------------------------------------------------
# List form

def test_list_form_creates_merges_and_is_idempotent(mail):
    aliases = [item("contact", ["alice", "bob@example.org"]),
               item("contact", ["Partner@Bücher.test", "alice"]),  # adds up
               item("everyone", []),
               item(address="sales@example.org", to=["contact"])]
    result = mail.run(domain="example.org", aliases=aliases)
    assert result["counts"] == {"created": 3, "updated": 0, "removed": 0, "unchanged": 0}
    assert mail.aliases() == {
        "contact@example.org": (False, ["alice@example.org", "bob@example.org", "partner@xn--bcher-kva.test"]),
        "everyone@example.org": (True, []),
        "sales@example.org": (False, ["contact@example.org"])}
    again = mail.run(domain="example.org", aliases=aliases)
    assert again["changed"] is False
    assert again["counts"] == {"created": 0, "updated": 0, "removed": 0, "unchanged": 3}


def test_list_form_sets_exactly_the_listed_recipients(mail):
    mail.run(domain="example.org", aliases=[item("contact", ["alice", "bob"])])
    result = mail.run(domain="example.org", aliases=[item("contact", ["bob", "ext@partner.example"])])
    assert result["counts"]["updated"] == 1
    assert result["changes"] == [{"action": "update", "kind": "alias", "key": "contact@example.org", "fields": ["to"]}]
    assert mail.aliases()["contact@example.org"] == (False, ["bob@example.org", "ext@partner.example"])


def test_diff_shows_sorted_recipients_and_all_users(mail):
    mail.run(domain="example.org", aliases=[item("contact", ["bob"])])
    result = mail.run(domain="example.org",
                      aliases=[item("contact", ["zed@partner.example", "alice"]), item("contact", [])])
    diff = result["diff"][0]
    assert diff["before"] == "contact@example.org:\n  to: [bob@example.org]\n"
    assert diff["after"] == "contact@example.org:\n  to: [(all users), alice@example.org, zed@partner.example]\n"
    assert result["changes"][0]["fields"] == ["all_users", "to"]


def test_full_addresses_across_domains_without_domain_option(mail):
    result = mail.run(aliases=[item(address="info@example.org", to=["alice"]),
                               item(address="info@example.net", to=["dave", "alice@example.org"])])
    assert result["counts"]["created"] == 2
    assert mail.aliases()["info@example.net"] == (False, ["alice@example.org", "dave@example.net"])


def test_purge_removes_only_unlisted_aliases_of_the_domain(mail):
    mail.run(aliases=[item(address="a@example.org", to=["alice"]), item(address="b@example.org", to=["bob"]),
                      item(address="c@example.net", to=["dave"])])
    result = mail.run(domain="example.org", purge=True, aliases=[item("a", ["alice"])])
    assert result["counts"] == {"created": 0, "updated": 0, "removed": 1, "unchanged": 1}
    assert sorted(mail.aliases()) == ["a@example.org", "c@example.net"]
    result = mail.run(domain="example.org", purge=True, aliases=[])
    assert sorted(mail.aliases()) == ["c@example.net"]


def test_absent_item_removes_the_alias_and_its_references(mail):
    mail.run(domain="example.org", aliases=[item("contact", ["alice"]), item("sales", ["contact", "bob"])])
    result = mail.run(domain="example.org", aliases=[item("contact", ["alice"], state="absent")])
    assert result["counts"] == {"created": 0, "updated": 1, "removed": 1, "unchanged": 0}
    assert {(c["action"], c["key"]) for c in result["changes"]} == {
        ("remove", "contact@example.org"), ("update", "sales@example.org")}
    assert mail.aliases() == {"sales@example.org": (False, ["bob@example.org"])}
    # removing what is not there changes nothing
    assert mail.run(domain="example.org", aliases=[item("contact", state="absent")])["changed"] is False


# ----------------------------------------------------------------------------------------------
# Single form

def test_single_form_adds_by_default_and_replaces_on_request(mail):
    assert mail.run(address="support@example.org", to=["alice"])["counts"]["created"] == 1
    assert mail.run(address="support@example.org", to=["bob"])["counts"]["updated"] == 1
    assert mail.aliases()["support@example.org"] == (False, ["alice@example.org", "bob@example.org"])
    assert mail.run(address="support@example.org", to=["bob"])["changed"] is False  # already there
    mail.run(domain="example.org", name="support", to=["ext@partner.example"], recipients_mode="replace")
    assert mail.aliases()["support@example.org"] == (False, ["ext@partner.example"])
    mail.run(address="support", domain="example.org", to=[])
    assert mail.aliases()["support@example.org"] == (True, ["ext@partner.example"])


def test_single_form_absent_removes_recipients_then_the_alias(mail):
    mail.run(address="support@example.org", to=["alice", "bob", "ext@partner.example"])
    mail.run(address="support@example.org", to=[])
    mail.run(address="support@example.org", to=["alice", "ext@partner.example", "not-there@partner.example"],
             state="absent")
    assert mail.aliases()["support@example.org"] == (True, ["bob@example.org"])
    mail.run(address="support@example.org", to=[], state="absent")  # drops "all users"
    assert mail.aliases()["support@example.org"] == (False, ["bob@example.org"])
    result = mail.run(address="support@example.org", to=["bob"], state="absent")
    assert result["counts"]["removed"] == 1
    assert mail.aliases() == {}
    mail.run(address="x@example.org", to=["alice"])
    assert mail.run(address="x@example.org", state="absent")["counts"]["removed"] == 1
    assert mail.run(address="x@example.org", state="absent")["changed"] is False


def test_recipient_of_a_disabled_user_or_another_alias_is_accepted(mail):
    mail.run(address="old@example.org", to=["carol"])
    mail.run(address="chain@example.org", to=["old@example.org"])
    assert mail.aliases()["chain@example.org"] == (False, ["old@example.org"])


# ----------------------------------------------------------------------------------------------
# Refused input: every problem at once, named by item and field, nothing written

def test_list_form_reports_every_problem_with_item_and_field(mail):
    problems = mail.fail(domain="example.org", aliases=[
        item("ok", ["alice"]),
        item("alice", ["bob"]),                                   # a user's address
        item("contact", ["nobody", "bad address", "x@@example.net", "alice"]),
        item("self", ["self"]),
        item("ok", state="absent"),                               # listed twice, differently
        item(address="z@example.net", to=["alice"]),              # outside the list's domain
        item(to=["alice"]),                                       # no name
        item("noto"),                                             # no recipients
        item("with space", ["alice"]),
    ])
    where = [problem[:2] for problem in problems]
    assert where == [
        ("aliases[2] (contact@example.org)", "to[1]"),
        ("aliases[2] (contact@example.org)", "to[2]"),
        ("aliases[5]", "address"),
        ("aliases[6]", "address"),
        ("aliases[7] (noto@example.org)", "to"),
        ("aliases[8]", "name"),
        ("aliases[4] (ok@example.org)", "state"),
        ("aliases[1] (alice@example.org)", "name"),
        ("aliases[2] (contact@example.org)", "to[0]"),
        ("aliases[3] (self@example.org)", "to[0]"),
    ]
    messages = dict(((i, f), m) for i, f, m in problems)
    assert "alice@example.org is a user's mailbox" in messages[("aliases[1] (alice@example.org)", "name")]
    assert messages[("aliases[2] (contact@example.org)", "to[0]")].startswith(
        "nobody@example.org does not exist: it is neither a user nor an alias of example.org")
    assert "'bad address' is not a valid mail address" in messages[("aliases[2] (contact@example.org)", "to[1]")]
    assert "is a loop" in messages[("aliases[3] (self@example.org)", "to[0]")]
    assert "listed as absent here and as present in aliases[0]" in messages[("aliases[4] (ok@example.org)", "state")]


def test_unknown_domain(mail):
    assert mail.fail(address="contact@nowhere.example", to=["a@b.example"]) == [
        ("alias contact@nowhere.example", "address",
         "domain nowhere.example is not in the store: create it first with gestixi.mail.gestixi_domain")]
    assert mail.fail(domain="nowhere.example", name="contact", to=["a@b.example"])[0][:2] == (
        "alias contact@nowhere.example", "domain")
    assert mail.fail(domain="nowhere.example", aliases=[item("contact", ["x@b.example"])])[0][:2] == (
        "aliases", "domain")
    assert mail.fail(aliases=[item(address="contact@nowhere.example", to=["x@b.example"])])[0][:2] == (
        "aliases[0] (contact@nowhere.example)", "address")
    assert mail.fail(domain="not a domain", aliases=[])[0][:2] == ("aliases", "domain")


def test_loop_across_items_and_the_store_names_the_item_and_recipient(mail):
    mail.run(address="b@example.org", to=["alice"])
    mail.run(address="c@example.net", to=["b@example.org"])
    problems = mail.fail(domain="example.org", aliases=[item("x", ["alice"]), item("a", ["bob", "b"]),
                                                        item("b", ["c@example.net"])])
    assert problems == [(
        "aliases[2] (b@example.org)", "to[0]",
        "alias b@example.org -> c@example.net -> b@example.org is a loop: mail sent to it is never "
        "delivered (Postfix defers it); remove one of these redirections")]
    problems = mail.fail(domain="example.org", aliases=[item("p", ["q"]), item("q", ["alice", "r"]),
                                                        item("r", ["p"])])
    assert problems == [(
        "aliases[0] (p@example.org)", "to[0]",
        "alias p@example.org -> q@example.org -> r@example.org -> p@example.org is a loop: mail sent "
        "to it is never delivered (Postfix defers it); remove one of these redirections")]


def test_expansion_beyond_the_postfix_limit_is_refused(mail):
    big = ["e%d@partner.example" % i for i in range(1001)]
    problems = mail.fail(address="big@example.org", to=big)
    assert problems[0][:2] == ("alias big@example.org", "to")
    assert "expands to 1001 addresses" in problems[0][2]
    mail.run(address="half@example.org", to=big[:600])
    problems = mail.fail(domain="example.org", aliases=[item("more", ["half", "dave@example.net"] + big[600:])])
    assert problems[0][:2] == ("aliases[0] (more@example.org)", "to[0]")  # the widest part
    assert "expands to 1002 addresses (nested aliases such as half@example.org)" in problems[0][2]


def test_removing_the_only_recipient_of_another_alias_is_refused(mail):
    mail.run(address="contact@example.org", to=["alice"])
    mail.run(address="desk@example.net", to=["contact@example.org"])
    problems = mail.fail(address="contact@example.org", state="absent")
    assert problems == [("alias contact@example.org", "state",
                         "alias desk@example.net redirects only to contact@example.org, which this run removes: "
                         "it would be left with no recipient; change or remove desk@example.net first")]
    problems = mail.fail(domain="example.org", purge=True, aliases=[])
    assert problems[0][:2] == ("alias contact@example.org (not in the list)", "purge")


def test_removing_a_catch_all_target_is_refused(mail):
    mail.run(address="contact@example.org", to=["alice"])
    mail.sql("UPDATE domains SET catchall = 'contact@example.org' WHERE name = 'example.org'")
    assert mail.fail(address="contact@example.org", state="absent") == [
        ("alias contact@example.org", "state",
         "contact@example.org is the catch-all of example.org: change the domain's catch-all first")]


def test_recipient_removed_in_the_same_run_is_named(mail):
    mail.run(address="contact@example.org", to=["alice"])
    problems = mail.fail(domain="example.org", aliases=[item("contact", state="absent"), item("sales", ["contact"])])
    assert problems == [("aliases[1] (sales@example.org)", "to[0]",
                         "contact@example.org is removed by this run (aliases[0] (contact@example.org)): a "
                         "recipient in a domain of this store must exist (create the user or alias first, "
                         "or check the spelling)")]


def test_a_long_list_of_problems_is_cut_short(mail):
    problems = mail.fail(aliases=[item(address="a%d@nowhere.example" % i, to=["x@y.example"]) for i in range(500)])
    assert len(problems) == 51
    assert problems[-1] == ("store", None, "and 450 more problems like these")


def test_missing_to_in_the_single_form(mail):
    assert mail.fail(address="contact@example.org")[0][:2] == ("alias contact@example.org", "to")


def test_single_form_reports_every_problem_too(mail):
    assert [p[:2] for p in mail.fail(address="contact@nowhere.example", to=["bad address", "ok@x.example"])] == [
        ("alias contact@nowhere.example", "to[0]"), ("alias contact@nowhere.example", "address")]


# ----------------------------------------------------------------------------------------------
# Size

def test_twenty_thousand_aliases_converge_in_seconds(mail):
    domains = ["d%d.example" % i for i in range(4)]
    store = mail.open()
    with store.transaction() as conn:
        conn.executemany("INSERT INTO domains (name) VALUES (?)", [(d,) for d in domains])
        conn.executemany("INSERT INTO users (address, domain, login, password) VALUES (?, ?, ?, 'x')",
                         [("u%d@%s" % (i, domains[i % 4]), domains[i % 4], "u%d" % i) for i in range(2000)])
    store.close()
    aliases = [item(address="a%d@%s" % (i, domains[i % 4]),
                    to=[] if i < 50 else ["u%d" % ((i // 4 * 4 + i % 4) % 2000), "ext%d@partner.example" % i])
               for i in range(20000)]
    start = time.perf_counter()
    assert mail.run(aliases=aliases)["counts"]["created"] == 20000
    first = time.perf_counter() - start
    start = time.perf_counter()
    assert mail.run(aliases=aliases)["counts"]["unchanged"] == 20000
    again = time.perf_counter() - start
    assert first < 10 and again < 10, "first run %.1f s, unchanged run %.1f s" % (first, again)
