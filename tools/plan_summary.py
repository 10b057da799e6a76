#!/usr/bin/env python3
# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Turn a `--check --diff` run of the mail playbook into a Markdown pull-request comment.

Either run the plan through it (the run's own output still goes to the job log):

    tools/plan_summary.py --run -o plan.md -- -i inventories/example playbooks/mail.yml --check --diff

or render the JSON that the callback gestixi.mail.gestixi_plan wrote during a run:

    ANSIBLE_CALLBACKS_ENABLED=gestixi.mail.gestixi_plan GESTIXI_PLAN_JSON=plan.json \\
        ansible-playbook -i inventories/example playbooks/mail.yml --check --diff
    tools/plan_summary.py plan.json > plan.md

With --run the exit status is the playbook's (non-zero when the description has a problem),
and the Markdown is written in every case, so that CI can post it before failing the job.
The comment holds no secret: only the modules' change lists and secret-free diffs.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "collections"))

# pylint: disable-next=wrong-import-position
from ansible_collections.gestixi.mail.plugins.plugin_utils._plan import markdown  # noqa: E402

CALLBACK = "gestixi.mail.gestixi_plan"


def ansible_playbook() -> str:
    local = os.path.join(ROOT, ".venv", "bin", "ansible-playbook")
    if os.access(local, os.X_OK):
        return local
    found = shutil.which("ansible-playbook")
    if not found:
        sys.exit("plan_summary: ansible-playbook not found (run ./run setup, or activate .venv)")
    return found


def run_playbook(arguments: list[str], json_path: str) -> int:
    env = dict(os.environ)
    enabled = [name for name in env.get("ANSIBLE_CALLBACKS_ENABLED", "").split(",") if name.strip()]
    if CALLBACK not in enabled:
        enabled.append(CALLBACK)
    env["ANSIBLE_CALLBACKS_ENABLED"] = ",".join(enabled)
    env["GESTIXI_PLAN_JSON"] = json_path
    env.setdefault("ANSIBLE_CONFIG", os.path.join(ROOT, "ansible.cfg"))
    env.setdefault("ANSIBLE_COLLECTIONS_PATH", os.path.join(ROOT, "collections"))
    return subprocess.call([ansible_playbook()] + arguments, env=env)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="plan_summary.py",
        description="Markdown summary of a gestixi.mail plan, for a pull-request comment.")
    parser.add_argument("plan_json", nargs="?", help="JSON written by the gestixi.mail.gestixi_plan callback")
    parser.add_argument("--run", action="store_true",
                        help="run ansible-playbook with the arguments after '--', collecting the plan")
    parser.add_argument("-o", "--output", help="write the Markdown here (default: standard output)")
    parser.add_argument("--json", dest="keep_json", help="with --run, also keep the plan JSON here")
    parser.add_argument("--title", default="Mail plan", help="heading of the comment")
    if "--" in argv:
        cut = argv.index("--")
        argv, rest = argv[:cut], argv[cut + 1:]
    else:
        rest = []
    args = parser.parse_args(argv)

    status = 0
    if args.run:
        if not rest:
            parser.error("--run needs the ansible-playbook arguments after '--'")
        with tempfile.TemporaryDirectory(prefix="gestixi-plan.") as folder:
            path = args.keep_json or os.path.join(folder, "plan.json")
            if os.path.exists(path):
                os.unlink(path)
            status = run_playbook(rest, path)
            if not os.path.exists(path):
                sys.stderr.write("plan_summary: the run wrote no plan (ansible-playbook exited %d "
                                 "before the end)\n" % status)
                run = {"hosts": {}, "check_mode": "--check" in rest or "-C" in rest}
            else:
                with open(path, encoding="utf-8") as handle:
                    run = json.load(handle)
    else:
        if rest or not args.plan_json:
            parser.error("give the plan JSON file, or --run -- ANSIBLE-PLAYBOOK-ARGUMENTS")
        with open(args.plan_json, encoding="utf-8") as handle:
            run = json.load(handle)

    text = markdown(run, title=args.title) + "\n"
    if args.output:
        with open(args.output, "w", encoding="utf-8") as handle:
            handle.write(text)
    else:
        sys.stdout.write(text)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
