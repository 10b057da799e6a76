# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
name: zone_snippet
short_description: Write DNS records of mail domains as zone-file text
version_added: 0.1.0
description:
  - Takes what P(gestixi.mail.dns_records#filter) returns (one plan or a list of plans) and
    writes, for each domain, a zone-file snippet in RFC 1035 presentation format, with an
    C($ORIGIN) line, then each record with a comment saying what it is for, names relative
    to the domain, TXT strings quoted and split into strings of at most 255 bytes,
    international names in their A-label form.
  - Records that belong in another zone (a mail server's own A, AAAA and TLSA records when the
    server is named under another domain, the authorization of an external DMARC report
    address) follow, commented out, with their absolute names; then, commented, the records
    whose inputs are missing and the MTA-STS policy file.
  - The text is ready to paste into the domain's zone (it has no SOA or NS records).
author:
  - gestixi.mail contributors (@gestixi)
options:
  _input:
    description: One plan or a list of plans of P(gestixi.mail.dns_records#filter).
    type: raw
    required: true
"""

EXAMPLES = r"""
- name: Write the records of every domain to a file, for the DNS administrator
  ansible.builtin.copy:
    dest: "exported/{{ inventory_hostname }}.zone.txt"
    content: >-
      {{ gestixi_mail_domains
         | gestixi.mail.dns_records(servers=[server_hostname], webmail=server_hostname)
         | gestixi.mail.zone_snippet }}
    mode: "0644"
  delegate_to: localhost
"""

RETURN = r"""
_value:
  description: The zone-file text, one section per domain, each ending with a line break.
  type: str
  sample: |
    ; gestixi.mail: the mail DNS records of example.org
    $ORIGIN example.org.
    ; MX: the hosts that receive mail for example.org, in order of preference
    @                  3600 IN MX    10 mail1.example.org.
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.gestixi.mail.plugins.plugin_utils._dns_records import zone_snippet


def _zone_snippet(plans):
    if isinstance(plans, dict):
        plans = [plans]
    if not isinstance(plans, (list, tuple)) or not all(
            isinstance(plan, dict) and {"domain", "records", "missing"} <= set(plan) for plan in plans):
        raise AnsibleFilterError("zone_snippet needs what gestixi.mail.dns_records returns")
    return zone_snippet(list(plans))


class FilterModule:
    def filters(self):
        return {"zone_snippet": _zone_snippet}
