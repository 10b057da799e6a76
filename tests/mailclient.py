"""The client side of the end-to-end tests (tests/mailflow, tests/webmail): real SMTP and IMAP.

The server is a Molecule scenario (or the demo container): Postfix and Dovecot in a container,
its ports published on 127.0.0.1. Every password of the descriptions the scenarios serve is
"<login>-secret-1", and of an app password "<login>-<name>-app-1". The conftest.py of each test folder makes its `server` fixture with
Server.from_environment, its scenario's ports as the defaults; its docstring lists the GESTIXI_*
variables (Server.PORTS names those of the ports).

A conftest.py imports this module after putting tests/ on sys.path: pytest runs with
--import-mode=importlib (pytest.ini), so no test folder is on sys.path by itself.
"""
from __future__ import annotations

import email
import email.policy
import email.utils
import imaplib
import os
import smtplib
import ssl
import subprocess
import time
import uuid
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Callable, ClassVar, TypeVar

import pytest

T = TypeVar("T")


def password_of(address: str) -> str:
    return "%s-secret-1" % address.split("@")[0].split("+")[0]


def app_password_of(address: str, name: str) -> str:
    """The plain text of a user's app password `name` in the scenarios' descriptions."""
    return "%s-%s-app-1" % (address.split("@")[0], name)


def port(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def tls_no_verify() -> ssl.SSLContext:
    """From the host the certificate's name (the server's host name) cannot match 127.0.0.1."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def imap_quote(mailbox: str) -> str:
    return '"%s"' % mailbox.replace("\\", "\\\\").replace('"', '\\"')


def poll(probe: Callable[[], T], timeout: float) -> T:
    """probe() every half second until it returns something true or `timeout` has passed."""
    deadline = time.monotonic() + timeout
    while True:
        found = probe()
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.5)


def message(sender: str, recipients: list[str], subject: str, body: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = ", ".join(recipients)
    msg["Subject"] = subject
    msg["Message-ID"] = "<%s@client.outside.test>" % uuid.uuid4().hex
    msg["Date"] = email.utils.formatdate(localtime=True)
    msg.set_content(body)
    return msg


# The EICAR test file: harmless text that every antivirus reports as a virus.
EICAR = r"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


def eicar_message(sender: str, recipient: str, subject: str) -> EmailMessage:
    """A message with the EICAR test file attached (eicar.com, application/octet-stream)."""
    msg = message(sender, [recipient], subject, "The test file is attached.\n")
    msg.add_attachment(EICAR.encode(), maintype="application", subtype="octet-stream", filename="eicar.com")
    return msg


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

    # Each port field: the environment variable that sets it, the container port it publishes.
    PORTS: ClassVar[dict[str, tuple[str, int]]] = {
        "smtp_port": ("GESTIXI_SMTP_PORT", 25),
        "submission_port": ("GESTIXI_SUBMISSION_PORT", 587),
        "smtps_port": ("GESTIXI_SMTPS_PORT", 465),
        "imap_port": ("GESTIXI_IMAP_PORT", 143),
        "imaps_port": ("GESTIXI_IMAPS_PORT", 993),
        "managesieve_port": ("GESTIXI_MANAGESIEVE_PORT", 4190),
    }

    @classmethod
    def from_environment(cls, container: str | None = None, **ports: int) -> Server:
        """The server the environment names; `ports` (by field name) and `container` are the defaults."""
        host = os.environ.get("GESTIXI_MAIL_HOST", "127.0.0.1")
        assert host.startswith("127.") or host in ("::1", "localhost"), "tests talk to loopback only"
        assert set(ports) == set(cls.PORTS), "a default for each of %s" % ", ".join(cls.PORTS)
        return cls(
            host=host,
            **{field: port(cls.PORTS[field][0], default) for field, default in ports.items()},
            container=os.environ.get("GESTIXI_MAIL_CONTAINER", container) or None,
        )

    # --- What the host's published ports stand for -----------------------------------------
    def published(self, container_port: int) -> int:
        """The host port that reaches a port of the container."""
        ports = {inside: getattr(self, field) for field, (_, inside) in self.PORTS.items()}
        assert container_port in ports, "container port %s is not published" % container_port
        return ports[container_port]

    # --- SMTP -----------------------------------------------------------------------------
    def pass_postscreen(self) -> None:
        """Let postscreen (port 25) know this client: a new client is told once to come back.

        postscreen's deep protocol tests answer a new client's RCPT with 450 4.3.2 and let it
        through from its next connection on (greylisting's effect); every test client of the
        host has the same address, so once per run is enough.
        """
        for _ in range(2):
            with self.smtp_plain() as smtp:
                code, reply = smtp.mail("postscreen-check@client.outside.test")
                assert code == 250, reply
                code, reply = smtp.rcpt("postmaster@example.org")
                smtp.rset()
            if code != 450:
                return
        raise AssertionError("postscreen still refuses this client: %s %s" % (code, reply))

    def smtp_plain(self) -> smtplib.SMTP:
        client = smtplib.SMTP(self.host, self.smtp_port, local_hostname="client.outside.test", timeout=30)
        client.ehlo()
        return client

    def smtp_submission(self, login: str | None = None) -> smtplib.SMTP:
        client = smtplib.SMTP(self.host, self.submission_port, local_hostname="client.outside.test", timeout=30)
        client.ehlo()
        client.starttls(context=tls_no_verify())
        client.ehlo()
        if login:
            client.login(login, password_of(login))
        return client

    @staticmethod
    def smtp_login_once(client: smtplib.SMTP, login: str, password: str) -> None:
        """One AUTH PLAIN attempt (SMTPAuthenticationError when refused). smtplib's login() tries
        every mechanism the server offers: each refused one makes Dovecot wait longer before it
        answers the next login from this address, the tests' own included."""
        client.ehlo_or_helo_if_needed()
        client.user, client.password = login, password
        client.auth("PLAIN", client.auth_plain)

    def smtp_smtps(self, login: str | None = None) -> smtplib.SMTP_SSL:
        client = smtplib.SMTP_SSL(self.host, self.smtps_port, local_hostname="client.outside.test",
                                  context=tls_no_verify(), timeout=30)
        client.ehlo()
        if login:
            client.login(login, password_of(login))
        return client

    def send_from_outside(self, sender: str, recipients: list[str], subject: str,
                          body: str = "Hello from the gestixi.mail webmail tests.\n") -> None:
        """Port 25, no authentication, like mail from another provider."""
        with self.smtp_plain() as smtp:
            refused = smtp.send_message(message(sender, recipients, subject, body),
                                        from_addr=sender, to_addrs=recipients)
        assert refused == {}

    def send_from_outside_message(self, msg: EmailMessage) -> None:
        """Port 25, no authentication: a whole message, envelope from its From and To."""
        with self.smtp_plain() as smtp:
            assert smtp.send_message(msg) == {}

    def submit(self, login: str, sender: str, recipients: list[str], subject: str,
               body: str = "Hello from the gestixi.mail webmail tests.\n") -> None:
        """Authenticated submission (587, STARTTLS) as `login`."""
        with self.smtp_submission(login) as smtp:
            refused = smtp.send_message(message(sender, recipients, subject, body),
                                        from_addr=sender, to_addrs=recipients)
        assert refused == {}

    # --- IMAP -----------------------------------------------------------------------------
    def imap(self, login: str, password: str | None = None) -> imaplib.IMAP4_SSL:
        client = imaplib.IMAP4_SSL(self.host, self.imaps_port, ssl_context=tls_no_verify(), timeout=30)
        client.login(login, password if password is not None else password_of(login))
        return client

    def imap_starttls(self, login: str, password: str | None = None) -> imaplib.IMAP4:
        client = imaplib.IMAP4(self.host, self.imap_port, timeout=30)
        client.starttls(ssl_context=tls_no_verify())
        client.login(login, password if password is not None else password_of(login))
        return client

    def search(self, login: str, mailbox: str, *criteria: str) -> list[int]:
        """UIDs of the messages of `mailbox` that match the IMAP search criteria."""
        client = self.imap(login)
        try:
            typ, _ = client.select(imap_quote(mailbox), readonly=True)
            assert typ == "OK", "cannot select %s of %s" % (mailbox, login)
            typ, data = client.uid("SEARCH", *criteria)
            assert typ == "OK", data
            return [int(uid) for uid in data[0].split()]
        finally:
            client.logout()

    def wait_for(self, login: str, mailbox: str, *criteria: str, timeout: float = 60.0) -> list[int]:
        return poll(lambda: self.search(login, mailbox, *criteria), timeout)

    def find_subject(self, login: str, token: str, mailbox: str = "INBOX") -> list[int]:
        """UIDs of the messages in `mailbox` whose subject contains token."""
        return self.search(login, mailbox, "SUBJECT", '"%s"' % token)

    def wait_for_subject(self, login: str, token: str, mailbox: str = "INBOX",
                         timeout: float = 30.0) -> list[int]:
        return poll(lambda: self.find_subject(login, token, mailbox), timeout)

    def fetch(self, login: str, mailbox: str, uid: int) -> EmailMessage:
        client = self.imap(login)
        try:
            client.select(imap_quote(mailbox), readonly=True)
            typ, data = client.uid("FETCH", str(uid), "(BODY.PEEK[])")
            assert typ == "OK" and data and data[0], data
            return email.message_from_bytes(data[0][1], policy=email.policy.default)
        finally:
            client.logout()

    def ensure_folder(self, login: str, mailbox: str) -> None:
        client = self.imap(login)
        try:
            typ, data = client.list('""', imap_quote(mailbox))
            if not data or data[0] is None:
                typ, data = client.create(imap_quote(mailbox))
                assert typ == "OK", data
            client.subscribe(imap_quote(mailbox))
        finally:
            client.logout()

    # --- Inside the container -------------------------------------------------------------
    def run_inside(self, *argv: str, stdin: str | None = None) -> subprocess.CompletedProcess:
        if not self.container:
            pytest.skip("GESTIXI_MAIL_CONTAINER is not set: no check inside the server")
        return subprocess.run(["podman", "exec", "-i", self.container, *argv], input=stdin,
                              capture_output=True, text=True, timeout=120, check=False)

    def inside(self, *argv: str) -> str:
        result = self.run_inside(*argv)
        assert result.returncode == 0, "%s: %s" % (" ".join(argv), result.stderr)
        return result.stdout.strip()

    def wait_queue_empty(self, timeout: float = 60.0) -> None:
        """Wait until Postfix has nothing left to deliver (mail for a skipped user would stay)."""
        deadline = time.monotonic() + timeout
        out = ""
        while time.monotonic() < deadline:
            out = self.inside("postqueue", "-j")
            if not out:
                return
            time.sleep(0.5)
        raise AssertionError("the Postfix queue did not empty: %s" % out)
