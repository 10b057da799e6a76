# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Write a service's set of small configuration files in one module run (gestixi_config_files).

Each file is compared by content and attributes; a changed one is written to a temporary file
beside it, checked by the validate command when given, and moved into place atomically. Every
candidate is validated before any file is replaced: one refused file leaves all of them as they
were.
"""
from __future__ import annotations

import os
import tempfile


class FileProblem(Exception):
    """A file that could not be checked or written, and why."""


def read_bytes(path: str) -> bytes | None:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        return None


def write_candidate(path: str, content: bytes) -> str:
    """content in a private temporary file in path's folder (the move into place is atomic)."""
    folder = os.path.dirname(path) or "."
    if not os.path.isdir(folder):
        raise FileProblem("%s: its folder %s does not exist" % (path, folder))
    handle, candidate = tempfile.mkstemp(prefix=".%s." % os.path.basename(path), dir=folder)
    with os.fdopen(handle, "wb") as out:
        out.write(content)
    return candidate


def file_args(module, spec: dict, path: str) -> dict:
    return module.load_file_common_arguments(
        {"path": path, "mode": spec.get("mode"), "owner": spec.get("owner"), "group": spec.get("group")})


def converge_files(module, files: list[dict], validate: str | None) -> dict:
    """Bring every file to its content and attributes; the module result."""
    if validate and "%s" not in validate:
        raise FileProblem("validate must contain %%s: %s" % validate)
    changed_paths: list[str] = []
    diffs: list[dict] = []
    candidates: list[tuple[dict, str]] = []
    try:
        for spec in files:
            path = spec["path"]
            content = spec["content"].encode("utf-8")
            before = read_bytes(path)
            if before == content:
                continue
            changed_paths.append(path)
            if not spec.get("secret"):
                diffs.append({"before_header": path, "after_header": path,
                              "before": (before or b"").decode("utf-8", "replace"), "after": spec["content"]})
            if module.check_mode:
                continue
            candidate = write_candidate(path, content)
            candidates.append((spec, candidate))
            if validate:
                rc, out, err = module.run_command(validate % candidate)
                if rc != 0:
                    raise FileProblem("%s: refused by %s: %s" % (path, validate.split()[0], (err or out).strip()))
        for spec, candidate in candidates:
            # Its final owner and mode before it is in place: a secret is never readable to others.
            module.set_fs_attributes_if_different(file_args(module, spec, candidate), False)
            os.replace(candidate, spec["path"])
        candidates = []
    finally:
        for _spec, candidate in candidates:
            if os.path.exists(candidate):
                os.unlink(candidate)
    for spec in files:
        if os.path.exists(spec["path"]) or not module.check_mode:
            if module.set_fs_attributes_if_different(file_args(module, spec, spec["path"]), False):
                if spec["path"] not in changed_paths:
                    changed_paths.append(spec["path"])
    result = {"changed": bool(changed_paths), "changed_files": changed_paths}
    if module._diff:
        result["diff"] = diffs
    return result
