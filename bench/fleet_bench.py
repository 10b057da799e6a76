#!/usr/bin/env python3
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fleet benchmark (issue 13): Postfix's lookups on PostgreSQL and on SQLite, and how long a
message delivered on one mail host takes to be readable on the other.

Brings up the Molecule scenario `fleet` (`molecule converge -s fleet`: two mail hosts on a store
served by a PostgreSQL primary and its standby, on a podman network of its own; destroyed at the
end unless --keep), then:

1. A large description (default 100,000 users, 200,000 aliases, 10,000 replies in 100 domains,
   bench/store_bench.py's) is converged on mail1 into the fleet's PostgreSQL store (the role
   gestixi.mail.state, reading it from description files), and the same description into a
   SQLite store on mail1 (gestixi.mail.gestixi_mail with store_path).
2. Lookup latency of the alias table, inside mail1, with Postfix's own client: `postmap -q ADDRESS
   MAP` per address (a new process and connection each time: what a single lookup costs at
   worst), median and 95th percentile over --lookups addresses, and `postmap -q - MAP` over the
   same addresses (one process and connection, as Postfix's proxymap keeps it: the cost of a
   query). MAP is the server role's pgsql table (the store over TLS on store1) and the same
   query on the SQLite store (the role's sqlite table with that store's path).
3. Replication delay: --messages messages to bob@example.org on mail1's port 25, one at a time;
   an IMAP session on each host polls (NOOP + SEARCH, every --poll seconds); the delay is from
   first seen on mail1 to first seen on mail2. Median, 95th percentile, maximum.

    .venv/bin/python bench/fleet_bench.py                  # about 20 min at 100,000 users
    .venv/bin/python bench/fleet_bench.py --users 10000 --aliases 20000 --responders 1000 --domains 10
"""
from __future__ import annotations

import argparse
import imaplib
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))

import store_bench  # noqa: E402  pylint: disable=wrong-import-position
from mailclient import Server, message, password_of, tls_no_verify  # noqa: E402  pylint: disable=wrong-import-position

SCENARIO = "fleet"
MAIL1, MAIL2 = "gestixi-fleet-mail1", "gestixi-fleet-mail2"
PORTS = {MAIL1: {"smtp_port": 16025, "imaps_port": 16993}, MAIL2: {"smtp_port": 17025, "imaps_port": 17993}}
TABLE_DIR = "/etc/postfix/gestixi"  # the server role's: SQLite tables here, pgsql under pgsql/
ALIAS_TABLE = "aliases.cf"  # virtual_alias_maps
BENCH_SQLITE = "/var/lib/gestixi-mail/bench.sqlite"
FIRST_MAILBOXES_TASK = "Give the new users their mailboxes on both hosts of the pair"  # roles/state/tasks/converge.yml

# Run inside mail1: `python3 - MAP ADDRESSES_FILE` prints the seconds of each single lookup, then
# those of the bulk lookup of every address, as JSON.
LOOKUPS = r'''
import json, subprocess, sys, time
table, addresses = sys.argv[1], open(sys.argv[2]).read().split()
single = []
for address in addresses:
    start = time.perf_counter()
    found = subprocess.run(["postmap", "-q", address, table], capture_output=True, text=True)
    single.append(time.perf_counter() - start)
    if found.returncode != 0 or not found.stdout.strip():
        sys.exit("no answer for %s from %s: %s" % (address, table, found.stderr))
start = time.perf_counter()
bulk = subprocess.run(["postmap", "-q", "-", table], input="\n".join(addresses) + "\n", capture_output=True, text=True)
elapsed = time.perf_counter() - start
answered = len(bulk.stdout.splitlines())
if answered != len(addresses):
    sys.exit("the bulk lookup answered %d of %d addresses: %s" % (answered, len(addresses), bulk.stderr))
print(json.dumps({"single": single, "bulk": elapsed}))
'''


def environment(ephemeral: str) -> dict:
    env = dict(os.environ)
    env.update({"ANSIBLE_CONFIG": os.path.join(ROOT, "ansible.cfg"),
                "ANSIBLE_COLLECTIONS_PATH": os.path.join(ROOT, "collections"),
                "CONTAINERS_CONF": env.get("CONTAINERS_CONF") or os.path.join(ROOT, "images", "containers.conf"),
                "MOLECULE_EPHEMERAL_DIRECTORY": ephemeral, "ANSIBLE_NOCOLOR": "1"})
    return env


def run(command: list[str], env: dict, log: str, what: str) -> float:
    start = time.monotonic()
    with open(log, "w", encoding="utf-8") as out:
        done = subprocess.run(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, check=False)
    seconds = time.monotonic() - start
    print("  %-52s %7.1f s" % (what, seconds), file=sys.stderr, flush=True)
    if done.returncode != 0:
        with open(log, encoding="utf-8") as failed:
            tail = failed.read()[-4000:]
        raise SystemExit("%s failed (rc %d), %s:\n%s" % (what, done.returncode, log, tail))
    return seconds


def podman(*argv: str, stdin: str | None = None) -> str:
    done = subprocess.run(["podman", *argv], input=stdin, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit("podman %s failed: %s" % (" ".join(argv[:4]), done.stderr.strip()))
    return done.stdout


def ensure_image(env: dict) -> None:
    if subprocess.run(["podman", "image", "exists", "localhost/gestixi-mail-bookworm:latest"], env=env,
                      check=False).returncode != 0:
        subprocess.run([os.path.join(ROOT, "images", "build.sh")], env=env, check=True)


def converge_large(args: argparse.Namespace, work: str, env: dict, ephemeral: str) -> dict:
    """The large description on mail1: into the fleet's PostgreSQL store, then into SQLite."""
    data = store_bench.description_of(args, store_bench.ready_hash())
    domains = store_bench.mail_description(data)
    files = os.path.join(work, "descriptions")
    os.makedirs(files)
    for index, domain in enumerate(domains):
        store_bench.write_yaml(os.path.join(files, "d%03d.yml" % index), {"gestixi_mail_domains__bench%03d" % index: [domain]})
    playbook = os.path.join(work, "large.yml")
    store_bench.write_json(playbook, [
        {"name": "The large description into the fleet's PostgreSQL store", "hosts": MAIL1, "gather_facts": False,
         "vars": {"gestixi_mail_description_files": [files]}, "roles": ["gestixi.mail.state"]},
        {"name": "The same description into a SQLite store", "hosts": MAIL1, "gather_facts": False,
         "vars": {"gestixi_mail_description_files": [files]},
         "tasks": [{"name": "Converge into SQLite", "gestixi.mail.gestixi_mail": {
             "store_engine": "sqlite", "store_path": BENCH_SQLITE, "store_group": "postfix", "store_mode": "0640",
             "sieve_dir": "/var/lib/gestixi-mail/bench-sieve", "password_scheme": "SHA512-CRYPT"}}]}])
    log = os.path.join(work, "large.log")
    seconds = run(["ansible-playbook", "-i", os.path.join(ephemeral, "inventory"), playbook],
                  dict(env, ANSIBLE_CALLBACKS_ENABLED="ansible.posix.profile_tasks"), log,
                  "converge %d users on mail1 (PostgreSQL, SQLite)" % args.users)
    addresses = ["alias%05d@%s" % (alias, domain["name"]) for domain in data for alias in range(len(domain["aliases"]))]
    tasks, not_copied = converge_log(log)
    return {"seconds": seconds, "addresses": addresses, "tasks": tasks, "not_copied": not_copied}


def converge_log(log: str) -> tuple[dict, list[str]]:
    """From the converge's log: the seconds of each task (profile_tasks' summary, "NAME ---- 1.23s"
    or "NAME 1.23s"), and first-mailboxes' warning about users not copied, if any."""
    tasks, not_copied = {}, []
    with open(log, encoding="utf-8") as lines:
        for line in lines:
            line = line.strip()
            # A name longer than the terminal gets no dashes before its time.
            match = re.match(r"^(?:[\w.]+ : )?(.+?) -* ?(\d+\.\d+)s$", line)
            if match:
                tasks[match.group(1)] = float(match.group(2))
            elif "not copied to the other mail host yet" in line and not not_copied:
                not_copied.append(line)
    return tasks, not_copied


def lookups(args: argparse.Namespace, addresses: list[str]) -> dict:
    sample = random.Random(13).sample(addresses, min(args.lookups, len(addresses)))
    podman("exec", "-i", MAIL1, "sh", "-c", "cat > /tmp/bench-addresses", stdin="\n".join(sample) + "\n")
    pgsql = "pgsql:%s/pgsql/%s" % (TABLE_DIR, ALIAS_TABLE)
    # The same query (roles/server/vars/store_queries.yml serves both engines) on the SQLite store.
    podman("exec", MAIL1, "sh", "-ec", "{ echo 'dbpath = %s'; grep '^query' %s/pgsql/%s; } > /tmp/bench-sqlite-aliases.cf"
           % (BENCH_SQLITE, TABLE_DIR, ALIAS_TABLE))
    out = {}
    for name, table in (("pgsql", pgsql), ("sqlite", "sqlite:/tmp/bench-sqlite-aliases.cf")):
        figures = json.loads(podman("exec", "-i", MAIL1, "python3", "-", table, "/tmp/bench-addresses", stdin=LOOKUPS))
        out[name] = figures
    return out


class Watcher(threading.Thread):
    """An IMAP session on one host that notes when each subject is first seen in bob's INBOX."""

    def __init__(self, container: str, poll: float) -> None:
        super().__init__(daemon=True)
        self.server = Server(host="127.0.0.1", container=container, **dict(dict.fromkeys(Server.PORTS, 0), **PORTS[container]))
        self.poll = poll
        self.wanted: list[str] = []
        self.seen: dict[str, float] = {}
        self.stop = threading.Event()
        self.lock = threading.Lock()

    def run(self) -> None:
        client = imaplib.IMAP4_SSL("127.0.0.1", self.server.imaps_port, ssl_context=tls_no_verify(), timeout=30)
        client.login("bob@example.org", password_of("bob@example.org"))
        client.select("INBOX", readonly=True)
        while not self.stop.is_set():
            client.noop()
            with self.lock:
                pending = [token for token in self.wanted if token not in self.seen]
            for token in pending:
                if client.uid("SEARCH", "SUBJECT", '"%s"' % token)[1][0].split():
                    self.seen[token] = time.monotonic()
            time.sleep(self.poll)
        client.logout()

    def expect(self, token: str) -> None:
        with self.lock:
            self.wanted.append(token)

    def wait(self, token: str, timeout: float = 60.0) -> float:
        deadline = time.monotonic() + timeout
        while token not in self.seen:
            if time.monotonic() > deadline:
                raise SystemExit("%s not seen on %s after %.0f s" % (token, self.server.container, timeout))
            time.sleep(0.002)
        return self.seen[token]


def replication(args: argparse.Namespace) -> list[float]:
    source, replica = Watcher(MAIL1, args.poll), Watcher(MAIL2, args.poll)
    for watcher in (source, replica):
        watcher.start()
    delays = []
    # One SMTP session for every message, as a peer's MTA keeps it: a connection per message
    # meets Postfix's per-client connection rate limit (421) before the 100th.
    try:
        with source.server.smtp_plain() as smtp:
            for index in range(args.messages):
                token = "gestixi-fleet-bench-%s-%d" % (uuid.uuid4().hex[:8], index)
                source.expect(token)
                replica.expect(token)
                refused = smtp.send_message(message("someone@outside.test", ["bob@example.org"], token, "fleet bench\n"),
                                            from_addr="someone@outside.test", to_addrs=["bob@example.org"])
                if refused:
                    raise SystemExit("mail1 refused the message %s: %s" % (token, refused))
                delays.append(replica.wait(token) - source.wait(token))
    finally:
        for watcher in (source, replica):
            watcher.stop.set()
    return delays


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def report(args: argparse.Namespace, large: dict, found: dict, delays: list[float]) -> list[str]:
    lines = ["gestixi.mail fleet benchmark: %s; %d CPU(s), load average at the end %s" % (
        store_bench._ansible_version(), os.cpu_count() or 0, " ".join("%.1f" % v for v in os.getloadavg())),  # pylint: disable=protected-access
        "description converged on mail1 into PostgreSQL and into SQLite: %d domains, %d users, %d aliases, "
        "%d automatic replies (%.0f s for both)" % (args.domains, args.users, args.aliases, args.responders, large["seconds"]),
        "  of which: PostgreSQL converge %.1f s, the new users' mailboxes on both hosts (first-mailboxes) %.1f s, "
        "SQLite converge %.1f s" % tuple(large["tasks"].get(name, float("nan")) for name in (
            "Converge the mail description", FIRST_MAILBOXES_TASK, "Converge into SQLite")),
        *large["not_copied"],
        "", "alias table lookups inside mail1 (postmap), %d addresses:" % args.lookups,
        "%-8s %22s %22s %22s" % ("table", "single: median", "single: 95th pct", "bulk: per lookup")]
    for name, figures in found.items():
        single = figures["single"]
        lines.append("%-8s %19.1f ms %19.1f ms %19.2f ms" % (
            name, 1000 * statistics.median(single), 1000 * percentile(single, 0.95), 1000 * figures["bulk"] / len(single)))
    lines.append("  single: one postmap process per lookup (its start, the connection, the query); bulk: one")
    lines.append("  process and connection for all (as Postfix's proxymap keeps them), the cost of a query.")
    lines += ["", "replication delay mail1 -> mail2, %d messages (first seen on mail1 -> first seen on mail2; "
              "IMAP polled every %.0f ms):" % (len(delays), 1000 * args.poll),
              "  median %.3f s, 95th percentile %.3f s, max %.3f s" % (
                  statistics.median(delays), percentile(delays, 0.95), max(delays))]
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    store_bench.add_description_arguments(parser, users=100000, all_users_aliases=100)
    parser.add_argument("--lookups", type=int, default=200)
    parser.add_argument("--messages", type=int, default=100)
    parser.add_argument("--poll", type=float, default=0.01, help="seconds between two IMAP polls")
    parser.add_argument("--keep", action="store_true", help="keep the fleet and the work folder")
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="gestixi-fleet-bench-")
    ephemeral = os.path.join(work, "molecule")
    env = environment(ephemeral)
    molecule = os.path.join(os.path.dirname(sys.executable), "molecule")
    try:
        ensure_image(env)
        run([molecule, "converge", "-s", SCENARIO], env, os.path.join(work, "molecule-converge.log"),
            "molecule converge -s fleet")
        large = converge_large(args, work, env, ephemeral)
        found = lookups(args, large["addresses"])
        delays = replication(args)
        print("\n".join(report(args, large, found, delays)))
    finally:
        if args.keep:
            print("kept %s (molecule destroy -s fleet, with MOLECULE_EPHEMERAL_DIRECTORY=%s)" % (work, ephemeral))
        else:
            subprocess.run([molecule, "destroy", "-s", SCENARIO], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, check=False)
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
