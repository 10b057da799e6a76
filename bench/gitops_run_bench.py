#!/usr/bin/env python3
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""GitOps run benchmark: playbooks/mail.yml against the demo container, with nothing to change.

The demo (tools/demo.sh, `./run demo`) is a real mail host in the podman container
gestixi-mail-demo, converged from inventories/demo. This benchmark runs the GitOps playbook
against it as an operator's CI would: the plan (--check --diff) and the apply, both with
nothing to change, and prints the wall time, the time of each task (profile_tasks) and the
number of podman processes the connection started (each `podman exec` is a round trip to the
container). It asserts nothing; a missed target is shown as such.

    .venv/bin/python bench/gitops_run_bench.py             # or: ./run bench
    .venv/bin/python bench/gitops_run_bench.py --runs 5

Without the demo container it prints that it was skipped (start it with ./run demo).
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import time

from store_bench import ansible_playbook  # the bench folder is the script's own: on sys.path

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONTAINER = "gestixi-mail-demo"
TARGET = 8.0  # seconds, the unchanged apply run (issue 11)
TASK_TIME_RE = re.compile(r"^(\S.*?) -{3,} (\d+\.\d+)s$", re.M)
RECAP_RE = re.compile(r"^%s\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)" % CONTAINER, re.M)
PODMAN_RUN_RE = re.compile(r"RUN \[b'[^']*podman'")


def environment() -> dict:
    env = dict(os.environ)
    env.update({
        "ANSIBLE_CONFIG": os.path.join(ROOT, "ansible.cfg"),
        "ANSIBLE_COLLECTIONS_PATH": os.path.join(ROOT, "collections"),
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_CALLBACKS_ENABLED": "ansible.posix.profile_tasks",
        "PROFILE_TASKS_SORT_ORDER": "none",
        "PROFILE_TASKS_TASK_OUTPUT_LIMIT": "all",
    })
    env.setdefault("CONTAINERS_CONF", os.path.join(ROOT, "images", "containers.conf"))
    return env


def container_running(env: dict) -> bool:
    podman = shutil.which("podman")
    if not podman:
        return False
    proc = subprocess.run([podman, "container", "inspect", "--format", "{{.State.Running}}", CONTAINER],
                          env=env, capture_output=True, text=True, check=False)
    return proc.returncode == 0 and proc.stdout.strip() == "true"


class Run:
    def __init__(self, label: str, seconds: float, returncode: int, output: str) -> None:
        self.label = label
        self.seconds = seconds
        self.returncode = returncode
        self.output = output
        match = RECAP_RE.search(output)
        self.ok, self.changed, self.unreachable, self.failed = (
            (int(g) for g in match.groups()) if match else (0, 0, 0, 1))
        recap = output.split("TASKS RECAP", 1)[-1]
        self.tasks = TASK_TIME_RE.findall(recap)
        self.podman_calls = len(PODMAN_RUN_RE.findall(output))

    def check(self) -> "Run":
        if self.returncode != 0 or self.failed or self.unreachable:
            tail = "\n".join(self.output.splitlines()[-40:])
            raise SystemExit("run '%s' failed (rc %d):\n%s" % (self.label, self.returncode, tail))
        return self


def run_mail(label: str, env: dict, extra: list[str]) -> Run:
    # -vvv only to count the podman processes the connection starts (its RUN lines).
    command = [ansible_playbook(), "-vvv", "-i", os.path.join(ROOT, "inventories", "demo"),
               os.path.join(ROOT, "playbooks", "mail.yml")] + extra
    start = time.monotonic()
    proc = subprocess.run(command, env=env, capture_output=True, text=True, check=False, cwd=ROOT)
    run = Run(label, time.monotonic() - start, proc.returncode, proc.stdout + proc.stderr).check()
    print("  %-28s %6.1f s  tasks=%d changed=%d podman calls=%d"
          % (label, run.seconds, run.ok, run.changed, run.podman_calls), file=sys.stderr, flush=True)
    return run


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of each form; the median is reported")
    args = parser.parse_args()
    env = environment()
    if not container_running(env):
        print("gitops run benchmark: skipped, the demo container %s is not running (./run demo starts it)"
              % CONTAINER)
        return 0

    # One run to settle (a description edited since the last demo converge is applied here).
    run_mail("settle", env, [])
    applies, plans = [], []
    for _ in range(args.runs):
        applies.append(run_mail("apply, nothing to change", env, []))
        plans.append(run_mail("plan (--check --diff)", env, ["--check", "--diff"]))
    changed = [run.changed for run in applies + plans]

    def median(runs: list[Run]) -> float:
        return statistics.median(run.seconds for run in runs)

    apply_median = median(applies)
    print("gitops run benchmark: playbooks/mail.yml, inventories/demo, container %s" % CONTAINER)
    print("load average at the end: %s (wall times grow with other work on the machine)"
          % " ".join("%.1f" % value for value in os.getloadavg()))
    row = "%-40s %8s %8s %8s  %s"
    print(row % ("measure", "target", "median", "podman", "result"))
    print(row % ("-" * 40, "-" * 8, "-" * 8, "-" * 8, "------"))
    print(row % ("apply, nothing to change", "< %.0f s" % TARGET, "%.1f s" % apply_median,
                 str(applies[0].podman_calls), "met" if apply_median < TARGET else "MISSED"))
    print(row % ("plan (--check --diff), nothing to change", "-", "%.1f s" % median(plans),
                 str(plans[0].podman_calls), "(info)"))
    print("  %d runs each; tasks reporting a change: %s (0 expected)" % (args.runs, max(changed)))
    run = sorted(applies, key=lambda r: r.seconds)[len(applies) // 2]
    print("  tasks of the median apply run (%d ok):" % run.ok)
    for name, seconds in run.tasks:
        print("    %6.2f s  %s" % (float(seconds), name))
    print("    %6.2f s  ansible-playbook's own start and end" % (run.seconds - sum(float(s) for _, s in run.tasks)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
