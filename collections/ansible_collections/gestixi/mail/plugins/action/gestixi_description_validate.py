# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Check the host's mail description on the controller; the documentation is in the module stub."""
from __future__ import annotations

from ansible.errors import AnsibleError
from ansible.module_utils.common.text.converters import to_text
from ansible.parsing.vault import VaultHelper
from ansible.plugins.action import ActionBase

from ansible_collections.gestixi.mail.plugins.module_utils._description import (
    ALLOW_PLAINTEXT_VAR,
    PURGE_DOMAINS_VAR,
    UNRESOLVED,
    check_description,
    joined,
    near_miss_vars,
    path_sort_key,
    report,
    source_names,
    summary,
    yaml_path,
)
from ansible_collections.gestixi.mail.plugins.module_utils._address import canonical_domain
from ansible_collections.gestixi.mail.plugins.module_utils._errors import InvalidItem

SECRET_KEYS = frozenset(("password",))  # values that must not be literal plain text


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False
    _VALID_ARGS = frozenset(("variables",))

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super().run(tmp, task_vars)
        del tmp

        given = self._task.args.get("variables")
        if given is not None and not isinstance(given, dict):
            raise AnsibleError("variables must be a mapping of variable names to values")
        raw = given if given is not None else task_vars
        names = [name for name in raw if isinstance(name, str) and name.startswith("gestix")]
        wanted = set(source_names(names)) | {PURGE_DOMAINS_VAR, ALLOW_PLAINTEXT_VAR}
        wanted |= {typo for typo, _meant in near_miss_vars(names)}

        problems: list[InvalidItem] = []
        vaulted: set[str] = set()
        variables = {}
        for name in sorted(wanted):
            if name in raw:
                # Variables given as the task's argument are already templated.
                value = raw[name] if given is not None else self._resolve(raw[name], name, name, problems, vaulted)
                variables[name] = value
                if given is not None:
                    self._find_vaulted(value, name, vaulted)

        found, warnings = check_description(variables, vaulted=vaulted)
        problems = sorted(problems + found, key=lambda problem: path_sort_key(problem.item))
        sources = [(name, variables.get(name)) for name in source_names(list(variables))]
        result["sources"] = [name for name, _value in sources]
        result["counts"] = summary(sources)
        result["changed"] = False
        if warnings:
            result["warnings"] = warnings
        if problems:
            result["failed"] = True
            result["problems"] = [{"path": p.item, "message": p.message} for p in problems]
            result["msg"] = report(problems)
            return result
        result["domains"] = [canonical_domain(item["name"]) for _var, _index, item in joined(sources)]
        counts = result["counts"]
        result["msg"] = ("The mail description is valid: %(domains)d domain(s), %(users)d user(s), "
                         "%(aliases)d alias(es), %(responders)d automatic reply(ies)" % counts)
        return result

    def _resolve(self, value, path: str, key: str, problems: list[InvalidItem], vaulted: set[str]):
        """Template value leaf by leaf, so that a problem names its YAML path."""
        if isinstance(value, dict):
            return {k: self._resolve(v, yaml_path(path, k), k, problems, vaulted) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self._resolve(v, "%s[%d]" % (path, i), key, problems, vaulted) for i, v in enumerate(value)]
        templated = self._templar.is_possibly_template(value)
        if not templated and VaultHelper.get_ciphertext(value, with_tags=False) is None:
            return value  # plain data: nothing to resolve (10,000 users stay fast)
        try:
            resolved = self._templar.template(value)
        except AnsibleError as exc:
            detail = to_text(getattr(exc, "message", None) or exc).strip().splitlines() or ["unknown error"]
            problems.append(InvalidItem(path, None, "cannot be resolved: %s" % detail[0]))
            return UNRESOLVED
        if key in SECRET_KEYS and (templated or VaultHelper.get_ciphertext(value, with_tags=False) is not None):
            # From Vault, or from a variable kept elsewhere (normally a vault file): not a
            # plain text written in the description itself.
            vaulted.add(path)
        if isinstance(resolved, (dict, list, tuple)) and resolved is not value:
            return self._resolve(resolved, path, key, problems, vaulted)
        return resolved

    @staticmethod
    def _find_vaulted(value, path: str, vaulted: set[str]) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                ActionModule._find_vaulted(v, yaml_path(path, k), vaulted)
        elif isinstance(value, (list, tuple)):
            for i, v in enumerate(value):
                ActionModule._find_vaulted(v, "%s[%d]" % (path, i), vaulted)
        elif VaultHelper.get_ciphertext(value, with_tags=False) is not None:
            vaulted.add(path)
