#!/usr/bin/env python3
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Delivery benchmark (issue 3): SMTP acceptance -> IMAP visibility, live SQLite vs static lmdb.

Boots the project image (images/build.sh) as the podman container `gestixi-bench-delivery`
(systemd, ports 25 and 143 published on 127.0.0.1 only, on free high ports), converges the
server role and a description of N users (default 50) in one domain with an all-users alias
(`all@example.org`, `to: []`) through the state role, over the podman connection, as
molecule/default/converge.yml does. Then, twice on the same Postfix and Dovecot:

1. "sqlite": the configuration the role writes (Postfix reads the store live through
   `proxy:sqlite:`).
2. "lmdb": the same answers in static tables. Inside the container, the store's answers are
   dumped with Postfix's own lookups (`postmap -q - sqlite:/etc/postfix/gestixi/<table>.cf`
   for every alias address, every enabled user, every catch-all key; so the all-users alias
   expands to the N addresses, and each user maps to itself), compiled with
   `postmap lmdb:/etc/postfix/bench_<table>`, and `virtual_alias_maps`,
   `virtual_mailbox_maps` and `virtual_mailbox_domains` are pointed at them (`--lmdb-scope
   aliases`: only `virtual_alias_maps`) with `postconf -e` + `postfix reload`. Afterwards the
   original values are put back (and reloaded) and main.cf is compared with its copy.
   Dovecot (passdb/userdb, read by LMTP for every recipient) stays on SQLite in both series.

Each series: N IMAP connections (STARTTLS on 143, one per user, INBOX selected) poll with
NOOP every --poll-interval seconds (not IDLE: Dovecot 2.3 holds change notifications back
for 500 ms, NOTIFY_DELAY_MSECS in lib-storage/mailbox-watch.c). One warm-up message to the
alias (not counted), then M messages (default 100) to all@example.org, twice:

- one at a time: each message is sent once the previous one is visible in every mailbox,
  which gives the latency of a message that does not queue behind others;
- burst: M messages back to back on one SMTP connection (pipeline full), which gives the
  throughput; its latencies include queueing behind the earlier messages of the burst.

"Accepted" is when Postfix answered 250 to the end of DATA (the virtual alias expansion,
done by cleanup before that answer, is therefore in the SMTP time, printed separately, and
not in the latency). "Visible" is the middle of a delivery's window: after the last NOOP that
did not show it was sent (and not before acceptance), before the reply of the first NOOP that
did (messages are found by a unique token in the subject); the mean window width is printed
as the resolution. Per phase and series:

- per message: time until the message is visible in ALL N mailboxes (median, p95);
- the same from the client's MAIL FROM (SMTP time included), median;
- per delivery: time until it is visible in one mailbox, over all M x N deliveries;
- burst only: from the first MAIL FROM to the last visible delivery, as messages/s and
  deliveries/s, and how long the M sends took on the SMTP side.

With --recheck, the sqlite series runs again after the restore (sqlite, lmdb, sqlite): the
difference between the two sqlite columns is the drift between series (machine load, mailbox
indexes), to weigh the sqlite/lmdb ratio against. Percentiles are nearest-rank. The mailboxes are emptied after each series. Nothing is
asserted on timing; the script fails only when the setup fails or deliveries are missing
after --timeout. The NOOP polling itself loads the server (N / poll interval NOOPs per
second, about 1,000/s by default): on a small machine it competes with the deliveries.

    .venv/bin/python bench/delivery_bench.py                 # or: ./run bench
    .venv/bin/python bench/delivery_bench.py --messages 20 --users 10 --poll-interval 0.1
    .venv/bin/python bench/delivery_bench.py --keep          # leave the container running

Figures this script does not measure, and how to take them by hand:
- Molecule scenario wall time (destroy, create, converge, idempotence, verify, destroy):
  `time ./run molecule default` (it removes the scenario's container: not while others use it).
- Cold image build: `time GESTIXI_CACHE_DIR=$(mktemp -d) images/build.sh --force` (a fresh
  cache forces debootstrap and the package downloads; it re-tags
  localhost/gestixi-mail-bookworm:latest). A warm rebuild: `time images/build.sh --force`.
"""
from __future__ import annotations

import argparse
import imaplib
import json
import math
import os
import re
import shutil
import signal
import smtplib
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COLLECTIONS = os.path.join(ROOT, "collections")
CONTAINER = "gestixi-bench-delivery"
HOSTNAME = "mail.example.test"
HOST = "127.0.0.1"  # the project's network rule: loopback only
DOMAIN = "example.org"
ALIAS = "all@%s" % DOMAIN
SENDER = "bench@outside.test"
STORE = "/var/lib/gestixi-mail/mail.sqlite"
SQLITE_TABLES = "/etc/postfix/gestixi"
TOKEN_RE = re.compile(rb"gb-[0-9a-f]{8}-(?:w|[sb]\d{4})")

# Postfix parameter -> (store table the role reads it from, SQL listing the keys to dump).
LMDB_MAPS = {
    "virtual_alias_maps": ("aliases", (
        "SELECT address FROM aliases UNION SELECT address FROM users WHERE enabled = 1 "
        "UNION SELECT '@' || name FROM domains WHERE catchall IS NOT NULL")),
    "virtual_mailbox_maps": ("mailboxes", "SELECT address FROM users WHERE enabled = 1"),
    "virtual_mailbox_domains": ("domains", "SELECT name FROM domains"),
}

# What molecule/default/converge.yml runs (= playbooks/site.yml): server role, then the state role.
CONVERGE_PLAYBOOK = """\
- name: Converge the delivery benchmark's mail server
  hosts: all
  gather_facts: true
  tasks:
    - name: Configure Postfix, Dovecot and Pigeonhole
      ansible.builtin.include_role:
        name: gestixi.mail.server
    - name: Converge the benchmark description into the store
      ansible.builtin.include_role:
        name: gestixi.mail.state
      vars:
        state_show_plan: false
"""

sys.path.insert(0, COLLECTIONS)


# ---------------------------------------------------------------------------------------------
# The container


def podman(*args: str, check: bool = True, stdin: str | None = None) -> subprocess.CompletedProcess:
    proc = subprocess.run(["podman", *args], input=stdin, capture_output=True, text=True, check=False)
    if check and proc.returncode != 0:
        raise SystemExit("podman %s failed (rc %d): %s" % (" ".join(args[:3]), proc.returncode,
                                                            (proc.stderr or proc.stdout).strip()))
    return proc


def inside(script: str, stdin: str | None = None) -> str:
    """Run a shell script in the container (set -e); any Postfix 'warning' fails it too."""
    proc = podman("exec", "-i", CONTAINER, "sh", "-ec", script, check=False, stdin=stdin)
    if proc.returncode != 0 or "warning" in proc.stderr.lower():
        raise SystemExit("in the container, failed (rc %d):\n%s\n%s" % (proc.returncode, script,
                                                                      proc.stderr.strip()))
    return proc.stdout


def remove_container(name: str = CONTAINER) -> None:
    podman("rm", "-f", "--time", "5", name, check=False)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def build_image() -> str:
    """images/build.sh is a no-op (~0.1 s) when the image of its current content exists."""
    proc = subprocess.run([os.path.join(ROOT, "images", "build.sh")], capture_output=True, text=True,
                          check=False)
    if proc.returncode != 0:
        raise SystemExit("images/build.sh failed:\n%s" % proc.stderr[-3000:])
    return proc.stdout.strip().splitlines()[-1]


def start_container(image: str, smtp_port: int, imap_port: int, name: str = CONTAINER,
                    more_ports: tuple[tuple[int, int], ...] = ()) -> None:
    """more_ports: (host port, container port) published too (bench/dkim_signing_bench.py)."""
    published = [("%s:%d:%d" % (HOST, host, inner)) for host, inner in ((smtp_port, 25), (imap_port, 143)) + more_ports]
    podman("run", "-d", "--name", name, "--hostname", HOSTNAME, "--systemd=always",
           *[arg for port in published for arg in ("-p", port)], image, "/sbin/init")
    state = ""
    for _ in range(120):
        state = podman("exec", name, "systemctl", "is-system-running", check=False).stdout.strip()
        if state in ("running", "degraded"):
            return
        time.sleep(0.5)
    raise SystemExit("systemd in %s did not come up (state %r)" % (name, state))


# ---------------------------------------------------------------------------------------------
# Converge: server role + a description of N users and the all-users alias


def password_of(login: str) -> str:
    return "%s-bench-secret" % login


def logins(users: int) -> list[str]:
    return ["user%03d" % i for i in range(1, users + 1)]


def description(users: int) -> dict:
    # pylint: disable-next=import-outside-toplevel
    from ansible_collections.gestixi.mail.plugins.module_utils.rules._password import hash_password
    return {"gestixi_mail_domains": [{
        "name": DOMAIN,
        # SHA512-CRYPT keeps N simultaneous IMAP logins cheap (ARGON2ID: 71 MB and 0.2 s each).
        "users": [{"login": login, "name": "Bench %s" % login,
                   "password": hash_password(password_of(login), "SHA512-CRYPT")}
                  for login in logins(users)],
        "aliases": [{"address": ALIAS.split("@")[0], "to": []}],
    }]}


def converge(users: int, workdir: str, container: str = CONTAINER) -> float:
    """ansible-playbook over containers.podman.podman; the inventory's group_vars hold the vars."""
    group_vars = os.path.join(workdir, "group_vars", "all")
    os.makedirs(group_vars)
    server_vars = {
        "server_hostname": HOSTNAME,
        # As in molecule/default: nothing may leave the container, no DNS for client names.
        "server_postfix_extra_settings": {"default_transport": "discard:outbound mail is disabled",
                                          "smtpd_peername_lookup": "no"},
        # rspamd (the DKIM signer) asks no DNS server outside the container.
        "server_rspamd_dns_servers": ["127.0.0.1"],
    }
    for name, variables in (("server.yml", server_vars), ("mail.yml", description(users))):
        with open(os.path.join(group_vars, name), "w", encoding="utf-8") as handle:
            json.dump(variables, handle, indent=1)  # JSON is YAML
    with open(os.path.join(workdir, "hosts.yml"), "w", encoding="utf-8") as handle:
        handle.write("all:\n  hosts:\n    %s:\n      ansible_connection: containers.podman.podman\n"
                     % container)
    with open(os.path.join(workdir, "converge.yml"), "w", encoding="utf-8") as handle:
        handle.write(CONVERGE_PLAYBOOK)
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"),
               ANSIBLE_COLLECTIONS_PATH=COLLECTIONS, ANSIBLE_NOCOLOR="1")
    playbook = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")
    if not os.access(playbook, os.X_OK):
        playbook = shutil.which("ansible-playbook") or "ansible-playbook"
    start = time.monotonic()
    proc = subprocess.run([playbook, "-i", os.path.join(workdir, "hosts.yml"),
                           os.path.join(workdir, "converge.yml")],
                          capture_output=True, text=True, env=env, cwd=workdir, check=False)
    if proc.returncode != 0:
        raise SystemExit("converge failed (rc %d):\n%s" % (proc.returncode, proc.stdout[-5000:]))
    return time.monotonic() - start


def wait_for_smtp(port: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with smtplib.SMTP(HOST, port, local_hostname="client.outside.test", timeout=5) as smtp:
                if smtp.noop()[0] == 250:
                    return
        except (OSError, smtplib.SMTPException):
            if time.monotonic() > deadline:
                raise
        time.sleep(0.5)


# ---------------------------------------------------------------------------------------------
# IMAP: one polling connection per mailbox


def tls_context() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # the container's certificate is self-signed
    return context


class MailboxWatcher(threading.Thread):
    """Polls one INBOX with NOOP; records when each benchmark token became visible.

    seen[token] = (lower, upper): the message was not visible to the previous NOOP, so it
    appeared after that NOOP was sent (lower), and it was visible to the NOOP that showed it,
    so before that NOOP's reply arrived (upper).
    """

    def __init__(self, login: str, port: int, poll_interval: float) -> None:
        super().__init__(name=login, daemon=True)
        self.login = login
        self.port = port
        self.poll_interval = poll_interval
        self.seen: dict[str, tuple[float, float]] = {}
        self.error: BaseException | None = None
        self.ready = threading.Event()
        self.stopping = threading.Event()

    def run(self) -> None:
        try:
            imap = imaplib.IMAP4(HOST, self.port, timeout=30)
            imap.starttls(ssl_context=tls_context())
            imap.login("%s@%s" % (self.login, DOMAIN), password_of(self.login))
            typ, data = imap.select("INBOX")
            if typ != "OK":
                raise RuntimeError("SELECT INBOX: %r" % data)
            known = int(data[0])
            previous = time.monotonic()
            self.ready.set()
            while not self.stopping.is_set():
                sent = time.monotonic()
                imap.noop()
                replied = time.monotonic()
                exists = imap.untagged_responses.get("EXISTS")
                imap.untagged_responses.clear()
                if exists and int(exists[-1]) > known:
                    self._record(imap, known + 1, int(exists[-1]), (previous, replied))
                    known = int(exists[-1])
                previous = sent
                self.stopping.wait(self.poll_interval)
            if known:  # empty the mailbox for the next series
                imap.store("1:*", "+FLAGS.SILENT", r"(\Deleted)")
                imap.expunge()
            imap.logout()
        except BaseException as exc:  # pylint: disable=broad-exception-caught
            self.error = exc
            self.ready.set()

    def _record(self, imap: imaplib.IMAP4, first: int, last: int, window: tuple[float, float]) -> None:
        typ, data = imap.fetch("%d:%d" % (first, last), "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
        if typ != "OK":
            raise RuntimeError("FETCH: %r" % data)
        for item in data:
            if isinstance(item, tuple):
                match = TOKEN_RE.search(item[1])
                if match:
                    self.seen.setdefault(match.group(0).decode(), window)

    def window(self, token: str, accepted: float) -> tuple[float, float]:
        """When the token became visible: between these two times (not before SMTP acceptance)."""
        lower, upper = self.seen[token]
        return max(lower, accepted), upper

    def visible(self, token: str, accepted: float) -> float:
        """Estimated time the token became visible: the middle of its window."""
        lower, upper = self.window(token, accepted)
        return (lower + upper) / 2.0


def start_watchers(users: int, port: int, poll_interval: float) -> list[MailboxWatcher]:
    watchers = [MailboxWatcher(login, port, poll_interval) for login in logins(users)]
    for watcher in watchers:
        watcher.start()
    for watcher in watchers:
        watcher.ready.wait(60)
        if watcher.error or not watcher.ready.is_set():
            raise SystemExit("IMAP login of %s failed: %r" % (watcher.login, watcher.error))
    return watchers


def stop_watchers(watchers: list[MailboxWatcher]) -> None:
    for watcher in watchers:
        watcher.stopping.set()
    for watcher in watchers:
        watcher.join(60)


def wait_visible(watchers: list[MailboxWatcher], tokens: list[str], timeout: float, step: float = 0.005) -> None:
    deadline = time.monotonic() + timeout
    while True:
        failed = [w for w in watchers if w.error]
        if failed:
            raise SystemExit("IMAP polling of %s failed: %r" % (failed[0].login, failed[0].error))
        missing = sum(1 for w in watchers for t in tokens if t not in w.seen)
        if not missing:
            return
        if time.monotonic() > deadline:
            raise SystemExit("%d of %d deliveries not visible after %.0f s (see `podman exec %s "
                             "postqueue -p`)" % (missing, len(watchers) * len(tokens), timeout, CONTAINER))
        time.sleep(step)


# ---------------------------------------------------------------------------------------------
# SMTP and one series


def message_bytes(token: str) -> bytes:
    return ("From: Bench <%s>\r\nTo: %s\r\nSubject: gestixi delivery bench %s\r\n"
            "Message-ID: <%s@outside.test>\r\nDate: %s\r\n\r\nDelivery benchmark message %s.\r\n"
            % (SENDER, ALIAS, token, token, time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime()),
               token)).encode()


def send(smtp: smtplib.SMTP, token: str) -> tuple[float, float]:
    """One transaction: (time of MAIL FROM, time the server answered 250 to end-of-DATA)."""
    begun = time.monotonic()
    code, reply = smtp.mail(SENDER)
    if code == 250:
        code, reply = smtp.rcpt(ALIAS)
    if code == 250:
        code, reply = smtp.data(message_bytes(token))
    accepted = time.monotonic()
    if code != 250:
        raise SystemExit("SMTP refused %s: %d %s" % (token, code, reply.decode(errors="replace")))
    return begun, accepted


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100.0 * len(ordered)) - 1)]


def phase(smtp: smtplib.SMTP, watchers: list[MailboxWatcher], tokens: list[str], burst: bool,
          timeout: float) -> dict:
    """Send the tokens' messages (one at a time, or back to back) and summarise what was seen."""
    times = []
    for token in tokens:
        times.append(send(smtp, token))
        if not burst:
            wait_visible(watchers, [token], timeout)
    sent = time.monotonic()
    wait_visible(watchers, tokens, timeout, step=0.1)
    first_send = times[0][0]
    accepted = [a for _, a in times]
    per_delivery = [w.visible(t, accepted[i]) - accepted[i] for w in watchers for i, t in enumerate(tokens)]
    per_message = [max(w.visible(t, accepted[i]) for w in watchers) - accepted[i] for i, t in enumerate(tokens)]
    span = max(w.visible(t, accepted[i]) for w in watchers for i, t in enumerate(tokens)) - first_send
    end_to_end = [per_message[i] + accepted[i] - begun for i, (begun, _) in enumerate(times)]
    windows = [upper - lower for w in watchers for i, t in enumerate(tokens)
               for lower, upper in [w.window(t, accepted[i])]]
    return {
        "smtp_median": statistics.median(a - b for b, a in times), "smtp_total": sent - first_send,
        "msg_median": statistics.median(per_message), "msg_p95": percentile(per_message, 95),
        "e2e_median": statistics.median(end_to_end),
        "dlv_median": statistics.median(per_delivery), "dlv_p95": percentile(per_delivery, 95),
        "span": span, "msgs_per_s": len(tokens) / span, "dlv_per_s": len(tokens) * len(watchers) / span,
        # the resolution of the visible times: how wide the window of a delivery is, on average
        "window": statistics.mean(windows),
    }


def run_series(label: str, args: argparse.Namespace, smtp_port: int, imap_port: int) -> dict:
    """Warm-up, then the messages one at a time, then the same number in a burst."""
    series = uuid.uuid4().hex[:8]
    watchers = start_watchers(args.users, imap_port, args.poll_interval)
    load = [os.getloadavg()[0]]
    try:
        with smtplib.SMTP(HOST, smtp_port, local_hostname="client.outside.test", timeout=60) as smtp:
            smtp.ehlo()
            warm = "gb-%s-w" % series
            send(smtp, warm)
            wait_visible(watchers, [warm], args.timeout)
            one = phase(smtp, watchers, ["gb-%s-s%04d" % (series, i) for i in range(args.messages)],
                        False, args.timeout)
            load.append(os.getloadavg()[0])
            burst = phase(smtp, watchers, ["gb-%s-b%04d" % (series, i) for i in range(args.messages)],
                          True, args.timeout)
            load.append(os.getloadavg()[0])
    finally:
        stop_watchers(watchers)
    print("  %-10s done: one at a time %.1f s, burst %.1f s" % (label, one["span"], burst["span"]),
          file=sys.stderr, flush=True)
    return {"one": one, "burst": burst, "load": " -> ".join("%.1f" % x for x in load)}


# ---------------------------------------------------------------------------------------------
# Static lmdb tables in place of the live store, and back


def switch_to_lmdb(params: list[str], users: int) -> dict[str, str]:
    """Dump the store's answers, compile lmdb tables, point Postfix at them; returns the old values."""
    saved = {p: inside("postconf -h %s" % p).strip() for p in params}
    inside("cp -p /etc/postfix/main.cf /etc/postfix/main.cf.bench-saved")
    for param in params:
        table, keys_sql = LMDB_MAPS[param]
        source = "/etc/postfix/bench_%s" % table
        inside("sqlite3 %s \"%s\" | postmap -q - sqlite:%s/%s.cf > %s\ntest -s %s\npostmap lmdb:%s"
               % (STORE, keys_sql, SQLITE_TABLES, table, source, source, source))
    expansion = inside("postmap -q %s lmdb:/etc/postfix/bench_aliases" % ALIAS).strip().split(",")
    if len(expansion) != users:
        raise SystemExit("the lmdb alias table expands %s to %d addresses, not %d" % (ALIAS, len(expansion), users))
    settings = " ".join("%s=lmdb:/etc/postfix/bench_%s" % (p, LMDB_MAPS[p][0]) for p in params)
    inside("postconf -e %s\npostconf -n >/dev/null\npostfix reload" % settings)
    print("  lmdb: %s (%s expands to %d addresses)" % (settings, ALIAS, len(expansion)),
          file=sys.stderr, flush=True)
    return saved


def restore_sqlite(saved: dict[str, str]) -> str:
    settings = " ".join("'%s=%s'" % (p, v) for p, v in saved.items())
    inside("postconf -e %s\npostfix reload" % settings)
    same = inside("cmp -s /etc/postfix/main.cf /etc/postfix/main.cf.bench-saved && echo same || echo differs")
    now = {p: inside("postconf -h %s" % p).strip() for p in saved}
    if now != saved:
        raise SystemExit("restoring the sqlite configuration failed: %r" % now)
    return "restored: %s back on sqlite, main.cf %s" % (
        ", ".join(saved), "identical to before" if "same" in same else "has the same values, other formatting")


# ---------------------------------------------------------------------------------------------
# Report


def report(args: argparse.Namespace, columns: list[tuple[str, dict]], scope: str) -> None:
    """columns: sqlite, lmdb, and optionally sqlite again (--recheck); ratio = sqlite / lmdb."""
    n, m = args.users, args.messages
    sections = [
        ("one", "One at a time: %d messages, each sent once the previous one is visible everywhere" % m),
        ("burst", "Burst: %d messages sent back to back on one SMTP connection" % m),
    ]
    rows = [
        ("SMTP MAIL FROM -> 250 after DATA, median", "smtp_median", "ms"),
        ("SMTP: all %d sends took" % m, "smtp_total", "s"),
        ("visible in all %d mailboxes, median" % n, "msg_median", "ms"),
        ("visible in all %d mailboxes, p95" % n, "msg_p95", "ms"),
        ("MAIL FROM -> visible in all, median", "e2e_median", "ms"),
        ("one delivery visible, median", "dlv_median", "ms"),
        ("one delivery visible, p95", "dlv_p95", "ms"),
        ("first send -> last visible", "span", "s"),
        ("messages/s", "msgs_per_s", "/s"),
        ("deliveries/s", "dlv_per_s", "/s"),
        ("visibility window per delivery, mean", "window", "ms"),
    ]
    print()
    print("Delivery latency, SMTP 250 (end of DATA) -> visible over IMAP, to %s (%d users)." % (ALIAS, n))
    print("sqlite: Postfix reads the store live (proxy:sqlite). lmdb: static tables for %s." % scope)
    print("Dovecot (userdb for LMTP) reads SQLite in both. Visible = middle of the window")
    print("between the last NOOP that did not show a delivery and the reply of the first that did.")
    for phase_key, title in sections:
        print()
        print(title)
        print("  %-42s %s %8s" % ("", " ".join("%10s" % name for name, _ in columns), "ratio"))
        for label, key, unit in rows:
            if phase_key == "one" and key in ("smtp_total", "span", "msgs_per_s", "dlv_per_s"):
                continue  # a rate of a paced run measures the pacing, not the server
            values = [result[phase_key][key] * (1000.0 if unit == "ms" else 1.0) for _, result in columns]
            digits = 0 if unit == "ms" else 1 if unit == "/s" else 2
            cells = " ".join("%7.*f %-2s" % (digits, value, unit) for value in values)
            print("  %-42s %s %8.2f" % (label, cells, values[0] / values[1] if values[1] else float("nan")))
    print()
    print("ratio = sqlite / lmdb. Load average (1 min) at start -> after one-at-a-time -> after burst:")
    print("  %s; %d CPUs; series run in this order." % (
        "; ".join("%s %s" % (name, result["load"]) for name, result in columns), os.cpu_count() or 0))


# ---------------------------------------------------------------------------------------------


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=100, help="messages per phase, one at a time then a burst (default 100)")
    parser.add_argument("--users", type=int, default=50, help="users, all reached by the alias (default 50)")
    parser.add_argument("--poll-interval", type=float, default=0.05,
                        help="seconds between two NOOPs on one mailbox (default 0.05)")
    parser.add_argument("--timeout", type=float, default=600,
                        help="seconds to wait for a batch to be visible everywhere (default 600)")
    parser.add_argument("--lmdb-scope", choices=("all", "aliases"), default="all",
                        help="tables moved to lmdb: the three virtual_* maps (default) or only aliases")
    parser.add_argument("--image", help="image to boot (default: the one images/build.sh prints)")
    parser.add_argument("--recheck", action="store_true",
                        help="run the sqlite series again after the lmdb one, as a third column (drift check)")
    parser.add_argument("--keep", action="store_true", help="leave the container running at the end")
    args = parser.parse_args(argv)
    if args.messages < 1 or args.users < 1:
        parser.error("--messages and --users must be at least 1")
    return args


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    os.environ.setdefault("CONTAINERS_CONF", os.path.join(ROOT, "images", "containers.conf"))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the finally below
    params = list(LMDB_MAPS) if args.lmdb_scope == "all" else ["virtual_alias_maps"]
    scope = ", ".join(params)
    image = args.image or build_image()
    remove_container()  # a stale one from an interrupted run
    smtp_port, imap_port = free_port(), free_port()
    try:
        print("  container %s from %s (SMTP %s:%d, IMAP %s:%d)"
              % (CONTAINER, image, HOST, smtp_port, HOST, imap_port), file=sys.stderr, flush=True)
        start_container(image, smtp_port, imap_port)
        with tempfile.TemporaryDirectory(prefix="gestixi-delivery-bench.") as workdir:
            seconds = converge(args.users, workdir)
        print("  converged server + %d users in %.1f s" % (args.users, seconds), file=sys.stderr, flush=True)
        wait_for_smtp(smtp_port)
        live = run_series("sqlite", args, smtp_port, imap_port)
        saved = switch_to_lmdb(params, args.users)
        try:
            static = run_series("lmdb", args, smtp_port, imap_port)
        finally:
            print("  %s" % restore_sqlite(saved), file=sys.stderr, flush=True)
        columns = [("sqlite", live), ("lmdb", static)]
        if args.recheck:  # the same as the first series: shows the drift between series
            columns.append(("sqlite 2nd", run_series("sqlite 2nd", args, smtp_port, imap_port)))
        report(args, columns, scope)
    finally:
        if args.keep:
            print("  kept %s (podman rm -f %s)" % (CONTAINER, CONTAINER), file=sys.stderr)
        else:
            remove_container()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
