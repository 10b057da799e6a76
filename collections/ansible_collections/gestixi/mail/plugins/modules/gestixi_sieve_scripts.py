#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: gestixi_sieve_scripts
short_description: Bring this host's Sieve scripts of automatic replies in step with the store
version_added: 0.2.0
description:
  - Renders the administrator's Sieve scripts (the automatic replies of every user, under
    O(sieve_dir)) from the store as it is, compiles them, and removes those no longer wanted.
    The store is read, never written.
  - For the mail hosts of a fleet that share one store on PostgreSQL. One host converges the
    description (M(gestixi.mail.gestixi_mail)), which writes the store and that host's scripts;
    every other host then runs this module, so that each host's Dovecot answers with the same
    replies. The state role does this by itself.
  - The scripts are the same as a converge writes, from the same code; so is the manifest that
    lets an unchanged run skip rendering.
author:
  - gestixi.mail contributors (@gestixi)
extends_documentation_fragment:
  - gestixi.mail.store
attributes:
  check_mode:
    support: full
    description: Reports the scripts that would change; new ones are compiled in a scratch folder.
  diff_mode:
    support: full
    description: Shows the changed scripts' digests (not their text).
  idempotent:
    support: full
    description: Scripts already in step with the store are not touched.
  action_group:
    support: full
    description: Takes the store options from C(module_defaults) of the group.
    membership:
      - gestixi.mail.store
notes:
  - Of the store options, the connection (O(store_engine), O(store_path) and the PostgreSQL
    ones), O(sieve_dir) and O(sievec_path) are used. On PostgreSQL any of O(store_hosts)
    answers, a standby included.
seealso:
  - module: gestixi.mail.gestixi_mail
"""

EXAMPLES = r"""
- name: Render this host's scripts from the fleet's store
  gestixi.mail.gestixi_sieve_scripts:
    store_engine: postgresql
    store_hosts: [store1.example.org, store2.example.org]
    store_password: "{{ vault_store_password }}"
    store_ssl_mode: verify-full
    store_ca_cert: /etc/gestixi-mail/store-ca.crt
"""

RETURN = r"""
counts:
  description: How many Sieve scripts were created, updated, removed and left unchanged.
  returned: success
  type: dict
  sample: {"created": 1, "updated": 0, "removed": 0, "unchanged": 42}
changes:
  description: One entry per script changed, C(kind) V(sieve script) and C(key) C(<domain>/<login>).
  returned: success
  type: list
  elements: dict
  sample:
    - {"action": "create", "kind": "sieve script", "key": "example.org/carol"}
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.gestixi.mail.plugins.module_utils.converge._runner import run_sieve_sync, store_argument_spec


def main() -> None:
    module = AnsibleModule(argument_spec=store_argument_spec(), supports_check_mode=True)
    run_sieve_sync(module)


if __name__ == "__main__":
    main()
