#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: gestixi_mail
short_description: Converge a whole mail description (domains, users, aliases, automatic replies) in one transaction
version_added: 0.1.0
description:
  - Converges the mail description that operators keep in Git (C(gestixi_mail_domains), see the
    collection's C(docs/description-format.md)) into the store that Postfix and Dovecot read
    live, in one call and one store transaction; either the whole description lands or nothing
    does.
  - By default the description is read from the host's own variables, C(gestixi_mail_domains)
    and every C(gestixi_mail_domains__<suffix>) variable joined in name order, with
    C(gestixi_mail_purge_domains) for O(purge_domains). Reading them directly on the controller
    is much faster for large descriptions than templating them into the task.
  - The description is first checked on the controller as
    M(gestixi.mail.gestixi_description_validate) checks it; any problem fails the task, naming
    its YAML path, before the host is contacted.
  - The description is exact, as in the role C(gestixi.mail.state), which runs this module. A
    field left out takes the value a new item gets, except a user's password, which is kept
    when not given. What the description does not name stays, unless its domain says
    C(purge=true) (its users, aliases and automatic replies that are not named are removed) or
    O(purge_domains) is set.
  - The same converges as M(gestixi.mail.gestixi_domain), M(gestixi.mail.gestixi_user),
    M(gestixi.mail.gestixi_alias) and M(gestixi.mail.gestixi_responder) run in the converge
    order given once in the repository's C(docs/description-format.md#converge-order). The rules
    that span the whole store (an alias may not have a user's address, loops, Postfix's expansion
    limits, catch-all targets) are checked once, on the state the whole description leaves.
  - The Sieve scripts of the automatic replies follow the store, compiled with C(sievec) before
    they are activated.
author:
  - gestixi.mail contributors (@gestixi)
extends_documentation_fragment:
  - gestixi.mail.store
attributes:
  check_mode:
    support: full
    description:
      - The whole description is converged in a transaction that is rolled back, so the plan is
        exact across kinds (a user of a new domain, an alias to a new user). Plain-text passwords
        of existing users are verified; no new hash is computed.
  diff_mode:
    support: full
    description: Items before and after, one line per field; a password shows as C((set)) or C((changed)).
  idempotent:
    support: full
    description: A description that the store already matches changes nothing, Sieve scripts included.
  action_group:
    support: full
    description: Use C(group/gestixi.mail.store) in C(module_defaults) to set the store options once.
    membership:
      - gestixi.mail.store
  action:
    support: full
    description: An action plugin reads and checks the description on the controller, then runs the module on the host.
  platform:
    support: full
    platforms: posix
    description: The store and the Sieve folder are on the host.
requirements:
  - passlib on the host where a plain-text password is given (see M(gestixi.mail.gestixi_user)).
options:
  domains:
    description:
      - The domains of the mail description, in the format of C(gestixi_mail_domains).
      - When not given, the host's C(gestixi_mail_domains) and C(gestixi_mail_domains__<suffix>)
        variables are read (at least one must be defined).
      - A list of mappings; its structure is checked by the description's own rules (the same
        as on the controller), so that a problem names its path, for example C(domains[0].users[2].login).
    type: raw
  purge_domains:
    description:
      - Remove every domain of the store that O(domains) does not name, with its users, aliases
        and automatic replies.
      - When neither this nor O(domains) is given, the host's C(gestixi_mail_purge_domains)
        variable, else V(false).
    type: bool
  gate_digest:
    description:
      - The RV(gestixi.mail.gestixi_description_validate#module:digest) that the controller's gate returned
        for this host earlier in the run. When the description read now has that digest, it is the one the
        gate found valid, and it is not checked again on the controller (about 1 to 2 s for 10,000 users).
      - Read by the action plugin; a different or missing digest means a full check.
    type: str
  checked_digest:
    description:
      - Set by the action plugin, not by hand. The digest of O(domains) and the alias limits that the
        controller checked; when it matches what the module receives, the host does not apply the
        description's own rules (structure, declared twice, misplaced items) a second time. It still
        checks every item against the store, and the whole store, as always.
      - A caller that sets it without the check only skips those rules for itself.
      - Without O(domains), the module only answers whether the store already holds the converge of
        the description with this digest (RV(converged)), changing nothing else than the store file's
        attributes. The store keeps a record of the last description converged into it, which any
        later write to it forgets; the Sieve scripts must also be in step. The action plugin asks this
        first, so that an unchanged re-run neither sends nor plans the description.
    type: str
  password_scheme:
    description:
      - Scheme in which plain-text passwords are hashed (ready hashes are stored as given);
        see M(gestixi.mail.gestixi_user).
    type: str
    choices: [ARGON2ID, BLF-CRYPT, SHA512-CRYPT]
    default: ARGON2ID
notes:
  - A plain-text password written in the description itself is refused unless
    C(gestixi_mail_allow_plaintext_passwords=true); give one through a variable kept in Ansible
    Vault instead, or a ready hash.
seealso:
  - module: gestixi.mail.gestixi_description_validate
  - module: gestixi.mail.gestixi_mail_info
"""

EXAMPLES = r"""
- name: Converge the host's mail description (gestixi_mail_domains from the inventory)
  gestixi.mail.gestixi_mail:
    store_path: /var/lib/gestixi-mail/mail.sqlite
  register: mail_result

- name: Show what changed
  ansible.builtin.debug:
    msg: "{{ mail_result | gestixi.mail.plan_lines(host=inventory_hostname, check_mode=ansible_check_mode) }}"

- name: A description given in the task
  gestixi.mail.gestixi_mail:
    store_path: /var/lib/gestixi-mail/mail.sqlite
    domains:
      - name: example.org
        timezone: Europe/Paris
        users:
          - login: alice
            name: Alice Martin
            password: "{ARGON2ID}$argon2id$v=19$m=65536,t=3,p=1$Nv5/9DWzl3q68D06dwgrFQ$St+wCNf/lWZVO6nFle3FBNA8ozNcgzkv3riI+N/jjTI"
            responders:
              - name: holidays
                subject: Out of office
                message: I am away until January 4th.
                start: "2026-12-20"
                end: "2027-01-04"
        aliases:
          - address: contact
            to: [alice]
          - address: all
            to: []
"""

RETURN = r"""
counts:
  description:
    - How many items of every kind (domains, users, aliases, automatic replies, alias recipient
      entries and users removed with their owner, Sieve scripts) were created, updated, removed
      and left unchanged.
  returned: success
  type: dict
  sample: {"created": 3, "updated": 1, "removed": 0, "unchanged": 31000}
changes:
  description:
    - One entry per change, without secrets, in the order the steps made them. C(kind) is
      C(domain), C(user), C(alias), C(responder), C(alias recipient) or C(sieve script);
      C(fields) lists what an update changes.
    - A domain appears once, with its catch-all (set once its target exists).
  returned: success
  type: list
  elements: dict
  sample:
    - {"action": "create", "kind": "user", "key": "alice@example.org"}
    - {"action": "update", "kind": "alias", "key": "contact@example.org", "fields": ["to"]}
problems:
  description:
    - Every problem found, when the task fails on it. From the check on the controller, C(path)
      is the YAML path (starting with C(domains) when O(domains) is given) and C(message) what
      is wrong; from the host, C(item) (the step and the item), C(field) and C(message).
  returned: failure
  type: list
  elements: dict
  sample: [{"path": "gestixi_mail_domains[0].users[3].login", "message": "'Bob' is not a valid login: ..."}]
converged:
  description:
    - Whether the store already held the converge of the description, so that nothing was sent or
      planned (see O(checked_digest)). V(false) from that question alone means the action plugin then
      converged the description in full.
  returned: when the action plugin asked it (an unchanged re-run answers V(true))
  type: bool
  sample: true
sources:
  description: The variables the description was read from.
  returned: when O(domains) is not given
  type: list
  elements: str
  sample: [gestixi_mail_domains, gestixi_mail_domains__example_net]
"""

from ansible_collections.gestixi.mail.plugins.module_utils._errors import InvalidItem, MailStateError
from ansible_collections.gestixi.mail.plugins.module_utils.converge._runner import (
    SummaryLoggingModule,
    fail,
    run_converge,
    run_recorded,
    store_argument_spec,
)
from ansible_collections.gestixi.mail.plugins.module_utils.converge._whole_description import (
    argument_spec,
    converge_description,
    description_key,
    log_summary,
    plaintext_passwords,
)


def main() -> None:
    module = SummaryLoggingModule(
        argument_spec={**store_argument_spec(), **argument_spec()},
        supports_check_mode=True,
        summary=log_summary,
    )
    params = module.params
    module.no_log_values.update(plaintext_passwords(params["domains"]))
    if params["domains"] is None and params["checked_digest"]:
        run_recorded(module, description_key(params["checked_digest"], params), echo=log_summary)
    if params["domains"] is None:
        fail(module, MailStateError([InvalidItem("domains", None, "no mail description was given")]), log_summary)
    store_params = {name: params[name] for name in store_argument_spec()}
    run_converge(module, lambda conn: converge_description(conn, params, store_params, module.check_mode),
                 echo=log_summary)


if __name__ == "__main__":
    main()
