#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: gestixi_dns_check
short_description: Compare the DNS records the mail domains need with what a DNS server answers
version_added: 0.1.0
description:
  - Asks one DNS server (the primary of the domains' zones) for every record of the DNS plans
    that P(gestixi.mail.dns_records#filter) computes, and returns each record that is missing,
    differs (values or TTL) or, retired (an old DKIM key past its C(until) day), is still
    published. That list is the DNS part of a pull request's plan, and the drift check of a
    running deployment.
  - Values are compared as DNS data (parsed by dnspython), so that case, quoting, the split of
    long TXT strings and the order of an RRset are not drift.
  - Read-only. The playbook C(playbooks/dns.yml) pushes the drift to an RFC 2136 server with
    M(community.general.nsupdate).
author:
  - gestixi.mail contributors (@gestixi)
requirements:
  - dnspython (python3-dnspython on Debian) where the module runs
attributes:
  check_mode:
    support: full
    description: The module only reads; it runs the same in check mode.
  diff_mode:
    support: none
    description: RV(drift) holds the planned and the live values of each record.
  idempotent:
    support: full
    description: Asking changes nothing.
options:
  plans:
    description: The plans of the P(gestixi.mail.dns_records#filter) filter (a list, one per domain).
    type: list
    elements: dict
    required: true
  server:
    description: The DNS server asked, an IP address (its own data is asked, without recursion).
    type: str
    required: true
  port:
    description: Its port.
    type: int
    default: 53
  timeout:
    description: Seconds to wait for each answer.
    type: float
    default: 3.0
  zones:
    description:
      - The zones the server is the primary of. A record in none of them is not asked (it is
        another operator's to publish, for example a mail server's A record in a provider's zone)
        and is listed in RV(not_checked). Every record is asked when not given.
    type: list
    elements: str
seealso:
  - plugin: gestixi.mail.dns_records
    plugin_type: filter
  - module: community.general.nsupdate
"""

EXAMPLES = r"""
- name: Compare the mail domains' records with the primary DNS server
  gestixi.mail.gestixi_dns_check:
    plans: "{{ gestixi_mail_domains | gestixi.mail.dns_records(servers=['mail.example.org']) }}"
    server: 192.0.2.53
    zones: [example.org, example.net]
  delegate_to: localhost
  register: dns_check

- name: Fail when the DNS is not in step with the description
  ansible.builtin.assert:
    that: dns_check.drift | length == 0
    fail_msg: "{{ dns_check.drift | map(attribute='name') | join(', ') }} drifted"
"""

RETURN = r"""
drift:
  description:
    - The records not as planned, in the plans' order. C(problem) is V(missing), V(differs) or
      V(retired) (published, but no longer wanted); C(zone) the zone it belongs to (when
      O(zones) is given); C(ttl) and C(values) what is planned; C(live) what the server answers
      (C(ttl) null and C(values) empty when it has none).
  returned: always
  type: list
  elements: dict
  sample:
    - {name: s2027._domainkey.example.org., type: TXT, problem: missing, zone: example.org., ttl: 3600,
       values: ['"v=DKIM1; k=rsa; p=MIIB..."'], about: "DKIM key s2027 (published before it signs)",
       live: {ttl: null, values: []}}
changes:
  description:
    - RV(drift) as changes of the pull request's plan, in the converge modules' form, which the
      callback P(gestixi.mail.gestixi_plan#callback) collects. V(create) is a missing record,
      V(update) one that differs, V(remove) a retired one; C(key) is the name and type.
  returned: always
  type: list
  elements: dict
  sample: [{action: create, kind: DNS record, key: s2027._domainkey.example.org. TXT}]
in_step:
  description: How many records the server answers as planned.
  returned: always
  type: int
  sample: 27
not_checked:
  description: The records outside O(zones) (name, type, about), not asked.
  returned: always
  type: list
  elements: dict
  sample: [{name: mail1.example.com., type: A, about: the mail server mail1.example.com}]
"""

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.gestixi.mail.plugins.module_utils._errors import MailStateError
from ansible_collections.gestixi.mail.plugins.module_utils.converge._runner import fail
from ansible_collections.gestixi.mail.plugins.module_utils.live_dns._drift import HAS_DNSPYTHON, check, wanted_records


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "plans": {"type": "list", "elements": "dict", "required": True},
            "server": {"type": "str", "required": True},
            "port": {"type": "int", "default": 53},
            "timeout": {"type": "float", "default": 3.0},
            "zones": {"type": "list", "elements": "str"},
        },
        supports_check_mode=True,
    )
    if not HAS_DNSPYTHON:
        module.fail_json(msg=missing_required_lib("dnspython (python3-dnspython)"))
    params = module.params
    try:
        result = check(wanted_records(params["plans"]), params["server"], params["port"], params["timeout"],
                       params["zones"])
    except MailStateError as exc:
        fail(module, exc)
    else:
        module.exit_json(changed=False, **result)


if __name__ == "__main__":
    main()
