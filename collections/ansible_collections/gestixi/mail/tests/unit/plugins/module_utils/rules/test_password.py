# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Password hashes as Dovecot writes and reads them: ready hashes, plaintexts, no re-hash."""
from __future__ import annotations

import time

import pytest

from ansible_collections.gestixi.mail.plugins.module_utils.rules import _password
from ansible_collections.gestixi.mail.plugins.module_utils.rules._password import (
    ARGON2ID,
    BLF_CRYPT,
    PLACEHOLDER,
    SCHEMES,
    SHA512_CRYPT,
    PasswordError,
    canonical_hash,
    hash_password,
    hash_problem,
    is_hash,
    plaintext_problem,
    scheme_of,
    verify_password,
    wanted_password,
)

# Printed by `doveadm pw` (Dovecot 2.3.19.1, Debian 12) for the password "secret".
DOVEADM = {
    ARGON2ID: "{ARGON2ID}$argon2id$v=19$m=65536,t=3,p=1$Nv5/9DWzl3q68D06dwgrFQ$"
              "St+wCNf/lWZVO6nFle3FBNA8ozNcgzkv3riI+N/jjTI",
    BLF_CRYPT: "{BLF-CRYPT}$2y$05$TLblxHgzdjiNEhdVFC/Cqu2.vvcx5VsFfTcIhFHjcS/PDOP1CFstO",
    SHA512_CRYPT: "{SHA512-CRYPT}$6$8a2.Nw3n8PWF43M9$mNYBYnJ/iB1zi/rB55FldCgRV1pt0IEKFCcLPXY0EO9KuUFq8t1ovt"
                  "HfOUN8YxYBf.UsWbRyNICO./csMDnBr1",
}
SHAPES = {
    ARGON2ID: r"^\{ARGON2ID\}\$argon2id\$v=19\$m=65536,t=3,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$",
    BLF_CRYPT: r"^\{BLF-CRYPT\}\$2y\$10\$[./A-Za-z0-9]{53}$",
    SHA512_CRYPT: r"^\{SHA512-CRYPT\}\$6\$[./A-Za-z0-9]{16}\$[./A-Za-z0-9]{86}$",
}


@pytest.fixture(scope="module")
def hashed() -> dict[str, str]:
    """One fresh hash of "correct horse" per scheme (hashing argon2 costs ~0.2 s: do it once)."""
    return {scheme: hash_password("correct horse", scheme) for scheme in SCHEMES}


@pytest.mark.parametrize("scheme", SCHEMES)
def test_hash_has_dovecot_shape_and_parameters(hashed, scheme):
    import re
    assert re.match(SHAPES[scheme], hashed[scheme]), hashed[scheme]
    assert scheme_of(hashed[scheme]) == scheme
    assert hash_problem(hashed[scheme]) is None


@pytest.mark.parametrize("scheme", SCHEMES)
def test_hash_verifies_and_rejects(hashed, scheme):
    assert verify_password("correct horse", hashed[scheme])
    assert not verify_password("correct horsE", hashed[scheme])
    assert not verify_password("", hashed[scheme])


@pytest.mark.parametrize("scheme", SCHEMES)
def test_doveadm_hashes_are_accepted_and_verify(scheme):
    assert hash_problem(DOVEADM[scheme]) is None
    assert verify_password("secret", DOVEADM[scheme])
    assert not verify_password("Secret", DOVEADM[scheme])


def test_each_hash_is_salted(hashed):
    assert hash_password("correct horse", SHA512_CRYPT) != hashed[SHA512_CRYPT]


@pytest.mark.parametrize("scheme", SCHEMES)
def test_unchanged_plaintext_keeps_stored_hash(hashed, scheme):
    assert wanted_password("correct horse", hashed[scheme], scheme) == hashed[scheme]


@pytest.mark.parametrize("scheme", SCHEMES)
def test_changed_plaintext_is_hashed_again(hashed, scheme):
    new = wanted_password("battery staple", hashed[scheme], scheme)
    assert new != hashed[scheme] and scheme_of(new) == scheme
    assert verify_password("battery staple", new)


def test_plaintext_in_another_scheme_is_rehashed_without_verifying(hashed, monkeypatch):
    calls = []
    monkeypatch.setattr(_password, "verify_password", lambda *a: calls.append(a) or True)
    new = wanted_password("correct horse", hashed[SHA512_CRYPT], BLF_CRYPT)
    assert scheme_of(new) == BLF_CRYPT and not calls, "a hash of another scheme is not verified"


def test_new_user_hashes_once_without_verifying(monkeypatch):
    calls = []
    monkeypatch.setattr(_password, "verify_password", lambda *a: calls.append(a) or True)
    assert scheme_of(wanted_password("pw", None, SHA512_CRYPT)) == SHA512_CRYPT
    assert not calls


def test_check_mode_placeholder_instead_of_hashing(hashed):
    start = time.perf_counter()
    value = wanted_password("battery staple", hashed[ARGON2ID], ARGON2ID, hash_new=False)
    assert value == "{ARGON2ID}" + PLACEHOLDER and value != hashed[ARGON2ID]
    # unchanged plaintext: verified, kept, even in check mode
    assert wanted_password("correct horse", hashed[ARGON2ID], ARGON2ID, hash_new=False) == hashed[ARGON2ID]
    assert time.perf_counter() - start < 2


@pytest.mark.parametrize("scheme", SCHEMES)
def test_ready_hash_is_stored_as_given(scheme):
    assert wanted_password(DOVEADM[scheme], None, ARGON2ID) == DOVEADM[scheme]
    assert wanted_password(DOVEADM[scheme], DOVEADM[scheme], ARGON2ID) == DOVEADM[scheme]


def test_ready_hash_scheme_name_is_put_in_capitals():
    lower = DOVEADM[SHA512_CRYPT].replace("{SHA512-CRYPT}", "{sha512-crypt}")
    assert hash_problem(lower) is None
    assert canonical_hash(lower) == DOVEADM[SHA512_CRYPT]
    assert wanted_password(lower, None) == DOVEADM[SHA512_CRYPT]


@pytest.mark.parametrize("value", [
    "{PLAIN}secret", "{CRYPT}abcdefg", "{SSHA512}xyz", "{MD5-CRYPT}$1$abc$def", "{ARGON2I}$argon2i$v=19$x",
])
def test_unknown_scheme_is_refused_listing_the_accepted_ones(value):
    why = hash_problem(value)
    assert why and "not accepted" in why
    for scheme in SCHEMES:
        assert "{%s}" % scheme in why
    assert value[value.index("}") + 1:] not in why, "the message never quotes the hash"


@pytest.mark.parametrize("value", [
    "{ARGON2ID}",
    "{ARGON2ID}secret",
    "{ARGON2ID}$argon2id$v=19$m=65536,t=3,p=1$abc",
    "{ARGON2ID}$argon2id$v=19$m=65536,t=3,p=1$c2FsdHNhbHQ$broken",  # 4-byte hash
    "{ARGON2ID}$argon2id$v=16$m=65536,t=3,p=1$Nv5/9DWzl3q68D06dwgrFQ$St+wCNf/lWZVO6nFle3FBNA8ozNcgzkv3riI+N/jjTI",
    "{ARGON2ID}$argon2id$v=19$m=65536,t=3,p=1$Nv5/9DWzl3q68D06dwgrFQ$St+wCNf/lWZVO6nFle3FBNA8ozNcgzkv3riI+N/jjT",
    "{ARGON2ID}$argon2i$v=19$m=65536,t=3,p=1$Nv5/9DWzl3q68D06dwgrFQ$St+wCNf/lWZVO6nFle3FBNA8ozNcgzkv3riI+N/jjTI",
    "{ARGON2ID}$2y$10$15i0HJJINJKAFN0.xdo8OOSyMd12Q/HASxDPdDSYplAyXEYnaaIt.",
    "{BLF-CRYPT}$2y$10$tooshort",
    "{BLF-CRYPT}$2x$10$15i0HJJINJKAFN0.xdo8OOSyMd12Q/HASxDPdDSYplAyXEYnaaIt.",
    "{BLF-CRYPT}$6$8a2.Nw3n8PWF43M9$mNYBYnJ/iB1zi/rB55FldCgRV1pt0IEKFCcLPXY0EO9KuUFq8t1ovt",
    "{SHA512-CRYPT}$6$salt",
    "{SHA512-CRYPT}$5$8a2.Nw3n8PWF43M9$mNYBYnJ/iB1zi/rB55FldCgRV1pt0IEKFCcLPXY0EO9KuUFq8t1ovt",
    "{SHA512-CRYPT}secret",
])
def test_malformed_hash_is_refused_without_quoting_it(value):
    why = hash_problem(value)
    assert why, value
    assert "expected" in why and "doveadm pw" in why
    crypt = value[value.index("}") + 1:]
    assert not crypt or crypt not in why


def test_is_hash_and_scheme_of():
    assert is_hash("{X}y") and is_hash(DOVEADM[ARGON2ID])
    assert not is_hash("secret") and not is_hash("{no closing brace") and not is_hash("a{B}c")
    assert scheme_of("{PLAIN}x") is None and scheme_of(None) is None and scheme_of("x") is None
    assert scheme_of("{blf-crypt}$2y$...") == BLF_CRYPT


def test_plaintext_rules():
    assert plaintext_problem("", ARGON2ID) == "the password is empty"
    assert "NUL" in plaintext_problem("a\x00b", SHA512_CRYPT)
    assert plaintext_problem("é" * 36, BLF_CRYPT) is None  # 72 bytes
    why = plaintext_problem("é" * 37, BLF_CRYPT)  # 74 bytes
    assert "72 bytes" in why and "é" not in why
    assert plaintext_problem("x" * 500, ARGON2ID) is None
    with pytest.raises(PasswordError):
        hash_password("", ARGON2ID)
    with pytest.raises(PasswordError):
        hash_password("pw", "PLAIN")


def test_malformed_stored_hash_verifies_nothing_and_is_replaced():
    broken = "{SHA512-CRYPT}$6$broken"
    assert not verify_password("pw", broken)
    assert verify_password("pw", wanted_password("pw", broken, SHA512_CRYPT))
    assert not verify_password("pw", "{PLAIN}pw"), "only accepted schemes verify"


def test_unicode_plaintext_round_trip():
    stored = hash_password("mot de passe été ☃", SHA512_CRYPT)
    assert verify_password("mot de passe été ☃", stored)


def test_missing_passlib_is_named(monkeypatch):
    monkeypatch.setattr(_password, "HAS_PASSLIB", False)
    with pytest.raises(PasswordError) as err:
        hash_password("pw", SHA512_CRYPT)
    assert "passlib" in str(err.value) and "libpass" in str(err.value) and "python3-passlib" in str(err.value)
    with pytest.raises(PasswordError):
        hash_problem(DOVEADM[ARGON2ID])
    # an unknown scheme is refused without the library
    assert "not accepted" in hash_problem("{PLAIN}x")


def test_verify_cost_per_scheme(hashed, record_property):
    """Cost of verifying an unchanged plaintext (the no-re-hash path), reported per scheme."""
    for scheme in SCHEMES:
        start = time.perf_counter()
        assert wanted_password("correct horse", hashed[scheme], scheme) == hashed[scheme]
        record_property("verify_%s_s" % scheme, round(time.perf_counter() - start, 4))
