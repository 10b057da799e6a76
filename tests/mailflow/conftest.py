"""Helpers for the end-to-end mail-flow tests: real SMTP and IMAP against a running server.

The server is the Molecule scenario `default` (or the demo container): Postfix and Dovecot in a
container, its ports published on 127.0.0.1. The example description it serves is
molecule/default/group_vars/all/mail.yml; every password there is "<login>-secret-1".

Environment (defaults are the Molecule scenario's ports):
  GESTIXI_MAIL_HOST          127.0.0.1 (tests talk to loopback only)
  GESTIXI_SMTP_PORT          12525  (container port 25)
  GESTIXI_SUBMISSION_PORT    12587  (587)
  GESTIXI_SMTPS_PORT         12465  (465)
  GESTIXI_IMAP_PORT          12143  (143)
  GESTIXI_IMAPS_PORT         12993  (993)
  GESTIXI_MANAGESIEVE_PORT   14190  (4190)
  GESTIXI_MAIL_CONTAINER     podman container name, for the few checks made inside it
"""
from __future__ import annotations

import imaplib
import os
import smtplib
import ssl
import subprocess
import time
import uuid
from dataclasses import dataclass

import pytest

def password_of(address: str) -> str:
    return "%s-secret-1" % address.split("@")[0]


def _port(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


@dataclass(frozen=True)
class Server:
    host: str
    smtp_port: int
    submission_port: int
    smtps_port: int
    imap_port: int
    imaps_port: int
    managesieve_port: int
    container: str | None

    # --- TLS ------------------------------------------------------------------------------
    @staticmethod
    def tls() -> ssl.SSLContext:
        """The test server has a self-signed certificate: encrypt, do not verify."""
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context

    # --- SMTP -----------------------------------------------------------------------------
    def smtp_plain(self) -> smtplib.SMTP:
        client = smtplib.SMTP(self.host, self.smtp_port, local_hostname="client.outside.test", timeout=30)
        client.ehlo()
        return client

    def smtp_submission(self, login: str | None = None) -> smtplib.SMTP:
        client = smtplib.SMTP(self.host, self.submission_port, local_hostname="client.outside.test", timeout=30)
        client.ehlo()
        client.starttls(context=self.tls())
        client.ehlo()
        if login:
            client.login(login, password_of(login))
        return client

    def smtp_smtps(self, login: str | None = None) -> smtplib.SMTP_SSL:
        client = smtplib.SMTP_SSL(self.host, self.smtps_port, local_hostname="client.outside.test",
                                  context=self.tls(), timeout=30)
        client.ehlo()
        if login:
            client.login(login, password_of(login))
        return client

    # --- IMAP -----------------------------------------------------------------------------
    def imap(self, login: str, password: str | None = None) -> imaplib.IMAP4_SSL:
        client = imaplib.IMAP4_SSL(self.host, self.imaps_port, ssl_context=self.tls(), timeout=30)
        client.login(login, password if password is not None else password_of(login))
        return client

    def imap_starttls(self, login: str, password: str | None = None) -> imaplib.IMAP4:
        client = imaplib.IMAP4(self.host, self.imap_port, timeout=30)
        client.starttls(ssl_context=self.tls())
        client.login(login, password if password is not None else password_of(login))
        return client

    def find(self, login: str, token: str, mailbox: str = "INBOX") -> list[bytes]:
        """Numbers of the messages in `mailbox` whose subject contains token."""
        client = self.imap(login)
        try:
            typ, _ = client.select('"%s"' % mailbox, readonly=True)
            assert typ == "OK", "cannot select %s of %s" % (mailbox, login)
            typ, data = client.search(None, "SUBJECT", '"%s"' % token)
            assert typ == "OK"
            return data[0].split()
        finally:
            client.logout()

    def wait_for(self, login: str, token: str, mailbox: str = "INBOX", timeout: float = 30.0) -> list[bytes]:
        deadline = time.monotonic() + timeout
        while True:
            found = self.find(login, token, mailbox)
            if found or time.monotonic() > deadline:
                return found
            time.sleep(0.5)

    # --- Inside the container -------------------------------------------------------------
    def run_inside(self, *argv: str) -> subprocess.CompletedProcess:
        if not self.container:
            pytest.skip("GESTIXI_MAIL_CONTAINER is not set: no check inside the server")
        return subprocess.run(["podman", "exec", self.container, *argv],
                              capture_output=True, text=True, timeout=60, check=False)

    def wait_queue_empty(self, timeout: float = 30.0) -> None:
        """Wait until Postfix has nothing left to deliver (mail for a skipped user would stay)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            out = self.run_inside("postqueue", "-j").stdout.strip()
            if not out:
                return
            time.sleep(0.5)
        raise AssertionError("the Postfix queue did not empty: %s" % out)


@pytest.fixture(scope="session")
def server() -> Server:
    host = os.environ.get("GESTIXI_MAIL_HOST", "127.0.0.1")
    assert host.startswith("127.") or host in ("::1", "localhost"), "tests talk to loopback only"
    return Server(
        host=host,
        smtp_port=_port("GESTIXI_SMTP_PORT", 12525),
        submission_port=_port("GESTIXI_SUBMISSION_PORT", 12587),
        smtps_port=_port("GESTIXI_SMTPS_PORT", 12465),
        imap_port=_port("GESTIXI_IMAP_PORT", 12143),
        imaps_port=_port("GESTIXI_IMAPS_PORT", 12993),
        managesieve_port=_port("GESTIXI_MANAGESIEVE_PORT", 14190),
        container=os.environ.get("GESTIXI_MAIL_CONTAINER") or None,
    )


@pytest.fixture()
def token() -> str:
    """A subject marker unique to one test, to find its message among earlier runs' mail."""
    return "gestixi-test-%s" % uuid.uuid4().hex[:12]

