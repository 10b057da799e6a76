"""Bob's app passwords (molecule/default/group_vars/all/mail.yml), from outside the server.

`phone` is for IMAP only, `laptop` for IMAP and submission; neither opens ManageSieve (nor the
webmail: tests/webmail/test_roundcube.py). Their plain texts follow tests/mailclient.py.

Run in two parts (GESTIXI_APP_PASSWORDS_PART): `described` (the default, with the rest of
tests/mailflow) while both are described, and `revoked` after molecule/default/verify.yml has
converged bob without `phone`: the revoked one no longer logs in, the other still does.
"""
from __future__ import annotations

import base64
import imaplib
import os
import smtplib
import socket
import ssl

import pytest

from mailclient import Server, app_password_of, message, password_of, tls_no_verify

BOB = "bob@example.org"
PHONE = app_password_of(BOB, "phone")  # imap
LAPTOP = app_password_of(BOB, "laptop")  # imap, smtp
PART = os.environ.get("GESTIXI_APP_PASSWORDS_PART", "described")

described = pytest.mark.skipif(PART != "described", reason="part 'described' (GESTIXI_APP_PASSWORDS_PART)")
revoked = pytest.mark.skipif(PART != "revoked", reason="part 'revoked' (GESTIXI_APP_PASSWORDS_PART)")


def imap_login(server: Server, password: str) -> bool:
    try:
        client = server.imap(BOB, password)
    except imaplib.IMAP4.error:
        return False
    try:
        typ, _ = client.select("INBOX", readonly=True)
        assert typ == "OK"
    finally:
        client.logout()
    return True


def imap_starttls_login(server: Server, password: str) -> bool:
    try:
        server.imap_starttls(BOB, password).logout()
    except imaplib.IMAP4.error:
        return False
    return True


def submission_login(server: Server, password: str, smtps: bool = False) -> bool:
    client = server.smtp_smtps() if smtps else server.smtp_submission()
    with client:
        try:
            server.smtp_login_once(client, BOB, password)
        except smtplib.SMTPAuthenticationError:
            return False
    return True


def _sieve_response(stream) -> bytes:
    """Lines up to the one that ends a ManageSieve response (OK, NO or BYE)."""
    lines = b""
    while True:
        line = stream.readline()
        if not line:
            return lines
        lines += line
        if line.startswith((b"OK", b"NO", b"BYE")):
            return lines


def managesieve_login(server: Server, password: str) -> bool:
    """STARTTLS, then AUTHENTICATE PLAIN (RFC 5804), as Roundcube's managesieve plugin does."""
    with socket.create_connection((server.host, server.managesieve_port), timeout=30) as sock:
        plain = sock.makefile("rb")
        assert _sieve_response(plain).splitlines()[-1].startswith(b"OK")
        sock.sendall(b"STARTTLS\r\n")
        assert _sieve_response(plain).startswith(b"OK")
        with tls_no_verify().wrap_socket(sock, server_hostname=None) as tls:
            stream = tls.makefile("rb")
            assert _sieve_response(stream).splitlines()[-1].startswith(b"OK")  # capabilities again
            token = base64.b64encode(b"\0" + BOB.encode() + b"\0" + password.encode())
            tls.sendall(b'AUTHENTICATE "PLAIN" "' + token + b'"\r\n')
            answer = _sieve_response(stream).splitlines()[-1]
            try:
                tls.sendall(b"LOGOUT\r\n")
            except (OSError, ssl.SSLError):
                pass
    return answer.startswith(b"OK")


@described
def test_the_main_password_still_opens_everything(server):
    assert imap_login(server, password_of(BOB))
    assert submission_login(server, password_of(BOB))
    assert managesieve_login(server, password_of(BOB))


@described
def test_an_imap_only_app_password_logs_in_over_imap(server):
    assert imap_login(server, PHONE)
    assert imap_starttls_login(server, PHONE)


@described
def test_an_imap_only_app_password_is_refused_on_submission(server):
    assert not submission_login(server, PHONE)
    assert not submission_login(server, PHONE, smtps=True)


@described
def test_app_passwords_are_refused_on_managesieve(server):
    assert not managesieve_login(server, PHONE)
    assert not managesieve_login(server, LAPTOP)


@described
def test_an_imap_and_smtp_app_password_works_on_both(server, token):
    assert imap_login(server, LAPTOP)
    assert submission_login(server, LAPTOP)
    assert submission_login(server, LAPTOP, smtps=True)
    # and sends as bob, like his main password
    with server.smtp_submission() as smtp:
        smtp.login(BOB, LAPTOP)
        refused = smtp.send_message(message(BOB, ["alice@example.org"], "App password %s" % token, "Hi.\n"),
                                    from_addr=BOB, to_addrs=["alice@example.org"])
    assert refused == {}
    assert server.wait_for("alice@example.org", "INBOX", "SUBJECT", token)


@described
def test_a_wrong_app_password_fails_everywhere(server):
    wrong = app_password_of(BOB, "tablet")
    assert not imap_login(server, wrong)
    assert not submission_login(server, wrong)
    # another user's app password is not bob's, nor is bob's another user's
    try:
        server.imap("alice@example.org", PHONE).logout()
        logged_in = True
    except imaplib.IMAP4.error:
        logged_in = False
    assert not logged_in


@revoked
def test_a_revoked_app_password_no_longer_logs_in(server):
    assert not imap_login(server, PHONE)
    assert not imap_starttls_login(server, PHONE)


@revoked
def test_the_app_password_still_described_still_works(server):
    assert imap_login(server, LAPTOP)
    assert submission_login(server, LAPTOP)
    assert imap_login(server, password_of(BOB))
