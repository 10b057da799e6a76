#!/usr/bin/env python3
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Scale benchmark (issue 13): 100,000 users into SQLite and into PostgreSQL, side by side, with
the description in Ansible's inventory and in description files.

The description (default 100 domains, 100,000 users, 200,000 aliases of which 100 reach all the
users of their domain, 10,000 automatic replies of which 100 are domain-wide) is converged by
gestixi.mail.gestixi_mail in real `ansible-playbook` runs (bench/store_bench.py's runner: wall
time, CPU time and the peak RSS of the whole process tree), for each engine and each form:

- "inventory": gestixi_mail_domains in group_vars/all/bench.json, as bench/store_bench.py keeps it;
- "files": one description file per domain (dNN.yml in a folder beside the inventory's, block-style
  YAML as an operator writes it), named by gestixi_mail_description_files.

Three runs each: the initial converge into an empty store, an unchanged re-run, and one alias
changed (the whole description again, as a merged pull request runs it). Also printed, per form:
an empty playbook on the same inventory (Ansible's floor) and the cost of reading the description
alone (Ansible's DataLoader on the JSON file; PyYAML's C loader on the files, as the controller
reads them). Each engine and form has its own gate verdicts, so that no run recalls a check made
for another.

PostgreSQL is the server that GESTIXI_TEST_POSTGRES names (libpq keywords of a superuser), as
`./run bench` starts it (tools/test-postgres.sh, here with fsync on: TEST_POSTGRES_DURABLE=1);
without it the PostgreSQL column is skipped, saying so. A database per form is created and dropped.

    .venv/bin/python bench/scale_bench.py                    # 100,000 users: about 30 to 60 min
    .venv/bin/python bench/scale_bench.py --users 10000 --aliases 20000 --responders 1000 --domains 10
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import store_bench  # noqa: E402  pylint: disable=wrong-import-position
from store_bench import Run, mail_description, run_playbook, write_inventory, write_json, write_yaml  # noqa: E402

TARGETS = {"initial": 180.0, "unchanged": 20.0, "change": 5.0}
FILES_UNCHANGED_RATIO = 1.5  # the files form's unchanged run, at most this many times the reading
FILES_MAX_RSS_MIB = 500.0


def postgres_server() -> dict | None:
    conninfo = os.environ.get("GESTIXI_TEST_POSTGRES")
    if not conninfo:
        return None
    from psycopg.conninfo import conninfo_to_dict  # noqa: PLC0415

    return conninfo_to_dict(conninfo)


class Engine:
    """Where a run's store is, as module_defaults of group/gestixi.mail.store."""

    def __init__(self, name: str, work: str, server: dict | None) -> None:
        self.name = name
        self.work = work
        self.server = server

    def options(self, form: str) -> dict:
        sieve_dir = os.path.join(self.work, "%s-%s.sieve" % (self.name, form))
        if self.name == "sqlite":
            return {"store_path": os.path.join(self.work, "%s.sqlite" % form), "sieve_dir": sieve_dir}
        return {"store_engine": "postgresql", "store_hosts": [self.server["host"]],
                "store_port": int(self.server["port"]), "store_user": self.server["user"],
                "store_password": self.server["password"], "store_database": self.database(form),
                "store_ssl_mode": "disable", "sieve_dir": sieve_dir}

    def database(self, form: str) -> str:
        return "gestixi_bench_%s" % form

    def prepare(self, form: str) -> None:
        if self.name == "postgresql":
            self._admin("DROP DATABASE IF EXISTS %s" % self.database(form), "CREATE DATABASE %s" % self.database(form))

    def drop(self, form: str) -> None:
        if self.name == "postgresql":
            self._admin("DROP DATABASE IF EXISTS %s" % self.database(form))

    def counts(self, form: str) -> dict[str, int]:
        tables = ("domains", "users", "aliases", "alias_recipients", "responders")
        if self.name == "sqlite":
            return store_bench.store_counts(self.options(form)["store_path"])
        import psycopg  # noqa: PLC0415

        with psycopg.connect(**dict(self.server, dbname=self.database(form))) as conn:
            return {table: conn.execute("SELECT COUNT(*) FROM %s" % table).fetchone()[0] for table in tables}

    def _admin(self, *statements: str) -> None:
        import psycopg  # noqa: PLC0415

        with psycopg.connect(**self.server, autocommit=True) as admin:
            for statement in statements:
                admin.execute(statement)


def write_playbook(path: str, options: dict, sievec: str | None) -> str:
    play = {
        "name": "gestixi.mail scale benchmark",
        "hosts": "localhost",
        "connection": "local",
        "gather_facts": False,
        "vars": {"ansible_python_interpreter": "{{ ansible_playbook_python }}"},
        "module_defaults": {"group/gestixi.mail.store": dict(options, **store_bench.sievec_defaults(sievec))},
        "tasks": store_bench.whole_tasks(),
    }
    write_json(path, [play])
    return path


class Form:
    """The description kept one way, and how to change one alias in it."""

    def __init__(self, name: str, folder: str, domains: list[dict]) -> None:
        self.name = name
        self.inventory = folder
        self.domains = domains
        # Beside the inventory folder: Ansible parses every file inside one as an inventory source.
        self.files_dir = folder + "-descriptions"
        self.write()

    def write(self, only_first: bool = False) -> None:
        if self.name == "inventory":
            write_inventory(self.inventory, {"gestixi_mail_domains": self.domains})
            return
        if not only_first:
            write_inventory(self.inventory, {"gestixi_mail_description_files": [self.files_dir]})
            os.makedirs(self.files_dir, exist_ok=True)
        for index, domain in enumerate(self.domains[:1] if only_first else self.domains):
            write_yaml(os.path.join(self.files_dir, "d%03d.yml" % index), {"gestixi_mail_domains__d%03d" % index: [domain]})

    def change_one_alias(self) -> None:
        alias = self.domains[0]["aliases"][-1]
        alias["to"] = alias["to"][:1] + ["newcomer@partner.example"]
        self.write(only_first=True)

    def read_seconds(self) -> float:
        """Reading the description alone, as its reader does (best of 2)."""
        if self.name == "inventory":
            return store_bench._load_seconds(os.path.join(self.inventory, "group_vars", "all", "bench.json"))  # pylint: disable=protected-access
        import yaml  # noqa: PLC0415

        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        best = float("inf")
        for _ in range(2):
            start = time.perf_counter()
            for name in sorted(os.listdir(self.files_dir)):
                with open(os.path.join(self.files_dir, name), "rb") as handle:
                    yaml.load(handle.read(), Loader=loader)  # nosec B506 - a safe loader
            best = min(best, time.perf_counter() - start)
        return best


def bench(args: argparse.Namespace, work: str) -> dict:
    password = store_bench.ready_hash()
    data = store_bench.description_of(args, password)
    server = postgres_server()
    engines = [Engine(name, work, server) for name in args.engines if name == "sqlite" or server is not None]
    results: dict = {"runs": {}, "floor": {}, "read": {}, "counts": {}, "skipped": []}
    if "postgresql" in args.engines and server is None:
        results["skipped"].append("postgresql: GESTIXI_TEST_POSTGRES is not set (./run bench starts a server)")
    for form_name in args.forms:
        for engine in engines:
            form = Form(form_name, os.path.join(work, "%s-%s" % (engine.name, form_name)), mail_description(data))
            engine.prepare(form_name)
            os.environ["GESTIXI_MAIL_GATE_CACHE"] = os.path.join(work, "verdicts-%s-%s" % (engine.name, form_name))
            playbook = write_playbook(os.path.join(work, "%s-%s.yml" % (engine.name, form_name)),
                                      engine.options(form_name), args.sievec)
            label = "%s, %s" % (engine.name, form_name)
            runs = {"initial": run_playbook("%s: initial converge" % label, playbook, work, form.inventory).check()}
            results["counts"][label] = engine.counts(form_name)
            runs["unchanged"] = run_playbook("%s: unchanged re-run" % label, playbook, work, form.inventory).check()
            form.change_one_alias()
            runs["change"] = run_playbook("%s: one alias changed" % label, playbook, work, form.inventory).check()
            if runs["unchanged"].changed or not runs["change"].changed:
                raise SystemExit("%s: the unchanged run changed something, or the changed alias nothing" % label)
            results["runs"][label] = runs
            if form_name not in results["floor"]:
                empty = os.path.join(work, "empty-%s.yml" % form_name)
                write_json(empty, [{"name": "Nothing", "hosts": "localhost", "connection": "local",
                                    "gather_facts": False, "tasks": [{"ansible.builtin.set_fact": {"bench_nothing": True}}]}])
                results["floor"][form_name] = run_playbook("%s: empty playbook" % form_name, empty, work, form.inventory).check()
                results["read"][form_name] = form.read_seconds()
            engine.drop(form_name)
    if len({json.dumps(counts, sort_keys=True) for counts in results["counts"].values()}) > 1:
        raise SystemExit("the stores hold different counts: %s" % results["counts"])
    return results


def report(args: argparse.Namespace, results: dict) -> list[str]:
    lines = ["gestixi.mail scale benchmark: %s, Python %s, %d CPU(s); load average at the end %s" % (
        store_bench._ansible_version(), sys.version.split()[0], os.cpu_count() or 0,  # pylint: disable=protected-access
        " ".join("%.1f" % value for value in os.getloadavg()))]
    counts = next(iter(results["counts"].values()), {})
    lines.append("store: %s" % ", ".join("%d %s" % (value, key) for key, value in counts.items()))
    lines.extend("skipped: %s" % reason for reason in results["skipped"])
    row = "%-38s %-12s %9s %9s %9s  %s"
    lines += ["", row % ("run", "target", "wall", "CPU", "peak RSS", "result"), row % ("-" * 38, "-" * 12, "-" * 9, "-" * 9, "-" * 9, "------")]

    def line(run: Run, target: str, result: str) -> None:
        lines.append(row % (run.label, target, "%.1f s" % run.seconds, "%.1f s" % run.cpu_seconds,
                            "%.0f MiB" % run.max_rss_mib, result))

    for label, runs in results["runs"].items():
        form = label.split(", ")[1]
        for kind, run in runs.items():
            limit = TARGETS[kind]
            verdicts = ["met" if run.seconds < limit else "MISSED"]
            if form == "files" and kind == "unchanged":
                ratio = run.seconds / max(results["read"]["files"], 1e-3)
                verdicts.append("%.2fx reading (<= %.1fx %s)" % (ratio, FILES_UNCHANGED_RATIO,
                                                                 "met" if ratio <= FILES_UNCHANGED_RATIO else "MISSED"))
            if form == "files" and kind == "unchanged":
                verdicts.append("RSS < %d MiB %s" % (FILES_MAX_RSS_MIB, "met" if run.max_rss_mib < FILES_MAX_RSS_MIB else "MISSED"))
            line(run, "< %d s" % limit, "; ".join(verdicts))
    lines.append("")
    for form, run in results["floor"].items():
        line(run, "(floor)", "reading the description alone: %.2f s (%s)" % (
            results["read"][form], "Ansible's DataLoader, JSON" if form == "inventory" else "PyYAML C loader, %d files" % args.domains))
    lines.append("")
    lines.append("\"one alias changed\" is the whole description run again (a merged pull request); one")
    lines.append("single-item gestixi_alias call is in bench/store_bench.py (\"one alias changed, single call\").")
    for label, runs in results["runs"].items():
        for run in runs.values():
            lines.append("  %s: %s" % (run.label, run.task_summary()))
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    store_bench.add_description_arguments(parser, users=100000, all_users_aliases=100)
    parser.add_argument("--engines", type=lambda text: text.split(","), default=["sqlite", "postgresql"])
    parser.add_argument("--forms", type=lambda text: text.split(","), default=["files", "inventory"])
    parser.add_argument("--sievec", default=shutil.which("sievec"))
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (stores, logs)")
    parser.add_argument("--json", help="also write the figures to this JSON file")
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="gestixi-scale-bench-")
    try:
        results = bench(args, work)
        print("\n".join(report(args, results)))
        if args.json:
            write_json(args.json, {label: {kind: {"seconds": run.seconds, "cpu_seconds": run.cpu_seconds,
                                                  "max_rss_mib": run.max_rss_mib} for kind, run in runs.items()}
                                   for label, runs in results["runs"].items()} | {"read_seconds": results["read"]})
    finally:
        if args.keep:
            print("kept %s" % work)
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
