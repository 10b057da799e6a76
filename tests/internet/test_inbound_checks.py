"""The gestixi host checks the mail it receives against the test Internet's DNS (issue 10).

The outside host sends straight to the gestixi host's port 25 with swaks (no Postfix of its own
in between, so that each SMTP reply is seen). BIND answers SPF, DKIM and DMARC for outside.test,
whose DMARC policy is reject (molecule/internet/converge.yml).
"""
from __future__ import annotations

import os
import re

import pytest

from mailclient import eicar_message

PART = os.environ.get("GESTIXI_INTERNET_PART", "signed")
pytestmark = pytest.mark.skipif(PART != "signed", reason="part signed of verify.yml")


def swaks_to_port_25(internet, envelope_sender: str, header_from: str, recipient: str, subject: str):
    """The outside host's own SMTP session with mail.example.test (its MX, through BIND)."""
    argv = ["swaks", "--server", "mail.example.test", "--port", "25", "--helo", "mx.outside.test",
            "--from", envelope_sender, "--to", recipient, "--header", "From: %s" % header_from,
            "--header", "Subject: %s" % subject, "--body", "Hello from outside.test (%s)." % subject]
    result = internet.run(internet.outside, *argv)
    if "450 4.3.2" in result.stdout:  # postscreen: a client it has not seen yet comes back once
        result = internet.run(internet.outside, *argv)
    return result


def test_a_forged_sender_of_a_dmarc_reject_domain_is_refused(internet, token):
    # From: outside.test, but neither signed by it nor sent with its envelope domain (SPF of
    # another domain): DMARC fails, and outside.test's policy says reject.
    result = swaks_to_port_25(internet, "bounce-%s@elsewhere.test" % token, "ceo@outside.test",
                              "alice@example.org", token)
    assert result.returncode != 0, result.stdout
    assert "<** 554 5.7.1" in result.stdout, result.stdout
    log = internet.inside(internet.mail, "grep", "-F", "bounce-%s@elsewhere.test" % token,
                          "/var/log/rspamd/rspamd.log")
    assert "DMARC_POLICY_REJECT" in log, log
    # example.org allows outside.test, but only once proven: a forgery gets no bonus.
    assert "GESTIXI_ALLOWED" not in log, log


def test_the_same_message_from_the_domains_own_server_is_accepted(server, internet, token):
    # SPF of outside.test passes for its own host, aligned with From: DMARC passes.
    result = swaks_to_port_25(internet, "ceo@outside.test", "ceo@outside.test", "alice@example.org", token)
    assert result.returncode == 0, result.stdout
    uids = server.wait_for_subject("alice@example.org", token)
    assert len(uids) == 1
    assert server.fetch("alice@example.org", "INBOX", uids[0])["X-Spam"] is None


def test_the_eicar_file_is_refused_by_the_antivirus(internet, token):
    # server_antivirus is on in this scenario, with the test's own EICAR signature
    # (molecule/internet/converge.yml); tests/mailflow shows the same file accepted without it.
    raw = eicar_message("ceo@outside.test", "alice@example.org", token).as_string()
    internet.inside(internet.outside, "sh", "-c", "cat > /tmp/eicar-%s.eml" % token, stdin=raw)
    result = internet.run(internet.outside, "swaks", "--server", "mail.example.test", "--port", "25",
                          "--helo", "mx.outside.test", "--from", "ceo@outside.test",
                          "--to", "alice@example.org", "--data", "@/tmp/eicar-%s.eml" % token)
    assert result.returncode != 0, result.stdout
    assert "<** 554 5.7.1" in result.stdout and "virus found" in result.stdout, result.stdout
    assert "Gestixi.Test.EICAR" in result.stdout, result.stdout


# Scores as spam for rspamd (tests/mailflow/test_protection.py): an all-caps subject, an
# HTML-only body with a link to an IP address, no Date, no Message-ID.
SPAM_FROM_OUTSIDE = ("From: ceo@outside.test\r\nTo: {to}\r\nSubject: YOU HAVE WON A PRIZE {token}\r\n"
                     "MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
                     '<html><body><a href="http://192.0.2.1/claim">CLICK HERE</a> to claim your '
                     "prize money now!!! Free money, no cost, act now. {token}</body></html>\r\n")


def send_spam_from_outside(internet, recipient: str, token: str):
    path = "/tmp/spam-%s-%s.eml" % (token, recipient.partition("@")[0])
    internet.inside(internet.outside, "sh", "-c", "cat > %s" % path,
                    stdin=SPAM_FROM_OUTSIDE.format(to=recipient, token=token))
    argv = ["swaks", "--server", "mail.example.test", "--port", "25", "--helo", "mx.outside.test",
            "--from", "ceo@outside.test", "--to", recipient, "--data", "@" + path]
    result = internet.run(internet.outside, *argv)
    if "450 4.3.2" in result.stdout:  # postscreen, as in swaks_to_port_25
        result = internet.run(internet.outside, *argv)
    return result


def test_an_allowed_sender_proven_by_dmarc_is_neither_greylisted_nor_junk(server, internet, token):
    # example.org's senders.allowed lists outside.test (molecule/internet/group_vars/mail).
    result = send_spam_from_outside(internet, "alice@example.org", token)
    assert result.returncode == 0, result.stdout
    uids = server.wait_for_subject("alice@example.org", token)
    assert len(uids) == 1
    assert server.fetch("alice@example.org", "INBOX", uids[0])["X-Spam"] is None
    # rspamd logs each message's symbols with Postfix's queue id.
    queue_id = re.search(r"queued as ([0-9A-Za-z]+)", result.stdout).group(1)
    log = internet.inside(internet.mail, "grep", "-F", "<%s>" % queue_id, "/var/log/rspamd/rspamd.log")
    assert "GESTIXI_ALLOWED_FROM_DOMAIN" in log and "GESTIXI_ALLOWED_SENDER_DOMAIN" in log, log


def test_the_same_spam_to_a_domain_that_does_not_allow_the_sender_is_treated_as_spam(server, internet, token):
    result = send_spam_from_outside(internet, "erin@example.net", token)
    # Greylisted or refused outright, or else filed as Junk: never an ordinary message.
    if result.returncode == 0:
        assert len(server.wait_for_subject("erin@example.net", token, "Junk")) == 1
    else:
        assert "<** 451 4.7.1" in result.stdout or "<** 554 5.7.1" in result.stdout, result.stdout
    assert server.find_subject("erin@example.net", token) == []
