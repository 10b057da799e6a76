"""Roundcube in a real headless Chromium: login, INBOX, "GestiXi - Sent" (see conftest.py).

Screenshots of every step are kept under tests/output/webmail/ (git-ignored).
"""
from __future__ import annotations

from mailclient import app_password_of

DOMAIN = "example.org"
SENT_COPIES = "GestiXi - Sent"
ALICE = "alice@%s" % DOMAIN
APPLICATION = "invoices@%s" % DOMAIN  # example.org's application credential
CAROL = "carol@%s" % DOMAIN  # has the administrator's automatic reply "Carol is away"
ADMIN_REPLY_SUBJECT = "Carol is away"
ADMIN_REPLY_TEXT = "I am away for a long time"


def test_wrong_password_shows_roundcube_login_error(server, browser):
    page = browser()
    page.login(ALICE, "not-the-password")
    error = page.element("#messagestack div.warning, #messagestack div.error")
    page.screenshot("login-error")
    assert "Login failed" in error.text
    # Still on the login form, not in the mailbox.
    assert page.element("#rcmloginuser")
    assert "_task=mail" not in page.driver.current_url


def test_the_application_credential_does_not_open_the_webmail(server, browser):
    # It sends mail (submission) with this password; Roundcube logs in over IMAP, which refuses it.
    with server.smtp_submission(APPLICATION):
        pass
    page = browser()
    page.login(APPLICATION)
    error = page.element("#messagestack div.warning, #messagestack div.error")
    page.screenshot("application-login")
    assert "Login failed" in error.text
    assert "_task=mail" not in page.driver.current_url


def test_an_app_password_does_not_open_the_webmail(server, browser):
    # bob's app passwords open IMAP from outside (tests/mailflow/test_app_passwords.py);
    # Roundcube logs in from the server itself, where Dovecot refuses app passwords. His main password still works there (test_inbox_... of alice, and below).
    # The IMAP-only "phone" password: each refused login costs every later one Dovecot's
    # penalty (one client address for all tests), so one app password is tried here.
    bob = "bob@%s" % DOMAIN
    phone = app_password_of(bob, "phone")
    server.imap(bob, phone).logout()
    page = browser()
    page.login(bob, phone)
    error = page.element("#messagestack div.warning, #messagestack div.error")
    page.screenshot("app-password-login")
    assert "Login failed" in error.text
    assert "_task=mail" not in page.driver.current_url
    page = browser()
    page.login_ok(bob)


def test_inbox_shows_mail_sent_to_an_alias(server, browser, token):
    subject = "Alias delivery %s" % token
    server.send_from_outside("someone-%s@outside.test" % token, ["contact@%s" % DOMAIN], subject,
                             "Sent to contact@, an alias of alice (%s).\n" % token)
    uids = server.wait_for(ALICE, "INBOX", "SUBJECT", token)
    assert len(uids) == 1, "the alias did not deliver to alice's INBOX"

    page = browser()
    page.login_ok(ALICE)
    page.folder("INBOX")
    row = page.message_row(uids[0])
    assert subject in row.text
    page.screenshot("inbox")
    text = page.open_message(uids[0])
    page.screenshot("message")
    assert subject in text
    assert "contact@%s" % DOMAIN in text
    assert "an alias of alice (%s)" % token in text


def test_gestixi_sent_shows_the_automatic_reply(server, browser, token):
    # A new outside sender each run: the reply memory (:days) never hides this run's reply.
    # The reply itself is discarded on its way out (the test server sends nothing outside);
    # its copy comes back to carol's "GestiXi - Sent".
    sender = "client-%s@outside.test" % token
    server.send_from_outside(sender, [CAROL], "Question %s" % token)
    uids = server.wait_for(CAROL, SENT_COPIES, "HEADER", "To", sender)
    assert len(uids) == 1, "no copy of the automatic reply to %s in %s" % (sender, SENT_COPIES)
    copy = server.fetch(CAROL, SENT_COPIES, uids[0])
    assert copy["Subject"] == ADMIN_REPLY_SUBJECT
    assert copy["Auto-Submitted"].startswith("auto-replied")

    page = browser()
    page.login_ok(CAROL)
    page.screenshot("folders")
    page.folder(SENT_COPIES)
    row = page.message_row(uids[0])
    assert ADMIN_REPLY_SUBJECT in row.text
    page.screenshot("gestixi-sent")
    text = page.open_message(uids[0])
    page.screenshot("automatic-reply")
    assert ADMIN_REPLY_SUBJECT in text
    assert ADMIN_REPLY_TEXT in text
    assert sender in text
