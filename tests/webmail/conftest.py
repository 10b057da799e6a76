"""Helpers for the webmail tests: a real headless Chromium on Roundcube, real SMTP, IMAP and HTTP.

The server is the Molecule scenario `webmail` (or the demo container): Postfix, Dovecot and
Roundcube (gestixi.mail.webmail) in one container, its ports published on 127.0.0.1. The
description it serves is molecule/webmail/group_vars/all/mail.yml; every password there is
"<login>-secret-1".

Environment (defaults are the Molecule scenario's ports):
  GESTIXI_MAIL_HOST          127.0.0.1 (tests talk to loopback only)
  GESTIXI_SMTP_PORT          22525  (container port 25)
  GESTIXI_SUBMISSION_PORT    22587  (587)
  GESTIXI_SMTPS_PORT         22465  (465)
  GESTIXI_IMAP_PORT          22143  (143)
  GESTIXI_IMAPS_PORT         22993  (993)
  GESTIXI_MANAGESIEVE_PORT   24190  (4190)
  GESTIXI_WEBMAIL_HTTP_PORT  28080  (80)
  GESTIXI_WEBMAIL_HTTPS_PORT 28443  (443)
  GESTIXI_MAIL_CONTAINER     podman container name (gestixi-molecule-webmail), for the
                             checks made inside it (the server's real ports, Sieve files)
  GESTIXI_CHROMIUM           /usr/bin/chromium      GESTIXI_CHROMEDRIVER /usr/bin/chromedriver
  GESTIXI_WEBMAIL_ARTIFACTS  where screenshots go (default <repo>/tests/output/webmail)
"""
from __future__ import annotations

import base64
import email
import email.policy
import imaplib
import os
import re
import shutil
import smtplib
import ssl
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DOMAIN = "example.org"
OTHER_DOMAIN = "example.net"
SENT_COPIES = "GestiXi - Sent"


def password_of(address: str) -> str:
    return "%s-secret-1" % address.split("@")[0].split("+")[0]


def _port(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def tls_no_verify() -> ssl.SSLContext:
    """From the host the certificate's name (the server's host name) cannot match 127.0.0.1."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def imap_quote(mailbox: str) -> str:
    return '"%s"' % mailbox.replace("\\", "\\\\").replace('"', '\\"')


@dataclass(frozen=True)
class Server:
    host: str
    smtp_port: int
    submission_port: int
    smtps_port: int
    imap_port: int
    imaps_port: int
    managesieve_port: int
    http_port: int
    https_port: int
    container: str | None

    # --- What the host's published ports stand for -----------------------------------------
    def published(self, container_port: int) -> int:
        """The host port that reaches a port of the container."""
        ports = {25: self.smtp_port, 587: self.submission_port, 465: self.smtps_port,
                 143: self.imap_port, 993: self.imaps_port, 4190: self.managesieve_port,
                 80: self.http_port, 443: self.https_port}
        assert container_port in ports, "container port %s is not published" % container_port
        return ports[container_port]

    @property
    def http(self) -> str:
        return "http://%s:%d" % (self.host, self.http_port)

    @property
    def https(self) -> str:
        return "https://%s:%d" % (self.host, self.https_port)

    # --- SMTP ----------------------------------------------------------------------------------
    def send_from_outside(self, sender: str, recipients: list[str], subject: str,
                          body: str = "Hello from the gestixi.mail webmail tests.\n") -> None:
        """Port 25, no authentication, like mail from another provider."""
        with smtplib.SMTP(self.host, self.smtp_port, local_hostname="client.outside.test", timeout=30) as smtp:
            refused = smtp.send_message(message(sender, recipients, subject, body),
                                        from_addr=sender, to_addrs=recipients)
        assert refused == {}

    def submit(self, login: str, sender: str, recipients: list[str], subject: str,
               body: str = "Hello from the gestixi.mail webmail tests.\n") -> None:
        """Authenticated submission (587, STARTTLS) as `login`."""
        with smtplib.SMTP(self.host, self.submission_port, local_hostname="client.outside.test", timeout=30) as smtp:
            smtp.starttls(context=tls_no_verify())
            smtp.login(login, password_of(login))
            refused = smtp.send_message(message(sender, recipients, subject, body),
                                        from_addr=sender, to_addrs=recipients)
        assert refused == {}

    # --- IMAP ----------------------------------------------------------------------------------
    def imap(self, login: str) -> imaplib.IMAP4_SSL:
        client = imaplib.IMAP4_SSL(self.host, self.imaps_port, ssl_context=tls_no_verify(), timeout=30)
        client.login(login, password_of(login))
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
        deadline = time.monotonic() + timeout
        while True:
            found = self.search(login, mailbox, *criteria)
            if found or time.monotonic() > deadline:
                return found
            time.sleep(0.5)

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

    # --- Inside the container -------------------------------------------------------------------
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
        deadline = time.monotonic() + timeout
        out = ""
        while time.monotonic() < deadline:
            out = self.inside("postqueue", "-j")
            if not out:
                return
            time.sleep(0.5)
        raise AssertionError("the Postfix queue did not empty: %s" % out)


def message(sender: str, recipients: list[str], subject: str, body: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = ", ".join(recipients)
    msg["Subject"] = subject
    msg["Message-ID"] = "<%s@client.outside.test>" % uuid.uuid4().hex
    msg["Date"] = email.utils.formatdate(localtime=True)
    msg.set_content(body)
    return msg


@pytest.fixture(scope="session")
def server() -> Server:
    host = os.environ.get("GESTIXI_MAIL_HOST", "127.0.0.1")
    assert host.startswith("127.") or host in ("::1", "localhost"), "tests talk to loopback only"
    return Server(
        host=host,
        smtp_port=_port("GESTIXI_SMTP_PORT", 22525),
        submission_port=_port("GESTIXI_SUBMISSION_PORT", 22587),
        smtps_port=_port("GESTIXI_SMTPS_PORT", 22465),
        imap_port=_port("GESTIXI_IMAP_PORT", 22143),
        imaps_port=_port("GESTIXI_IMAPS_PORT", 22993),
        managesieve_port=_port("GESTIXI_MANAGESIEVE_PORT", 24190),
        http_port=_port("GESTIXI_WEBMAIL_HTTP_PORT", 28080),
        https_port=_port("GESTIXI_WEBMAIL_HTTPS_PORT", 28443),
        container=os.environ.get("GESTIXI_MAIL_CONTAINER", "gestixi-molecule-webmail") or None,
    )


@pytest.fixture()
def token() -> str:
    """A marker unique to one test, to find its messages among earlier runs' mail."""
    return "gx%s" % uuid.uuid4().hex[:12]


# --- The browser ---------------------------------------------------------------------------------
ARTIFACTS = Path(os.environ.get("GESTIXI_WEBMAIL_ARTIFACTS", REPO / "tests" / "output" / "webmail"))
CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage", "--window-size=1400,1000",
    # The test server's certificate is self-signed (for its host name, not 127.0.0.1).
    "--ignore-certificate-errors",
)


class Browser:
    """A headless Chromium driven by Selenium, with Roundcube steps and screenshots."""

    def __init__(self, server: Server, name: str) -> None:
        # Imported here: the HTTP-only tests run without Selenium installed.
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        chromium = os.environ.get("GESTIXI_CHROMIUM", "/usr/bin/chromium")
        driver = os.environ.get("GESTIXI_CHROMEDRIVER", "/usr/bin/chromedriver")
        for path in (chromium, driver):
            if not os.access(path, os.X_OK):
                pytest.fail("%s is missing: apt-get install chromium chromium-driver" % path)
        self.server = server
        self.name = name
        self.shots = 0
        self.profile = tempfile.mkdtemp(prefix="gestixi-chromium-")
        options = webdriver.ChromeOptions()
        options.binary_location = chromium
        for flag in CHROMIUM_FLAGS:
            options.add_argument(flag)
        options.add_argument("--user-data-dir=%s" % self.profile)
        # Selenium Manager must not look for a driver online: the driver is given.
        os.environ.setdefault("SE_OFFLINE", "true")
        self.driver = webdriver.Chrome(options=options, service=Service(driver))
        self.driver.set_page_load_timeout(60)

    def close(self) -> None:
        try:
            self.driver.quit()
        finally:
            shutil.rmtree(self.profile, ignore_errors=True)

    # --- Generic steps ---------------------------------------------------------------------------
    def wait(self, condition, timeout: float = 30.0, message: str = ""):
        from selenium.webdriver.support.ui import WebDriverWait
        return WebDriverWait(self.driver, timeout, poll_frequency=0.25).until(condition, message)

    def element(self, css: str, timeout: float = 30.0):
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support import expected_conditions as ec
        return self.wait(ec.visibility_of_element_located((By.CSS_SELECTOR, css)), timeout,
                         "no visible %s" % css)

    def clickable(self, css: str, timeout: float = 30.0):
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support import expected_conditions as ec
        return self.wait(ec.element_to_be_clickable((By.CSS_SELECTOR, css)), timeout,
                         "nothing clickable at %s" % css)

    def screenshot(self, step: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.shots += 1
        path = ARTIFACTS / ("%s-%02d-%s.png" % (self.name, self.shots, re.sub(r"[^A-Za-z0-9_.-]+", "-", step)))
        self.driver.save_screenshot(str(path))
        return path

    def open(self, path: str = "/") -> None:
        self.driver.get(self.server.https + path)

    # --- Roundcube ------------------------------------------------------------------------------
    def login(self, address: str, password: str | None = None) -> None:
        self.driver.delete_all_cookies()
        self.open("/")
        user = self.element("#rcmloginuser")
        user.clear()
        user.send_keys(address)
        secret = self.element("#rcmloginpwd")
        secret.clear()
        secret.send_keys(password if password is not None else password_of(address))
        self.clickable("#rcmloginsubmit").click()

    def login_ok(self, address: str) -> None:
        self.login(address)
        self.element("#mailboxlist", timeout=60)
        self.wait(lambda d: "_task=mail" in d.current_url, 60, "no mail view after login")
        self.ready()

    def ready(self, timeout: float = 60.0) -> None:
        """Wait until Roundcube's page script has started and is not busy with a request."""
        self.wait(lambda d: d.execute_script(
            "return document.readyState === 'complete' && !!window.rcmail && !!rcmail.env"
            " && !!rcmail.env.task && rcmail.busy === false"), timeout, "Roundcube is not ready")

    def folder(self, name: str) -> None:
        """Click a folder of the folder list (by its name) and wait until it is the selected one."""
        from selenium.common.exceptions import TimeoutException
        from selenium.webdriver.common.by import By

        def selected(d) -> bool:
            links = d.find_elements(By.CSS_SELECTOR, "#mailboxlist li.selected > a")
            return bool(links) and links[0].get_attribute("rel") == name

        for attempt in range(3):
            self.ready()
            link = self.wait(lambda d: next((a for a in d.find_elements(By.CSS_SELECTOR, "#mailboxlist li a")
                                             if a.get_attribute("rel") == name), False),
                             30, "no folder %s in the folder list" % name)
            link.click()
            try:
                self.wait(selected, 15, "folder %s is not selected" % name)
                self.ready()
                return
            except TimeoutException:
                if attempt == 2:
                    raise

    @staticmethod
    def row_id(uid: int) -> str:
        """Roundcube's id of a message list row: "rcmrow" + its UID in unpadded URL-safe base64."""
        encoded = base64.b64encode(str(uid).encode("ascii")).decode("ascii")
        return "rcmrow" + encoded.rstrip("=").replace("+", "-").replace("/", "_")

    def message_row(self, uid: int, timeout: float = 60.0):
        return self.element("#messagelist tr#%s" % self.row_id(uid), timeout)

    def open_message(self, uid: int) -> str:
        """Open a message of the current folder (by IMAP UID): the text of its preview."""
        from selenium.webdriver.common.by import By
        self.message_row(uid).click()
        frame = self.element("#messagecontframe")
        self.driver.switch_to.frame(frame)
        try:
            body = self.wait(lambda d: d.find_element(By.CSS_SELECTOR, "#messagebody")
                             if d.find_elements(By.CSS_SELECTOR, "#messagebody") else False,
                             30, "the message did not open")
            # The header's textContent includes its collapsed details (To, Cc, Date).
            header = self.driver.find_element(By.CSS_SELECTOR, "#message-header").get_attribute("textContent")
            return " ".join(header.split()) + "\n" + body.text
        finally:
            self.driver.switch_to.default_content()


@pytest.fixture(scope="session", autouse=True)
def fresh_artifacts() -> None:
    """Screenshots of this run only."""
    shutil.rmtree(ARTIFACTS, ignore_errors=True)


@pytest.fixture()
def browser(request, server):
    created: list[Browser] = []

    def make(name: str | None = None) -> Browser:
        one = Browser(server, name or request.node.name)
        created.append(one)
        return one

    yield make
    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    for one in created:
        if failed:
            try:
                one.screenshot("FAILED")
            except Exception:  # noqa: BLE001 - a screenshot must not hide the test's own failure
                pass
        one.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, "rep_" + report.when, report)
