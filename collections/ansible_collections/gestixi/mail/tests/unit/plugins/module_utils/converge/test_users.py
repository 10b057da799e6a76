# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""gestixi_user: validation, the list and single forms, passwords, removal, bulk cost."""
from __future__ import annotations

import json

import pytest

from ansible_collections.gestixi.mail.plugins.module_utils.rules import _password
from ansible_collections.gestixi.mail.plugins.module_utils.converge._plan import summarize
from ansible_collections.gestixi.mail.plugins.module_utils.store._integrity import check_store
from ansible_collections.gestixi.mail.plugins.module_utils.rules._password import hash_password, verify_password
from ansible_collections.gestixi.mail.plugins.module_utils.converge._users import (
    MASK,
    converge_users,
    format_quota,
    log_summary,
    parse_quota,
    take_secrets,
    validate,
)
from ansible_collections.gestixi.mail.tests.unit.plugins.module_utils.store_harness import StoreHarness

SHA = "{SHA512-CRYPT}$6$8a2.Nw3n8PWF43M9$mNYBYnJ/iB1zi/rB55FldCgRV1pt0IEKFCcLPXY0EO9KuUFq8t1ovtHfOUN8YxYBf.UsWbRyNICO./csMDnBr1"
BLF = "{BLF-CRYPT}$2y$05$TLblxHgzdjiNEhdVFC/Cqu2.vvcx5VsFfTcIhFHjcS/PDOP1CFstO"  # "secret", doveadm
DEFAULTS = {"domain": None, "login": None, "name": None, "password": None, "quota": None, "enabled": None,
            "state": "present", "users": None, "purge": False, "password_scheme": "SHA512-CRYPT"}
GiB = 1024 ** 3
MiB = 1024 ** 2


def user(login, password=None, name=None, quota=None, enabled=None, state="present"):
    return {"login": login, "password": password, "name": name, "quota": quota, "enabled": enabled,
            "state": state}


@pytest.fixture
def store(store_options):
    return StoreHarness(store_options, converge_users, DEFAULTS)


# ---------------------------------------------------------------------------------------------
# Converge


def test_list_form_creates_then_is_idempotent(store):
    users = [user("alice", "pw-alice", name="Alice Martin", quota="2G"),
             user("bob", SHA, quota=500, enabled=False)]
    result = store.run(domain="example.org", users=users)
    assert result["counts"] == {"created": 2, "updated": 0, "removed": 0, "unchanged": 0}
    rows = store.users()
    assert rows["alice"][0] == "Alice Martin" and rows["alice"][2:] == (2 * GiB, 1)
    assert rows["alice"][1].startswith("{SHA512-CRYPT}$6$") and verify_password("pw-alice", rows["alice"][1])
    assert rows["bob"] == ("", SHA, 500 * MiB, 0)
    again = store.run(domain="example.org", users=users)
    assert again["changed"] is False and again["counts"]["unchanged"] == 2
    assert store.users() == rows, "an unchanged plaintext is not hashed again"


def test_single_form_and_keeping_unset_fields(store):
    store.run(domain="example.org", login="alice", password="pw", name="Alice", quota="1G")
    stored = store.users()["alice"]
    result = store.run(domain="example.org", login="alice", enabled=False)
    assert result["changes"] == [{"action": "update", "kind": "user", "key": "alice@example.org",
                                  "fields": ["enabled"]}]
    assert store.users()["alice"] == stored[:3] + (0,), "name, password and quota are kept"


def test_quota_zero_is_unlimited_and_updates_show_fields(store):
    store.run(domain="example.org", users=[user("alice", "pw", quota="2G")])
    result = store.run(domain="example.org", users=[user("alice", quota="0", name="A")])
    assert result["changes"][0]["fields"] == ["name", "quota"]
    assert store.users()["alice"][2] == 0
    assert "quota: unlimited" in result["diff"][0]["after"] and "quota: 2G" in result["diff"][0]["before"]


def test_password_change_is_shown_without_any_secret(store):
    store.run(domain="example.org", users=[user("alice", "first-secret")])
    old_hash = store.users()["alice"][1]
    result = store.run(domain="example.org", users=[user("alice", "second-secret")])
    new_hash = store.users()["alice"][1]
    assert new_hash != old_hash and verify_password("second-secret", new_hash)
    assert result["changes"][0]["fields"] == ["password"]
    assert "password: (changed)" in result["diff"][0]["after"]
    assert "password: (set)" in result["diff"][0]["before"]
    text = json.dumps(result)
    for secret in ("first-secret", "second-secret", old_hash, new_hash, old_hash[15:40], new_hash[15:40]):
        assert secret not in text


def test_ready_hash_is_compared_by_equality(store):
    store.run(domain="example.org", users=[user("bob", BLF)])
    assert store.run(domain="example.org", users=[user("bob", BLF)])["changed"] is False
    result = store.run(domain="example.org", users=[user("bob", SHA)])
    assert result["changes"][0]["fields"] == ["password"] and store.users()["bob"][1] == SHA
    # the plaintext of the ready hash verifies in the wanted scheme: kept, not re-hashed
    assert store.run(domain="example.org", users=[user("bob", "secret")])["changed"] is False


def test_plaintext_in_another_scheme_is_rehashed(store):
    store.run(domain="example.org", users=[user("bob", BLF)])  # "secret" as BLF-CRYPT
    result = store.run(domain="example.org", users=[user("bob", "secret")], password_scheme="ARGON2ID")
    assert result["changes"][0]["fields"] == ["password"]
    stored = store.users()["bob"][1]
    assert stored.startswith("{ARGON2ID}$argon2id$") and verify_password("secret", stored)


def test_existing_user_without_password_keeps_hash(store):
    store.run(domain="example.org", users=[user("bob", BLF)])
    store.run(domain="example.org", users=[user("bob", name="Bob")])
    assert store.users()["bob"][:2] == ("Bob", BLF)


def test_international_domain_is_stored_canonical(store):
    result = store.run(domain="BÜCHER.example.", users=[user("anna", SHA)])
    assert result["changes"][0]["key"] == "anna@xn--bcher-kva.example"
    assert list(store.users("xn--bcher-kva.example")) == ["anna"]
    assert store.sql("SELECT address FROM users") == [("anna@xn--bcher-kva.example",)]


def test_purge_only_touches_the_domain(store):
    store.run(domain="example.org", users=[user("alice", SHA), user("bob", SHA), user("carol", SHA)])
    store.run(domain="example.net", users=[user("dave", SHA)])
    result = store.run(domain="example.org", users=[user("alice")], purge=True)
    assert result["counts"] == {"created": 0, "updated": 0, "removed": 2, "unchanged": 1}
    assert list(store.users()) == ["alice"] and list(store.users("example.net")) == ["dave"]
    # an empty list with purge empties the domain
    store.run(domain="example.org", users=[], purge=True)
    assert store.users() == {} and list(store.users("example.net")) == ["dave"]


def test_removal_takes_responders_and_alias_recipients(store):
    store.run(domain="example.org", users=[user("alice", SHA), user("bob", SHA)])
    store.sql("INSERT INTO aliases (address, domain, local_part) VALUES ('contact@example.org', 'example.org', 'contact')")
    store.sql("INSERT INTO alias_recipients VALUES ('contact@example.org', 'alice@example.org')")
    store.sql("INSERT INTO alias_recipients VALUES ('contact@example.org', 'bob@example.org')")
    store.sql("INSERT INTO responders (domain, login, name, subject) VALUES ('example.org', 'bob', 'away', 'Away')")
    store.sql("INSERT INTO responders (domain, login, name, subject) VALUES ('example.org', 'alice', 'away', 'Out')")
    store.sql("INSERT INTO responders (domain, login, name, subject) VALUES ('example.org', '', 'all', 'Closed')")
    result = store.run(domain="example.org", login="bob", state="absent")
    assert {(c["action"], c["kind"], c["key"]) for c in result["changes"]} == {
        ("remove", "user", "bob@example.org"),
        ("remove", "responder", "bob@example.org/away"),
        ("remove", "alias recipient", "contact@example.org/bob@example.org"),
    }
    assert store.sql("SELECT login, name FROM responders ORDER BY 1") == [("", "all"), ("alice", "away")]
    assert store.sql("SELECT recipient FROM alias_recipients") == [("alice@example.org",)]
    # removing a user that does not exist changes nothing
    assert store.run(domain="example.org", login="bob", state="absent")["changed"] is False


def test_removing_the_last_recipient_of_an_alias_is_refused_naming_the_user(store):
    store.run(domain="example.org", users=[user("alice", SHA), user("bob", SHA)])
    store.sql("INSERT INTO aliases (address, domain, local_part) VALUES ('sales@example.org', 'example.org', 'sales')")
    store.sql("INSERT INTO alias_recipients VALUES ('sales@example.org', 'bob@example.org')")
    problems = store.fail(domain="example.org", users=[user("alice"), user("bob", state="absent")])
    assert problems[0][:2] == ("users[1] (bob)", "state") and "sales@example.org" in problems[0][2]
    problems = store.fail(domain="example.org", users=[user("alice")], purge=True)
    assert problems[0][:2] == ("user bob@example.org", "purge")


def test_catchall_target_cannot_be_removed(store):
    store.run(domain="example.org", users=[user("alice", SHA), user("postmaster", SHA)])
    store.sql("UPDATE domains SET catchall = 'postmaster@example.org' WHERE name = 'example.org'")
    problems = store.fail(domain="example.org", login="postmaster", state="absent")
    assert problems[0][:2] == ("user postmaster@example.org", "state") and "catch-all" in problems[0][2]


def test_user_cannot_take_an_alias_address(store):
    store.sql("INSERT INTO aliases (address, domain, local_part, all_users) "
              "VALUES ('info@example.org', 'example.org', 'info', 1)")
    problems = store.fail(domain="example.org", users=[user("alice", SHA), user("info", SHA)])
    assert problems == [("users[1] (info)", "login", problems[0][2])] and "alias" in problems[0][2]


# ---------------------------------------------------------------------------------------------
# Refused input: every problem at once, item and field named, nothing written


def test_validation_collects_every_problem(store):
    store.run(domain="example.org", users=[user("alice", SHA)])
    problems = store.fail(domain="example.org", users=[
        user("alice", quota="lots"),                # 0 bad quota
        user("Bob", "pw"),                          # 1 upper case
        user("c" * 65, "pw"),                       # 2 too long
        user("dave"),                               # 3 new user, no password
        user("erin", "{PLAIN}pw"),                  # 4 unknown scheme
        user("frank", "{ARGON2ID}$argon2id$oops"),  # 5 malformed hash
        user("gina", "pw", name="Gina\nX"),         # 6 line break in name
        user("alice", SHA),                         # 7 duplicate
        user("hank.", "pw"),                        # 8 trailing dot
        user("ivy", ""),                            # 9 empty password
        user("jo", "pw", quota=-5),                 # 10 negative quota
        user("kim", "pw", quota=True),              # 11 bool quota
    ])
    got = [(item, field) for item, field, _message in problems]
    assert got == [
        ("users[0] (alice)", "quota"), ("users[1] (Bob)", "login"), ("users[2] (%s)" % ("c" * 65), "login"),
        ("users[3] (dave)", "password"), ("users[4] (erin)", "password"), ("users[5] (frank)", "password"),
        ("users[6] (gina)", "name"), ("users[7] (alice)", "login"), ("users[8] (hank.)", "login"),
        ("users[9] (ivy)", "password"), ("users[10] (jo)", "quota"), ("users[11] (kim)", "quota"),
    ]
    messages = dict(((item, field), message) for item, field, message in problems)
    assert "listed twice (also users[0] (alice))" in messages[("users[7] (alice)", "login")]
    assert "{ARGON2ID}, {BLF-CRYPT}, {SHA512-CRYPT}" in messages[("users[4] (erin)", "password")]
    assert "$argon2id$oops" not in json.dumps(problems), "a hash is never quoted"


def test_unknown_domain_is_named_once(store):
    problems = store.fail(domain="nowhere.example", users=[user("alice"), user("bob", "pw")])
    assert problems == [("users of domain nowhere.example", "domain",
                         "the domain nowhere.example is not in the store: create it first with "
                         "gestixi.mail.gestixi_domain")]
    problems = store.fail(domain="nowhere.example", login="alice", password="pw")
    assert problems[0][:2] == ("user alice@nowhere.example", "domain")


def test_invalid_domain_is_named(store):
    problems = store.fail(domain="localhost", login="alice", password="pw")
    assert problems[0][:2] == ("user alice@localhost", "domain") and "domain name" in problems[0][2]


def test_blowfish_refuses_long_plaintext(store):
    problems = store.fail(domain="example.org", users=[user("al", "x" * 73)], password_scheme="BLF-CRYPT")
    assert problems[0][:2] == ("users[0] (al)", "password") and "72 bytes" in problems[0][2]
    assert "x" * 73 not in problems[0][2]


def test_single_form_label(store):
    problems = store.fail(domain="example.org", login="zoe")
    assert problems == [("user zoe@example.org", "password", problems[0][2])]


def test_validate_without_store_checks_input_alone():
    wanted = validate({**DEFAULTS, "domain": "Example.ORG", "users": [user("alice"), user("bob", state="absent")]})
    assert wanted.domain == "example.org"
    assert set(wanted.records) == {"alice@example.org"} and wanted.absent == {"bob@example.org"}


# ---------------------------------------------------------------------------------------------
# Check mode and cost


def test_check_mode_writes_nothing_and_does_not_hash(store, monkeypatch):
    store.run(domain="example.org", users=[user("alice", "old")])
    before = store.dump()
    calls = []
    monkeypatch.setattr(_password, "hash_password", lambda *a: calls.append(a) or "x")
    result = store.run(check_mode=True, domain="example.org",
                       users=[user("alice", "new"), user("bob", "pw"), user("carol", SHA)])
    assert result["counts"] == {"created": 2, "updated": 1, "removed": 0, "unchanged": 0}
    assert store.dump() == before and not calls
    same = store.run(check_mode=True, domain="example.org", users=[user("alice", "old")])
    assert same["changed"] is False, "an unchanged plaintext is verified in check mode too"


def test_plaintext_of_new_user_is_hashed_once_and_not_verified(store, monkeypatch):
    verified = []
    real_verify = _password.verify_password
    monkeypatch.setattr(_password, "verify_password", lambda *a: verified.append(a) or real_verify(*a))
    store.run(domain="example.org", users=[user("alice", "pw"), user("bob", "pw2")])
    assert not verified
    store.run(domain="example.org", users=[user("alice", "pw"), user("bob", BLF)])
    assert len(verified) == 1, "only the existing user with a plaintext is verified"


def test_ten_thousand_users_in_one_bulk_converge(store):
    users = [user("user%05d" % i, hash_password("pw", "SHA512-CRYPT") if i < 3 else SHA, quota="1G")
             for i in range(10000)]
    if store.engine != "sqlite":
        pytest.skip("counts the statements in SQLite's trace")
    statements = []
    store_obj = store.open()
    store_obj.conn.set_trace_callback(statements.append)
    with store_obj.transaction() as conn:
        plans = converge_users(conn, {**DEFAULTS, "domain": "example.org", "users": users}).plans
        check_store(conn)
    store_obj.close()
    assert summarize(plans)["counts"]["created"] == 10000
    # no per-user query: executemany traces one line per row, but the reads are a handful
    reads = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(reads) < 20, reads
    # How long these take is bench/store_bench.py's job, not a test's.
    again = store.run(domain="example.org", users=[{**u, "password": None} for u in users], purge=True)
    assert again["counts"]["unchanged"] == 10000


# ---------------------------------------------------------------------------------------------
# Quota


@pytest.mark.parametrize("given, stored", [
    (0, 0), ("0", 0), (100, 100 * MiB), ("100", 100 * MiB), ("500M", 500 * MiB), ("500m", 500 * MiB),
    ("2G", 2 * GiB), (" 2 G ", 2 * GiB), ("1T", 1024 * GiB), ("64K", 64 * 1024),
])
def test_parse_quota(given, stored):
    assert parse_quota(given) == stored


@pytest.mark.parametrize("given", [-1, "-1", "2GB", "1.5G", 1.5, True, "lots", "", "G", [1], "9" * 30])
def test_parse_quota_refuses(given):
    with pytest.raises(ValueError):
        parse_quota(given)


@pytest.mark.parametrize("stored, text", [
    (0, "unlimited"), (2 * GiB, "2G"), (500 * MiB, "500M"), (1536 * MiB, "1536M"), (1024 * GiB, "1T"),
    (64 * 1024, "64K"), (1000, "1000 bytes"),
])
def test_format_quota(stored, text):
    assert format_quota(stored) == text


# ---------------------------------------------------------------------------------------------
# no_log plumbing


class FakeModule:
    def __init__(self, params, no_log_values):
        self.params = params
        self.no_log_values = set(no_log_values)


def test_take_secrets_masks_ready_hashes_and_keeps_plaintexts_scrubbed():
    params = {**DEFAULTS, "domain": "example.org",
              "users": [user("alice", SHA), user("bob", "plain-pw"), user("carol")]}
    module = FakeModule(params, {SHA, "plain-pw"})
    real = take_secrets(module)
    assert [u["password"] for u in real["users"]] == [SHA, "plain-pw", None]
    assert [u["password"] for u in module.params["users"]] == [MASK, "plain-pw", None]
    assert module.no_log_values == {"plain-pw"}, "plaintexts stay for Ansible to scrub"
    single = FakeModule({**DEFAULTS, "domain": "example.org", "login": "a", "password": BLF}, {BLF})
    assert take_secrets(single)["password"] == BLF and single.params["password"] == MASK
    assert single.no_log_values == set()


def test_log_summary_never_has_a_password():
    summary = log_summary({**DEFAULTS, "password": "pw", "users": [user("a", "pw")] * 3})
    assert summary["password"] == "NOT_LOGGING_PARAMETER" and summary["users"] == "3 user(s)"
    assert "pw" not in json.dumps(summary).replace("password", "")
