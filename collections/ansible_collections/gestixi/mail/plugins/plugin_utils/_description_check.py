# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The host's mail description, read and checked on the controller: the gate before any host.

check_description = structure (_description_schema) + meaning (_description_meaning) over the
variables found by _description_sources; report() is the one text of every problem.

Shared by gestixi_description_validate (check only) and gestixi_mail (check, then converge).
Description files (_description_files) join their variables to the inventory's; a valid
description read from files is remembered by the files' digest, so that reading it again when
nothing changed costs reading and hashing them (its items are loaded only if the host needs them).
The description variables are read from the task's variables and templated leaf by leaf:
plain data is taken as it is (10,000 users stay fast), a template or a vaulted value is
resolved alone, so that a problem names its YAML path and a password is known to come from
Vault (or from a variable kept elsewhere) rather than from plain text in the description.
"""
from __future__ import annotations

import datetime
import re

from ansible.errors import AnsibleError
from ansible.module_utils.common.text.converters import to_text
from ansible.parsing.vault import VaultHelper

from ansible_collections.gestixi.mail.plugins.module_utils._errors import InvalidItem, problem_at, yaml_path
from ansible_collections.gestixi.mail.plugins.module_utils._errors import report as render
from ansible_collections.gestixi.mail.plugins.module_utils.converge._translate import graph_problems_of
from ansible_collections.gestixi.mail.plugins.module_utils.converge._whole_description import plaintext_passwords
from ansible_collections.gestixi.mail.plugins.module_utils.rules._address import canonical_domain
from ansible_collections.gestixi.mail.plugins.module_utils.rules._alias_graph import EXPANSION_LIMIT, RECURSION_LIMIT, AliasLimits
from ansible_collections.gestixi.mail.plugins.module_utils.rules._description import declared_twice, description_digest
from ansible_collections.gestixi.mail.plugins.module_utils.rules._structure import UNRESOLVED, SchemaChecker, load_schema
from ansible_collections.gestixi.mail.plugins.plugin_utils import _description_files, _verdicts
from ansible_collections.gestixi.mail.plugins.plugin_utils._description_meaning import MeaningChecker
from ansible_collections.gestixi.mail.plugins.plugin_utils._description_sources import (
    ALLOW_PLAINTEXT_VAR,
    DESCRIPTION_VAR,
    FILES_VAR,
    PURGE_DOMAINS_VAR,
    joined,
    near_miss_vars,
    path_sort_key,
    source_names,
    summary,
)

SECRET_KEYS = frozenset(("password",))  # values that must not be literal plain text
_JOINED_INDEX_RE = re.compile(r"^domains\[(\d+)\]")


def check_description(variables: dict, vaulted: set[str] | None = None,
                      today: datetime.date | None = None,
                      schema: dict | None = None,
                      limits: AliasLimits = AliasLimits()) -> tuple[list[InvalidItem], list[str]]:
    """(problems, warnings) of the description held by variables (name -> templated value).

    variables holds at least every gestixi_mail_* variable of the host. vaulted names the
    YAML paths of password values that come from Ansible Vault. limits are the server's
    Postfix alias limits: the alias graph of the description is checked with the rules and
    the words the host uses (rules/_alias_graph.py), once everything else is valid.
    """
    problems: list[InvalidItem] = []
    warnings: list[str] = []
    schema = schema if schema is not None else load_schema()
    checker = SchemaChecker(schema)
    names = list(variables)
    for typo, meant in near_miss_vars(names):
        problems.append(problem_at(typo, "unknown variable (did you mean %s?)" % meant))
    sources = [(name, variables[name]) for name in source_names(names)]
    if not sources and FILES_VAR not in variables:
        problems.append(problem_at(DESCRIPTION_VAR, "is not defined for this host: put the "
                                   "mail description in the inventory (group_vars/mail/) or in "
                                   "description files (%s)" % FILES_VAR))
    top = schema["properties"]
    for name, value in sources:
        node = top[DESCRIPTION_VAR]
        checker.check(value, node, name, problems)
    for name in (PURGE_DOMAINS_VAR, ALLOW_PLAINTEXT_VAR):
        if name in variables:
            checker.check(variables[name], {"type": "boolean"}, name, problems)
    # The rules the host's gestixi_mail also runs on the whole list, before the others.
    entries = list(joined(sources))
    domains = [item for _var, _index, item in entries]
    paths = [yaml_path(var, index) for var, index, _item in entries]
    reported = {problem.path for problem in problems}
    problems.extend(problem for problem in declared_twice(domains, paths) if problem.path not in reported)
    allow_plaintext = variables.get(ALLOW_PLAINTEXT_VAR) is True
    meaning = MeaningChecker(problems, warnings, vaulted or set(), allow_plaintext,
                             today or datetime.date.today())
    meaning.check(sources)
    if not problems:
        problems.extend(graph_problems_of(domains, limits, paths))
    if variables.get(PURGE_DOMAINS_VAR) is True and sources and not any(True for _entry in joined(sources)):
        warnings.append("%s is true and the description names no domain: every domain of the store "
                        "will be removed, with its users, aliases and automatic replies" % PURGE_DOMAINS_VAR)
    problems.sort(key=lambda p: path_sort_key(p.path))
    return problems, warnings


def report(problems: list[InvalidItem]) -> str:
    """The one message listing every problem."""
    return render(problems, "The mail description has %d problem%s; nothing was changed on any server:"
                  % (len(problems), "" if len(problems) == 1 else "s"))


class CheckedDescription:
    """The outcome of the check: the task result's fields, and the description when valid."""

    def __init__(self, variables: dict, problems: list[InvalidItem], warnings: list[str],
                 origins: dict[str, str] | None = None) -> None:
        self.variables = variables
        self.problems = problems
        self.warnings = warnings
        self.origins = origins or {}  # variable -> the description file that holds it
        self.digest: str | None = None  # of a valid description: what the gate vouches for
        self.trusted = False  # True when an earlier gate's digest of the same variables was given
        self._domains: list[dict] | None = None
        self._sources: list | None = None
        self._files: list | None = None  # description files not loaded yet (a remembered verdict)
        self._remembered: dict = {}  # what a remembered verdict of the files says (counts, digests)

    @property
    def sources(self) -> list[tuple[str, object]]:
        """(variable, value) of every description variable, in the order they are joined."""
        if self._sources is None:
            if self._files is not None:
                loaded, _origins, problems = _load_files(self._files, self.variables)
                if problems:  # the files were valid when their digest was recorded
                    raise AnsibleError(report(problems))
                self.variables, self._files = loaded, None
            self._sources = [(name, self.variables.get(name)) for name in source_names(list(self.variables))]
        return self._sources

    def converge_digest(self, limits: AliasLimits) -> str:
        """The digest the host's record of a converge is compared with (description_digest)."""
        remembered = self._remembered.get("converge_digest")
        if remembered and self._remembered.get("limits") == list(limits):
            return remembered
        return description_digest(self.domains(), limits)

    def has_plaintext_passwords(self) -> bool:
        if "plaintext" in self._remembered:
            return bool(self._remembered["plaintext"])
        return bool(plaintext_passwords(self.domains()))

    @property
    def valid(self) -> bool:
        return not self.problems

    def name_after_option(self, option: str) -> None:
        """Problems and warnings of a description given as a task option, named after it."""
        def renamed(path: str) -> str:
            return option + path[len(DESCRIPTION_VAR):] if path.startswith(DESCRIPTION_VAR) else path

        for problem in self.problems:
            problem.path = renamed(problem.path)
            problem.item = renamed(problem.item)
            problem.message = problem.message.replace(DESCRIPTION_VAR + "[", option + "[")
        self.warnings = [renamed(warning) for warning in self.warnings]

    def domains(self) -> list[dict]:
        """The joined domains of every source, with YAML dates as YYYY-MM-DD text (made once)."""
        if self._domains is None:
            self._domains = [_plain(item) for _var, _index, item in joined(self.sources)]
        return self._domains

    def result(self) -> dict:
        """sources, counts, warnings and, on failure, failed/problems/msg."""
        if self._files is not None:
            result = {"sources": list(self._remembered["sources"]), "counts": dict(self._remembered["counts"])}
        else:
            result = {"sources": [self.shown(name) for name, _value in self.sources], "counts": summary(self.sources)}
        if self.warnings:
            result["warnings"] = list(self.warnings)
        if self.problems:
            result["failed"] = True
            result["problems"] = [p.as_dict() for p in self.problems]
            result["msg"] = report(self.problems)
        elif self.digest:
            result["digest"] = self.digest
        return result

    def source_path(self, path: str) -> str:
        """domains[12].users[3] (a path under the joined list) at its variable: gestixi_mail_domains__b[2].users[3]."""
        match = _JOINED_INDEX_RE.match(path)
        if not match:
            return path
        entries = list(joined(self.sources))
        position = int(match.group(1))
        if position >= len(entries):
            return path
        var, index, _item = entries[position]
        return self.shown(yaml_path(var, index) + path[match.end():])

    def shown(self, path: str) -> str:
        """A path of the description as the operator finds it: in its file when a file holds it."""
        if not path:
            return path
        var = re.split(r"[.\[]", path, maxsplit=1)[0]
        return "%s:%s" % (self.origins[var], path) if var in self.origins else path

    def domain_names(self) -> list[str]:
        return [canonical_domain(item["name"]) for _var, _index, item in joined(self.sources)]


def alias_limits(args: dict) -> AliasLimits:
    """The servers' Postfix alias limits given to a task (the store options of gestixi_mail)."""
    def number(name: str, default: int) -> int:
        try:
            return int(args.get(name) or default)
        except (TypeError, ValueError):
            raise AnsibleError("%s must be a whole number, got %r" % (name, args.get(name))) from None
    return AliasLimits(number("alias_expansion_limit", EXPANSION_LIMIT), number("alias_recursion_limit", RECURSION_LIMIT))


def check_host_description(templar, task_vars: dict, given: dict | None = None,
                           limits: AliasLimits = AliasLimits(), trusted_digest: str | None = None) -> CheckedDescription:
    """Read and check the description of the host (task_vars) or the variables given.

    given holds variables that Ansible already templated (a task argument): they are taken as
    they are, and their vaulted values found by their tags. trusted_digest: the digest an
    earlier gate of this run returned for this host; when the variables read now have that
    digest, they are the ones it found valid and are not checked again.
    """
    if given is not None and not isinstance(given, dict):
        raise AnsibleError("variables must be a mapping of variable names to values")
    raw = given if given is not None else task_vars
    names = [name for name in raw if isinstance(name, str) and name.startswith("gestix")]
    wanted = set(source_names(names)) | {PURGE_DOMAINS_VAR, ALLOW_PLAINTEXT_VAR, FILES_VAR}
    wanted |= {typo for typo, _meant in near_miss_vars(names)}

    resolver = _Resolver(templar)
    variables = {}
    for name in sorted(wanted):
        if name not in raw:
            continue
        if given is not None:
            variables[name] = raw[name]
            _find_vaulted(raw[name], name, resolver.vaulted)
        else:
            variables[name] = resolver.resolve(raw[name], name, name)
    files: list = []
    if given is None and FILES_VAR in variables:
        files, found = _description_files.find(variables[FILES_VAR], task_vars.get("inventory_dir"))
        resolver.problems.extend(found)
    reading_warnings = _description_files.read_as_inventory(files, task_vars.get("ansible_inventory_sources"))
    context = {"variables": sorted(variables), "vaulted": sorted(resolver.vaulted),
               "purge_domains": variables.get(PURGE_DOMAINS_VAR), "plaintext": variables.get(ALLOW_PLAINTEXT_VAR)}
    files_key = None
    if files and not resolver.problems:
        # The files' bytes and the inventory's part stand for the whole description.
        files_key = description_digest(CheckedDescription(variables, [], []).domains(), limits,
                                       dict(context, files=_description_files.files_digest(files)))
        remembered = _verdicts.recalled_facts(files_key)
        if remembered is not None and "gate_digest" in remembered:
            checked = CheckedDescription(variables, [], reading_warnings + remembered["warnings"], remembered.get("origins"))
            checked._files, checked._remembered = files, remembered  # pylint: disable=protected-access
            checked.digest, checked.trusted = remembered["gate_digest"], True
            return checked
    origins: dict[str, str] = {}
    if files and not resolver.problems:
        variables, origins, found = _load_files(files, variables)
        resolver.problems.extend(found)
        context["variables"] = sorted(variables)
    unchecked = CheckedDescription(variables, [], [], origins)  # its domains() are the module's argument
    digest = description_digest(unchecked.domains(), limits, context) if not resolver.problems else None
    if digest is not None and trusted_digest is not None and digest == trusted_digest:
        unchecked.digest, unchecked.trusted = digest, True
        return unchecked
    remembered_warnings = _verdicts.recalled(digest) if digest is not None else None
    if remembered_warnings is not None:  # found valid before, by this same code, today
        unchecked.digest, unchecked.trusted, unchecked.warnings = digest, True, reading_warnings + remembered_warnings
        return unchecked
    found, warnings = check_description(variables, vaulted=resolver.vaulted, limits=limits)
    for problem in found:
        problem.path, problem.item = unchecked.shown(problem.path), unchecked.shown(problem.item)
    reading = {problem.path for problem in resolver.problems}  # what reading found is said once
    found = [problem for problem in found if problem.path not in reading]
    warnings = [unchecked.shown(warning) for warning in warnings]
    problems = sorted(resolver.problems + found, key=lambda problem: path_sort_key(problem.path))
    checked = CheckedDescription(variables, problems, reading_warnings + warnings, origins)
    checked.digest = None if problems else digest
    checked._domains = unchecked._domains  # pylint: disable=protected-access
    if checked.digest is not None:
        _verdicts.record(checked.digest, warnings)
        if files_key is not None:
            result = checked.result()
            _verdicts.record(files_key, warnings, gate_digest=checked.digest, origins=origins, limits=list(limits),
                             converge_digest=checked.converge_digest(limits), sources=result["sources"],
                             counts=result["counts"], plaintext=checked.has_plaintext_passwords())
    return checked


def _load_files(files: list, variables: dict) -> tuple[dict, dict[str, str], list[InvalidItem]]:
    """The inventory's description variables joined with the files' (a variable is defined once),
    the file of each variable that came from one, and the problems of the files."""
    problems: list[InvalidItem] = []
    joined_variables = dict(variables)
    origins: dict[str, str] = {}
    for description_file in files:
        for name, value in description_file.load(problems).items():
            where = "%s:%s" % (description_file.shown, name)
            if not isinstance(name, str) or not (name == DESCRIPTION_VAR or name in source_names([name])):
                problems.append(problem_at(where, "is not a description variable: a description file holds "
                                           "gestixi_mail_domains and gestixi_mail_domains__<suffix> only"))
                continue
            if name in joined_variables:
                problems.append(problem_at(where, "is also defined in %s: give each variable once"
                                           % origins.get(name, "the inventory")))
                continue
            for path in _description_files.templates_in(value, name):
                problems.append(problem_at("%s:%s" % (description_file.shown, path),
                                           "looks like a template: description files are not templated (no "
                                           "variable, no Vault); give a password hash, or keep this item in "
                                           "the inventory form"))
            joined_variables[name] = value
            origins[name] = description_file.shown
    return joined_variables, origins, problems


# Exact built-in types: they carry no Ansible tag (Origin, TrustedAsTemplate, VaultedValue).
# Ansible 2.19 reads YAML into tagged subclasses (_AnsibleTaggedStr, ...): the reader turns them
# into these once, so that the checks and the module's arguments handle plain values.
_PLAIN_SCALARS = frozenset((str, int, float, bool, type(None)))
_JINJA2_OVERRIDE = "#jinja2:"  # a template may start with this header instead of a delimiter

# A YAML path is built only for a value that needs one (a template, a vaulted value): a
# 30,000-item description would otherwise format 160,000 paths per read. A lazy path is the
# text of the variable, or (parent, key or index, is_index).


def _path_text(path) -> str:
    if isinstance(path, str):
        return path
    parent, step, is_index = path
    return "%s[%d]" % (_path_text(parent), step) if is_index else yaml_path(_path_text(parent), step)


def _untagged(value):
    """The value as its exact built-in type (a tagged str, int, float or date from YAML)."""
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, bool) or not isinstance(value, (int, float, datetime.date)):
        return value  # bool cannot be subclassed; other types are kept as they are
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, datetime.datetime):
        return value
    return datetime.date(value.year, value.month, value.day)


class _Resolver:
    def __init__(self, templar) -> None:
        self.templar = templar
        self.problems: list[InvalidItem] = []
        self.vaulted: set[str] = set()

    def resolve(self, value, path, key: str):
        """Template value leaf by leaf, so that a problem names its YAML path (path: text or lazy).

        Returns plain dicts, lists and untagged scalars; a template or a vaulted value is
        resolved alone.
        """
        value_type = type(value)
        if value_type is str:
            if "{" not in value and not value.startswith(_JINJA2_OVERRIDE):
                return value  # neither a template nor vaulted (a plain str has no tag)
        elif value_type in _PLAIN_SCALARS:
            return value
        elif isinstance(value, dict):
            # An exact type test on purpose: Ansible's tagged strings are str subclasses.
            return {(k if type(k) is str else _untagged(k)): self.resolve(v, (path, k, False), k)  # pylint: disable=unidiomatic-typecheck
                    for k, v in value.items()}
        elif isinstance(value, (list, tuple)):
            return [self.resolve(v, (path, i, True), key) for i, v in enumerate(value)]
        if isinstance(value, str) and "{" not in value and not value.startswith(_JINJA2_OVERRIDE):
            templated = False  # what Templar.is_possibly_template answers, without its cost
        else:
            templated = self.templar.is_possibly_template(value)
        vaulted = value_type is not str and VaultHelper.get_ciphertext(value, with_tags=False) is not None
        if not templated and not vaulted:
            return _untagged(value)  # plain data: nothing to resolve
        try:
            resolved = self.templar.template(value)
        except AnsibleError as exc:
            detail = to_text(getattr(exc, "message", None) or exc).strip().splitlines() or ["unknown error"]
            self.problems.append(problem_at(_path_text(path), "cannot be resolved: %s" % detail[0]))
            return UNRESOLVED
        if key in SECRET_KEYS:
            # From Vault, or from a variable kept elsewhere (normally a vault file): not a
            # plain text written in the description itself.
            self.vaulted.add(_path_text(path))
        if isinstance(resolved, (dict, list, tuple)) and resolved is not value:
            return self.resolve(resolved, path, key)
        return resolved


def _find_vaulted(value, path, vaulted: set[str]) -> None:
    value_type = type(value)
    if value_type in _PLAIN_SCALARS:
        return  # no tag, so not vaulted
    if isinstance(value, dict):
        for k, v in value.items():
            _find_vaulted(v, (path, k, False), vaulted)
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            _find_vaulted(v, (path, i, True), vaulted)
    elif VaultHelper.get_ciphertext(value, with_tags=False) is not None:
        vaulted.add(_path_text(path))


def _plain(value):
    """Plain dicts, lists and scalars for the module's arguments; dates as text."""
    value_type = type(value)
    if value_type in _PLAIN_SCALARS:
        return value
    if isinstance(value, dict):
        return {(k if type(k) is str else _untagged(k)): _plain(v)  # pylint: disable=unidiomatic-typecheck
                for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value.isoformat()
    return _untagged(value)
