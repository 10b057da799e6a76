#!/usr/bin/env python3
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""DNS plan benchmark: the time to compute every DNS record of the 10,000-user benchmark
description (store_bench.py's generator: 10 domains, 20,000 aliases, 1,000 automatic replies),
each domain given mail-DNS settings (dns:, dkim: with a next and an old selector), two mail
servers with addresses and certificate digests, and a DKIM key per selector.

Measured (median of --repeats runs, in the process, no Ansible): the plan of every domain
(plugin_utils/_dns_records.dns_plan, the filter gestixi.mail.dns_records), the zone snippet of
that plan (zone_snippet), and the description's mail-DNS rules as the gate and the host run
them (rules/_dns.dns_problems). It asserts nothing.

    .venv/bin/python bench/dns_records_bench.py            # or: ./run bench
    .venv/bin/python bench/dns_records_bench.py --users 100000 --repeats 5
"""
from __future__ import annotations

import argparse
import base64
import datetime
import os
import statistics
import sys
import time

from store_bench import description, mail_description  # the bench folder is the script's own: on sys.path

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "collections"))

from ansible_collections.gestixi.mail.plugins.module_utils.rules._dns import dns_problems  # noqa: E402
from ansible_collections.gestixi.mail.plugins.plugin_utils._dns_records import dns_facts, dns_plan, zone_snippet  # noqa: E402

# Never verified here: the records do not read passwords.
HASH = "{SHA512-CRYPT}$6$benchbenchbench0$" + "a" * 86
# A stand-in for a 2048-bit key's base64 (294 bytes of DER): the records only copy it.
PUBLIC_KEY = base64.b64encode(bytes(range(256)) + bytes(38)).decode("ascii")


def with_dns_settings(domains: list[dict]) -> list[dict]:
    for index, item in enumerate(domains):
        item["dns"] = {"spf": ["include:_spf.partner%d.example" % index, "ip4:192.0.2.%d" % (10 + index)],
                       "dmarc": {"policy": "reject", "reports": "postmaster@%s" % item["name"]},
                       "mta_sts": "enforce", "tls_rpt": "postmaster@%s" % item["name"]}
        item["dkim"] = {"selector": "s2026", "next_selector": "s2027",
                        "previous": [{"selector": "s2025", "until": "2099-12-31"}]}
    return domains


def median_seconds(work, repeats: int) -> tuple[float, object]:
    times, result = [], None
    for _run in range(repeats):
        started = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--domains", type=int, default=10)
    parser.add_argument("--users", type=int, default=10000)
    parser.add_argument("--aliases", type=int, default=20000)
    parser.add_argument("--responders", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    domains = with_dns_settings(mail_description(description(
        args.domains, args.users, args.aliases, 50, args.responders, 10, HASH)))
    keys = {item["name"]: {selector: PUBLIC_KEY for selector in ("s2025", "s2026", "s2027")} for item in domains}
    servers = [{"name": "mail1.bench.example", "ipv4": ["192.0.2.25"], "ipv6": ["2001:db8::25"],
                "tlsa": {"current": "ab" * 32, "next": "cd" * 32}},
               {"name": "mail2.bench.example", "ipv4": ["192.0.2.26"], "tlsa": {"current": "ef" * 32}}]

    def plan() -> list[dict]:
        facts = dns_facts(servers, keys, "webmail.bench.example", today=datetime.date.today())
        return dns_plan(domains, facts)

    plan_seconds, plans = median_seconds(plan, args.repeats)
    snippet_seconds, text = median_seconds(lambda: zone_snippet(plans), args.repeats)
    rules_seconds, problems = median_seconds(lambda: dns_problems(domains), args.repeats)
    records = sum(len(p["records"]) for p in plans)
    values = sum(len(r["values"]) for p in plans for r in p["records"])
    print("DNS plan of the benchmark description: %d domains, %d users, %d aliases, %d automatic replies"
          % (len(domains), sum(len(d["users"]) for d in domains), sum(len(d["aliases"]) for d in domains),
             args.responders))
    print("  dns_records (every record of every domain)  %8.2f ms  (%d RRsets, %d records, %d missing)"
          % (plan_seconds * 1000, records, values, sum(len(p["missing"]) for p in plans)))
    print("  zone_snippet (the text of that plan)         %8.2f ms  (%d lines)"
          % (snippet_seconds * 1000, text.count("\n")))
    print("  mail-DNS rules (dns_problems, gate and host) %8.2f ms  (%d problems)"
          % (rules_seconds * 1000, len(problems)))
    print("  median of %d runs, Python %s" % (args.repeats, sys.version.split()[0]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
