# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  store_engine:
    description:
      - Where the store is, that Postfix and Dovecot read live.
      - V(sqlite), one file on the mail server (O(store_path)), for a single server.
      - V(postgresql), one database that several mail servers share (O(store_hosts),
        O(store_database)); the modules need the Python package psycopg where they run
        (Debian's C(python3-psycopg)). Both engines hold the same schema and give the same results.
      - The schema is created on first use and migrated when the collection brings a newer one.
    type: str
    choices: [sqlite, postgresql]
    default: sqlite
  store_path:
    description:
      - Path of the SQLite store (O(store_engine=sqlite)). Its folder must exist.
    type: path
    default: /var/lib/gestixi-mail/mail.sqlite
  store_owner:
    description:
      - Owner to set on the SQLite store file. Leave unset to keep the current owner.
    type: str
  store_group:
    description:
      - Group to set on the SQLite store file, the group the mail services read it as.
    type: str
  store_mode:
    description:
      - Mode to set on the SQLite store file, for example V(0640). A new store is created V(0600).
    type: raw
  store_hosts:
    description:
      - The PostgreSQL servers of the store (O(store_engine=postgresql)), as host names, addresses,
        or a folder of Unix sockets. With a primary and its standbys, a converge writes to the
        one that accepts writes, and fails, changing nothing, when none does; reads take the
        first that answers.
    type: list
    elements: str
    default: [localhost]
  store_port:
    description:
      - The port of the PostgreSQL servers.
    type: int
    default: 5432
  store_database:
    description:
      - The PostgreSQL database of the store.
    type: str
    default: gestixi_mail
  store_user:
    description:
      - The PostgreSQL role the modules log in as, the owner of the store's tables.
    type: str
    default: gestixi_mail
  store_password:
    description:
      - The password of O(store_user). Leave unset for a client certificate, peer or C(.pgpass)
        authentication. Never shown in results or logs.
    type: str
  store_ssl_mode:
    description:
      - libpq's C(sslmode) towards the PostgreSQL servers. V(verify-full) checks the server's
        certificate against O(store_ca_cert) and its name.
    type: str
    choices: [disable, allow, prefer, require, verify-ca, verify-full]
    default: prefer
  store_ca_cert:
    description:
      - The certificate authorities that sign the PostgreSQL servers' certificates (libpq's C(sslrootcert)).
    type: path
  store_ssl_cert:
    description:
      - A client certificate to log in with (libpq's C(sslcert)), with O(store_ssl_key).
    type: path
  store_ssl_key:
    description:
      - The private key of O(store_ssl_cert) (libpq's C(sslkey)).
    type: path
  store_connect_timeout:
    description:
      - Seconds to wait for each PostgreSQL server to answer.
    type: int
    default: 10
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
