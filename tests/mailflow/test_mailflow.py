"""Mail flow through a real gestixi.mail server: SMTP in, IMAP out (see conftest.py)."""
from __future__ import annotations

import imaplib
import smtplib
import socket
import time
import uuid
from email.message import EmailMessage

import pytest

DOMAIN = "example.org"
OTHER_DOMAIN = "example.net"
OUTSIDE_SENDER = "someone@outside.test"
ALICE = "alice@%s" % DOMAIN
BOB = "bob@%s" % DOMAIN
CAROL = "carol@%s" % DOMAIN
DAVE = "dave@%s" % DOMAIN  # disabled
ERIN = "erin@%s" % OTHER_DOMAIN


def message(sender: str, recipients: list[str], subject: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = ", ".join(recipients)
    msg["Subject"] = subject
    msg["Message-ID"] = "<%s@outside.test>" % uuid.uuid4().hex
    msg.set_content("Hello from the gestixi.mail tests.\n")
    return msg


def send_from_outside(server, recipients: list[str], subject: str) -> None:
    with server.smtp_plain() as smtp:
        refused = smtp.send_message(message(OUTSIDE_SENDER, recipients, subject),
                                    from_addr=OUTSIDE_SENDER, to_addrs=recipients)
    assert refused == {}


def rcpt_reply(smtp: smtplib.SMTP, sender: str, recipient: str) -> tuple[int, bytes]:
    code, reply = smtp.mail(sender)
    assert code == 250, reply
    return smtp.rcpt(recipient)


# --- Delivery -----------------------------------------------------------------------------
def test_mail_to_a_user_arrives_in_inbox(server, token):
    send_from_outside(server, [ALICE], token)
    assert len(server.wait_for_subject(ALICE, token)) == 1


def test_mail_to_a_user_of_another_domain(server, token):
    send_from_outside(server, [ERIN], token)
    assert len(server.wait_for_subject(ERIN, token)) == 1


def test_recipient_is_case_insensitive(server, token):
    send_from_outside(server, ["Bob@Example.ORG"], token)
    assert len(server.wait_for_subject(BOB, token)) == 1


# --- Aliases ------------------------------------------------------------------------------
def test_alias_to_one_user(server, token):
    send_from_outside(server, ["contact@%s" % DOMAIN], token)
    assert len(server.wait_for_subject(ALICE, token)) == 1


def test_alias_to_several_users(server, token):
    send_from_outside(server, ["support@%s" % DOMAIN], token)
    assert len(server.wait_for_subject(ALICE, token)) == 1
    assert len(server.wait_for_subject(BOB, token)) == 1
    assert server.find_subject(CAROL, token) == []


def test_all_users_alias_reaches_every_enabled_user_of_its_domain(server, token):
    send_from_outside(server, ["all@%s" % DOMAIN], token)
    for user in (ALICE, BOB, CAROL):
        assert len(server.wait_for_subject(user, token)) == 1, user
    server.wait_queue_empty()
    # Not the other domain's users, and not the disabled user (whose mailbox was never made).
    assert server.find_subject(ERIN, token) == []
    assert server.run_inside("test", "-e", "/var/vmail/%s/dave" % DOMAIN).returncode == 1


def test_user_on_an_alias_and_addressed_directly_gets_one_copy(server, token):
    send_from_outside(server, [ALICE, "contact@%s" % DOMAIN], token)
    server.wait_for_subject(ALICE, token)
    server.wait_queue_empty()
    assert len(server.find_subject(ALICE, token)) == 1


# --- Refusals at SMTP time ----------------------------------------------------------------
def test_unknown_recipient_is_rejected_at_rcpt(server):
    with server.smtp_plain() as smtp:
        code, reply = rcpt_reply(smtp, OUTSIDE_SENDER, "nobody@%s" % DOMAIN)
    assert code == 550, reply
    assert b"User unknown" in reply


def test_disabled_user_is_rejected_at_rcpt(server):
    with server.smtp_plain() as smtp:
        code, reply = rcpt_reply(smtp, OUTSIDE_SENDER, DAVE)
    assert code == 550, reply


def test_no_open_relay_on_port_25(server):
    with server.smtp_plain() as smtp:
        code, reply = rcpt_reply(smtp, OUTSIDE_SENDER, "victim@elsewhere.test")
    assert code == 554, reply
    assert b"Relay access denied" in reply


def test_outsiders_cannot_send_from_an_address_of_a_hosted_domain_on_port_25(server):
    # A user, an alias, an address that does not exist: users send logged in, on submission.
    for sender in (ALICE, "contact@%s" % DOMAIN, "nobody-here@%s" % DOMAIN, "bob@%s" % OTHER_DOMAIN):
        with server.smtp_plain() as smtp:
            code, reply = rcpt_reply(smtp, sender, BOB)
        assert code == 553, (sender, reply)
        assert b"Sender address rejected: mail from " in reply, reply


def test_submission_without_authentication_is_refused(server):
    with server.smtp_submission() as smtp:
        code, reply = smtp.mail(OUTSIDE_SENDER)
        if code == 250:
            code, reply = smtp.rcpt(BOB)
    assert code >= 500, reply


def test_submission_offers_auth_only_after_starttls(server):
    with smtplib.SMTP(server.host, server.submission_port, timeout=30) as smtp:
        smtp.ehlo()
        assert smtp.has_extn("starttls")
        assert not smtp.has_extn("auth")
        code, _ = smtp.mail(ALICE)
        assert code == 530  # "Must issue a STARTTLS command first"


# --- Authentication -----------------------------------------------------------------------
def test_authenticated_submission_with_starttls_is_delivered(server, token):
    with server.smtp_submission(ALICE) as smtp:
        refused = smtp.send_message(message(ALICE, [BOB], token))
    assert refused == {}
    assert len(server.wait_for_subject(BOB, token)) == 1


def test_authenticated_submission_may_send_outside(server, token):
    # Accepted for relaying (the test server then discards outbound mail).
    with server.smtp_submission(ALICE) as smtp:
        refused = smtp.send_message(message(ALICE, ["friend@elsewhere.test"], token))
    assert refused == {}


def test_smtps_submission_is_delivered(server, token):
    with server.smtp_smtps(BOB) as smtp:
        refused = smtp.send_message(message(BOB, [CAROL], token))
    assert refused == {}
    assert len(server.wait_for_subject(CAROL, token)) == 1


def test_sender_may_use_an_alias_it_receives(server, token):
    with server.smtp_submission(ALICE) as smtp:
        refused = smtp.send_message(message("support@%s" % DOMAIN, [CAROL], token))
    assert refused == {}
    assert len(server.wait_for_subject(CAROL, token)) == 1


def test_sender_cannot_forge_another_users_address(server):
    with server.smtp_submission(ALICE) as smtp:
        code, reply = smtp.mail(BOB)
        if code == 250:
            code, reply = smtp.rcpt(CAROL)
    assert code == 553, reply
    assert b"not owned by user" in reply


def test_wrong_password_fails_on_submission(server):
    with server.smtp_submission() as smtp:
        with pytest.raises(smtplib.SMTPAuthenticationError):
            server.smtp_login_once(smtp, ALICE, "not-the-password")


def test_wrong_password_fails_on_imap(server):
    with pytest.raises(imaplib.IMAP4.error):
        server.imap(ALICE, "not-the-password")


def test_disabled_user_cannot_log_in(server):
    with pytest.raises(imaplib.IMAP4.error):
        server.imap(DAVE)


def test_imap_with_starttls_on_143(server):
    client = server.imap_starttls(CAROL)
    try:
        assert client.select("INBOX", readonly=True)[0] == "OK"
    finally:
        client.logout()


def test_imap_refuses_plaintext_login_without_tls(server):
    client = imaplib.IMAP4(server.host, server.imap_port, timeout=30)
    try:
        assert "LOGINDISABLED" in client.capabilities
    finally:
        client.logout()


# --- Folders and services -----------------------------------------------------------------
def test_folders_are_created_and_subscribed(server):
    client = server.imap(ALICE)
    try:
        typ, listed = client.list()
        assert typ == "OK"
        typ, subscribed = client.lsub()
        assert typ == "OK"
    finally:
        client.logout()
    listed_text = b"\n".join(listed)
    subscribed_text = b"\n".join(subscribed)
    for name, flag in ((b"Sent", b"\\Sent"), (b"Drafts", b"\\Drafts"), (b"Trash", b"\\Trash"), (b"Junk", b"\\Junk")):
        assert name in listed_text and flag in listed_text, listed_text
        assert name in subscribed_text
    assert b'"GestiXi - Sent"' in listed_text
    assert b'"GestiXi - Sent"' in subscribed_text


def test_managesieve_answers(server):
    with socket.create_connection((server.host, server.managesieve_port), timeout=30) as sock:
        greeting = b""
        while not greeting.endswith(b"\r\n") or b"OK" not in greeting:
            chunk = sock.recv(4096)
            if not chunk:
                break
            greeting += chunk
    assert b'"IMPLEMENTATION" "Dovecot' in greeting and b'Pigeonhole"' in greeting
    assert b'"STARTTLS"' in greeting


# --- Automatic replies (carol has one, dated 2000-01-01 .. 2099-12-31) ----------------------
# A reply answers each sender once per :days, so every test writes from a sender of its own.
# Replies to outside addresses are discarded by the test server; the copy kept in
# "GestiXi - Sent" (addressed to the sender) shows the reply was sent.
SENT_COPIES = "GestiXi - Sent"


def find_copy(server, login: str, sender: str, timeout: float = 30.0) -> list[bytes]:
    client = server.imap(login)
    try:
        deadline = time.monotonic() + timeout
        while True:
            assert client.select('"%s"' % SENT_COPIES, readonly=True)[0] == "OK"
            found = client.search(None, "TO", '"%s"' % sender)[1][0].split()
            if found or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        if not found:
            return []
        flags = client.fetch(found[0], "(FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT AUTO-SUBMITTED)])")[1]
        return [found, flags]
    finally:
        client.logout()


def test_automatic_reply_is_sent_and_kept_in_gestixi_sent(server, token):
    sender = "%s@outside.test" % token
    with server.smtp_plain() as smtp:
        smtp.send_message(message(sender, [CAROL], token), from_addr=sender, to_addrs=[CAROL])
    assert len(server.wait_for_subject(CAROL, token)) == 1
    found = find_copy(server, "carol@example.org", sender)
    assert found, "no copy of the automatic reply in %s" % SENT_COPIES
    numbers, fetched = found
    assert len(numbers) == 1
    header = fetched[0][1]
    assert b"Carol is away" in header
    assert b"auto-replied" in header
    assert b"\\Seen" in fetched[0][0]


def test_automatic_reply_answers_mail_through_an_alias(server, token):
    # Mail to the all-users alias reaches carol, whose :addresses include it.
    sender = "%s@outside.test" % token
    with server.smtp_plain() as smtp:
        smtp.send_message(message(sender, ["all@%s" % DOMAIN], token), from_addr=sender,
                          to_addrs=["all@%s" % DOMAIN])
    assert server.wait_for_subject(CAROL, token)
    assert find_copy(server, CAROL, sender), "no automatic reply for mail through an alias"


def test_no_automatic_reply_to_noreply_senders(server, token):
    sender = "noreply-%s@outside.test" % token
    with server.smtp_plain() as smtp:
        smtp.send_message(message(sender, [CAROL], token), from_addr=sender, to_addrs=[CAROL])
    assert server.wait_for_subject(CAROL, token)
    server.wait_queue_empty()
    assert find_copy(server, CAROL, sender, timeout=2) == []


def test_ordinary_sent_mail_is_not_copied(server, token):
    with server.smtp_submission(ALICE) as smtp:
        smtp.send_message(message(ALICE, [BOB], token))
    assert server.wait_for_subject(BOB, token)
    server.wait_queue_empty()
    assert server.find_subject(ALICE, token, mailbox=SENT_COPIES) == []


def test_users_without_automatic_reply_send_none(server, token):
    sender = "%s@outside.test" % token
    with server.smtp_plain() as smtp:
        smtp.send_message(message(sender, [BOB], token), from_addr=sender, to_addrs=[BOB])
    assert server.wait_for_subject(BOB, token)
    server.wait_queue_empty()
    assert find_copy(server, BOB, sender, timeout=2) == []
