# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read and check the mail description on the controller, then converge it on the host.

Reading the description variables here, rather than templating them into the task's
arguments, is what makes a large description fast: Ansible's templating of a task argument
copies every item of a 30,000-item description (seconds), the leaf-by-leaf read does not.
"""
from __future__ import annotations

from ansible.plugins.action import ActionBase

from ansible_collections.gestixi.mail.plugins.plugin_utils._description_sources import (
    ALLOW_PLAINTEXT_VAR,
    DESCRIPTION_VAR,
    PURGE_DOMAINS_VAR,
)
from ansible_collections.gestixi.mail.plugins.module_utils._errors import InvalidItem
from ansible_collections.gestixi.mail.plugins.plugin_utils._description_check import alias_limits, check_host_description

MODULE = "gestixi.mail.gestixi_mail"


class ActionModule(ActionBase):
    TRANSFERS_FILES = False

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super().run(tmp, task_vars)
        del tmp

        module_args = dict(self._task.args)
        given = None
        if module_args.get("domains") is not None:
            # A description given in the task: only the plain-text switch comes from the host.
            given = {DESCRIPTION_VAR: module_args["domains"]}
            if ALLOW_PLAINTEXT_VAR in task_vars:
                given[ALLOW_PLAINTEXT_VAR] = self._templar.template(task_vars[ALLOW_PLAINTEXT_VAR])
        limits = alias_limits(module_args)
        checked = check_host_description(self._templar, task_vars, given, limits=limits,
                                         trusted_digest=module_args.pop("gate_digest", None))
        if given is not None:
            checked.name_after_option("domains")  # the task's own option, not a variable
        checked_result = checked.result()
        if given is not None:
            del checked_result["sources"]
        if not checked.valid:
            result.update(checked_result, changed=False)
            return result
        # What the gate found valid, so that the host need not check the description's own
        # rules again (it still checks everything against its store).
        module_args["checked_digest"] = checked.converge_digest(limits)
        if module_args.get("purge_domains") is None:
            module_args["purge_domains"] = checked.variables.get(PURGE_DOMAINS_VAR) is True
        module_args.pop("domains", None)
        answer = {}
        if not checked.has_plaintext_passwords():
            # First ask whether the store already holds this very description (its record):
            # an unchanged re-run then costs one small call, not 10,000 users sent and planned.
            answer = self._execute_module(module_name=MODULE, module_args=module_args, task_vars=task_vars)
        if not answer.get("converged"):
            # Only now are description files loaded, when their verdict was remembered.
            module_args["domains"] = checked.domains()
            answer = self._execute_module(module_name=MODULE, module_args=module_args, task_vars=task_vars)
            answer.setdefault("converged", False)
        result.update(answer)
        # The host names its problems under its option (domains[12].users[3]); name them at
        # the variable the operator wrote them in, as the gate does.
        problems = [p for p in result.get("problems") or [] if isinstance(p, dict)] if given is None else []
        if any(problem.get("path") for problem in problems):
            for problem in problems:
                if problem.get("path"):
                    problem["path"] = checked.source_path(problem["path"])
            result["msg"] = "; ".join(str(InvalidItem(p.get("item"), p.get("field"), p.get("message"), path=p.get("path")))
                                      for p in problems)
        if given is None:
            result["sources"] = checked_result["sources"]
        if checked.warnings:
            result["warnings"] = checked.warnings + list(result.get("warnings") or [])
        return result
