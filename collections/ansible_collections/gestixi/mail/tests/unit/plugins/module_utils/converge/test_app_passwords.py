# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""gestixi_user's app_passwords: converged with their user, exact lists (revocation), no secret
in the plan, the diff or the problems, and the rule's problems named by item and field."""
from __future__ import annotations

import json

import pytest

from ansible_collections.gestixi.mail.plugins.module_utils.converge._users import MASK, converge_users, log_summary, take_secrets
from ansible_collections.gestixi.mail.plugins.module_utils.rules._app_password import MAX_PER_USER, list_problems
from ansible_collections.gestixi.mail.tests.unit.plugins.module_utils.converge.test_users import BLF, DEFAULTS, SHA, user
from ansible_collections.gestixi.mail.tests.unit.plugins.module_utils.store_harness import StoreHarness

PHONE = "{SHA512-CRYPT}$6$phonephonesalt$kWNdZbumqDYTE2BqGCG/6hftwEMVQb1c4gS73zpPwDVPBF/3ByGTM.mpYAtd29dq6xAxBrpKcjHPjbDr4dlkU1"


def app(name, password=None, services=("imap",)):
    return {"name": name, "password": password, "services": list(services)}


def bob(*apps, password=None):
    return {**user("bob", password), "app_passwords": list(apps)}


@pytest.fixture
def store(store_options):
    harness = StoreHarness(store_options, converge_users, DEFAULTS)
    harness.run(domain="example.org", users=[user("bob", SHA), user("alice", SHA)])
    return harness


def stored(store):
    return store.sql("SELECT address, name, password, imap, smtp FROM app_passwords ORDER BY 1, 2")


def test_created_with_their_services_then_idempotent(store):
    result = store.run(domain="example.org", users=[bob(app("phone", PHONE), app("laptop", BLF, ["smtp", "imap"]))])
    assert result["changes"] == [{"action": "create", "kind": "app password", "key": "bob@example.org/phone"},
                                 {"action": "create", "kind": "app password", "key": "bob@example.org/laptop"}]
    assert stored(store) == [("bob@example.org", "laptop", BLF, 1, 1), ("bob@example.org", "phone", PHONE, 1, 0)]
    again = store.run(domain="example.org", users=[bob(app("phone", PHONE), app("laptop", BLF, ["imap", "smtp"]))])
    assert again["changed"] is False and again["counts"]["unchanged"] == 3  # bob and his two


def test_a_list_is_exact_an_unnamed_one_is_revoked_and_a_missing_hash_is_kept(store):
    store.run(domain="example.org", users=[bob(app("phone", PHONE), app("laptop", BLF, ["imap", "smtp"]))])
    result = store.run(domain="example.org", users=[bob(app("laptop", None, ["smtp"]))])
    assert sorted((c["action"], c["key"], c.get("fields")) for c in result["changes"]) == [
        ("remove", "bob@example.org/phone", None), ("update", "bob@example.org/laptop", ["services"])]
    assert stored(store) == [("bob@example.org", "laptop", BLF, 0, 1)]
    # Not given (the module's None): the stored ones stay; an empty list revokes them all.
    assert store.run(domain="example.org", users=[user("bob")])["changed"] is False
    assert store.run(domain="example.org", users=[bob()])["changes"] == [
        {"action": "remove", "kind": "app password", "key": "bob@example.org/laptop"}]
    assert stored(store) == []


def test_diff_and_changes_never_show_a_hash(store):
    store.run(domain="example.org", users=[bob(app("phone", PHONE))])
    result = store.run(domain="example.org", users=[bob(app("phone", BLF), app("tablet", SHA, ["imap", "smtp"]))])
    text = json.dumps(result)
    for secret in (PHONE, BLF, SHA, "phonephonesalt"):
        assert secret not in text
    block, = [d for d in result["diff"] if d["before_header"] == "app password (store)"]
    assert block["before"] == "bob@example.org/phone:\n  password: (set)\n  services: [imap]\n"
    assert block["after"] == ("bob@example.org/phone:\n  password: (changed)\n  services: [imap]\n"
                              "bob@example.org/tablet:\n  password: (set)\n  services: [imap, smtp]\n")


def test_removing_a_user_removes_its_app_passwords(store):
    store.run(domain="example.org", users=[bob(app("phone", PHONE))])
    result = store.run(domain="example.org", users=[user("alice")], purge=True)
    assert {"action": "remove", "kind": "app password", "key": "bob@example.org/phone"} in result["changes"]
    assert stored(store) == []


def test_check_mode_writes_nothing(store):
    before = store.dump()
    result = store.run(check_mode=True, domain="example.org", users=[bob(app("phone", PHONE))])
    assert result["changed"] is True and store.dump() == before


def test_problems_name_the_item_and_field_and_nothing_is_written(store):
    problems = store.fail(domain="example.org", users=[
        user("alice"),
        bob(app("phone", "plain-text"), app("phone", PHONE, ["imap", "sieve"]), app("Bad/name", PHONE, []),
            app("new-one", None))])
    assert [(item, field) for item, field, _message in problems] == [
        ("users[1] (bob)", "app_passwords[0].password"),
        ("users[1] (bob)", "app_passwords[1].name"),
        ("users[1] (bob)", "app_passwords[1].services[1]"),
        ("users[1] (bob)", "app_passwords[2].name"),
        ("users[1] (bob)", "app_passwords[2].services"),
    ]
    messages = " ".join(message for _item, _field, message in problems)
    assert "plain-text" not in messages and "declared twice" in messages and "never the webmail" in messages
    # A new one needs its hash (known once the list itself is valid).
    assert store.fail(domain="example.org", users=[bob(app("new-one", None))]) == [
        ("users[0] (bob)", "app_passwords[0].password",
         "a new app password needs its password, as a hash made with tools/hash_password")]


def test_at_most_one_per_passdb_slot():
    assert list_problems([app("a%d" % index, PHONE) for index in range(MAX_PER_USER)]) == []
    (field, message), = list_problems([app("a%d" % index, PHONE) for index in range(MAX_PER_USER + 1)])
    assert field == "app_passwords" and "at most %d" % MAX_PER_USER in message


class _Module:
    def __init__(self, params):
        self.params = params
        self.no_log_values = {PHONE, BLF}


def test_ready_hashes_are_masked_and_the_log_names_them_only():
    module = _Module({**DEFAULTS, "domain": "example.org", "login": "bob",
                      "app_passwords": [app("phone", PHONE), app("laptop", BLF)]})
    params = take_secrets(module)
    assert [a["password"] for a in params["app_passwords"]] == [PHONE, BLF]
    assert [a["password"] for a in module.params["app_passwords"]] == [MASK, MASK]
    assert module.no_log_values == set()
    assert log_summary(params)["app_passwords"] == ["phone", "laptop"]
