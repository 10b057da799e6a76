# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""gestixi_responder logic: validation (every problem, item and field named), plans, writes, purge."""
from __future__ import annotations

import pytest

from ansible_collections.gestixi.mail.plugins.module_utils._errors import MailStateError
from ansible_collections.gestixi.mail.plugins.module_utils.converge._responders import (
    ITEM_OPTIONS,
    argument_spec,
    check_body,
    check_subject,
    converge_responders,
    module_constraints,
)
from ansible_collections.gestixi.mail.plugins.module_utils.sieve._render import wanted_scripts


@pytest.fixture
def conn(store_conn):
    c = store_conn
    c.execute("INSERT INTO domains (name, timezone) VALUES ('example.org', 'Europe/Paris'), ('example.net', 'UTC')")
    for address in ("alice@example.org", "bob@example.org", "erin@example.net"):
        login, domain = address.split("@")
        c.execute("INSERT INTO users (address, domain, login, password) VALUES (?, ?, ?, 'x')", (address, domain, login))
    return c


def params(**given) -> dict:
    out = {name: None for name in argument_spec()}
    out.update(domain="example.org", purge=False, state="present")
    out.update(given)
    if out["responders"] is not None:
        out["responders"] = [item_params(**item) for item in out["responders"]]
    return out


def item_params(**given) -> dict:
    out = {name: spec.get("default") for name, spec in ITEM_OPTIONS.items()}
    out.update(given)
    return out


HOLIDAYS = dict(login="alice", name="holidays", subject="Out of office", body="Away.\n",
                start="2026-12-20", end="2027-01-04")


def holidays(**change) -> dict:
    """HOLIDAYS with some fields changed."""
    item = dict(HOLIDAYS)
    item.update(change)
    return item


def rows(conn) -> list[tuple]:
    return [tuple(r) for r in conn.execute("SELECT * FROM responders ORDER BY domain, login, name")]


def problems(conn, **given) -> list[tuple[str, str, str]]:
    before = rows(conn)
    with pytest.raises(MailStateError) as caught:
        converge_responders(conn, params(**given))
    assert rows(conn) == before, "nothing is written when any item is invalid"
    return [(p.item, p.field, p.message) for p in caught.value.problems]


def only_problem(conn, **given) -> tuple[str, str, str]:
    found = problems(conn, **given)
    assert len(found) == 1, found
    return found[0]


# -- Creating, updating, idempotence -------------------------------------------------------------

def test_create_then_unchanged(conn):
    plan, = converge_responders(conn, params(**HOLIDAYS)).plans
    assert plan.counts() == {"created": 1, "updated": 0, "removed": 0, "unchanged": 0}
    assert plan.changes() == [{"action": "create", "kind": "responder", "key": "alice@example.org/holidays"}]
    assert rows(conn) == [("example.org", "alice", "holidays", 1, "Out of office", "Away.\n", "2026-12-20",
                           "2027-01-04", 7)]
    plan, = converge_responders(conn, params(**HOLIDAYS)).plans
    assert plan.counts() == {"created": 0, "updated": 0, "removed": 0, "unchanged": 1}


def test_fields_not_given_keep_their_value(conn):
    converge_responders(conn, params(**HOLIDAYS, days=3))
    plan, = converge_responders(conn, params(login="alice", name="holidays", enabled=False)).plans
    assert plan.changes() == [{"action": "update", "kind": "responder", "key": "alice@example.org/holidays",
                               "fields": ["enabled"]}]
    assert rows(conn)[0][3:] == (0, "Out of office", "Away.\n", "2026-12-20", "2027-01-04", 3)
    plan, = converge_responders(conn, params(login="alice", name="holidays", enabled=True)).plans
    assert plan.counts()["updated"] == 1, "re-enabling uses the stored subject and body"


def test_empty_dates_open_the_window(conn):
    converge_responders(conn, params(**HOLIDAYS))
    converge_responders(conn, params(login="alice", name="holidays", start="", end=""))
    assert rows(conn)[0][6:8] == (None, None)
    plan, = converge_responders(conn, params(login="alice", name="holidays", start="", end="")).plans
    assert plan.counts()["unchanged"] == 1


def test_domain_wide_form_is_stored_with_an_empty_login(conn):
    plan, = converge_responders(conn, params(all_users=True, name="closure", subject="Closed", body="Closed.",
                                             start="2026-12-25", end="2026-12-25")).plans
    assert plan.changes()[0]["key"] == "*@example.org/closure"
    assert rows(conn)[0][:3] == ("example.org", "", "closure")
    assert sorted(wanted_scripts(conn)) == ["example.org/alice", "example.org/bob"]


def test_a_user_and_the_domain_may_use_the_same_name(conn):
    plan, = converge_responders(conn, params(responders=[
        holidays(), holidays(login=None, all_users=True)])).plans
    assert plan.counts()["created"] == 2


def test_body_line_breaks_are_stored_as_lf_and_text_kept_verbatim(conn):
    text = 'Line 1\r\n.\r\n.dot\rété ${x} "q" \\ \ttab'
    converge_responders(conn, params(**holidays(body=text)))
    assert rows(conn)[0][5] == 'Line 1\n.\n.dot\nété ${x} "q" \\ \ttab'
    plan, = converge_responders(conn, params(**holidays(body=text))).plans
    assert plan.counts()["unchanged"] == 1, "the same CRLF input is idempotent"


def test_yaml_dates_are_accepted(conn):
    import datetime
    converge_responders(conn, params(**holidays(start=datetime.date(2026, 12, 20), end="2027-01-04")))
    assert rows(conn)[0][6] == "2026-12-20"


def test_absent_removes_and_is_idempotent(conn):
    converge_responders(conn, params(**HOLIDAYS))
    plan, = converge_responders(conn, params(login="alice", name="holidays", state="absent")).plans
    assert plan.counts()["removed"] == 1 and rows(conn) == []
    plan, = converge_responders(conn, params(login="alice", name="holidays", state="absent")).plans
    assert not plan.changed
    plan, = converge_responders(conn, params(login="ghost", name="holidays", state="absent")).plans
    assert not plan.changed, "removing a reply of a user that does not exist is not an error"


# -- Purge scope ---------------------------------------------------------------------------------------

def test_purge_removes_the_domain_replies_the_list_does_not_name_and_nothing_else(conn):
    converge_responders(conn, params(responders=[
        holidays(), holidays(name="old"), holidays(login="bob"),
        holidays(login=None, all_users=True, name="closure")]))
    converge_responders(conn, params(domain="example.net", **holidays(login="erin")))
    plan, = converge_responders(conn, params(purge=True, responders=[holidays()])).plans
    assert sorted(key for key, _record in plan.removed) == [
        ("*@example.org", "closure"), ("alice@example.org", "old"), ("bob@example.org", "holidays")]
    assert [(r[0], r[1], r[2]) for r in rows(conn)] == [("example.net", "erin", "holidays"),
                                                        ("example.org", "alice", "holidays")]


def test_purge_with_an_empty_list_empties_the_domain(conn):
    converge_responders(conn, params(**HOLIDAYS))
    plan, = converge_responders(conn, params(purge=True, responders=[])).plans
    assert plan.counts()["removed"] == 1 and rows(conn) == []


def test_purge_needs_the_list_form(conn):
    assert only_problem(conn, purge=True, **HOLIDAYS) == (
        "responders of domain example.org", "purge", "purge needs the list form (responders)")
    assert ("purge", True, ("responders",)) in module_constraints()["required_if"]


# -- Validation: one problem each ----------------------------------------------------------------------

SINGLE = "responder 'holidays' of alice@example.org"


@pytest.mark.parametrize("change,field,words", [
    (dict(subject="Out\r\nBcc: victim@example.net"), "subject", "one line"),
    (dict(subject="Out\nX"), "subject", "one line"),
    (dict(subject="Out\rX"), "subject", "one line"),
    (dict(subject="Out\u2028X"), "subject", "one line"),
    (dict(subject="Out\tX"), "subject", "U+0009"),
    (dict(subject="Out\x00X"), "subject", "U+0000"),
    (dict(subject="Out\x1bX"), "subject", "U+001B"),
    (dict(subject="Out\x7fX"), "subject", "U+007F"),
    (dict(subject="Out\x85X"), "subject", "U+0085"),
    (dict(subject="x" * 256), "subject", "longer than 255"),
    (dict(body="Away\x00"), "body", "the text of the reply contains a NUL"),
    (dict(body="Away\x1b[31m"), "body", "U+001B"),
    (dict(body="Away\x0c"), "body", "U+000C"),
    (dict(body="x" * 10001), "body", "the text of the reply is longer than 10000"),
    (dict(body=["not", "text"]), "body", "the text of the reply must be text"),
    (dict(start="2026-02-30"), "start", "not a real calendar date"),
    (dict(end="next week"), "end", "YYYY-MM-DD"),
    (dict(start="2027-01-05"), "end", "before the start date"),
    (dict(days=0), "days", "from 1 to 365"),
    (dict(days=366), "days", "from 1 to 365"),
    (dict(subject=""), "subject", "needs a subject"),
    (dict(body="  \n"), "body", "needs a message"),
    (dict(name=""), "name", "a name is required"),
    (dict(name="a/b"), "name", "'/'"),
    (dict(name=" padded"), "name", "spaces"),
    (dict(name="x" * 65), "name", "longer than 64"),
    (dict(login="Alice Martin"), "login", "not a valid login"),
    (dict(login="ghost"), "login", "does not exist"),
    (dict(all_users=True), "login", "not both"),
])
def test_each_bad_field_is_named(conn, change, field, words):
    item, where, message = only_problem(conn, **holidays(**change))
    assert field == where
    assert words in message
    assert item.startswith("responder '")


def test_single_form_label_names_user_and_reply(conn):
    assert only_problem(conn, **holidays(days=0))[0] == SINGLE


def test_neither_login_nor_all_users(conn):
    item, field, message = only_problem(conn, **holidays(login=None))
    assert field == "login" and "give login (one user) or all_users: true" in message


def test_unknown_domain_and_invalid_domain(conn):
    assert only_problem(conn, **holidays(domain="nowhere.example"))[1:] == (
        "domain", "the domain nowhere.example is not in the store: create it first with gestixi.mail.gestixi_domain")
    assert only_problem(conn, **holidays(domain="not a domain"))[1] == "domain"


def test_non_ascii_subject_and_body_are_accepted(conn):
    converge_responders(conn, params(**holidays(subject="Absent — congés d'été 🏖", body="À bientôt, 日本")))
    assert rows(conn)[0][4] == "Absent — congés d'été 🏖"


def test_lone_surrogates_are_refused():
    with pytest.raises(ValueError, match="UTF-8"):
        check_subject("bad \udcff byte")
    with pytest.raises(ValueError, match="UTF-8"):
        check_body("bad \udcff byte")


def test_enabling_a_reply_without_text_is_refused_but_a_disabled_draft_is_fine(conn):
    converge_responders(conn, params(login="alice", name="draft", enabled=False))
    assert rows(conn)[0][3:5] == (0, "")
    assert problems(conn, login="alice", name="draft", enabled=True) == [
        ("responder 'draft' of alice@example.org", "subject", "an enabled automatic reply needs a subject (or set enabled: false)"),
        ("responder 'draft' of alice@example.org", "body", "an enabled automatic reply needs a message (or set enabled: false)")]


def test_start_after_stored_end_is_refused(conn):
    converge_responders(conn, params(**HOLIDAYS))
    assert only_problem(conn, login="alice", name="holidays", start="2027-02-01")[1:] == (
        "end", "the end date 2027-01-04 is before the start date 2027-02-01")


# -- Validation: the list form reports every problem at once -------------------------------------------

def test_list_form_collects_every_problem_with_item_and_field(conn):
    found = problems(conn, responders=[
        holidays(),                                               # fine
        holidays(name="two", subject="a\nb", days=0),            # two problems
        holidays(login="ghost", name="x"),                       # unknown user
        holidays(),                                               # duplicate of [0]
        holidays(login=None, all_users=True, name="c", body="\x00"),
        holidays(name="late", start="2027-02-01", end="2027-01-01"),
    ])
    assert found == [
        ("responders[1] ('two' of alice@example.org)", "subject",
         "the subject must be one line: it contains a line break"),
        ("responders[1] ('two' of alice@example.org)", "days",
         "days (how long a sender is remembered before being answered again) must be a whole number from 1 to 365"),
        ("responders[2] ('x' of ghost@example.org)", "login",
         "the user ghost@example.org does not exist: create it first with gestixi.mail.gestixi_user"),
        ("responders[3] ('holidays' of alice@example.org)", "name",
         "this automatic reply is listed twice (also responders[0] ('holidays' of alice@example.org))"),
        ("responders[4] ('c' of all users of example.org)", "body",
         "the text of the reply contains a NUL character (U+0000), which no mail or Sieve script can carry"),
        # Rules on the merged record (given fields + stored ones) are reported in the same run.
        ("responders[5] ('late' of alice@example.org)", "end",
         "the end date 2027-01-01 is before the start date 2027-02-01"),
    ]


def test_a_refused_field_is_not_reported_twice(conn):
    assert problems(conn, **holidays(subject="a\nb", start="2027-13-01")) == [
        (SINGLE, "subject", "the subject must be one line: it contains a line break"),
        (SINGLE, "start", "'2027-13-01' is not a real calendar date"),
    ]


def test_a_long_list_of_problems_is_cut_short(conn):
    found = problems(conn, responders=[holidays(login="ghost%d" % i, name="r%d" % i) for i in range(300)])
    assert len(found) == 51
    assert found[0][:2] == ("responders[0] ('r0' of ghost0@example.org)", "login")
    assert found[-1] == ("store", None, "and 250 more problems like these")


def test_valid_list_writes_everything_in_one_call(conn):
    items = [holidays(name="r%03d" % i) for i in range(300)]
    plan, = converge_responders(conn, params(responders=items)).plans
    assert plan.counts()["created"] == 300
    plan, = converge_responders(conn, params(responders=items)).plans
    assert plan.counts() == {"created": 0, "updated": 0, "removed": 0, "unchanged": 300}


def test_check_subject_and_body_directly():
    assert check_subject("Réponse automatique") == "Réponse automatique"
    assert check_body("a\r\n.\r\nb") == "a\n.\nb"
    assert check_body("${x}") == "${x}"


# -- The reply's text is the option 'body' ('message' is reserved by Ansible) ---------------------------

def test_the_text_option_is_body_and_message_is_no_option():
    assert "body" in ITEM_OPTIONS and "message" not in ITEM_OPTIONS
    assert "body" in argument_spec() and "message" not in argument_spec()
    assert ("responders", "body") in module_constraints()["mutually_exclusive"]


def test_body_is_stored_in_the_message_column_and_shown_as_body(conn):
    plan, = converge_responders(conn, params(**HOLIDAYS)).plans
    assert conn.execute("SELECT message FROM responders").fetchone()[0] == "Away.\n"
    plan, = converge_responders(conn, params(login="alice", name="holidays", body="Back soon.\n")).plans
    assert plan.changes() == [{"action": "update", "kind": "responder", "key": "alice@example.org/holidays",
                               "fields": ["body"]}]
    assert conn.execute("SELECT message FROM responders").fetchone()[0] == "Back soon.\n"
