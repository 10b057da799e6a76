"""Inbound protection and submission limits of a real gestixi.mail server (issue 10).

Spam filtering by rspamd on port 25 (reject, Junk, greylisting), training from IMAP (IMAPSieve),
postscreen, SMTP smuggling, the size limit, per-client limits (anvil) and each user's sending
rate. The scenario's rspamd has no DNS answers (see molecule/default/prepare.yml); the checks that
need DNS (DMARC) are in tests/internet.
"""
from __future__ import annotations

import re
import socket
import smtplib
import time
import uuid

from mailclient import eicar_message, imap_quote, poll

ALICE = "alice@example.org"
CAROL = "carol@example.org"  # has an automatic reply
ERIN = "erin@example.net"  # sends nothing in the other tests: her rate is this file's own
JUNK = "Junk"
GTUBE = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X"


def raw_message(sender: str, recipient: str, subject: str, body: str, *,
                dated: bool = True, extra: str = "") -> bytes:
    headers = "From: %s\r\nTo: %s\r\nSubject: %s\r\n" % (sender, recipient, subject)
    if dated:
        headers += "Date: %s\r\nMessage-ID: <%s@client.outside.test>\r\n" % (
            time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime()), uuid.uuid4().hex)
    return (headers + extra + "\r\n" + body.replace("\n", "\r\n")).encode()


def send_port_25(server, sender: str, recipient: str, data: bytes) -> tuple[int, bytes]:
    """The reply to the end of DATA (or to RCPT when that already refuses)."""
    with server.smtp_plain() as smtp:
        code, reply = smtp.mail(sender)
        assert code == 250, reply
        code, reply = smtp.rcpt(recipient)
        if code != 250:
            return code, reply
        return smtp.data(data)


def greylist_delay(server) -> float:
    """Seconds a greylisted sender waits (the scenario's server_spam_greylist_delay)."""
    conf = server.inside("cat", "/etc/rspamd/local.d/greylist.conf")
    value, unit = re.search(r"timeout = (\d+)(s|min);", conf).groups()
    return int(value) * (60 if unit == "min" else 1)


def send_port_25_like_a_server(server, sender: str, recipient: str, data: bytes) -> tuple[int, bytes]:
    """As a mail server would: told to come back later (greylisting), it does, once."""
    code, reply = send_port_25(server, sender, recipient, data)
    if code == 451:
        time.sleep(greylist_delay(server) + 2)
        code, reply = send_port_25(server, sender, recipient, data)
    return code, reply


# --- rspamd on port 25 ----------------------------------------------------------------------

def test_gtube_is_rejected_on_port_25(server, token):
    code, reply = send_port_25(server, "sender-%s@outside.test" % token, ALICE,
                               raw_message("sender@outside.test", ALICE, token, GTUBE + "\n"))
    assert code == 554, reply
    assert b"5.7.1" in reply
    server.wait_queue_empty()
    assert server.find_subject(ALICE, token) == []


# Scores 11.25 with rspamd 3.4's rules (between add_header 6 and reject 15): an all-caps subject,
# an HTML-only body with a link to an IP address, undisclosed recipients, no Date, no Message-ID.
SPAM_HTML = ('<html><body><a href="http://192.0.2.1/claim">CLICK HERE</a> to claim your prize '
             'money now!!! Free money, no cost, act now. %s</body></html>\n')


def test_spam_goes_to_junk_and_gets_no_automatic_reply(server, token):
    sender = "prize-%s@outside.test" % token
    data = raw_message('"Winner" <%s>' % sender, "undisclosed-recipients:;",
                       "YOU HAVE WON A PRIZE CLAIM NOW", SPAM_HTML % token, dated=False,
                       extra="MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n")
    code, reply = send_port_25_like_a_server(server, sender, CAROL, data)
    assert code == 250, reply
    found = server.wait_for(CAROL, JUNK, "BODY", token)
    assert len(found) == 1, "the spam is not in carol's Junk"
    filed = server.fetch(CAROL, JUNK, found[0])
    assert filed["X-Spam"] == "Yes"
    assert server.search(CAROL, "INBOX", "BODY", token) == []
    # carol's automatic reply answers every other sender (test_mailflow): not this one.
    server.wait_queue_empty()
    assert server.search(CAROL, "GestiXi - Sent", "TO", '"%s"' % sender) == []


def test_mail_between_greylist_and_header_scores_is_greylisted(server, token):
    # No Date, no Message-ID, a client without a name: 4.5, between greylist 4 and add_header 6.
    sender = "grey-%s@outside.test" % token
    # rspamd remembers a greylisted body: each run's is its own.
    data = raw_message(sender, ALICE, "A question %s" % token,
                       "Hello, a short question for you (%s).\n" % token, dated=False)
    code, reply = send_port_25(server, sender, ALICE, data)
    assert code == 451, reply
    assert b"4.7.1" in reply and b"later" in reply.lower()
    # Too early: still refused; after the delay the same message is let in (no X-Spam).
    assert send_port_25(server, sender, ALICE, data)[0] == 451
    time.sleep(greylist_delay(server) + 2)
    code, reply = send_port_25(server, sender, ALICE, data)
    assert code == 250, reply
    uids = server.wait_for_subject(ALICE, token)
    assert len(uids) == 1
    assert server.fetch(ALICE, "INBOX", uids[0])["X-Spam"] is None


def test_ordinary_mail_from_outside_is_not_filtered(server, token):
    code, reply = send_port_25(server, "colleague@outside.test", ALICE,
                               raw_message("colleague@outside.test", ALICE, token,
                                           "Hello Alice,\n\nlunch on Friday at noon?\n\nA colleague\n"))
    assert code == 250, reply
    uids = server.wait_for_subject(ALICE, token)
    assert len(uids) == 1
    assert server.fetch(ALICE, "INBOX", uids[0])["X-Spam"] is None


def test_the_eicar_file_is_accepted_when_the_antivirus_is_off(server, token):
    # server_antivirus is false by default: the file is just text (tests/internet shows it refused).
    # rspamd scores its .com name as a risky attachment: it may be greylisted first.
    assert "clamav" not in server.inside("cat", "/etc/rspamd/local.d/antivirus.conf")
    data = eicar_message("colleague@outside.test", ALICE, token).as_bytes()
    code, reply = send_port_25_like_a_server(server, "colleague@outside.test", ALICE, data)
    assert code == 250, reply
    uids = poll(lambda: server.find_subject(ALICE, token) or server.find_subject(ALICE, token, JUNK), 30)
    assert len(uids) == 1


# --- Each domain's blocked senders (the description's senders:, molecule/default) ------------
# example.org blocks pest@nuisance.test and the whole domain junkmail.test; example.net does not.
BLOCKED_REPLY = b"does not accept mail from this sender"


def test_a_blocked_sender_address_is_refused_by_the_recipients_domain(server, token):
    code, reply = send_port_25(server, "pest@nuisance.test", ALICE,
                               raw_message("pest@nuisance.test", ALICE, token, "Hello again.\n"))
    assert code == 554 and b"5.7.1" in reply and BLOCKED_REPLY in reply, reply
    server.wait_queue_empty()
    assert server.find_subject(ALICE, token) == []


def test_a_blocked_domain_in_the_from_header_is_refused(server, token):
    # The envelope is a bulk mailer's; the From: the reader sees is the blocked domain's.
    code, reply = send_port_25(server, "bounces-%s@mailer.test" % token, ALICE,
                               raw_message("Deals <news@junkmail.test>", ALICE, token, "Deals today.\n"))
    assert code == 554 and BLOCKED_REPLY in reply, reply


def test_the_same_sender_is_welcome_at_a_domain_that_does_not_block_it(server, token):
    code, reply = send_port_25_like_a_server(server, "pest@nuisance.test", ERIN,
                                             raw_message("pest@nuisance.test", ERIN, token, "Hello Erin.\n"))
    assert code == 250, reply
    assert len(server.wait_for_subject(ERIN, token)) == 1


def test_one_message_to_both_domains_is_refused_for_both(server, token):
    # rspamd decides once per message: one blocking recipient domain refuses it.
    with server.smtp_plain() as smtp:
        assert smtp.mail("pest@nuisance.test")[0] == 250
        assert smtp.rcpt(ALICE)[0] == 250 and smtp.rcpt(ERIN)[0] == 250
        code, reply = smtp.data(raw_message("pest@nuisance.test", "%s, %s" % (ALICE, ERIN), token, "Hi both.\n"))
    assert code == 554 and BLOCKED_REPLY in reply, reply
    server.wait_queue_empty()
    assert server.find_subject(ALICE, token) == [] and server.find_subject(ERIN, token) == []


# --- Training from the mail client (IMAPSieve) ----------------------------------------------

def learned(server) -> int:
    """Messages rspamd has learned since it started (`rspamc stat`; the per-class counts of
    the same output are refreshed from Redis only once a minute)."""
    out = server.inside("rspamc", "stat")
    found = re.search(r"^Messages learned: (\d+)$", out, re.MULTILINE)
    assert found, out
    return int(found.group(1))


def learned_as(server, kind: str, message_id: str) -> bool:
    found = server.run_inside("grep", "-qF", "learned message as %s: %s" % (kind, message_id),
                              "/var/log/rspamd/rspamd.log")
    return found.returncode == 0


def move_message(server, login: str, source: str, uid: int, target: str) -> None:
    """As a mail client moves a message (COPY, then the original deleted)."""
    client = server.imap(login)
    try:
        assert client.select(imap_quote(source))[0] == "OK"
        typ, data = client.uid("COPY", str(uid), imap_quote(target))
        assert typ == "OK", data
        client.uid("STORE", str(uid), "+FLAGS.SILENT", "(\\Deleted)")
        client.expunge()
    finally:
        client.logout()


def test_moving_mail_into_and_out_of_junk_trains_rspamd(server, token):
    # Words enough for the classifier (it skips messages of few tokens); unique to this run.
    words = " ".join("%s%d" % (token, n) for n in range(40))
    data = raw_message("newsletter@outside.test", ALICE, token, "Cheap offers this week only: %s\n" % words)
    message_id = re.search(rb"Message-ID: <([^>]+)>", data).group(1).decode()
    code, reply = send_port_25(server, "newsletter@outside.test", ALICE, data)
    assert code == 250, reply
    uid = server.wait_for_subject(ALICE, token)[0]
    before = learned(server)

    move_message(server, ALICE, "INBOX", uid, JUNK)
    assert poll(lambda: learned(server) == before + 1, 30), "moving into Junk taught rspamd nothing"
    assert learned_as(server, "spam", message_id)

    junk_uid = server.wait_for_subject(ALICE, token, mailbox=JUNK)[0]
    move_message(server, ALICE, JUNK, junk_uid, "INBOX")
    assert poll(lambda: learned(server) == before + 2, 30), "moving out of Junk taught rspamd nothing"
    assert learned_as(server, "ham", message_id)


def test_moving_junk_to_the_trash_teaches_nothing(server, token):
    words = " ".join("%s%d" % (token, n) for n in range(40))
    code, reply = send_port_25(server, "newsletter@outside.test", ALICE,
                               raw_message("newsletter@outside.test", ALICE, token, "Offers: %s\n" % words))
    assert code == 250, reply
    uid = server.wait_for_subject(ALICE, token)[0]
    before = learned(server)
    move_message(server, ALICE, "INBOX", uid, JUNK)
    assert poll(lambda: learned(server) == before + 1, 30)
    before = learned(server)
    move_message(server, ALICE, JUNK, server.wait_for_subject(ALICE, token, mailbox=JUNK)[0], "Trash")
    assert server.wait_for_subject(ALICE, token, mailbox="Trash")
    time.sleep(2)
    assert learned(server) == before


# --- Postfix on port 25 ---------------------------------------------------------------------

def test_smtp_smuggling_is_not_possible(server, token):
    # "<LF>.<CR><LF>" ends the message for some servers, which then read the text after it as a
    # second message (CVE-2023-51764); here only <CR><LF>.<CR><LF> ends it.
    smuggled = "smuggled-%s" % token
    data = (raw_message("colleague@outside.test", ALICE, token, "First message.\n")
            + b"\n.\r\nMAIL FROM:<ceo@example.org>\r\nRCPT TO:<%s>\r\nDATA\r\n" % ALICE.encode()
            + b"From: ceo@example.org\r\nSubject: " + smuggled.encode() + b"\r\n\r\nPay now.\r\n")
    def session() -> tuple[int, bytes]:
        with server.smtp_plain() as smtp:
            assert smtp.mail("colleague@outside.test")[0] == 250
            assert smtp.rcpt(ALICE)[0] == 250
            code, reply = smtp.docmd("DATA")
            assert code == 354, reply
            smtp.send(data + b"\r\n.\r\n")
            return smtp.getreply()

    code, reply = session()
    if code == 451:  # greylisted (its text looks like SMTP commands): come back, as a server would
        time.sleep(greylist_delay(server) + 2)
        code, reply = session()
    assert code == 250, reply
    assert len(server.wait_for_subject(ALICE, token)) == 1
    server.wait_queue_empty()
    assert server.find_subject(ALICE, smuggled) == []


def test_message_size_limit_is_announced_and_enforced(server):
    limit = int(server.inside("postconf", "-h", "message_size_limit"))
    with server.smtp_plain() as smtp:
        assert int(smtp.esmtp_features["size"]) == limit
        code, reply = smtp.mail("big@outside.test", options=["SIZE=%d" % (limit + 1)])
    assert code == 552, reply


# A client that the container reaches at its own network address: not loopback (which is exempt
# from every limit), and a client of its own for postscreen and anvil.
CLIENT_SCRIPT = r'''
import socket, sys, time
address, action = sys.argv[1], sys.argv[2]

def read(sock):
    data = b""
    while not data.endswith(b"\r\n") or data.split(b"\r\n")[-2][3:4] == b"-":
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return data.decode(errors="replace").strip().splitlines()[-1] if data else ""

def session(early=False):
    sock = socket.create_connection((address, 25), timeout=30)
    if early:
        sock.sendall(b"EHLO pregreet.test\r\n")
    replies = [read(sock)]  # early: postscreen's "220-" and the answer to the EHLO
    if not early and not replies[0].startswith("220"):
        sock.close()
        return replies
    for command in ([] if early else ["EHLO client.test"]) + ["MAIL FROM:<x@client.test>", "RCPT TO:<alice@example.org>", "QUIT"]:
        sock.sendall(command.encode() + b"\r\n")
        replies.append(read(sock))
    sock.close()
    return replies

if action == "pregreet":
    print(session(early=True)[-2])
elif action == "flood":
    for attempt in range(2):  # postscreen's deep protocol tests: a new client comes back once
        if session()[-2].startswith("250"):
            break
    for n in range(int(sys.argv[3])):
        greeting = session()[0]
        if not greeting.startswith("220"):
            print("%d %s" % (n, greeting))
            break
    else:
        print("no limit")
'''


def container_address(server) -> str:
    return server.inside("sh", "-c", "ip -4 -o addr show scope global | awk '{print $4}' | cut -d/ -f1 | head -n1")


def test_postscreen_refuses_a_client_that_talks_first(server):
    result = server.run_inside("python3", "-c", CLIENT_SCRIPT, container_address(server), "pregreet")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("550 5.5.1"), result.stdout
    assert "PREGREET" in server.inside("journalctl", "-u", "postfix@-", "--since", "-2min", "--no-pager")


def test_a_client_that_connects_too_often_is_refused(server):
    # Port 25's smtpd (behind postscreen) has the limit in master.cf.
    setting = server.inside("postconf", "-P", "smtpd/pass/smtpd_client_connection_rate_limit")
    limit = int(setting.rpartition("=")[2])
    assert limit > 0
    result = server.run_inside("python3", "-c", CLIENT_SCRIPT, container_address(server), "flood",
                               str(limit + 5))
    assert result.returncode == 0, result.stderr
    number, _, reply = result.stdout.strip().partition(" ")
    assert reply.startswith("421 4.7.0") and "too many connections" in reply, result.stdout
    # Every connection before it was let in: the limit, not something else, refused it.
    assert int(number) >= limit - 2, result.stdout


# --- Submission -----------------------------------------------------------------------------

def test_a_user_beyond_the_sending_rate_is_refused(server, token):
    burst = int(re.search(r"burst = (\d+);", server.inside("cat", "/etc/rspamd/local.d/ratelimit.conf")).group(1))
    refused = None
    with server.smtp_submission(ERIN) as smtp:
        for n in range(burst + 10):
            try:
                smtp.sendmail(ERIN, [ERIN], raw_message(ERIN, ERIN, "%s %d" % (token, n), "Rate test.\n"))
            except smtplib.SMTPDataError as error:
                refused = (n, error.smtp_code, error.smtp_error)
                break
    assert refused, "%d messages were all accepted" % (burst + 10)
    number, code, reply = refused
    assert code == 451 and b"4.7.1" in reply and b"Ratelimit" in reply, reply
    # A first run empties the bucket (the burst); a run within the hour after finds it nearly empty.
    assert number >= 1, "the first message was refused"
