# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Password hashes as Dovecot stores and checks them: validate, verify, hash.

A stored password is ``{SCHEME}<crypt string>``, exactly what ``doveadm pw -s SCHEME`` prints:

- ``{ARGON2ID}$argon2id$v=19$m=65536,t=3,p=1$<salt>$<hash>`` (libsodium's format);
- ``{BLF-CRYPT}$2y$10$<salt+hash>`` (bcrypt);
- ``{SHA512-CRYPT}$6$<salt>$<hash>`` (sha512-crypt, 5000 rounds when no ``rounds=`` field).

A value given with one of these prefixes is a ready hash: its shape is checked and it is stored
as given. Any other value is a plaintext: it is kept when the stored hash already verifies it in
the wanted scheme, and hashed once otherwise.

No message of this module ever contains the password or the hash (they are secrets), and no
error text of the hashing library is passed on (it may quote the hash).

The hashing library is passlib, imported only here and guarded: on the controller it comes from
``libpass`` (the maintained fork), on a Debian mail host from python3-passlib with
python3-argon2 and python3-bcrypt.
"""
from __future__ import annotations

import re

try:
    from passlib import exc as passlib_exc
    from passlib import hash as passlib_hash

    HAS_PASSLIB = True
except ImportError:  # pragma: no cover - exercised only where passlib is absent
    passlib_exc = None
    passlib_hash = None
    HAS_PASSLIB = False

ARGON2ID = "ARGON2ID"
BLF_CRYPT = "BLF-CRYPT"
SHA512_CRYPT = "SHA512-CRYPT"
SCHEMES = (ARGON2ID, BLF_CRYPT, SHA512_CRYPT)
DEFAULT_SCHEME = ARGON2ID

# Parameters equal to Dovecot 2.3's own (doveadm pw): argon2id m=64 MiB, t=3, p=1, 16-byte salt
# and 32-byte hash (libsodium's crypto_pwhash_str); bcrypt with the 2y ident at cost 10 (Dovecot
# itself defaults to cost 5); sha512-crypt at the implicit 5000 rounds.
ARGON2_PARAMETERS = {"type": "ID", "memory_cost": 65536, "rounds": 3, "parallelism": 1,
                     "salt_size": 16, "digest_size": 32}
BCRYPT_PARAMETERS = {"ident": "2y", "rounds": 10}
SHA512_PARAMETERS = {"rounds": 5000}
ARGON2_HASH_BYTES = 32
# bcrypt idents that Dovecot's crypt_blowfish verifies correctly ("2x" is the buggy legacy one).
BCRYPT_IDENTS = ("2a", "2b", "2y")
# bcrypt reads at most 72 bytes of a password: refuse longer ones rather than cut them silently.
BCRYPT_MAX_BYTES = 72

PREFIX_RE = re.compile(r"^\{([^{}\s]{1,40})\}")
PLACEHOLDER = "(hashed when applied)"

PACKAGE_HINT = ("install the Python library passlib where the module runs: 'libpass' from PyPI "
                "(the maintained fork, with argon2-cffi and bcrypt), or on Debian the packages "
                "python3-passlib, python3-argon2 and python3-bcrypt")


class PasswordError(ValueError):
    """A password problem, worded for an operator. The text never contains the secret."""


def _require_passlib() -> None:
    if not HAS_PASSLIB:
        raise PasswordError("passwords cannot be checked or hashed: the Python library passlib "
                            "is missing; " + PACKAGE_HINT)


def _handler(scheme: str):
    _require_passlib()
    if scheme == ARGON2ID:
        return passlib_hash.argon2
    if scheme == BLF_CRYPT:
        return passlib_hash.bcrypt
    return passlib_hash.sha512_crypt


def _configured(scheme: str):
    handler = _handler(scheme)
    if scheme == ARGON2ID:
        return handler.using(**ARGON2_PARAMETERS)
    if scheme == BLF_CRYPT:
        return handler.using(**BCRYPT_PARAMETERS)
    return handler.using(**SHA512_PARAMETERS)


def prefix_of(value: str) -> str | None:
    """The ``{SCHEME}`` name a value starts with (as written), or None for a plaintext."""
    match = PREFIX_RE.match(value)
    return match.group(1) if match else None


def scheme_of(stored: str | None) -> str | None:
    """The accepted scheme of a stored value (upper-cased), or None."""
    if not stored:
        return None
    prefix = prefix_of(stored)
    if prefix is None or prefix.upper() not in SCHEMES:
        return None
    return prefix.upper()


def is_hash(value: str) -> bool:
    """True when the value is meant as a ready hash (it starts with a ``{SCHEME}`` prefix)."""
    return prefix_of(value) is not None


def hash_problem(value: str) -> str | None:
    """Why a ready hash cannot be stored, or None. Words only, never the value."""
    prefix = prefix_of(value)
    if prefix is None:
        return "a ready hash must start with one of %s" % _accepted()
    scheme = prefix.upper()
    if scheme not in SCHEMES:
        return ("the hash scheme {%s} is not accepted: use a hash made with %s (for example "
                "'doveadm pw -s %s'), or give the password in plain text to have it hashed"
                % (prefix, _accepted(), DEFAULT_SCHEME))
    _require_passlib()
    crypt = value[len(prefix) + 2:]
    handler = _handler(scheme)
    if not _parses(handler, crypt):
        return "the {%s} hash is malformed: %s" % (scheme, _shape(scheme))
    parsed = handler.from_string(crypt)
    if scheme == ARGON2ID and parsed.type != "id":
        return "the {%s} hash is not an argon2id hash: %s" % (scheme, _shape(scheme))
    if scheme == ARGON2ID and (parsed.version != 19 or len(parsed.checksum) != ARGON2_HASH_BYTES):
        # Dovecot (libsodium) writes version 19 and 32-byte hashes: anything else is a bad copy
        return "the {%s} hash is malformed: %s" % (scheme, _shape(scheme))
    if scheme == BLF_CRYPT and parsed.ident.strip("$") not in BCRYPT_IDENTS:
        return "the {%s} hash has an unsupported bcrypt version: %s" % (scheme, _shape(scheme))
    return None


def canonical_hash(value: str) -> str:
    """A ready hash with its scheme name in capitals (Dovecot reads the name in any case)."""
    prefix = prefix_of(value)
    if prefix is None:
        return value
    return "{%s}%s" % (prefix.upper(), value[len(prefix) + 2:])


def plaintext_problem(plaintext: str, scheme: str) -> str | None:
    """Why a plaintext cannot be hashed in scheme, or None. Never quotes the plaintext."""
    if plaintext == "":
        return "the password is empty"
    if "\x00" in plaintext:
        return "the password contains a NUL character"
    if scheme == BLF_CRYPT and len(plaintext.encode("utf-8")) > BCRYPT_MAX_BYTES:
        return ("the password is longer than %d bytes, which %s cannot use in full; choose %s "
                "or a shorter password" % (BCRYPT_MAX_BYTES, BLF_CRYPT, ARGON2ID))
    return None


def _parses(handler, crypt: str) -> bool:
    if not handler.identify(crypt):
        return False
    try:
        parsed = handler.from_string(crypt)
    except (ValueError, TypeError):
        return False
    return bool(parsed.checksum)  # a bare salt ("config string") is no hash


def _shape(scheme: str) -> str:
    return {
        ARGON2ID: "expected {ARGON2ID}$argon2id$v=19$m=...,t=...,p=...$<salt>$<hash> as "
                  "'doveadm pw -s ARGON2ID' prints it",
        BLF_CRYPT: "expected {BLF-CRYPT}$2y$<cost>$<53 characters> as 'doveadm pw -s BLF-CRYPT' "
                   "prints it",
        SHA512_CRYPT: "expected {SHA512-CRYPT}$6$<salt>$<86 characters> as "
                      "'doveadm pw -s SHA512-CRYPT' prints it",
    }[scheme]


def _accepted() -> str:
    return ", ".join("{%s}" % scheme for scheme in SCHEMES)


def hash_password(plaintext: str, scheme: str = DEFAULT_SCHEME) -> str:
    """Hash a plaintext with Dovecot-compatible parameters; returns ``{SCHEME}<crypt>``."""
    if scheme not in SCHEMES:
        raise PasswordError("unknown password scheme %s: use one of %s" % (scheme, ", ".join(SCHEMES)))
    problem = plaintext_problem(plaintext, scheme)
    if problem:
        raise PasswordError(problem)
    handler = _configured(scheme)
    try:
        return "{%s}%s" % (scheme, handler.hash(plaintext))
    except passlib_exc.MissingBackendError:
        raise PasswordError("%s hashes need a backend that is missing: %s" % (scheme, PACKAGE_HINT)) from None


def verify_password(plaintext: str, stored: str | None) -> bool:
    """True when the stored ``{SCHEME}`` hash (of an accepted scheme) verifies the plaintext."""
    scheme = scheme_of(stored)
    if scheme is None or plaintext_problem(plaintext, scheme):
        return False
    crypt = stored[len(scheme) + 2:]
    handler = _handler(scheme)
    try:
        return bool(handler.verify(plaintext, crypt))
    except passlib_exc.MissingBackendError:
        raise PasswordError("%s hashes need a backend that is missing: %s" % (scheme, PACKAGE_HINT)) from None
    except (ValueError, TypeError):
        return False  # a malformed stored hash verifies nothing: it gets replaced


def wanted_password(given: str, stored: str | None, scheme: str = DEFAULT_SCHEME,
                    hash_new: bool = True) -> str:
    """The value to store for a given password (ready hash or plaintext).

    A ready hash is returned as given, its scheme name in capitals (call hash_problem first).
    A plaintext keeps the stored hash when that hash is in the wanted scheme and verifies it
    (no re-hash); otherwise it is hashed once. With hash_new=False (check mode) no new hash is
    computed: a placeholder of the wanted scheme, which differs from any stored hash, stands
    for it.
    """
    if is_hash(given):
        return canonical_hash(given)
    if stored is not None and scheme_of(stored) == scheme and verify_password(given, stored):
        return stored
    if not hash_new:
        problem = plaintext_problem(given, scheme)
        if problem:
            raise PasswordError(problem)
        return "{%s}%s" % (scheme, PLACEHOLDER)
    return hash_password(given, scheme)
