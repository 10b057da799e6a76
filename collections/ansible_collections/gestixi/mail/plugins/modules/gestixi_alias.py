#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: gestixi_alias
short_description: Mail aliases (redirections) served from the gestixi.mail store
version_added: 0.1.0
description:
  - Converges the aliases of the store that Postfix reads live. An alias such as
    C(contact@example.org) redirects mail to one user, several, external addresses, or, with an
    empty O(to), to every enabled user of its domain, resolved when the mail arrives so that
    a user added later receives it too and a disabled user does not.
  - "The list form (O(aliases)) is the description of a domain: each alias it names gets
    exactly the recipients the list gives it, and two items with one address add up (their
    recipients merge). O(purge) removes the other aliases of O(domain)."
  - "The single form adds to an alias by default (O(recipients_mode=add)): several
    definitions of one alias add up, as redirections did on the administration page this
    replaces, and a call never drops a recipient that something else defined. Use
    O(recipients_mode=replace) to set the recipients exactly."
  - A recipient is a login of the alias's domain (V(alice) is C(alice@<domain>)) or a full
    address. A recipient in a domain of the store must be an existing user or alias.
  - Removing an alias also removes it from the recipients of the other aliases that redirect
    to it (reported as updates of those aliases). An alias is never left without recipient,
    so such a removal fails and names the alias to change first.
  - Before anything is committed the whole store is checked (whatever module runs) and
    refused when an alias has a user's address, loops back to itself, expands to more than
    1000 addresses (Postfix's C(virtual_alias_expansion_limit), counting nested aliases and
    the enabled users of an all-users alias) or nests 1000 aliases deep
    (C(virtual_alias_recursion_limit)), or when a catch-all points at an address that does
    not exist. Beyond these limits Postfix defers every message to the alias.
  - One call converges one alias or a whole list in one transaction; when any item is invalid
    nothing is written and every problem is reported, naming the item and the field.
author:
  - gestixi.mail contributors (@gestixi)
extends_documentation_fragment:
  - gestixi.mail.store
attributes:
  check_mode:
    support: full
    description: Plans against the store in a transaction that is rolled back.
  diff_mode:
    support: full
    description: Shows each changed alias before and after, its recipients as a sorted list
      with C((all users)) for an alias that reaches every user of its domain.
  idempotent:
    support: full
    description: A second run with the same input reports no change.
  action_group:
    support: full
    description: Use C(group/gestixi.mail.store) in C(module_defaults) to set the store options once.
    membership:
      - gestixi.mail.store
options:
  address:
    description:
      - The alias in the single form, a full address (V(contact@example.org)), or a bare name
        with O(domain). Mutually exclusive with O(name) and O(aliases).
    type: str
  name:
    description:
      - The local part of the alias in the single form (V(contact)), with O(domain).
    type: str
  domain:
    description:
      - The domain of the alias (single form with O(name)) or of the list (O(aliases)), where
        items may then give a bare name. Bare logins in O(to) are read in the alias's domain.
      - Required with O(purge), whose scope it is.
    type: str
  to:
    description:
      - The recipients of the alias in the single form, each a login of the alias's domain or
        a full address.
      - An empty list means every enabled user of the domain.
      - Required with O(state=present). With O(state=absent), removes only these recipients
        (an empty list removes "all users"); the alias is removed with its last recipient.
    type: list
    elements: str
  recipients_mode:
    description:
      - In the single form, V(add) adds O(to) to the recipients the alias already has and
        V(replace) makes O(to) its only recipients.
      - V(add) when not given. Not used by the list form, where each item is the full set.
    type: str
    choices: [add, replace]
  state:
    description:
      - V(absent) removes the alias (or, with O(to), only those recipients).
    type: str
    choices: [present, absent]
    default: present
  aliases:
    description:
      - The list form, converged in one transaction.
    type: list
    elements: dict
    suboptions:
      name:
        description: The local part of the alias (needs O(domain)).
        type: str
      address:
        description: The alias, a full address or a bare name in O(domain).
        type: str
      to:
        description:
          - The full set of recipients of the alias (logins of its domain or full addresses);
            an empty list means every enabled user of the domain. Required when present.
          - Items with the same address add up.
        type: list
        elements: str
      state:
        description: V(absent) removes the alias (its O(aliases[].to) is then not used).
        type: str
        choices: [present, absent]
        default: present
  purge:
    description:
      - Remove every alias of O(domain) that O(aliases) does not name.
    type: bool
    default: false
notes:
  - Mail to a disabled user, or to any other address of a domain that is neither a user nor
    an alias, goes to the domain's catch-all when it has one; the checks count it that way.
seealso:
  - module: gestixi.mail.gestixi_domain
  - module: gestixi.mail.gestixi_user
"""

EXAMPLES = r"""
- name: Describe the aliases of example.org, removing any other
  gestixi.mail.gestixi_alias:
    domain: example.org
    purge: true
    aliases:
      - name: contact
        to: [alice, bob]
      - name: contact                # adds up: contact reaches alice, bob and carol
        to: [carol@example.net]
      - name: everyone
        to: []                       # every enabled user of example.org, now and later
      - address: sales@example.org
        to: [contact]                # aliases may redirect to aliases

- name: Add one redirection to an alias (kept with the ones it already has)
  gestixi.mail.gestixi_alias:
    address: support@example.org
    to: [alice]

- name: Make bob the only recipient of support@
  gestixi.mail.gestixi_alias:
    address: support@example.org
    to: [bob]
    recipients_mode: replace

- name: Remove alice from support@ (support@ goes when its last recipient does)
  gestixi.mail.gestixi_alias:
    domain: example.org
    name: support
    to: [alice]
    state: absent
"""

RETURN = r"""
counts:
  description: How many aliases (and Sieve scripts) were created, updated, removed, left unchanged.
  returned: success
  type: dict
  sample: {"created": 2, "updated": 1, "removed": 0, "unchanged": 40}
changes:
  description: One entry per change; C(fields) lists what an update changes (C(to), C(all_users)).
  returned: success
  type: list
  elements: dict
  sample: [{"action": "update", "kind": "alias", "key": "contact@example.org", "fields": ["to"]}]
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.gestixi.mail.plugins.module_utils.converge._aliases import (
    MUTUALLY_EXCLUSIVE,
    REQUIRED_BY,
    REQUIRED_IF,
    REQUIRED_ONE_OF,
    argument_spec,
    converge_aliases,
)
from ansible_collections.gestixi.mail.plugins.module_utils.converge._runner import run_converge, store_argument_spec


def main() -> None:
    module = AnsibleModule(
        argument_spec={**store_argument_spec(), **argument_spec()},
        mutually_exclusive=MUTUALLY_EXCLUSIVE,
        required_one_of=REQUIRED_ONE_OF,
        required_by=REQUIRED_BY,
        required_if=REQUIRED_IF,
        supports_check_mode=True,
    )
    run_converge(module, lambda conn: converge_aliases(conn, module.params))


if __name__ == "__main__":
    main()
