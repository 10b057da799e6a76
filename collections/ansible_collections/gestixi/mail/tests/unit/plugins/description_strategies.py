# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Hypothesis strategies for mail descriptions, and the two sides that judge them.

Used by test_differential.py: the controller's check (check_description) and the host's
converge (gestixi_mail's converge_description + run_converge on a fresh SQLite store) must
give the same verdict on every description, valid or not.

Descriptions are typed as the schema wants most of the time (mappings and lists in the right
places) with hostile content, and structurally wrong a smaller share of the time.
"""
from __future__ import annotations

import datetime
import os
import re
import shutil
import tempfile

from hypothesis import strategies as st

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.gestixi.mail.plugins.module_utils._errors import InvalidItem, MailStateError
from ansible_collections.gestixi.mail.plugins.module_utils.converge import _runner
from ansible_collections.gestixi.mail.plugins.module_utils.converge._whole_description import (
    argument_spec as description_argument_spec,
    converge_description,
    description_key,
    log_summary,
    plaintext_passwords,
)
from ansible_collections.gestixi.mail.plugins.module_utils.rules._description import description_digest
from ansible_collections.gestixi.mail.plugins.module_utils.rules._alias_graph import AliasLimits
from ansible_collections.gestixi.mail.plugins.plugin_utils._description_check import _plain, check_description
from ansible_collections.gestixi.mail.tests.unit.plugins.module_utils.store_harness import ConvergeModule

DESCRIPTION_VAR = "gestixi_mail_domains"
OPTION = "domains"  # the task option of gestixi_mail that carries the description
TODAY = datetime.date(2026, 6, 1)  # the controller's "today" (only warnings depend on it)
# Small Postfix limits on the host, so that graphs beyond them stay small.
EXPANSION_LIMIT = 20
RECURSION_LIMIT = 5
PASSWORD_SCHEME = "SHA512-CRYPT"  # plain texts are hashed on the host: the fastest scheme
HASH = ("{SHA512-CRYPT}$6$3uVpMh6lC7fT5V20$IgoTFT6IwAFpXXrYRS4oljGmqcbpfVw3lxxaA7AbbDA9"
        "TiPZgo9ZUmVxxbmCNjkt7024e4iw65YY7qWE9fyhu.")

# ---------------------------------------------------------------------------------------------
# Hostile text

CONTROLS = [chr(c) for c in range(0x00, 0x20)] + ["\x7f"] + [chr(c) for c in range(0x80, 0xa0)] + ["\u2028", "\u2029"]
SPECIALS = CONTROLS + ["\r\n", "\n", "\r", "\t", '"', "'", "\\", " ", "\u00a0", "/", "@", "..", ".",
                       "é", "ß", "ü", "İ", "\u200b", "\ufeff", "日本", "\U0001f600", "{{", "}}", "%", "$"]


def around(value: st.SearchStrategy) -> st.SearchStrategy:
    """value, or value with hostile text before, after or inside it."""
    return st.one_of(
        value,
        st.tuples(st.sampled_from(SPECIALS), value).map(lambda t: t[0] + t[1]),
        st.tuples(value, st.sampled_from(SPECIALS)).map(lambda t: t[0] + t[1]),
        st.tuples(value, st.sampled_from(SPECIALS), st.integers(0, 8)).map(
            lambda t: t[0][:t[2]] + t[1] + t[0][t[2]:]),
        value.map(str.upper),
    )


def long_text(limits=(63, 64, 65, 253, 254, 255, 256, 9999, 10000, 10001)) -> st.SearchStrategy:
    return st.tuples(st.sampled_from("xé\u00e9"), st.sampled_from(limits)).map(lambda t: t[0] * t[1])


hostile_text = st.one_of(
    st.lists(st.sampled_from(SPECIALS + list("abcAB xyz.-_0")), max_size=8).map("".join),
    st.text(max_size=12),
    long_text(),
)

# ---------------------------------------------------------------------------------------------
# Names

DOMAIN_NAMES = ["example.org", "example.net", "bücher.example", "xn--bcher-kva.example", "EXAMPLE.ORG",
                "example.org.", " example.org", "Bücher.Example", "xn--zz.example", "xn--.example",
                "example", "exa mple.org", "-bad.example", "例え.テスト", "a" * 63 + ".example",
                "a" * 64 + ".example", ("a" * 60 + ".") * 4 + "ex", "example.org\n", "ex_ample.org"]
GOOD_DOMAINS = ["example.org", "example.net", "bücher.example", "sub.example.com"]
LOGINS = ["alice", "bob", "carol", "contact", "all", "a.b", "x_y", "z-9", "info"]
BAD_LOGINS = ["Alice", " alice", "alice ", "alice\n", ".alice", "alice.", "a..b", "al ice", "alice@example.org",
              "alicé", "a+b", "a" * 64, "a" * 65, "", "ALICE", "al\u2028ice"]
RESPONDER_NAMES = ["holidays", "closure", "Holidays", " holidays", "holidays ", "a/b", "x" * 64, "x" * 65,
                   "hol\x85", "hol\u2028", "hol\tday", "vacances été", ""]
TIMEZONES = ["UTC", "Europe/Paris", "America/Santiago", "Australia/Lord_Howe", "Asia/Kathmandu",
             "Europe/London", "Mars/Olympus", "europe/paris", "Europe/Paris ", " UTC", "/etc/localtime",
             "../etc/passwd", "Etc/GMT+5", "EST5EDT", "Local", "UTC\n", "Europe/Paris/x", "posixrules"]
DATES_TEXT = ["2026-03-29", "2026-03-28", "2026-03-30", "2026-10-25", "2026-10-24", "2026-10-26",
              "2026-04-05", "2026-09-06", "2026-12-20", "2027-01-04", "2026-02-29", "2028-02-29",
              "2026-02-30", "2026-13-01", "2026-3-29", "26-03-29", "2026/03/29", " 2026-03-29",
              "2026-03-29 ", "2026-03-29\n", "1969-12-31", "1970-01-01", "9998-12-31", "9999-12-31",
              "0000-01-01", "２０２６-03-29", "2026-03-29T00:00", ""]
DATES_YAML = [datetime.date(2026, 3, 29), datetime.date(2026, 10, 25), datetime.date(2026, 12, 20),
              datetime.date(2027, 1, 4), datetime.date(1969, 12, 31), datetime.date(9999, 12, 31),
              datetime.date(1, 1, 1)]
DATETIMES = [datetime.datetime(2026, 3, 29, 2, 30)]
QUOTAS = [0, 1, 500, -1, 2 ** 63, 2 ** 43, "500M", "2G", "1T", "1 G", "2g", "500MB", "1.5G", " 2G", "2G\n",
          "", "0", "8796093022208T", True]
PASSWORDS = [HASH, "{SHA512-CRYPT}$6$broken", "{ARGON2ID}garbage", "{BLF-CRYPT}$2y$10$short", "{PLAIN}secret",
             "{SHA512-CRYPT}" + HASH[14:] + "\n", " " + HASH, "s3cret plain", "{{ vault_alice }}"]


def domain_name() -> st.SearchStrategy:
    return st.one_of(st.sampled_from(GOOD_DOMAINS), st.sampled_from(DOMAIN_NAMES), around(st.sampled_from(GOOD_DOMAINS)))


def login() -> st.SearchStrategy:
    return st.one_of(st.sampled_from(LOGINS), st.sampled_from(LOGINS), st.sampled_from(BAD_LOGINS),
                     around(st.sampled_from(LOGINS)))


def recipient(domains: list[str], logins: list[str]) -> st.SearchStrategy:
    """Where an alias sends mail: a login, a full address of a described domain or not."""
    local = st.sampled_from(logins + ["ghost", "Alice", "a+tag", "o'brien", "first.last"])
    full = st.tuples(local, st.sampled_from(domains + ["elsewhere.test", "bücher.example",
                                                       "xn--bcher-kva.example", "EXAMPLE.ORG"])).map("@".join)
    return st.one_of(local, full, full, around(full), hostile_text,
                     st.sampled_from(["@example.org", "alice@", "a@b@example.org", "x" * 65 + "@example.org",
                                      "x@" + "a" * 250 + ".org", "alice@example.org.", "\"q\"@example.org"]))


# ---------------------------------------------------------------------------------------------
# Items

def pick(draw, rate: float, clean: st.SearchStrategy, hostile: st.SearchStrategy):
    """A clean value, or a hostile one with probability rate (the description's hostility)."""
    return draw(hostile) if draw(st.floats(0, 1)) < rate else draw(clean)


def maybe(draw, probability_of: st.SearchStrategy, key: str, item: dict, p: float = 0.5) -> None:
    if draw(st.floats(0, 1)) < p:
        item[key] = draw(probability_of)


day = st.one_of(st.sampled_from(DATES_TEXT), st.sampled_from(DATES_TEXT), st.sampled_from(DATES_YAML),
                st.dates(datetime.date(1960, 1, 1), datetime.date(2100, 1, 1)),
                st.dates(datetime.date(2026, 1, 1), datetime.date(2027, 12, 31)).map(datetime.date.isoformat))


@st.composite
def responder(draw, rate: float = 0.3, index: int = 0) -> dict:
    item: dict = {"name": pick(draw, rate, st.just(["holidays", "closure", "vacances été"][index % 3] + "x" * (index // 3)), st.one_of(
        st.sampled_from(RESPONDER_NAMES), around(st.just("holidays")), hostile_text))}
    maybe(draw, st.booleans(), "enabled", item, 0.4)
    if draw(st.floats(0, 1)) < 1 - rate / 3:
        item["subject"] = pick(draw, rate, st.sampled_from(["Out of office", "Absent · été"]), st.one_of(
            around(st.just("Away")), hostile_text, long_text((254, 255, 256)), st.just("")))
    if draw(st.floats(0, 1)) < 1 - rate / 3:
        item["message"] = pick(draw, rate, st.just("I am away.\nBack soon.\r\n\tBye"), st.one_of(
            hostile_text, long_text((9999, 10000, 10001)), st.just(" "), st.just("")))
    clean_day = st.dates(datetime.date(2026, 3, 20), datetime.date(2026, 11, 5)).map(
        lambda d: d if d.day % 2 else d.isoformat())
    for field in ("start", "end"):
        if draw(st.floats(0, 1)) < 0.6:
            item[field] = pick(draw, rate, clean_day, day)
    if "start" in item and "end" in item and draw(st.floats(0, 1)) >= rate:  # in order unless hostile
        start, end = (item["start"], item["end"])
        if str(end) < str(start):
            item["start"], item["end"] = end, start
    if draw(st.floats(0, 1)) < 0.4:
        item["days"] = pick(draw, rate, st.integers(1, 365), st.one_of(
            st.integers(0, 400), st.sampled_from([0, 1, 365, 366])))
    return item


@st.composite
def user(draw, name: str, rate: float = 0.3) -> dict:
    item: dict = {"login": name}
    if draw(st.floats(0, 1)) < 0.4:
        item["name"] = pick(draw, rate, st.sampled_from(["Alice Martin", "Zoë O'Brien"]),
                            st.one_of(hostile_text, long_text((254, 255, 256))))
    # Always a password: the host needs one for a new user (the controller cannot know which
    # users are new), so leaving it out is a store-dependent difference, not a disagreement.
    item["password"] = pick(draw, rate / 3, st.just(HASH), st.sampled_from(PASSWORDS))
    if draw(st.floats(0, 1)) < 0.3:
        item["quota"] = pick(draw, rate, st.sampled_from([0, 500, "2G", "500M"]), st.sampled_from(QUOTAS))
    maybe(draw, st.booleans(), "enabled", item, 0.3)
    maybe(draw, st.integers(0, 3).map(lambda n: [draw(responder(rate, i)) for i in range(n)]),
          "responders", item, 0.3)
    return item


@st.composite
def alias_graph(draw, domain: str, domains: list[str], logins: list[str], rate: float = 0.3) -> list[dict]:
    """Aliases of one domain: free ones, and shapes around the host's limits."""
    shape = draw(st.sampled_from(["free"] * 3 + ["none"] * 3 + ["chain", "cycle", "fanout", "tree"]))
    aliases: list[dict] = []
    if shape == "chain":  # a0 -> a1 -> ... -> an -> (a user, or nothing)
        length = draw(st.integers(1, RECURSION_LIMIT + 3))
        for i in range(length):
            aliases.append({"address": "c%d" % i, "to": ["c%d" % (i + 1)] if i + 1 < length else
                            draw(st.lists(st.sampled_from(logins), min_size=1, max_size=2, unique=True))})
    elif shape == "cycle":  # a0 -> ... -> a(n-1) -> a0 (n = 1: a self-loop)
        length = draw(st.integers(1, 4))
        for i in range(length):
            aliases.append({"address": "r%d" % i, "to": ["r%d" % ((i + 1) % length)]})
    elif shape == "fanout":  # many recipients, around the expansion limit
        count = draw(st.integers(EXPANSION_LIMIT - 2, EXPANSION_LIMIT + 3))
        aliases.append({"address": "wide", "to": ["ext%d@elsewhere.test" % i for i in range(count)]})
    elif shape == "tree":  # fan-out at every level: few items, a large expansion
        depth, width = draw(st.integers(1, 3)), draw(st.integers(2, 5))
        for level in range(depth):
            for i in range(width ** level):
                name = "t%d_%d" % (level, i)
                if level + 1 < depth:
                    to = ["t%d_%d" % (level + 1, i * width + j) for j in range(width)]
                else:
                    to = ["leaf%d@elsewhere.test" % j for j in range(width)]
                aliases.append({"address": name, "to": to})
    if shape != "none":
        targets = logins + [a["address"] for a in aliases[:1]] + ["someone@elsewhere.test"]
        clean_to = st.lists(st.sampled_from(targets), max_size=3, unique=True)
        for index in range(draw(st.integers(0, 4))):
            address = pick(draw, rate, st.just(["sales", "support", "team", "help"][index]),
                           st.one_of(st.sampled_from(LOGINS), around(st.sampled_from(LOGINS)), st.sampled_from(
                               ["contact@" + domain, "contact@other.example", "Contact", "c+x", ""])))
            to = pick(draw, rate, st.one_of(clean_to, st.just([])), st.one_of(
                st.lists(recipient(domains, logins + ["c0", "r0", "wide"]), max_size=4),
                recipient(domains, logins)))
            aliases.append({"address": address, "to": to})
    return aliases


# Mail-DNS settings (rules/_dns.py): clean values, and values each rule refuses.
MX_HOSTS = ["mx1.example.org", "mx2.example.net", "mx.bücher.example"]
BAD_MX_HOSTS = ["MX1.Example.org.", "192.0.2.25", "mx", "mail_1.example.org", "", "-mx.example", "mx.example.org\n", "a" * 64 + ".example"]
SPF_MECHANISMS = ["include:_spf.partner.example", "ip4:192.0.2.10", "ip4:192.0.2.0/24", "ip6:2001:db8::10",
                  "a:relay.example.org", "mx:partner.example", "~include:bulk.example"]
BAD_SPF_MECHANISMS = ["IP4:192.0.2.10", "all", "-all", "mx", "ptr", "redirect=_spf.example", "ip4:192.0.2.300", "ip6:zz", "include:",
                      "a:%{i}.example", "v=spf1", "ip4:192.0.2.1 a", "", "a/33", "include:_-x.example"]
REPORT_ADDRESSES = ["dmarc@example.org", "reports@partner.example", " TLS@Example.ORG"]
BAD_REPORT_ADDRESSES = ["mailto:dmarc@example.org", "dmarc", "x@", "a b@example.org", ""]
SELECTORS = ["gestixi", "s2025", "s2026", "s2027", "mail-1", "a.b", "S2026"]
BAD_SELECTORS = ["my_key", "-k", "k" * 64, "s 1", "", "clé", ("a" * 63 + ".") * 4]
UNTIL_DAYS = ["2027-01-31", datetime.date(2027, 1, 31), "2026-02-30", "31/01/2027", "", DATETIMES[0]]


@st.composite
def dns_settings(draw, rate: float) -> dict:
    """The dns: and dkim: keys of one domain (either, both or none)."""
    item: dict = {}
    if draw(st.floats(0, 1)) < 0.35:
        dns: dict = {}
        if rate:
            maybe(draw, st.lists(st.one_of(st.sampled_from(MX_HOSTS), st.sampled_from(BAD_MX_HOSTS)), max_size=3),
                  "mx", dns, 0.4)
            maybe(draw, st.lists(st.one_of(st.sampled_from(SPF_MECHANISMS), st.sampled_from(BAD_SPF_MECHANISMS)),
                                 max_size=3), "spf", dns, 0.4)
        else:
            maybe(draw, st.lists(st.sampled_from(MX_HOSTS), min_size=1, max_size=3, unique=True), "mx", dns, 0.4)
            maybe(draw, st.lists(st.sampled_from(SPF_MECHANISMS), max_size=3, unique=True), "spf", dns, 0.4)
        if draw(st.floats(0, 1)) < 0.4:
            dmarc: dict = {}
            maybe(draw, st.sampled_from(["none", "quarantine", "reject"] + (["Reject", "rejct", ""] if rate else [])),
                  "policy", dmarc, 0.6)
            maybe(draw, st.sampled_from(REPORT_ADDRESSES + (BAD_REPORT_ADDRESSES if rate else [])), "reports", dmarc, 0.5)
            dns["dmarc"] = dmarc
        maybe(draw, st.sampled_from(["none", "testing", "enforce"] + (["enforcing", "Testing"] if rate else [])),
              "mta_sts", dns, 0.4)
        maybe(draw, st.sampled_from(REPORT_ADDRESSES + (BAD_REPORT_ADDRESSES if rate else [])), "tls_rpt", dns, 0.3)
        item["dns"] = dns or draw(st.sampled_from([{}, None]))
    if draw(st.floats(0, 1)) < 0.35:
        selector = st.sampled_from(SELECTORS) if not rate else st.one_of(st.sampled_from(SELECTORS),
                                                                         st.sampled_from(BAD_SELECTORS))
        dkim: dict = {}
        maybe(draw, selector, "selector", dkim, 0.6)
        maybe(draw, selector, "next_selector", dkim, 0.4)
        until = st.sampled_from(UNTIL_DAYS[:2] if not rate else UNTIL_DAYS)
        maybe(draw, st.lists(st.fixed_dictionaries({"selector": selector, "until": until}), max_size=2),
              "previous", dkim, 0.4)
        item["dkim"] = dkim or draw(st.sampled_from([{}, None]))
    return item


# Allowed and blocked senders (rules/_senders.py): two clean pools with no entry in common, and
# entries each rule refuses (drawn from both pools, a list may repeat an entry or share one).
ALLOWED_SENDERS = ["outside.test", "News@Partner.test", "bücher.example"]
BLOCKED_SENDERS = ["bad.test", "spammer@bad.test", "x@BÜCHER.example"]
BAD_SENDERS = ["nowhere", "@bad.test", "*.bad.test", "192.0.2.1", "x@bad", "a b@bad.test", "", "BAD.test."]


@st.composite
def sender_settings(draw, rate: float) -> dict:
    """The senders: key of one domain, or nothing."""
    if draw(st.floats(0, 1)) >= 0.25:
        return {}
    senders: dict = {}
    for key, pool in (("allowed", ALLOWED_SENDERS), ("blocked", BLOCKED_SENDERS)):
        if rate:
            entries = st.lists(st.sampled_from(ALLOWED_SENDERS + BLOCKED_SENDERS + BAD_SENDERS), max_size=4)
        else:
            entries = st.lists(st.sampled_from(pool), max_size=3, unique=True)
        maybe(draw, entries, key, senders, 0.6)
    return {"senders": senders or draw(st.sampled_from([{}, None]))}


@st.composite
def domain(draw, name: str, names: list[str], rate: float = 0.3) -> dict:
    item: dict = {"name": name}
    if draw(st.floats(0, 1)) < 0.5:
        item["timezone"] = pick(draw, rate, st.sampled_from(TIMEZONES[:6]), st.sampled_from(TIMEZONES))
    maybe(draw, st.booleans(), "purge", item, 0.2)
    size = draw(st.sampled_from(["small"] * 30 + ["large"]))
    if size == "large":
        count = draw(st.integers(100, 400))
        users = [{"login": "u%d" % i, "password": HASH} for i in range(count)]
        logins = ["u0", "u1", "u%d" % (count - 1)]
    else:
        names_of_users = [pick(draw, rate, st.just(LOGINS[i]), login()) for i in range(draw(st.integers(0, 5)))]
        users = [draw(user(n, rate)) for n in names_of_users]
        logins = [n for n in names_of_users if isinstance(n, str)] or ["someone@elsewhere.test"]
    if users or draw(st.booleans()):
        item["users"] = users
    aliases = draw(alias_graph(name, names, logins, rate))
    if aliases or draw(st.booleans()):
        item["aliases"] = aliases
    maybe(draw, st.integers(0, 2).map(lambda n: [draw(responder(rate, i)) for i in range(n)]),
          "responders", item, 0.25)
    if draw(st.floats(0, 1)) < 0.2:
        item["catchall"] = pick(draw, rate if "@" not in logins[0] else 1.0,
                                st.sampled_from(logins).map(lambda l: "%s@%s" % (l, name)),
                                st.one_of(recipient(names, logins), st.just("")))
    item.update(draw(dns_settings(rate)))
    item.update(draw(sender_settings(rate)))
    return item


WRONG_VALUES = [None, 0, 1, True, False, "", "text", [], {}, ["x"], {"a": 1}, 1.5,
                datetime.date(2026, 3, 29), b"bytes"]


@st.composite
def structurally_wrong(draw, description: list) -> list:
    """The description with one node replaced by a wrong type, an unknown key or a key removed."""
    nodes: list[tuple[object, object]] = []  # (container, key)

    def walk(node):
        if isinstance(node, dict):
            for key in list(node):
                nodes.append((node, key))
                walk(node[key])
        elif isinstance(node, list):
            for index, child in enumerate(node):
                nodes.append((node, index))
                walk(child)

    walk(description)
    if not nodes:
        return draw(st.sampled_from([[None], ["example.org"], [[]], [{}]]))
    container, key = draw(st.sampled_from(nodes))
    action = draw(st.sampled_from(["type", "type", "unknown", "remove"]))
    if action == "type" or not isinstance(container, dict):
        container[key] = draw(st.sampled_from(WRONG_VALUES))
    elif action == "unknown":
        container[draw(st.sampled_from(["pasword", "Login", "to ", "extra", "state"]))] = "x"
    elif key != "password":  # see user(): a password stays
        del container[key]
    return description


@st.composite
def descriptions(draw) -> list:
    """A description (the value of gestixi_mail_domains): a list of domains."""
    # Hostility: the chance that each field is hostile (0: a clean description).
    rate = draw(st.sampled_from([0.0, 0.0, 0.02, 0.05, 0.1, 0.3, 1.0]))
    names = [pick(draw, rate, st.just(GOOD_DOMAINS[i]), domain_name()) for i in range(draw(st.integers(0, 4)))]
    canonical_pool = [n for n in names if isinstance(n, str)] or ["example.org"]
    result = [draw(domain(name, canonical_pool, rate)) for name in names]
    if draw(st.integers(0, 19)) == 0:  # a smaller share: structurally wrong
        result = draw(structurally_wrong(result))
    return result


# ---------------------------------------------------------------------------------------------
# The two sides

def password_paths(description: object) -> set[str]:
    """Every password's YAML path: taken as coming from Vault (the host cannot know where a
    password came from, so the controller-only rule 'no plain text in Git' is left out)."""
    found = set()
    if isinstance(description, list):
        for i, item in enumerate(description):
            for j, user in enumerate(item.get("users") or [] if isinstance(item, dict) and
                                     isinstance(item.get("users"), list) else []):
                if isinstance(user, dict) and "password" in user:
                    found.add("%s[%d].users[%d].password" % (DESCRIPTION_VAR, i, j))
    return found


def controller_problems(description: object) -> list[InvalidItem]:
    problems, _warnings = check_description({DESCRIPTION_VAR: description}, vaulted=password_paths(description),
                                            today=TODAY, limits=AliasLimits(EXPANSION_LIMIT, RECURSION_LIMIT))
    return problems


class HostOutcome:
    def __init__(self) -> None:
        self.problems: list[InvalidItem] = []
        self.crash: BaseException | None = None   # an exception other than MailStateError
        self.result: dict | None = None
        # What a re-run of the same description is answered from the store's record (None for
        # a description with a plain-text password: never recorded).
        self.answer: dict | None = None
        self.wrote_when_refused: list[str] = []   # what a refused run left behind

    @property
    def refused(self) -> bool:
        return bool(self.problems) or self.crash is not None


# The settings of a domain that the differential test counts: what they are called, their keys.
SETTINGS = {"dns/dkim settings": ("dns", "dkim"), "senders": ("senders",)}


def has_settings(description: object, keys: tuple[str, ...]) -> bool:
    """True when some domain of the description has one of these keys (dns:, dkim:, senders:)."""
    return isinstance(description, list) and any(
        isinstance(item, dict) and any(key in item for key in keys) for item in description)


def settings_problem_paths(problems: list[InvalidItem], keys: tuple[str, ...]) -> bool:
    """True when a problem is about one of these settings of a domain."""
    pattern = r"\]\.(%s)\b" % "|".join(keys)
    return any(re.search(pattern, problem.path or problem.item or "") for problem in problems)


def sent_as_text(description: object, key: object = None) -> bool:
    """True when a YAML date is where no date belongs: the host is sent it as text."""
    if isinstance(description, dict):
        return any(sent_as_text(value, name) for name, value in description.items())
    if isinstance(description, (list, tuple)):
        return any(sent_as_text(value, key) for value in description)
    return isinstance(description, datetime.date) and key not in ("start", "end", "until")


def host_outcome(description: object) -> HostOutcome:
    """gestixi_mail on a fresh store: the module's own argument check, then run_converge."""
    outcome = HostOutcome()
    folder = tempfile.mkdtemp(prefix="gestixi-diff-")
    try:
        sieve = os.path.join(folder, "sieve")
        os.mkdir(sieve)
        store_params = {"store_path": os.path.join(folder, "mail.sqlite"), "sieve_dir": sieve,
                        "store_owner": None, "store_group": None, "store_mode": None, "sievec_path": None,
                        "alias_expansion_limit": EXPANSION_LIMIT, "alias_recursion_limit": RECURSION_LIMIT}
        # What the action plugin sends: YAML dates as text (CheckedDescription.domains()).
        given = {**store_params, "domains": _plain(description), "purge_domains": False,
                 "password_scheme": PASSWORD_SCHEME}
        spec = {**_runner.store_argument_spec(), **description_argument_spec()}
        checked = ArgumentSpecValidator(spec).validate(given)
        if checked.error_messages:  # AnsibleModule fails before main() runs
            outcome.problems = [InvalidItem(OPTION, None, message) for message in checked.error_messages]
        else:
            params = checked.validated_parameters
            module = ConvergeModule(params)
            try:
                # As the module's main() calls it.
                _runner.run_converge(module, lambda conn: converge_description(conn, params, store_params, False),
                                     echo=log_summary)
            except SystemExit:
                pass
            except MailStateError as exc:  # pragma: no cover - run_converge turns it into fail_json
                outcome.problems = list(exc.problems)
            except Exception as exc:  # noqa: BLE001 - a crash is a finding, reported as such
                outcome.crash = exc
            if module.failure is not None:
                outcome.problems = [InvalidItem(p["item"], p["field"], p["message"], path=p.get("path"))
                                    for p in module.failure.get("problems") or []] or \
                    [InvalidItem("module", None, module.failure.get("msg", "failed"))]
            outcome.result = module.result
            if not outcome.refused and not plaintext_passwords(params["domains"]):
                outcome.answer = _asked_again(params)
        if outcome.refused:
            if os.path.exists(store_params["store_path"]):
                outcome.wrote_when_refused.append("the store file %s" % store_params["store_path"])
            for root, _dirs, files in os.walk(sieve):
                outcome.wrote_when_refused.extend(os.path.join(root, f) for f in files)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return outcome


def _asked_again(params: dict) -> dict | None:
    """What the action plugin asks first on the next run: is the store this description?"""
    digest = description_digest(params["domains"], AliasLimits(EXPANSION_LIMIT, RECURSION_LIMIT))
    asked = {**params, "domains": None, "checked_digest": digest}
    module = ConvergeModule(asked)
    _runner.run_recorded(module, description_key(digest, asked), echo=log_summary)
    return module.result


# ---------------------------------------------------------------------------------------------
# Problems in one form both sides can produce

_HOST_LIST_ITEM = re.compile(r"^(?P<step>[^:]*?)(?: of (?P<domain>[^:]+?))?(?: \(purge\))?: "
                             r"(?P<list>users|aliases|responders|domains)\[(?P<index>\d+)\]")


def normalized_problems(side_problems: list[InvalidItem], description: object = None) -> list[tuple[str, str]]:
    """Each problem as (YAML path relative to the task option, message), sorted.

    Controller problems name a YAML path (gestixi_mail_domains[0].users[2].login): the variable
    is replaced by the task option, `domains[0].users[2].login`. Host problems carrying a
    `path` attribute use it as it is (the same form); the others are mapped best-effort from
    their step label and list index ("users of example.org: users[3] (bob)", field 'login' ->
    domains[i].users[3].login), which needs the description the host was given; what cannot be
    mapped keeps its text ("store: ..." for the whole-store checks).
    """
    result = []
    for problem in side_problems:
        path = getattr(problem, "path", None)
        if path is None:
            path = problem.item
            if path.startswith(DESCRIPTION_VAR):
                path = OPTION + path[len(DESCRIPTION_VAR):]
            elif description is not None:
                path = _host_path(problem, description)
        elif path.startswith(DESCRIPTION_VAR):
            path = OPTION + path[len(DESCRIPTION_VAR):]
        # Paths quoted in a message ("also at ...") are named the same way.
        result.append((path, problem.message.replace(DESCRIPTION_VAR + "[", OPTION + "[")))
    return sorted(set(result))


def _host_path(problem: InvalidItem, description: object) -> str:
    match = _HOST_LIST_ITEM.match(problem.item)
    field = ".%s" % problem.field if problem.field else ""
    if not match or not isinstance(description, list):
        return problem.item + field
    step, list_name, index = match.group("step"), match.group("list"), int(match.group("index"))
    names = [d.get("name") if isinstance(d, dict) else None for d in description]
    domains = [d if isinstance(d, dict) else {} for d in description]

    def of_list(d: dict, key: str) -> list:
        value = d.get(key)
        return value if isinstance(value, list) else []

    if list_name == "domains":
        return "%s[%d]%s" % (OPTION, index, ".catchall" if step == "catch-alls" else field)
    if step == "aliases" and match.group("domain") is None:  # every domain's aliases, in order
        flat = [(i, j) for i, d in enumerate(domains) for j in range(len(of_list(d, "aliases")))]
        if index < len(flat):
            return "%s[%d].aliases[%d]%s" % (OPTION, flat[index][0], flat[index][1], field)
        return problem.item + field
    try:
        at = names.index(match.group("domain"))
    except ValueError:
        return problem.item + field
    if list_name == "responders":  # each user's replies in order, then the domain's
        flat = [("users[%d].responders[%d]" % (j, k))
                for j, u in enumerate(of_list(domains[at], "users")) if isinstance(u, dict)
                for k in range(len(of_list(u, "responders")))]
        flat += ["responders[%d]" % k for k in range(len(of_list(domains[at], "responders")))]
        if index < len(flat):
            return "%s[%d].%s%s" % (OPTION, at, flat[index], field)
        return problem.item + field
    return "%s[%d].%s[%d]%s" % (OPTION, at, list_name, index, field)
