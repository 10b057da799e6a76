# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A table of invalid mail descriptions, checked by a real `ansible-playbook playbooks/mail.yml`.

A store is first converged from a valid description. Then ONE run checks every case: each case
is a host of the inventory with its own description (host_vars, real YAML text, so that YAML's
own types are exercised), next to a host whose valid description WOULD change the store. The
run must fail in the first play, report for each host every problem with its YAML path, and
leave the store and the Sieve folder byte for byte as they were.
"""
from __future__ import annotations

import copy
import datetime

import pytest
import yaml

HASHES = [
    "{SHA512-CRYPT}$6$3uVpMh6lC7fT5V20$IgoTFT6IwAFpXXrYRS4oljGmqcbpfVw3lxxaA7AbbDA9TiPZgo9ZUmVxxbmCNjkt7024e4iw65YY7qWE9fyhu.",
    "{SHA512-CRYPT}$6$0GcajveV8NHTMDMH$mS9o8pSf52sH4R.oKv.OI02YwI4GF81LjQ8AzopkzZz.n5XjYYYXSOSEjE9EGovphOMGN.BQXlj9z9aHwFlpj0",
    "{SHA512-CRYPT}$6$CBBF7QQ.42ZWkRD3$VgYP0cWENE3b0MFGhKqQbtl0./HbThwadclXBneF6rSxvq07J7Efg3Vdimgww97qO7wKtg6NUwBdjub0.ltYA/",
]
SECRET_PLAINTEXT = "Sup3r-Secret-Plain"

BASE = {
    "gestixi_mail_domains": [
        {
            "name": "example.org",
            "timezone": "Europe/Paris",
            "users": [
                {"login": "alice", "name": "Alice Martin", "password": HASHES[0], "quota": "2G",
                 "responders": [{"name": "holidays", "subject": "Away", "message": "Back soon.",
                                 "start": datetime.date(2026, 12, 20), "end": datetime.date(2027, 1, 4)}]},
                {"login": "bob", "password": HASHES[1]},
            ],
            "aliases": [
                {"address": "contact", "to": ["alice", "bob"]},
                {"address": "all", "to": []},
            ],
            "responders": [{"name": "closure", "subject": "Closed", "message": "Closed today.",
                            "start": datetime.date(2026, 12, 25), "end": datetime.date(2026, 12, 25)}],
        },
        {
            "name": "example.net",
            "users": [{"login": "carol", "password": HASHES[2]}],
        },
    ]
}


def doc(change=None) -> str:
    """BASE changed by change(variables), as the YAML text of a host_vars file."""
    variables = copy.deepcopy(BASE)
    if change:
        change(variables)
    return yaml.safe_dump(variables, sort_keys=False, allow_unicode=True)


def org(v):
    return v["gestixi_mail_domains"][0]


def alice(v):
    return org(v)["users"][0]


def holidays(v):
    return alice(v)["responders"][0]


def setter(target, key, value):
    def change(v):
        target(v)[key] = value
    return change


def dropper(target, key):
    def change(v):
        del target(v)[key]
    return change


def appender(target, key, item):
    def change(v):
        target(v).setdefault(key, []).append(item)
    return change


def chain(*changes):
    def change(v):
        for one in changes:
            one(v)
    return change


D0 = "gestixi_mail_domains[0]"
U0 = D0 + ".users[0]"
R0 = U0 + ".responders[0]"

# (case, host_vars text, [(YAML path, part of the message)]) - the paths are ALL the problems.
CASES = [
    ("unknown_user_key", doc(setter(alice, "pasword", "x")),
     [(U0 + ".pasword", "unknown key 'pasword' (did you mean 'password'?)")]),
    ("unknown_domain_key", doc(setter(org, "alias", [])),
     [(D0 + ".alias", "unknown key 'alias' (did you mean 'aliases'?)")]),
    ("unknown_responder_key", doc(setter(holidays, "subjet", "x")),
     [(R0 + ".subjet", "did you mean 'subject'?")]),
    ("users_not_a_list", doc(setter(org, "users", {"login": "x"})),
     [(D0 + ".users", "expected a list, got a mapping")]),
    ("login_yaml_boolean", doc(setter(alice, "login", False)),
     [(U0 + ".login", "expected text, got false (a yes/no value); put the value in quotes")]),
    ("quota_not_a_size", doc(setter(alice, "quota", "2 GB")),
     [(U0 + ".quota", "'2 GB' is not valid: expected a number of MiB (500) or a size such as 500M")]),
    ("enabled_not_boolean", doc(setter(alice, "enabled", "maybe")),
     [(U0 + ".enabled", "expected true or false, got the text 'maybe'")]),
    ("days_not_a_number", doc(setter(holidays, "days", "seven")),
     [(R0 + ".days", "expected a whole number, got the text 'seven'")]),
    ("days_zero", doc(setter(holidays, "days", 0)),
     [(R0 + ".days", "must be at least 1")]),
    ("domain_without_name", doc(appender(lambda v: v, "gestixi_mail_domains", {"users": []})),
     [("gestixi_mail_domains[2].name", "is missing: every domain needs a name")]),
    ("user_without_login", doc(appender(org, "users", {"name": "Nobody"})),
     [(D0 + ".users[2].login", "is missing: every user needs a login")]),
    ("alias_without_to", doc(appender(org, "aliases", {"address": "sales"})),
     [(D0 + ".aliases[2].to", "write 'to: []' to reach every user of the domain")]),
    ("empty_domain_name", doc(setter(org, "name", "")),
     [(D0 + ".name", "must not be empty")]),
    ("invalid_domain_name", doc(setter(org, "name", "exa mple.org")),
     [(D0 + ".name", "is not a valid domain name")]),
    ("duplicate_domain_idna", doc(chain(setter(lambda v: v["gestixi_mail_domains"][1], "name", "bücher.example"),
                                        appender(lambda v: v, "gestixi_mail_domains", {"name": "xn--bcher-kva.example"}))),
     [("gestixi_mail_domains[2].name", "the domain xn--bcher-kva.example is declared twice (also at gestixi_mail_domains[1])")]),
    ("duplicate_user", doc(appender(org, "users", {"login": "bob", "password": HASHES[2]})),
     [(D0 + ".users[2].login", "the user bob@example.org is declared twice (also at gestixi_mail_domains[0].users[1])")]),
    ("duplicate_alias", doc(appender(org, "aliases", {"address": "contact@example.org", "to": ["bob"]})),
     [(D0 + ".aliases[2].address", "the alias contact@example.org is declared twice (also at gestixi_mail_domains[0].aliases[0])")]),
    ("alias_collides_with_user", doc(appender(org, "aliases", {"address": "bob", "to": ["alice"]})),
     [(D0 + ".aliases[2].address", "bob@example.org is both an alias and a user's mailbox")]),
    ("recipient_login_missing", doc(setter(lambda v: org(v)["aliases"][0], "to", ["alice", "bobby"])),
     [(D0 + ".aliases[0].to[1]", "bobby@example.org does not exist: it is neither a user nor an alias of "
                                 "example.org; did you mean bob@example.org?")]),
    ("recipient_other_domain_missing", doc(setter(lambda v: org(v)["aliases"][0], "to", ["alice", "dave@example.net"])),
     [(D0 + ".aliases[0].to[1]", "dave@example.net does not exist: it is neither a user nor an alias of example.net")]),
    ("recipient_listed_twice", doc(setter(lambda v: org(v)["aliases"][0], "to", ["alice", "alice@example.org"])),
     [(D0 + ".aliases[0].to[1]", "the recipient alice@example.org is declared twice (also at gestixi_mail_domains[0].aliases[0].to[0])")]),
    ("catchall_missing", doc(setter(org, "catchall", "postmaster@example.org")),
     [(D0 + ".catchall", "the catch-all of example.org sends to postmaster@example.org, which is neither a user nor an alias")]),
    ("alias_loop", doc(chain(appender(org, "aliases", {"address": "a", "to": ["b@example.org"]}),
                             appender(org, "aliases", {"address": "b", "to": ["a@example.org"]}))),
     [(D0 + ".aliases[2].to[0]", "alias a@example.org -> b@example.org -> a@example.org is a loop")]),
    ("alias_to_itself", doc(appender(org, "aliases", {"address": "sales", "to": ["sales@example.org"]})),
     [(D0 + ".aliases[2].to[0]", "alias sales@example.org -> sales@example.org is a loop")]),
    ("alias_in_wrong_domain", doc(appender(org, "aliases", {"address": "shop@example.net", "to": ["alice"]})),
     [(D0 + ".aliases[2].address", "shop@example.net is in the domain example.net, not example.org: move this alias "
                                   "under that domain (gestixi_mail_domains[1])")]),
    ("domain_used_not_declared", doc(appender(org, "aliases", {"address": "info@example.com", "to": ["alice"]})),
     [(D0 + ".aliases[2].address", "info@example.com uses the domain example.com, which is not declared")]),
    ("login_with_undeclared_domain", doc(appender(org, "users", {"login": "dan@example.com", "password": HASHES[2]})),
     [(D0 + ".users[2].login", "dan@example.com uses the domain example.com, which is not declared")]),
    ("invalid_login", doc(setter(alice, "login", "Alice")),
     [(U0 + ".login", "'Alice' is not a valid login")]),
    ("date_not_a_date", doc(setter(holidays, "start", "2026-13-01")),
     [(R0 + ".start", "'2026-13-01' is not a real calendar date")]),
    ("date_with_time", doc(setter(holidays, "end", datetime.datetime(2027, 1, 4, 18, 0))),
     [(R0 + ".end", "expected a date (YYYY-MM-DD), got a date and time (2027-01-04 18:00:00)")]),
    ("dates_reversed", doc(chain(setter(holidays, "start", datetime.date(2027, 1, 4)),
                                 setter(holidays, "end", datetime.date(2026, 12, 20)))),
     [(R0 + ".end", "the end date 2026-12-20 is before the start date 2027-01-04")]),
    ("enabled_responder_without_subject", doc(dropper(holidays, "subject")),
     [(R0 + ".subject", "an enabled automatic reply needs a subject (or set enabled: false)")]),
    ("enabled_responder_blank_message", doc(setter(lambda v: org(v)["responders"][0], "message", "  \n")),
     [(D0 + ".responders[0].message", "an enabled automatic reply needs a message")]),
    ("duplicate_responder", doc(appender(alice, "responders", {"name": "holidays", "enabled": False})),
     [(U0 + ".responders[1].name", "the automatic reply 'holidays' is declared twice")]),
    ("subject_with_line_break", doc(setter(holidays, "subject", "Away\nBack soon")),
     [(R0 + ".subject", "expected one line of text, without line breaks")]),
    ("unknown_timezone", doc(setter(org, "timezone", "Europe/Pariss")),
     [(D0 + ".timezone", "'Europe/Pariss' is not a known IANA time zone")]),
    ("malformed_hash", doc(setter(alice, "password", "{ARGON2ID}$argon2id$garbage")),
     [(U0 + ".password", "the {ARGON2ID} hash is malformed")]),
    ("unsupported_scheme", doc(setter(alice, "password", "{MD5}1bc29b36f623ba82aaf6724fd3b16718")),
     [(U0 + ".password", "the hash scheme {MD5} is not accepted")]),
    ("plaintext_password", doc(setter(alice, "password", SECRET_PLAINTEXT)),
     [(U0 + ".password", "a plain-text password must not be kept in Git")]),
    ("numeric_password", doc(setter(alice, "password", 99887766)),
     [(U0 + ".password", "expected text, got a number value (not shown: it is a secret)")]),
    ("unresolved_template", doc(setter(alice, "password", "{{ vault_alice_password }}")),
     [(U0 + ".password", "cannot be resolved: 'vault_alice_password' is undefined")]),
    ("description_not_a_list", yaml.safe_dump({"gestixi_mail_domains": {"name": "example.org"}}),
     [("gestixi_mail_domains", "expected a list, got a mapping")]),
    ("misspelt_variable", doc() + "gestixi_mail_domain: []\n",
     [("gestixi_mail_domain", "unknown variable (did you mean gestixi_mail_domains?)")]),
    ("purge_domains_not_boolean", doc() + "gestixi_mail_purge_domains: 'yes please'\n",
     [("gestixi_mail_purge_domains", "expected true or false, got the text 'yes please'")]),
    # Found only by the host's converge before (after the other hosts had been changed): the
    # gate now knows the server's Postfix limits from the role's variables.
    ("alias_beyond_server_limit", doc() + "server_virtual_alias_expansion_limit: 1\n",
     [(D0 + ".aliases[0].to", "alias contact@example.org expands to 2 addresses, more than Postfix's "
                              "virtual_alias_expansion_limit 1"),
      (D0 + ".aliases[1].to", "alias all@example.org expands to 2 addresses (all 2 enabled users of "
                              "example.org), more than Postfix's virtual_alias_expansion_limit 1")]),
    ("split_file_duplicate", doc() + yaml.safe_dump({"gestixi_mail_domains__shop": [{"name": "EXAMPLE.org"}]}),
     [("gestixi_mail_domains__shop[0].name", "the domain example.org is declared twice (also at gestixi_mail_domains[0])")]),
    ("no_description", "other_variable: 1\n",
     [("gestixi_mail_domains", "is not defined for this host")]),
    ("application_plain_password", doc(setter(org, "application", {"login": "invoices",
                                                                    "password": SECRET_PLAINTEXT})),
     [(D0 + ".application.password", "never in plain text")]),
    ("application_without_login", doc(setter(org, "application", {"password": HASHES[2]})),
     [(D0 + ".application.login", "is missing: name the login the application sends with")]),
    ("application_login_is_a_user", doc(setter(org, "application", {"login": "bob", "password": HASHES[2]})),
     [(D0 + ".application.login", "the address bob@example.org is declared twice (also at "
                                  "gestixi_mail_domains[0].users[1])")]),
    ("app_password_bad_service_and_plain_text", doc(setter(alice, "app_passwords", [
        {"name": "phone", "password": SECRET_PLAINTEXT, "services": ["imap", "webmail"]}])),
     [(U0 + ".app_passwords[0].services[1]", "'webmail' is not valid: expected one of imap, smtp"),
      (U0 + ".app_passwords[0].password", "never in plain text")]),
    ("app_password_twice_and_no_services", doc(setter(alice, "app_passwords", [
        {"name": "phone", "password": HASHES[1], "services": ["imap"]},
        {"name": "phone", "password": HASHES[2], "services": []},
        {"name": "my phone", "password": HASHES[2]}])),
     [(U0 + ".app_passwords[1].name", "the app password 'phone' is declared twice (also at "
                                              "gestixi_mail_domains[0].users[0].app_passwords[0])"),
      (U0 + ".app_passwords[1].services", "name the services it may be used for"),
      (U0 + ".app_passwords[2].name", "'my phone' is not valid: expected letters, digits"),
      (U0 + ".app_passwords[2].services", "is missing: name the services it may be used for")]),
    ("sender_neither_address_nor_domain", doc(setter(org, "senders", {"blocked": ["spammer@bad.test", "nowhere"]})),
     [(D0 + ".senders.blocked[1]", "'nowhere' is not a valid domain name: it needs at least two labels of letters, "
                                   "digits and '-'; a sender is a mail address (user@host) or a domain name (host)")]),
    ("sender_listed_twice", doc(setter(org, "senders", {"allowed": ["partner.test", "Partner.TEST."]})),
     [(D0 + ".senders.allowed[1]", "the sender partner.test is declared twice (also at "
                                   "gestixi_mail_domains[0].senders.allowed[0])")]),
    ("sender_in_both_lists", doc(setter(org, "senders", {"allowed": ["news@partner.test"],
                                                         "blocked": ["bad.test", "News@Partner.test"]})),
     [(D0 + ".senders.blocked[1]", "the sender news@partner.test is both allowed (at "
                                   "gestixi_mail_domains[0].senders.allowed[0]) and blocked: keep it in one list")]),
    ("senders_unknown_key", doc(setter(org, "senders", {"block": ["bad.test"]})),
     [(D0 + ".senders.block", "unknown key 'block' (did you mean 'blocked'?); senders takes: allowed, blocked")]),
    ("several_problems_at_once", doc(chain(setter(alice, "pasword", "x"), setter(org, "timezone", "Mars/Base"),
                                           setter(lambda v: org(v)["aliases"][0], "to", ["alice", "zed"]),
                                           dropper(holidays, "message"))),
     [(D0 + ".aliases[0].to[1]", "zed@example.org does not exist"),
      (D0 + ".timezone", "'Mars/Base' is not a known IANA time zone"),
      (U0 + ".pasword", "unknown key 'pasword'"),
      (R0 + ".message", "an enabled automatic reply needs a message")]),
]

# A host whose description is valid and would change the store (one more user): it must not
# be touched either, since another host's description has problems.
VALID_CHANGE = doc(appender(org, "users", {"login": "dave", "password": HASHES[2]}))


def test_table_is_large_enough():
    assert len(CASES) >= 30
    assert len({case for case, _text, _expected in CASES}) == len(CASES)


@pytest.fixture(scope="module")
def checked(module_workspace):
    """Converge BASE, then run every case (one host each) in one run of playbooks/mail.yml."""
    ws = module_workspace
    ws.hosts(["baseline"])
    ws.group_vars("description.yml", doc())
    first = ws.playbook("mail.yml")
    assert first.rc == 0, first.output[-3000:]
    assert ws.digest().get("store"), "the baseline run did not create the store"
    import os
    os.unlink(os.path.join(ws.inventory, "group_vars", "mail", "description.yml"))

    before = ws.digest()
    host_vars = {case: text for case, text, _expected in CASES}
    host_vars["valid_change"] = VALID_CHANGE
    ws.hosts(sorted(host_vars), host_vars)
    run = ws.playbook("mail.yml", "--diff")
    return before, ws.digest(), run


def test_run_fails_before_touching_anything(checked):
    before, after, run = checked
    assert run.rc != 0
    assert after == before, "the store or a Sieve script changed"
    # Stopped in the first play: no host reached the converge play.
    assert "PLAY [Converge the mail description]" not in run.output
    assert "Domains (name and time zone)" not in run.output
    assert run.changes("valid_change") == []


def test_no_secret_in_output(checked):
    _before, _after, run = checked
    assert SECRET_PLAINTEXT not in run.output
    assert "99887766" not in run.output
    assert "$6$" not in run.output  # no hash either


@pytest.mark.parametrize("case,text,expected", CASES, ids=[case for case, _t, _e in CASES])
def test_invalid_description(checked, case, text, expected):
    _before, _after, run = checked
    problems = run.host(case).get("problems")
    assert run.host(case).get("failed"), "%s was not refused" % case
    found = {problem["path"]: problem["message"] for problem in problems}
    assert sorted(found) == sorted(path for path, _message in expected), found
    for path, message in expected:
        assert message in found[path], (path, found[path])
        # The operator sees the same line in the run's output.
        assert "  - %s: %s" % (path, found[path]) in run.output
