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
"""
from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import tempfile

from ansible_collections.gestixi.mail.plugins.module_utils._converge import Plan
from ansible_collections.gestixi.mail.plugins.module_utils._errors import InvalidItem, MailStateError
from ansible_collections.gestixi.mail.plugins.module_utils._sieve import wanted_scripts

SCRIPT_SUFFIX = ".sieve"
BINARY_SUFFIX = ".svbin"


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


class ScriptPlan:
    def __init__(self, sieve_dir: str, wanted: dict[str, str]) -> None:
        self.sieve_dir = sieve_dir
        self.wanted = wanted
        self.plan = Plan("sieve script", _public)
        self.staging: str | None = None
        self.module = None
        self.sievec: str | None = None
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

    def _to_write(self) -> list[str]:
        return [key for key, _ in self.plan.created] + [key for key, _, _ in self.plan.updated]

    def prepare(self, module, sievec_path: str | None) -> None:
        """Write and compile every new script in a staging folder (also in check mode)."""
        keys = self._to_write()
        if not keys:
            return
        sievec = sievec_path or module.get_bin_path("sievec")
        self.module, self.sievec = module, sievec
        parent = self.sieve_dir if not module.check_mode and _ensure_dir(self.sieve_dir) else None
        self.staging = tempfile.mkdtemp(prefix=".staging-", dir=parent)
        problems = []
        for key in keys:
            source = os.path.join(self.staging, key + SCRIPT_SUFFIX)
            os.makedirs(os.path.dirname(source), mode=0o755, exist_ok=True)
            with open(source, "w", encoding="utf-8") as handle:
                handle.write(self.wanted[key])
            os.chmod(source, 0o644)
            if sievec:
                rc, out, err = module.run_command([sievec, source, source[: -len(SCRIPT_SUFFIX)] + BINARY_SUFFIX])
                if rc != 0 or "warning" in (out + err).lower():
                    problems.append(InvalidItem("sieve script for %s" % key.replace("/", " user "), None,
                                                "sievec refused it: %s" % (err or out).strip()))
                    continue
                os.chmod(source[: -len(SCRIPT_SUFFIX)] + BINARY_SUFFIX, 0o644)
        if problems:
            raise MailStateError(problems)

    def activate(self) -> None:
        """Move staged scripts into place, compile them there, remove scripts no longer wanted."""
        problems = []
        for key in self._to_write():
            target = os.path.join(self.sieve_dir, key)
            os.makedirs(os.path.dirname(target), mode=0o755, exist_ok=True)
            # The new text is newer than any old binary: Dovecot ignores that binary and
            # compiles the new text until the binary below replaces it.
            os.replace(os.path.join(self.staging, key + SCRIPT_SUFFIX), target + SCRIPT_SUFFIX)
            if not self.sievec:
                if os.path.exists(target + BINARY_SUFFIX):
                    os.unlink(target + BINARY_SUFFIX)  # a stale binary would hide the new text
                continue
            fresh = target + BINARY_SUFFIX + ".new"
            rc, out, err = self.module.run_command([self.sievec, target + SCRIPT_SUFFIX, fresh])
            if rc != 0 or not os.path.exists(fresh):
                problems.append(InvalidItem("sieve script for %s" % key.replace("/", " user "), None,
                                            "the store was committed and the script installed, but "
                                            "sievec failed to compile it in place: %s" % (err or out).strip()))
                for path in (fresh, target + BINARY_SUFFIX):
                    if os.path.exists(path):
                        os.unlink(path)
                continue
            os.chmod(fresh, 0o644)
            os.replace(fresh, target + BINARY_SUFFIX)
        for key, _ in self.plan.removed:
            for suffix in (SCRIPT_SUFFIX, BINARY_SUFFIX):
                path = os.path.join(self.sieve_dir, key + suffix)
                if os.path.exists(path):
                    os.unlink(path)
        if problems:
            raise MailStateError(problems)

    def discard(self) -> None:
        if self.staging and os.path.isdir(self.staging):
            shutil.rmtree(self.staging)
        self.staging = None


def _ensure_dir(path: str) -> bool:
    os.makedirs(path, mode=0o755, exist_ok=True)
    return True


def plan_scripts(conn: sqlite3.Connection, sieve_dir: str) -> ScriptPlan:
    return ScriptPlan(sieve_dir, wanted_scripts(conn))
