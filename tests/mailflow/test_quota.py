"""A small quota filled by real mail (see conftest.py): the user is warned at 80% and at 95%,
then mail is refused with 552 during RCPT, before DATA, and no bounce is made.

quinn@example.net has a quota of 200K (molecule/default/group_vars/all/mail.yml); the server
role's defaults warn at 80% and 95% (server_quota_warnings).
"""
from __future__ import annotations

import uuid
from email.utils import formatdate

QUINN = "quinn@example.net"
QUOTA = 200 * 1024
SENDER = "filler@outside.test"


def filler(subject: str, size: int) -> bytes:
    """A message of about `size` bytes (Dovecot counts the whole message)."""
    head = ("From: <%s>\r\nTo: <%s>\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <%s@outside.test>\r\n\r\n"
            % (SENDER, QUINN, subject, formatdate(), uuid.uuid4().hex))
    line = "x" * 76 + "\r\n"
    return (head + line * max(1, (size - len(head)) // len(line))).encode()


def used_percent(server) -> float:
    # "quota get" prints: Quota name, Type, Value, Limit, % (STORAGE in KiB)
    for row in server.inside("doveadm", "quota", "get", "-u", QUINN).splitlines():
        fields = row.split()
        if "STORAGE" in fields:
            return float(fields[-1])
    raise AssertionError("no STORAGE row in doveadm quota get for %s" % QUINN)


def deliver(server, subject: str, size: int) -> float:
    """Send one filler message and wait until it is delivered (INBOX, or Junk if rspamd says
    so: the quota counts both); the share of the quota in use after it."""
    before = used_percent(server)
    with server.smtp_plain() as smtp:
        assert smtp.sendmail(SENDER, [QUINN], filler(subject, size)) == {}
    server.wait_queue_empty()
    after = used_percent(server)
    assert after > before, "the message %s was not delivered (%.0f%% used)" % (subject, after)
    return after


def test_warnings_then_refused_at_rcpt(server, token):
    server.inside("doveadm", "expunge", "-u", QUINN, "mailbox", "*", "all")
    assert used_percent(server) < 1

    assert deliver(server, token + "-a", int(QUOTA * 0.70)) < 80
    assert server.find_subject(QUINN, "is 80% full") == []
    assert deliver(server, token + "-b", int(QUOTA * 0.15)) >= 80
    assert len(server.wait_for_subject(QUINN, "Your mailbox is 80% full")) == 1
    assert server.find_subject(QUINN, "is 95% full") == []
    assert 95 <= deliver(server, token + "-c", int(QUOTA * 0.11)) < 100
    assert len(server.wait_for_subject(QUINN, "Your mailbox is 95% full")) == 1
    assert len(server.find_subject(QUINN, "is 80% full")) == 1

    # The next message: the sender's session is refused at RCPT (its SIZE is declared), before
    # DATA; nothing is queued, so no bounce can follow.
    with server.smtp_plain() as smtp:
        smtp.ehlo("outside.test")
        message = filler(token + "-d", int(QUOTA * 0.20))
        code, reply = smtp.mail(SENDER, ["SIZE=%d" % len(message)])
        assert code == 250, reply
        code, reply = smtp.rcpt(QUINN)
        assert code == 552, reply
        assert b"5.2.2" in reply, reply
    server.wait_queue_empty()
    assert server.find_subject(QUINN, token + "-d") == []

    # Another user of the same domain still receives mail.
    with server.smtp_plain() as smtp:
        assert smtp.sendmail(SENDER, ["erin@example.net"], filler(token + "-e", 2000)) == {}
    assert server.wait_for_subject("erin@example.net", token + "-e")
