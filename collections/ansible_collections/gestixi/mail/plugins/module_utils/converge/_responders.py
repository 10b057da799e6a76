# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Automatic replies (responders): validation, planning and writing for gestixi_responder.

One call converges the responders of ONE domain: a user's own (login) or the domain-wide ones
(all_users: true, stored with login ''), which answer for every user of the domain. The Sieve
scripts that carry them are rendered by _sieve and kept in step by _sieve_sync (run_converge).

A record is {enabled, subject, body, start, end, days}, keyed by (owner, name) where owner is
'login@domain', or '*@domain' for a domain-wide responder. Dates are 'YYYY-MM-DD' or '' (open).
The reply's text is the module option and record field 'body' (Ansible reserves the option name
'message'); it is stored in the column responders.message, and the mail description and the
export of gestixi_mail_info call it 'message'.

What reaches a mail header or the Sieve script is checked here: the subject is one line
(no CR, LF or other control character); the body has its line breaks normalised to LF and
may hold any text but NUL and control characters other than TAB and LF. The renderer escapes
backslash and double quote, which is all a Sieve quoted string needs.
"""
from __future__ import annotations

from ansible_collections.gestixi.mail.plugins.module_utils.rules._address import canonical_domain, login_problem
from ansible_collections.gestixi.mail.plugins.module_utils.converge._plan import Converged, Plan, key_text, plan_items
from ansible_collections.gestixi.mail.plugins.module_utils.rules._responder import (
    DEFAULTS,
    check_body,
    check_day,
    check_days,
    check_name,
    check_subject,
    dates_order_message,
    missing_text_message,
)
from ansible_collections.gestixi.mail.plugins.module_utils._errors import MailStateError, ProblemCollector
from ansible_collections.gestixi.mail.plugins.module_utils.store._integrity import readable
from ansible_collections.gestixi.mail.plugins.module_utils.store._engine import Connection

ITEM_OPTIONS = {
    "login": {"type": "str"},
    "all_users": {"type": "bool", "default": False},
    "name": {"type": "str", "required": True},
    "enabled": {"type": "bool"},
    "subject": {"type": "str"},
    "body": {"type": "str"},
    "start": {"type": "str"},
    "end": {"type": "str"},
    "days": {"type": "int"},
    "state": {"type": "str", "choices": ["present", "absent"], "default": "present"},
}
SINGLE_ONLY = ("login", "all_users", "name", "enabled", "subject", "body", "start", "end", "days")
FIELDS = ("enabled", "subject", "body", "start", "end", "days")
ALL_USERS_OWNER = "*"  # owner key part of a domain-wide responder: *@domain (never a login)


def argument_spec() -> dict:
    single = {name: dict(spec) for name, spec in ITEM_OPTIONS.items()}
    single["name"]["required"] = False
    single["all_users"].pop("default")
    return {
        "domain": {"type": "str", "required": True},
        **single,
        "responders": {"type": "list", "elements": "dict", "options": ITEM_OPTIONS},
        "purge": {"type": "bool", "default": False},
    }


def module_constraints() -> dict:
    """Keyword arguments for AnsibleModule that tie the single and the list form together."""
    return {
        "mutually_exclusive": [("responders", option) for option in SINGLE_ONLY] + [("login", "all_users")],
        "required_one_of": [("name", "responders")],
        "required_if": [("purge", True, ("responders",))],
    }


def public(record: dict) -> dict:
    return {field: (record[field] or None) if field in ("start", "end") else record[field] for field in FIELDS}


def owner_of(domain: str, login: str) -> str:
    return "%s@%s" % (login or ALL_USERS_OWNER, domain)


def describe_owner(owner: str) -> str:
    login, domain = owner.rsplit("@", 1)
    return "all users of %s" % domain if login == ALL_USERS_OWNER else owner


# ---------------------------------------------------------------------------------------------
# Input

class Wanted:
    """Checked input of one call: the canonical domain, records by key, labels for messages,
    and the problems found so far (with, per item, the fields that had one)."""

    def __init__(self, domain: str) -> None:
        self.domain = domain
        self.records: dict[tuple[str, str], dict] = {}
        self.absent: set[tuple[str, str]] = set()
        self.labels: dict[tuple[str, str], str] = {}
        self.problems = ProblemCollector()
        self.bad_fields: dict[tuple[str, str], set[str]] = {}


def items_from_params(params: dict) -> list[tuple[str | None, dict]]:
    """(list label or None, item): the list form, or the single form as a list of one."""
    if params["responders"] is not None:
        return [("responders[%d]" % index, item) for index, item in enumerate(params["responders"])]
    return [(None, {option: params.get(option) for option in ITEM_OPTIONS})]


def _label(list_label: str | None, owner: str, name: object) -> str:
    what = "'%s' of %s" % (name, describe_owner(owner))
    return "%s (%s)" % (list_label, what) if list_label else "responder %s" % what


def domain_label(params: dict) -> str:
    return "responders of domain %s" % params["domain"]


def validate(params: dict, conn: Connection | None = None) -> Wanted:
    """Check every item; raise MailStateError naming every problem (item and field).

    With conn, references are checked too: the domain and each named user must exist.
    """
    wanted = collect(params, conn)
    _raise_if_any(wanted)
    return wanted


def _raise_if_any(wanted: Wanted) -> None:
    """Every problem, or the first ones and how many more (a long bad list stays readable)."""
    if wanted.problems.problems:
        raise MailStateError(readable(wanted.problems.problems))


def collect(params: dict, conn: Connection | None = None) -> Wanted:
    """validate() without raising: the problems are in the returned Wanted."""
    wanted = Wanted("")
    problems = wanted.problems
    try:
        domain = canonical_domain(params["domain"])
    except ValueError as exc:
        problems.add(domain_label(params), "domain", str(exc))
        domain = None
    users: set[str] | None = None
    if domain is not None and conn is not None:
        if conn.execute("SELECT 1 FROM domains WHERE name = ?", (domain,)).fetchone() is None:
            problems.add(domain_label(params), "domain", "the domain %s is not in the store: create it "
                         "first with gestixi.mail.gestixi_domain" % domain)
        else:
            users = {row[0] for row in conn.execute("SELECT login FROM users WHERE domain = ?", (domain,))}
    if params["purge"] and params["responders"] is None:
        problems.add(domain_label(params), "purge", "purge needs the list form (responders)")
    wanted.domain = domain or ""
    shown_domain = domain or str(params["domain"])
    seen: dict[tuple[str, str], str] = {}
    for list_label, item in items_from_params(params):
        login, all_users = item["login"], bool(item["all_users"])
        owner = owner_of(shown_domain, "" if all_users or not isinstance(login, str) else login)
        label = _label(list_label, owner, item["name"])
        if all_users and login is not None:
            problems.add(label, "login", "give either login (one user) or all_users: true (every user "
                         "of the domain), not both")
            continue
        if not all_users:
            why = login_problem(login)
            if login is None:
                why = "give login (one user) or all_users: true (every user of the domain)"
            if why:
                problems.add(label, "login", why)
                continue
        try:
            name = check_name(item["name"])
        except ValueError as exc:
            problems.add(label, "name", str(exc))
            continue
        key = (owner, name)
        if key in seen:
            problems.add(label, "name", "this automatic reply is listed twice (also %s)" % seen[key])
            continue
        seen[key] = label
        wanted.labels[key] = label
        if item["state"] == "absent":
            wanted.absent.add(key)
            continue
        if not all_users and users is not None and login not in users:
            problems.add(label, "login", "the user %s does not exist: create it first with "
                         "gestixi.mail.gestixi_user" % owner)
        record = {field: None for field in FIELDS}
        record["enabled"] = item["enabled"]
        for field, rule in (("subject", check_subject), ("body", check_body), ("start", check_day),
                            ("end", check_day), ("days", check_days)):
            if item[field] is not None:
                try:
                    record[field] = rule(item[field])
                except ValueError as exc:
                    problems.add(label, field, str(exc))
                    wanted.bad_fields.setdefault(key, set()).add(field)
        wanted.records[key] = record
    return wanted


def check_complete(plan: Plan, wanted: Wanted) -> None:
    """Rules on the record a responder ends with (given fields merged with stored ones).

    Adds to wanted.problems; a field already refused is not judged again.
    """
    after = list(plan.created) + [(key, record) for key, _before, record in plan.updated]
    for key, record in after:
        label = wanted.labels.get(key, key_text(key))
        bad = wanted.bad_fields.get(key, set())
        if record["enabled"]:
            for field in ("subject", "body"):
                if field not in bad and not record[field].strip():
                    wanted.problems.add(label, field, missing_text_message(field))
        if not bad & {"start", "end"} and record["start"] and record["end"] and record["start"] > record["end"]:
            wanted.problems.add(label, "end", dates_order_message(record["start"], record["end"]))


# ---------------------------------------------------------------------------------------------
# Store

def load(conn: Connection, domain: str) -> dict[tuple[str, str], dict]:
    """The responders of one domain (its users' and the domain-wide ones), in one query."""
    return {(owner_of(domain, row[0]), row[1]): {
        "enabled": bool(row[2]), "subject": row[3], "body": row[4],
        "start": row[5] or "", "end": row[6] or "", "days": row[7]}
        for row in conn.execute("SELECT login, name, enabled, subject, message, start_date, end_date, days "
                                "FROM responders WHERE domain = ?", (domain,))}


def _login(owner: str) -> str:
    login = owner.rpartition("@")[0]
    return "" if login == ALL_USERS_OWNER else login


def converge_responders(conn: Connection, params: dict) -> Converged:
    wanted = collect(params, conn)
    domain = wanted.domain
    plan = plan_items(Plan("responder", public), load(conn, domain) if domain else {}, wanted.records,
                      absent=wanted.absent, purge=params["purge"], defaults=DEFAULTS)
    check_complete(plan, wanted)
    _raise_if_any(wanted)
    conn.executemany(
        "INSERT INTO responders (domain, login, name, enabled, subject, message, start_date, end_date, days) "
        "VALUES (?, ?, ?, ?, ?, ?, NULLIF(?, ''), NULLIF(?, ''), ?)",
        [(domain, _login(owner), name, int(r["enabled"]), r["subject"], r["body"], r["start"], r["end"],
          r["days"]) for (owner, name), r in plan.created])
    conn.executemany(
        "UPDATE responders SET enabled = ?, subject = ?, message = ?, start_date = NULLIF(?, ''), "
        "end_date = NULLIF(?, ''), days = ? WHERE domain = ? AND login = ? AND name = ?",
        [(int(r["enabled"]), r["subject"], r["body"], r["start"], r["end"], r["days"], domain,
          _login(owner), name) for (owner, name), _before, r in plan.updated])
    conn.executemany("DELETE FROM responders WHERE domain = ? AND login = ? AND name = ?",
                     [(domain, _login(owner), name) for (owner, name), _record in plan.removed])
    return Converged([plan])
