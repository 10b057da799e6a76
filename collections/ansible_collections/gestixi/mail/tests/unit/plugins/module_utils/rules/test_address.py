# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Logins, international domain names and the canonical form of addresses."""
from __future__ import annotations

import pytest

from ansible_collections.gestixi.mail.plugins.module_utils.rules import _address
from ansible_collections.gestixi.mail.plugins.module_utils.rules._address import (
    HAS_IDNA,
    canonical_address,
    canonical_domain,
    display_domain,
    login_problem,
    split_address,
)

# ---------------------------------------------------------------------------------------------
# Logins


@pytest.mark.parametrize("login", [
    "alice", "a", "1", "a" * 64, "first.last", "a-b_c.d", "alice-", "alice_", "j.-_x", "007",
])
def test_valid_logins(login):
    assert login_problem(login) is None


@pytest.mark.parametrize("login, words", [
    ("Alice", "lower-case"),          # no silent lower-casing: the YAML must say what is stored
    ("ALICE", "lower-case"),
    ("a" * 65, "longer than 64 characters"),
    ("alice.", "not a valid login"),   # trailing dot
    (".alice", "not a valid login"),   # leading dot
    ("al..ice", "not a valid login"),  # two dots in a row
    ("-alice", "not a valid login"),
    ("_alice", "not a valid login"),
    ("alice+tag", "not a valid login"),  # '+' is the recipient delimiter (gestixi-sent copies)
    ("alice@example.org", "not a valid login"),
    ("élise", "not a valid login"),
    ("alice ", "not a valid login"),
    (" alice", "not a valid login"),
    ("al ice", "not a valid login"),
    ("alice\n", "not a valid login"),
])
def test_invalid_logins_are_named(login, words):
    why = login_problem(login)
    assert why and words in why
    assert login.strip()[:20] in why, "the message quotes the login"


@pytest.mark.parametrize("login", ["", None, 123, ["alice"]])
def test_missing_login(login):
    assert login_problem(login) == "a login is required"


def test_overlong_login_is_quoted_shortened():
    why = login_problem("x" * 500)
    assert "longer than 64" in why and len(why) < 120


# ---------------------------------------------------------------------------------------------
# Domains


@pytest.mark.parametrize("given, stored", [
    ("example.org", "example.org"),
    ("EXAMPLE.Org", "example.org"),
    ("example.org.", "example.org"),          # trailing dot (fully qualified form)
    (" example.org ", "example.org"),
    ("mail.sub.example.org", "mail.sub.example.org"),
    ("bücher.example", "xn--bcher-kva.example"),
    ("BÜCHER.Example.", "xn--bcher-kva.example"),
    ("xn--bcher-kva.example", "xn--bcher-kva.example"),  # the A-label form is already canonical
    ("a" * 63 + ".example", "a" * 63 + ".example"),
    ("123.example", "123.example"),
])
def test_canonical_domain(given, stored):
    assert canonical_domain(given) == stored
    assert canonical_domain(stored) == stored, "the canonical form is a fixed point"


@pytest.mark.skipif(not HAS_IDNA, reason="IDNA 2008 / UTS 46 needs the idna library")
@pytest.mark.parametrize("given, stored", [
    ("straße.example", "xn--strae-oqa.example"),  # IDNA 2008: ß is kept, not mapped to "ss"
    ("ｅｘａｍｐｌｅ.org", "example.org"),           # full-width letters are mapped (UTS 46)
    ("ÉCOLE.fr", "xn--cole-9oa.fr"),
])
def test_canonical_domain_idna2008(given, stored):
    assert canonical_domain(given) == stored


@pytest.mark.parametrize("name", [
    "localhost", "example", "example..org", ".example.org", "-a.example", "a-.example",
    "a_b.example", "exa mple.org", "ex@mple.org", "a" * 64 + ".example",
    ("a" * 60 + ".") * 5 + "example", "xn--zz.example", "", "   ", None, 42,
])
def test_invalid_domains(name):
    with pytest.raises(ValueError) as err:
        canonical_domain(name)
    assert "domain name" in str(err.value)


@pytest.mark.skipif(not HAS_IDNA, reason="IDNA 2008 refuses symbols; the IDNA 2003 codec does not")
def test_symbol_domain_is_refused():
    with pytest.raises(ValueError) as err:
        canonical_domain("☃.example")
    assert "not a valid domain name" in str(err.value)


def test_without_the_idna_package_a_label_that_is_not_punycode_is_refused(monkeypatch):
    monkeypatch.setattr(_address, "HAS_IDNA", False)  # Python's own IDNA 2003 codec
    assert canonical_domain("Bücher.Example") == "xn--bcher-kva.example"
    assert canonical_domain("xn--bcher-kva.example") == "xn--bcher-kva.example"
    for name in ("xn--zz.example", "xn--abc.example"):
        with pytest.raises(ValueError, match="is not a valid domain name"):
            canonical_domain(name)


def test_display_domain():
    assert display_domain("xn--bcher-kva.example") == ("bücher.example" if HAS_IDNA else "xn--bcher-kva.example")
    assert display_domain("example.org") == "example.org"
    assert display_domain("xn--zz.example") == "xn--zz.example"  # undecodable: shown as stored


# ---------------------------------------------------------------------------------------------
# Addresses


@pytest.mark.parametrize("given, stored", [
    ("alice@example.org", "alice@example.org"),
    ("Alice@Example.ORG", "alice@example.org"),
    ("Alice@Bücher.Example", "alice@xn--bcher-kva.example"),
    ("alice@example.org.", "alice@example.org"),
    (" alice@example.org ", "alice@example.org"),
    ("first.last+tag@example.org", "first.last+tag@example.org"),
    ("o'brien@example.org", "o'brien@example.org"),
])
def test_canonical_address(given, stored):
    assert canonical_address(given) == stored
    assert canonical_address(stored) == stored


@pytest.mark.parametrize("address, words", [
    ("noat", "not a mail address"),
    ("@example.org", "invalid local part"),
    ("a.@example.org", "invalid local part"),
    (".a@example.org", "invalid local part"),
    ('"quoted"@example.org', "invalid local part"),
    ("alice@@example.org", "invalid local part"),
    ("alice\n@example.org", "invalid local part"),
    ("a" * 65 + "@example.org", "invalid local part"),
    ("alice@localhost", "domain name"),
    ("alice@exa mple.org", "domain name"),
    ("a" * 64 + "@" + ("b" * 63 + ".") * 3 + "example", "longer than 254"),
    (None, "an address is required"),
])
def test_invalid_addresses(address, words):
    with pytest.raises(ValueError) as err:
        canonical_address(address)
    assert words in str(err.value)


def test_split_address():
    assert split_address("alice@example.org") == ("alice", "example.org")
    assert split_address("a@b@example.org") == ("a@b", "example.org")
