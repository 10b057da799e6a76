#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: gestixi_store_copy
short_description: Copy a single server's SQLite store into another store, such as a fleet's PostgreSQL
version_added: 0.2.0
description:
  - Copies every row of the SQLite store at O(source_path) into the store that the store options
    name, typically O(store_engine=postgresql). That is the domains, the users with their
    password hashes, the aliases, automatic replies and app passwords, and the record of the last
    converge. The source is only read.
  - The copy is written in one transaction of the destination and read back before it is
    committed; unless every row reads back as the source's, nothing is committed.
  - A destination that already holds the same rows is left unchanged, so a second run is a
    no-op. One that holds other content is refused, naming what it holds; stores are never merged.
  - The source must have the schema of this collection (converge it once with this version
    first). The destination's schema is created or migrated.
  - C(playbooks/store-migrate.yml) runs it to move a single mail server onto PostgreSQL before
    its Postfix and Dovecot are switched over.
author:
  - gestixi.mail contributors (@gestixi)
extends_documentation_fragment:
  - gestixi.mail.store
attributes:
  check_mode:
    support: full
    description: Copies and checks in a transaction that is rolled back; reports whether a copy would change the destination.
  diff_mode:
    support: none
    description: The rows include password hashes; RV(rows) counts them instead.
  idempotent:
    support: full
    description: A destination that holds the source's rows is not written.
  action_group:
    support: full
    description: Takes the destination's store options from C(module_defaults) of the group.
    membership:
      - gestixi.mail.store
options:
  source_path:
    description:
      - Path of the SQLite store to copy. It must exist.
    type: path
    required: true
notes:
  - Of the store options, only the connection (O(store_engine), O(store_path) and the PostgreSQL
    ones) is used. On PostgreSQL the copy needs the primary.
seealso:
  - module: gestixi.mail.gestixi_mail_info
"""

EXAMPLES = r"""
- name: Copy this server's store into the fleet's PostgreSQL
  gestixi.mail.gestixi_store_copy:
    source_path: /var/lib/gestixi-mail/mail.sqlite
    store_engine: postgresql
    store_hosts: [store1.example.org, store2.example.org]
    store_password: "{{ vault_store_password }}"
    store_ssl_mode: verify-full
    store_ca_cert: /etc/gestixi-mail/store-ca.crt
"""

RETURN = r"""
rows:
  description: How many rows of each table the source holds (and the destination now holds).
  returned: success
  type: dict
  sample: {"domains": 2, "users": 40, "aliases": 12, "alias_recipients": 30, "responders": 3,
           "app_passwords": 1, "converge_record": 1}
source:
  description: The source store, as messages name it.
  returned: success
  type: str
  sample: /var/lib/gestixi-mail/mail.sqlite
destination:
  description: The destination store, as messages name it (never a password).
  returned: success
  type: str
  sample: postgresql database gestixi_mail on store1.example.org,store2.example.org
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.gestixi.mail.plugins.module_utils.converge._runner import run_store_copy, store_argument_spec


def main() -> None:
    module = AnsibleModule(argument_spec={**store_argument_spec(), "source_path": {"type": "path", "required": True}},
                           supports_check_mode=True)
    run_store_copy(module)


if __name__ == "__main__":
    main()
