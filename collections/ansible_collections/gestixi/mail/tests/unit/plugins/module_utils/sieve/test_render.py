# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Rendering of the per-user Sieve scripts of automatic replies, and their sync to disk.

The escaping proofs tokenize the rendered script with the lexical rules of RFC 5228 section 2
(the ones Pigeonhole applies): every hostile text must come back, byte for byte, as the one
string argument it was put in, and no command may appear that the renderer did not write.
"""
from __future__ import annotations

import os
import re
import time

import pytest

from ansible_collections.gestixi.mail.plugins.module_utils.sieve import _render
from ansible_collections.gestixi.mail.plugins.module_utils.sieve._render import (
    NO_REPLY_LOCAL_PARTS,
    handle,
    render_script,
    sieve_string,
    wanted_scripts,
)
from ansible_collections.gestixi.mail.plugins.module_utils._errors import MailStateError
from ansible_collections.gestixi.mail.plugins.module_utils.sieve._sync import ScriptPlan
from ansible_collections.gestixi.mail.plugins.module_utils.store._sqlite import SQLiteStore


# -- A Sieve tokenizer (RFC 5228 2.2-2.4), for the proofs ----------------------------------------

TOKEN_RE = re.compile(r"""
    (?P<ws>[ \t\r\n]+)
  | (?P<hash>\#[^\n]*\n?)
  | (?P<bracket>/\*.*?\*/)
  | (?P<multiline>text:)
  | (?P<string>"(?:[^"\\]|\\.)*")
  | (?P<tag>:[A-Za-z_][A-Za-z0-9_]*)
  | (?P<number>[0-9]+[KMG]?)
  | (?P<identifier>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<punct>[\[\](){},;])
""", re.VERBOSE | re.DOTALL)


def tokens(script: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    while pos < len(script):
        match = TOKEN_RE.match(script, pos)
        assert match, "unlexable Sieve at %r" % script[pos:pos + 40]
        kind = match.lastgroup
        assert kind != "multiline", "text: blocks are never rendered (dot-stuffing)"
        if kind == "string":
            out.append(("string", unquote(match.group())))
        elif kind not in ("ws", "hash", "bracket"):
            out.append((kind, match.group()))
        pos = match.end()
    return out


def unquote(quoted: str) -> str:
    """RFC 5228 2.4.2: \\\\ is \\, \\" is ", any other \\x is x (never written by the renderer)."""
    body = quoted[1:-1]
    assert re.fullmatch(r'(?:[^"\\]|\\["\\])*', body, re.DOTALL), "only \\\\ and \\\" escapes are rendered"
    return re.sub(r'\\(.)', r'\1', body, flags=re.DOTALL)


def strings_after(toks: list[tuple[str, str]], tag: str) -> list[str]:
    return [toks[i + 1][1] for i, tok in enumerate(toks) if tok == ("tag", tag)]


def vacation_reasons(toks: list[tuple[str, str]]) -> list[str]:
    """The reason (last string before ';') of every vacation command."""
    reasons = []
    for i, tok in enumerate(toks):
        if tok == ("identifier", "vacation"):
            end = toks.index(("punct", ";"), i)
            assert toks[end - 1][0] == "string"
            reasons.append(toks[end - 1][1])
    return reasons


ALLOWED_IDENTIFIERS = {"require", "if", "elsif", "not", "anyof", "allof", "envelope", "address",
                       "currentdate", "vacation", "true"}

HOSTILE = [
    'He said "hello"', "C:\\path\\", 'ends with backslash \\', '\\"', '";\ndiscard;\nkeep;\n"',
    '"; } discard; if true { vacation "x',
    ".\nline after a lone dot\n.. two dots\n.starts with dot", "text:\nfoo\n.\n",
    "${x} ${0} ${user} \\${escaped}", "${hex:41} ${unicode:263A}",
    "été, Grüße, 日本語, emoji \U0001F3D6, RTL \u202e", "# not a comment\n/* not a comment */",
    "tab\there", "trailing newline\n", "", " ", "\\\\\\\"\"\"",
]


# -- Helpers ---------------------------------------------------------------------------------

def store():
    """An empty SQLite store in memory (the tests that take `conn` run on both engines)."""
    return SQLiteStore(None).conn


def add_domain(conn, name="example.org", timezone="Europe/Paris", catchall=None):
    conn.execute("INSERT INTO domains (name, timezone, catchall) VALUES (?, ?, ?)", (name, timezone, catchall))


def add_user(conn, login, domain="example.org", enabled=True):
    conn.execute("INSERT INTO users (address, domain, login, password, enabled) VALUES (?, ?, ?, 'x', ?)",
                 ("%s@%s" % (login, domain), domain, login, int(enabled)))


def add_alias(conn, local, to=(), domain="example.org", all_users=False):
    address = "%s@%s" % (local, domain)
    conn.execute("INSERT INTO aliases (address, domain, local_part, all_users) VALUES (?, ?, ?, ?)",
                 (address, domain, local, int(all_users)))
    conn.executemany("INSERT INTO alias_recipients (alias, recipient) VALUES (?, ?)", [(address, r) for r in to])


def add_responder(conn, login, name, domain="example.org", enabled=True, subject="Away", message="I am away.",
                  start="2026-07-01", end="2026-07-21", days=7):
    conn.execute("INSERT INTO responders (domain, login, name, enabled, subject, message, start_date, end_date, days) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", (domain, login, name, int(enabled), subject, message, start,
                                                        end, days))


def responder(name="holidays", login="alice", subject="Away", message="I am away.", start="2026-07-01",
              end="2026-07-21", days=7, domain="example.org"):
    return {"domain": domain, "login": login, "name": name, "subject": subject, "message": message,
            "start_date": start, "end_date": end, "days": days}


# -- Escaping --------------------------------------------------------------------------------

@pytest.mark.parametrize("text", HOSTILE)
def test_quoted_string_round_trips_hostile_text(text):
    assert tokens(sieve_string(text)) == [("string", text)]


def test_quoted_string_escapes_only_backslash_and_quote():
    assert sieve_string('a"b\\c') == '"a\\"b\\\\c"'
    assert sieve_string("${x}") == '"${x}"'
    assert sieve_string(".\n.") == '".\n."'


def test_quoted_string_normalises_line_breaks_and_drops_nul():
    assert sieve_string("a\r\nb\rc\nd") == '"a\nb\nc\nd"'
    assert sieve_string("a\x00b") == '"ab"'


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_message_is_exactly_the_vacation_reason_and_adds_no_command(text):
    script = render_script("alice@example.org", "Europe/Paris",
                           [responder(message=text), responder(name="second", message=text)], [])
    toks = tokens(script)
    assert vacation_reasons(toks) == [text.replace("\r\n", "\n")] * 2
    assert {value for kind, value in toks if kind == "identifier"} <= ALLOWED_IDENTIFIERS
    assert [value for kind, value in toks if kind == "identifier"].count("vacation") == 2


@pytest.mark.parametrize("text", [t for t in HOSTILE if not re.search("[\x00-\x1f]", t)])
def test_hostile_subject_is_exactly_the_subject_argument(text):
    toks = tokens(render_script("alice@example.org", "UTC", [responder(subject=text)], []))
    assert strings_after(toks, ":subject") == [text]
    assert {value for kind, value in toks if kind == "identifier"} <= ALLOWED_IDENTIFIERS


def test_control_characters_in_a_stored_subject_or_name_cannot_break_a_line():
    """Validation refuses them; the renderer still flattens them (defence in depth)."""
    script = render_script("alice@example.org", "UTC",
                           [responder(name="x\ndiscard;", subject="Hi\r\nBcc: victim@example.net")], [])
    toks = tokens(script)
    assert strings_after(toks, ":subject") == ["Hi  Bcc: victim@example.net"]
    assert ("identifier", "discard") not in toks


def test_crlf_and_cr_in_a_stored_message_become_lf():
    toks = tokens(render_script("alice@example.org", "UTC", [responder(message="a\r\nb\rc")], []))
    assert vacation_reasons(toks) == ["a\nb\nc"]


def test_no_variables_encoded_character_text_blocks_or_stop():
    script = render_script("alice@example.org", "UTC", [responder(message="${x}")], [])
    toks = tokens(script)
    requires = toks[toks.index(("identifier", "require")) + 2: toks.index(("punct", "]"))]
    assert [value for kind, value in requires if kind == "string"] == ["date", "envelope", "relational", "vacation"]
    assert "variables" not in script and "encoded-character" not in script
    assert ("identifier", "stop") not in toks
    assert "text:" not in script


# -- Shape of the script -------------------------------------------------------------------------

def test_window_is_compared_as_utc_instants():
    script = render_script("alice@example.org", "Europe/Paris",
                           [responder(start="2026-03-29", end="2026-10-25")], [])
    assert ('currentdate :zone "+0000" :value "ge" "iso8601" "2026-03-28T23:00:00"' in script)
    assert ('currentdate :zone "+0000" :value "lt" "iso8601" "2026-10-25T23:00:00"' in script)


def test_open_windows():
    only_start = render_script("a@example.org", "UTC", [responder(start="2026-01-01", end=None)], [])
    assert '"ge" "iso8601" "2026-01-01T00:00:00" {' in only_start and '"lt"' not in only_start
    only_end = render_script("a@example.org", "UTC", [responder(start=None, end="2026-01-01")], [])
    assert '"lt" "iso8601" "2026-01-02T00:00:00" {' in only_end and '"ge"' not in only_end
    always = render_script("a@example.org", "UTC", [responder(start=None, end=None)], [])
    assert "  if true {" in always


def test_vacation_arguments():
    toks = tokens(render_script("alice@example.org", "UTC", [responder(days=3)],
                                ["all@example.org", "contact@example.org"]))
    assert strings_after(toks, ":from") == ["alice@example.org"]
    assert toks[toks.index(("tag", ":days")) + 1] == ("number", "3")
    addresses = toks.index(("tag", ":addresses"))
    assert toks[addresses + 1] == ("punct", "[")
    assert [v for k, v in toks[addresses + 2: toks.index(("punct", "]"), addresses)] if k == "string"] == [
        "all@example.org", "contact@example.org"]
    assert strings_after(toks, ":handle") == [handle("example.org", "alice", "holidays")]


def test_no_addresses_tag_without_aliases():
    assert ":addresses" not in render_script("alice@example.org", "UTC", [responder()], [])


def test_no_reply_guard_wraps_every_reply():
    script = render_script("alice@example.org", "UTC", [responder()], [])
    toks = tokens(script)
    guard = toks.index(("identifier", "not"))
    assert toks[guard - 1] == ("identifier", "if") and toks[guard + 1] == ("identifier", "anyof")
    assert guard < toks.index(("identifier", "vacation"))
    patterns = re.findall(r':localpart :matches "from" (\[[^\]]*\])', script)
    assert len(patterns) == 2 and "envelope :localpart" in script and "address :localpart" in script
    for pattern in ("*noreply*", "*no-reply*", "*donotreply*", "*do-not-reply*", "mailer-daemon"):
        assert pattern in NO_REPLY_LOCAL_PARTS


@pytest.mark.parametrize("local,guarded", [
    ("noreply", True), ("NoReply", True), ("no-reply", True), ("donotreply", True), ("do-not-reply", True),
    ("billing-noreply", True), ("noreply+bounce", True), ("MAILER-DAEMON", True), ("no_reply", True),
    ("alice", False), ("reply", False), ("norbert", False), ("info", False),
])
def test_no_reply_patterns_match_like_sieve_matches(local, guarded):
    """:matches with i;ascii-casemap: '*' is any sequence, compared case-insensitively."""
    def matches(pattern: str, value: str) -> bool:
        return re.fullmatch(re.escape(pattern).replace(r"\*", ".*"), value, re.IGNORECASE) is not None
    assert any(matches(p, local) for p in NO_REPLY_LOCAL_PARTS) is guarded


def test_several_replies_form_one_if_elsif_chain():
    script = render_script("alice@example.org", "UTC",
                           [responder(name="a"), responder(name="b"), responder(name="c", login="")], [])
    toks = [v for k, v in tokens(script) if k == "identifier"]
    assert toks.count("if") == 2  # the guard and the first reply
    assert toks.count("elsif") == 2
    assert "stop" not in toks


def test_handles_are_stable_and_distinct():
    assert handle("example.org", "alice", "holidays") == handle("example.org", "alice", "holidays")
    assert re.fullmatch(r"gestixi-[0-9a-f]{20}", handle("example.org", "alice", "holidays"))
    assert len({handle("example.org", "alice", "holidays"), handle("example.org", "bob", "holidays"),
                handle("example.org", "", "holidays"), handle("example.net", "alice", "holidays"),
                handle("example.org", "alice", "holiday")}) == 5


# -- wanted_scripts over a store ---------------------------------------------------------------------

@pytest.fixture
def conn(store_conn):
    c = store_conn
    add_domain(c)
    add_domain(c, "example.net", "UTC")
    for login in ("alice", "bob", "carol"):
        add_user(c, login)
    add_user(c, "dave", enabled=False)
    add_user(c, "erin", domain="example.net")
    return c


def test_no_responder_no_script(conn):
    assert wanted_scripts(conn) == {}


def test_only_users_with_an_enabled_reply_get_a_script(conn):
    add_responder(conn, "alice", "holidays")
    add_responder(conn, "bob", "old", enabled=False)
    add_responder(conn, "dave", "disabled-user")
    assert sorted(wanted_scripts(conn)) == ["example.org/alice"]


def test_domain_wide_reply_reaches_every_enabled_user_of_its_domain_only(conn):
    add_responder(conn, "", "closure", subject="Closed")
    scripts = wanted_scripts(conn)
    assert sorted(scripts) == ["example.org/alice", "example.org/bob", "example.org/carol"]
    assert strings_after(tokens(scripts["example.org/bob"]), ":from") == ["bob@example.org"]
    handles = {strings_after(tokens(s), ":handle")[0] for s in scripts.values()}
    assert handles == {handle("example.org", "", "closure")}


def test_own_replies_come_first_by_name_then_domain_wide_by_name(conn):
    add_responder(conn, "", "b-closure", subject="S4")
    add_responder(conn, "", "a-closure", subject="S3")
    add_responder(conn, "alice", "zeta", subject="S2")
    add_responder(conn, "alice", "alpha", subject="S1")
    script = wanted_scripts(conn)["example.org/alice"]
    assert strings_after(tokens(script), ":subject") == ["S1", "S2", "S3", "S4"]


def test_addresses_cover_aliases_that_reach_the_user(conn):
    add_domain(conn, "other.example", "UTC", catchall="alice@example.org")
    add_alias(conn, "contact", ["sales@example.org", "bob@example.org"])
    add_alias(conn, "sales", ["alice@example.org", "someone@elsewhere.example"])
    add_alias(conn, "all", all_users=True)
    add_alias(conn, "everyone", ["all@example.org"])
    add_alias(conn, "info", ["alice@example.org"], domain="other.example")
    add_alias(conn, "loop-a", ["loop-b@example.org", "alice@example.org"])
    add_alias(conn, "loop-b", ["loop-a@example.org"])
    add_alias(conn, "erin-only", ["erin@example.net"])
    add_alias(conn, "net-all", domain="example.net", all_users=True)
    add_responder(conn, "", "closure")
    add_responder(conn, "erin", "x", domain="example.net")
    scripts = wanted_scripts(conn)
    assert addresses_of(scripts["example.org/alice"]) == [
        "all@example.org", "contact@example.org", "everyone@example.org", "info@other.example",
        "loop-a@example.org", "loop-b@example.org", "sales@example.org"]
    assert addresses_of(scripts["example.org/bob"]) == [
        "all@example.org", "contact@example.org", "everyone@example.org"]
    assert addresses_of(scripts["example.net/erin"]) == ["erin-only@example.org", "net-all@example.net"]
    # Never the user's own address (the envelope recipient), never external recipients, never
    # the catch-all (other.example's catch-all points at alice: unknown addresses are not listed).


def test_catch_all_alone_adds_no_address(conn):
    conn.execute("UPDATE domains SET catchall = 'alice@example.org' WHERE name = 'example.org'")
    add_responder(conn, "alice", "holidays")
    assert ":addresses" not in wanted_scripts(conn)["example.org/alice"]


def addresses_of(script: str) -> list[str]:
    toks = tokens(script)
    start = toks.index(("tag", ":addresses"))
    assert toks[start + 1] == ("punct", "[")
    return [value for kind, value in toks[start + 2: toks.index(("punct", "]"), start)] if kind == "string"]


def test_rendering_is_deterministic_whatever_the_insertion_order():
    def build(order):
        c = store()
        add_domain(c)
        steps = [lambda: add_user(c, "alice"), lambda: add_user(c, "bob"),
                 lambda: add_alias(c, "contact", ["alice@example.org", "bob@example.org"]),
                 lambda: add_alias(c, "team", ["bob@example.org", "alice@example.org"]),
                 lambda: add_responder(c, "alice", "b"), lambda: add_responder(c, "alice", "a"),
                 lambda: add_responder(c, "", "z"), lambda: add_responder(c, "", "y")]
        c.execute("PRAGMA foreign_keys = OFF")
        for index in order:
            steps[index]()
        once = wanted_scripts(c)
        assert wanted_scripts(c) == once
        return once
    first = build(range(8))
    assert first == build([7, 6, 5, 4, 3, 2, 1, 0]) == build([2, 5, 0, 7, 3, 1, 6, 4])
    assert list(first) == sorted(first)


def test_script_changes_with_the_domain_time_zone(conn):
    add_responder(conn, "alice", "holidays", start="2026-07-01", end="2026-07-01")
    paris = wanted_scripts(conn)["example.org/alice"]
    conn.execute("UPDATE domains SET timezone = 'UTC' WHERE name = 'example.org'")
    utc = wanted_scripts(conn)["example.org/alice"]
    assert '"2026-06-30T22:00:00"' in paris and '"2026-07-01T00:00:00"' in utc


def test_an_unknown_zone_in_the_store_is_named(conn):
    add_responder(conn, "alice", "holidays")
    conn.execute("UPDATE domains SET timezone = 'Mars/Olympus' WHERE name = 'example.org'")
    with pytest.raises(MailStateError) as caught:
        wanted_scripts(conn)
    assert [(p.item, p.field) for p in caught.value.problems] == [("domain example.org", "timezone")]


def test_ten_thousand_users_and_a_thousand_replies_render_quickly():
    c = store()
    add_domain(c)
    add_domain(c, "big.example", "America/New_York")
    c.executemany("INSERT INTO users (address, domain, login, password) VALUES (?, ?, ?, 'x')",
                  [("u%05d@big.example" % i, "big.example", "u%05d" % i) for i in range(10000)])
    c.executemany("INSERT INTO aliases (address, domain, local_part, all_users) VALUES (?, 'big.example', ?, 0)",
                  [("a%05d@big.example" % i, "a%05d" % i) for i in range(5000)])
    c.executemany("INSERT INTO alias_recipients (alias, recipient) VALUES (?, ?)",
                  [("a%05d@big.example" % i, "u%05d@big.example" % (i * 2)) for i in range(5000)])
    c.execute("INSERT INTO aliases (address, domain, local_part, all_users) VALUES ('all@big.example', "
              "'big.example', 'all', 1)")
    c.executemany("INSERT INTO responders (domain, login, name, subject, message, start_date, end_date) "
                  "VALUES ('big.example', ?, ?, 'Away', 'Away until Monday.', '2026-07-01', '2026-07-31')",
                  [("u%05d" % (i * 10), "r%d" % i) for i in range(999)])
    c.execute("INSERT INTO responders (domain, login, name, subject, message) "
              "VALUES ('big.example', '', 'closure', 'Closed', 'Closed today.')")
    queries = []
    c.set_trace_callback(queries.append)
    began = time.perf_counter()
    scripts = wanted_scripts(c)
    elapsed = time.perf_counter() - began
    assert len(scripts) == 10000
    assert len(queries) <= 5
    assert '"a00000@big.example"' in scripts["big.example/u00000"]
    assert elapsed < 5, "rendering took %.2f s" % elapsed


# -- Sync to disk (_sieve_sync) -----------------------------------------------------------------------

class FakeModule:
    """Enough of AnsibleModule for ScriptPlan: run_command runs a fake sievec.

    Like sievec: SCRIPT BINARY writes BINARY 0600; FOLDER writes a binary beside every script
    of FOLDER with the script's mode. A script containing 'bad' is refused with rc 1.
    """

    def __init__(self, check_mode=False):
        self.check_mode = check_mode
        self.calls = []

    def get_bin_path(self, name):
        return None

    def run_command(self, args):
        self.calls.append(args)
        if len(args) == 2:
            pairs = [(os.path.join(args[1], name), os.path.join(args[1], name[:-6] + ".svbin"))
                     for name in sorted(os.listdir(args[1])) if name.endswith(".sieve")]
        else:
            pairs = [(args[1], args[2])]
        for source, binary in pairs:
            with open(source, encoding="utf-8") as handle_:
                if "bad" in handle_.read():
                    return 1, "", "%s: error: bad script" % source
            with open(binary, "w", encoding="utf-8") as handle_:
                handle_.write("compiled from %s" % source)
            os.chmod(binary, os.stat(source).st_mode & 0o777 if len(args) == 2 else 0o600)
        return 0, "", ""


def test_sync_compiles_in_place_so_that_the_binary_names_the_installed_script(tmp_path):
    sieve_dir = str(tmp_path / "sieve")
    module = FakeModule()
    scripts = ScriptPlan(sieve_dir, {"example.org/alice": "keep;\n"})
    scripts.prepare(module, "/usr/bin/sievec")
    assert not os.path.exists(os.path.join(sieve_dir, "example.org", "alice.sieve"))
    scripts.activate(None)
    scripts.discard()
    target = os.path.join(sieve_dir, "example.org", "alice")
    assert module.calls[-1][1] == target + ".sieve"
    with open(target + ".svbin", encoding="utf-8") as handle_:
        assert handle_.read() == "compiled from %s.sieve" % target
    assert oct(os.stat(target + ".svbin").st_mode & 0o777) == "0o644"
    assert sorted(os.listdir(sieve_dir)) == ["example.org"]  # no staging folder left
    assert sorted(os.listdir(os.path.join(sieve_dir, "example.org"))) == ["alice.sieve", "alice.svbin"]

    again = ScriptPlan(sieve_dir, {})
    assert [key for key, _record in again.plan.removed] == ["example.org/alice"]
    again.prepare(module, "/usr/bin/sievec")
    again.activate(None)
    assert os.listdir(os.path.join(sieve_dir, "example.org")) == []


def test_sync_compiles_a_folder_in_one_sievec_when_many_scripts_change(tmp_path):
    sieve_dir = str(tmp_path / "sieve")
    module = FakeModule()
    wanted = {"example.org/u%02d" % i: "keep;\n" for i in range(30)}
    wanted["example.net/erin"] = "keep;\n"
    scripts = ScriptPlan(sieve_dir, wanted)
    scripts.prepare(module, "/usr/bin/sievec")
    scripts.activate(None)
    scripts.discard()
    folder = os.path.join(sieve_dir, "example.org")
    folders = [call[1] for call in module.calls if len(call) == 2]
    assert len(folders) == 2
    assert re.search(r"/\.staging-[^/]+/example\.org$", folders[0]) and folders[1] == folder
    assert len(module.calls) == 4  # staging: the folder, erin; in place: the folder, erin
    for i in range(30):
        binary = os.path.join(folder, "u%02d.svbin" % i)
        with open(binary, encoding="utf-8") as handle_:
            assert handle_.read() == "compiled from %s" % os.path.join(folder, "u%02d.sieve" % i)
        assert oct(os.stat(binary).st_mode & 0o777) == "0o644"

    # One changed script among 31: compiled alone, in place
    module.calls.clear()
    wanted["example.org/u07"] = "discard;\n"
    again = ScriptPlan(sieve_dir, wanted)
    again.prepare(module, "/usr/bin/sievec")
    again.activate(None)
    assert [len(call) for call in module.calls] == [3, 3]
    assert module.calls[-1][1] == os.path.join(folder, "u07.sieve")


def test_sync_names_each_script_sievec_refuses_and_writes_nothing(tmp_path):
    sieve_dir = str(tmp_path / "sieve")
    module = FakeModule()
    wanted = {"example.org/alice": "keep;\n", "example.org/bob": "bad;\n", "example.org/carol": "bad;\n"}
    scripts = ScriptPlan(sieve_dir, wanted)
    with pytest.raises(MailStateError) as caught:
        scripts.prepare(module, "/usr/bin/sievec")
    scripts.discard()
    assert [p.item for p in caught.value.problems] == ["sieve script for example.org user bob",
                                                       "sieve script for example.org user carol"]
    assert "bad script" in caught.value.problems[0].message
    assert os.listdir(sieve_dir) == []


def test_sync_in_check_mode_writes_nothing_in_the_sieve_dir(tmp_path):
    sieve_dir = str(tmp_path / "sieve")
    module = FakeModule(check_mode=True)
    scripts = ScriptPlan(sieve_dir, {"example.org/alice": "keep;\n"})
    scripts.prepare(module, "/usr/bin/sievec")
    assert module.calls and not module.calls[0][1].startswith(sieve_dir)
    scripts.discard()
    assert not os.path.exists(sieve_dir)


def test_sync_ignores_leftover_staging_folders(tmp_path):
    os.makedirs(str(tmp_path / ".staging-x" / "example.org"))
    (tmp_path / ".staging-x" / "example.org" / "alice.sieve").write_text("keep;\n")
    (tmp_path / ".staging-y.sieve").write_text("keep;\n")
    assert ScriptPlan(str(tmp_path), {}).plan.removed == []


def test_module_is_importable_without_side_effects():
    assert _render.ALL_USERS == ""
