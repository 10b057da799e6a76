# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Check the host's mail description on the controller; the documentation is in the module stub."""
from __future__ import annotations

import datetime

from ansible.plugins.action import ActionBase

from ansible_collections.gestixi.mail.plugins.module_utils.rules._dns import dkim_keys_wanted
from ansible_collections.gestixi.mail.plugins.module_utils.rules._senders import sender_maps

from ansible_collections.gestixi.mail.plugins.plugin_utils._description_check import alias_limits, check_host_description


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False
    _VALID_ARGS = frozenset(("variables", "alias_expansion_limit", "alias_recursion_limit", "gate_digest"))

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super().run(tmp, task_vars)
        del tmp

        args = self._task.args
        checked = check_host_description(self._templar, task_vars, args.get("variables"),
                                         limits=alias_limits(args), trusted_digest=args.get("gate_digest"))
        result.update(checked.result())
        result["changed"] = False
        if not checked.valid:
            return result
        result["domains"] = checked.domain_names()
        domains = checked.domains()
        result["dkim"] = dkim_keys_wanted(domains, datetime.date.today().isoformat())
        # The text of the servers' rspamd maps of allowed and blocked senders.
        result["senders"] = sender_maps(domains)
        # What the DNS records are computed from (gestixi.mail.dns_records), without the mailboxes.
        result["dns_domains"] = [{key: item[key] for key in ("name", "dns", "dkim") if key in item} for item in domains]
        counts = result["counts"]
        result["msg"] = ("The mail description is valid: %(domains)d domain(s), %(users)d user(s), "
                         "%(aliases)d alias(es), %(responders)d automatic reply(ies)" % counts)
        return result
