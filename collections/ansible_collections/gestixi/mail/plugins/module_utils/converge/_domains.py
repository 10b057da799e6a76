# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Domains: validation, planning and writing for gestixi_domain."""
from __future__ import annotations

from ansible_collections.gestixi.mail.plugins.module_utils.rules._address import canonical_address, canonical_domain
from ansible_collections.gestixi.mail.plugins.module_utils.converge._plan import Converged, Plan, plan_items
from ansible_collections.gestixi.mail.plugins.module_utils._errors import ProblemCollector, yaml_path
from ansible_collections.gestixi.mail.plugins.module_utils.rules._application import NONE, application_record, shown
from ansible_collections.gestixi.mail.plugins.module_utils.rules._dns import domain_dns_problems, setting_from_stored, stored_setting
from ansible_collections.gestixi.mail.plugins.module_utils.rules._senders import LISTS, canonical_senders, domain_sender_problems
from ansible_collections.gestixi.mail.plugins.module_utils.rules._timezone import timezone_problem
from ansible_collections.gestixi.mail.plugins.module_utils.store._engine import Connection, Row

ITEM_OPTIONS = {
    "name": {"type": "str", "required": True},
    "timezone": {"type": "str"},
    "catchall": {"type": "str"},
    "dns": {"type": "dict"},
    "dkim": {"type": "dict"},
    "senders": {"type": "dict", "options": {key: {"type": "list", "elements": "str"} for key in LISTS}},
    # None keeps the stored credential; a login of None or '' removes it.
    "application": {"type": "dict",
                    "options": {"login": {"type": "str"}, "password": {"type": "str", "no_log": True}}},
    "state": {"type": "str", "choices": ["present", "absent"], "default": "present"},
}
MAIL_DNS = ("dns", "dkim")
# The settings kept as canonical JSON text (rules/_dns.py, stored_setting), "" when not set.
JSON_SETTINGS = MAIL_DNS + ("senders",)
DEFAULTS = {"timezone": "UTC", "catchall": "", "dns": "", "dkim": "", "senders": "", "application": NONE}


def argument_spec() -> dict:
    single = {name: dict(spec) for name, spec in ITEM_OPTIONS.items()}
    single["name"]["required"] = False
    single["name"]["aliases"] = ["domain"]
    return {
        **single,
        "domains": {"type": "list", "elements": "dict", "options": ITEM_OPTIONS},
        "purge": {"type": "bool", "default": False},
        "cascade": {"type": "bool", "default": False},
    }


def public(record: dict) -> dict:
    view = {"timezone": record["timezone"], "catchall": record["catchall"] or None}
    view.update((key, setting_from_stored(record[key])) for key in JSON_SETTINGS if record[key])
    if record["application"]:
        view["application"] = shown(record["application"])
    return view


def _new_password_shown(before: dict, after: dict, view: dict) -> None:
    old, new = before["application"], after["application"]
    if old and new and old["address"] == new["address"] and old["password"] != new["password"]:
        view["application"] = shown(new, "changed")


def items_from_params(params: dict) -> list[tuple[str, dict]]:
    """(label, item) pairs: the list form, or the single form as a list of one."""
    if params["domains"] is not None:
        return [("domains[%d]" % index, item) for index, item in enumerate(params["domains"])]
    single = {option: params[option] for option in ITEM_OPTIONS}
    return [("domain %s" % params["name"], single)]


def load(conn: Connection) -> dict[str, dict]:
    return {row["name"]: {"timezone": row["timezone"], "catchall": row["catchall"] or "",
                          "dns": row["dns"], "dkim": row["dkim"], "senders": row["senders"],
                          "application": _stored_application(row)}
            for row in conn.execute("SELECT name, timezone, catchall, dns, dkim, senders, application_login, "
                                    "application_password FROM domains")}


def _stored_application(row: Row) -> dict | str:
    if row["application_login"] is None:
        return NONE
    return {"address": row["application_login"], "password": row["application_password"]}


def _application_columns(record: dict) -> tuple[str | None, str]:
    application = record["application"]
    return (application["address"], application["password"]) if application else (None, "")


def validate(params: dict, current: dict[str, dict]) -> tuple[dict[str, dict], set[str]]:
    problems = ProblemCollector()
    wanted: dict[str, dict] = {}
    absent: set[str] = set()
    seen: dict[str, str] = {}
    for label, item in items_from_params(params):
        try:
            name = canonical_domain(item["name"])
        except ValueError as exc:
            problems.add(label, "name", str(exc))
            continue
        label = "%s (%s)" % (label, name) if label.startswith("domains[") else label
        if name in seen:
            problems.add(label, "name", "domain %s is listed twice (also %s)" % (name, seen[name]))
            continue
        seen[name] = label
        if item["state"] == "absent":
            absent.add(name)
            continue
        record = {"timezone": item["timezone"], "catchall": None, "dns": None, "dkim": None, "senders": None,
                  "application": None}
        # Where a problem of a setting is: domains[3].dns.mx (list form) or dns.mx (single form).
        where = label.partition(" ")[0] if label.startswith("domains[") else ""
        if item["application"] is not None:
            record["application"], found = application_record(
                item["application"], name, current.get(name, {}).get("application", NONE))
            for field, why in found:
                problems.add(label, field, why)
        if item["dns"] is not None or item["dkim"] is not None:
            # Checked together (a selector of dkim may clash with another); one not given is the store's.
            stored = current.get(name, {})
            given = {key: item[key] if item[key] is not None else setting_from_stored(stored.get(key, ""))
                     for key in MAIL_DNS}
            for problem in domain_dns_problems(given, where, name):
                problem.path = problem.path.lstrip(".")
                problems.problems.append(problem)
            record.update((key, stored_setting(item[key])) for key in MAIL_DNS if item[key] is not None)
        if item["senders"] is not None:
            found = domain_sender_problems(item["senders"], yaml_path(where, "senders").lstrip("."), name)
            problems.problems.extend(found)
            if not found:
                record["senders"] = stored_setting(canonical_senders(item["senders"]))
        if item["timezone"] is not None:
            why = timezone_problem(item["timezone"])
            if why:
                problems.add(label, "timezone", why)
        if item["catchall"] is not None:
            try:
                record["catchall"] = canonical_address(item["catchall"]) if item["catchall"] else ""
            except ValueError as exc:
                problems.add(label, "catchall", str(exc))
        wanted[name] = record
    problems.raise_if_any()
    return wanted, absent


def converge_domains(conn: Connection, params: dict) -> Converged:
    current = load(conn)
    wanted, absent = validate(params, current)
    plan = plan_items(Plan("domain", public, _new_password_shown), current, wanted, absent=absent,
                      purge=params["purge"], defaults=DEFAULTS)
    _refuse_removal_of_used(conn, plan, params["cascade"])
    conn.executemany("INSERT INTO domains (name, timezone, catchall, dns, dkim, senders, application_login, "
                     "application_password) VALUES (?, ?, NULLIF(?, ''), ?, ?, ?, ?, ?)",
                     [(name, r["timezone"], r["catchall"], r["dns"], r["dkim"], r["senders"], *_application_columns(r))
                      for name, r in plan.created])
    conn.executemany("UPDATE domains SET timezone = ?, catchall = NULLIF(?, ''), dns = ?, dkim = ?, senders = ?, "
                     "application_login = ?, application_password = ? WHERE name = ?",
                     [(r["timezone"], r["catchall"], r["dns"], r["dkim"], r["senders"], *_application_columns(r), name)
                      for name, before, r in plan.updated])
    for name, record in plan.removed:
        _delete_domain(conn, name)
    return Converged([plan])


def _refuse_removal_of_used(conn: Connection, plan: Plan, cascade: bool) -> None:
    if cascade:
        return
    problems = ProblemCollector()
    for name, record in plan.removed:
        users = conn.execute("SELECT COUNT(*) FROM users WHERE domain = ?", (name,)).fetchone()[0]
        aliases = conn.execute("SELECT COUNT(*) FROM aliases WHERE domain = ?", (name,)).fetchone()[0]
        if users or aliases:
            problems.add("domain %s" % name, "state",
                         "cannot remove a domain that still has %d user(s) and %d alias(es); "
                         "remove them first or set cascade=true" % (users, aliases))
    problems.raise_if_any()


def _delete_domain(conn: Connection, name: str) -> None:
    conn.execute("DELETE FROM responders WHERE domain = ?", (name,))
    conn.execute("DELETE FROM aliases WHERE domain = ?", (name,))  # recipients cascade
    conn.execute("DELETE FROM users WHERE domain = ?", (name,))
    conn.execute("DELETE FROM domains WHERE name = ?", (name,))
