"""Helpers for the webmail tests: a real headless Chromium on Roundcube, real SMTP, IMAP and HTTP.

The server is the Molecule scenario `default` (or the demo container): Postfix, Dovecot and
Roundcube (gestixi.mail.webmail) in one container, its ports published on 127.0.0.1. The
description it serves is molecule/default/group_vars/all/mail.yml; every password there is
"<login>-secret-1". The SMTP/IMAP client side is tests/mailclient.py.

Environment: the GESTIXI_* variables of tests/mailflow/conftest.py (the same server and ports), and
  GESTIXI_WEBMAIL_HTTP_PORT  18080  (80)
  GESTIXI_WEBMAIL_HTTPS_PORT 18443  (443)
  GESTIXI_MAIL_CONTAINER     podman container name (gestixi-molecule-default), for the
                             checks made inside it (the server's real ports, Sieve files)
  GESTIXI_CHROMIUM           /usr/bin/chromium      GESTIXI_CHROMEDRIVER /usr/bin/chromedriver
  GESTIXI_WEBMAIL_ARTIFACTS  where screenshots go (default <repo>/tests/output/webmail)
"""
from __future__ import annotations

import base64
import os
import re
import shutil
import sys
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from mailclient import Server, password_of  # noqa: E402  pylint: disable=wrong-import-position

REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class WebmailServer(Server):
    """The mail server (tests/mailclient.py) and its webmail: Roundcube and the client documents."""

    http_port: int
    https_port: int

    PORTS: ClassVar[dict[str, tuple[str, int]]] = {
        **Server.PORTS,
        "http_port": ("GESTIXI_WEBMAIL_HTTP_PORT", 80),
        "https_port": ("GESTIXI_WEBMAIL_HTTPS_PORT", 443),
    }

    @property
    def http(self) -> str:
        return "http://%s:%d" % (self.host, self.http_port)

    @property
    def https(self) -> str:
        return "https://%s:%d" % (self.host, self.https_port)


@pytest.fixture(scope="session")
def server() -> WebmailServer:
    webmail_server = WebmailServer.from_environment(
        smtp_port=12525, submission_port=12587, smtps_port=12465, imap_port=12143, imaps_port=12993,
        managesieve_port=14190, http_port=18080, https_port=18443, container="gestixi-molecule-default")
    webmail_server.pass_postscreen()
    return webmail_server


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

    def __init__(self, server: WebmailServer, name: str) -> None:
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
