#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: gestixi_user
short_description: Mail users (mailboxes) served from the gestixi.mail store
version_added: 0.1.0
description:
  - Converges the users of one mail domain in the store that Postfix and Dovecot read live.
    Each user is the mailbox C(login@domain), with a display name, a password, a quota and
    an enabled flag.
  - One call converges one user (O(login)) or a whole list (O(users)) of one domain in one
    transaction; when any item is invalid nothing is written and every problem is reported,
    naming the item (V(users[3] (alice)) or V(user alice@example.org)) and the option.
  - The domain must already be in the store (M(gestixi.mail.gestixi_domain)).
  - O(password) takes a ready hash (so that no plain-text password is kept in Git) or a
    plain-text password (for example from Ansible Vault). A plain-text password is verified
    against the stored hash and never hashed again while it is unchanged.
  - Removing a user (O(state=absent) or O(purge)) also removes its automatic replies, its app
    passwords and the alias recipient entries that name its address; all are listed in
    RV(changes).
  - O(app_passwords) gives a user named second passwords for IMAP and/or SMTP submission only;
    the list is exact, so an app password left out of it is revoked. The
    mail already in the mailbox stays on disk.
author:
  - gestixi.mail contributors (@gestixi)
extends_documentation_fragment:
  - gestixi.mail.store
attributes:
  check_mode:
    support: full
    description:
      - Plans against the store in a transaction that is rolled back. Plain-text passwords
        of existing users are verified, but no new hash is computed.
  diff_mode:
    support: full
    description:
      - Shows the users before and after, one line per field, and their app passwords (name,
        services). A password shows as C((set)), or C((changed)) when it changes; no password
        or hash is ever shown.
  idempotent:
    support: full
    description:
      - A plain-text password that the stored hash verifies, in the wanted O(password_scheme),
        keeps the stored hash.
  action_group:
    support: full
    description: Use C(group/gestixi.mail.store) in C(module_defaults) to set the store options once.
    membership:
      - gestixi.mail.store
requirements:
  - passlib, where a password is given (on the controller the C(libpass) fork with
    C(argon2-cffi) and C(bcrypt); on Debian C(python3-passlib), C(python3-argon2) and
    C(python3-bcrypt)).
options:
  domain:
    description:
      - The domain of the users, in Unicode or ASCII form (stored as lower-case IDNA
        A-labels, for example C(xn--bcher-kva.example) for C(bücher.example)).
    type: str
    required: true
  login:
    description:
      - The user, in the single-item form; the part before C(@) of its address.
        Mutually exclusive with O(users).
      - At most 64 characters of lower-case letters, digits, C(.), C(-) and C(_), starting
        with a letter or digit and not ending with C(.); no C(..).
    type: str
  name:
    description:
      - Display name of the user. An empty string for a new user when not given; an existing
        user keeps its name.
      - At most 255 characters, no line breaks.
    type: str
    aliases: [display_name]
  password:
    description:
      - A ready hash as C(doveadm pw) prints it, starting with C({ARGON2ID}), C({BLF-CRYPT}) or
        C({SHA512-CRYPT}); it is checked for shape and stored as given. Any other C({SCHEME})
        prefix is refused.
      - Otherwise a plain-text password, hashed in O(password_scheme). When the user exists
        and its stored hash is in that scheme and verifies the password, nothing changes.
        A plain-text password that itself starts with C({WORD}) cannot be given.
      - Required for a new user; an existing user without it keeps its password.
    type: str
  quota:
    description:
      - Storage quota of the mailbox, as a number of MiB (V(500)) or a size with a binary unit
        K, M, G or T (V(500M), V(2G)). V(0) means unlimited.
      - Unlimited for a new user when not given; an existing user keeps its quota.
    type: raw
  enabled:
    description:
      - A disabled user keeps its mailbox but can neither log in nor receive mail.
      - V(true) for a new user when not given; an existing user keeps its flag.
    type: bool
  app_passwords:
    description:
      - Named second passwords of the user, each for the services it names only, V(imap)
        and/or V(smtp) (Postfix's SASL on the submission ports). An app password never opens
        the webmail nor ManageSieve; Dovecot refuses app passwords from the loopback addresses,
        where Roundcube logs in (roles/server/README.md).
      - When given, the list is exact, and a stored app password it does not name is revoked
        (removed). Not given, an existing user keeps its app passwords; a new user has none.
      - At most 8 per user (one Dovecot passdb per slot).
    type: list
    elements: dict
    suboptions:
      name:
        description:
          - Identifies the app password, unique for the user (V(phone)); at most 64 letters,
            digits, C(.), C(-) and C(_), starting with a letter or a digit. Required.
        type: str
      password:
        description:
          - A ready hash (C({ARGON2ID}), C({BLF-CRYPT}) or C({SHA512-CRYPT})), never a plain
            text. Required for a new app password; left out, the stored hash stays.
        type: str
      services:
        description:
          - A non-empty list of V(imap) and V(smtp). Required.
        type: list
        elements: str
  state:
    description:
      - V(absent) removes the user, its automatic replies, its app passwords and the alias
        recipient entries that name it.
    type: str
    choices: [present, absent]
    default: present
  users:
    description:
      - The list form, converged in one transaction. Each item takes the options above.
      - Mutually exclusive with O(login), O(name), O(password), O(quota), O(enabled) and
        O(app_passwords);
        O(state) applies only to the single-item form.
    type: list
    elements: dict
    suboptions:
      login:
        description: As O(login).
        type: str
        required: true
      name:
        description: As O(name).
        type: str
        aliases: [display_name]
      password:
        description: As O(password).
        type: str
      quota:
        description: As O(quota).
        type: raw
      enabled:
        description: As O(enabled).
        type: bool
      app_passwords:
        description:
          - As O(app_passwords).
        type: list
        elements: dict
        suboptions:
          name:
            description: As O(app_passwords[].name).
            type: str
          password:
            description: As O(app_passwords[].password).
            type: str
          services:
            description: As O(app_passwords[].services).
            type: list
            elements: str
      state:
        description: As O(state).
        type: str
        choices: [present, absent]
        default: present
  purge:
    description:
      - Remove every user of O(domain) that O(users) does not name (with their automatic
        replies and alias recipient entries). Users of other domains are never touched.
      - Requires O(users); V(users=[]) with O(purge=true) removes all users of the domain.
    type: bool
    default: false
  password_scheme:
    description:
      - Scheme in which plain-text passwords are hashed, with the parameters Dovecot uses
        (ARGON2ID m=65536 t=3 p=1; BLF-CRYPT cost 10; SHA512-CRYPT 5000 rounds).
      - A stored hash of another scheme is replaced when a plain-text password is given.
        Ready hashes are stored in their own scheme.
    type: str
    choices: [ARGON2ID, BLF-CRYPT, SHA512-CRYPT]
    default: ARGON2ID
notes:
  - Verifying a plain-text password against an ARGON2ID hash costs about 0.2 s and 64 MiB per
    user, so large lists are fastest with ready hashes (a few seconds for 10,000 users).
seealso:
  - module: gestixi.mail.gestixi_domain
"""

EXAMPLES = r"""
- name: Users of example.org, passwords as ready hashes (safe to keep in Git)
  gestixi.mail.gestixi_user:
    domain: example.org
    users:
      - login: alice
        name: Alice Martin
        password: "{ARGON2ID}$argon2id$v=19$m=65536,t=3,p=1$Nv5/9DWzl3q68D06dwgrFQ$St+wCNf/lWZVO6nFle3FBNA8ozNcgzkv3riI+N/jjTI"
        quota: 2G
      - login: bob
        password: "{BLF-CRYPT}$2y$10$15i0HJJINJKAFN0.xdo8OOSyMd12Q/HASxDPdDSYplAyXEYnaaIt."
        quota: 500M
        enabled: false

- name: Exactly these users in example.net, all others removed
  gestixi.mail.gestixi_user:
    domain: example.net
    users: "{{ example_net_users }}"
    purge: true

- name: One user, password in plain text from Vault, hashed once and then only verified
  gestixi.mail.gestixi_user:
    domain: bücher.example
    login: carol
    name: Carol
    password: "{{ vault_carol_password }}"
    password_scheme: SHA512-CRYPT

- name: Bob's app passwords, exactly these two (any other of his is revoked)
  gestixi.mail.gestixi_user:
    domain: example.org
    users:
      - login: bob
        app_passwords:
          - name: phone
            password: "{SHA512-CRYPT}$6$gestixibobphone$..."
            services: [imap]
          - name: laptop          # no password: an existing one keeps its hash
            services: [imap, smtp]

- name: Remove a user, its automatic replies and its alias recipient entries
  gestixi.mail.gestixi_user:
    domain: example.org
    login: bob
    state: absent
"""

RETURN = r"""
counts:
  description:
    - How many items were created, updated, removed and left unchanged. Users are counted
      with their app passwords, the automatic replies and alias recipient entries removed with them, and with the
      Sieve scripts that follow from the store.
  returned: success
  type: dict
  sample: {"created": 1, "updated": 1, "removed": 0, "unchanged": 9998}
changes:
  description:
    - One entry per change, without secrets. C(kind) is C(user), C(app password) (key
      C(address/name); an update changes C(services) or C(password)), C(responder) (an automatic
      reply removed with its user, key C(address/name)), C(alias recipient) (an alias entry
      naming a removed user, key C(alias/recipient)) or C(sieve script).
    - C(fields) lists the options an update changes (C(name), C(password), C(quota),
      C(enabled)).
  returned: success
  type: list
  elements: dict
  sample:
    - {"action": "create", "kind": "user", "key": "alice@example.org"}
    - {"action": "update", "kind": "user", "key": "bob@example.org", "fields": ["password", "quota"]}
    - {"action": "remove", "kind": "app password", "key": "bob@example.org/tablet"}
    - {"action": "remove", "kind": "alias recipient", "key": "contact@example.org/dave@example.org"}
problems:
  description: Every problem found in the input, when the module fails on it.
  returned: failure
  type: list
  elements: dict
  sample: [{"item": "users[3] (Bob)", "field": "login", "message": "'Bob' is not a valid login: ..."}]
"""

from ansible_collections.gestixi.mail.plugins.module_utils.converge._runner import (
    SummaryLoggingModule,
    run_converge,
    store_argument_spec,
)
from ansible_collections.gestixi.mail.plugins.module_utils.converge._users import (
    argument_spec,
    converge_users,
    log_summary,
    module_constraints,
    take_secrets,
)


def main() -> None:
    module = SummaryLoggingModule(
        argument_spec={**store_argument_spec(), **argument_spec()},
        supports_check_mode=True,
        summary=log_summary,
        **module_constraints(),
    )
    params = take_secrets(module)
    run_converge(module, lambda conn: converge_users(conn, params, check_mode=module.check_mode))


if __name__ == "__main__":
    main()
