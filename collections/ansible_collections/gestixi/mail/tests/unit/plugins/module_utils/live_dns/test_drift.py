# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The comparison of planned records with a server's answers (the server itself is BIND in the
Molecule scenario `internet`): DNS data, not text, counts."""
from __future__ import annotations

import dns.rdata
import dns.rdataclass
import dns.rdatatype
import pytest

from ansible_collections.gestixi.mail.plugins.module_utils._errors import MailStateError
from ansible_collections.gestixi.mail.plugins.module_utils.live_dns._drift import (
    Answer,
    Wanted,
    compare,
    wanted_records,
    zone_of,
)


def answer(rtype: str, ttl: int | None, *values: str) -> Answer:
    return Answer(ttl, [dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.from_text(rtype), v) for v in values])


def test_the_same_data_written_otherwise_is_in_step():
    mx = Wanted("example.org.", "MX", 300, ["10 MAIL.example.org.", "20 mail2.example.org."], "MX")
    assert compare(mx, answer("MX", 300, "20 mail2.example.org.", "10 mail.example.org.")) is None
    txt = Wanted("example.org.", "TXT", 300, ['"v=spf1 mx -all"'], "SPF")
    assert compare(txt, answer("TXT", 300, "v=spf1\\ mx\\ -all")) is None


def test_missing_differing_values_or_ttl_and_retired_records_are_drift():
    mx = Wanted("example.org.", "MX", 300, ["10 mail.example.org."], "MX")
    assert compare(mx, answer("MX", None))["problem"] == "missing"
    other = compare(mx, answer("MX", 300, "10 old.example.org."))
    assert other["problem"] == "differs" and other["live"] == {"ttl": 300, "values": ["10 old.example.org."]}
    assert compare(mx, answer("MX", 3600, "10 mail.example.org."))["problem"] == "differs"
    old = Wanted("s1._domainkey.example.org.", "TXT", None, [], "DKIM key s1", retired=True)
    assert compare(old, answer("TXT", 300, '"v=DKIM1; p=abc"'))["problem"] == "retired"
    assert compare(old, answer("TXT", None)) is None


def test_records_belong_to_the_longest_zone_that_holds_them():
    zones = ["example.org.", "mail.example.org.", "example.net."]
    assert zone_of("_25._tcp.mail.example.org.", zones) == "mail.example.org."
    assert zone_of("example.org.", zones) == "example.org."
    assert zone_of("badexample.org.", zones) is None


def test_plans_are_read_and_what_is_not_a_plan_is_refused_by_index():
    record = {"name": "example.org.", "type": "mx", "ttl": 300, "values": ["10 mail.example.org."], "about": "MX"}
    retired = {"name": "s1._domainkey.example.org.", "type": "TXT", "about": "old"}
    wanted = wanted_records([{"domain": "example.org", "records": [record], "retired": [retired]}])
    assert [(w.name, w.type, w.retired) for w in wanted] == [
        ("example.org.", "MX", False), ("s1._domainkey.example.org.", "TXT", True)]
    with pytest.raises(MailStateError) as refused:
        wanted_records([{"records": [{"name": "x."}]}, {"records": "no"}])
    assert [p.item for p in refused.value.problems] == ["plans[0].records[0]", "plans[1]"]


def test_a_servers_own_records_shared_by_several_domains_are_compared_once():
    tlsa = {"name": "_25._tcp.mail.example.test.", "type": "TLSA", "ttl": 300, "values": ["3 1 1 aa", "3 1 1 bb"]}
    org = {"domain": "example.org", "records": [tlsa]}
    net = {"domain": "example.net", "records": [dict(tlsa, values=["3 1 1 bb", "3 1 1 aa"])]}
    assert [(w.name, w.type) for w in wanted_records([org, net])] == [("_25._tcp.mail.example.test.", "TLSA")]
    other = {"domain": "example.net", "records": [dict(tlsa, values=["3 1 1 cc"])]}
    with pytest.raises(MailStateError) as refused:
        wanted_records([org, other])
    assert [(p.item, p.message) for p in refused.value.problems] == [
        ("plans[1].records[0]", "_25._tcp.mail.example.test. TLSA is planned by an earlier plan with other data")]
