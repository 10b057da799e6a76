#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: gestixi_responder
short_description: Automatic replies (out of office) of mail users, one user or a whole domain
version_added: 0.1.0
description:
  - Converges the automatic replies of one domain in the gestixi.mail store, and the Sieve
    script of every user they concern.
  - An automatic reply belongs to one user (O(login)) or to every user of the domain
    (O(all_users=true)); a domain-wide reply also answers for users added later.
    A user may have several replies, each identified by its O(name).
  - A reply answers mail that arrives from 00:00 on its O(start) date until 24:00 on its O(end)
    date, both read in the domain's time zone
    (O(gestixi.mail.gestixi_domain#module:timezone) of M(gestixi.mail.gestixi_domain)),
    correctly across daylight saving time changes. It answers each sender at most once per
    O(days), and never no-reply or mailer-daemon senders, mailing lists or bulk mail.
  - Each user with at least one enabled reply gets one administrator-owned Sieve script,
    C(<sieve_dir>/<domain>/<login>.sieve), compiled with C(sievec), which Dovecot runs before the
    user's own filters (which it never stops). When several replies of a user are active at
    the same time, only one answers, the first in this order; the user's own replies by
    O(name), then the domain-wide ones by O(name).
  - The script also answers mail sent to the aliases that reach the user (recursively, and the
    aliases that reach all users of the domain), so that mail to C(contact@) is answered too.
    Mail that reaches the user only through the domain's catch-all is not answered (it is
    mostly spam; answering it would send replies to forged senders).
  - One call converges one reply or a whole list (O(responders)) in one transaction; when any
    item is invalid, nothing is written and every problem is reported, naming item and field.
author:
  - gestixi.mail contributors (@gestixi)
extends_documentation_fragment:
  - gestixi.mail.store
attributes:
  check_mode:
    support: full
    description: Plans against the store in a transaction that is rolled back; the Sieve scripts
      are compiled in a temporary folder and no script file is written.
  diff_mode:
    support: full
    description: Shows the replies before and after, one line per field, and the checksums of
      the Sieve scripts that change.
  idempotent:
    support: full
    description: The scripts are rendered from the store alone (sorted, no clock), so an unchanged
      store gives byte-identical scripts and a second run reports no change.
  action_group:
    support: full
    description: Use C(group/gestixi.mail.store) in C(module_defaults) to set the store options once.
    membership:
      - gestixi.mail.store
options:
  domain:
    description:
      - The domain whose automatic replies are converged. It must exist in the store.
    type: str
    required: true
  login:
    description:
      - The user the reply belongs to (its mailbox is O(login)@O(domain)); the user must exist.
      - Mutually exclusive with O(all_users). One of them is required in the single form.
    type: str
  all_users:
    description:
      - V(true) makes the reply domain-wide, set by the administrator for every user of
        O(domain), users added later included. It is stored apart from the users' own replies
        (a user's reply and a domain-wide reply may share a O(name)).
    type: bool
  name:
    description:
      - The name of the reply, unique for its user (or among the domain-wide replies), the key
        that later runs use to find it. Up to 64 characters, no C(/) or control characters.
      - Mutually exclusive with O(responders).
    type: str
  enabled:
    description:
      - The "enabled" checkbox. A disabled reply is kept but never answers.
      - V(true) for a new reply when not given; an existing reply keeps its value.
      - An enabled reply needs a O(subject) and a O(body).
    type: bool
  subject:
    description:
      - Subject of the reply, one line; non-ASCII text is encoded for the mail header.
        Line breaks and other control characters are refused. At most 255 characters.
    type: str
  body:
    description:
      - Text of the reply (plain text, UTF-8). Line breaks CRLF and CR become LF; NUL and
        other control characters except TAB are refused. At most 10000 characters.
      - Sent exactly as written, C(${...}), quotes, backslashes and lines starting with C(.)
        included.
      - The mail description (role P(gestixi.mail.state#role)) and the export of
        M(gestixi.mail.gestixi_mail_info) call this field C(message); Ansible reserves that
        name for module options.
    type: str
  start:
    description:
      - First day (YYYY-MM-DD) on which the reply answers, from 00:00 in the domain's time zone.
      - An empty string means no start (it answers from now on).
    type: str
  end:
    description:
      - Last day (YYYY-MM-DD, inclusive) on which the reply answers, until 24:00 in the
        domain's time zone. Not before O(start).
      - An empty string means no end.
    type: str
  days:
    description:
      - Reply memory, 1 to 365 days. A sender is answered once, then again only after this many
        days. V(7) for a new reply when not given.
    type: int
  state:
    description:
      - V(absent) removes the reply (and the user's script when no other reply is enabled).
    type: str
    choices: [present, absent]
    default: present
  responders:
    description:
      - The list form, converged in one transaction. Each item takes the options above, with
        O(responders[].login) or O(responders[].all_users=true).
    type: list
    elements: dict
    suboptions:
      login:
        description: As O(login).
        type: str
      all_users:
        description: As O(all_users).
        type: bool
        default: false
      name:
        description: As O(name).
        type: str
        required: true
      enabled:
        description: As O(enabled).
        type: bool
      subject:
        description: As O(subject).
        type: str
      body:
        description: As O(body).
        type: str
      start:
        description: As O(start).
        type: str
      end:
        description: As O(end).
        type: str
      days:
        description: As O(days).
        type: int
      state:
        description: As O(state).
        type: str
        choices: [present, absent]
        default: present
  purge:
    description:
      - Remove every automatic reply of O(domain) that O(responders) does not name, the
        users' replies and the domain-wide ones alike. Replies of other domains are never
        touched. Only with O(responders).
    type: bool
    default: false
notes:
  - Pigeonhole 0.5 (Debian 12) cannot file a copy of the reply with C(:fcc); the server role
    copies replies into the user's C(GestiXi - Sent) folder by other means.
seealso:
  - module: gestixi.mail.gestixi_domain
  - module: gestixi.mail.gestixi_user
"""

EXAMPLES = r"""
- name: Alice is on holiday over Christmas
  gestixi.mail.gestixi_responder:
    domain: example.org
    login: alice
    name: holidays
    subject: Out of office
    body: |
      I am away until January 4th. For urgent matters, write to contact@example.org.
    start: "2026-12-20"
    end: "2027-01-04"

- name: The office is closed on Christmas day, for every user of the domain
  gestixi.mail.gestixi_responder:
    domain: example.org
    all_users: true
    name: closure
    subject: Office closed
    body: We are closed on public holidays and answer on the next working day.
    start: "2026-12-25"
    end: "2026-12-25"

- name: Switch a reply off, keeping its text for next time
  gestixi.mail.gestixi_responder:
    domain: example.org
    login: alice
    name: holidays
    enabled: false

- name: Every automatic reply of example.org, as described in Git; remove the others
  gestixi.mail.gestixi_responder:
    domain: example.org
    purge: true
    responders:
      - login: alice
        name: holidays
        subject: Out of office
        body: I am away until January 4th.
        start: "2026-12-20"
        end: "2027-01-04"
      - all_users: true
        name: closure
        subject: Office closed
        body: We are closed on public holidays.
        start: "2026-12-25"
        end: "2026-12-25"
"""

RETURN = r"""
counts:
  description: How many replies (and Sieve scripts) were created, updated, removed, left unchanged.
  returned: success
  type: dict
  sample: {"created": 2, "updated": 0, "removed": 1, "unchanged": 5}
changes:
  description:
    - One entry per change. C(key) is C(login@domain/name), or C(*@domain/name) for a
      domain-wide reply, or C(domain/login) for a Sieve script; C(fields) lists what an
      update changes.
  returned: success
  type: list
  elements: dict
  sample: [{"action": "create", "kind": "responder", "key": "alice@example.org/holidays"},
           {"action": "create", "kind": "sieve script", "key": "example.org/alice"}]
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.gestixi.mail.plugins.module_utils.converge._responders import (
    argument_spec,
    converge_responders,
    module_constraints,
)
from ansible_collections.gestixi.mail.plugins.module_utils.converge._runner import run_converge, store_argument_spec


def main() -> None:
    module = AnsibleModule(
        argument_spec={**store_argument_spec(), **argument_spec()},
        supports_check_mode=True,
        **module_constraints(),
    )
    run_converge(module, lambda conn: converge_responders(conn, module.params))


if __name__ == "__main__":
    main()
