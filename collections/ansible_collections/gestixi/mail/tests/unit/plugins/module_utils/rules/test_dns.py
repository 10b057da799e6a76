# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The rules of a domain's mail-DNS settings (rules/_dns.py), value by value."""
from __future__ import annotations

import pytest

from ansible_collections.gestixi.mail.plugins.module_utils.rules import _dns
from ansible_collections.gestixi.mail.plugins.module_utils.rules._description_schema import DESCRIPTION_SCHEMA


@pytest.mark.parametrize("text, stored", [
    ("include:_spf.partner.example", "include:_spf.partner.example"),
    ("INCLUDE:_SPF.Partner.Example", "include:_spf.partner.example"),
    ("include:_spf._mail.bücher.example", "include:_spf._mail.xn--bcher-kva.example"),
    ("exists:relay.partner.example", "exists:relay.partner.example"),
    ("ip4:192.0.2.10", "ip4:192.0.2.10"),
    ("+ip4:192.0.2.0/24", "ip4:192.0.2.0/24"),
    ("~ip4:192.0.2.0/0", "~ip4:192.0.2.0/0"),
    ("ip6:2001:DB8:0::10", "ip6:2001:db8::10"),
    ("ip6:2001:db8::/48", "ip6:2001:db8::/48"),
    ("a", "a"),
    ("a:smtp.partner.example", "a:smtp.partner.example"),
    ("a:smtp.partner.example/28//64", "a:smtp.partner.example/28//64"),
    ("a//64", "a//64"),
    ("mx:partner.example", "mx:partner.example"),
    ("?mx:partner.example/24", "?mx:partner.example/24"),
    (" ip4:192.0.2.10 ", "ip4:192.0.2.10"),
])
def test_spf_mechanisms_are_taken_in_their_stored_form(text, stored):
    assert _dns.canonical_spf_mechanism(text) == stored


@pytest.mark.parametrize("text, words", [
    ("all", "the record always ends with -all"),
    ("-all", "the record always ends with -all"),
    ("mx", "the record always starts with mx"),
    ("ptr", "ptr mechanism is slow and unreliable"),
    ("ptr:partner.example", "ptr mechanism is slow and unreliable"),
    ("redirect=_spf.partner.example", "SPF modifiers (redirect=, exp=) are not taken"),
    ("exp=explain.partner.example", "SPF modifiers"),
    ("include:%{d}.partner.example", "SPF macros"),
    ("include:", "include needs a domain"),
    ("include", "include needs a domain"),
    ("include:partner", "'partner' is not a domain name"),
    ("include:_spf", "'_spf' is not a domain name"),
    ("include:_s%f.example", "SPF macros"),
    ("include:_-x.partner.example", "'_-x' is not a DNS label"),
    ("ip4:192.0.2.256", "'192.0.2.256' is not an IPv4 address"),
    ("ip4:192.0.2.010", "'192.0.2.010' is not an IPv4 address"),
    ("ip4:2001:db8::1", "is not an IPv4 address"),
    ("ip4:192.0.2.0/33", "from 0 to 32"),
    ("ip4:192.0.2.0/x", "from 0 to 32"),
    ("ip6:192.0.2.1", "is not an IPv6 address"),
    ("ip6:2001:db8::/129", "from 0 to 128"),
    ("ip4", "ip4 needs an address"),
    ("a:", "a host name follows 'a:'"),
    ("a/33", "a prefix is at most /32"),
    ("a//129", "//128"),
    ("a:x.example/24/64", "only /<bits> (IPv4) and //<bits> (IPv6) may follow"),
    ("ip4:192.0.2.1 -all", "without spaces"),
    ("v=spf1", "the record is written for you (v=spf1 mx ... -all)"),
    ("spf1", "is not an SPF mechanism such as include:"),
    ("include:_spf.partner.example\n", None),  # surrounding white space is dropped
    ("a:x.example\nall", "without spaces"),
    ("inclde:_spf.partner.example", "is not an SPF mechanism such as"),
    ("", "an SPF mechanism is required"),
])
def test_spf_mechanisms_that_are_refused_say_why(text, words):
    if words is None:
        assert _dns.canonical_spf_mechanism(text) == text.strip()
        return
    with pytest.raises(ValueError) as refused:
        _dns.canonical_spf_mechanism(text)
    assert words in str(refused.value)


def test_spf_lookups_count_what_needs_dns():
    assert _dns.spf_lookups([]) == 1  # the record's own mx
    assert _dns.spf_lookups(["ip4:192.0.2.1", "ip6:2001:db8::1"]) == 1
    assert _dns.spf_lookups(["include:a.example", "a", "a:b.example/24", "mx:c.example", "exists:d.example",
                             "-include:e.example"]) == 7


@pytest.mark.parametrize("text, stored", [
    ("gestixi", "gestixi"), ("s2026", "s2026"), ("Mail-2026", "mail-2026"), ("a.b", "a.b"), ("2026", "2026"),
    ("k" * 63, "k" * 63), ("%s.%s" % ("a" * 63, "b" * 63), "%s.%s" % ("a" * 63, "b" * 63)),
])
def test_selectors_follow_rfc_6376(text, stored):
    assert _dns.canonical_selector(text) == stored


@pytest.mark.parametrize("text", ["my_key", "-key", "key-", "a..b", ".a", "a.", "k" * 64, "clé", "a b", "gestixi\n", "", None, 3])
def test_selectors_that_are_refused(text):
    with pytest.raises(ValueError):
        _dns.canonical_selector(text)


@pytest.mark.parametrize("text, stored", [
    ("mail1.example.org", "mail1.example.org"), ("MAIL1.Example.ORG.", "mail1.example.org"),
    (" mx.bücher.example", "mx.xn--bcher-kva.example"), ("2mail.example", "2mail.example"),
])
def test_mx_hosts_use_the_one_domain_parser(text, stored):
    assert _dns.canonical_host(text) == stored


@pytest.mark.parametrize("text, words", [
    ("192.0.2.25", "is an IP address, not a host name"), ("localhost", "at least two labels"),
    ("mail_1.example.org", "not a valid domain name"), ("", "a host name is required"), ("-mx.example", "not a valid"),
])
def test_mx_hosts_that_are_refused(text, words):
    with pytest.raises(ValueError) as refused:
        _dns.canonical_host(text)
    assert words in str(refused.value)


def test_report_addresses_are_mail_addresses_without_mailto():
    assert _dns.report_address(" DMARC@Example.ORG") == "dmarc@example.org"
    with pytest.raises(ValueError, match="without 'mailto:'"):
        _dns.report_address("MailTo:dmarc@example.org")
    with pytest.raises(ValueError, match=r"^'dmarc' is not a mail address"):
        _dns.report_address("dmarc")
    with pytest.raises(ValueError, match=r"^'x@' is not a mail address: a domain name is required"):
        _dns.report_address("x@")


def test_settings_take_their_defaults():
    settings = _dns.dns_settings({"name": "example.org"})
    assert (settings.mx, settings.spf, settings.dmarc_policy, settings.dmarc_reports, settings.mta_sts,
            settings.tls_rpt, settings.selector, settings.next_selector, settings.previous) == (
        None, [], "quarantine", None, "testing", None, "gestixi", None, [])
    empty = _dns.dns_settings({"name": "example.org", "dns": None, "dkim": None})
    assert (empty.mx, empty.selector) == (None, "gestixi")


def test_settings_are_in_their_stored_form():
    import datetime

    settings = _dns.dns_settings({"name": "example.org", "dns": {
        "mx": ["MX1.example.org.", "mx2.example.org"], "spf": ["+IP4:192.0.2.10", "include:_SPF.partner.example"],
        "dmarc": {"policy": "reject", "reports": "DMARC@example.org"}, "mta_sts": "enforce",
        "tls_rpt": "tls@example.org"},
        "dkim": {"selector": "S2026", "next_selector": "s2027",
                 "previous": [{"selector": "s2025", "until": datetime.date(2026, 3, 1)}]}})
    assert settings.mx == ["mx1.example.org", "mx2.example.org"]
    assert settings.spf == ["ip4:192.0.2.10", "include:_spf.partner.example"]
    assert (settings.dmarc_policy, settings.dmarc_reports, settings.mta_sts, settings.tls_rpt) == (
        "reject", "dmarc@example.org", "enforce", "tls@example.org")
    assert (settings.selector, settings.next_selector, settings.previous) == ("s2026", "s2027", [("s2025", "2026-03-01")])


def test_a_domain_reports_every_problem_at_once_with_its_path():
    item = {"name": "example.org", "dns": {"mx": ["192.0.2.1", "mx.example.org", "MX.example.org"],
                                           "spf": ["ptr", "ip4:192.0.2.1", "ip4:192.0.2.1"],
                                           "dmarc": {"reports": "mailto:x@example.org"}, "tls_rpt": "nobody"},
            "dkim": {"selector": "s1", "next_selector": "S1", "previous": [
                {"selector": "s1", "until": "2026-01-01"}, {"selector": "bad_one", "until": "2026-01-01"}]}}
    found = _dns.domain_dns_problems(item, "d[0]", "example.org")
    assert [problem.path for problem in found] == [
        "d[0].dns.mx[0]", "d[0].dns.mx[2]", "d[0].dns.spf[0]", "d[0].dns.spf[2]", "d[0].dns.dmarc.reports",
        "d[0].dns.tls_rpt", "d[0].dkim.next_selector", "d[0].dkim.previous[0].selector",
        "d[0].dkim.previous[1].selector"]
    assert found[6].message == ("the selector s1 is the active selector: the next key needs a selector of its own "
                                "(for example gestixi2)")
    assert (found[7].item, found[7].field) == ("d[0].dkim.previous[0]", "selector")


def test_values_of_a_wrong_type_are_left_to_the_schema():
    item = {"name": "example.org", "dns": {"mx": "mx.example.org", "spf": [3, "", None], "dmarc": "reject",
                                           "tls_rpt": 5}, "dkim": {"selector": 7, "previous": ["s1", {"selector": 2}]}}
    assert _dns.domain_dns_problems(item, "d[0]", "example.org") == []
    assert _dns.domain_dns_problems({"name": "example.org", "dns": [], "dkim": "x"}, "d[0]", "example.org") == []


def test_the_whole_list_skips_domains_whose_own_rules_fail_as_the_gate_does():
    bad = {"dns": {"mx": ["192.0.2.1"]}}
    domains = [{"name": "not a domain", **bad}, {"name": "example.org"}, {"name": "EXAMPLE.org", **bad},
               "text", {"name": 3, **bad}, {"name": "example.net", **bad}]
    found = _dns.dns_problems(domains)
    assert [problem.path for problem in found] == ["domains[5].dns.mx[0]"]
    assert [p.path for p in _dns.dns_problems(domains, ["v[%d]" % i for i in range(6)])] == ["v[5].dns.mx[0]"]


def test_the_schema_takes_the_rules_words():
    definitions = DESCRIPTION_SCHEMA["definitions"]
    assert definitions["dmarc"]["properties"]["policy"]["enum"] == list(_dns.DMARC_POLICIES)
    assert definitions["dns"]["properties"]["mta_sts"]["enum"] == list(_dns.MTA_STS_MODES)
    assert _dns.DEFAULT_DMARC_POLICY in _dns.DMARC_POLICIES and _dns.DEFAULT_MTA_STS in _dns.MTA_STS_MODES
    assert _dns.canonical_selector(_dns.DEFAULT_SELECTOR) == _dns.DEFAULT_SELECTOR
