# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The rules of a domain's allowed and blocked senders (rules/_senders.py)."""
from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from ansible_collections.gestixi.mail.plugins.module_utils.rules import _senders
from ansible_collections.gestixi.mail.plugins.module_utils.rules._description_schema import DESCRIPTION_SCHEMA

# Derandomized and without a database: the same cases on every run, nothing written to disk.
PROPERTY = settings(max_examples=200, deadline=None, derandomize=True, database=None)


@pytest.mark.parametrize("text, stored", [
    ("bad.test", "bad.test"),
    ("Bad.TEST", "bad.test"),
    (" bad.test. ", "bad.test"),
    ("Spammer@Bad.Test", "spammer@bad.test"),          # the local part too: rspamd compares lower case
    ("news+list@partner.test", "news+list@partner.test"),
    ("bücher.example", "xn--bcher-kva.example"),
    ("info@BÜCHER.example", "info@xn--bcher-kva.example"),
    ("xn--bcher-kva.example", "xn--bcher-kva.example"),
])
def test_senders_are_taken_in_their_stored_form(text, stored):
    assert _senders.canonical_sender(text) == stored


@pytest.mark.parametrize("text, words", [
    ("", "a sender is required: a mail address (user@host) or a domain name (host)"),
    ("  ", "a sender is required"),
    (None, "a sender is required"),
    ("localhost", "'localhost' is not a valid domain name: it needs at least two labels"),
    ("not a domain", "a sender is a mail address (user@host) or a domain name (host)"),
    ("x@bad", "'x@bad' is not a mail address (user@host) or a domain name (host): 'bad' is not a valid domain name"),
    ("a b@bad.test", "invalid local part"),
    ("@bad.test", "'@bad.test': write the domain alone (bad.test)"),
    ("*@bad.test", "write the domain alone (bad.test)"),
    ("*.bad.test", "never its subdomains, and wildcards are not taken: list each domain (bad.test)"),
    ("192.0.2.1", "'192.0.2.1' names an IP address"),
    ("x@192.0.2.1", "names an IP address"),
    ("a" * 65 + "@bad.test", "invalid local part"),
])
def test_what_is_neither_an_address_nor_a_domain_is_refused_saying_what_is_expected(text, words):
    with pytest.raises(ValueError) as info:
        _senders.canonical_sender(text)
    assert words in str(info.value)


LABEL = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=1, max_size=12)
DOMAIN = st.builds(lambda labels, top: ".".join(labels + [top]), st.lists(LABEL, min_size=1, max_size=3),
                   st.sampled_from(["test", "example", "ORG", "Bücher"]))
LOCAL = st.from_regex(r"\A[A-Za-z0-9][A-Za-z0-9.+_-]{0,20}[A-Za-z0-9]\Z").filter(lambda local: ".." not in local)
SENDER = st.one_of(DOMAIN, st.builds("{}@{}".format, LOCAL, DOMAIN))


@PROPERTY
@given(SENDER)
def test_the_stored_form_is_lower_case_ascii_and_read_again_unchanged(text):
    stored = _senders.canonical_sender(text)
    assert stored == stored.lower() and stored.isascii()
    assert _senders.canonical_sender(stored) == stored
    assert _senders.canonical_sender(text.upper()) == stored  # case never makes two senders


def test_every_problem_of_a_domain_is_named_at_its_path():
    senders = {"allowed": ["partner.test", "Partner.TEST", "news@partner.test", "bad.test"],
               "blocked": ["spammer@bad.test", "nowhere", "bad.test", "spammer@BAD.test"]}
    found = _senders.domain_sender_problems(senders, "domains[0].senders", "example.org")
    assert [(problem.path, problem.message) for problem in found] == [
        ("domains[0].senders.allowed[1]",
         "the sender partner.test is declared twice (also at domains[0].senders.allowed[0])"),
        ("domains[0].senders.blocked[1]",
         "'nowhere' is not a valid domain name: it needs at least two labels of letters, digits and '-'; "
         "a sender is a mail address (user@host) or a domain name (host)"),
        ("domains[0].senders.blocked[3]",
         "the sender spammer@bad.test is declared twice (also at domains[0].senders.blocked[0])"),
        ("domains[0].senders.blocked[2]",
         "the sender bad.test is both allowed (at domains[0].senders.allowed[3]) and blocked: keep it in one list"),
    ]
    assert (found[0].item, found[0].field) == ("domains[0].senders", "allowed[1]")


def test_a_list_takes_at_most_a_thousand_entries():
    within = {"blocked": ["s%d@bad.test" % index for index in range(_senders.MAX_ENTRIES)]}
    assert _senders.domain_sender_problems(within, "d[0].senders", "example.org") == []
    beyond = {"blocked": within["blocked"] + ["bad.test"], "allowed": ["partner.test"]}
    found = _senders.domain_sender_problems(beyond, "d[0].senders", "example.org")
    assert [(problem.path, problem.message) for problem in found] == [
        ("d[0].senders.blocked", "the blocked senders of example.org are 1001 entries, more than 1000: list a "
                                 "domain rather than many of its addresses")]


def test_values_of_a_wrong_type_are_left_to_the_schema():
    for senders in (None, [], "bad.test", {"allowed": "bad.test", "blocked": [3, None, ""]}, {"other": ["x"]}):
        assert _senders.domain_sender_problems(senders, "d[0].senders", "example.org") == []


def test_the_whole_list_skips_domains_whose_own_rules_fail_as_the_gate_does():
    bad = {"senders": {"blocked": ["nothing"]}}
    domains = [{"name": "not a domain", **bad}, {"name": "example.org"}, {"name": "EXAMPLE.org", **bad},
               "text", {"name": 3, **bad}, {"name": "example.net", **bad}]
    assert [problem.path for problem in _senders.sender_problems(domains)] == ["domains[5].senders.blocked[0]"]
    assert [problem.path for problem in _senders.sender_problems(domains, ["v[%d]" % i for i in range(6)])] == [
        "v[5].senders.blocked[0]"]


def test_the_stored_form_is_sorted_without_empty_lists():
    assert _senders.canonical_senders({"allowed": ["Z.test", "a@B.test"], "blocked": []}) == {
        "allowed": ["a@b.test", "z.test"]}
    assert _senders.canonical_senders({"allowed": None, "blocked": None}) == {}
    assert _senders.canonical_senders(None) == {}


def test_the_maps_hold_a_line_per_recipient_domain_and_entry():
    domains = [
        {"name": "Example.ORG", "senders": {"allowed": ["outside.test", "News@Partner.test"],
                                            "blocked": ["spammer@bad.test", "bad.test"]}},
        {"name": "bücher.example", "senders": {"blocked": ["bad.test"]}},
        {"name": "example.net"},
        {"name": "example.com", "senders": {"allowed": [], "blocked": None}},
    ]
    assert _senders.sender_maps(domains) == {
        "allowed": "example.org:news@partner.test\nexample.org:outside.test\n",
        "blocked": "example.org:bad.test\nexample.org:spammer@bad.test\nxn--bcher-kva.example:bad.test\n",
    }
    assert _senders.sender_maps([{"name": "example.org"}]) == {"allowed": "", "blocked": ""}
    assert _senders.sender_maps([]) == {"allowed": "", "blocked": ""}


@PROPERTY
@given(st.lists(st.tuples(DOMAIN, st.lists(SENDER, max_size=4), st.lists(SENDER, max_size=4)), max_size=4,
                unique_by=lambda domain: domain[0].lower()))
def test_the_maps_are_sorted_lines_of_the_stored_entries(described):
    domains = [{"name": name, "senders": {"allowed": allowed, "blocked": blocked}}
               for name, allowed, blocked in described]
    maps = _senders.sender_maps(domains)
    for key in _senders.LISTS:
        lines = maps[key].splitlines(keepends=True)
        assert lines == sorted(lines) and all(line.endswith("\n") and line.count("\n") == 1 for line in lines)
        expected = {"%s:%s" % (_senders.canonical_domain(name), _senders.canonical_sender(entry))
                    for name, allowed, blocked in described for entry in (allowed if key == "allowed" else blocked)}
        assert [line[:-1] for line in lines] == sorted(expected)


def test_the_schema_takes_the_rules_words():
    definition = DESCRIPTION_SCHEMA["definitions"]["senders"]
    assert sorted(definition["properties"]) == sorted(_senders.LISTS)
    assert definition["additionalProperties"] is False
    assert DESCRIPTION_SCHEMA["definitions"]["domain"]["properties"][_senders.KEY] == {"$ref": "#/definitions/senders"}
