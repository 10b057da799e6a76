# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The SQL that Postfix and Dovecot run against the store, run here on the real schema.

roles/server/vars/store_queries.yml is what the server role writes into Postfix's sqlite:
tables and Dovecot's sql args. Each query is run the way the daemon runs it: Postfix replaces
every %s with the looked-up key, quoted for SQLite (a ' becomes ''), %d with its domain part
(no query at all for a key without one), and joins the rows of the answer with commas; Dovecot
replaces %u with user@domain, escaped the same way, and %s with the service (imap, smtp, ...).
"""
from __future__ import annotations

import os
import sqlite3

import pytest
import yaml

from ansible_collections.gestixi.mail.plugins.module_utils.store._store import Store

COLLECTION = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", ".."))
QUERIES_FILE = os.path.join(COLLECTION, "roles", "server", "vars", "store_queries.yml")


def sql_quote(text: str) -> str:
    return text.replace("'", "''")


@pytest.fixture(scope="module")
def queries():
    with open(QUERIES_FILE, encoding="utf-8") as handle:
        return yaml.safe_load(handle)["server_store_queries"]


@pytest.fixture
def conn(tmp_path):
    store = Store(str(tmp_path / "mail.sqlite"))
    with store.transaction() as connection:
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
    yield store.conn
    store.close()


def postfix(conn: sqlite3.Connection, query: str, key: str) -> list[str]:
    """The answer of a Postfix sqlite: table, as a sorted list of the comma-joined values."""
    local, at, domain = key.rpartition("@")
    if "%d" in query and not (at and domain):
        return []
    rows = conn.execute(query.replace("%s", sql_quote(key)).replace("%d", sql_quote(domain))).fetchall()
    assert all(len(row) == 1 for row in rows), "a Postfix query must return one column"
    return sorted(row[0] for row in rows)


def dovecot(conn: sqlite3.Connection, query: str, user: str | None = None, service: str = "imap") -> list[dict]:
    sql = query.replace("%s", service)
    sql = sql if user is None else sql.replace("%u", sql_quote(user))
    return [dict(row) for row in conn.execute(sql).fetchall()]


def test_every_query_is_tested_here(queries):
    assert sorted(queries["postfix"]) == ["aliases", "application_copies", "application_logins", "domains",
                                          "local_senders", "mailboxes", "sender_logins", "sent_copies"]
    assert sorted(queries["dovecot"]) == ["iterate", "password", "user"]


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
