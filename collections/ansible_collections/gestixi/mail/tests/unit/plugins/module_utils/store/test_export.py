# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of the secret-free export (gestixi_mail_info)."""
from __future__ import annotations

import json
import os

import pytest

from ansible_collections.gestixi.mail.plugins.module_utils._errors import MailStateError
from ansible_collections.gestixi.mail.plugins.module_utils.store._export import (
    DEFAULT_PARTS,
    client_settings,
    export,
    human_quota,
    password_info,
    shown_domain,
)
from ansible_collections.gestixi.mail.plugins.module_utils.store._engine import Connection
from ansible_collections.gestixi.mail.plugins.module_utils.store._schema import SCHEMA_VERSION

HASH_SHA = "{SHA512-CRYPT}$6$saltsalt$4wnYMBbS1Xl2JeLrTeAJpI6e0kNaJo/ZA4V5Wc7pRWGo0z6i3AQ8LoPXYfdXGdg"
HASH_ARGON = "{ARGON2ID}$argon2id$v=19$m=65536,t=3,p=1$c2FsdHNhbHQ$Zm9vYmFyYmF6"
APPLICATION_HASH = "{BLF-CRYPT}$2y$10$applicationsaltappliOyJ1b2Ft8pGZbl9QeF0yhNGFK7h5yKdxe"
PHONE_HASH = "{SHA512-CRYPT}$6$phonesalt$0wnYMBbS1Xl2JeLrTeAJpI6e0kNaJo/ZA4V5Wc7pRWGo0z6i3AQ8LoPXYfdXGdg"


def params(**overrides) -> dict:
    base = {"domains": None, "include": list(DEFAULT_PARTS), "include_defaults": False,
            "name_form": "unicode", "client_settings": None}
    base.update(overrides)
    return base


@pytest.fixture()
def conn(store_conn):
    return store_conn


@pytest.fixture()
def filled(conn: Connection) -> Connection:
    fill(conn)
    return conn


def fill(conn: Connection) -> None:
    """Two domains with every kind of row, NULLs, app passwords and IDNA names (test_copy.py too)."""
    statements = """
        INSERT INTO domains VALUES ('example.org', 'Europe/Paris', 'postmaster@example.org', '',
                                    '{"selector":"s2026"}', 'invoices@example.org', '%s',
                                    '{"allowed":["news@xn--bcher-kva.example"],"blocked":["junk.example"]}');
        INSERT INTO domains VALUES ('xn--bcher-kva.example', 'UTC', NULL, '', '', NULL, '', '');
        INSERT INTO users VALUES ('bob@example.org', 'example.org', 'bob', '', '%s', 0, 0);
        INSERT INTO users VALUES ('alice@example.org', 'example.org', 'alice', 'Alice Martin',
                                  '%s', 2147483648, 1);
        INSERT INTO users VALUES ('eve@xn--bcher-kva.example', 'xn--bcher-kva.example', 'eve', 'Eve',
                                  '%s', 65536, 1);
        INSERT INTO aliases VALUES ('contact@example.org', 'example.org', 'contact', 0);
        INSERT INTO alias_recipients VALUES ('contact@example.org', 'bob@example.org');
        INSERT INTO alias_recipients VALUES ('contact@example.org', 'alice@example.org');
        INSERT INTO alias_recipients VALUES ('contact@example.org', 'eve@xn--bcher-kva.example');
        INSERT INTO alias_recipients VALUES ('contact@example.org', 'sales@example.org');
        INSERT INTO aliases VALUES ('all@example.org', 'example.org', 'all', 1);
        INSERT INTO aliases VALUES ('staff@example.org', 'example.org', 'staff', 1);
        INSERT INTO alias_recipients VALUES ('staff@example.org', 'boss@example.net');
        INSERT INTO aliases VALUES ('team@xn--bcher-kva.example', 'xn--bcher-kva.example', 'team', 0);
        INSERT INTO alias_recipients VALUES ('team@xn--bcher-kva.example', 'eve@xn--bcher-kva.example');
        INSERT INTO alias_recipients VALUES ('team@xn--bcher-kva.example', 'contact@example.org');
        INSERT INTO app_passwords VALUES ('alice@example.org', 'phone', '%s', 1, 0);
        INSERT INTO app_passwords VALUES ('alice@example.org', 'laptop', '%s', 1, 1);
        INSERT INTO responders VALUES ('example.org', 'alice', 'holidays', 1, 'Away', 'Back soon',
                                       '2026-12-20', '2027-01-04', 7);
        INSERT INTO responders VALUES ('example.org', '', 'closure', 0, 'Closed', 'Closed today',
                                       NULL, NULL, 3);
    """ % (APPLICATION_HASH, HASH_SHA, HASH_ARGON, "$2y$10$abcdefghijklmnopqrstuu5Wc7pRWGo0z6i3AQ8LoPXYfdXGdgHa",
           PHONE_HASH, APPLICATION_HASH.replace("application", "laptoplaptop"))
    for statement in statements.split(";\n"):
        if statement.strip():
            conn.execute(statement)


def test_password_info_never_returns_the_hash() -> None:
    assert password_info(HASH_SHA) == {"set": True, "scheme": "SHA512-CRYPT"}
    assert password_info(HASH_ARGON) == {"set": True, "scheme": "ARGON2ID"}
    assert password_info("$2y$10$abc") == {"set": True, "scheme": "BLF-CRYPT"}
    assert password_info("$6$salt$x") == {"set": True, "scheme": "SHA512-CRYPT"}
    assert password_info("opaque") == {"set": True, "scheme": "unknown"}
    assert password_info("") == {"set": False, "scheme": None}
    assert password_info(None) == {"set": False, "scheme": None}


@pytest.mark.parametrize("size, shown", [
    (2 * 1024 ** 3, "2G"), (500 * 1024 ** 2, "500M"), (1536 * 1024 ** 2, "1536M"),
    (1024 ** 4, "1T"), (10 * 1024, "10K"), (1000, "1000 bytes"),
])
def test_human_quota(size: int, shown) -> None:
    assert human_quota(size) == shown


def test_shown_domain_converts_back_exactly() -> None:
    assert shown_domain("xn--bcher-kva.example", "unicode") == "bücher.example"
    assert shown_domain("xn--bcher-kva.example", "ascii") == "xn--bcher-kva.example"
    assert shown_domain("example.org", "unicode") == "example.org"


def test_missing_store_shape(conn: Connection) -> None:
    result = export(conn, params(), store_exists=False)
    assert result == {"domains": [], "passwords": {}, "store": {"exists": False, "schema_version": SCHEMA_VERSION}}


def test_full_export(filled: Connection) -> None:
    result = export(filled, params())
    assert result["domains"] == [
        {
            "name": "example.org",
            "timezone": "Europe/Paris",
            "catchall": "postmaster@example.org",
            "dkim": {"selector": "s2026"}, "application": {"login": "invoices"},
            # the domain of a sender in the name form asked for, as every domain
            "senders": {"allowed": ["news@bücher.example"], "blocked": ["junk.example"]},
            "users": [
                {"login": "alice", "name": "Alice Martin", "quota": "2G",
                 "app_passwords": [{"name": "laptop", "services": ["imap", "smtp"]},
                                   {"name": "phone", "services": ["imap"]}],
                 "responders": [{"name": "holidays", "subject": "Away", "message": "Back soon",
                                 "start": "2026-12-20", "end": "2027-01-04"}]},
                {"login": "bob", "enabled": False},
            ],
            "aliases": [
                {"address": "all", "to": []},
                # an address of the alias's own domain is bare, whatever it is
                {"address": "contact", "to": ["alice", "bob", "eve@bücher.example", "sales"]},
                # all users and explicit recipients add up: two items
                {"address": "staff", "to": []},
                {"address": "staff", "to": ["boss@example.net"]},
            ],
            "responders": [{"name": "closure", "enabled": False, "subject": "Closed",
                            "message": "Closed today", "days": 3}],
        },
        {"name": "bücher.example", "users": [{"login": "eve", "name": "Eve", "quota": "64K"}],
         "aliases": [{"address": "team", "to": ["contact@example.org", "eve"]}]},
    ]
    assert result["passwords"] == {
        "alice@example.org": {"set": True, "scheme": "ARGON2ID"},
        "bob@example.org": {"set": True, "scheme": "SHA512-CRYPT"},
        "eve@xn--bcher-kva.example": {"set": True, "scheme": "BLF-CRYPT"},
    }


def test_no_secret_anywhere(filled: Connection) -> None:
    text = json.dumps(export(filled, params(include_defaults=True, client_settings={
        "imap_host": "mail.example.org", "imap_port": 993, "imap_security": "ssl",
        "smtp_host": None, "smtp_port": 465, "smtp_security": "ssl"})), ensure_ascii=False)
    for row in filled.execute("SELECT password FROM users UNION SELECT application_password FROM domains "
                              "WHERE application_login IS NOT NULL UNION SELECT password FROM app_passwords"):
        assert row["password"] not in text
        assert row["password"].split("}", 1)[-1] not in text
    assert "$6$" not in text and "$argon2id$" not in text and "$2y$" not in text


def test_include_defaults_shows_every_field(filled: Connection) -> None:
    domains = export(filled, params(include_defaults=True, name_form="ascii"))["domains"]
    assert domains[0]["senders"] == {"allowed": ["news@xn--bcher-kva.example"], "blocked": ["junk.example"]}
    second = domains[1]
    assert second["name"] == "xn--bcher-kva.example"
    assert "senders" not in second  # none: nothing to show, whatever include_defaults says
    assert second["timezone"] == "UTC" and second["catchall"] == ""
    assert second["responders"] == []
    assert second["users"] == [{"login": "eve", "name": "Eve", "quota": "64K", "enabled": True,
                                "app_passwords": [], "responders": []}]
    bob = domains[0]["users"][1]
    assert bob == {"login": "bob", "name": "", "quota": 0, "enabled": False, "app_passwords": [], "responders": []}
    holidays = domains[0]["users"][0]["responders"][0]
    assert holidays["enabled"] is True and holidays["days"] == 7
    closure = domains[0]["responders"][0]
    assert "start" not in closure and "end" not in closure  # open dates have no other form


def test_restrict_and_include(filled: Connection) -> None:
    result = export(filled, params(domains=["BÜCHER.example"], include=["aliases"]))
    assert result == {"domains": [{"name": "bücher.example", "aliases": [
        {"address": "team", "to": ["contact@example.org", "eve"]}]}], "store": {"exists": True, "schema_version": SCHEMA_VERSION}}
    result = export(filled, params(domains=["example.org", "absent.example"], include=["responders"]))
    assert result["domains"] == [{
        "name": "example.org", "timezone": "Europe/Paris", "catchall": "postmaster@example.org",
        "dkim": {"selector": "s2026"}, "application": {"login": "invoices"},
        "senders": {"allowed": ["news@bücher.example"], "blocked": ["junk.example"]},
        "users": [{"login": "alice", "responders": [{"name": "holidays", "subject": "Away",
                                                     "message": "Back soon", "start": "2026-12-20",
                                                     "end": "2027-01-04"}]}],
        "responders": [{"name": "closure", "enabled": False, "subject": "Closed",
                        "message": "Closed today", "days": 3}],
    }]
    assert "passwords" not in result


def test_bad_domain_filter_names_the_item(conn: Connection) -> None:
    with pytest.raises(MailStateError) as info:
        export(conn, params(domains=["example.org", "not a domain"]))
    assert info.value.problems[0].item == "domains[1]"


def test_client_settings_only_enabled_users(filled: Connection) -> None:
    server = {"imap_host": "mail.example.org", "imap_port": 143, "imap_security": "starttls",
              "smtp_host": "smtp.example.org", "smtp_port": 587, "smtp_security": "starttls"}
    result = export(filled, params(include=[], client_settings=server))
    assert sorted(result["client_settings"]) == ["alice@example.org", "eve@xn--bcher-kva.example"]
    assert result["client_settings"]["alice@example.org"] == client_settings("alice@example.org", server)
    assert client_settings("a@b.example", server)["outgoing"] == {
        "type": "smtp", "host": "smtp.example.org", "port": 587, "security": "starttls",
        "authentication": "password-cleartext"}


def _description_schema() -> dict:
    here = os.path.dirname(os.path.abspath(__file__))
    path = os.path.join(here, os.pardir, os.pardir, os.pardir, os.pardir, os.pardir, "meta", "description.schema.json")
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


@pytest.mark.parametrize("include_defaults", [False, True])
def test_export_is_a_valid_description(filled: Connection, include_defaults: bool) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    domains = export(filled, params(include_defaults=include_defaults))["domains"]
    jsonschema.validate({"gestixi_mail_domains": domains}, _description_schema())


def test_users_module_reads_the_quota_back() -> None:
    users = pytest.importorskip("ansible_collections.gestixi.mail.plugins.module_utils.converge._users")
    for size in (1024, 65536, 500 * 1024 ** 2, 3 * 1024 ** 3, 1536 * 1024 ** 2, 2 * 1024 ** 4):
        assert users.parse_quota(human_quota(size)) == size


def test_app_passwords_by_name_and_services_without_their_hashes(filled: Connection) -> None:
    result = export(filled, params())
    alice, bob = result["domains"][0]["users"]
    assert alice["app_passwords"] == [{"name": "laptop", "services": ["imap", "smtp"]},
                                      {"name": "phone", "services": ["imap"]}]
    assert "app_passwords" not in bob  # none: left out, like every default
    assert PHONE_HASH not in json.dumps(result) and "phonesalt" not in json.dumps(result)
