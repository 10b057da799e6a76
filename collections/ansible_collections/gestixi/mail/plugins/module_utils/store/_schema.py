# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The versioned schema of the gestixi.mail store.

Postfix (sqlite or pgsql lookup tables) and Dovecot (sql passdb/userdb) read these tables
live, with the queries kept in roles/server/vars/store_queries.yml. Never edit a migration
that has shipped: append a new one.

One schema for both engines (store/_sqlite.py, store/_postgres.py): the statements are SQL that
both run as written, except the triggers, given as ForgetsRecord, which each engine writes in its
own dialect (SQLite's are the very statements that earlier releases ran).
"""
from __future__ import annotations


class ForgetsRecord:
    """Triggers that delete the converge record after any row of `table` is inserted, updated
    or deleted (store/_record.py), in the transaction that writes the row."""

    EVENTS = ("INSERT", "UPDATE", "DELETE")

    def __init__(self, table: str) -> None:
        self.table = table


# Each entry upgrades the schema from version N to N+1 (list index N).
MIGRATIONS: tuple[tuple[str | ForgetsRecord, ...], ...] = (
    (
        """CREATE TABLE domains (
            name TEXT PRIMARY KEY,
            timezone TEXT NOT NULL DEFAULT 'UTC',
            catchall TEXT
        )""",
        """CREATE TABLE users (
            address TEXT PRIMARY KEY,
            domain TEXT NOT NULL REFERENCES domains(name),
            login TEXT NOT NULL,
            display_name TEXT NOT NULL DEFAULT '',
            password TEXT NOT NULL,
            quota_bytes INTEGER NOT NULL DEFAULT 0,
            enabled INTEGER NOT NULL DEFAULT 1,
            UNIQUE (domain, login)
        )""",
        """CREATE TABLE aliases (
            address TEXT PRIMARY KEY,
            domain TEXT NOT NULL REFERENCES domains(name),
            local_part TEXT NOT NULL,
            all_users INTEGER NOT NULL DEFAULT 0,
            UNIQUE (domain, local_part)
        )""",
        """CREATE TABLE alias_recipients (
            alias TEXT NOT NULL REFERENCES aliases(address) ON DELETE CASCADE,
            recipient TEXT NOT NULL,
            PRIMARY KEY (alias, recipient)
        )""",
        # login '' is a domain-wide responder: it answers for every user of the domain.
        """CREATE TABLE responders (
            domain TEXT NOT NULL REFERENCES domains(name),
            login TEXT NOT NULL DEFAULT '',
            name TEXT NOT NULL,
            enabled INTEGER NOT NULL DEFAULT 1,
            subject TEXT NOT NULL DEFAULT '',
            message TEXT NOT NULL DEFAULT '',
            start_date TEXT,
            end_date TEXT,
            days INTEGER NOT NULL DEFAULT 7,
            PRIMARY KEY (domain, login, name)
        )""",
        "CREATE INDEX users_domain ON users (domain)",
        "CREATE INDEX aliases_domain ON aliases (domain)",
        "CREATE INDEX alias_recipients_recipient ON alias_recipients (recipient)",
    ),
    (
        # What the last run found the store's content to be (store/_record.py). Any write to the
        # mail tables, by this collection or by anything else, forgets it in the same
        # transaction, so a record that exists is true of the content it sits beside.
        """CREATE TABLE converge_record (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            checked_limits TEXT,
            description TEXT,
            unchanged INTEGER NOT NULL DEFAULT 0
        )""",
    ) + tuple(ForgetsRecord(table) for table in ("domains", "users", "aliases", "alias_recipients", "responders")),
    (
        # A domain's mail-DNS settings (its `dns:` and `dkim:` in the description), each as
        # JSON text or '' (rules/_dns.py, stored_setting): the store holds the whole description,
        # so that its export applies back unchanged. Nothing of the mail flow reads them.
        "ALTER TABLE domains ADD COLUMN dns TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE domains ADD COLUMN dkim TEXT NOT NULL DEFAULT ''",
    ),
    (
        # The application's submission credential (rules/_application.py): the address it logs
        # in as (NULL: none) and its password hash. Dovecot's passdb and Postfix's sender login
        # and copy tables read them.
        "ALTER TABLE domains ADD COLUMN application_login TEXT",
        "ALTER TABLE domains ADD COLUMN application_password TEXT NOT NULL DEFAULT ''",
        "CREATE UNIQUE INDEX domains_application_login ON domains (application_login)",
    ),
    (
        # A user's app passwords (rules/_app_password.py): a named second password, for the
        # services it flags only (imap: Dovecot's IMAP; smtp: Postfix's SASL on the submission
        # ports). Dovecot's passdb chain reads them (store_queries.yml, app_password); no other
        # service ever matches a row. They go with their user.
        """CREATE TABLE app_passwords (
            address TEXT NOT NULL REFERENCES users(address) ON DELETE CASCADE,
            name TEXT NOT NULL,
            password TEXT NOT NULL,
            imap INTEGER NOT NULL DEFAULT 0,
            smtp INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (address, name)
        )""",
        ForgetsRecord("app_passwords"),
    ),
    (
        # A domain's allowed and blocked senders (its `senders:`), as canonical JSON text or ''
        # (rules/_senders.py, canonical_senders; rules/_dns.py, stored_setting). The servers'
        # rspamd reads maps made from the description, not this column: the store keeps it so
        # that the export holds the whole description.
        "ALTER TABLE domains ADD COLUMN senders TEXT NOT NULL DEFAULT ''",
    ),
)

SCHEMA_VERSION = len(MIGRATIONS)
