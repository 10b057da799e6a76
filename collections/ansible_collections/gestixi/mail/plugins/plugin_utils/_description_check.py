# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The host's mail description, read and checked on the controller: the gate before any host.

check_description = structure (_description_schema) + meaning (_description_meaning) over the
variables found by _description_sources; report() is the one text of every problem.

Shared by gestixi_description_validate (check only) and gestixi_mail (check, then converge).
The description variables are read from the task's variables and templated leaf by leaf:
plain data is taken as it is (10,000 users stay fast), a template or a vaulted value is
resolved alone, so that a problem names its YAML path and a password is known to come from
Vault (or from a variable kept elsewhere) rather than from plain text in the description.
"""
from __future__ import annotations

import datetime

from ansible.errors import AnsibleError
from ansible.module_utils.common.text.converters import to_text
from ansible.parsing.vault import VaultHelper

from ansible_collections.gestixi.mail.plugins.module_utils._errors import InvalidItem
from ansible_collections.gestixi.mail.plugins.module_utils.rules._address import canonical_domain
from ansible_collections.gestixi.mail.plugins.plugin_utils._description_meaning import MeaningChecker
from ansible_collections.gestixi.mail.plugins.plugin_utils._description_schema import SchemaChecker, load_schema
from ansible_collections.gestixi.mail.plugins.plugin_utils._description_sources import (
    ALLOW_PLAINTEXT_VAR,
    DESCRIPTION_VAR,
    PURGE_DOMAINS_VAR,
    UNRESOLVED,
    joined,
    near_miss_vars,
    path_sort_key,
    source_names,
    summary,
    yaml_path,
)

SECRET_KEYS = frozenset(("password",))  # values that must not be literal plain text


def check_description(variables: dict, vaulted: set[str] | None = None,
                      today: datetime.date | None = None,
                      schema: dict | None = None) -> tuple[list[InvalidItem], list[str]]:
    """(problems, warnings) of the description held by variables (name -> templated value).

    variables holds at least every gestixi_mail_* variable of the host. vaulted names the
    YAML paths of password values that come from Ansible Vault.
    """
    problems: list[InvalidItem] = []
    warnings: list[str] = []
    schema = schema if schema is not None else load_schema()
    checker = SchemaChecker(schema)
    names = list(variables)
    for typo, meant in near_miss_vars(names):
        problems.append(InvalidItem(typo, None, "unknown variable (did you mean %s?)" % meant))
    sources = [(name, variables[name]) for name in source_names(names)]
    if not sources:
        problems.append(InvalidItem(DESCRIPTION_VAR, None, "is not defined for this host: put the "
                                    "mail description in the inventory (group_vars/mail/)"))
    top = schema["properties"]
    for name, value in sources:
        node = top[DESCRIPTION_VAR]
        checker.check(value, node, name, problems)
    for name in (PURGE_DOMAINS_VAR, ALLOW_PLAINTEXT_VAR):
        if name in variables:
            checker.check(variables[name], {"type": "boolean"}, name, problems)
    allow_plaintext = variables.get(ALLOW_PLAINTEXT_VAR) is True
    meaning = MeaningChecker(problems, warnings, vaulted or set(), allow_plaintext,
                             today or datetime.date.today())
    meaning.check(sources)
    if variables.get(PURGE_DOMAINS_VAR) is True and sources and not any(True for _entry in joined(sources)):
        warnings.append("%s is true and the description names no domain: every domain of the store "
                        "will be removed, with its users, aliases and automatic replies" % PURGE_DOMAINS_VAR)
    problems.sort(key=lambda p: path_sort_key(p.item))
    return problems, warnings


def report(problems: list[InvalidItem]) -> str:
    """The one message listing every problem."""
    head = ("The mail description has %d problem%s; nothing was changed on any server:"
            % (len(problems), "" if len(problems) == 1 else "s"))
    return "\n".join([head] + ["  - %s" % problem for problem in problems])


class CheckedDescription:
    """The outcome of the check: the task result's fields, and the description when valid."""

    def __init__(self, variables: dict, problems: list[InvalidItem], warnings: list[str]) -> None:
        self.variables = variables
        self.problems = problems
        self.warnings = warnings
        self.sources = [(name, variables.get(name)) for name in source_names(list(variables))]

    @property
    def valid(self) -> bool:
        return not self.problems

    def name_after_option(self, option: str) -> None:
        """Problems and warnings of a description given as a task option, named after it."""
        def renamed(path: str) -> str:
            return option + path[len(DESCRIPTION_VAR):] if path.startswith(DESCRIPTION_VAR) else path

        for problem in self.problems:
            problem.item = renamed(problem.item)
            problem.message = problem.message.replace(DESCRIPTION_VAR + "[", option + "[")
        self.warnings = [renamed(warning) for warning in self.warnings]

    def domains(self) -> list[dict]:
        """The joined domains of every source, with YAML dates as YYYY-MM-DD text."""
        return [_plain(item) for _var, _index, item in joined(self.sources)]

    def result(self) -> dict:
        """sources, counts, warnings and, on failure, failed/problems/msg."""
        result = {"sources": [name for name, _value in self.sources], "counts": summary(self.sources)}
        if self.warnings:
            result["warnings"] = list(self.warnings)
        if self.problems:
            result["failed"] = True
            result["problems"] = [{"path": p.item, "message": p.message} for p in self.problems]
            result["msg"] = report(self.problems)
        return result

    def domain_names(self) -> list[str]:
        return [canonical_domain(item["name"]) for _var, _index, item in joined(self.sources)]


def check_host_description(templar, task_vars: dict, given: dict | None = None) -> CheckedDescription:
    """Read and check the description of the host (task_vars) or the variables given.

    given holds variables that Ansible already templated (a task argument): they are taken as
    they are, and their vaulted values found by their tags.
    """
    if given is not None and not isinstance(given, dict):
        raise AnsibleError("variables must be a mapping of variable names to values")
    raw = given if given is not None else task_vars
    names = [name for name in raw if isinstance(name, str) and name.startswith("gestix")]
    wanted = set(source_names(names)) | {PURGE_DOMAINS_VAR, ALLOW_PLAINTEXT_VAR}
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
    found, warnings = check_description(variables, vaulted=resolver.vaulted)
    problems = sorted(resolver.problems + found, key=lambda problem: path_sort_key(problem.item))
    return CheckedDescription(variables, problems, warnings)


class _Resolver:
    def __init__(self, templar) -> None:
        self.templar = templar
        self.problems: list[InvalidItem] = []
        self.vaulted: set[str] = set()

    def resolve(self, value, path: str, key: str):
        """Template value leaf by leaf, so that a problem names its YAML path."""
        if isinstance(value, dict):
            return {k: self.resolve(v, yaml_path(path, k), k) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.resolve(v, "%s[%d]" % (path, i), key) for i, v in enumerate(value)]
        templated = self.templar.is_possibly_template(value)
        vaulted = VaultHelper.get_ciphertext(value, with_tags=False) is not None
        if not templated and not vaulted:
            return value  # plain data: nothing to resolve
        try:
            resolved = self.templar.template(value)
        except AnsibleError as exc:
            detail = to_text(getattr(exc, "message", None) or exc).strip().splitlines() or ["unknown error"]
            self.problems.append(InvalidItem(path, None, "cannot be resolved: %s" % detail[0]))
            return UNRESOLVED
        if key in SECRET_KEYS:
            # From Vault, or from a variable kept elsewhere (normally a vault file): not a
            # plain text written in the description itself.
            self.vaulted.add(path)
        if isinstance(resolved, (dict, list, tuple)) and resolved is not value:
            return self.resolve(resolved, path, key)
        return resolved


def _find_vaulted(value, path: str, vaulted: set[str]) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            _find_vaulted(v, yaml_path(path, k), vaulted)
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            _find_vaulted(v, "%s[%d]" % (path, i), vaulted)
    elif VaultHelper.get_ciphertext(value, with_tags=False) is not None:
        vaulted.add(path)


def _plain(value):
    """Plain dicts, lists and scalars for the module's arguments; dates as text."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value.isoformat()
    return value
