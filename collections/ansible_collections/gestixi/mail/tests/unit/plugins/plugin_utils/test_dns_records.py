# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The DNS records of mail domains (plugin_utils/_dns_records.py) and the filters dns_records
and zone_snippet: the mail-DNS settings of the repository's example description record by
record (tests/gitops/test_dns_example.py proves that inventories/example gives exactly these),
then each rule."""
from __future__ import annotations

import datetime
import hashlib

import pytest
import yaml

from ansible.errors import AnsibleFilterError

from ansible_collections.gestixi.mail.plugins.filter.dns_records import FilterModule as RecordsFilter
from ansible_collections.gestixi.mail.plugins.filter.zone_snippet import FilterModule as SnippetFilter
from ansible_collections.gestixi.mail.plugins.plugin_utils import _dns_records
from ansible_collections.gestixi.mail.plugins.plugin_utils._dns_records import (
    dns_facts,
    dns_plan,
    domain_plan,
    mta_sts_policy,
    txt_value,
    zone_snippet,
)

dns_records = RecordsFilter().filters()["dns_records"]
zone_snippet_filter = SnippetFilter().filters()["zone_snippet"]

# Two RSA 2048-bit public keys (SubjectPublicKeyInfo, base64), as `openssl pkey -pubout` prints them.
KEY_A = ("MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAm06nIk9mXKmU8mg9OYAvMqkXiCYtfeuj7cL6GxGlAHguPwXb/CZz7e+UP7Us"
         "STqtAkFk3sWznTDpFPGwTH927vWWsGGTtYESh8as6eTSk0orsD6TZQNItIMdtduXjliFCg400dlQ1ndieHMe1bunVWJ+DSCsrszckeQ3"
         "poMT/qm4W+thPIlZ7mByru8bSIwVW0MuAGTUe9MolWeIBPCTzI+T+aGRJFTisdE3LKiRkoiDPzMNCFWO0CZUeEZ4NhMH99zNWlC1E/x0"
         "lNOoNIp4KyltO6eNs34UtvYKG0w8wnHXXDlgKEumTtFjJm2Oa/jrufqNNieHnJCehV8k+WQSOQIDAQAB")
KEY_B = ("MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAm7/pTJpeTHtHcEsqDn7F7ErO1/M7snc5ksowVNF+5bQC1+Sk5i8uQXrZfY50"
         "tLkAehbuhMs0W0INbDXfqbiFvKtfBnKdLAFJQhLwKovX0zx4YyXMDcGWBh5vi3wb1xHKVWtOghcFMdjotY7m+Sm1wZKeVguCCXQJ13Ek"
         "NFMrEwMnBQqZ3VLLTycMPvR7MpdUEtQ7+N9Afw+pytDX1v22FO+Q3at6LwuC5JRnY4e72xT7qco4KpZm1wW2F3s6Cye++UGhE78j9Etd"
         "Kh0a9sPYRG5qKQQzsGmahppr2FLHeJnRUzz9qJf8GILNpZQ16kDwM/TmMdMdLXMO1y+FiIaJowIDAQAB")
CERT_NOW = "4b1c" * 16
CERT_NEXT = "9e0f" * 16
CERT_MAIL2 = "77aa" * 16
# What a playbook knows of the example's servers (inventories/example/hosts.yml): addresses,
# certificate digests (mail1 is in a rollover), the keys made so far (s2025's is gone).
SERVERS = [{"name": "mail1.example.org", "ipv4": ["192.0.2.25"], "ipv6": ["2001:db8::25"],
            "tlsa": {"current": CERT_NOW, "next": CERT_NEXT}},
           {"name": "mail2.example.org", "ipv4": ["192.0.2.26"], "tlsa": {"current": CERT_MAIL2}}]
DKIM_KEYS = {"example.org": {"s2026": KEY_A, "s2027": KEY_B}, "example.net": {"gestixi": KEY_A}}
TODAY = "2026-12-01"


def dkim(key: str) -> str:
    """The DKIM TXT value of a key as it must be published: 255-byte strings."""
    text = "v=DKIM1; k=rsa; p=" + key
    return '"%s" "%s"' % (text[:255], text[255:])


# The domains of inventories/example/group_vars/mail/ as Ansible joins them, their mail-DNS
# settings only (users, aliases and replies play no part in the records).
EXAMPLE_SETTINGS = [
    {"name": "example.org",
     "dns": {"spf": ["include:_spf.invoicing.example"],
             "dmarc": {"policy": "quarantine", "reports": "postmaster@example.org"},
             "mta_sts": "testing", "tls_rpt": "postmaster@example.org"},
     "dkim": {"selector": "s2026", "next_selector": "s2027", "previous": [{"selector": "s2025", "until": "2027-03-31"}]}},
    {"name": "example.net",
     "dns": {"mx": ["mail1.example.org", "mail2.example.org"], "spf": ["ip4:198.51.100.25"],
             "dmarc": {"policy": "reject", "reports": "postmaster@example.org"}, "mta_sts": "enforce"}},
]


def example_domains() -> list[dict]:
    return [dict(item) for item in EXAMPLE_SETTINGS]


def example_plans(domains: list[dict] | None = None) -> list[dict]:
    return dns_records(domains or example_domains(), servers=SERVERS, dkim_keys=DKIM_KEYS,
                       webmail="webmail.example.org", today=TODAY)


def rows(plan: dict) -> list[tuple]:
    return [(r["name"], r["type"], r["ttl"], r["values"]) for r in plan["records"]]


SRV_ROWS = [
    ("_submission._tcp.{d}.", "SRV", 3600, ["0 1 587 mail1.example.org."]),
    ("_submissions._tcp.{d}.", "SRV", 3600, ["0 1 465 mail1.example.org."]),
    ("_imap._tcp.{d}.", "SRV", 3600, ["0 1 143 mail1.example.org."]),
    ("_imaps._tcp.{d}.", "SRV", 3600, ["0 1 993 mail1.example.org."]),
    ("_pop3._tcp.{d}.", "SRV", 3600, ["0 0 0 ."]),
    ("_pop3s._tcp.{d}.", "SRV", 3600, ["0 0 0 ."]),
    ("_sieve._tcp.{d}.", "SRV", 3600, ["0 1 4190 mail1.example.org."]),
]
WEB_ROWS = [
    ("mta-sts.{d}.", "CNAME", 3600, ["webmail.example.org."]),
    ("autoconfig.{d}.", "CNAME", 3600, ["webmail.example.org."]),
    ("autodiscover.{d}.", "CNAME", 3600, ["webmail.example.org."]),
    ("_autodiscover._tcp.{d}.", "SRV", 3600, ["0 1 443 webmail.example.org."]),
]
SERVER_ROWS = [
    ("mail1.example.org.", "A", 3600, ["192.0.2.25"]),
    ("mail1.example.org.", "AAAA", 3600, ["2001:db8::25"]),
    ("_25._tcp.mail1.example.org.", "TLSA", 3600, ["3 1 1 " + CERT_NOW, "3 1 1 " + CERT_NEXT]),
    ("mail2.example.org.", "A", 3600, ["192.0.2.26"]),
    ("_25._tcp.mail2.example.org.", "TLSA", 3600, ["3 1 1 " + CERT_MAIL2]),
]


def _in(domain: str, table: list[tuple]) -> list[tuple]:
    return [(name.format(d=domain), rtype, ttl, values) for name, rtype, ttl, values in table]


def test_the_example_description_record_by_record(plans: list[dict] | None = None):
    org, net = plans or example_plans()
    org_policy = "version: STSv1\nmode: testing\nmx: mail1.example.org\nmx: mail2.example.org\nmax_age: 604800\n"
    net_policy = "version: STSv1\nmode: enforce\nmx: mail1.example.org\nmx: mail2.example.org\nmax_age: 604800\n"
    assert (org["domain"], org["mta_sts_policy"], net["domain"], net["mta_sts_policy"]) == (
        "example.org", org_policy, "example.net", net_policy)
    assert rows(org) == [
        ("example.org.", "MX", 3600, ["10 mail1.example.org.", "20 mail2.example.org."]),
        ("example.org.", "TXT", 3600, ['"v=spf1 mx include:_spf.invoicing.example -all"']),
        ("s2026._domainkey.example.org.", "TXT", 3600, [dkim(KEY_A)]),
        ("s2027._domainkey.example.org.", "TXT", 3600, [dkim(KEY_B)]),
        ("_dmarc.example.org.", "TXT", 3600, ['"v=DMARC1; p=quarantine; rua=mailto:postmaster@example.org"']),
        ("_smtp._tls.example.org.", "TXT", 3600, ['"v=TLSRPTv1; rua=mailto:postmaster@example.org"']),
        ("_mta-sts.example.org.", "TXT", 3600, ['"v=STSv1; id=e9b3e35833cef6ad7c4a"']),
    ] + _in("example.org", WEB_ROWS) + _in("example.org", SRV_ROWS) + SERVER_ROWS
    # s2025 stays published until 2027-03-31, but its key is not known: never invented.
    assert org["missing"] == [{"name": "s2025._domainkey.example.org.", "type": "TXT",
                               "needs": "the DKIM public key of selector s2025 of example.org"}]
    assert rows(net) == [
        ("example.net.", "MX", 3600, ["10 mail1.example.org.", "20 mail2.example.org."]),
        ("example.net.", "TXT", 3600, ['"v=spf1 mx ip4:198.51.100.25 -all"']),
        ("gestixi._domainkey.example.net.", "TXT", 3600, [dkim(KEY_A)]),
        ("_dmarc.example.net.", "TXT", 3600, ['"v=DMARC1; p=reject; rua=mailto:postmaster@example.org"']),
        ("example.net._report._dmarc.example.org.", "TXT", 3600, ['"v=DMARC1"']),
        ("_mta-sts.example.net.", "TXT", 3600, ['"v=STSv1; id=4d029aac0c7490040c5e"']),
    ] + _in("example.net", WEB_ROWS) + _in("example.net", SRV_ROWS) + SERVER_ROWS
    assert net["missing"] == []
    # The MTA-STS id is the digest of the policy text: it changes exactly when the policy does.
    for plan, policy in ((org, org_policy), (net, net_policy)):
        record = next(r for r in plan["records"] if r["name"].startswith("_mta-sts."))
        assert record["values"] == ['"v=STSv1; id=%s"' % hashlib.sha256(policy.encode()).hexdigest()[:20]]
    assert all(record["about"] for plan in (org, net) for record in plan["records"])


EXAMPLE_NET_SNIPPET = """\
; gestixi.mail: the mail DNS records of example.net
$ORIGIN example.net.
; MX: the hosts that receive mail for example.net, in order of preference
@                  3600 IN MX    10 mail1.example.org.
@                  3600 IN MX    20 mail2.example.org.
; SPF: who may send mail from example.net
@                  3600 IN TXT   "v=spf1 mx ip4:198.51.100.25 -all"
; DKIM key gestixi (signs now)
gestixi._domainkey 3600 IN TXT   %(dkim)s
; DMARC: what receivers do with mail that fails
_dmarc             3600 IN TXT   "v=DMARC1; p=reject; rua=mailto:postmaster@example.org"
; MTA-STS: policy 4d029aac0c7490040c5e (mode enforce)
_mta-sts           3600 IN TXT   "v=STSv1; id=4d029aac0c7490040c5e"
; MTA-STS: the host that serves the policy
mta-sts            3600 IN CNAME webmail.example.org.
; mail client settings (Thunderbird autoconfig)
autoconfig         3600 IN CNAME webmail.example.org.
; mail client settings (Outlook autodiscover)
autodiscover       3600 IN CNAME webmail.example.org.
; mail client settings (Outlook autodiscover)
_autodiscover._tcp 3600 IN SRV   0 1 443 webmail.example.org.
; client settings: submission on port 587
_submission._tcp   3600 IN SRV   0 1 587 mail1.example.org.
; client settings: submissions on port 465
_submissions._tcp  3600 IN SRV   0 1 465 mail1.example.org.
; client settings: imap on port 143
_imap._tcp         3600 IN SRV   0 1 143 mail1.example.org.
; client settings: imaps on port 993
_imaps._tcp        3600 IN SRV   0 1 993 mail1.example.org.
; client settings: pop3 is not offered (RFC 6186: target '.')
_pop3._tcp         3600 IN SRV   0 0 0 .
; client settings: pop3s is not offered (RFC 6186: target '.')
_pop3s._tcp        3600 IN SRV   0 0 0 .
; client settings: sieve on port 4190
_sieve._tcp        3600 IN SRV   0 1 4190 mail1.example.org.
;
; In other zones (publish them there):
;   ; DMARC: example.org accepts the reports of example.net
;   example.net._report._dmarc.example.org. 3600 IN TXT "v=DMARC1"
;   ; the mail server mail1.example.org
;   mail1.example.org. 3600 IN A 192.0.2.25
;   ; the mail server mail1.example.org
;   mail1.example.org. 3600 IN AAAA 2001:db8::25
;   ; DANE: the certificate of mail1.example.org (current, next)
;   _25._tcp.mail1.example.org. 3600 IN TLSA 3 1 1 %(now)s
;   _25._tcp.mail1.example.org. 3600 IN TLSA 3 1 1 %(next)s
;   ; the mail server mail2.example.org
;   mail2.example.org. 3600 IN A 192.0.2.26
;   ; DANE: the certificate of mail2.example.org (current)
;   _25._tcp.mail2.example.org. 3600 IN TLSA 3 1 1 %(mail2)s
;
; MTA-STS policy, served at https://mta-sts.example.net/.well-known/mta-sts.txt:
;   version: STSv1
;   mode: enforce
;   mx: mail1.example.org
;   mx: mail2.example.org
;   max_age: 604800
""" % {"dkim": dkim(KEY_A), "now": CERT_NOW, "next": CERT_NEXT, "mail2": CERT_MAIL2}


def test_the_zone_snippet_of_example_net_exactly(plans: list[dict] | None = None):
    _org, net = plans or example_plans()
    assert zone_snippet_filter(net) == EXAMPLE_NET_SNIPPET
    both = zone_snippet_filter(plans or example_plans())
    assert both.endswith("\n" + EXAMPLE_NET_SNIPPET) and both.startswith("; gestixi.mail: the mail DNS records of example.org\n")
    assert ";   s2025._domainkey.example.org. TXT: needs the DKIM public key of selector s2025 of example.org\n" in both


def test_the_zone_snippet_is_what_a_zone_parser_reads(plans: list[dict] | None = None):
    dns_zone = pytest.importorskip("dns.zone", reason="dnspython (requirements.txt) is not installed")
    for plan in plans or example_plans():
        text = zone_snippet(plan)
        zone = dns_zone.from_text(text, origin=plan["domain"], relativize=False, check_origin=False)
        inside = [r for r in plan["records"] if r["name"] == plan["domain"] + "." or r["name"].endswith("." + plan["domain"] + ".")]
        assert len(list(zone.iterate_rdatasets())) == len(inside) > 15
        for record in inside:
            rdataset = zone.find_rdataset(record["name"], record["type"])
            assert rdataset.ttl == record["ttl"]
            assert sorted(rdata.to_text() for rdata in rdataset) == sorted(record["values"]), record
        # The records of other zones are there too, commented out, and read as they are.
        outside = [line[4:] for line in text.splitlines() if line.startswith(";   ") and " IN " in line
                   and not line.startswith(";   ;")]
        others = dns_zone.from_text("\n".join(outside) + "\n", origin=".", relativize=False, check_origin=False)
        assert sorted((str(name), rdataset.rdtype.name, sorted(r.to_text() for r in rdataset))
                      for name, rdataset in others.iterate_rdatasets()) == sorted(
            (r["name"], r["type"], sorted(r["values"])) for r in plan["records"] if r not in inside)
    # The DKIM record's strings are 255 bytes at most, and read back as the whole text.
    record = zone.find_rdataset("gestixi._domainkey.example.net.", "TXT")[0]
    assert [len(s) for s in record.strings] == [255, len("v=DKIM1; k=rsa; p=" + KEY_A) - 255]
    assert b"".join(record.strings).decode() == "v=DKIM1; k=rsa; p=" + KEY_A


# ---------------------------------------------------------------------------------------------
# Each rule


def facts(**given):
    arguments = {"servers": ["mail1.example.org"], "today": TODAY, **given}
    return dns_facts(**arguments)


def by_name(plan: dict) -> dict:
    return {(r["name"], r["type"]): r["values"] for r in plan["records"]}


def test_missing_inputs_are_listed_never_invented():
    plan = domain_plan({"name": "example.org", "dkim": {"selector": "s1", "next_selector": "s2"}}, facts())
    assert [(m["name"], m["type"]) for m in plan["missing"]] == [
        ("s1._domainkey.example.org.", "TXT"), ("s2._domainkey.example.org.", "TXT"),
        ("_mta-sts.example.org.", "TXT"), ("mta-sts.example.org.", "CNAME"), ("autoconfig.example.org.", "CNAME"), ("autodiscover.example.org.", "CNAME"),
        ("mail1.example.org.", "A"), ("_25._tcp.mail1.example.org.", "TLSA")]
    # No host serves the policy: no policy record either (senders would fail to fetch it).
    assert plan["missing"][2]["needs"] == "the webmail host name (webmail: it serves the policy of mode testing over HTTPS)"
    assert plan["missing"][3]["needs"] == ("the webmail host name (webmail: it serves "
                                           "https://mta-sts.example.org/.well-known/mta-sts.txt over HTTPS)")
    types = {r["type"] for r in plan["records"]}
    assert "CNAME" not in types and "TLSA" not in types and "A" not in types
    assert not any("_domainkey" in r["name"] for r in plan["records"])
    assert "_autodiscover._tcp.example.org." not in {r["name"] for r in plan["records"]}
    assert "_mta-sts.example.org." not in {r["name"] for r in plan["records"]}


def test_defaults_are_a_careful_operators():
    plan = domain_plan({"name": "example.org"}, facts(dkim_keys={"example.org": {"gestixi": KEY_A}}))
    records = by_name(plan)
    assert records[("example.org.", "MX")] == ["10 mail1.example.org."]
    assert records[("example.org.", "TXT")] == ['"v=spf1 mx -all"']
    assert records[("_dmarc.example.org.", "TXT")] == ['"v=DMARC1; p=quarantine"']
    assert ("gestixi._domainkey.example.org.", "TXT") in records
    assert ("_smtp._tls.example.org.", "TXT") not in records  # no address, no TLS-RPT record
    assert plan["mta_sts_policy"] == "version: STSv1\nmode: testing\nmx: mail1.example.org\nmax_age: 604800\n"


def test_old_keys_are_published_until_their_day_inclusive():
    item = {"name": "example.org", "dkim": {"selector": "s2", "previous": [{"selector": "s1", "until": datetime.date(2026, 12, 1)}]}}
    keys = {"example.org": {"s1": KEY_A, "s2": KEY_B}}
    on_the_day = domain_plan(item, facts(dkim_keys=keys, today="2026-12-01"))
    day_after = domain_plan(item, facts(dkim_keys=keys, today=datetime.date(2026, 12, 2)))
    assert ("s1._domainkey.example.org.", "TXT") in by_name(on_the_day)
    assert ("s1._domainkey.example.org.", "TXT") not in by_name(day_after)
    assert ("s2._domainkey.example.org.", "TXT") in by_name(day_after)
    about = [r["about"] for r in on_the_day["records"] if "_domainkey" in r["name"]]
    assert about == ["DKIM key s2 (signs now)", "DKIM key s1 (old, published until 2026-12-01)"]
    # The day after, its record is to be withdrawn from the zone.
    assert on_the_day["retired"] == []
    assert day_after["retired"] == [{"name": "s1._domainkey.example.org.", "type": "TXT",
                                     "about": "DKIM key s1 (old, withdrawn after 2026-12-01)"}]


def test_the_mta_sts_id_follows_the_policy():
    def policy_id(item, **given):
        return by_name(domain_plan(item, facts(webmail="webmail.example.org", **given)))[("_mta-sts.example.org.", "TXT")][0]

    base = policy_id({"name": "example.org"})
    assert policy_id({"name": "EXAMPLE.org", "dns": {"spf": ["ip4:192.0.2.1"]}}) == base  # not in the policy
    changed = [policy_id({"name": "example.org", "dns": {"mta_sts": "enforce"}}),
               policy_id({"name": "example.org", "dns": {"mx": ["mx.example.org"]}}),
               policy_id({"name": "example.org"}, mta_sts_max_age=86400)]
    assert len(set(changed + [base])) == 4
    assert mta_sts_policy("none", ["a.example", "b.example"], 86400) == (
        "version: STSv1\nmode: none\nmx: a.example\nmx: b.example\nmax_age: 86400\n")


def test_servers_that_send_but_do_not_receive_are_in_spf():
    item = {"name": "example.org", "dns": {"mx": ["mx.filter.example"], "spf": ["ip4:192.0.2.25"]}}
    servers = [{"name": "mail1.example.org", "ipv4": ["192.0.2.25"], "ipv6": ["2001:db8::25"]}, "mail2.example.org"]
    plan = domain_plan(item, facts(servers=servers))
    assert by_name(plan)[("example.org.", "TXT")] == ['"v=spf1 mx ip4:192.0.2.25 ip6:2001:db8::25 a:mail2.example.org -all"']
    assert by_name(plan)[("example.org.", "MX")] == ["10 mx.filter.example."]
    # Another operator's MX: neither addresses nor TLSA are ours to publish, nor missing.
    assert not [r for r in plan["records"] if r["type"] in ("A", "AAAA", "TLSA")]
    assert not [m for m in plan["missing"] if m["type"] in ("A", "TLSA")]
    assert plan["mta_sts_policy"].splitlines()[2:3] == ["mx: mx.filter.example"]


def test_services_not_offered_say_so_and_clients_use_their_host():
    plan = domain_plan({"name": "example.org"}, facts(ports={"imap": 0, "submissions": None, "pop3s": 995, "sieve": "4190"},
                                                      clients_host="IMAP.Example.org"))
    srv = {name: values for (name, rtype), values in by_name(plan).items() if rtype == "SRV"}
    assert srv == {"_submission._tcp.example.org.": ["0 1 587 imap.example.org."],
                   "_submissions._tcp.example.org.": ["0 0 0 ."],
                   "_imap._tcp.example.org.": ["0 0 0 ."],
                   "_imaps._tcp.example.org.": ["0 1 993 imap.example.org."],
                   "_pop3._tcp.example.org.": ["0 0 0 ."],
                   "_pop3s._tcp.example.org.": ["0 1 995 imap.example.org."],
                   "_sieve._tcp.example.org.": ["0 1 4190 imap.example.org."]}


def test_international_names_are_in_a_label_form_everywhere():
    plan = domain_plan({"name": "Bücher.example", "dns": {"mx": ["mx.bücher.example"], "tls_rpt": "tls@bücher.example"}},
                       facts(servers=["mx.bücher.example"], webmail={"ipv4": ["192.0.2.80"], "ipv6": "2001:db8::80"}))
    assert plan["domain"] == "xn--bcher-kva.example"
    assert all(r["name"].endswith("xn--bcher-kva.example.") and r["name"].isascii() for r in plan["records"])
    records = by_name(plan)
    assert records[("xn--bcher-kva.example.", "MX")] == ["10 mx.xn--bcher-kva.example."]
    assert records[("_smtp._tls.xn--bcher-kva.example.", "TXT")] == ['"v=TLSRPTv1; rua=mailto:tls@xn--bcher-kva.example"']
    # A webmail given by its addresses: A and AAAA records instead of CNAMEs.
    assert records[("autoconfig.xn--bcher-kva.example.", "A")] == ["192.0.2.80"]
    assert records[("mta-sts.xn--bcher-kva.example.", "AAAA")] == ["2001:db8::80"]
    text = zone_snippet(plan)
    assert text.startswith("; gestixi.mail: the mail DNS records of bücher.example (xn--bcher-kva.example)\n"
                           "$ORIGIN xn--bcher-kva.example.\n")
    assert all(line.isascii() for line in text.splitlines()[1:])


def test_txt_values_are_quoted_escaped_and_split_at_255_bytes():
    assert txt_value("") == '""'
    assert txt_value('say "hi" \\ now') == '"say \\"hi\\" \\\\ now"'
    assert txt_value("x" * 255) == '"%s"' % ("x" * 255)
    assert txt_value("x" * 256) == '"%s" "x"' % ("x" * 255)
    assert txt_value("é\x01") == '"\\195\\169\\001"'


def test_keys_and_digests_are_read_as_tools_print_them():
    pem = "-----BEGIN PUBLIC KEY-----\n%s\n%s\n-----END PUBLIC KEY-----\n" % (KEY_A[:64], KEY_A[64:])
    colons = ":".join(CERT_NOW[i:i + 2] for i in range(0, 64, 2)).upper()
    given = facts(servers=[{"name": "mail1.example.org", "tlsa": {"current": colons}}], dkim_keys={"EXAMPLE.org": {"S1": pem}})
    assert given.dkim_keys == {"example.org": {"s1": KEY_A}}
    assert given.servers[0].tlsa == [CERT_NOW]


@pytest.mark.parametrize("given, words", [
    ({"servers": []}, "servers: give the mail servers"),
    ({"servers": [{"ipv4": ["192.0.2.1"]}]}, "servers[0]: a host name is required"),
    ({"servers": ["192.0.2.1"]}, "servers[0]: '192.0.2.1' is an IP address"),
    ({"servers": [{"name": "m.example", "ipv4": ["192.0.2.300"]}]}, "servers[0] ipv4: '192.0.2.300' is not an IPv4 address"),
    ({"servers": [{"name": "m.example", "ipv6": ["192.0.2.1"]}]}, "is not an IPv6 address"),
    ({"servers": [{"name": "m.example", "tlsa": {"current": "abc"}}]}, "servers[0].tlsa.current: 'abc' is not a SHA-256"),
    ({"servers": [{"name": "m.example", "tlsa": {"now": CERT_NOW}}]}, "unknown key(s) now; it takes current and next"),
    ({"servers": [{"name": "m.example", "tlsa": [CERT_NOW]}]}, "expected a mapping with current and next"),
    ({"dkim_keys": {"example.org": {"s1": "not base64!"}}}, "dkim_keys[example.org][s1]: not a public key"),
    ({"dkim_keys": {"example.org": {"s1": "QUJD"}}}, "too short for an RSA public key"),
    ({"dkim_keys": {"example.org": "MIIB"}}, "expected {selector: public key}"),
    ({"dkim_keys": ["x"]}, "expected {domain: {selector: public key}}"),
    ({"ports": {"smtp": 25}}, "ports: unknown service 'smtp'"),
    ({"ports": {"imap": 70000}}, "ports.imap: 70000 is not a port number (1 to 65535)"),
    ({"ports": {"imap": "imap"}}, "ports.imap: 'imap' is not a port number"),
    ({"ttl": 10}, "ttl: 10 is not a number of seconds from 60"),
    ({"ttl": "hour"}, "ttl: 'hour' is not a whole number"),
    ({"today": "tomorrow"}, "today: 'tomorrow' is not a date"),
    ({"webmail": ["x"]}, "webmail: expected a host name or a mapping"),
])
def test_facts_that_cannot_be_read_are_refused_with_what_is_wrong(given, words):
    with pytest.raises(AnsibleFilterError) as refused:
        dns_records([{"name": "example.org"}], **{"servers": ["mail1.example.org"], "today": TODAY, **given})
    assert words in str(refused.value) and str(refused.value).startswith("dns_records: ")


def test_a_description_the_rules_refuse_gives_no_records():
    with pytest.raises(AnsibleFilterError, match=r"domains\[0\]\.dns\.mx\[0\]: '192.0.2.1' is an IP address"):
        dns_records({"name": "example.org", "dns": {"mx": ["192.0.2.1"]}}, servers=["mail1.example.org"])
    with pytest.raises(AnsibleFilterError, match="every domain is a mapping with a name"):
        dns_records(["example.org"], servers=["mail1.example.org"])
    with pytest.raises(AnsibleFilterError, match="expected the domains of a mail description"):
        dns_records("example.org", servers=["mail1.example.org"])
    assert dns_records(None, servers=["mail1.example.org"]) == []
    with pytest.raises(AnsibleFilterError, match="zone_snippet needs what gestixi.mail.dns_records returns"):
        zone_snippet_filter([{"name": "example.org."}])


def test_one_domain_gives_one_plan_and_a_list_gives_a_list_in_order():
    one = dns_records({"name": "example.net"}, servers=["mail1.example.org"], today=TODAY)
    several = dns_records([{"name": "example.net"}, {"name": "example.org"}], servers=["mail1.example.org"], today=TODAY)
    assert isinstance(one, dict) and [plan["domain"] for plan in several] == ["example.net", "example.org"]
    assert several[0] == one
    assert dns_plan([{"name": "example.net"}], facts()) == [domain_plan({"name": "example.net"}, facts())]


def test_the_order_is_stable_and_the_ttl_is_the_callers():
    item = example_domains()[0]
    first = domain_plan(item, facts(servers=SERVERS, dkim_keys=DKIM_KEYS, ttl=300))
    assert first == domain_plan(item, facts(servers=SERVERS, dkim_keys=DKIM_KEYS, ttl=300))
    assert {r["ttl"] for r in first["records"]} == {300}
    assert len({(r["name"], r["type"]) for r in first["records"]}) == len(first["records"])  # one entry per RRset


def test_the_filters_documentation_is_yaml():
    from ansible_collections.gestixi.mail.plugins.filter import dns_records as records_module
    from ansible_collections.gestixi.mail.plugins.filter import zone_snippet as snippet_module

    for module, name in ((records_module, "dns_records"), (snippet_module, "zone_snippet")):
        documentation = yaml.safe_load(module.DOCUMENTATION)
        assert documentation["name"] == name and documentation["options"]["_input"]["required"] is True
        assert isinstance(yaml.safe_load(module.EXAMPLES), list) and "_value" in yaml.safe_load(module.RETURN)
    assert set(yaml.safe_load(records_module.DOCUMENTATION)["options"]) == {
        "_input", "servers", "dkim_keys", "webmail", "clients_host", "ports", "ttl", "mta_sts_max_age", "today"}
    assert _dns_records.DEFAULT_TTL == 3600 and _dns_records.DEFAULT_MTA_STS_MAX_AGE == 604800


def test_each_kind_of_plan_line():
    line = _dns_records.dns_plan_line
    assert line({"name": "s2._domainkey.example.org.", "type": "TXT", "problem": "missing", "ttl": 300,
                 "values": ['"v=DKIM1; k=rsa; p=%s"' % KEY_A], "about": "DKIM key s2 (signs now)",
                 "live": {"ttl": None, "values": []}}) == (
        '+ TXT s2._domainkey.example.org. "v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCg... '
        '(DKIM key s2 (signs now))')
    assert line({"name": "example.org.", "type": "MX", "problem": "differs", "ttl": 300,
                 "values": ["10 mail.example.org."], "live": {"ttl": 600, "values": ["10 old.example.org."]}}) == (
        "~ MX example.org. 10 mail.example.org. (now: 10 old.example.org., TTL 600)")
    assert line({"name": "s1._domainkey.example.org.", "type": "TXT", "problem": "retired",
                 "about": "DKIM key s1 (old, withdrawn after 2026-12-01)"}) == (
        "- TXT s1._domainkey.example.org. (DKIM key s1 (old, withdrawn after 2026-12-01))")
    assert line({"name": "_25._tcp.mail.example.org.", "type": "TLSA", "needs": "the digest"}) == (
        "? TLSA _25._tcp.mail.example.org.: needs the digest")
