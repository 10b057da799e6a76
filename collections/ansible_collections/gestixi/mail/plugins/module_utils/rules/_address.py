# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Rules for logins, domain names and mail addresses, and their one canonical form."""
from __future__ import annotations

import functools
import re

try:
    import idna  # IDNA 2008 with UTS 46 mapping, as browsers and modern MTAs use

    HAS_IDNA = True
except ImportError:  # pragma: no cover - exercised only where python3-idna is absent
    HAS_IDNA = False

# Patterns end in \Z, not $: "$" also matches before a final newline ("alice\n" would pass).
LOGIN_RE = re.compile(r"^[a-z0-9](?:[a-z0-9._-]{0,62}[a-z0-9_-])?\Z")
# An external local part: dot-atom text of RFC 5322, no quoted forms (nobody needs them here).
LOCAL_PART_RE = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*\Z")
LABEL_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\Z")
MAX_ADDRESS = 254
MAX_LOGIN = 64  # a local part (RFC 5321)


def login_problem(login: object) -> str | None:
    """Why a login is not acceptable, or None when it is."""
    if not isinstance(login, str) or not login:
        return "a login is required"
    if len(login) > MAX_LOGIN:
        return "'%s' is longer than %d characters" % (login[:70], MAX_LOGIN)
    if not LOGIN_RE.match(login) or ".." in login:
        return ("'%s' is not a valid login: use lower-case letters, digits, '.', '-' and '_', "
                "not starting or ending with '.'" % login)
    return None


def canonical_domain(name: object) -> str:
    """The stored form of a domain: lower-case ASCII (IDNA A-labels); raises ValueError."""
    if not isinstance(name, str) or not name.strip():
        raise ValueError("a domain name is required")
    ascii_name, problem = _encoded_domain(name)
    if problem:
        raise ValueError(problem)
    return ascii_name


@functools.lru_cache(maxsize=4096)
def _encoded_domain(name: str) -> tuple[str, str | None]:
    """(A-label form, None) or ("", why): IDNA is slow, so each distinct text is encoded once
    per process, for the controller's gate and the host's converge alike."""
    text = name.strip().rstrip(".")
    try:
        if HAS_IDNA:
            ascii_name = idna.encode(text, uts46=True).decode("ascii")
        else:
            ascii_name = text.encode("idna").decode("ascii")
            for label in ascii_name.split("."):
                if label.lower().startswith("xn--"):
                    label.encode("ascii").decode("idna")  # the codec encodes any "xn--" text as it is
    except UnicodeError as exc:  # idna.IDNAError is a UnicodeError
        return "", "'%s' is not a valid domain name (%s)" % (name, exc)
    ascii_name = ascii_name.lower()
    labels = ascii_name.split(".")
    if len(labels) < 2 or len(ascii_name) > 253 or not all(LABEL_RE.match(label) for label in labels):
        return "", ("'%s' is not a valid domain name: it needs at least two labels of "
                    "letters, digits and '-'" % name)
    return ascii_name, None


def display_domain(name: str) -> str:
    """The human (Unicode) form of a stored domain name."""
    if HAS_IDNA and "xn--" in name:
        try:
            return idna.decode(name)
        except idna.IDNAError:
            return name
    return name


def canonical_local_part(text: object, what: str = "name") -> str:
    """The stored form of a local part (an alias's name): lower-cased; raises ValueError."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError("a %s is required" % what)
    local = text.strip()
    if not LOCAL_PART_RE.match(local) or len(local) > MAX_LOGIN:
        raise ValueError("'%s' is not a valid %s: use letters, digits and . _ - + (at most "
                         "%d characters, no leading, trailing or double dot)" % (text, what, MAX_LOGIN))
    return local.lower()


def canonical_address(address: object, domain: str | None = None) -> str:
    """The stored form of a mail address: local part lower-cased, domain canonical.

    With `domain` (already canonical), a bare name is an address of that domain. The one
    address parser of the collection: the controller's gate and every module use it.
    Raises ValueError.
    """
    if isinstance(address, str):
        canonical, problem = _parsed_address(address, domain)
        if problem:
            raise ValueError(problem)
        return canonical
    raise ValueError("an address is required")


@functools.lru_cache(maxsize=65536)
def _parsed_address(address: str, domain: str | None) -> tuple[str, str | None]:
    """(canonical, None) or ("", why): the gate reads each address of a description in several
    rules, so each distinct text is parsed once per process."""
    try:
        return _parse_address(address, domain), None
    except ValueError as exc:
        return "", str(exc)


def _parse_address(address: str, domain: str | None) -> str:
    if not address.strip():
        raise ValueError("an address is required")
    local, at, rest = address.strip().rpartition("@")
    if not at:
        if domain is None:
            raise ValueError("'%s' is not a mail address (local@domain)" % address)
        local, rest = address.strip(), domain
    else:
        rest = canonical_domain(rest)
    if not local or not LOCAL_PART_RE.match(local) or len(local) > MAX_LOGIN:
        raise ValueError("'%s' is not a valid mail address: invalid local part (before @)" % address)
    canonical = "%s@%s" % (local.lower(), rest)
    if len(canonical) > MAX_ADDRESS:
        raise ValueError("'%s' is longer than %d characters" % (address, MAX_ADDRESS))
    return canonical


def recipient_problem(error: ValueError, text: object, domain: str) -> str:
    """Why an alias recipient of `domain` is refused: a bare name is read as a login there."""
    if isinstance(text, str) and "@" not in text:
        return "%s (a recipient is a login of %s or a full address)" % (error, domain)
    return str(error)


def canonical_or_none(parse, *args) -> str | None:
    """parse(*args) (canonical_domain, canonical_address, ...), or None when the rule refuses
    it: for passes that skip what another rule reports."""
    try:
        return parse(*args)
    except ValueError:
        return None


def split_address(address: str) -> tuple[str, str]:
    parts = address.rpartition("@")
    return parts[0], parts[2]
