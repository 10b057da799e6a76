# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The SQL that Postfix and Dovecot run against the store, run here on the real schema.

roles/server/vars/store_queries.yml is what the server role writes into Postfix's sqlite:
tables and Dovecot's sql args. Each query is run the way the daemon runs it: Postfix replaces
every %s with the looked-up key, quoted for SQLite (a ' becomes ''), %d with its domain part
(no query at all for a key without one), and joins the rows of the answer with commas; Dovecot
replaces %u with user@domain, escaped the same way, %s with the service (imap, smtp, ...), %r
with the client's address and %% with %; the server role writes the app password query once
per slot, {slot} replaced by its number, each in a passdb of its own after the main one.
"""
from __future__ import annotations

import os
import pytest
import yaml

from ansible_collections.gestixi.mail.plugins.module_utils.rules._app_password import MAX_PER_USER
from ansible_collections.gestixi.mail.plugins.module_utils.rules._password import hash_password, verify_password

COLLECTION = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", ".."))
QUERIES_FILE = os.path.join(COLLECTION, "roles", "server", "vars", "store_queries.yml")


def sql_quote(text: str) -> str:
    return text.replace("'", "''")


@pytest.fixture(scope="module")
def queries_file():
    with open(QUERIES_FILE, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@pytest.fixture(scope="module")
def queries(queries_file):
    return queries_file["server_store_queries"]


@pytest.fixture(scope="module")
def slots(queries_file):
    return queries_file["server_store_app_password_slots"]


@pytest.fixture
def conn(store_conn):
    connection = store_conn
    connection.executemany("INSERT INTO domains (name, catchall, application_login, application_password) "
                           "VALUES (?, ?, ?, ?)", [
                               ("example.org", "contact@example.org", "invoices@example.org", "{BLF-CRYPT}app-hash"),
                               ("other.test", None, None, "")])
    connection.executemany(
        "INSERT INTO users (address, domain, login, password, quota_bytes, enabled) VALUES (?, ?, ?, ?, ?, ?)", [
            ("alice@example.org", "example.org", "alice", "{BLF-CRYPT}alice-hash", 1073741824, 1),
            ("bob@example.org", "example.org", "bob", "{BLF-CRYPT}bob-hash", 0, 1),
            ("carol@example.org", "example.org", "carol", "{BLF-CRYPT}carol-hash", 0, 0),
            ("dave@other.test", "other.test", "dave", "{BLF-CRYPT}dave-hash", 0, 1)])
    connection.executemany("INSERT INTO aliases (address, domain, local_part, all_users) VALUES (?, ?, ?, ?)", [
        ("contact@example.org", "example.org", "contact", 0),
        ("all@example.org", "example.org", "all", 1),
        ("all-and-boss@example.org", "example.org", "all-and-boss", 1),
        ("sales@example.org", "example.org", "sales", 0),
        ("o'neil@example.org", "example.org", "o'neil", 0),
        ("team@other.test", "other.test", "team", 0)])
    connection.executemany("INSERT INTO alias_recipients (alias, recipient) VALUES (?, ?)", [
        ("contact@example.org", "alice@example.org"),
        ("contact@example.org", "partner@external.example"),
        ("all-and-boss@example.org", "boss@external.example"),
        ("all-and-boss@example.org", "alice@example.org"),  # also an enabled user: once
        ("sales@example.org", "contact@example.org"),
        ("o'neil@example.org", "bob@example.org"),
        ("team@other.test", "dave@other.test"),
        ("team@other.test", "carol@example.org")])  # a disabled user: kept, never a sender
    connection.executemany(
        "INSERT INTO app_passwords (address, name, password, imap, smtp) VALUES (?, ?, ?, ?, ?)", [
            ("bob@example.org", "phone", "{BLF-CRYPT}bob-phone-hash", 1, 0),
            ("bob@example.org", "laptop", "{BLF-CRYPT}bob-laptop-hash", 1, 1),
            ("bob@example.org", "printer", "{BLF-CRYPT}bob-printer-hash", 0, 1),
            ("carol@example.org", "tablet", "{BLF-CRYPT}carol-tablet-hash", 1, 1)])  # carol is disabled
    return connection


def postfix(conn, query: str, key: str) -> list[str]:
    """The answer of a Postfix sqlite: or pgsql: table, as a sorted list of the comma-joined values."""
    local, at, domain = key.rpartition("@")
    if "%d" in query and not (at and domain):
        return []
    sql = query.replace("%%", "\0").replace("%s", sql_quote(key)).replace("%d", sql_quote(domain))
    rows = conn.execute(sql.replace("\0", "%")).fetchall()
    assert all(len(row) == 1 for row in rows), "a Postfix query must return one column"
    return sorted(row[0] for row in rows)


def dovecot(conn, query: str, user: str | None = None, service: str = "imap",
            remote: str = "192.0.2.10", slot: int | None = None) -> list[dict]:
    if slot is not None:
        query = query.replace("{slot}", str(slot))
    assert "{slot}" not in query
    sql = query.replace("%%", "\0").replace("%s", sql_quote(service)).replace("%r", sql_quote(remote))
    sql = sql if user is None else sql.replace("%u", sql_quote(user))
    return [dict(row) for row in conn.execute(sql.replace("\0", "%")).fetchall()]


def dovecot_login(conn, queries: dict, slots: int, user: str, plaintext: str,
                  service: str, remote: str = "192.0.2.10") -> bool:
    """Dovecot's passdb chain: the main passdb, then one per app password slot; the first
    passdb whose row's hash verifies the password logs in (a passdb answers one row at most)."""
    chain = [dovecot(conn, queries["dovecot"]["password"], user, service, remote)]
    chain += [dovecot(conn, queries["dovecot"]["app_password"], user, service, remote, slot) for slot in range(slots)]
    for rows in chain:
        assert len(rows) <= 1, "a passdb query must answer one row at most"
        if rows and verify_password(plaintext, rows[0]["password"]):
            return True
    return False


def test_every_query_is_tested_here(queries):
    assert sorted(queries["postfix"]) == ["aliases", "application_copies", "application_logins", "domains",
                                          "local_senders", "mailboxes", "sender_logins", "sent_copies"]
    assert sorted(queries["dovecot"]) == ["app_password", "iterate", "password", "user"]


def test_domains(conn, queries):
    query = queries["postfix"]["domains"]
    assert postfix(conn, query, "example.org") == ["example.org"]
    assert postfix(conn, query, "other.test") == ["other.test"]
    assert postfix(conn, query, "external.example") == []


def test_mailboxes_are_the_enabled_users_only(conn, queries):
    query = queries["postfix"]["mailboxes"]
    assert postfix(conn, query, "alice@example.org") == ["alice@example.org"]
    assert postfix(conn, query, "carol@example.org") == []  # disabled
    assert postfix(conn, query, "contact@example.org") == []  # an alias is not a mailbox
    assert postfix(conn, query, "nobody@example.org") == []


def test_alias_with_local_and_external_recipients(conn, queries):
    query = queries["postfix"]["aliases"]
    assert postfix(conn, query, "contact@example.org") == ["alice@example.org", "partner@external.example"]
    assert postfix(conn, query, "sales@example.org") == ["contact@example.org"]  # Postfix recurses
    assert postfix(conn, query, "team@other.test") == ["carol@example.org", "dave@other.test"]


def test_all_users_alias_is_resolved_at_lookup_time(conn, queries):
    query = queries["postfix"]["aliases"]
    assert postfix(conn, query, "all@example.org") == ["alice@example.org", "bob@example.org"]
    assert postfix(conn, query, "all-and-boss@example.org") == [
        "alice@example.org", "bob@example.org", "boss@external.example"]
    conn.execute("INSERT INTO users (address, domain, login, password) "
                 "VALUES ('erin@example.org', 'example.org', 'erin', 'x')")
    assert postfix(conn, query, "all@example.org") == ["alice@example.org", "bob@example.org", "erin@example.org"]
    conn.execute("UPDATE users SET enabled = 0 WHERE address = 'bob@example.org'")
    assert postfix(conn, query, "all@example.org") == ["alice@example.org", "erin@example.org"]
    # an all-users alias of one domain never reaches the users of another
    assert "dave@other.test" not in postfix(conn, query, "all@example.org")


def test_users_map_to_themselves_so_that_the_catch_all_never_takes_their_mail(conn, queries):
    query = queries["postfix"]["aliases"]
    assert postfix(conn, query, "alice@example.org") == ["alice@example.org"]
    assert postfix(conn, query, "carol@example.org") == []  # disabled: falls to the catch-all


def test_catch_all_answers_only_the_domain_key(conn, queries):
    query = queries["postfix"]["aliases"]
    assert postfix(conn, query, "@example.org") == ["contact@example.org"]
    assert postfix(conn, query, "nobody@example.org") == []  # Postfix then asks '@example.org'
    assert postfix(conn, query, "@other.test") == []  # no catch-all there
    assert postfix(conn, query, "example.org") == []


def test_quotes_in_keys_are_data_not_sql(conn, queries):
    aliases = queries["postfix"]["aliases"]
    assert postfix(conn, aliases, "o'neil@example.org") == ["bob@example.org"]
    for key in ("x' OR '1'='1", "' OR 1=1 --", "alice@example.org' UNION SELECT password FROM users --",
                "'; DROP TABLE users; --"):
        for name, query in queries["postfix"].items():
            assert postfix(conn, query, key) == [], name
        for name in ("password", "user"):
            assert dovecot(conn, queries["dovecot"][name], key) == [], name
        assert dovecot(conn, queries["dovecot"]["app_password"], key, slot=0) == []
        assert dovecot(conn, queries["dovecot"]["app_password"], "bob@example.org", remote=key, slot=0) == [
            {"user": "bob@example.org", "password": "{BLF-CRYPT}bob-laptop-hash"}]
    assert conn.execute("SELECT COUNT(*) FROM users").fetchone()[0] == 4


def test_sender_logins(conn, queries):
    query = queries["postfix"]["sender_logins"]
    app = "invoices@example.org"  # the application credential of example.org: any of its addresses
    assert postfix(conn, query, "alice@example.org") == ["alice@example.org", app]
    assert postfix(conn, query, "carol@example.org") == [app]
    # the enabled local users an alias reaches may send as it; external recipients may not
    assert postfix(conn, query, "contact@example.org") == ["alice@example.org", app]
    assert postfix(conn, query, "all@example.org") == ["alice@example.org", "bob@example.org", app]
    assert postfix(conn, query, "no-reply@example.org") == [app]
    # A key with an extension finds nobody, so that Postfix asks again without it (bob+tag@ is bob's).
    assert postfix(conn, query, "bob+tag@example.org") == []
    assert postfix(conn, query, "bob@example.org") == ["bob@example.org", app]
    assert postfix(conn, query, "team@other.test") == ["dave@other.test"]  # no credential there
    assert postfix(conn, query, "@example.org") == [app]
    assert postfix(conn, query, "partner@external.example") == []
    assert postfix(conn, query, "example.org") == []


def test_application_logins_get_the_copy_class_and_users_do_not(conn, queries):
    query = queries["postfix"]["application_logins"]
    assert postfix(conn, query, "invoices@example.org") == ["gestixi_application_copy"]
    assert postfix(conn, query, "alice@example.org") == []
    assert postfix(conn, query, "invoices@other.test") == []


def test_application_copies_go_to_enabled_users_only(conn, queries):
    query = queries["postfix"]["application_copies"]
    assert postfix(conn, query, "alice@example.org") == ["BCC alice+gestixi-sent@example.org"]
    assert postfix(conn, query, "carol@example.org") == []
    assert postfix(conn, query, "contact@example.org") == []  # an alias: nobody's folder
    assert postfix(conn, query, "no-reply@example.org") == []


def test_local_senders_refuse_the_domains_of_the_store(conn, queries):
    query = queries["postfix"]["local_senders"]
    # Postfix asks for user@domain, then the domain, then user@: only the domain answers.
    assert postfix(conn, query, "alice@example.org") == []
    assert postfix(conn, query, "alice@") == []
    refusal, = postfix(conn, query, "example.org")
    assert refusal.startswith("553 5.7.1 Sender address rejected: mail from example.org ")
    assert postfix(conn, query, "external.example") == []


def test_sent_copies_only_for_enabled_users_of_the_store(conn, queries):
    query = queries["postfix"]["sent_copies"]
    assert postfix(conn, query, "alice@example.org") == ["alice+gestixi-sent@example.org"]
    assert postfix(conn, query, "carol@example.org") == []
    assert postfix(conn, query, "contact@example.org") == []  # an alias gets no copy
    assert postfix(conn, query, "partner@external.example") == []


def test_dovecot_password_and_user(conn, queries):
    password, user = queries["dovecot"]["password"], queries["dovecot"]["user"]
    assert dovecot(conn, password, "alice@example.org") == [
        {"user": "alice@example.org", "password": "{BLF-CRYPT}alice-hash"}]
    assert dovecot(conn, password, "carol@example.org") == []  # disabled: cannot log in
    assert dovecot(conn, password, "contact@example.org") == []  # an alias cannot log in
    assert dovecot(conn, user, "alice@example.org") == [{"user": "alice@example.org",
                                                         "quota_rule": "*:bytes=1073741824"}]
    assert dovecot(conn, user, "bob@example.org") == [{"user": "bob@example.org", "quota_rule": "*:bytes=0"}]
    assert dovecot(conn, user, "carol@example.org") == []  # disabled: LMTP refuses its mail


def test_dovecot_application_credential_is_for_smtp_only(conn, queries):
    password, user = queries["dovecot"]["password"], queries["dovecot"]["user"]
    app = "invoices@example.org"
    assert dovecot(conn, password, app, service="smtp") == [{"user": app, "password": "{BLF-CRYPT}app-hash"}]
    for service in ("imap", "pop3", "sieve", "lmtp", "doveadm"):
        assert dovecot(conn, password, app, service=service) == [], service
    assert dovecot(conn, user, app) == []  # no mailbox
    assert dovecot(conn, password, "alice@example.org", service="smtp") == [
        {"user": "alice@example.org", "password": "{BLF-CRYPT}alice-hash"}]
    # A user of the same address (refused by the description's rules) would win, alone.
    conn.execute("UPDATE domains SET application_login = 'bob@example.org' WHERE name = 'example.org'")
    assert dovecot(conn, password, "bob@example.org", service="smtp") == [
        {"user": "bob@example.org", "password": "{BLF-CRYPT}bob-hash"}]


def test_dovecot_iterate_lists_enabled_users(conn, queries):
    assert sorted(row["user"] for row in dovecot(conn, queries["dovecot"]["iterate"])) == [
        "alice@example.org", "bob@example.org", "dave@other.test"]


def test_one_passdb_per_app_password_a_user_may_have(slots):
    assert slots == MAX_PER_USER


def test_dovecot_app_passwords_answer_their_services_one_per_slot(conn, queries, slots):
    query = queries["dovecot"]["app_password"]

    def answers(service, user="bob@example.org", remote="192.0.2.10"):
        return [row["password"] for slot in range(slots) for row in dovecot(conn, query, user, service, remote, slot)]

    # By name, each slot one row: laptop (imap, smtp), phone (imap), printer (smtp).
    assert answers("imap") == ["{BLF-CRYPT}bob-laptop-hash", "{BLF-CRYPT}bob-phone-hash"]
    assert answers("smtp") == ["{BLF-CRYPT}bob-laptop-hash", "{BLF-CRYPT}bob-printer-hash"]
    for service in ("sieve", "pop3", "lmtp", "doveadm", "submission", "imap' OR '1'='1"):
        assert answers(service) == [], service
    assert answers("imap", user="carol@example.org") == []  # a disabled user: no app password either
    assert answers("imap", user="alice@example.org") == []
    assert dovecot(conn, query, "bob@example.org", "imap", slot=0) == [
        {"user": "bob@example.org", "password": "{BLF-CRYPT}bob-laptop-hash"}]


@pytest.mark.parametrize("remote", ["127.0.0.1", "127.3.2.1", "::1", "::ffff:127.0.0.1"])
def test_dovecot_app_passwords_are_refused_from_loopback_where_the_webmail_logs_in(conn, queries, slots, remote):
    query = queries["dovecot"]["app_password"]
    for service in ("imap", "smtp"):
        assert [dovecot(conn, query, "bob@example.org", service, remote, slot) for slot in range(slots)] == [[]] * slots
    # the main password still works from there (Roundcube logs in with it)
    assert dovecot(conn, queries["dovecot"]["password"], "bob@example.org", "imap", remote) == [
        {"user": "bob@example.org", "password": "{BLF-CRYPT}bob-hash"}]


def test_dovecot_login_chain_with_main_and_app_passwords(conn, queries, slots):
    def hashed(plaintext):
        return hash_password(plaintext, "SHA512-CRYPT")

    conn.execute("INSERT INTO users (address, domain, login, password) VALUES ('erin@example.org', 'example.org', "
                 "'erin', ?)", (hashed("erin-main"),))
    conn.executemany("INSERT INTO app_passwords (address, name, password, imap, smtp) VALUES (?, ?, ?, ?, ?)",
                     [("erin@example.org", "app-%d" % index, hashed("erin-app-%d" % index), 1, 0)
                      for index in range(slots - 1)] + [("erin@example.org", "z-mail", hashed("erin-both"), 1, 1)])

    def login(plaintext, service, remote="192.0.2.10"):
        return dovecot_login(conn, queries, slots, "erin@example.org", plaintext, service, remote)

    for service in ("imap", "smtp", "sieve"):
        assert login("erin-main", service)  # the main password opens everything, as before
        assert login("erin-main", service, "127.0.0.1")  # the webmail included
    assert login("erin-app-0", "imap") and login("erin-app-%d" % (slots - 2), "imap")
    assert not login("erin-app-0", "smtp")  # an IMAP-only one, on submission
    assert not login("erin-app-0", "sieve")  # never ManageSieve
    assert login("erin-both", "imap") and login("erin-both", "smtp")  # the last slot is tried too
    assert not login("erin-both", "sieve")
    assert not login("erin-both", "imap", "127.0.0.1")  # never the webmail
    assert not login("erin-both", "smtp", "127.0.0.1")
    assert not login("wrong", "imap")
    # Revoked: the row is gone, the password with it.
    conn.execute("DELETE FROM app_passwords WHERE address = 'erin@example.org' AND name = 'z-mail'")
    assert not login("erin-both", "imap")
    assert login("erin-app-0", "imap")
    conn.execute("UPDATE users SET enabled = 0 WHERE address = 'erin@example.org'")
    assert not login("erin-app-0", "imap")
