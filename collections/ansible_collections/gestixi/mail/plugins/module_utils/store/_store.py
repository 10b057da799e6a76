# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Opening the store: SQLite (one server) or PostgreSQL (a fleet), by the store options.

Everything else sees the interface of store/_engine.py, whichever engine is behind it.
"""
from __future__ import annotations

import sqlite3

from ansible_collections.gestixi.mail.plugins.module_utils.store import _postgres
from ansible_collections.gestixi.mail.plugins.module_utils.store._engine import Store
from ansible_collections.gestixi.mail.plugins.module_utils.store._postgres import PostgresStore
from ansible_collections.gestixi.mail.plugins.module_utils.store._sqlite import DEFAULT_STORE_PATH, SQLiteStore

ENGINES = ("sqlite", "postgresql")
# What a driver raises for a store it cannot read (a reader then answers "unknown").
DRIVER_ERRORS: tuple[type[Exception], ...] = (sqlite3.Error,) + ((_postgres.psycopg.Error,) if _postgres.psycopg else ())


def connection_argument_spec() -> dict:
    """Options of the store connection (with those of converge/_runner.py's store_argument_spec)."""
    return {
        "store_engine": {"type": "str", "default": "sqlite", "choices": list(ENGINES)},
        "store_path": {"type": "path", "default": DEFAULT_STORE_PATH},
        "store_owner": {"type": "str"},
        "store_group": {"type": "str"},
        "store_mode": {"type": "raw"},
        "store_hosts": {"type": "list", "elements": "str", "default": ["localhost"]},
        "store_port": {"type": "int", "default": 5432},
        "store_database": {"type": "str", "default": "gestixi_mail"},
        "store_user": {"type": "str", "default": "gestixi_mail"},
        "store_password": {"type": "str", "no_log": True},
        "store_ssl_mode": {"type": "str", "default": "prefer",
                           "choices": ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"]},
        "store_ca_cert": {"type": "path"},
        "store_ssl_cert": {"type": "path"},
        "store_ssl_key": {"type": "path", "no_log": False},
        "store_connect_timeout": {"type": "int", "default": 10},
    }


def connection_defaults(**given) -> dict:
    """The connection options with their defaults, and `given` (for callers without a module)."""
    params = {name: spec.get("default") for name, spec in connection_argument_spec().items()}
    params.update(given)
    return params


def open_store(params: dict, check_mode: bool = False, read_only: bool = False) -> Store:
    """The store the options name. read_only: a store without a schema reads as empty."""
    if params.get("store_engine", "sqlite") == "sqlite":
        return SQLiteStore(params["store_path"], check_mode=check_mode, read_only=read_only)
    store = PostgresStore(params, check_mode=check_mode, read_only=read_only)
    if store.created and read_only:
        # An empty database has no tables to read (and a reader may not create them): its
        # content is that of an empty store, which SQLite holds in memory.
        store.close()
        return SQLiteStore(None, read_only=True)
    return store
