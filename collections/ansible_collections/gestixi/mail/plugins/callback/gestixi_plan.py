# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
name: gestixi_plan
type: aggregate
short_description: The plan of a gestixi.mail run, for every host, and as JSON for a pull request
version_added: 0.1.0
description:
  - Collects what the gestixi.mail modules create, change and remove on each host (their
    secret-free C(changes), and C(diff) in C(--diff) runs) and prints a concise plan at the end
    of the run, hosts with the same plan together.
  - The DNS records that M(gestixi.mail.gestixi_dns_check) finds not in step (C(playbooks/dns.yml))
    are part of the plan too, as C(DNS record) changes.
  - With O(json_file), writes the plan as JSON; C(tools/plan_summary.py) turns that file into a
    Markdown comment for a pull request. Problems of the mail description (from
    M(gestixi.mail.gestixi_description_validate)) and failures of gestixi.mail modules are
    recorded too, so that the comment explains a failed plan.
  - It never records anything but the modules' own return values, which hold no secret.
author:
  - gestixi.mail contributors (@gestixi)
requirements:
  - Enabled in C(callbacks_enabled) (ansible.cfg) or E(ANSIBLE_CALLBACKS_ENABLED=gestixi.mail.gestixi_plan).
options:
  json_file:
    description: Write the plan of the run to this file as JSON (mode 0600).
    type: path
    env:
      - name: GESTIXI_PLAN_JSON
    ini:
      - section: callback_gestixi_plan
        key: json_file
  markdown_file:
    description: Also write the Markdown summary (as C(tools/plan_summary.py) prints it) to this file.
    type: path
    env:
      - name: GESTIXI_PLAN_MARKDOWN
    ini:
      - section: callback_gestixi_plan
        key: markdown_file
  limit:
    description: Print at most this many changes per host (the JSON file has them all); V(0) prints all.
    type: int
    default: 500
    env:
      - name: GESTIXI_PLAN_LIMIT
    ini:
      - section: callback_gestixi_plan
        key: limit
  show:
    description: Print the plan at the end of the run.
    type: bool
    default: true
    env:
      - name: GESTIXI_PLAN_SHOW
    ini:
      - section: callback_gestixi_plan
        key: show
"""

import json
import os

from ansible import context
from ansible.plugins.callback import CallbackBase

from ansible_collections.gestixi.mail.plugins.plugin_utils._plan import (
    PLAN_FORMAT,
    changes_of,
    diffs_of,
    group_hosts,
    markdown,
    plan_lines,
)

WHOLE_MODULE = "gestixi.mail.gestixi_mail"
CONVERGE_MODULES = frozenset(["gestixi.mail.%s" % name for name in
                              ("gestixi_domain", "gestixi_user", "gestixi_alias", "gestixi_responder")]
                             + [WHOLE_MODULE, "gestixi.mail.gestixi_dns_check"])
VALIDATE_MODULE = "gestixi.mail.gestixi_description_validate"


def _action(task) -> str:
    try:
        resolved = task.resolved_action
    except AttributeError:  # pragma: no cover - ansible-core before 2.14
        resolved = None
    return resolved or task.action or ""


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "gestixi.mail.gestixi_plan"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, display=None, options=None) -> None:
        super().__init__(display=display, options=options)
        self._hosts: dict[str, dict] = {}
        self._playbook = ""

    def _host(self, name: str) -> dict:
        return self._hosts.setdefault(name, {"raw": [], "changes": [], "diffs": [], "failed": False,
                                             "problems": [], "errors": []})

    # -- events ---------------------------------------------------------------------------
    def v2_playbook_on_start(self, playbook) -> None:
        self._playbook = os.path.basename(getattr(playbook, "_file_name", "") or "")

    def v2_runner_on_ok(self, result) -> None:
        action = _action(result.task)
        if action not in CONVERGE_MODULES:
            return
        host = self._host(result.host.get_name())
        # Keep each result's own changes; they are merged at the end (an item created by one
        # task and completed by a later one is one creation).
        host["raw"].extend(changes_of([result.result]))
        host["diffs"].extend(diffs_of([result.result]))

    def v2_runner_on_failed(self, result, ignore_errors=False) -> None:
        if ignore_errors:
            return
        action = _action(result.task)
        host = self._host(result.host.get_name())
        host["failed"] = True
        data = result.result
        # gestixi_mail checks the description on the controller as the validate module does:
        # its problems then carry YAML paths.
        described = [p for p in data.get("problems") or [] if isinstance(p, dict) and "path" in p]
        if action == VALIDATE_MODULE or (action == WHOLE_MODULE and described):
            for problem in data.get("problems") or []:
                if problem not in host["problems"]:
                    host["problems"].append({"path": str(problem.get("path")), "message": str(problem.get("message"))})
        elif action.startswith("gestixi.mail."):
            # The gestixi.mail modules' messages name items and fields, never secrets.
            messages = [item.get("msg") for item in data.get("results") or [] if isinstance(item, dict) and item.get("failed")]
            for message in messages or [data.get("msg")]:
                if message:
                    host["errors"].append("%s: %s" % (result.task.get_name(), message))
        else:
            host["errors"].append("%s failed (see the job log)" % result.task.get_name())

    def v2_runner_on_unreachable(self, result) -> None:
        host = self._host(result.host.get_name())
        host["failed"] = True
        host["errors"].append("unreachable")

    # -- the end --------------------------------------------------------------------------
    def run_data(self) -> dict:
        hosts = {}
        for name, host in self._hosts.items():
            hosts[name] = {key: value for key, value in host.items() if key != "raw"}
            hosts[name]["changes"] = changes_of([{"changes": host["raw"]}])
        return {"format": PLAN_FORMAT, "playbook": self._playbook,
                "check_mode": bool(context.CLIARGS.get("check", False)), "hosts": hosts}

    def v2_playbook_on_stats(self, stats) -> None:
        run = self.run_data()
        if self.get_option("show") and run["hosts"]:
            self._display.banner("GESTIXI MAIL %s" % ("PLAN" if run["check_mode"] else "CHANGES"))
            for names, plan in group_hosts(run["hosts"]):
                who = ", ".join(names)
                if plan["failed"]:
                    self._display.display("%s: FAILED (%d problem(s) in the description, %d error(s))%s"
                                          % (who, len(plan["problems"]), len(plan["errors"]),
                                             "" if plan["changes"] else "; nothing was changed"))
                    if not plan["changes"]:
                        continue
                lines = plan_lines(plan["changes"], host=who, check_mode=run["check_mode"], indent="  ",
                                   limit=self.get_option("limit") or None)
                self._display.display("\n".join(lines))
        for option, render in (("json_file", lambda: json.dumps(run, indent=2, sort_keys=True) + "\n"),
                               ("markdown_file", lambda: markdown(run) + "\n")):
            path = self.get_option(option)
            if path:
                self._write(path, render())

    def _write(self, path: str, text: str) -> None:
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
        except OSError as exc:
            self._display.warning("gestixi_plan: cannot write %s: %s" % (path, exc))
