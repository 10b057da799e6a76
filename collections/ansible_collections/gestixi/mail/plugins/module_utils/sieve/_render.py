# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Rendering of the administrator-owned Sieve script of each user (automatic replies).

One script per enabled user who has at least one enabled automatic reply, their own or a
domain-wide one. Dovecot runs it (sieve_before3, after the spam rule) before the user's own
script, so it never uses `stop`: the user's Roundcube filters always run after it. Its shape:

    require ["date", "envelope", "relational", "vacation"];
    if not anyof (<sender is a no-reply or daemon address>) {
      if <arrival inside the window of reply 1> { vacation ... ; }
      elsif <arrival inside the window of reply 2> { vacation ... ; }
    }

so that when windows overlap only the first reply answers: the user's own replies by name,
then the domain-wide ones by name. Every text is a Sieve quoted string with only `\\` and `"`
escaped: no `text:` block (no dot-stuffing), no "variables" or "encoded-character" extension
(so `${...}` stays literal). Output depends only on the store (sorted, no clock), so an
unchanged store renders byte-identical scripts.
"""
from __future__ import annotations

import hashlib
import re
from collections import defaultdict

from ansible_collections.gestixi.mail.plugins.module_utils.rules._dates import window_utc
from ansible_collections.gestixi.mail.plugins.module_utils._errors import MailStateError, ProblemCollector
from ansible_collections.gestixi.mail.plugins.module_utils.rules._timezone import timezone_problem
from ansible_collections.gestixi.mail.plugins.module_utils.store._engine import Connection, Cursor

REQUIRE = '["date", "envelope", "relational", "vacation"]'
# Local parts of senders that must never get an automatic reply, compared case-insensitively
# with :matches. Pigeonhole already skips MAILER-DAEMON, owner-* and *-request envelope senders,
# List-* and Auto-Submitted mail, but it does answer noreply@ addresses.
NO_REPLY_LOCAL_PARTS = (
    "*noreply*", "*no-reply*", "*no_reply*",
    "*donotreply*", "*do-not-reply*", "*do_not_reply*",
    "mailer-daemon",
)
HANDLE_PREFIX = "gestixi-"
ALL_USERS = ""  # the login of a domain-wide responder in the store
_CONTROL_RE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_NEWLINE_RE = re.compile("\r\n|\r")


def sieve_string(text: str) -> str:
    """A Sieve quoted string (RFC 5228 2.4.2) holding exactly `text`.

    Only backslash and double quote need escaping. Line breaks stay literal (a quoted string may
    span lines), normalised to LF so that Pigeonhole sees no stray CR; NUL, which no Sieve
    string can hold, is dropped (validation refuses it before it reaches the store).
    """
    text = _NEWLINE_RE.sub("\n", text).replace("\x00", "")
    return '"%s"' % text.replace("\\", "\\\\").replace('"', '\\"')


def sieve_list(items: list[str] | tuple[str, ...]) -> str:
    return "[%s]" % ", ".join(sieve_string(item) for item in items)


def one_line(text: str) -> str:
    """Text for a header or a script comment: control characters become spaces."""
    return _CONTROL_RE.sub(" ", text)


def handle(domain: str, login: str, name: str) -> str:
    """The stable :handle of one reply: its reply memory survives edits of its text and dates."""
    digest = hashlib.sha256(("%s\n%s\n%s" % (domain, login, name)).encode("utf-8")).hexdigest()
    return HANDLE_PREFIX + digest[:20]


def _window_test(start: str | None, end: str | None, zone: str) -> str:
    begin, finish = window_utc(start, end, zone)
    tests = []
    if begin:
        tests.append('currentdate :zone "+0000" :value "ge" "iso8601" %s' % sieve_string(begin))
    if finish:
        tests.append('currentdate :zone "+0000" :value "lt" "iso8601" %s' % sieve_string(finish))
    if not tests:
        return "true"
    if len(tests) == 1:
        return tests[0]
    return "allof (%s,\n            %s)" % (tests[0], tests[1])


def _vacation(address: str, addresses: list[str], responder: dict) -> str:
    lines = ["vacation :days %d" % int(responder["days"]),
             "         :subject %s" % sieve_string(one_line(responder["subject"])),
             "         :from %s" % sieve_string(address)]
    if addresses:
        lines.append("         :addresses %s" % sieve_list(addresses))
    reply_handle = handle(responder["domain"], responder["login"], responder["name"])
    lines.append("         :handle %s" % sieve_string(reply_handle))
    lines.append("         %s;" % sieve_string(responder["message"]))
    return "\n    ".join(lines)


def _describe(responder: dict, zone: str) -> str:
    owner = ("all users of %s" % responder["domain"] if responder["login"] == ALL_USERS
             else "%s@%s" % (responder["login"], responder["domain"]))
    dates = "%s .. %s" % (responder["start_date"] or "(no start)", responder["end_date"] or "(no end)")
    return one_line("'%s' of %s, %s in %s" % (responder["name"], owner, dates, zone))


def render_script(address: str, zone: str, responders: list[dict], addresses: list[str]) -> str:
    """The script of one user: `responders` in priority order (first active one answers)."""
    guard = ",\n              ".join([
        "envelope :localpart :matches \"from\" %s" % sieve_list(NO_REPLY_LOCAL_PARTS),
        "address :localpart :matches \"from\" %s" % sieve_list(NO_REPLY_LOCAL_PARTS),
    ])
    out = [
        "# gestixi.mail: automatic replies of %s" % one_line(address),
        "# Generated from the mail store; every converge rewrites this file: do not edit.",
        "# Dates are the domain's calendar days (%s) as UTC instants." % one_line(zone),
        "require %s;" % REQUIRE,
        "",
        "# No automatic reply to no-reply or daemon senders (envelope or From: header).",
        "if not anyof (%s) {" % guard,
        "  # When dates overlap, only the first reply whose dates include the arrival answers.",
    ]
    for index, responder in enumerate(responders):
        keyword = "if" if index == 0 else "elsif"
        test = _window_test(responder["start_date"], responder["end_date"], zone)
        opener = "  %s %s {" % (keyword, test) if index == 0 else "  } %s %s {" % (keyword, test)
        out.append(opener)
        out.append("    # %s" % _describe(responder, zone))
        out.append("    %s" % _vacation(address, addresses, responder))
    out.append("  }")
    out.append("}")
    return "\n".join(out) + "\n"


# Everything rendering reads from the store: name -> (columns, the rest of the query). The
# scripts are rendered from these rows alone, and the Sieve manifest's fingerprint
# (_sync.inputs_fingerprint) is a digest of these same rows, so the two cannot drift apart.
INPUTS: dict[str, tuple[tuple[str, ...], str]] = {
    "responders": (("domain", "login", "name", "subject", "message", "start_date", "end_date", "days"),
                   "FROM responders WHERE enabled = 1 ORDER BY domain, login, name"),
    "zones": (("name", "timezone"), "FROM domains ORDER BY name"),
    "aliases": (("address", "domain", "all_users"), "FROM aliases ORDER BY address"),
    "alias_recipients": (("alias", "recipient"), "FROM alias_recipients ORDER BY alias, recipient"),
    "users": (("u.address", "u.domain", "u.login", "d.timezone"),
              "FROM users u JOIN domains d ON d.name = u.domain WHERE u.enabled = 1 ORDER BY u.domain, u.login"),
}


def read_input(conn: Connection, name: str) -> Cursor:
    columns, rest = INPUTS[name]
    return conn.execute("SELECT %s %s" % (", ".join(columns), rest))


def alias_reach(conn: Connection) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Which alias addresses reach which final addresses, the way Postfix expands them.

    Returns (by_recipient, by_domain): by_recipient[address] is every alias whose expansion
    (explicit recipients, recursively through other aliases) ends at `address`;
    by_domain[domain] is every alias that reaches all users of `domain` (an "all users" alias,
    or one that leads to such an alias). Two queries for the whole store.
    """
    aliases: dict[str, tuple[str, bool]] = {}
    for row in read_input(conn, "aliases"):
        aliases[row[0].lower()] = (row[1], bool(row[2]))
    recipients: dict[str, list[str]] = defaultdict(list)
    for row in read_input(conn, "alias_recipients"):
        recipients[row[0].lower()].append(row[1].lower())
    by_recipient: dict[str, set[str]] = defaultdict(set)
    by_domain: dict[str, set[str]] = defaultdict(set)
    for alias in aliases:
        seen = {alias}
        stack = [alias]
        while stack:
            current = stack.pop()
            domain, all_users = aliases[current]
            if all_users:
                by_domain[domain].add(alias)
            for recipient in recipients.get(current, ()):
                if recipient in aliases:
                    if recipient not in seen:
                        seen.add(recipient)
                        stack.append(recipient)
                else:
                    by_recipient[recipient].add(alias)
    return by_recipient, by_domain


def wanted_scripts(conn: Connection) -> dict[str, str]:
    """'<domain>/<login>' -> script text, for every enabled user with an enabled responder.

    A handful of queries whatever the number of users: responders, users, aliases, recipients.
    """
    own: dict[tuple[str, str], list[dict]] = defaultdict(list)
    wide: dict[str, list[dict]] = defaultdict(list)
    for row in read_input(conn, "responders"):
        responder = dict(zip(INPUTS["responders"][0], tuple(row)))
        if responder["login"] == ALL_USERS:
            wide[responder["domain"]].append(responder)
        else:
            own[(responder["domain"], responder["login"])].append(responder)
    if not own and not wide:
        return {}
    _check_zones(conn, {domain for domain, _login in own} | set(wide))
    by_recipient, by_domain = alias_reach(conn)
    scripts: dict[str, str] = {}
    for row in read_input(conn, "users"):
        address, domain, login, zone = tuple(row)
        responders = own.get((domain, login), []) + wide.get(domain, [])
        if not responders:
            continue
        reaching = (by_recipient.get(address.lower(), set()) | by_domain.get(domain, set())) - {address.lower()}
        scripts["%s/%s" % (domain, login)] = render_script(address, zone or "UTC", responders, sorted(reaching))
    return scripts


def _check_zones(conn: Connection, domains: set[str]) -> None:
    """A store written by other means may hold a zone this host does not know: name it."""
    problems = ProblemCollector()
    for name, zone in read_input(conn, "zones"):
        why = timezone_problem(zone or "UTC") if name in domains else None
        if why:
            problems.add("domain %s" % name, "timezone", "its automatic replies cannot be dated: %s" % why)
    if problems.problems:
        raise MailStateError(problems.problems)
