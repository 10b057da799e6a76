# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The whole-store rules that every converge checks before it commits."""
from __future__ import annotations

import pytest

from ansible_collections.gestixi.mail.plugins.module_utils._errors import MailStateError
from ansible_collections.gestixi.mail.plugins.module_utils.store._integrity import (
    EXPANSION_LIMIT,
    MAX_PROBLEMS,
    RECURSION_LIMIT,
    AliasLimits,
    check_store,
    find_problems,
    limits_from_params,
)


@pytest.fixture
def conn(store_conn):
    """A migrated store of each engine with two domains, in a transaction that is rolled back afterwards."""
    store_conn.executemany("INSERT INTO domains (name) VALUES (?)", [("x.org",), ("y.org",)])
    return store_conn


def add_users(conn, domain, logins, enabled=True):
    conn.executemany("INSERT INTO users (address, domain, login, password, enabled) VALUES (?, ?, ?, 'x', ?)",
                     [("%s@%s" % (login, domain), domain, login, int(enabled)) for login in logins])


def add_alias(conn, address, recipients=(), all_users=False):
    local, domain = address.rsplit("@", 1)
    conn.execute("INSERT INTO aliases (address, domain, local_part, all_users) VALUES (?, ?, ?, ?)",
                 (address, domain, local, int(all_users)))
    conn.executemany("INSERT INTO alias_recipients (alias, recipient) VALUES (?, ?)",
                     [(address, recipient) for recipient in recipients])


def messages(conn):
    return [str(problem.invalid_item()) for problem in find_problems(conn)]


def test_a_sound_store_passes(conn):
    add_users(conn, "x.org", ["alice", "bob"])
    add_users(conn, "x.org", ["carl"], enabled=False)
    add_alias(conn, "contact@x.org", ["alice@x.org", "ext@gmail.com"])
    add_alias(conn, "sales@x.org", ["contact@x.org", "carl@x.org"])
    add_alias(conn, "all@x.org", all_users=True)
    conn.execute("UPDATE domains SET catchall = 'contact@x.org' WHERE name = 'x.org'")
    conn.execute("UPDATE domains SET catchall = 'someone@elsewhere.net' WHERE name = 'y.org'")
    assert find_problems(conn) == []
    check_store(conn)


def test_alias_with_a_users_address_is_refused_even_when_the_user_comes_later(conn):
    add_alias(conn, "contact@x.org", ["ext@gmail.com"])
    add_users(conn, "x.org", ["contact"])
    with pytest.raises(MailStateError) as err:
        check_store(conn)
    assert err.value.problems[0].item == "alias contact@x.org"
    assert err.value.problems[0].field == "address"
    assert "both an alias and a user's mailbox" in str(err.value)


def test_alias_left_without_recipient_is_refused(conn):
    add_alias(conn, "contact@x.org")
    assert messages(conn) == [
        "alias contact@x.org, field 'to': alias contact@x.org would be left with no recipient (mail "
        "to it would bounce): give it another recipient, or remove the alias, first"]


def test_loops_are_named_with_their_path(conn):
    add_alias(conn, "a@x.org", ["b@x.org"])
    add_alias(conn, "b@x.org", ["c@y.org", "ext@gmail.com"])
    add_alias(conn, "c@y.org", ["a@x.org"])
    add_alias(conn, "self@x.org", ["self@x.org"])
    add_alias(conn, "into@x.org", ["a@x.org"])  # leads into the loop: reported through it only
    found = messages(conn)
    assert len(found) == 2
    assert found[0].startswith("alias a@x.org, field 'to': alias a@x.org -> b@x.org -> c@y.org -> a@x.org "
                               "is a loop")
    assert found[1].startswith("alias self@x.org, field 'to': alias self@x.org -> self@x.org is a loop")


def test_loop_through_a_catch_all_is_found(conn):
    # Mail to a disabled user (no mailbox) goes to the catch-all, which is the alias again.
    add_users(conn, "x.org", ["gone"], enabled=False)
    add_alias(conn, "desk@x.org", ["gone@x.org"])
    conn.execute("UPDATE domains SET catchall = 'desk@x.org' WHERE name = 'x.org'")
    found = messages(conn)
    assert len(found) == 1
    assert "desk@x.org -> gone@x.org (catch-all: desk@x.org) is a loop" in found[0]


def test_expansion_counts_enabled_users_and_nested_aliases(conn):
    add_users(conn, "x.org", ["u%d" % i for i in range(EXPANSION_LIMIT)])
    add_users(conn, "x.org", ["off%d" % i for i in range(10)], enabled=False)  # not counted
    add_alias(conn, "all@x.org", ["u1@x.org"], all_users=True)  # u1 counts once (UNION)
    add_alias(conn, "half@x.org", ["e%d@gmail.com" % i for i in range(600)])
    add_alias(conn, "half2@x.org", ["e%d@gmail.com" % i for i in range(400)])
    add_alias(conn, "both@x.org", ["half@x.org", "half2@x.org"])  # 1000: allowed
    assert find_problems(conn) == []
    add_alias(conn, "all2@x.org", ["ext@gmail.com"], all_users=True)
    add_alias(conn, "top@x.org", ["all@x.org", "e1@gmail.com"])
    assert messages(conn) == [
        "alias all2@x.org, field 'to': alias all2@x.org expands to 1001 addresses (all 1000 enabled "
        "users of x.org), more than Postfix's virtual_alias_expansion_limit 1000: mail to it would be "
        "deferred, never delivered; split it into smaller aliases",
        "alias top@x.org, field 'to': alias top@x.org expands to 1001 addresses (nested aliases such "
        "as all@x.org), more than Postfix's virtual_alias_expansion_limit 1000: mail to it would be "
        "deferred, never delivered; split it into smaller aliases"]


def test_only_the_aliases_that_cause_an_overflow_are_named(conn):
    add_alias(conn, "big@x.org", ["e%d@gmail.com" % i for i in range(1001)])
    for index in range(200):
        add_alias(conn, "via%d@x.org" % index, ["big@x.org"])
    assert [p.alias for p in find_problems(conn)] == ["big@x.org"]


def test_the_list_of_problems_is_kept_readable(conn):
    for index in range(100):
        add_alias(conn, "empty%02d@x.org" % index)
    with pytest.raises(MailStateError) as err:
        check_store(conn)
    assert len(err.value.problems) == MAX_PROBLEMS + 1
    assert str(err.value.problems[-1]) == "store: and %d more problems like these" % (100 - MAX_PROBLEMS)


def test_expansion_exactly_at_and_beyond_the_limit(conn):
    add_alias(conn, "half@x.org", ["e%d@gmail.com" % i for i in range(600)])
    add_alias(conn, "rest@x.org", ["f%d@gmail.com" % i for i in range(400)])
    add_alias(conn, "both@x.org", ["half@x.org", "rest@x.org"])
    assert find_problems(conn) == []  # 1000 is allowed
    conn.execute("INSERT INTO alias_recipients VALUES ('rest@x.org', 'one-more@gmail.com')")
    found = messages(conn)
    assert found == [
        "alias both@x.org, field 'to': alias both@x.org expands to 1001 addresses (nested aliases such "
        "as half@x.org), more than Postfix's virtual_alias_expansion_limit 1000: mail to it would be "
        "deferred, never delivered; split it into smaller aliases"]


def test_duplicates_through_two_paths_count_twice_like_postfix(conn):
    add_alias(conn, "big@x.org", ["e%d@gmail.com" % i for i in range(501)])
    add_alias(conn, "other@x.org", ["big@x.org"])
    add_alias(conn, "top@x.org", ["big@x.org", "other@x.org"])
    assert [p.alias for p in find_problems(conn)] == ["top@x.org"]


def test_users_added_later_can_push_an_all_users_alias_over_the_limit(conn):
    add_alias(conn, "all@x.org", all_users=True)
    add_users(conn, "x.org", ["u%d" % i for i in range(EXPANSION_LIMIT)])
    check_store(conn)
    add_users(conn, "x.org", ["late"])
    with pytest.raises(MailStateError, match="alias all@x.org expands to 1001 addresses"):
        check_store(conn)


def test_the_servers_own_limits_apply_when_given(conn):
    add_users(conn, "x.org", ["u%04d" % i for i in range(1500)])
    add_alias(conn, "all@x.org", all_users=True)
    assert [p.kind for p in find_problems(conn)] == ["expansion"]
    raised = limits_from_params({"alias_expansion_limit": 2000, "alias_recursion_limit": None})
    assert raised == AliasLimits(2000, RECURSION_LIMIT)
    assert find_problems(conn, raised) == []
    add_alias(conn, "a@x.org", ["b@x.org"])
    add_alias(conn, "b@x.org", ["c@x.org"])
    add_alias(conn, "c@x.org", ["u0001@x.org"])
    shallow = AliasLimits(2000, 3)
    assert [str(p.invalid_item()) for p in find_problems(conn, shallow) if p.kind == "nesting"] == [
        str(p.invalid_item()) for p in find_problems(conn, shallow) if "a@x.org" in str(p.invalid_item())]
    assert any(p.kind == "nesting" for p in find_problems(conn, shallow))
    assert not any(p.kind == "nesting" for p in find_problems(conn, AliasLimits(2000, 4)))


def test_nesting_depth(conn):
    chain = ["n%d@x.org" % i for i in range(RECURSION_LIMIT)]
    for index, address in enumerate(chain[1:], start=1):
        add_alias(conn, address, [chain[index + 1]] if index + 1 < len(chain) else ["ext@gmail.com"])
    assert find_problems(conn) == []  # 999 aliases deep: Postfix still delivers
    add_alias(conn, chain[0], [chain[1]])
    found = find_problems(conn)
    assert [p.alias for p in found] == [chain[0]]
    assert "nests 1000 aliases deep (through n1@x.org)" in found[0].message


def test_catch_all_must_point_at_an_existing_local_address(conn):
    add_users(conn, "x.org", ["alice"])
    conn.execute("UPDATE domains SET catchall = 'nobody@x.org' WHERE name = 'x.org'")
    conn.execute("UPDATE domains SET catchall = 'alice@x.org' WHERE name = 'y.org'")
    assert messages(conn) == [
        "domain x.org, field 'catchall': the catch-all of x.org sends to nobody@x.org, which is neither "
        "a user nor an alias: create it first, or change the catch-all"]


def test_every_problem_is_reported_at_once(conn):
    add_users(conn, "x.org", ["alice"])
    add_alias(conn, "alice@x.org", ["ext@gmail.com"])
    add_alias(conn, "empty@x.org")
    add_alias(conn, "a@y.org", ["a@y.org"])
    conn.execute("UPDATE domains SET catchall = 'nobody@y.org' WHERE name = 'y.org'")
    with pytest.raises(MailStateError) as err:
        check_store(conn)
    assert [(p.item, p.field) for p in err.value.problems] == [
        ("alias alice@x.org", "address"), ("alias empty@x.org", "to"),
        ("domain y.org", "catchall"), ("alias a@y.org", "to")]


def test_a_large_valid_store_has_no_problem(conn):
    domains = ["d%d.example" % i for i in range(20)]
    conn.executemany("INSERT INTO domains (name) VALUES (?)", [(d,) for d in domains])
    conn.executemany(
        "INSERT INTO users (address, domain, login, password, enabled) VALUES (?, ?, ?, 'x', ?)",
        [("u%d@%s" % (i, domains[i % 20]), domains[i % 20], "u%d" % i, int(i % 97 != 0))
         for i in range(10000)])
    aliases = [("a%d@%s" % (i, domains[i % 20]), domains[i % 20], "a%d" % i, int(i < 50))
               for i in range(20000)]
    conn.executemany("INSERT INTO aliases (address, domain, local_part, all_users) VALUES (?, ?, ?, ?)", aliases)
    rows = [(a[0], "u%d@%s" % (i % 10000, a[1])) for i, a in enumerate(aliases)]
    rows += [(a[0], "ext%d@partner.example" % i) for i, a in enumerate(aliases) if i % 3 == 0]
    rows += [(a[0], aliases[i + 10000][0]) for i, a in enumerate(aliases[:10000]) if i % 5 == 0]
    conn.executemany("INSERT INTO alias_recipients (alias, recipient) VALUES (?, ?)", rows)
    conn.execute("UPDATE domains SET catchall = 'a1@d1.example' WHERE name = 'd1.example'")
    # A large valid store has no problem (its speed is measured by bench/store_bench.py).
    assert find_problems(conn) == []
    check_store(conn)
