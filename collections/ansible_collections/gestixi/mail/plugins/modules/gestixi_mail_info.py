#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: gestixi_mail_info
short_description: Read the gestixi.mail store back as the mail description, without secrets
version_added: 0.1.0
description:
  - Returns the current domains, users, aliases and automatic replies of the store in the
    shape of the mail description that operators keep in Git (C(gestixi_mail_domains)), so
    that C(to_nice_yaml) of RV(domains) can be committed as it is.
  - Feeding that description back to M(gestixi.mail.gestixi_domain), M(gestixi.mail.gestixi_user),
    M(gestixi.mail.gestixi_alias) and M(gestixi.mail.gestixi_responder) changes nothing; a user
    given without a password keeps its password.
  - No secret is returned. Of a password only whether one is set and its scheme (RV(passwords)).
  - Read-only. A store that does not exist reads as empty and is not created.
  - Optionally returns, for each enabled mailbox, the IMAP and SMTP settings a desktop mail
    client needs (RV(client_settings)), from the server facts given in O(client_settings).
author:
  - GestiXi mail team (@gestixi)
extends_documentation_fragment:
  - gestixi.mail.store
attributes:
  check_mode:
    support: full
    description: The module never changes anything; it runs the same in check mode.
  diff_mode:
    support: none
    description: Nothing changes, so there is nothing to show.
  idempotent:
    support: full
    description: Reading never changes the store.
  action_group:
    support: full
    description: Store options can be set once for the group with C(module_defaults).
    membership:
      - gestixi.mail.store
options:
  domains:
    description:
      - Return only these domains (Unicode or ASCII form). All domains when not given.
      - A named domain that the store does not hold is not in the result.
    type: list
    elements: str
  include:
    description:
      - Which parts to return. A domain's own fields (V(name), V(timezone), V(catchall)) are
        always returned.
      - V(users) returns each domain's users, V(aliases) its aliases, V(responders) the
        automatic replies (a user's under that user, domain-wide ones under the domain),
        V(passwords) the RV(passwords) summary.
      - With V(responders) but without V(users), a user who has automatic replies appears
        with only C(login) and C(responders).
    type: list
    elements: str
    choices: [users, aliases, responders, passwords]
    default: [users, aliases, responders, passwords]
  include_defaults:
    description:
      - By default a field that holds the value a new item gets when the field is not given
        is left out (for example C(enabled=true), an unlimited C(quota), the V(UTC) time zone),
        so that the result reads like the hand-written description.
      - V(true) returns every field.
    type: bool
    default: false
  name_form:
    description:
      - How international domain names are shown. V(unicode) shows C(bücher.example),
        V(ascii) the stored IDNA form C(xn--bcher-kva.example). Both are accepted back by
        the modules and stored the same.
    type: str
    choices: [unicode, ascii]
    default: unicode
  client_settings:
    description:
      - Server facts from which to compute RV(client_settings). Not returned when not given.
    type: dict
    suboptions:
      imap_host:
        description: Host name mail clients use for IMAP.
        type: str
        required: true
      imap_port:
        description: IMAP port (V(993) with V(ssl), V(143) with V(starttls)).
        type: int
        default: 993
      imap_security:
        description: V(ssl) (implicit TLS) or V(starttls).
        type: str
        choices: [ssl, starttls]
        default: ssl
      smtp_host:
        description: Host name for sending (submission). O(client_settings.imap_host) when not given.
        type: str
      smtp_port:
        description: Submission port (V(465) with V(ssl), V(587) with V(starttls)).
        type: int
        default: 465
      smtp_security:
        description: V(ssl) (implicit TLS) or V(starttls).
        type: str
        choices: [ssl, starttls]
        default: ssl
notes:
  - Of the store options, only those of the connection are used (O(store_engine), O(store_path)
    and the PostgreSQL ones); the others are accepted so that the module can share
    C(module_defaults) of the group C(gestixi.mail.store).
  - On PostgreSQL it reads from whichever of O(store_hosts) answers, a standby included.
seealso:
  - module: gestixi.mail.gestixi_domain
"""

EXAMPLES = r"""
- name: Read the whole mail state
  gestixi.mail.gestixi_mail_info:
  register: mail

- name: Write it as a description that can be committed to Git
  ansible.builtin.copy:
    content: "{{ {'gestixi_mail_domains': mail.domains} | to_nice_yaml(indent=2, sort_keys=false) }}"
    dest: /tmp/mail.yml
    mode: "0600"
  delegate_to: localhost

- name: One domain's aliases only
  gestixi.mail.gestixi_mail_info:
    domains: [example.org]
    include: [aliases]
  register: aliases

- name: Settings for desktop mail clients
  gestixi.mail.gestixi_mail_info:
    include: []
    client_settings:
      imap_host: mail.example.org
      smtp_port: 587
      smtp_security: starttls
  register: clients
"""

RETURN = r"""
domains:
  description:
    - The mail description (C(gestixi_mail_domains)), sorted by domain, login, alias and name.
    - Fields holding their default are left out unless O(include_defaults=true).
  returned: success
  type: list
  elements: dict
  contains:
    name:
      description: The domain.
      type: str
      sample: example.org
    timezone:
      description: IANA time zone of the domain's automatic replies.
      type: str
      sample: Europe/Paris
    catchall:
      description: Address receiving mail for unknown addresses of the domain.
      type: str
      sample: postmaster@example.org
    senders:
      description:
        - The domain's allowed and blocked senders, C(allowed) and C(blocked), each a sorted list
          of mail addresses and domain names in their stored form (lower case), their domains
          in the form O(name_form) asks for. Left out when the domain lists none.
      type: dict
      sample: {"allowed": ["news@partner.example"], "blocked": ["junk.example", "spammer@bad.example"]}
    users:
      description:
        - C(login), C(name), C(quota) (a size with a binary unit, C(2G), C(500M), C(64K)),
          C(enabled), C(responders) (this user's automatic replies) and C(app_passwords).
          Never a password.
        - C(app_passwords) lists the user's app passwords by C(name) and C(services) (C(imap),
          C(smtp)), never their hashes; left out when the user has none.
      type: list
      elements: dict
      sample: [{"login": "alice", "name": "Alice Martin", "quota": "2G",
                "app_passwords": [{"name": "phone", "services": ["imap"]}]}]
    aliases:
      description:
        - C(address) (the local part) and C(to). In C(to), an address of the alias's own
          domain is shown by its local part, any other as a full address. An empty C(to) means
          every user of the domain; an alias that reaches every user and more addresses is
          two items with the same C(address), which add up.
      type: list
      elements: dict
      sample: [{"address": "contact", "to": ["alice", "bob@other.example"]}, {"address": "all", "to": []}]
    responders:
      description:
        - Domain-wide automatic replies. Each has C(name), C(enabled), C(subject), C(message),
          C(start), C(end) (inclusive dates, C(YYYY-MM-DD), left out when open) and C(days).
      type: list
      elements: dict
      sample: [{"name": "closure", "subject": "Closed", "message": "Back on Monday.", "start": "2026-12-25", "end": "2026-12-25"}]
passwords:
  description: For each mailbox, whether a password is set and its scheme. Never the hash.
  returned: when O(include) contains V(passwords)
  type: dict
  sample: {"alice@example.org": {"set": true, "scheme": "ARGON2ID"}}
client_settings:
  description: For each enabled mailbox, what a desktop mail client needs.
  returned: when O(client_settings) is given
  type: dict
  sample:
    alice@example.org:
      username: alice@example.org
      incoming: {"type": "imap", "host": "mail.example.org", "port": 993, "security": "ssl",
                 "authentication": "password-cleartext"}
      outgoing: {"type": "smtp", "host": "mail.example.org", "port": 465, "security": "ssl",
                 "authentication": "password-cleartext"}
store:
  description: C(exists) is false when the store holds nothing yet (no SQLite file, or a PostgreSQL
    database without the schema); the result is then empty.
  returned: success
  type: dict
  sample: {"exists": true, "schema_version": 6}
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.gestixi.mail.plugins.module_utils.store._export import argument_spec, export
from ansible_collections.gestixi.mail.plugins.module_utils.converge._runner import run_read, store_argument_spec


def main() -> None:
    module = AnsibleModule(
        argument_spec={**store_argument_spec(), **argument_spec()},
        supports_check_mode=True,
    )
    run_read(module, lambda conn, exists: export(conn, module.params, store_exists=exists))


if __name__ == "__main__":
    main()
