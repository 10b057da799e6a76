#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: gestixi_domain
short_description: Mail domains served from the gestixi.mail store
version_added: 0.1.0
description:
  - Converges the mail domains in the store that Postfix and Dovecot read live.
  - A domain must exist before its users, aliases and automatic replies.
  - One call converges one domain (O(name)) or a whole list (O(domains)) in one transaction;
    when any item is invalid nothing is written and every problem is reported.
  - International names are accepted and stored in one canonical form (lower-case IDNA
    A-labels, for example C(xn--bcher-kva.example) for C(bücher.example)).
author:
  - GestiXi mail team (@gestixi)
extends_documentation_fragment:
  - gestixi.mail.store
attributes:
  check_mode:
    support: full
    description: Plans against the store in a transaction that is rolled back.
  diff_mode:
    support: full
    description: Shows the domains before and after, one line per field.
  idempotent:
    support: full
    description: A second run with the same input reports no change.
  action_group:
    support: full
    description: Store options can be set once for the group with C(module_defaults).
    membership:
      - gestixi.mail.store
options:
  name:
    description:
      - The domain, in the single-item form. Mutually exclusive with O(domains).
    type: str
    aliases: [domain]
  timezone:
    description:
      - IANA time zone in which the dates of the domain's automatic replies are read.
      - V(UTC) for a new domain when not given; an existing domain keeps its zone.
    type: str
  catchall:
    description:
      - Address that receives mail for every address of the domain that is neither a
        mailbox nor an alias. An empty string removes the catch-all.
    type: str
  dns:
    description:
      - The domain's mail-DNS settings (C(mx), C(spf), C(dmarc), C(mta_sts), C(tls_rpt)), as in
        the mail description (the repository's C(docs/description-format.md#mail-dns-settings)).
        The store keeps them as written; the DNS records are computed from them
        (P(gestixi.mail.dns_records#filter)).
      - Not given, an existing domain keeps its settings. V({}) removes them (the defaults apply).
    type: dict
  dkim:
    description:
      - The domain's DKIM selectors (C(selector), C(next_selector), C(previous)), as in the mail
        description. The keys themselves are M(gestixi.mail.gestixi_dkim_keys)'s.
      - Not given, an existing domain keeps its settings. V({}) removes them.
    type: dict
  senders:
    description:
      - The senders whose mail to the domain's recipients the servers' spam filter (rspamd)
        refuses (O(senders.blocked)) or trusts (O(senders.allowed)), as in the mail description
        (the repository's C(docs/description-format.md#allowed-and-blocked-senders)).
      - Each entry is a mail address (C(user@host)) or a domain name (C(host)), matched against
        the envelope sender and the header From; a domain matches exactly, never its subdomains.
        Entries are stored lower case with domains in IDNA A-labels, each list sorted.
      - An entry listed twice, or in both lists, is refused; at most 1000 per list.
      - Not given, an existing domain keeps its senders. V({}) removes them.
    type: dict
    suboptions:
      allowed:
        description:
          - Trusted senders. Their mail gets a spam-score bonus when the sender is authenticated
            (DMARC pass for the header From, SPF pass for the envelope sender).
        type: list
        elements: str
      blocked:
        description:
          - Refused senders. Their mail to the domain is rejected.
        type: list
        elements: str
  application:
    description:
      - The business application's submission credential. It logs in as
        C(<login>@<domain>) on the submission ports only (never IMAP, ManageSieve or the
        webmail), may send as any address of the domain, and a copy of what it sends as a user
        is filed, read, in that user's C(GestiXi - Sent).
      - Not given, an existing domain keeps its credential. Without O(application.login)
        (for example V({})), the domain has none.
    type: dict
    suboptions:
      login:
        description:
          - The part before C(@) of the address the application logs in as. Not a user or an
            alias of the domain.
        type: str
      password:
        description:
          - Its password as a ready hash made with C(doveadm pw) (C({ARGON2ID}), C({BLF-CRYPT})
            or C({SHA512-CRYPT})), never in plain text.
          - Required for a new credential; not given, the stored hash stays.
        type: str
  state:
    description:
      - V(absent) removes the domain; see O(cascade).
    type: str
    choices: [present, absent]
    default: present
  domains:
    description:
      - The list form, converged in one transaction. Each item takes the options above.
    type: list
    elements: dict
    suboptions:
      name:
        description: The domain.
        type: str
        required: true
      timezone:
        description: As O(timezone).
        type: str
      catchall:
        description: As O(catchall).
        type: str
      dns:
        description: As O(dns).
        type: dict
      dkim:
        description: As O(dkim).
        type: dict
      senders:
        description: As O(senders).
        type: dict
        suboptions:
          allowed:
            description: As O(senders.allowed).
            type: list
            elements: str
          blocked:
            description: As O(senders.blocked).
            type: list
            elements: str
      application:
        description: As O(application).
        type: dict
        suboptions:
          login:
            description: As O(application.login).
            type: str
          password:
            description: As O(application.password).
            type: str
      state:
        description: As O(state).
        type: str
        choices: [present, absent]
        default: present
  purge:
    description:
      - Remove every domain of the store that O(domains) does not name (see O(cascade)).
    type: bool
    default: false
  cascade:
    description:
      - Removing a domain that still has users or aliases fails unless this is V(true); then
        its users, aliases and automatic replies are removed with it.
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Serve two domains, dates of automatic replies in Paris time
  gestixi.mail.gestixi_domain:
    domains:
      - name: example.org
        timezone: Europe/Paris
      - name: bücher.example
        timezone: Europe/Berlin
        catchall: postmaster@example.org

- name: Add one domain
  gestixi.mail.gestixi_domain:
    name: example.net

- name: Refuse mail to example.org from a spammer and a whole domain, trust a partner's newsletter
  gestixi.mail.gestixi_domain:
    name: example.org
    senders:
      allowed: [news@partner.example]
      blocked: [spammer@bad.example, junk.example]

- name: Let the business application send as any address of example.org
  gestixi.mail.gestixi_domain:
    name: example.org
    application:
      login: invoices
      password: "{{ vault_invoices_password_hash }}"  # doveadm pw -s ARGON2ID

- name: Remove a domain and everything in it
  gestixi.mail.gestixi_domain:
    name: example.net
    state: absent
    cascade: true
"""

RETURN = r"""
counts:
  description: How many domains (and Sieve scripts) were created, updated, removed, left unchanged.
  returned: success
  type: dict
  sample: {"created": 1, "updated": 0, "removed": 0, "unchanged": 3}
changes:
  description: One entry per change, without secrets; C(fields) lists the fields an update changes.
  returned: success
  type: list
  elements: dict
  sample: [{"action": "create", "kind": "domain", "key": "example.org"}]
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.gestixi.mail.plugins.module_utils.converge._domains import argument_spec, converge_domains
from ansible_collections.gestixi.mail.plugins.module_utils.converge._runner import run_converge, store_argument_spec


def main() -> None:
    module = AnsibleModule(
        argument_spec={**store_argument_spec(), **argument_spec()},
        mutually_exclusive=[("name", "domains")],
        required_one_of=[("name", "domains")],
        supports_check_mode=True,
    )
    run_converge(module, lambda conn: converge_domains(conn, module.params))


if __name__ == "__main__":
    main()
