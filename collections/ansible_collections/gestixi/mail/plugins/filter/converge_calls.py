# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
name: converge_calls
short_description: Turn a checked mail description into the options of each module call
version_added: 0.1.0
description:
  - Takes the list of domains of a mail description (C(gestixi_mail_domains), already checked by
    M(gestixi.mail.gestixi_description_validate)) and returns, for each domain, the options of
    the module calls that converge it, in the modules' own words.
  - The description is exact. A field left out takes the value a new item gets (no catch-all,
    time zone V(UTC), unlimited quota, enabled, an automatic reply without dates answers
    every day, C(days=7)); only a user's O(_input[].users[].password) is kept when not given.
  - A user's automatic replies become items of the domain's
    M(gestixi.mail.gestixi_responder) call with C(login); the domain-wide ones get
    C(all_users=true). Dates written as YAML dates become C(YYYY-MM-DD) text, and the text of
    a reply (C(message) in the description) becomes the module's
    O(gestixi.mail.gestixi_responder#module:body).
author:
  - gestixi.mail contributors (@gestixi)
options:
  _input:
    description: The domains of the description.
    type: list
    elements: dict
    required: true
"""

EXAMPLES = r"""
- name: Converge the users of every domain, one call per domain
  gestixi.mail.gestixi_user:
    domain: "{{ item.name }}"
    users: "{{ item.users }}"
  loop: "{{ gestixi_mail_domains | gestixi.mail.converge_calls }}"
  loop_control:
    label: "{{ item.name }}"
"""

RETURN = r"""
_value:
  description:
    - One entry per domain with C(name), C(purge), C(domain) (name and time zone for
      M(gestixi.mail.gestixi_domain)), C(catchall) (name and catch-all), C(users) (with
      passwords, never print it), C(logins) (the users without any other field, for a purge),
      C(aliases) and C(responders); C(path) (the domain's place in the list, C(domains[0])) and
      C(origins) (for C(users), C(aliases) and C(responders), the place of each item in the
      description, so that a problem the host finds is named where the operator wrote it).
  type: list
  elements: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.gestixi.mail.plugins.module_utils.converge._translate import converge_calls


def _converge_calls(domains):
    if domains is None:
        return []
    if not isinstance(domains, (list, tuple)) or not all(isinstance(d, dict) and "name" in d for d in domains):
        raise AnsibleFilterError("converge_calls needs the list of domains of a checked mail description")
    return converge_calls(list(domains))


class FilterModule:
    def filters(self):
        return {"converge_calls": _converge_calls}
