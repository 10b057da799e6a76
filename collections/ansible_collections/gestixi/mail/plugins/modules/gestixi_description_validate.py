#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: gestixi_description_validate
short_description: Check the whole mail description before any mail server is touched
version_added: 0.1.0
description:
  - Checks the mail description of a host (C(gestixi_mail_domains) and every
    C(gestixi_mail_domains__<suffix>) variable, joined in name order) on the controller,
    without connecting to the host.
  - "Structure: the JSON Schema shipped in the collection (C(meta/description.schema.json),
    the file editors use) is applied: unknown keys (with a suggestion for a typo), wrong types
    (an unquoted C(no) is a yes/no value, not text), missing keys, empty text, malformed quotas
    and dates. YAML dates (C(2026-12-20) without quotes) are accepted where a date is wanted."
  - "Meaning: domain names, logins and addresses are valid; no domain, user, alias or
    automatic reply is declared twice; an alias does not have the address of a user; every
    recipient and catch-all address in a described domain exists; aliases do not loop and stay
    within the servers' Postfix alias limits (O(alias_expansion_limit), O(alias_recursion_limit)); an
    alias or user placed under the wrong domain, or in a domain that is not declared, is
    refused; dates are real and the end is not before the start; an enabled automatic reply
    has a subject and a message; time zones exist; ready password hashes are well formed; a
    domain's allowed and blocked senders are mail addresses or domain names, each listed once,
    in one list only, at most 1000 per list."
  - A plain-text password is refused unless it comes from Ansible Vault (or
    C(gestixi_mail_allow_plaintext_passwords=true)), so that no plain text is committed to Git.
  - Every problem is reported at once, each naming its YAML path, for example
    C(gestixi_mail_domains[0].aliases[3].to[1]). No message quotes a password.
  - Used by the role M(gestixi.mail.state) (and the playbooks C(mail.yml) and C(site.yml)) as
    the first task, with C(any_errors_fatal), so that no server is changed when any host's
    description has a problem.
author:
  - gestixi.mail contributors (@gestixi)
attributes:
  check_mode:
    support: full
    description: Only reads variables; it runs the same in check mode.
  diff_mode:
    support: none
    description: It changes nothing, so there is nothing to show.
  idempotent:
    support: full
    description: It changes nothing.
  platform:
    support: full
    platforms: all
    description: Runs on the controller only (an action plugin); the host is not contacted.
options:
  variables:
    description:
      - Check these variables (name to value) instead of the host's own variables. Only
        C(gestixi_mail_domains), C(gestixi_mail_domains__<suffix>),
        C(gestixi_mail_purge_domains) and C(gestixi_mail_allow_plaintext_passwords) are read.
    type: dict
  alias_expansion_limit:
    description:
      - Postfix's C(virtual_alias_expansion_limit) on the servers. An alias of the description
        that expands to more addresses is refused here, with the words and at the path the host
        would use, before any server is touched.
    type: int
    default: 1000
  gate_digest:
    description:
      - The RV(digest) an earlier check of this host returned in the same run. When the description
        read now has that digest, it is the one found valid and is not checked again.
    type: str
  alias_recursion_limit:
    description:
      - Postfix's C(virtual_alias_recursion_limit) on the servers; aliases nested this deep are
        refused here.
    type: int
    default: 1000
notes:
  - Runs on the controller with the controller's Python; the hash checks use passlib (C(libpass))
    when it is installed there, and are left to M(gestixi.mail.gestixi_user) otherwise.
  - The schema is C(meta/description.schema.json) in the collection; point an editor at it (see
    the collection's C(docs/gitops.md)) to get completion and the same structural checks.
seealso:
  - module: gestixi.mail.gestixi_domain
  - module: gestixi.mail.gestixi_user
"""

EXAMPLES = r"""
- name: Check the host's mail description (no change, no connection)
  gestixi.mail.gestixi_description_validate:
  any_errors_fatal: true

- name: Check a description read from a file
  gestixi.mail.gestixi_description_validate:
    variables: "{{ lookup('ansible.builtin.file', 'mail.yml') | from_yaml }}"
"""

RETURN = r"""
msg:
  description: One line when the description is valid; every problem, one per line, when not.
  returned: always
  type: str
  sample: "The mail description is valid: 2 domain(s), 10 user(s), 5 alias(es), 4 automatic reply(ies)"
problems:
  description:
    - Each problem with its YAML path (C(path)), the item and the field it is about, and its message
      (the same shape as the problems of the modules).
  returned: failure
  type: list
  elements: dict
  sample: [{"path": "gestixi_mail_domains[0].aliases[3].to[1]", "item": "gestixi_mail_domains[0].aliases[3]",
            "field": "to[1]",
            "message": "carol@example.org does not exist: it is neither a user nor an alias of example.org"}]
sources:
  description: The variables the description was read from, in the order they are joined.
  returned: always
  type: list
  elements: str
  sample: ["gestixi_mail_domains", "gestixi_mail_domains__shop"]
counts:
  description: How many domains, users, aliases and automatic replies the description declares.
  returned: always
  type: dict
  sample: {"domains": 2, "users": 10, "aliases": 5, "responders": 4}
digest:
  description:
    - A digest of the valid description as read (with the limits and what else the verdict depends
      on). Give it to a later check or to M(gestixi.mail.gestixi_mail) as O(gestixi.mail.gestixi_mail#module:gate_digest)
      so that the same description is not checked twice in one run.
  returned: success
  type: str
  sample: 3f0c9a0e5a4c0f0c1c2b7d7e3b1d6f4a9e8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d
domains:
  description: The declared domains, in their stored (lower-case ASCII) form.
  returned: success
  type: list
  elements: str
  sample: ["example.org", "xn--bcher-kva.example"]
dns_domains:
  description:
    - Each domain's C(name), C(dns) and C(dkim) as described, the input of the
      P(gestixi.mail.dns_records#filter) filter (the whole description without its mailboxes).
  returned: success
  type: list
  elements: dict
  sample: [{name: example.org, dns: {dmarc: {policy: reject}}, dkim: {selector: s2026}}]
dkim:
  description:
    - The DKIM keys each mail server keeps for the declared domains, on the controller's today
      (old selectors are published until their C(until) day), the O(gestixi.mail.gestixi_dkim_keys#module:domains)
      of M(gestixi.mail.gestixi_dkim_keys).
    - Per domain C(name) (A-label form), C(selector) (signs now) and C(published) (every selector
      with a published key, the signing one first).
  returned: success
  type: list
  elements: dict
  sample: [{name: example.org, selector: s2026, published: [s2026, s2027]}]
senders:
  description:
    - The text of the mail servers' two rspamd map files of the declared domains' C(senders),
      C(allowed) and C(blocked).
    - One line C(<recipient domain>:<entry>) per entry of a domain's list, the domain in its
      A-label form, the entry a mail address or a domain name in its stored form (lower case,
      IDNA A-labels); the lines sorted, each ending in a newline; an empty text when no domain
      lists any.
  returned: success
  type: dict
  contains:
    allowed:
      description: The allowed senders' lines.
      type: str
      sample: "example.org:news@partner.test\nexample.org:outside.test\n"
    blocked:
      description: The blocked senders' lines.
      type: str
      sample: "example.org:bad.test\nexample.org:spammer@bad.test\n"
"""
