# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""gestixi_mail's converge: a whole description, every kind, one transaction (real SQLite)."""
from __future__ import annotations

import copy
import os

import pytest

from ansible_collections.gestixi.mail.plugins.module_utils.converge import _runner

from ansible_collections.gestixi.mail.plugins.module_utils.sieve import _sync
from ansible_collections.gestixi.mail.plugins.module_utils.store._export import export
from ansible_collections.gestixi.mail.plugins.module_utils.store._sqlite import SQLiteStore
from ansible_collections.gestixi.mail.plugins.module_utils.store._store import open_store
from ansible_collections.gestixi.mail.plugins.module_utils.converge._whole_description import (
    converge_description,
    description_key,
    log_summary,
    plaintext_passwords,
)
from ansible_collections.gestixi.mail.plugins.module_utils.rules._alias_graph import AliasLimits
from ansible_collections.gestixi.mail.plugins.module_utils.rules._description import description_digest
from ansible_collections.gestixi.mail.tests.unit.plugins.module_utils.store_harness import (
    ConvergeModule,
    module_store_options,
)

HASH = ("{SHA512-CRYPT}$6$3uVpMh6lC7fT5V20$IgoTFT6IwAFpXXrYRS4oljGmqcbpfVw3lxxaA7AbbDA9"
        "TiPZgo9ZUmVxxbmCNjkt7024e4iw65YY7qWE9fyhu.")
DESCRIPTION = [
    {"name": "example.org", "timezone": "Europe/Paris", "catchall": "alice@example.org",
     "users": [{"login": "alice", "name": "Alice", "password": HASH,
                "responders": [{"name": "holidays", "subject": "Away", "message": "Back soon.",
                                "start": "2026-12-20", "end": "2027-01-04"}]},
               {"login": "bob", "password": HASH, "quota": "1G"}],
     # An alias to a user of a domain described after this one, and one to every user.
     "aliases": [{"address": "contact", "to": ["alice", "carol@example.net"]},
                 {"address": "all", "to": []}],
     "responders": [{"name": "closure", "subject": "Closed", "message": "Closed today.",
                     "start": "2026-12-25", "end": "2026-12-25"}]},
    {"name": "example.net", "users": [{"login": "carol", "password": HASH}]},
]


@pytest.fixture
def params(store_options, tmp_path) -> dict:
    os.makedirs(str(tmp_path / "sieve"))
    return {**module_store_options(store_options, tmp_path), "domains": copy.deepcopy(DESCRIPTION),
            "purge_domains": None, "password_scheme": "ARGON2ID"}


def converge(params: dict, check_mode: bool = False) -> ConvergeModule:
    module = ConvergeModule(params, check_mode)
    store_params = {name: params[name] for name in _runner.store_argument_spec()}
    try:
        _runner.run_converge(module, lambda conn: converge_description(conn, params, store_params, check_mode),
                             echo=log_summary)
    except SystemExit:
        pass
    return module


def rows(params: dict, query: str) -> list[tuple]:
    store = open_store(params, read_only=True)
    try:
        with store.snapshot() as conn:
            return [tuple(row) for row in conn.execute(query)]
    finally:
        store.close()


def exported_description(params: dict, include: tuple = ()) -> dict:
    """What gestixi_mail_info exports of the store (its default options, or these parts)."""
    store = open_store(params, read_only=True)
    try:
        with store.snapshot() as conn:
            return export(conn, {"domains": None, "include": list(include), "include_defaults": False,
                                 "name_form": "unicode", "client_settings": None})
    finally:
        store.close()


def content(params: dict):
    """Everything the store holds: the SQLite file's bytes (a run that writes nothing leaves
    them as they were), every row of every table on PostgreSQL; None for no store yet."""
    if params["store_engine"] == "sqlite":
        return read(params["store_path"]) if os.path.exists(params["store_path"]) else None
    store = open_store(params, read_only=True)
    store.close()
    if store.created:
        return None
    return {table: rows(params, "SELECT * FROM %s ORDER BY 1" % table)
            for table in ("gestixi_schema", "converge_record", "domains", "users", "aliases",
                          "alias_recipients", "responders", "app_passwords")}


def read(path: str) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()


def test_every_kind_lands_in_one_run_and_a_second_run_changes_nothing(params):
    first = converge(params).result
    store = params
    assert first["changed"] is True
    assert rows(store, "SELECT name, timezone, catchall FROM domains ORDER BY name") == [
        ("example.net", "UTC", None), ("example.org", "Europe/Paris", "alice@example.org")]
    assert rows(store, "SELECT address FROM users ORDER BY address") == [
        ("alice@example.org",), ("bob@example.org",), ("carol@example.net",)]
    assert rows(store, "SELECT alias, recipient FROM alias_recipients ORDER BY 1, 2") == [
        ("contact@example.org", "alice@example.org"), ("contact@example.org", "carol@example.net")]
    assert rows(store, "SELECT address, all_users FROM aliases ORDER BY 1") == [
        ("all@example.org", 1), ("contact@example.org", 0)]
    assert rows(store, "SELECT login, name, message FROM responders ORDER BY 1, 2") == [
        ("", "closure", "Closed today."), ("alice", "holidays", "Back soon.")]
    assert sorted(os.listdir(os.path.join(params["sieve_dir"], "example.org"))) == ["alice.sieve", "bob.sieve"]
    kinds = {(c["action"], c["kind"]) for c in first["changes"]}
    # A new domain with its catch-all is one creation (the catch-all step is folded into it).
    assert kinds == {("create", "domain"), ("create", "user"), ("create", "alias"), ("create", "responder"),
                     ("create", "sieve script")}
    # 2 domains, 3 users, 2 aliases, 2 automatic replies, 2 Sieve scripts: each counted once.
    assert first["counts"] == {"created": 11, "updated": 0, "removed": 0, "unchanged": 0}
    assert first["invocation"]["module_args"]["domains"] == "2 domain(s), 3 user(s), 2 alias(es)"

    again = converge(params).result
    assert again["changed"] is False and again["changes"] == []
    assert again["counts"] == {"created": 0, "updated": 0, "removed": 0, "unchanged": 11}


def test_the_run_that_changed_records_its_commit_so_the_next_renders_nothing(params, monkeypatch):
    if params["store_engine"] != "sqlite":
        pytest.skip("the stamp of a commit is SQLite's change counter; PostgreSQL's scripts are checked by fingerprint")
    converge(params)
    manifest = os.path.join(params["sieve_dir"], _sync.MANIFEST)
    recorded = read(manifest)

    def no_fingerprint(*args):
        raise AssertionError("an unchanged run after a change needed the inputs fingerprint")

    monkeypatch.setattr(_sync, "inputs_fingerprint", no_fingerprint)
    assert converge(params).result["changed"] is False
    assert read(manifest) == recorded  # the cache itself is unchanged too: the run is idempotent


def test_check_mode_plans_across_kinds_and_writes_nothing(params):
    planned = converge(params, check_mode=True).result
    assert content(params) is None
    assert os.listdir(params["sieve_dir"]) == []
    # Users of new domains and an alias to them: planned only because every step sees the
    # earlier ones in the same transaction.
    keys = {(c["action"], c["kind"], c["key"]) for c in planned["changes"]}
    assert ("create", "user", "carol@example.net") in keys
    assert ("create", "alias", "contact@example.org") in keys
    assert planned["changes"] == converge(params).result["changes"]


def test_a_problem_in_any_step_writes_nothing(params):
    converge(params)
    before = content(params)
    params["domains"][1]["users"].append({"login": "dave"})  # a new user needs a password
    params["domains"][0]["aliases"].append({"address": "new", "to": ["alice"]})
    module = converge(params)
    assert module.result is None
    assert module.failure["problems"] == [{
        "path": "domains[1].users[1].password",
        "item": "users of example.net: users[1] (dave)", "field": "password",
        "message": "a new user needs a password (a plain-text password or a ready hash such as {ARGON2ID}...)"}]
    assert content(params) == before


def test_the_whole_store_is_checked_once_on_the_final_state(params):
    converge(params)
    params["alias_expansion_limit"] = 2  # all@example.org reaches alice and bob: 2, fine
    assert converge(params).failure is None
    before = content(params)
    params["domains"][0]["users"].append({"login": "eve", "password": HASH})  # now 3
    module = converge(params)
    assert "virtual_alias_expansion_limit 2" in module.failure["msg"]
    # Named where the description wrote the alias, as the controller's gate names it.
    assert [p["path"] for p in module.failure["problems"]] == ["domains[0].aliases[1].to"]
    assert content(params) == before


def test_purge_and_purge_domains(params):
    converge(params)
    params["domains"][0]["purge"] = True
    params["domains"][0]["users"] = params["domains"][0]["users"][:1]  # bob goes
    params["domains"][0]["aliases"] = params["domains"][0]["aliases"][:1]  # all@ goes
    params["domains"] = params["domains"][:1]  # example.net is no longer described ...
    params["domains"][0]["aliases"][0]["to"] = ["alice"]  # ... nor named
    result = converge(params).result
    removed = [(c["kind"], c["key"]) for c in result["changes"] if c["action"] == "remove"]
    assert removed.index(("alias", "all@example.org")) < removed.index(("user", "bob@example.org"))
    assert rows(params, "SELECT name FROM domains ORDER BY 1") == [("example.net",), ("example.org",)]
    params["purge_domains"] = True
    result = converge(params).result
    assert [(c["action"], c["kind"], c["key"]) for c in result["changes"]] == [("remove", "domain", "example.net")]
    assert rows(params, "SELECT address FROM users") == [("alice@example.org",)]


def test_plaintext_passwords_are_found_and_never_summarized():
    domains = [{"name": "example.org", "users": [{"login": "a", "password": "s3cret text"},
                                                 {"login": "b", "password": HASH}, {"login": "c"}]}]
    assert plaintext_passwords(domains) == {"s3cret text"}
    summary = log_summary({"domains": domains, "store_path": "/x", "password_scheme": "ARGON2ID"})
    assert summary == {"domains": "1 domain(s), 3 user(s), 0 alias(es)", "store_path": "/x",
                       "password_scheme": "ARGON2ID"}


def test_a_commit_records_the_stamp_of_what_it_wrote(tmp_path):
    path = str(tmp_path / "mail.sqlite")
    store = SQLiteStore(path)
    with store.transaction() as conn:
        conn.execute("INSERT INTO domains (name) VALUES ('example.org')")
    assert store.committed_stamp is not None and store.committed_stamp == store.stamp()
    store.close()
    for check_mode, statement in ((False, "SELECT 1"), (True, "UPDATE domains SET timezone = 'Europe/Paris'")):
        again = SQLiteStore(path, check_mode=check_mode)
        with again.transaction() as conn:
            conn.execute(statement)
        assert again.committed_stamp is None  # nothing committed: nothing to vouch for
        again.close()


def test_an_alias_becomes_a_user_in_one_run(params):
    """The users step creates sales@ while the alias sales@ still exists; the purge step
    removes the alias later in the same run. Only the final state is checked."""
    params["domains"][0]["aliases"].append({"address": "sales", "to": ["bob"]})
    converge(params)
    params["domains"][0]["purge"] = True
    params["domains"][0]["aliases"].pop()
    params["domains"][0]["users"].append({"login": "sales", "password": HASH})
    module = converge(params)
    assert module.failure is None
    assert {(c["action"], c["kind"], c["key"]) for c in module.result["changes"]} >= {
        ("create", "user", "sales@example.org"), ("remove", "alias", "sales@example.org")}
    assert rows(params, "SELECT address FROM aliases WHERE address LIKE 'sales@%'") == []


def test_an_alias_that_becomes_a_user_stays_a_catch_all_and_a_recipient(params):
    """The address lives on as a user: the catch-all naming it and the entries of other
    aliases naming it are kept, and a second run changes nothing."""
    org, net = params["domains"]
    org["aliases"].append({"address": "postmaster", "to": ["alice"]})
    org["catchall"] = "postmaster@example.org"
    net["aliases"] = [{"address": "sales", "to": ["carol", "postmaster@example.org"]}]
    converge(params)
    org["purge"] = True
    org["aliases"].pop()
    org["users"].append({"login": "postmaster", "password": HASH})
    module = converge(params)
    assert module.failure is None, module.failure
    assert sorted((c["action"], c["kind"], c["key"]) for c in module.result["changes"]
                  if c["kind"] in ("user", "alias", "alias recipient")) == [
        ("create", "user", "postmaster@example.org"), ("remove", "alias", "postmaster@example.org")]
    assert rows(params, "SELECT recipient FROM alias_recipients WHERE alias = 'sales@example.net' "
                        "ORDER BY 1") == [("carol@example.net",), ("postmaster@example.org",)]
    assert rows(params, "SELECT catchall FROM domains WHERE name = 'example.org'") == [
        ("postmaster@example.org",)]
    assert converge(params).result["changes"] == []


def test_a_user_becomes_an_alias_in_one_run_and_only_with_purge(params):
    """The aliases step creates bob@ while the user exists; the users purge step removes the
    user later and keeps the entries naming the address. Without purge the user stays, and the
    final check refuses the pair, naming the alias."""
    org, net = params["domains"]
    org["catchall"] = "bob@example.org"
    net["aliases"] = [{"address": "sales", "to": ["carol", "bob@example.org"]}]
    converge(params)
    before = content(params)
    org["users"] = [user for user in org["users"] if user["login"] != "bob"]
    org["aliases"].append({"address": "bob", "to": ["alice"]})
    refused = converge(params)
    assert refused.failure["problems"] == [{
        "path": "domains[0].aliases[2].address", "item": "alias bob@example.org", "field": "address",
        "message": "bob@example.org is both an alias and a user's mailbox: a user's address cannot be an alias "
                   "(remove the alias, or the user)"}]
    assert content(params) == before
    org["purge"] = True
    module = converge(params)
    assert module.failure is None, module.failure
    assert sorted((c["action"], c["kind"], c["key"]) for c in module.result["changes"]
                  if c["kind"] in ("user", "alias", "alias recipient")) == [
        ("create", "alias", "bob@example.org"), ("remove", "user", "bob@example.org")]
    assert rows(params, "SELECT recipient FROM alias_recipients WHERE alias = 'sales@example.net' "
                        "ORDER BY 1") == [("bob@example.org",), ("carol@example.net",)]
    assert rows(params, "SELECT catchall FROM domains WHERE name = 'example.org'") == [
        ("bob@example.org",)]
    assert converge(params).result["changes"] == []


def probe(params: dict, check_mode: bool = False) -> dict:
    """What the action plugin asks first: does the store already hold this very description?"""
    digest = description_digest(params["domains"], AliasLimits(params["alias_expansion_limit"],
                                                               params["alias_recursion_limit"]))
    asked = {**params, "domains": None, "checked_digest": digest}
    module = ConvergeModule(asked, check_mode)
    _runner.run_recorded(module, description_key(digest, asked), echo=log_summary)
    return module.result


def test_an_unchanged_rerun_is_answered_from_the_store_record(params):
    assert probe(params) == {"changed": False, "converged": False}  # no store yet
    converge(params, check_mode=True)
    assert probe(params)["converged"] is False  # a plan writes no record
    converge(params)
    answered = probe(params)
    full = converge(params).result
    assert answered["converged"] is True and answered["changed"] is False
    # The same answer as planning the whole description again.
    assert (answered["counts"], answered["changes"], answered["diff"]) == (full["counts"], full["changes"], full["diff"])
    assert answered["counts"]["unchanged"] == 11
    assert probe(params, check_mode=True)["converged"] is True


def test_anything_else_than_the_recorded_description_is_converged_in_full(params):
    converge(params)
    other = copy.deepcopy(params)
    other["domains"][1]["users"][0]["quota"] = "2G"
    assert probe(other)["converged"] is False
    assert probe({**params, "purge_domains": True})["converged"] is False
    assert probe({**params, "alias_expansion_limit": 999})["converged"] is False
    script = os.path.join(params["sieve_dir"], "example.org", "bob.sieve")
    os.unlink(script)  # the scripts are no longer in step
    assert probe(params)["converged"] is False
    assert converge(params).result["changes"] == [{"action": "create", "kind": "sieve script", "key": "example.org/bob"}]
    assert probe(params)["converged"] is True
    with open_store(params).transaction() as conn:  # a write that is not the modules'
        conn.execute("UPDATE users SET quota_bytes = 1 WHERE address = 'bob@example.org'")
    assert probe(params)["converged"] is False
    assert converge(params).result["changes"] == [
        {"action": "update", "kind": "user", "key": "bob@example.org", "fields": ["quota"]}]


def test_a_description_with_a_plain_text_password_is_never_recorded(params):
    params["domains"][1]["users"][0]["password"] = "correct horse battery staple"
    converge(params)
    assert rows(params, "SELECT description FROM converge_record") == [(None,)]
    assert probe(params)["converged"] is False


def test_the_mail_dns_settings_are_kept_as_written_and_a_change_is_a_domain_update(params):
    params["domains"][0]["dns"] = {"spf": ["ip4:192.0.2.10"], "dmarc": {"policy": "reject"}}
    params["domains"][0]["dkim"] = {"selector": "s2026", "next_selector": "s2027"}
    assert converge(params).failure is None
    assert rows(params, "SELECT name, dns, dkim FROM domains ORDER BY name") == [
        ("example.net", "", ""),
        ("example.org", '{"dmarc":{"policy":"reject"},"spf":["ip4:192.0.2.10"]}',
         '{"next_selector":"s2027","selector":"s2026"}')]

    # The rotation: the next key signs, the old one stays published until a day.
    params["domains"][0]["dkim"] = {"selector": "s2027", "previous": [{"selector": "s2026", "until": "2027-02-01"}]}
    rotated = converge(params).result
    assert rotated["changes"] == [{"action": "update", "kind": "domain", "key": "example.org", "fields": ["dkim"]}]
    diff = rotated["diff"][0]
    assert "s2027" in diff["after"] and "next_selector" in diff["before"] and "next_selector" not in diff["after"]

    exported = exported_description(params)
    org = next(d for d in exported["domains"] if d["name"] == "example.org")
    assert org["dkim"] == params["domains"][0]["dkim"]
    assert org["dns"] == {"spf": ["ip4:192.0.2.10"], "dmarc": {"policy": "reject"}}
    assert "dns" not in next(d for d in exported["domains"] if d["name"] == "example.net")

    # Left out of the description: removed from the store, the defaults apply again.
    del params["domains"][0]["dns"], params["domains"][0]["dkim"]
    assert converge(params).result["changed"] is True
    assert rows(params, "SELECT dns, dkim FROM domains ORDER BY name") == [("", ""), ("", "")]


def test_bad_mail_dns_settings_are_refused_at_their_paths_and_nothing_is_written(params):
    converge(params)
    before = content(params)
    params["domains"][0]["dkim"] = {"selector": "bad selector!"}
    params["domains"][1]["dns"] = {"mx": ["not a host"]}
    module = converge(params)
    assert module.result is None
    assert [p["path"] for p in module.failure["problems"]] == ["domains[0].dkim.selector", "domains[1].dns.mx[0]"]
    assert content(params) == before


def test_senders_are_stored_canonical_a_change_is_a_domain_update_and_leaving_them_out_removes_them(params):
    params["domains"][0]["senders"] = {"allowed": ["Outside.test", "news@partner.test"], "blocked": ["bad.test"]}
    assert converge(params).failure is None
    assert rows(params, "SELECT name, senders FROM domains ORDER BY name") == [
        ("example.net", ""), ("example.org", '{"allowed":["news@partner.test","outside.test"],"blocked":["bad.test"]}')]
    params["domains"][0]["senders"] = {"allowed": ["news@PARTNER.test", "outside.test"], "blocked": ["BAD.test"]}
    assert converge(params).result["changed"] is False  # another spelling, another order: the same senders

    params["domains"][0]["senders"]["blocked"].append("spammer@junk.test")
    changed = converge(params).result
    assert changed["changes"] == [{"action": "update", "kind": "domain", "key": "example.org", "fields": ["senders"]}]
    assert "spammer@junk.test" in changed["diff"][0]["after"] and "spammer@junk.test" not in changed["diff"][0]["before"]
    org = next(d for d in exported_description(params)["domains"] if d["name"] == "example.org")
    assert org["senders"] == {"allowed": ["news@partner.test", "outside.test"], "blocked": ["bad.test", "spammer@junk.test"]}

    del params["domains"][0]["senders"]  # the description is exact
    assert converge(params).result["changed"] is True
    assert rows(params, "SELECT senders FROM domains") == [("",), ("",)]


def test_bad_senders_are_refused_at_their_paths_and_nothing_is_written(params):
    converge(params)
    before = content(params)
    params["domains"][0]["senders"] = {"allowed": ["bad.test"], "blocked": ["nowhere", "Bad.Test"]}
    params["domains"][1]["senders"] = {"blocked": ["x@partner.test", "X@partner.test"]}
    module = converge(params)
    assert module.result is None
    assert [p["path"] for p in module.failure["problems"]] == [
        "domains[0].senders.blocked[0]", "domains[0].senders.blocked[1]", "domains[1].senders.blocked[1]"]
    assert content(params) == before


APP_HASH = ("{SHA512-CRYPT}$6$applicationsalt$1JLb5h5YHBsN5S1kWbRFoY/OqnNVvMB7n/ZqOAq3cX8Cze3JJBmb"
            "Jx1EnWGH8ciE4iQJFpFxkv4DxO3KzXq3v0")


def test_the_application_credential_is_stored_shown_without_its_hash_and_kept_by_an_export(params):
    params["domains"][0]["application"] = {"login": "invoices", "password": APP_HASH}
    first = converge(params).result
    assert rows(params, "SELECT name, application_login, application_password FROM domains "
                        "ORDER BY name") == [("example.net", None, ""),
                                             ("example.org", "invoices@example.org", APP_HASH)]
    assert APP_HASH not in repr(first) and APP_HASH.rsplit("$", maxsplit=1)[-1] not in repr(first)
    assert "invoices@example.org (password set)" in first["diff"][0]["after"]

    # A new hash: an update of the domain, said without the hash.
    other = APP_HASH.replace("applicationsalt", "othersaltothers")
    params["domains"][0]["application"]["password"] = other
    changed = converge(params).result
    assert changed["changes"] == [{"action": "update", "kind": "domain", "key": "example.org",
                                   "fields": ["application"]}]
    assert "invoices@example.org (password changed)" in changed["diff"][0]["after"]
    assert other not in repr(changed)

    # The export has the login only; applied back, the stored hash stays and nothing changes.
    exported = exported_description(params)
    org = next(d for d in exported["domains"] if d["name"] == "example.org")
    assert org["application"] == {"login": "invoices"}
    params["domains"][0]["application"] = org["application"]
    assert converge(params).result["changed"] is False
    assert rows(params, "SELECT application_password FROM domains WHERE name = 'example.org'") == [
        (other,)]

    # Left out of the description: the domain has no credential any more.
    del params["domains"][0]["application"]
    assert converge(params).result["changes"][0]["fields"] == ["application"]
    assert rows(params, "SELECT application_login, application_password FROM domains "
                        "WHERE name = 'example.org'") == [(None, "")]


def assert_refused_at(params, change, path: str, words: str) -> None:
    """After a good converge, `change` (a function of the domain) makes the next one fail at
    `path` in `words`, with no plain text secret shown and the store unchanged."""
    converge(params)
    before = content(params)
    change(params["domains"][0])
    module = converge(params)
    assert module.result is None
    problems = module.failure["problems"]
    assert [p["path"] for p in problems] == [path], problems
    assert words in problems[0]["message"]
    assert "plain text secret" not in repr(module.failure)
    assert content(params) == before


@pytest.mark.parametrize("application, path, words", [
    ({"login": "invoices", "password": "plain text secret"}, "domains[0].application.password", "never in plain text"),
    ({"login": "invoices", "password": "{SHA512-CRYPT}$6$x"}, "domains[0].application.password", "malformed"),
    ({"login": "invoices"}, "domains[0].application.password", "needs its password"),
    ({"login": "not valid!", "password": APP_HASH}, "domains[0].application.login", "not a valid login"),
    ({"login": "bob", "password": APP_HASH}, "domains[0].application.login", "bob@example.org is declared twice"),
    ({"login": "contact", "password": APP_HASH}, "domains[0].application.login", "declared twice"),
    ({"password": APP_HASH}, "domains[0].application.login", "is missing"),
    ({"login": "invoices", "password": APP_HASH, "services": ["imap"]}, "domains[0].application.services",
     "unknown key"),
])
def test_a_bad_application_credential_is_refused_at_its_path_and_nothing_is_written(params, application, path, words):
    assert_refused_at(params, lambda domain: domain.update(application=application), path, words)


def test_app_passwords_are_stored_shown_without_their_hashes_kept_by_an_export_and_revoked(params):
    bob = params["domains"][0]["users"][1]
    bob["app_passwords"] = [{"name": "phone", "password": APP_HASH, "services": ["imap"]},
                            {"name": "laptop", "password": HASH, "services": ["smtp", "imap"]}]
    first = converge(params).result
    assert rows(params, "SELECT address, name, password, imap, smtp FROM app_passwords ORDER BY name") == [
        ("bob@example.org", "laptop", HASH, 1, 1), ("bob@example.org", "phone", APP_HASH, 1, 0)]
    assert {"action": "create", "kind": "app password", "key": "bob@example.org/phone"} in first["changes"]
    assert APP_HASH not in repr(first) and "applicationsalt" not in repr(first)

    # The export: names and services only; applied back, the hashes stay and nothing changes.
    exported = exported_description(params, include=["users"])
    org = next(d for d in exported["domains"] if d["name"] == "example.org")
    exported_bob = next(u for u in org["users"] if u["login"] == "bob")
    assert exported_bob["app_passwords"] == [{"name": "laptop", "services": ["imap", "smtp"]},
                                             {"name": "phone", "services": ["imap"]}]
    bob["app_passwords"] = exported_bob["app_passwords"]
    assert converge(params).result["changed"] is False

    # Removed from the description: revoked at this converge; none described: none left.
    bob["app_passwords"] = [{"name": "laptop", "services": ["imap", "smtp"]}]
    assert converge(params).result["changes"] == [
        {"action": "remove", "kind": "app password", "key": "bob@example.org/phone"}]
    del bob["app_passwords"]
    assert converge(params).result["changes"] == [
        {"action": "remove", "kind": "app password", "key": "bob@example.org/laptop"}]
    assert rows(params, "SELECT * FROM app_passwords") == []


@pytest.mark.parametrize("app, path, words", [
    ({"name": "phone", "password": "plain text secret", "services": ["imap"]},
     "domains[0].users[1].app_passwords[0].password", "never in plain text"),
    ({"name": "phone", "services": ["imap"]}, "domains[0].users[1].app_passwords[0].password", "needs its password"),
    ({"name": "phone", "password": APP_HASH, "services": ["imap", "sieve"]},
     "domains[0].users[1].app_passwords[0].services[1]", "expected one of imap, smtp"),
    ({"name": "phone", "password": APP_HASH}, "domains[0].users[1].app_passwords[0].services", "is missing"),
    ({"name": "a/b", "password": APP_HASH, "services": ["imap"]}, "domains[0].users[1].app_passwords[0].name",
     "is not valid"),
])
def test_a_bad_app_password_is_refused_at_its_path_and_nothing_is_written(params, app, path, words):
    assert_refused_at(params, lambda domain: domain["users"][1].update(app_passwords=[app]), path, words)
