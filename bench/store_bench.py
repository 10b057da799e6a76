#!/usr/bin/env python3
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Store benchmark: how long converging a large mail description takes, through the modules.

Runs real `ansible-playbook` processes (connection local, the store modules addressed by FQCN,
store options set once with module_defaults on group/gestixi.mail.store) against a temporary
SQLite store, and prints figures next to their targets. It asserts nothing: a missed target is
shown as such, for a human to look into.

    .venv/bin/python bench/store_bench.py            # or: ./run bench
    .venv/bin/python bench/store_bench.py --help     # sizes, parts to skip, --keep, --json

Measured:
1. the whole description (default 10,000 users, 20,000 aliases of which 50 reach all users,
   1,000 automatic replies of which 10 are domain-wide, in 10 domains), kept in the inventory
   as an operator keeps it (gestixi_mail_domains), converged into an empty store in ONE
   playbook run by gestixi.mail.gestixi_mail; the same run again, unchanged; then one alias
   changed, both as the same full run and as one single-item gestixi_alias call. For
   comparison (info): the unchanged run through the role gestixi.mail.state (check of the
   description, converge, plan: what playbooks/mail.yml runs per host), the unchanged run of
   the same description as list-form calls of the single-kind modules (one call per domain
   and kind), and an empty playbook (ansible-playbook's own start and end).
   Wall time, CPU time and peak memory (the largest max RSS of any process of the
   ansible-playbook process tree, from wait4()) of each run.
2. 1,000 users converged by a per-item loop of the single-item form vs one list-form call.
3. The cost per user of verifying an unchanged plain-text password, per scheme: an unchanged
   re-run of N users given plain texts, minus an unchanged re-run of N users given ready
   hashes, divided by N; next to the library's own verify time.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COLLECTIONS = os.path.join(ROOT, "collections")
SCHEMES = ("ARGON2ID", "BLF-CRYPT", "SHA512-CRYPT")
TASK_TIME_RE = re.compile(r"^(\S.*?) -{3,} (\d+\.\d+)s$", re.M)
RECAP_RE = re.compile(r"^localhost\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", re.M)

sys.path.insert(0, COLLECTIONS)


# ---------------------------------------------------------------------------------------------
# Running playbooks


class Run:
    """One ansible-playbook run: wall time, peak RSS of its process tree, the recap."""

    def __init__(self, label: str, seconds: float, cpu_seconds: float, max_rss_kib: int, returncode: int,
                 output: str) -> None:
        self.label = label
        self.seconds = seconds
        self.cpu_seconds = cpu_seconds
        self.max_rss_mib = max_rss_kib / 1024.0
        self.returncode = returncode
        self.output = output
        match = RECAP_RE.search(output)
        self.ok, self.changed, _, self.failed = (int(g) for g in match.groups()) if match else (0, 0, 0, 1)
        recap = output.split("TASKS RECAP", 1)[-1]
        self.task_seconds = {name: float(seconds) for name, seconds in TASK_TIME_RE.findall(recap)}

    def task_summary(self) -> str:
        """Seconds per task (all loop items), the rest being ansible-playbook's own start and end."""
        parts = ["%s %.1f s" % (name, seconds) for name, seconds in self.task_seconds.items()]
        rest = self.seconds - sum(self.task_seconds.values())
        return ", ".join(parts + ["start/end %.1f s" % rest])

    def check(self) -> "Run":
        if self.returncode != 0 or self.failed:
            tail = "\n".join(self.output.splitlines()[-40:])
            raise SystemExit("benchmark run '%s' failed (rc %d):\n%s" % (self.label, self.returncode, tail))
        return self


def ansible_playbook() -> str:
    candidate = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")
    found = candidate if os.access(candidate, os.X_OK) else shutil.which("ansible-playbook")
    if not found:
        raise SystemExit("ansible-playbook not found next to %s nor in PATH: run ./run setup" % sys.executable)
    return found


def run_playbook(label: str, playbook: str, workdir: str, inventory: str = "localhost,") -> Run:
    """Run a playbook; rusage from wait4() covers the process and every descendant it reaped."""
    env = dict(os.environ)
    env.update({
        "ANSIBLE_CONFIG": os.path.join(ROOT, "ansible.cfg"),
        "ANSIBLE_COLLECTIONS_PATH": COLLECTIONS,
        "ANSIBLE_LOCALHOST_WARNING": "false",
        "ANSIBLE_INVENTORY_UNPARSED_WARNING": "false",
        "ANSIBLE_NOCOLOR": "1",
        # Time per task (ansible.posix ships with the `ansible` package).
        "ANSIBLE_CALLBACKS_ENABLED": "ansible.posix.profile_tasks",
        "PROFILE_TASKS_SORT_ORDER": "none",
        # The gate's verdicts (plugin_utils/_verdicts.py) of this benchmark only: the initial
        # converge checks in full, a re-run of the same description recalls the verdict.
        "GESTIXI_MAIL_GATE_CACHE": os.environ.get("GESTIXI_MAIL_GATE_CACHE") or os.path.join(workdir, "gate-verdicts"),
    })
    log_path = os.path.join(workdir, "%s.log" % re.sub(r"[^A-Za-z0-9]+", "-", label).strip("-"))
    with open(log_path, "w+", encoding="utf-8") as log:
        start = time.monotonic()
        proc = subprocess.Popen([ansible_playbook(), "-i", inventory, playbook],
                                stdout=log, stderr=subprocess.STDOUT, env=env, cwd=workdir)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.monotonic() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        log.seek(0)
        output = log.read()
    run = Run(label, seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, proc.returncode, output)
    print("  %-44s %7.1f s (CPU %5.1f s) %6.0f MiB  changed=%d"
          % (label, run.seconds, run.cpu_seconds, run.max_rss_mib, run.changed), file=sys.stderr, flush=True)
    return run


def write_inventory(folder: str, variables: dict, form: str = "json") -> str:
    """An inventory of localhost whose group_vars hold the description, as an operator's would
    (group_vars are read once per run; a play's vars_files would be read again for every task).

    form "yaml" writes group_vars/all/bench.yml in block style, as operators keep it in Git;
    "json" writes bench.json (Ansible reads it with its JSON parser, no YAML tagging)."""
    group_vars = os.path.join(folder, "group_vars", "all")
    os.makedirs(group_vars, exist_ok=True)
    write_json(os.path.join(folder, "hosts.json"), {"all": {"hosts": {"localhost": {"ansible_connection": "local"}}}})
    for stale in ("bench.json", "bench.yml"):
        if os.path.exists(os.path.join(group_vars, stale)):
            os.unlink(os.path.join(group_vars, stale))
    if form == "yaml":
        write_yaml(os.path.join(group_vars, "bench.yml"), variables)
    else:
        write_json(os.path.join(group_vars, "bench.json"), variables)
    return folder


def write_yaml(path: str, data: object) -> str:
    """Block-style YAML, as an operator writes it (PyYAML is a dependency of ansible-core)."""
    import yaml  # noqa: PLC0415

    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("---\n")
        yaml.dump(data, handle, Dumper=dumper, default_flow_style=False, sort_keys=False, allow_unicode=True,
                  width=1000)
    return path


def write_playbook(path: str, store: str, tasks: list[dict]) -> str:
    """A local play with the store options set once for the whole action group."""
    play = {
        "name": "gestixi.mail store benchmark",
        "hosts": "localhost",
        "connection": "local",
        "gather_facts": False,
        "vars": {"ansible_python_interpreter": "{{ ansible_playbook_python }}"},
        "module_defaults": {"group/gestixi.mail.store": {"store_path": store, "sieve_dir": store + ".sieve"}},
        "tasks": tasks,
    }
    with open(path, "w", encoding="utf-8") as handle:
        json.dump([play], handle, indent=1)  # JSON is YAML: no YAML library needed here
    return path


def write_json(path: str, data: object) -> str:
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(data, handle)
    return path


def sievec_defaults(sievec: str | None) -> dict:
    return {"sievec_path": sievec} if sievec else {}


# ---------------------------------------------------------------------------------------------
# Data


def ready_hash() -> str:
    """One {SHA512-CRYPT} hash, made once, used for every user (verifying it is never needed)."""
    from passlib.hash import sha512_crypt  # noqa: PLC0415 - only the benchmark needs passlib

    return "{SHA512-CRYPT}" + sha512_crypt.using(rounds=5000).hash("bench-password")


def description(domains: int, users: int, aliases: int, all_users_aliases: int, responders: int,
                wide_responders: int, password: str) -> list[dict]:
    """A deterministic description spread evenly over `domains` domains.

    Replies run next summer: a reply that has ended would be a warning of the description check.
    """
    year = datetime.date.today().year + 1
    out = []
    for d in range(domains):
        name = "d%02d.bench.example" % d
        share = lambda total: total // domains + (1 if d < total % domains else 0)  # noqa: E731
        n_users, n_aliases = share(users), share(aliases)
        n_all, n_replies, n_wide = share(all_users_aliases), share(responders), share(wide_responders)
        logins = ["user%05d" % u for u in range(n_users)]
        domain = {
            "name": name,
            "timezone": "Europe/Paris",
            "users": [{"login": login, "name": "User %d of %s" % (u, name), "password": password,
                       "quota": "%dM" % (512 * (1 + u % 4))} for u, login in enumerate(logins)],
            "aliases": [],
            "responders": [],
        }
        for a in range(n_aliases):
            if a < n_all:
                to: list[str] = []
            else:
                to = [logins[a % n_users], logins[(a * 7 + 3) % n_users]]
                if a % 10 == 0:
                    to.append("partner%d@partner.example" % a)
                if a % 25 == 0 and a > n_all:
                    to.append("alias%05d" % (a - 1))  # an alias to an alias
            domain["aliases"].append({"name": "alias%05d" % a, "to": to})
        for r in range(n_replies):
            reply = {"name": "reply%d" % r, "subject": "Out of office (%d)" % r,
                     "message": "I am away.\nFor urgent matters write to alias%05d@%s.\n" % (n_all, name),
                     "start": "%d-07-%02d" % (year, 1 + r % 28), "end": "%d-08-%02d" % (year, 1 + r % 28)}
            if r < n_wide:
                reply["all_users"] = True
            else:
                reply["login"] = logins[(r * 13) % n_users]
                reply["name"] = "holidays%d" % r  # several replies for a user stay distinct
            domain["responders"].append(reply)
        out.append(domain)
    return out


def add_description_arguments(parser: argparse.ArgumentParser, users: int, all_users_aliases: int) -> None:
    """The size of the benchmark description (--domains ... --wide-responders): 1,000 users per
    domain, twice as many aliases as users, a tenth as many replies as users."""
    parser.add_argument("--domains", type=int, default=users // 1000,
                        help="%d by default: 1,000 users per domain is the most an all-users alias may "
                             "reach under Postfix's virtual_alias_expansion_limit" % (users // 1000))
    parser.add_argument("--users", type=int, default=users)
    parser.add_argument("--aliases", type=int, default=2 * users)
    parser.add_argument("--all-users-aliases", type=int, default=all_users_aliases)
    parser.add_argument("--responders", type=int, default=users // 10)
    parser.add_argument("--wide-responders", type=int, default=users // 1000,
                        help="how many of the responders are domain-wide (all users)")


def description_of(args: argparse.Namespace, password: str) -> list[dict]:
    """description() of the sizes add_description_arguments() read."""
    return description(args.domains, args.users, args.aliases, args.all_users_aliases, args.responders,
                       args.wide_responders, password)


def mail_description(data: list[dict]) -> list[dict]:
    """The same data as the mail description operators keep in Git (gestixi_mail_domains)."""
    out = []
    for item in data:
        users = {user["login"]: dict(user) for user in item["users"]}
        domain = {"name": item["name"], "timezone": item["timezone"], "users": list(users.values()),
                  "aliases": [{"address": a["name"], "to": a["to"]} for a in item["aliases"]], "responders": []}
        for reply in item["responders"]:
            reply = dict(reply)
            if reply.pop("all_users", False):
                domain["responders"].append(reply)
            else:
                users[reply.pop("login")].setdefault("responders", []).append(reply)
        out.append(domain)
    return out


def playbook_vars(data: list[dict]) -> dict:
    """The description as playbook variables keyed by domain (the shape an inventory would
    hold): a task loops over domain names and templates only the list of its own call."""
    return {
        "bench_names": [d["name"] for d in data],
        "bench_domains": [{"name": d["name"], "timezone": d["timezone"]} for d in data],
        "bench_users": {d["name"]: d["users"] for d in data},
        # Aliases of every domain in one call (full addresses; bare recipients are read in the
        # alias's own domain), as the state role does.
        "bench_aliases": [{"address": "%s@%s" % (a["name"], d["name"]), "to": a["to"]}
                          for d in data for a in d["aliases"]],
        "bench_responders": {d["name"]: [_responder_item(r) for r in d["responders"]] for d in data},
    }


def _responder_item(reply: dict) -> dict:
    """The description's 'message' under the name gestixi_responder gives the option."""
    from ansible_collections.gestixi.mail.plugins.module_utils.converge import _responders  # noqa: PLC0415

    text = "body" if "body" in _responders.ITEM_OPTIONS else "message"
    return {(text if key == "message" else key): value for key, value in reply.items()}


def converge_tasks() -> list[dict]:
    """The description converged in dependency order, list forms: one call for the domains,
    one per domain for users and automatic replies, one for all aliases."""
    loop = {"loop": "{{ bench_names }}"}
    return [
        {"name": "Domains", "gestixi.mail.gestixi_domain": {"domains": "{{ bench_domains }}"}},
        {"name": "Users", "gestixi.mail.gestixi_user": {
            "domain": "{{ item }}", "users": "{{ bench_users[item] }}", "password_scheme": "SHA512-CRYPT"},
         **loop},
        {"name": "Aliases", "gestixi.mail.gestixi_alias": {"aliases": "{{ bench_aliases }}"}},
        {"name": "Automatic replies", "gestixi.mail.gestixi_responder": {
            "domain": "{{ item }}", "responders": "{{ bench_responders[item] }}"}, **loop},
    ]


def whole_tasks() -> list[dict]:
    """One call for the whole description, read from the inventory by the action plugin."""
    return [{"name": "Whole description", "gestixi.mail.gestixi_mail": {"password_scheme": "SHA512-CRYPT"}}]


def role_playbook(path: str, store: str, sievec: str | None) -> str:
    """What playbooks/mail.yml runs per host: the role gestixi.mail.state."""
    play = {"name": "gestixi.mail.state", "hosts": "localhost", "connection": "local", "gather_facts": False,
            "vars": {"ansible_python_interpreter": "{{ ansible_playbook_python }}", "state_store_path": store,
                     "state_sieve_dir": store + ".sieve", "state_password_scheme": "SHA512-CRYPT",
                     "state_sievec_path": sievec or "", "state_dkim_key_dir": store + ".dkim",
                     "state_dkim_key_group": "", "state_rspamd_service": "",
                     "state_sender_lists_dir": store + ".senders"},
            "roles": ["gestixi.mail.state"]}
    with open(path, "w", encoding="utf-8") as handle:
        json.dump([play], handle, indent=1)
    return path


def store_counts(store: str) -> dict[str, int]:
    import sqlite3  # noqa: PLC0415

    conn = sqlite3.connect("file:%s?mode=ro" % store, uri=True)
    try:
        return {table: conn.execute("SELECT COUNT(*) FROM %s" % table).fetchone()[0]
                for table in ("domains", "users", "aliases", "alias_recipients", "responders")}
    finally:
        conn.close()


def count_scripts(sieve_dir: str) -> int:
    return sum(1 for _, _, files in os.walk(sieve_dir) for name in files if name.endswith(".sieve"))


# ---------------------------------------------------------------------------------------------
# The three parts


def bench_large(args: argparse.Namespace, work: str, password: str) -> dict:
    store = os.path.join(work, "large.sqlite")
    data = description_of(args, password)
    inventory = os.path.join(work, "large-inventory")

    def write_description() -> None:
        write_inventory(inventory, {"gestixi_mail_domains": mail_description(data)})

    write_description()
    playbook = write_playbook(os.path.join(work, "large.yml"), store, whole_tasks())
    _add_sievec(playbook, args.sievec)
    # The same description as YAML (group_vars/all/bench.yml), converged into a store of its
    # own, each run right after its JSON twin so that both see the same load.
    yaml_store = os.path.join(work, "large-yaml.sqlite")
    yaml_inventory = write_inventory(os.path.join(work, "large-yaml-inventory"),
                                     {"gestixi_mail_domains": mail_description(data)}, "yaml")
    yaml_playbook = write_playbook(os.path.join(work, "large-yaml.yml"), yaml_store, whole_tasks())
    _add_sievec(yaml_playbook, args.sievec)
    yaml_runs = {}
    initial = run_playbook("initial converge", playbook, work, inventory).check()
    yaml_runs["initial"] = run_playbook("initial converge, YAML", yaml_playbook, work, yaml_inventory).check()
    counts = store_counts(store)
    if store_counts(yaml_store) != counts:
        raise SystemExit("the YAML description converged to other counts: %s" % store_counts(yaml_store))
    scripts = count_scripts(store + ".sieve")
    unchanged = run_playbook("unchanged re-run", playbook, work, inventory).check()
    yaml_runs["unchanged"] = run_playbook("unchanged re-run, YAML", yaml_playbook, work, yaml_inventory).check()
    role = run_playbook("unchanged, role gestixi.mail.state",
                        role_playbook(os.path.join(work, "role.yml"), store, args.sievec), work, inventory).check()
    per_kind_playbook = write_playbook(os.path.join(work, "per-kind.yml"), store, converge_tasks())
    _add_sievec(per_kind_playbook, args.sievec)
    # The per-kind lists in an inventory of their own, the shape those calls take.
    per_kind_inventory = write_inventory(os.path.join(work, "per-kind-inventory"), playbook_vars(data))
    per_kind = run_playbook("unchanged, single-kind modules", per_kind_playbook, work, per_kind_inventory).check()
    empty_playbook = write_playbook(os.path.join(work, "empty.yml"), store, [
        {"name": "Nothing", "ansible.builtin.set_fact": {"bench_nothing": True}}])
    empty = run_playbook("empty playbook, same inventory", empty_playbook, work, inventory).check()
    yaml_runs["empty"] = run_playbook("empty playbook, YAML inventory", empty_playbook, work, yaml_inventory).check()
    # Ansible's own loader on each file, in this process: the floor of reading the description.
    yaml_runs["load"] = {form: _load_seconds(os.path.join(folder, "group_vars", "all", name))
                         for form, folder, name in (("json", inventory, "bench.json"),
                                                    ("yaml", yaml_inventory, "bench.yml"))}

    # One alias changed: the full description again, then one single-item call.
    target = data[0]["aliases"][-1]
    target["to"] = target["to"][:1] + ["newcomer@partner.example"]
    write_description()
    full_change = run_playbook("one alias changed, full run", playbook, work, inventory).check()
    single = write_playbook(os.path.join(work, "one-alias.yml"), store, [
        {"name": "One alias", "gestixi.mail.gestixi_alias": {
            "domain": data[0]["name"], "name": target["name"], "to": [target["to"][0], "other@partner.example"],
            "recipients_mode": "replace"}}])
    _add_sievec(single, args.sievec)
    single_change = run_playbook("one alias changed, single call", single, work).check()
    return {"counts": counts, "scripts": scripts, "runs": [initial, unchanged, full_change, single_change],
            "info": [role, per_kind, empty], "yaml": yaml_runs}


def _load_seconds(path: str) -> float:
    """Seconds of Ansible's DataLoader (what host_group_vars uses) on one file, best of 2."""
    from ansible.parsing.dataloader import DataLoader  # noqa: PLC0415

    best = float("inf")
    for _ in range(2):
        loader = DataLoader()  # a new loader: its file cache would hide the second read
        start = time.perf_counter()
        loader.load_from_file(path, cache="none", unsafe=True, trusted_as_template=True)  # as host_group_vars
        best = min(best, time.perf_counter() - start)
    return best


def _add_sievec(playbook: str, sievec: str | None) -> None:
    if not sievec:
        return
    with open(playbook, encoding="utf-8") as handle:
        plays = json.load(handle)
    plays[0]["module_defaults"]["group/gestixi.mail.store"].update(sievec_defaults(sievec))
    with open(playbook, "w", encoding="utf-8") as handle:
        json.dump(plays, handle, indent=1)


def bench_loop_vs_list(args: argparse.Namespace, work: str, password: str) -> dict:
    users = [{"login": "user%05d" % u, "name": "User %d" % u, "password": password} for u in range(args.loop_users)]
    inventory = write_inventory(os.path.join(work, "loop-inventory"), {"bench_users": users})
    domain_task = {"name": "Domain", "gestixi.mail.gestixi_domain": {"name": "loop.bench.example"}}
    results = {}
    for form in ("list", "loop"):
        store = os.path.join(work, "%s.sqlite" % form)
        setup = write_playbook(os.path.join(work, "%s-setup.yml" % form), store, [domain_task])
        run_playbook("%s setup" % form, setup, work).check()
        if form == "list":
            task = {"name": "Users, list form", "gestixi.mail.gestixi_user": {
                "domain": "loop.bench.example", "users": "{{ bench_users }}"}}
        else:
            task = {"name": "Users, one call per user", "gestixi.mail.gestixi_user": {
                "domain": "loop.bench.example", "login": "{{ item.login }}", "name": "{{ item.name }}",
                "password": "{{ item.password }}"},
                "loop": "{{ bench_users }}", "loop_control": {"label": "{{ item.login }}"}}
        playbook = write_playbook(os.path.join(work, "%s.yml" % form), store, [task])
        results[form] = run_playbook("%d users, %s" % (args.loop_users, form), playbook, work, inventory).check()
        if store_counts(store)["users"] != args.loop_users:
            raise SystemExit("the %s form did not create %d users" % (form, args.loop_users))
    # The fixed cost of starting ansible-playbook, to read the ratio of the work itself.
    empty = write_playbook(os.path.join(work, "empty.yml"), os.path.join(work, "empty.sqlite"),
                           [{"name": "Nothing", "ansible.builtin.set_fact": {"bench_nothing": True}}])
    results["empty"] = run_playbook("empty playbook", empty, work).check()
    return results


def bench_passwords(args: argparse.Namespace, work: str, password: str) -> dict:
    n = args.password_users
    repeats = args.repeats

    def users_task(passwords: list[str], scheme: str) -> dict:
        return {"name": "Users", "gestixi.mail.gestixi_user": {
            "domain": "pw.bench.example", "password_scheme": scheme,
            "users": [{"login": "user%03d" % u, "password": passwords[u]} for u in range(n)]}}

    def unchanged_runs(label: str, passwords: list[str], scheme: str) -> tuple[float, Run]:
        store = os.path.join(work, "pw-%s.sqlite" % label)
        playbook = write_playbook(os.path.join(work, "pw-%s.yml" % label), store, [
            {"name": "Domain", "gestixi.mail.gestixi_domain": {"name": "pw.bench.example"}},
            users_task(passwords, scheme)])
        first = run_playbook("passwords %s, first run" % label, playbook, work).check()
        runs = [run_playbook("passwords %s, unchanged" % label, playbook, work).check() for _ in range(repeats)]
        if any(run.changed for run in runs):
            raise SystemExit("an unchanged run with %s passwords reported a change" % label)
        return (statistics.median(run.seconds for run in runs), statistics.median(run.cpu_seconds for run in runs),
                first)

    baseline, baseline_cpu, _ = unchanged_runs("ready-hashes", [password] * n, "SHA512-CRYPT")
    out = {"baseline": baseline, "baseline_cpu": baseline_cpu, "schemes": {}}
    from ansible_collections.gestixi.mail.plugins.module_utils.rules import _password  # noqa: PLC0415

    for scheme in SCHEMES:
        plaintexts = ["bench-plain-%s-%03d" % (scheme, u) for u in range(n)]
        median, median_cpu, first = unchanged_runs(scheme, plaintexts, scheme)
        stored = _password.hash_password(plaintexts[0], scheme)
        start = time.perf_counter()
        for _ in range(3):
            _password.verify_password(plaintexts[0], stored)
        library = (time.perf_counter() - start) / 3
        out["schemes"][scheme] = {"unchanged": median, "first": first.seconds,
                                  "per_user": (median - baseline) / n,
                                  "per_user_cpu": (median_cpu - baseline_cpu) / n, "library": library}
    return out


# ---------------------------------------------------------------------------------------------
# Report


def verdict(value: float, limit: float, smaller: bool = True) -> str:
    good = value < limit if smaller else value >= limit
    return "met" if good else "MISSED"


def report(args: argparse.Namespace, large: dict | None, loop: dict | None, passwords: dict | None) -> list[str]:
    lines = []
    add = lines.append
    add("gestixi.mail store benchmark: %s, Python %s, %d CPU(s)" % (
        _ansible_version(), platform.python_version(), os.cpu_count() or 0))
    add("sievec: %s" % (args.sievec or "not installed here: scripts are written, not compiled"))
    add("load average at the end: %s. Wall times grow with other work on the machine; CPU is the"
        % " ".join("%.1f" % value for value in os.getloadavg()))
    add("user+system time of the whole ansible-playbook process tree, which it does not change much.")
    row = "%-44s %8s %9s %9s %9s  %s"
    add("")
    add(row % ("measure", "target", "wall", "CPU", "peak RSS", "result"))
    add(row % ("-" * 44, "-" * 8, "-" * 9, "-" * 9, "-" * 9, "------"))

    def line(label: str, target: str, run: Run | None, result: str, wall: str | None = None) -> None:
        add(row % (label, target, wall or "%.1f s" % run.seconds, "%.1f s" % run.cpu_seconds if run else "",
                   "%.0f MiB" % run.max_rss_mib if run else "", result))

    if large:
        c = large["counts"]
        initial, unchanged, full_change, single = large["runs"]
        for run, limit in ((initial, 60.0), (unchanged, 4.0), (full_change, None), (single, 5.0)):
            line(run.label, "< %d s" % limit if limit else "-", run,
                 verdict(run.seconds, limit) if limit else "(info)")
        add("  store: %d domains, %d users, %d aliases with %d recipient rows, %d automatic replies; "
            "%d Sieve scripts" % (c["domains"], c["users"], c["aliases"], c["alias_recipients"],
                                  c["responders"], large["scripts"]))
        for run in large["info"]:
            line("  %s" % run.label, "-", run, "(info)")
        for run in (initial, unchanged, full_change) + tuple(large["info"][:2]):
            add("  %s: %s" % (run.label, run.task_summary()))
        role, per_kind, _empty = large["info"]
        add("  tasks reporting a change: initial %d, unchanged %d, full run with one alias changed %d, "
            "single call %d; role %d, single-kind modules %d" % (
                initial.changed, unchanged.changed, full_change.changed, single.changed, role.changed,
                per_kind.changed))
        add("")
        add(_yaml_report(large))
    if loop:
        lst, per_item, empty = loop["list"], loop["loop"], loop["empty"]
        ratio = per_item.seconds / lst.seconds
        line("%d users, per-item loop (single form)" % args.loop_users, "-", per_item, "(info)")
        line("%d users, list form (one call)" % args.loop_users, "-", lst, "(info)")
        line("loop / list (whole playbook runs)", ">= 50x", None, verdict(ratio, 50, False), "%.0fx" % ratio)
        net = (per_item.seconds - empty.seconds) / max(lst.seconds - empty.seconds, 1e-3)
        add("  empty playbook %.1f s; loop / list without it: %.0fx; loop cost per user %.3f s"
            % (empty.seconds, net, (per_item.seconds - empty.seconds) / args.loop_users))
    if passwords:
        add("verify an unchanged plain-text password, per user (unchanged run minus ready-hash run, / users):")
        for scheme, figures in passwords["schemes"].items():
            add(row % ("  %s" % scheme, "-", "%.3f s" % figures["per_user"], "%.3f s" % figures["per_user_cpu"], "",
                       "(info)"))
        add("  %d users per run, median of %d unchanged runs; ready-hash baseline %.2f s; library verify: %s"
            % (args.password_users, args.repeats, passwords["baseline"],
               ", ".join("%s %.3f s" % (s, f["library"]) for s, f in passwords["schemes"].items())))
    return lines


def _yaml_report(large: dict) -> str:
    """The same description kept as JSON and as YAML, side by side (same load, one run each)."""
    yaml_runs = large["yaml"]
    pairs = (("initial converge", large["runs"][0], yaml_runs["initial"], None),
             ("unchanged re-run", large["runs"][1], yaml_runs["unchanged"], 10.0),
             ("empty playbook (Ansible's floor)", large["info"][2], yaml_runs["empty"], None))
    lines = ["the description as JSON and as YAML (group_vars/all/bench.json vs bench.yml):",
             "%-36s %18s %18s %7s  %s" % ("", "JSON wall / RSS", "YAML wall / RSS", "YAML/J", "YAML target")]
    for label, json_run, yaml_run, limit in pairs:
        lines.append("%-36s %8.1f s %5.0f MiB %8.1f s %5.0f MiB %6.2fx  %s" % (
            label, json_run.seconds, json_run.max_rss_mib, yaml_run.seconds, yaml_run.max_rss_mib,
            yaml_run.seconds / max(json_run.seconds, 1e-3),
            "< %d s %s" % (limit, verdict(yaml_run.seconds, limit)) if limit else "(info)"))
    load = yaml_runs["load"]
    unchanged, empty = yaml_runs["unchanged"], yaml_runs["empty"]
    lines.append("  Ansible's DataLoader on the file alone (as host_group_vars reads it): JSON %.2f s, YAML %.2f s"
                 % (load["json"], load["yaml"]))
    lines.append("  unchanged YAML run above the YAML empty playbook (reading, check, converge: ours): %.1f s; "
                 "the empty playbook is the floor" % (unchanged.seconds - empty.seconds))
    lines.append("  tasks reporting a change: YAML initial %d, YAML unchanged %d" % (
        yaml_runs["initial"].changed, unchanged.changed))
    for run in (yaml_runs["initial"], unchanged):
        lines.append("  %s: %s" % (run.label, run.task_summary()))
    return "\n".join(lines)


def _ansible_version() -> str:
    try:
        from ansible.release import __version__  # noqa: PLC0415

        return "ansible-core %s" % __version__
    except ImportError:
        return "ansible-core (unknown)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_description_arguments(parser, users=10000, all_users_aliases=50)
    parser.add_argument("--loop-users", type=int, default=1000)
    parser.add_argument("--password-users", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=3, help="unchanged runs per password measure")
    parser.add_argument("--skip", action="append", default=[], choices=["large", "loop", "passwords"])
    parser.add_argument("--sievec", default=shutil.which("sievec"),
                        help="sievec to compile the scripts with (default: from PATH, if any)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (stores, logs)")
    parser.add_argument("--json", help="also write the figures to this JSON file")
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix="gestixi-bench-")
    try:
        password = ready_hash()
        large = bench_large(args, work, password) if "large" not in args.skip else None
        loop = bench_loop_vs_list(args, work, password) if "loop" not in args.skip else None
        passwords = bench_passwords(args, work, password) if "passwords" not in args.skip else None
        lines = report(args, large, loop, passwords)
        print("\n".join(lines))
        if args.json:
            figures = {"large": {r.label: {"seconds": r.seconds, "max_rss_mib": r.max_rss_mib}
                                 for r in (large["runs"] + large["info"] if large else [])},
                       "large_yaml": {key: ({"seconds": r.seconds, "max_rss_mib": r.max_rss_mib}
                                            if isinstance(r, Run) else r)
                                      for key, r in (large["yaml"] if large else {}).items()},
                       "loop": {k: {"seconds": r.seconds, "max_rss_mib": r.max_rss_mib}
                                for k, r in (loop or {}).items()},
                       "passwords": passwords}
            write_json(args.json, figures)
    finally:
        if args.keep:
            print("kept %s" % work)
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
