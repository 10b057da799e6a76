# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Keep <sieve_dir>/<domain>/<login>.sieve in step with the store.

The scripts are derived from the store (responders, and the aliases that reach each user),
so every converge recomputes them. New text is compiled with sievec into a temporary file
first; only when every script compiled, and the store committed, do they replace the old ones.
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
        if not os.path.isdir(folder):
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
        """Move staged scripts into place and remove scripts of users who no longer have one."""
        for key in self._to_write():
            target = os.path.join(self.sieve_dir, key)
            os.makedirs(os.path.dirname(target), mode=0o755, exist_ok=True)
            staged = os.path.join(self.staging, key)
            if os.path.exists(staged + BINARY_SUFFIX):
                os.replace(staged + BINARY_SUFFIX, target + BINARY_SUFFIX)
            elif os.path.exists(target + BINARY_SUFFIX):
                os.unlink(target + BINARY_SUFFIX)  # a stale binary would hide the new text
            os.replace(staged + SCRIPT_SUFFIX, target + SCRIPT_SUFFIX)
        for key, _ in self.plan.removed:
            for suffix in (SCRIPT_SUFFIX, BINARY_SUFFIX):
                path = os.path.join(self.sieve_dir, key + suffix)
                if os.path.exists(path):
                    os.unlink(path)

    def discard(self) -> None:
        if self.staging and os.path.isdir(self.staging):
            shutil.rmtree(self.staging)
        self.staging = None


def _ensure_dir(path: str) -> bool:
    os.makedirs(path, mode=0o755, exist_ok=True)
    return True


def plan_scripts(conn: sqlite3.Connection, sieve_dir: str) -> ScriptPlan:
    return ScriptPlan(sieve_dir, wanted_scripts(conn))
