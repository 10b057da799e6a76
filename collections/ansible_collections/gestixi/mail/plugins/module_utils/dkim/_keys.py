# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The DKIM private keys on a mail server, and the signer's map of which selector signs.

One folder holds <domain>.<selector>.key (PEM, 0640 root:<signer's group>) for every key the
description publishes (rules/_dns.py, dkim_keys_wanted) and selectors.map ("<domain>
<selector>" per line: rspamd's dkim_signing selector_map, which signs a message only for a
domain listed there). A key is made here with openssl, where it stays, unless the operator
gives it (from Vault). A key that no selector of its domain publishes any more is removed:
an old private key is a liability, not an archive. Keys of domains the description does not
name are left alone.

Nothing here returns or logs a private key; public keys are returned as the base64 of their
SubjectPublicKeyInfo (the p= of the DKIM record).
"""
from __future__ import annotations

import base64
import grp
import os
import re
import tempfile
from typing import Callable

from ansible_collections.gestixi.mail.plugins.module_utils._errors import InvalidItem, MailStateError

SELECTOR_MAP = "selectors.map"
KEY_SUFFIX = ".key"
KEY_MODE = 0o640
DIR_MODE = 0o750
# A domain in its stored form, or a selector (rules/_dns.py): a safe file-name part, no "/".
_NAME_RE = re.compile(r"^[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?\Z")

# The module's run_command: run(argv, data=None, binary_data=..., encoding=None) -> (rc, stdout, stderr) as bytes.
Runner = Callable[..., tuple]


class Wanted:
    """One domain's keys: the selector that signs and every selector with a published key."""

    def __init__(self, domain: str, selector: str, published: list[str]) -> None:
        self.domain = domain
        self.selector = selector
        self.published = list(dict.fromkeys([selector] + list(published)))


def wanted_from_params(domains: list[dict]) -> list[Wanted]:
    problems = []
    wanted = []
    for index, item in enumerate(domains):
        where = "domains[%d]" % index
        names = [item.get("name"), item.get("selector")] + list(item.get("published") or [])
        if not all(isinstance(n, str) and _NAME_RE.match(n) for n in names):
            problems.append(InvalidItem(where, None, "a domain (A-label form) and selectors (RFC 6376), as "
                                        "gestixi_description_validate returns them in its dkim field"))
            continue
        wanted.append(Wanted(item["name"], item["selector"], item.get("published") or []))
    if problems:
        raise MailStateError(problems)
    return wanted


def key_file(key_dir: str, domain: str, selector: str) -> str:
    return os.path.join(key_dir, "%s.%s%s" % (domain, selector, KEY_SUFFIX))


class KeyStore:
    """The key folder of one server. check_mode: report, write nothing."""

    def __init__(self, key_dir: str, group: str | None, run: Runner, key_bits: int = 2048,
                 check_mode: bool = False) -> None:
        self.key_dir = key_dir
        self.gid = _group_id(group)
        self.run = run
        self.key_bits = key_bits
        self.check_mode = check_mode
        self.created: list[str] = []
        self.replaced: list[str] = []
        self.removed: list[str] = []
        self.public_keys: dict[str, dict[str, str]] = {}
        self.changed = False

    def converge(self, wanted: list[Wanted], given: dict[str, dict[str, str]]) -> None:
        given = _given_keys(given, {w.domain: set(w.published) for w in wanted})
        # Every given key is read first: a bad one is refused before anything is written.
        given_public = {(domain, selector): self._public_key_of(_pem(pem), "%s %s" % (domain, selector))
                        for domain, selectors in given.items() for selector, pem in selectors.items()}
        self._folder()
        for domain_keys in wanted:
            domain = domain_keys.domain
            for selector in domain_keys.published:
                pem = given.get(domain, {}).get(selector)
                self._key(domain, selector, None if pem is None else (_pem(pem), given_public[domain, selector]))
        self._remove_unpublished(wanted)
        self._selector_map(wanted)

    # --- the folder and its files ------------------------------------------------------------

    def _folder(self) -> None:
        if os.path.isdir(self.key_dir):
            self._attributes(self.key_dir, DIR_MODE)
            return
        self.changed = True
        if not self.check_mode:
            os.makedirs(self.key_dir, mode=DIR_MODE)
            self._attributes(self.key_dir, DIR_MODE)

    def _attributes(self, path: str, mode: int) -> None:
        info = os.stat(path)
        if info.st_mode & 0o7777 != mode:
            self.changed = True
            if not self.check_mode:
                os.chmod(path, mode)
        if self.gid is not None and info.st_gid != self.gid:
            self.changed = True
            if not self.check_mode:
                os.chown(path, -1, self.gid)

    def _write(self, path: str, data: bytes, mode: int) -> None:
        """Atomically, with its mode and group from the first byte (a key is never world-readable)."""
        handle, temporary = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".gestixi-")
        try:
            os.fchmod(handle, mode)
            if self.gid is not None:
                os.fchown(handle, -1, self.gid)
            with os.fdopen(handle, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, path)
        except BaseException:
            if os.path.exists(temporary):
                os.unlink(temporary)
            raise

    # --- keys ----------------------------------------------------------------------------------

    def _key(self, domain: str, selector: str, given: tuple[bytes, str] | None) -> None:
        """given: the operator's key (PEM) and its public key."""
        path = key_file(self.key_dir, domain, selector)
        label = "%s %s" % (domain, selector)
        exists = os.path.exists(path)
        if given is not None:
            pem, public_key = given
            if exists and _read(path) == pem:
                self._attributes(path, KEY_MODE)
            else:
                (self.replaced if exists else self.created).append(label)
                self.changed = True
                if not self.check_mode:
                    self._write(path, pem, KEY_MODE)
        elif exists:
            self._attributes(path, KEY_MODE)
            public_key = self._public_key(path, label)
        else:
            self.created.append(label)
            self.changed = True
            if self.check_mode:
                return  # its public key is known once it is made
            pem = self._generate(label)
            public_key = self._public_key_of(pem, label)
            self._write(path, pem, KEY_MODE)
        self.public_keys.setdefault(domain, {})[selector] = public_key

    def _generate(self, label: str) -> bytes:
        rc, out, err = self.run(["openssl", "genpkey", "-algorithm", "RSA",
                                 "-pkeyopt", "rsa_keygen_bits:%d" % self.key_bits], encoding=None)
        if rc != 0 or b"PRIVATE KEY" not in out:
            raise MailStateError([InvalidItem("DKIM key %s" % label, None, "openssl could not make it: %s"
                                              % _first_line(err))])
        return out

    def _public_key(self, path: str, label: str) -> str:
        return self._spki(["openssl", "pkey", "-in", path, "-pubout", "-outform", "DER"], None, label)

    def _public_key_of(self, pem: bytes, label: str) -> str:
        return self._spki(["openssl", "pkey", "-pubout", "-outform", "DER"], pem, label)

    def _spki(self, argv: list[str], data: bytes | None, label: str) -> str:
        rc, out, err = self.run(argv, data=data, binary_data=True, encoding=None)
        if rc != 0 or not out:
            # openssl's message names the file at most, never the key's content.
            raise MailStateError([InvalidItem("DKIM key %s" % label, None, "not a private key openssl can read: %s"
                                              % _first_line(err))])
        return base64.b64encode(out).decode("ascii")

    def _remove_unpublished(self, wanted: list[Wanted]) -> None:
        published = {w.domain: set(w.published) for w in wanted}
        # Longest first: sub.example.org.s1.key is a key of sub.example.org, not selector sub... of example.org.
        domains = sorted(published, key=len, reverse=True)
        for name in sorted(os.listdir(self.key_dir) if os.path.isdir(self.key_dir) else []):
            if not name.endswith(KEY_SUFFIX) or name.startswith("."):
                continue
            stem = name[:-len(KEY_SUFFIX)]
            domain = next((d for d in domains if stem.startswith(d + ".")), None)
            if domain is None or stem[len(domain) + 1:] in published[domain]:
                continue
            self.removed.append("%s %s" % (domain, stem[len(domain) + 1:]))
            self.changed = True
            if not self.check_mode:
                os.unlink(os.path.join(self.key_dir, name))

    def _selector_map(self, wanted: list[Wanted]) -> None:
        """Written after the keys: a domain is in the map only once its signing key is there."""
        lines = "".join("%s %s\n" % (w.domain, w.selector) for w in sorted(wanted, key=lambda w: w.domain))
        path = os.path.join(self.key_dir, SELECTOR_MAP)
        if os.path.exists(path) and _read(path) == lines.encode("ascii"):
            self._attributes(path, KEY_MODE)
            return
        self.changed = True
        if not self.check_mode:
            self._write(path, lines.encode("ascii"), KEY_MODE)

    def result(self) -> dict:
        return {"changed": self.changed, "created": self.created, "replaced": self.replaced,
                "removed": self.removed, "public_keys": self.public_keys}


def _given_keys(given: dict | None, domains: dict[str, set[str]]) -> dict[str, dict[str, str]]:
    """The operator's keys ({domain: {selector: PEM}}), checked for shape only (openssl reads them)."""
    problems = []
    keys: dict[str, dict[str, str]] = {}
    for domain, selectors in (given or {}).items():
        if domain not in domains:
            problems.append(InvalidItem("private_keys[%s]" % domain, None, "not a domain of the description "
                                        "(give its A-label form)"))
            continue
        if not isinstance(selectors, dict):
            problems.append(InvalidItem("private_keys[%s]" % domain, None, "expected {selector: PEM private key}"))
            continue
        for selector, pem in selectors.items():
            if str(selector) not in domains[domain]:
                problems.append(InvalidItem("private_keys[%s][%s]" % (domain, selector), None,
                                            "not a selector %s publishes (its dkim settings name %s)"
                                            % (domain, ", ".join(sorted(domains[domain])))))
                continue
            if not isinstance(pem, str) or "PRIVATE KEY-----" not in pem:
                problems.append(InvalidItem("private_keys[%s][%s]" % (domain, selector), None,
                                            "expected a PEM private key (-----BEGIN PRIVATE KEY-----)"))
                continue
            keys.setdefault(domain, {})[str(selector)] = pem
    if problems:
        raise MailStateError(problems)
    return keys


def _group_id(group: str | None) -> int | None:
    if not group:
        return None
    try:
        return grp.getgrnam(group).gr_gid
    except KeyError:
        raise MailStateError([InvalidItem("key_group", None, "no group %s on this host (the signer's group: "
                                          "install rspamd first, or set key_group)" % group)]) from None


def _pem(text: str) -> bytes:
    return text.strip().encode("ascii", "replace") + b"\n"


def _read(path: str) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()


def _first_line(text) -> str:
    text = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text or "")
    return (text.strip().splitlines() or ["no message"])[0]
