# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Keep <sieve_dir>/<domain>/<login>.sieve in step with the store.

The scripts are derived from the store (responders, and the aliases that reach each user),
so every converge recomputes them. New text is compiled with sievec in a staging folder
first (also in check mode), so that a script sievec refuses fails the run before the store
commits. Only after the commit is each script moved into place and compiled again there: a
Pigeonhole binary records the path of its script, and a binary compiled in the staging folder
would look stale to Dovecot ("reports different location"), which would then recompile the
script on every delivery and fail to save the binary in this root-owned folder.

Rendering every script of the store and reading every file back costs seconds for 10,000
users, and every converge would pay it. So after the scripts are in place, a manifest
(<sieve_dir>/.gestixi-scripts.json) records a fingerprint of what they are made of: the rows
of the store that rendering reads (_render.INPUTS), the rendering code, and the script file
names. When a later converge finds the same fingerprint and the same files, the scripts are
known to be in step and nothing is rendered or read. The manifest also records the store
file's stamp (its SQLite change counter) as of the run that wrote it, so that the next run
needs not even the fingerprint while the store is not written. The manifest is removed
before scripts are moved and written only after all of them are in place, so that an
interrupted run is repaired by the next one. A generated script edited by hand is not
noticed then (their header says not to edit them). The manifest is about the scripts only:
what is known of the store itself is the store's own record (store/_record.py).
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile

from ansible_collections.gestixi.mail.plugins.module_utils.converge._plan import Plan
from ansible_collections.gestixi.mail.plugins.module_utils._errors import InvalidItem, MailStateError
from ansible_collections.gestixi.mail.plugins.module_utils._source import source_digest
from ansible_collections.gestixi.mail.plugins.module_utils.rules import _dates
from ansible_collections.gestixi.mail.plugins.module_utils.sieve import _render
from ansible_collections.gestixi.mail.plugins.module_utils.sieve._render import INPUTS, wanted_scripts
from ansible_collections.gestixi.mail.plugins.module_utils.store._engine import Connection

SCRIPT_SUFFIX = ".sieve"
BINARY_SUFFIX = ".svbin"
MANIFEST = ".gestixi-scripts.json"


def _input_queries(dialect) -> tuple[str, ...]:
    """The rows rendering reads (_render.INPUTS), one text per query, built by the database
    itself (each value quoted, so unambiguous): hashing them costs a few milliseconds for
    10,000 users and 20,000 aliases."""
    return tuple(
        "SELECT %s FROM (SELECT %s AS row %s) AS inputs"
        % (dialect.joined_lines("row"), " || ',' || ".join(dialect.quoted(column) for column in columns), rest)
        for name, (columns, rest) in sorted(INPUTS.items()))


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _public(record: dict) -> dict:
    return {"sha256": record["sha256"]}


def _existing_scripts(sieve_dir: str) -> dict[str, str]:
    found: dict[str, str] = {}
    if not os.path.isdir(sieve_dir):
        return found
    for domain in sorted(os.listdir(sieve_dir)):
        folder = os.path.join(sieve_dir, domain)
        if domain.startswith(".") or not os.path.isdir(folder):  # .staging-* of a killed run
            continue
        for name in os.listdir(folder):
            if name.endswith(SCRIPT_SUFFIX):
                with open(os.path.join(folder, name), encoding="utf-8", errors="replace") as handle:
                    found["%s/%s" % (domain, name[: -len(SCRIPT_SUFFIX)])] = handle.read()
    return found


def _script_names(sieve_dir: str) -> list[str]:
    """'<domain>/<login>' of every script file, without reading any."""
    names = []
    if not os.path.isdir(sieve_dir):
        return names
    for domain in os.scandir(sieve_dir):
        if domain.name.startswith(".") or not domain.is_dir():
            continue
        names.extend("%s/%s" % (domain.name, entry.name[: -len(SCRIPT_SUFFIX)])
                     for entry in os.scandir(domain.path) if entry.name.endswith(SCRIPT_SUFFIX))
    return sorted(names)


def _names_digest(names: list[str]) -> str:
    return hashlib.sha256("\n".join(sorted(names)).encode("utf-8")).hexdigest()


def code_digest() -> str | None:
    """A digest of the code that renders the scripts, or None (then no manifest is trusted)."""
    return source_digest((_render, _dates))


def inputs_fingerprint(conn: Connection, code: str | None) -> str | None:
    """A digest of everything the scripts and the checks are made from, or None when unknown."""
    if code is None:
        return None
    digest = hashlib.sha256(code.encode("ascii"))
    cursor = conn.cursor()
    cursor.row_factory = None
    for query in _input_queries(conn.dialect):
        text = cursor.execute(query).fetchone()[0]
        digest.update(b"\x00" if text is None else text.encode("utf-8", "surrogatepass") + b"\x00")
    return digest.hexdigest()


def _read_manifest(sieve_dir: str) -> dict:
    try:
        with open(os.path.join(sieve_dir, MANIFEST), encoding="utf-8") as handle:
            manifest = json.load(handle)
    except (OSError, ValueError):
        return {}
    return manifest if isinstance(manifest, dict) else {}


class ScriptPlan:
    def __init__(self, sieve_dir: str, wanted: dict[str, str] | None, fingerprint: str | None = None,
                 in_step: int = 0, manifest: dict | None = None, code: str | None = None) -> None:
        """wanted: the script texts, or None when the manifest (given) shows that `in_step`
        scripts are already exactly what the store renders (nothing to render, read or write).
        fingerprint and code: what a new manifest records (see inputs_fingerprint)."""
        self.sieve_dir = sieve_dir
        self.wanted = wanted or {}
        self.fingerprint = fingerprint
        self.code = code
        self.plan = Plan("sieve script", _public)
        self.staging: str | None = None
        self.module = None
        self.sievec: str | None = None
        self.manifest = manifest  # the manifest that proves the scripts in step, if any
        if wanted is None:
            self.plan.unchanged = in_step
            return
        existing = _existing_scripts(sieve_dir)
        for key in sorted(wanted):
            text = wanted[key]
            if key not in existing:
                self.plan.created.append((key, {"sha256": _digest(text)}))
            elif existing[key] != text:
                self.plan.updated.append((key, {"sha256": _digest(existing[key])}, {"sha256": _digest(text)}))
            else:
                self.plan.unchanged += 1
        self.plan.removed = [(key, {"sha256": _digest(existing[key])})
                             for key in sorted(existing) if key not in wanted]

    @property
    def in_step(self) -> bool:
        """True when the manifest proved the scripts already in step (nothing rendered)."""
        return self.manifest is not None

    def _to_write(self) -> list[str]:
        return [key for key, _record in self.plan.created] + [key for key, _old, _new in self.plan.updated]

    def prepare(self, module, sievec_path: str | None) -> None:
        """Write and compile every new script in a staging folder (also in check mode)."""
        keys = self._to_write()
        if not keys:
            return
        sievec = sievec_path or module.get_bin_path("sievec")
        self.module, self.sievec = module, sievec
        parent = self.sieve_dir if not module.check_mode and _ensure_dir(self.sieve_dir) else None
        self.staging = tempfile.mkdtemp(prefix=".staging-", dir=parent)
        for key in keys:
            source = os.path.join(self.staging, key + SCRIPT_SUFFIX)
            os.makedirs(os.path.dirname(source), mode=0o755, exist_ok=True)
            with open(source, "w", encoding="utf-8") as handle:
                handle.write(self.wanted[key])
            os.chmod(source, 0o644)
        if not sievec:
            return
        problems = []
        for domain, domain_keys in _by_domain(keys).items():
            # One sievec for the whole staged folder (one process, not one per user); when it
            # fails, each script again, to name the ones sievec refuses.
            if len(domain_keys) > 1 and self._compile_folder(os.path.join(self.staging, domain)):
                continue
            for key in domain_keys:
                source = os.path.join(self.staging, key)
                why = self._compile_one(source + SCRIPT_SUFFIX, source + BINARY_SUFFIX)
                if why is not None:
                    problems.append(InvalidItem("sieve script for %s" % key.replace("/", " user "), None,
                                                "sievec refused it: %s" % why))
        if problems:
            raise MailStateError(problems)

    def _compile_one(self, source: str, binary: str) -> str | None:
        """sievec SOURCE BINARY; None when it compiled without warning, else what sievec said."""
        rc, out, err = self.module.run_command([self.sievec, source, binary])
        if rc != 0 or "warning" in (out + err).lower() or not os.path.exists(binary):
            return (err or out).strip() or "sievec exited with status %d" % rc
        return None

    def _compile_folder(self, folder: str) -> bool:
        """sievec FOLDER compiles every *.sieve there into a *.svbin beside it, in one process.

        Each binary is written atomically (temporary file, rename) with its script's mode.
        """
        rc, out, err = self.module.run_command([self.sievec, folder])
        return rc == 0 and "warning" not in (out + err).lower()

    def activate(self, store_stamp: list | None) -> None:
        """Move staged scripts into place, compile them there, remove scripts no longer wanted.

        Then record the manifest that lets later converges skip rendering (see the top), with
        store_stamp: the stamp of the store as this run leaves it (Store.stamp), or None.
        """
        if self.manifest is not None:
            if self.manifest.get("store") != store_stamp:
                self._write_manifest(store_stamp)  # same scripts: only the stamp that proves it changes
            return
        _remove_manifest(self.sieve_dir)
        problems = []
        keys = self._to_write()
        for key in keys:
            target = os.path.join(self.sieve_dir, key)
            os.makedirs(os.path.dirname(target), mode=0o755, exist_ok=True)
            # The new text is newer than any old binary: Dovecot ignores that binary and
            # compiles the new text until a binary compiled here replaces it.
            os.replace(os.path.join(self.staging, key + SCRIPT_SUFFIX), target + SCRIPT_SUFFIX)
            if not self.sievec and os.path.exists(target + BINARY_SUFFIX):
                os.unlink(target + BINARY_SUFFIX)  # a stale binary would hide the new text
        for domain, domain_keys in (_by_domain(keys).items() if self.sievec else ()):
            folder = os.path.join(self.sieve_dir, domain)
            scripts = sum(1 for name in os.listdir(folder) if name.endswith(SCRIPT_SUFFIX))
            # Compiling the whole folder also recompiles its unchanged scripts: worth it when a
            # tenth of them or more changed (about 1 ms per script, against 10 ms per process).
            if len(domain_keys) > 1 and 10 * len(domain_keys) >= scripts and self._compile_folder(folder):
                continue
            for key in domain_keys:
                target = os.path.join(self.sieve_dir, key)
                fresh = target + BINARY_SUFFIX + ".new"
                why = self._compile_one(target + SCRIPT_SUFFIX, fresh)
                if why is not None:
                    problems.append(InvalidItem("sieve script for %s" % key.replace("/", " user "), None,
                                                "the store was committed and the script installed, but "
                                                "sievec failed to compile it in place: %s" % why))
                    for path in (fresh, target + BINARY_SUFFIX):
                        if os.path.exists(path):
                            os.unlink(path)
                    continue
                os.chmod(fresh, 0o644)
                os.replace(fresh, target + BINARY_SUFFIX)
        for key, _record in self.plan.removed:
            for suffix in (SCRIPT_SUFFIX, BINARY_SUFFIX):
                path = os.path.join(self.sieve_dir, key + suffix)
                if os.path.exists(path):
                    os.unlink(path)
        if problems:
            raise MailStateError(problems)
        self._write_manifest(store_stamp)

    def _write_manifest(self, store_stamp: list | None) -> None:
        if self.fingerprint is None or not os.path.isdir(self.sieve_dir):
            return
        if self.manifest is not None:
            manifest = dict(self.manifest)
        else:
            names = sorted(self.wanted)
            manifest = {"code": self.code, "fingerprint": self.fingerprint, "scripts": len(names),
                        "names": _names_digest(names)}
        manifest.update(store=store_stamp)
        manifest.pop("checked_limits", None)  # kept there by releases before the store's own record
        handle, temporary = tempfile.mkstemp(prefix=".manifest-", dir=self.sieve_dir)
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(manifest, out)
        os.chmod(temporary, 0o644)
        os.replace(temporary, os.path.join(self.sieve_dir, MANIFEST))

    def discard(self) -> None:
        if self.staging and os.path.isdir(self.staging):
            shutil.rmtree(self.staging)
        self.staging = None


def _by_domain(keys: list[str]) -> dict[str, list[str]]:
    """'<domain>/<login>' keys grouped by domain folder, in a stable order."""
    groups: dict[str, list[str]] = {}
    for key in sorted(keys):
        groups.setdefault(key.split("/", 1)[0], []).append(key)
    return groups


def _ensure_dir(path: str) -> bool:
    os.makedirs(path, mode=0o755, exist_ok=True)
    return True


def _remove_manifest(sieve_dir: str) -> None:
    try:
        os.unlink(os.path.join(sieve_dir, MANIFEST))
    except FileNotFoundError:
        pass


def plan_scripts(conn: Connection, sieve_dir: str, store_stamp: list | None = None) -> ScriptPlan:
    """The scripts to write and remove; nothing rendered when the manifest proves them in step.

    store_stamp identifies the store file's content (see Store.stamp) when this converge
    changes nothing, None otherwise. A manifest that recorded the same stamp needs not even the
    fingerprint: the store was not written since (SQLite bumps its header's change counter on
    every commit).
    """
    manifest = _read_manifest(sieve_dir)
    code = code_digest()
    if code is None or manifest.get("code") != code:
        manifest = {}
    # The same stamp proves the store unchanged; else the same fingerprint proves the inputs are.
    proven = store_stamp is not None and manifest.get("store") == store_stamp
    fingerprint = manifest.get("fingerprint") if proven else inputs_fingerprint(conn, code)
    if proven or (fingerprint is not None and manifest.get("fingerprint") == fingerprint):
        names = _script_names(sieve_dir)
        if _same_names(manifest, names):
            return ScriptPlan(sieve_dir, None, fingerprint, len(names), manifest)
        if proven:
            fingerprint = inputs_fingerprint(conn, code)
    return ScriptPlan(sieve_dir, wanted_scripts(conn), fingerprint, code=code)


def _same_names(manifest: dict, names: list[str]) -> bool:
    return len(names) == manifest.get("scripts") and _names_digest(names) == manifest.get("names")
