"""The fleet (issue 13): two mail hosts, one store on PostgreSQL, mailboxes on both.

Each test names the part of molecule/fleet/verify.yml it belongs to: between parts, verify.yml
stops and starts containers (a mail host, the store's primary) and converges.
"""
from __future__ import annotations

import email
import email.policy
import json
import os
import statistics
import time

import pytest

from mailclient import poll  # pylint: disable=import-error

USERS = ("alice@example.org", "bob@example.org", "carol@example.org")


def _fetch_first(host, login: str, mailbox: str, *criteria: str):
    """The first message of mailbox that matches criteria, or None."""
    client = host.imap(login)
    try:
        client.select('"%s"' % mailbox, readonly=True)
        found = client.uid("SEARCH", *criteria)[1][0].split()
        if not found:
            return None
        typ, data = client.uid("FETCH", found[0], "(BODY.PEEK[])")
        if typ != "OK" or not data or data[0] is None:
            return None
        return email.message_from_bytes(data[0][1], policy=email.policy.default)
    finally:
        client.logout()


def send_and_time_replication(source, replica, recipient: str, token: str) -> float:
    """Send to `recipient` through `source`'s port 25; seconds until the replica shows it."""
    source.send_from_outside("someone@outside.test", [recipient], token)
    assert source.wait_for_subject(recipient, token), "not delivered on %s" % source.container
    start = time.monotonic()
    assert replica.wait_for_subject(recipient, token, timeout=60), "not replicated to %s" % replica.container
    return time.monotonic() - start


# --- Part migrated: mail1 ran alone on SQLite; converge.yml moved it to PostgreSQL ------------
def _migration_report() -> dict:
    path = os.path.join(os.environ["MOLECULE_EPHEMERAL_DIRECTORY"], "mail-during-migration.json")
    with open(path, encoding="utf-8") as file:
        return json.load(file)


@pytest.mark.fleet_part("migrated")
def test_no_message_sent_during_the_migration_was_lost(mail1, mail2):
    """Every message mail1 took while playbooks/store-migrate.yml switched it to PostgreSQL is in
    its mailboxes, on mail1 and (mail2 joined after) on mail2; none was refused for good."""
    report = _migration_report()
    print("during the migration (%.0f s): %d messages accepted, %d refused, %d temporary refusals retried"
          % (report["seconds"], len(report["accepted"]), len(report["refused"]), len(report["retried"])))
    assert report["refused"] == [], report["refused"]
    assert len(report["accepted"]) >= 20, "the sender ran only %.0f s" % report["seconds"]
    for sent in report["accepted"]:
        readers = USERS if sent["to"] == "all@example.org" else (sent["to"],)
        for host in (mail1, mail2):
            for user in readers:
                assert host.wait_for_subject(user, sent["subject"], timeout=60), \
                    "%s for %s is not in %s's INBOX on %s" % (sent["subject"], sent["to"], user, host.container)


@pytest.mark.fleet_part("migrated")
def test_the_sqlite_store_was_set_aside(mail1):
    kept = mail1.inside("ls", "/var/lib/gestixi-mail").split()
    assert "mail.sqlite.copied-to-postgresql" in kept and "mail.sqlite" not in kept, kept


# --- Part shared: both hosts serve the description converged once ----------------------------
@pytest.mark.fleet_part("shared")
def test_every_user_logs_in_on_both_hosts(mail1, mail2):
    for host in (mail1, mail2):
        for user in USERS:
            client = host.imap(user)
            client.logout()


@pytest.mark.fleet_part("shared")
def test_both_hosts_have_the_same_reply_scripts(mail1, mail2):
    """mail1 converged the store and wrote its scripts; mail2 rendered its own from the store."""
    script = "/var/lib/gestixi-mail/sieve/example.org/carol.sieve"
    assert "Carol is away" in mail1.inside("cat", script)
    assert mail2.inside("cat", script) == mail1.inside("cat", script)


@pytest.mark.fleet_part("shared")
def test_the_all_users_alias_reaches_everyone_from_either_host(mail1, mail2, token):
    for host in (mail1, mail2):
        host.send_from_outside("someone@outside.test", ["all@example.org"], token + host.container)
    for host in (mail1, mail2):
        for user in USERS:
            for sent_through in (mail1, mail2):
                assert host.wait_for_subject(user, token + sent_through.container, timeout=60), \
                    "%s has no copy sent through %s on %s" % (user, sent_through.container, host.container)


@pytest.mark.fleet_part("shared")
def test_automatic_replies_answer_from_either_host(mail1, mail2, token):
    """carol's reply is sent by whichever host delivers (its own script, rendered from the
    store), which files the copy in her "GestiXi - Sent"; the replicator brings each copy to
    the other host. One sender per host: a reply goes once to each sender."""
    senders = {host.container: "%s-%s@outside.test" % (token, host.container) for host in (mail1, mail2)}
    for host in (mail1, mail2):
        host.send_from_outside(senders[host.container], ["carol@example.org"], token)
    for host in (mail1, mail2):
        for sent_through in (mail1, mail2):
            # Searched and fetched in one session: a sync may give the copy a new UID in between.
            reply = poll(lambda: _fetch_first(host, "carol@example.org", "GestiXi - Sent",
                                              "TO", '"%s"' % senders[sent_through.container]), 60)
            assert reply, "no copy on %s of the reply %s sent" % (host.container, sent_through.container)
            assert "Carol is away" in reply["Subject"] and reply["Auto-Submitted"].startswith("auto-replied")


@pytest.mark.fleet_part("shared")
def test_mail_delivered_on_one_host_is_read_on_the_other(mail1, mail2, token):
    """Replication delay of single messages, both ways (printed: median and maximum)."""
    delays = []
    for index in range(10):
        source, replica = (mail1, mail2) if index % 2 == 0 else (mail2, mail1)
        delays.append(send_and_time_replication(source, replica, "bob@example.org", "%s-%d" % (token, index)))
    print("replication delay of 10 messages: median %.2f s, max %.2f s"
          % (statistics.median(delays), max(delays)))


@pytest.mark.fleet_part("shared")
def test_flags_folders_and_deletions_replicate(mail1, mail2, token):
    mail1.send_from_outside("someone@outside.test", ["alice@example.org"], token)
    uid = mail1.wait_for_subject("alice@example.org", token)[0]
    client = mail1.imap("alice@example.org")
    try:
        client.create('"Projects %s"' % token)
        client.select("INBOX")
        assert client.uid("STORE", str(uid), "+FLAGS", r"(\Flagged)")[0] == "OK"
    finally:
        client.logout()
    assert poll(lambda: mail2.search("alice@example.org", "INBOX", "FLAGGED", "SUBJECT", '"%s"' % token), 60), \
        "the flag did not reach mail2"

    def folder_on_mail2():
        client = mail2.imap("alice@example.org")
        try:
            _typ, data = client.list('""', '"Projects %s"' % token)
            return data and data[0] is not None
        finally:
            client.logout()
    assert poll(folder_on_mail2, 60), "the folder did not reach mail2"

    client = mail2.imap("alice@example.org")
    try:
        client.select("INBOX")
        remote_uid = mail2.find_subject("alice@example.org", token)[0]
        client.uid("STORE", str(remote_uid), "+FLAGS", r"(\Deleted)")
        client.expunge()
    finally:
        client.logout()
    assert poll(lambda: not mail1.find_subject("alice@example.org", token), 60), "the deletion did not reach mail1"


# --- Part host_down: mail1 is stopped -------------------------------------------------------
@pytest.mark.fleet_part("host_down")
def test_with_one_host_down_the_other_takes_the_mail(mail2, token):
    mail2.send_from_outside("someone@outside.test", ["bob@example.org"], token)
    assert mail2.wait_for_subject("bob@example.org", token), "mail2 did not deliver with mail1 down"
    # The next part checks that mail1 has it once it is back.
    with open(_token_file(), "w", encoding="utf-8") as file:
        file.write(token)


@pytest.mark.fleet_part("host_back")
def test_mail_taken_while_a_host_was_down_reaches_it(mail1):
    with open(_token_file(), encoding="utf-8") as file:
        token = file.read()
    assert mail1.wait_for_subject("bob@example.org", token, timeout=120), \
        "mail delivered to mail2 while mail1 was down never reached mail1"


def _token_file() -> str:
    return os.path.join(os.environ.get("MOLECULE_EPHEMERAL_DIRECTORY", "/tmp"), "fleet-host-down-token")


# --- Part primary_down: the store's primary is stopped ---------------------------------------
@pytest.mark.fleet_part("primary_down")
def test_without_the_primary_logins_and_delivery_go_on(mail1, mail2, token):
    for host in (mail1, mail2):
        for user in USERS:
            host.imap(user).logout()
        host.send_from_outside("someone@outside.test", ["alice@example.org"], token + host.container)
        assert host.wait_for_subject("alice@example.org", token + host.container, timeout=60), \
            "%s did not deliver without the primary" % host.container


# --- Part promoted: the standby is the primary, and a converge added dave ---------------------
@pytest.mark.fleet_part("promoted")
def test_after_promotion_a_new_user_logs_in_and_receives_on_both(mail1, mail2, token):
    for host in (mail1, mail2):
        host.imap("dave@example.org").logout()
        host.send_from_outside("someone@outside.test", ["dave@example.org"], token + host.container)
        assert host.wait_for_subject("dave@example.org", token + host.container, timeout=60)
