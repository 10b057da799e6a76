# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
name: plan_lines
short_description: A concise plan from the results of gestixi.mail module tasks
version_added: 0.1.0
description:
  - Takes registered results of gestixi.mail converge tasks (loops included) and returns one
    headline (how many items are created, changed, removed) followed by one line per change,
    for example C(+ user bob@example.org), C(~ alias contact@example.org (to)) or
    C(- responder alice@example.org/holidays).
  - Only the modules' secret-free C(changes) are used.
author:
  - gestixi.mail contributors (@gestixi)
options:
  _input:
    description: Registered task results.
    type: list
    elements: dict
    required: true
  host:
    description: Host name shown in the headline.
    type: str
  check_mode:
    description: V(true) says C(Plan ...), V(false) says C(Applied ...).
    type: bool
    default: true
  limit:
    description:
      - At most this many change lines, then C(... and N more change(s)). V(0) shows them all.
    type: int
    default: 200
"""

EXAMPLES = r"""
- name: Show what the run changes
  ansible.builtin.debug:
    msg: "{{ [domains_result, users_result] | gestixi.mail.plan_lines(host=inventory_hostname, check_mode=ansible_check_mode) }}"
"""

RETURN = r"""
_value:
  description: The headline, then one line per change (sorted by kind, action and name).
  type: list
  elements: str
"""

from ansible_collections.gestixi.mail.plugins.plugin_utils._plan import changes_of, plan_lines


def _plan_lines(results, host=None, check_mode=True, limit=200):
    if isinstance(results, dict):
        results = [results]
    return plan_lines(changes_of(results or []), host=host, check_mode=bool(check_mode), limit=int(limit) or None)


class FilterModule:
    def filters(self):
        return {"plan_lines": _plan_lines}
