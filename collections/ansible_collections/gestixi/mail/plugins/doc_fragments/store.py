# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  store_path:
    description:
      - Path of the SQLite store that Postfix and Dovecot read live.
      - Created with its schema on first use (its folder must exist); migrated when the
        collection brings a newer schema.
    type: path
    default: /var/lib/gestixi-mail/mail.sqlite
  store_owner:
    description:
      - Owner to set on the store file. Leave unset to keep the current owner.
    type: str
  store_group:
    description:
      - Group to set on the store file, the group the mail services read it as.
    type: str
  store_mode:
    description:
      - Mode to set on the store file, for example V(0640). A new store is created V(0600).
    type: raw
  sieve_dir:
    description:
      - Folder of the administrator-owned Sieve scripts, one per user with automatic replies,
        as C(<sieve_dir>/<domain>/<login>.sieve). Every converge keeps it in step with the store.
    type: path
    default: /var/lib/gestixi-mail/sieve
  alias_expansion_limit:
    description:
      - The mail server's Postfix C(virtual_alias_expansion_limit). An alias whose expansion
        (through nested aliases, all-users aliases counting the domain's enabled users) exceeds
        it is refused, because Postfix would defer every message to it.
      - The state role passes the server role's value; keep both equal when calling modules directly.
    type: int
    default: 1000
  alias_recursion_limit:
    description:
      - The mail server's Postfix C(virtual_alias_recursion_limit). Aliases nested this deep are refused.
    type: int
    default: 1000
  sievec_path:
    description:
      - Path of C(sievec) to compile the scripts with. By default it is searched in E(PATH);
        where it is not installed the scripts are written without being compiled.
    type: path
notes:
  - Every module of the collection is in the action group C(gestixi.mail.store), so that
    O(store_path) and the other store options can be set once with C(module_defaults).
"""
