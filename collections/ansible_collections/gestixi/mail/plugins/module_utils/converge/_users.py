# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Users (mailboxes login@domain): validation, planning and writing for gestixi_user.

One call converges the users of ONE domain: the domain's users are read with one query, every
item is validated (all problems at once), passwords are resolved (ready hashes as given;
plaintexts verified against the stored hash only for existing users, hashed once otherwise),
and the writes are bulk executemany statements. Removing a user also removes its automatic
replies, its app passwords and the alias recipient rows that point at its address, reported as
changes.

A user's `app_passwords` (rules/_app_password.py), when given, is the exact list of its app
passwords: one not named is revoked (removed). They are their own kind in the plan ("app
password", key address/name), so that a pull request shows each one added, changed or revoked.

A record here is {name, password, quota (bytes), enabled}: keys are the option names, so that
`changes` and the diff speak the operator's words. The password is a secret: it only ever
appears in the store, never in a diff, a change list or a message.
"""
from __future__ import annotations

from typing import Callable, Hashable

from ansible_collections.gestixi.mail.plugins.module_utils.rules._address import canonical_domain, login_problem
from ansible_collections.gestixi.mail.plugins.module_utils.converge._plan import Converged, Plan, plan_items
from ansible_collections.gestixi.mail.plugins.module_utils._errors import InvalidItem, ProblemCollector
from ansible_collections.gestixi.mail.plugins.module_utils.rules._alias_graph import ALIAS_TO_USER, CATCHALL, EMPTY_ALIAS
from ansible_collections.gestixi.mail.plugins.module_utils.rules import _app_password
from ansible_collections.gestixi.mail.plugins.module_utils.rules._user import DEFAULTS, format_quota, name_problem, parse_quota
from ansible_collections.gestixi.mail.plugins.module_utils.rules._password import (
    DEFAULT_SCHEME,
    SCHEMES,
    PasswordError,
    hash_problem,
    is_hash,
    plaintext_problem,
    scheme_of,
    wanted_password,
)
from ansible_collections.gestixi.mail.plugins.module_utils.store._engine import Connection

ITEM_OPTIONS = {
    "login": {"type": "str", "required": True},
    "name": {"type": "str", "aliases": ["display_name"]},
    "password": {"type": "str", "no_log": True},
    "quota": {"type": "raw"},
    "enabled": {"type": "bool"},
    # None keeps the stored app passwords; a list is exact (rules/_app_password.py checks it,
    # in the description's words: no choices or required here). no_log False: the name matches
    # Ansible's password heuristic, the list itself is no secret (its hashes are no_log).
    "app_passwords": {"type": "list", "elements": "dict", "no_log": False, "options": {
        "name": {"type": "str"},
        "password": {"type": "str", "no_log": True},
        "services": {"type": "list", "elements": "str"},
    }},
    "state": {"type": "str", "choices": ["present", "absent"], "default": "present"},
}
SINGLE_ONLY = ("login", "name", "password", "quota", "enabled", "app_passwords")

CHUNK = 500  # bound parameters per IN (...) query
MASK = "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"  # what Ansible shows for a no_log value


def argument_spec() -> dict:
    single = {name: dict(spec) for name, spec in ITEM_OPTIONS.items()}
    single["login"]["required"] = False
    return {
        "domain": {"type": "str", "required": True},
        **single,
        "users": {"type": "list", "elements": "dict", "options": ITEM_OPTIONS},
        "purge": {"type": "bool", "default": False},
        # no_log False: the name matches Ansible's password heuristic, the value is no secret.
        "password_scheme": {"type": "str", "choices": list(SCHEMES), "default": DEFAULT_SCHEME,
                            "no_log": False},
    }


def module_constraints() -> dict:
    """Keyword arguments for AnsibleModule that tie the single and the list form together."""
    return {
        "mutually_exclusive": [("users", option) for option in SINGLE_ONLY],
        "required_one_of": [("login", "users")],
        "required_if": [("purge", True, ("users",))],
    }


# ---------------------------------------------------------------------------------------------
# Secrets and Ansible's no_log scrubbing

def take_secrets(module) -> dict:
    """Parameters for the converge, with the real passwords; ready hashes hidden from output.

    Ansible replaces every no_log value in every string of the module's log line and result:
    with 10,000 ready hashes that is 10,000 replacements per string of a result that echoes
    10,000 users, tens of seconds. So the ready hashes are masked in module.params (which the
    result echoes as `invocation`) and taken off module.no_log_values; nothing this module
    outputs is built from a password. Plain-text passwords stay in no_log_values: Ansible
    keeps scrubbing them as well.
    """
    params = dict(module.params)
    hidden: set[str] = set()

    def masked(item: dict) -> dict:
        password = item.get("password")
        if isinstance(password, str) and scheme_of(password) is not None:
            hidden.add(password)
            item = {**item, "password": MASK}
        if isinstance(item.get("app_passwords"), list):
            item = {**item, "app_passwords": [masked(app) if isinstance(app, dict) else app
                                              for app in item["app_passwords"]]}
        return item

    if module.params.get("users") is not None:
        module.params["users"] = [masked(item) for item in module.params["users"]]
    module.params.update(masked({"password": module.params.get("password"),
                                 "app_passwords": module.params.get("app_passwords")}))
    module.no_log_values.difference_update(hidden)
    return params


def log_summary(params: dict) -> dict:
    """Arguments worth logging at invocation: no password, and a long user list as a count."""
    summary = {}
    for name, value in params.items():
        if name == "password":
            summary[name] = "NOT_LOGGING_PARAMETER" if value is not None else None
        elif name == "users" and value is not None:
            summary[name] = "%d user(s)" % len(value)
        elif name == "app_passwords" and value is not None:
            summary[name] = [app.get("name") if isinstance(app, dict) else None for app in value]
        else:
            summary[name] = value
    return summary


# ---------------------------------------------------------------------------------------------
# Plans and views (secret-free)

def public(record: dict) -> dict:
    return {"name": record["name"], "quota": format_quota(record["quota"]),
            "enabled": bool(record["enabled"]), "password": "(set)"}


def _new_password_shown(before: dict, after: dict, view: dict) -> None:
    """The diff says '(changed)' for a new password, and never shows any hash."""
    if after["password"] != before["password"]:
        view["password"] = "(changed)"


def _new_app_password_shown(before: dict, after: dict, view: dict) -> None:
    if after["password"] != before["password"]:
        view["password"] = "(changed)"


def _public_responder(record: dict) -> dict:
    return dict(record)


def _public_recipient(record: dict) -> dict:
    return dict(record)


# ---------------------------------------------------------------------------------------------
# Input

def items_from_params(params: dict, domain: str) -> list[tuple[str, dict, bool]]:
    """(label, item, listed) triples: the list form, or the single form as a list of one."""
    if params["users"] is not None:
        return [("users[%d]" % index, item, True) for index, item in enumerate(params["users"])]
    single = {option: params.get(option) for option in ITEM_OPTIONS}
    return [("user %s@%s" % (params["login"], domain), single, False)]


class Wanted:
    """Validated input: the canonical domain and each user's wanted record, keyed by address."""

    def __init__(self, domain: str) -> None:
        self.domain = domain
        self.records: dict[str, dict] = {}
        self.absent: set[str] = set()
        self.passwords: dict[str, str] = {}  # address -> given password (secret)
        self.app_passwords: dict[str, list[dict]] = {}  # address -> its exact list, where given
        self.labels: dict[str, str] = {}


def domain_label(params: dict) -> str:
    if params["users"] is not None:
        return "users of domain %s" % params["domain"]
    return "user %s@%s" % (params["login"], params["domain"])


def validate(params: dict, current: dict[str, dict] | None = None,
             domain_known: Callable[[str], bool] | None = None) -> Wanted:
    """Check every item against the rules; raise MailStateError naming all problems.

    current (address -> record) tells which users exist and domain_known(domain) whether the
    store has the domain; with domain_known, a new user without a password is a problem.
    Without it the input is checked alone.
    """
    problems = ProblemCollector()
    current = current or {}
    try:
        domain = canonical_domain(params["domain"])
    except ValueError as exc:
        problems.add(domain_label(params), "domain", str(exc))
        domain = None
    if domain is not None and domain_known is not None and not domain_known(domain):
        problems.add(domain_label(params), "domain",
                     "the domain %s is not in the store: create it first with "
                     "gestixi.mail.gestixi_domain" % domain)
        domain_known = None
    # Which users are new is only known for a domain that exists.
    new_users_known = domain is not None and domain_known is not None
    wanted = Wanted(domain or "")
    scheme = params.get("password_scheme") or DEFAULT_SCHEME
    seen: dict[str, str] = {}
    for label, item, listed in items_from_params(params, domain or params["domain"]):
        login = item["login"]
        if listed and isinstance(login, str) and login:
            label = "%s (%s)" % (label, login)
        why = login_problem(login)
        if why:
            problems.add(label, "login", why)
            continue
        address = "%s@%s" % (login, domain or "")
        if login in seen:
            problems.add(label, "login", "%s is listed twice (also %s)" % (login, seen[login]))
            continue
        seen[login] = label
        wanted.labels[address] = label
        if item["state"] == "absent":
            wanted.absent.add(address)
            continue
        record = {"name": None, "password": None, "quota": None, "enabled": item["enabled"]}
        if item["name"] is not None:
            why = name_problem(item["name"])
            if why:
                problems.add(label, "name", why)
            record["name"] = item["name"]
        if item["quota"] is not None:
            try:
                record["quota"] = parse_quota(item["quota"])
            except ValueError as exc:
                problems.add(label, "quota", str(exc))
        password = item["password"]
        if password is None:
            if new_users_known and address not in current:
                problems.add(label, "password", "a new user needs a password (a plain-text password "
                             "or a ready hash such as {%s}...)" % DEFAULT_SCHEME)
        else:
            try:
                why = hash_problem(password) if is_hash(password) else plaintext_problem(password, scheme)
            except PasswordError as exc:
                why = str(exc)
            if why:
                problems.add(label, "password", why)
            else:
                wanted.passwords[address] = password
        apps = item.get(_app_password.KEY)
        found = _app_password.list_problems(apps)
        for field, why in found:
            problems.add(label, field, why)
        if apps is not None and not found:
            wanted.app_passwords[address] = apps
        wanted.records[address] = record
    problems.raise_if_any()
    return wanted


# ---------------------------------------------------------------------------------------------
# Store

def load(conn: Connection, domain: str) -> dict[str, dict]:
    """The users of one domain, address -> record, in one query."""
    return {row[0]: {"name": row[1], "password": row[2], "quota": row[3], "enabled": bool(row[4])}
            for row in conn.execute("SELECT address, display_name, password, quota_bytes, enabled "
                                    "FROM users WHERE domain = ?", (domain,))}


def load_app_passwords(conn: Connection, domain: str) -> dict[tuple[str, str], dict]:
    """The app passwords of one domain's users, (address, name) -> record, in one query."""
    return {(row[0], row[1]): {"password": row[2], "services": _app_password.services_of_flags(row[3:])}
            for row in conn.execute("SELECT p.address, p.name, p.password, p.imap, p.smtp FROM app_passwords p "
                                    "JOIN users u ON u.address = p.address WHERE u.domain = ?", (domain,))}


def plan_app_passwords(wanted: Wanted, current: dict[tuple[str, str], dict]) -> Plan:
    """The app passwords of the users whose list is given: exactly that list (a stored one it
    does not name is revoked); a new one needs its hash, an existing one keeps it when none is given."""
    stored: dict[str, dict[str, dict]] = {}
    for (address, name), record in current.items():
        stored.setdefault(address, {})[name] = record
    problems = ProblemCollector()
    records: dict[tuple[str, str], dict] = {}
    for address, items in wanted.app_passwords.items():
        found, missing = _app_password.records(items, stored.get(address, {}))
        for field, why in missing:
            problems.add(wanted.labels[address], field, why)
        records.update(((address, name), record) for name, record in found.items())
    problems.raise_if_any()
    scope = {key: record for key, record in current.items() if key[0] in wanted.app_passwords}
    return plan_items(Plan("app password", _app_password.shown, _new_app_password_shown), scope, records, purge=True)


def domain_exists(conn: Connection) -> Callable[[str], bool]:
    def known(domain: str) -> bool:
        return conn.execute("SELECT 1 FROM domains WHERE name = ?", (domain,)).fetchone() is not None
    return known


def resolve_passwords(wanted: Wanted, current: dict[str, dict], scheme: str, hash_new: bool) -> None:
    """Turn each given password into the value to store (keeps a stored hash that verifies)."""
    problems = ProblemCollector()
    for address, given in wanted.passwords.items():
        have = current.get(address)
        stored = have["password"] if have else None
        try:
            wanted.records[address]["password"] = wanted_password(given, stored, scheme, hash_new=hash_new)
        except PasswordError as exc:
            problems.add(wanted.labels[address], "password", str(exc))
    problems.raise_if_any()


def converge_users(conn: Connection, params: dict, check_mode: bool = False) -> Converged:
    """Converge the users of one domain; the whole-store problems it causes are named by its items."""
    scheme = params.get("password_scheme") or DEFAULT_SCHEME
    try:
        domain = canonical_domain(params["domain"])
    except ValueError:
        domain = None
    current = load(conn, domain) if domain else {}
    wanted = validate(params, current, domain_exists(conn))
    resolve_passwords(wanted, current, scheme, hash_new=not check_mode)
    apps = plan_app_passwords(wanted, load_app_passwords(conn, domain) if domain and wanted.app_passwords else {})
    plan = plan_items(Plan("user", public, _new_password_shown), current, wanted.records, absent=wanted.absent,
                      purge=params["purge"], defaults=DEFAULTS)
    conn.executemany(
        "INSERT INTO users (address, domain, login, display_name, password, quota_bytes, enabled) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(address, domain, address.rpartition("@")[0], r["name"], r["password"], r["quota"], int(r["enabled"]))
         for address, r in plan.created])
    conn.executemany(
        "UPDATE users SET display_name = ?, password = ?, quota_bytes = ?, enabled = ? WHERE address = ?",
        [(r["name"], r["password"], r["quota"], int(r["enabled"]), address) for address, _before, r in plan.updated])
    conn.executemany("DELETE FROM app_passwords WHERE address = ? AND name = ?", [key for key, _record in apps.removed])
    conn.executemany("INSERT INTO app_passwords (address, name, password, imap, smtp) VALUES (?, ?, ?, ?, ?)",
                     [(*key, r["password"], *_app_password.flags_of_services(r["services"])) for key, r in apps.created])
    conn.executemany("UPDATE app_passwords SET password = ?, imap = ?, smtp = ? WHERE address = ? AND name = ?",
                     [(r["password"], *_app_password.flags_of_services(r["services"]), *key) for key, _before, r in apps.updated])
    side_plans = remove_users(conn, domain, [address for address, _record in plan.removed])
    return Converged([plan, apps] + side_plans, lambda found: _named(found, wanted, plan, side_plans))


def remove_users(conn: Connection, domain: str | None, addresses: list[str]) -> list[Plan]:
    """Delete users with their automatic replies, app passwords and the alias recipient rows naming them."""
    responders = Plan("responder", _public_responder)
    apps = Plan("app password", _app_password.shown)
    recipients = Plan("alias recipient", _public_recipient)
    if not addresses:
        return []
    logins = {address.rpartition("@")[0] for address in addresses}
    for row in conn.execute("SELECT login, name, enabled, subject FROM responders "
                            "WHERE domain = ? AND login != '' ORDER BY login, name", (domain,)):
        if row[0] in logins:
            key: Hashable = ("%s@%s" % (row[0], domain), row[1])
            responders.removed.append((key, {"enabled": bool(row[2]), "subject": row[3]}))
    # An address that is also an alias (created by the same run: a user turned into an alias)
    # lives on: the entries naming it stay.
    gone: list[str] = []
    for start in range(0, len(addresses), CHUNK):
        chunk = addresses[start:start + CHUNK]
        marks = ", ".join("?" * len(chunk))
        for row in conn.execute("SELECT address, name, imap, smtp FROM app_passwords WHERE address IN (%s) "
                                "ORDER BY address, name" % marks, chunk):
            apps.removed.append(((row[0], row[1]), {"password": "", "services": _app_password.services_of_flags(row[2:])}))
        aliases = {row[0] for row in conn.execute("SELECT address FROM aliases WHERE address IN (%s)" % marks, chunk)}
        chunk = [address for address in chunk if address not in aliases]
        gone.extend(chunk)
        if not chunk:
            continue
        marks = ", ".join("?" * len(chunk))
        for row in conn.execute("SELECT alias, recipient FROM alias_recipients WHERE recipient IN (%s) "
                                "ORDER BY alias, recipient" % marks, chunk):
            recipients.removed.append(((row[0], row[1]), {"alias": row[0], "recipient": row[1]}))
    conn.executemany("DELETE FROM responders WHERE domain = ? AND login = ?",
                     [(domain, login) for login in sorted(logins)])
    conn.executemany("DELETE FROM alias_recipients WHERE recipient = ?", [(a,) for a in gone])
    conn.executemany("DELETE FROM app_passwords WHERE address = ?", [(a,) for a in addresses])
    conn.executemany("DELETE FROM users WHERE address = ?", [(a,) for a in addresses])
    return [responders, apps, recipients]


def _named(found: list, wanted: Wanted, plan: Plan, side_plans: list[Plan]) -> list[InvalidItem]:
    """The store's problems, those this run causes named by its user items.

    A new user cannot take the address of an alias; a removed user cannot be the last
    recipient of an alias or the target of a catch-all. Other problems keep the store's words.
    """
    created = {address for address, _record in plan.created}
    removed = {address for address, _record in plan.removed}
    emptied: dict[str, str] = {}  # alias -> a removed user it lost
    for side in side_plans:
        if side.kind == "alias recipient":
            for (alias, recipient), _record in side.removed:
                emptied.setdefault(alias, recipient)

    def removed_item(address: str) -> tuple[str, str]:
        if address in wanted.labels:
            return wanted.labels[address], "state"
        return "user %s" % address, "purge"

    named: list[InvalidItem] = []
    for problem in found:
        if problem.kind == ALIAS_TO_USER and problem.alias in created:
            named.append(problem.invalid_item(wanted.labels[problem.alias], "login"))
        elif problem.kind == EMPTY_ALIAS and emptied.get(problem.alias) in removed:
            named.append(problem.invalid_item(*removed_item(emptied[problem.alias])))
        elif problem.kind == CATCHALL and problem.path and problem.path[0] in removed:
            named.append(problem.invalid_item(*removed_item(problem.path[0])))
        else:
            named.append(problem.invalid_item())
    return named
