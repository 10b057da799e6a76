# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The plan of a run: what the gestixi.mail modules create, change and remove, per host.

Shared by the filter gestixi.mail.plan_lines (the role's last task prints the host's plan),
the callback gestixi.mail.plan (the plan of every host at the end of the run, and a JSON file)
and tools/plan_summary.py (that JSON as Markdown for a pull-request comment).

Only the modules' secret-free return values are used: ``changes`` (action, kind, key, fields)
and, for Markdown, the ``diff`` before/after blocks (passwords show as ``(set)``).
"""
from __future__ import annotations

import difflib
from typing import Iterable, Iterator

PLAN_FORMAT = 1
ACTIONS = ("create", "update", "remove")
SYMBOL = {"create": "+", "update": "~", "remove": "-"}
VERB = {"create": "create", "update": "change", "remove": "remove"}
# The items an operator describes come first; what follows from them (scripts) last.
KIND_ORDER = ("domain", "user", "app password", "alias", "responder", "alias recipient", "sieve script", "DNS record")
# Kinds that follow from the others; their changed "fields" (a checksum) tell a reader nothing.
DERIVED_KINDS = ("sieve script",)
# Module option names that the mail description spells differently: the plan speaks its words.
DESCRIPTION_WORDS = {("responder", "body"): "message"}


def module_results(result: object) -> Iterator[dict]:
    """Every module result inside a task result (the items of a loop, or the result itself)."""
    if not isinstance(result, dict):
        return
    items = result.get("results")
    if isinstance(items, list):
        for item in items:
            yield from module_results(item)
        return
    if result.get("skipped") or result.get("failed"):
        return
    yield result


def changes_of(results: Iterable[object]) -> list[dict]:
    """The changes of task results, in the order the modules made them, without duplicates."""
    out: list[dict] = []
    seen: set[tuple] = set()
    created: set[tuple] = set()
    for result in results:
        for module_result in module_results(result):
            for change in module_result.get("changes") or []:
                if not isinstance(change, dict) or change.get("action") not in ACTIONS:
                    continue
                entry = {"action": change["action"], "kind": str(change.get("kind", "item")),
                         "key": str(change.get("key", ""))}
                if change.get("fields") and entry["kind"] not in DERIVED_KINDS:
                    entry["fields"] = [DESCRIPTION_WORDS.get((entry["kind"], str(field)), str(field))
                                       for field in change["fields"]]
                marker = (entry["action"], entry["kind"], entry["key"], tuple(entry.get("fields", ())))
                # An item created by this run and then completed by a later call (a new
                # domain's catch-all, say) is one creation for the reader.
                if marker in seen or (entry["action"] == "update" and ("create", entry["kind"], entry["key"]) in created):
                    continue
                seen.add(marker)
                if entry["action"] == "create":
                    created.add(("create", entry["kind"], entry["key"]))
                out.append(entry)
    return out


def diffs_of(results: Iterable[object]) -> list[dict]:
    """The before/after blocks of task results (present in --diff runs only)."""
    out: list[dict] = []
    for result in results:
        for module_result in module_results(result):
            diff = module_result.get("diff")
            for block in diff if isinstance(diff, list) else [diff] if isinstance(diff, dict) else []:
                if isinstance(block, dict) and (block.get("before") or block.get("after")):
                    out.append({key: str(block.get(key, "")) for key in
                                ("before_header", "after_header", "before", "after")})
    return out


def counts(changes: list[dict]) -> dict[str, int]:
    return {action: sum(1 for c in changes if c["action"] == action) for action in ACTIONS}


def sorted_changes(changes: list[dict]) -> list[dict]:
    def key(change: dict) -> tuple:
        kind = change["kind"]
        rank = KIND_ORDER.index(kind) if kind in KIND_ORDER else len(KIND_ORDER)
        return (rank, kind, ACTIONS.index(change["action"]), change["key"])
    return sorted(changes, key=key)


DONE = {"create": "created", "update": "changed", "remove": "removed"}


def headline(changes: list[dict], check_mode: bool = True) -> str:
    if not changes:
        return "no changes"
    total = counts(changes)
    if check_mode:
        parts = ["%d to %s" % (total[action], VERB[action]) for action in ACTIONS if total[action]]
    else:
        parts = ["%d %s" % (total[action], DONE[action]) for action in ACTIONS if total[action]]
    return ", ".join(parts)


def change_line(change: dict) -> str:
    line = "%s %s %s" % (SYMBOL[change["action"]], change["kind"], change["key"])
    if change.get("fields"):
        line += " (%s)" % ", ".join(change["fields"])
    return line


def plan_lines(changes: list[dict], host: str | None = None, check_mode: bool = True,
               indent: str = "", limit: int | None = None) -> list[str]:
    """A concise, reviewable plan: one headline, then one line per change (at most limit)."""
    what = "Plan" if check_mode else "Applied"
    head = "%s%s: %s" % (what, " on %s" % host if host and not check_mode else " for %s" % host if host else "",
                         headline(changes, check_mode))
    if check_mode and changes:
        head += " (check mode: nothing was changed)"
    ordered = sorted_changes(changes)
    lines = [head] + [indent + change_line(change) for change in ordered[:limit]]
    if limit is not None and len(ordered) > limit:
        lines.append("%s... and %d more change(s)" % (indent, len(ordered) - limit))
    return lines


# ---------------------------------------------------------------------------------------------
# The whole run (several hosts) and its Markdown


def group_hosts(hosts: dict[str, dict]) -> list[tuple[list[str], dict]]:
    """Hosts with the same plan together: [(host names, host plan)], in host order."""
    groups: list[tuple[list[str], dict]] = []
    for name in sorted(hosts):
        plan = hosts[name]
        signature = (tuple(tuple(sorted(c.items(), key=str)) for c in sorted_changes(plan.get("changes", []))),
                     plan.get("failed", False))
        for names, other in groups:
            other_signature = (tuple(tuple(sorted(c.items(), key=str))
                                     for c in sorted_changes(other.get("changes", []))), other.get("failed", False))
            if other_signature == signature:
                names.append(name)
                break
        else:
            groups.append(([name], plan))
    return groups


def _merged(hosts: dict[str, dict], key: str) -> list[tuple[object, list[str]]]:
    """Entries of every host under key, each once, with the hosts that reported it."""
    out: list[tuple[object, list[str]]] = []
    for name in sorted(hosts):
        for entry in hosts[name].get(key) or []:
            for known, names in out:
                if known == entry:
                    names.append(name)
                    break
            else:
                out.append((entry, [name]))
    return out


def _on(names: list[str], hosts: dict) -> str:
    return "" if len(names) == len(hosts) else " (on %s)" % ", ".join("`%s`" % n for n in names)


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


# A pull-request comment must stay readable (and under the forges' size limits, 65536
# characters on GitHub): long plans are cut, the JSON and the job log keep everything.
MAX_TABLE_ROWS = 300
MAX_MARKDOWN = 60000


def markdown(run: dict, title: str = "Mail plan", max_diff_lines: int = 400) -> str:
    text = _markdown(run, title, max_diff_lines)
    if len(text) > MAX_MARKDOWN:
        text = _markdown(run, title, 0)
    if len(text) > MAX_MARKDOWN:
        text = text[:MAX_MARKDOWN] + "\n\n... (cut: see the job log for the whole plan)\n"
    return text


def _markdown(run: dict, title: str, max_diff_lines: int) -> str:
    """A pull-request comment from the JSON the callback gestixi.mail.plan writes."""
    hosts = run.get("hosts") or {}
    check_mode = run.get("check_mode", True)
    all_changes = [c for plan in hosts.values() for c in plan.get("changes", [])]
    failed = sorted(name for name, plan in hosts.items() if plan.get("failed"))
    lines = ["## %s" % title, ""]
    if not hosts:
        lines += ["No mail server was planned (no host ran the gestixi.mail modules).", ""]
        return "\n".join(lines)
    problems = _merged(hosts, "problems")
    if problems:
        lines += [":x: **The mail description has %d problem%s**; no server was changed:"
                  % (len(problems), "" if len(problems) == 1 else "s"), ""]
        for problem, names in problems:
            lines.append("- `%s`: %s%s" % (problem["path"], _md_escape(problem["message"]), _on(names, hosts)))
        lines.append("")
        return "\n".join(lines)
    if failed:
        lines += [":x: **The run failed on %s**: the plan below is incomplete; see the job log."
                  % ", ".join("`%s`" % name for name in failed), ""]
        for error, names in _merged(hosts, "errors"):
            lines.append("- %s%s" % (_md_escape(error), _on(names, hosts)))
        lines.append("")
    if not all_changes and not failed:
        lines += [":white_check_mark: **No changes.** Every mail server already matches the description "
                  "(%s)." % ", ".join("`%s`" % name for name in sorted(hosts)), ""]
        return "\n".join(lines)
    for names, plan in group_hosts(hosts):
        changes = plan.get("changes", [])
        lines.append("### %s" % ", ".join("`%s`" % name for name in names))
        lines.append("")
        if not changes:
            lines += ["No changes.", ""]
            continue
        lines.append("**%s**: %s." % ("Plan" if check_mode else "Applied", headline(changes, check_mode)))
        lines += ["", "| | What | Item | Fields |", "|---|---|---|---|"]
        ordered = sorted_changes(changes)
        for change in ordered[:MAX_TABLE_ROWS]:
            lines.append("| %s | %s | `%s` | %s |" % (
                {"create": "➕ create", "update": "✏️ change", "remove": "➖ remove"}[change["action"]],
                _md_escape(change["kind"]), change["key"].replace("`", "'"),
                _md_escape(", ".join(change.get("fields", [])))))
        if len(ordered) > MAX_TABLE_ROWS:
            lines.append("| | ... | %d more change(s) | see the job log |" % (len(ordered) - MAX_TABLE_ROWS))
        lines.append("")
        diff_text = unified(plan.get("diffs", [])) if max_diff_lines else ""
        if diff_text:
            shown = diff_text.splitlines()
            cut = len(shown) > max_diff_lines
            lines += ["<details><summary>Details (before / after)</summary>", "", "```diff"]
            lines += shown[:max_diff_lines]
            if cut:
                lines.append("... (%d more lines in the job log)" % (len(shown) - max_diff_lines))
            lines += ["```", "", "</details>", ""]
    return "\n".join(lines)


def unified(diffs: list[dict]) -> str:
    """The before/after blocks as one unified diff text."""
    out: list[str] = []
    for block in diffs:
        if block.get("before_header", "").startswith(DERIVED_KINDS):
            continue  # checksums of generated files: the items above say why they change
        before = block.get("before", "").splitlines()
        after = block.get("after", "").splitlines()
        out.extend(difflib.unified_diff(before, after, fromfile=block.get("before_header", "before"),
                                        tofile=block.get("after_header", "after"), lineterm="", n=1))
    return "\n".join(out)
