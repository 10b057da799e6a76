# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Description files: a large mail description kept in YAML files that the controller reads
itself, outside Ansible's inventory.

At 100,000 users, Ansible's inventory is the cost of every run: each variable is read, tagged
and merged for the host before the first task (tens of seconds, hundreds of MiB). The files
that the host's gestixi_mail_description_files names are read here instead, with PyYAML's C
loader, and only when needed: the digest of their bytes stands for them, so that an unchanged
description costs reading and hashing its files (_verdicts keeps what the check found).

A file holds what a group_vars file of the description holds: gestixi_mail_domains and/or
gestixi_mail_domains__<suffix>, joined with the inventory's in name order. Values are data as
written: no template, no Vault (give password hashes; keep a secret in the inventory form).
"""
from __future__ import annotations

import hashlib
import os

import yaml

from ansible_collections.gestixi.mail.plugins.module_utils._errors import InvalidItem, problem_at, yaml_path
from ansible_collections.gestixi.mail.plugins.plugin_utils._description_sources import FILES_VAR

SUFFIXES = (".yml", ".yaml")
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: Debian's python3-yaml has it


class DescriptionFile:
    """One file: where it is, the name problems give it, the digest of its bytes."""

    def __init__(self, path: str, shown: str) -> None:
        self.path = path
        self.shown = shown  # as the operator wrote it (or the folder's entry under it)
        with open(path, "rb") as handle:
            self._bytes: bytes | None = handle.read()
        self.digest = hashlib.sha256(self._bytes).hexdigest()

    def load(self, problems: list[InvalidItem]) -> dict:
        """The description variables of the file; a problem for anything else in it."""
        text, self._bytes = self._bytes, None  # read once: the text is not needed twice
        try:
            content = yaml.load(text, Loader=_LOADER)  # nosec B506 - a safe loader (C or Python)
        except yaml.constructor.ConstructorError as exc:
            mark = exc.problem_mark
            if "!vault" in str(exc.problem):
                problems.append(problem_at(self.shown, "holds a !vault value (line %d): description files are "
                                           "read without Ansible, so without Vault; give a password hash, or keep "
                                           "this item in the inventory form" % (mark.line + 1)))
            else:
                problems.append(problem_at(self.shown, "is not plain YAML data (line %d, column %d): %s"
                                           % (mark.line + 1, mark.column + 1, exc.problem)))
            return {}
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = " (line %d, column %d)" % (mark.line + 1, mark.column + 1) if mark else ""
            problems.append(problem_at(self.shown, "is not valid YAML%s: %s" % (
                where, getattr(exc, "problem", None) or exc)))
            return {}
        if content is None:
            return {}
        if not isinstance(content, dict):
            problems.append(problem_at(self.shown, "must be a mapping of description variables "
                                       "(gestixi_mail_domains, gestixi_mail_domains__<suffix>), as in group_vars"))
            return {}
        return content


def find(value, base_dir: str | None) -> tuple[list[DescriptionFile], list[InvalidItem]]:
    """The files that gestixi_mail_description_files names, in its order: a file, or a folder
    (its *.yml and *.yaml files, sorted by name). Relative paths are under base_dir."""
    problems: list[InvalidItem] = []
    files: list[DescriptionFile] = []
    entries = [value] if isinstance(value, str) else value
    if not isinstance(entries, (list, tuple)) or not all(isinstance(entry, str) and entry for entry in entries):
        return [], [problem_at(FILES_VAR, "must be a path or a list of paths (files, or folders of .yml files)")]
    for index, entry in enumerate(entries):
        where = "%s[%d]" % (FILES_VAR, index)
        path = os.path.expanduser(entry)
        if not os.path.isabs(path):
            if not base_dir:
                problems.append(problem_at(where, "%r is relative and the host has no inventory_dir: "
                                           "give an absolute path" % entry))
                continue
            path = os.path.join(base_dir, path)
        try:
            if os.path.isdir(path):
                names = sorted(name for name in os.listdir(path) if name.endswith(SUFFIXES) and not name.startswith("."))
                if not names:
                    problems.append(problem_at(where, "the folder %s holds no .yml file" % entry))
                files.extend(DescriptionFile(os.path.join(path, name), os.path.join(entry, name))
                             for name in names)
            else:
                files.append(DescriptionFile(path, entry))
        except OSError as exc:
            problems.append(problem_at(where, "cannot be read: %s" % (exc.strerror or exc)))
    return files, problems


def read_as_inventory(files: list[DescriptionFile], sources) -> list[str]:
    """Warnings for the files that Ansible also reads as inventory sources: every file under an
    inventory folder is one (but group_vars and host_vars), parsed before the first task and
    thrown away (minutes at 100,000 users)."""
    folders = [os.path.realpath(source) for source in sources or [] if isinstance(source, str) and os.path.isdir(source)]
    warnings = []
    for description_file in files:
        path = os.path.realpath(description_file.path)
        for folder in folders:
            inside = os.path.relpath(path, folder).split(os.sep)
            if inside[0] != os.pardir and inside[0] not in ("group_vars", "host_vars"):
                warnings.append("%s is in the inventory folder %s, so Ansible also parses it as an inventory source "
                                "before every run: keep description files outside it (for example ../descriptions)"
                                % (description_file.shown, folder))
                break
    return warnings


def files_digest(files: list[DescriptionFile]) -> str:
    """What stands for the files' content in the gate's record: names and bytes."""
    return hashlib.sha256("\n".join("%s\0%s" % (f.shown, f.digest) for f in files).encode("utf-8", "surrogatepass")).hexdigest()


def templates_in(value, path: str, limit: int = 5) -> list[str]:
    """The YAML paths of the values that look like a Jinja2 template (files are never
    templated: such a value would otherwise be taken as its text), at most limit of them."""
    found: list[str] = []
    pending = [(value, path)]
    while pending and len(found) < limit:
        item, where = pending.pop()
        if isinstance(item, str):
            if "{{" in item or "{%" in item:
                found.append(where)
        elif isinstance(item, dict):
            pending.extend((v, yaml_path(where, k)) for k, v in reversed(list(item.items())))
        elif isinstance(item, list):
            pending.extend((v, "%s[%d]" % (where, i)) for i, v in reversed(list(enumerate(item))))
    return found
