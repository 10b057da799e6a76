# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
name: dns_plan_line
short_description: One line of the DNS plan, for a record that drifted or waits for an input
version_added: 0.1.0
description:
  - Takes one item of the C(drift) of M(gestixi.mail.gestixi_dns_check) and returns a line of the
    plan, C(+) for a record to add, C(~) for one to change (with what the server answers now),
    C(-) for one to withdraw; long values are shortened.
  - Takes one item of the C(missing) of P(gestixi.mail.dns_records#filter) too, as a C(?) line
    with what the record needs.
author:
  - gestixi.mail contributors (@gestixi)
options:
  _input:
    description: A drift item or a missing record.
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Show the DNS plan
  ansible.builtin.debug:
    msg: "{{ dns_check.drift | map('gestixi.mail.dns_plan_line') | list }}"
"""

RETURN = r"""
_value:
  description: The line.
  type: str
  sample: '~ MX example.org. 10 mail1.example.org. (now: 10 old.example.org.)'
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.gestixi.mail.plugins.plugin_utils._dns_records import dns_plan_line


def _dns_plan_line(item):
    if not isinstance(item, dict) or "name" not in item or "type" not in item:
        raise AnsibleFilterError("dns_plan_line: expected a drift item of gestixi_dns_check or a missing record, got %r"
                                 % (item,))
    return dns_plan_line(item)


class FilterModule:
    def filters(self):
        return {"dns_plan_line": _dns_plan_line}
