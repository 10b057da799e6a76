"""Users' own Sieve rules made in Roundcube, next to the administrator's automatic replies.

What "coexist" means here, checked by real mail (see docs/webmail.md):
  * The administrator's reply (gestixi_responder, Dovecot sieve_before3) and the user's own
    script (Roundcube's managesieve, run after it) are separate files: saving filters and an
    "Out of Office" in Roundcube leaves the administrator's script byte for byte unchanged,
    and the user never sees it.
  * The user's own filters still run for every message, also while the administrator's
    reply answers it (here: a "move to folder" rule files the message).
  * One automatic reply per message: while an administrator's reply is active for the user,
    it is the one sent; the user's own "Out of Office" does not add a second reply (Pigeonhole
    drops a vacation action that an earlier script already performed). A user without an
    active administrator's reply gets their own "Out of Office" reply.
  * Every automatic reply, the administrator's or the user's, leaves a copy in the user's
    "GestiXi - Sent".
"""
from __future__ import annotations

import hashlib

import pytest

DOMAIN = "example.org"
SENT_COPIES = "GestiXi - Sent"
BOB = "bob@%s" % DOMAIN
CAROL = "carol@%s" % DOMAIN  # has the administrator's reply "Carol is away"
DAN = "dan@%s" % DOMAIN  # no administrator's reply
ADMIN_REPLY_SUBJECT = "Carol is away"
FILTER_FOLDER = "Projects"
FILTER_WORD = "gestixi-project"


def sha256_inside(server, path: str) -> str:
    return hashlib.sha256(server.inside("cat", path).encode()).hexdigest()


def select(element, value: str) -> None:
    from selenium.webdriver.support.ui import Select
    Select(element).select_by_value(value)


def saved(page) -> None:
    """Roundcube's "Successfully saved." notice."""
    page.wait(lambda d: any("saved" in e.text.lower()
                            for e in d.find_elements("css selector", "#messagestack div.confirmation")),
              30, "Roundcube did not confirm the save")


def add_filter(page, name: str, word: str, folder: str) -> None:
    """Settings > Filters > Create: "Subject contains <word>" -> "Move message to <folder>"."""
    from selenium.webdriver.common.by import By
    page.open("/?_task=settings&_action=plugin.managesieve")
    page.clickable("a.create[title='Add filter']").click()
    page.driver.switch_to.frame(page.element("iframe#filter-box"))
    try:
        page.element("#_name").send_keys(name)
        select(page.element("#header0"), "subject")
        select(page.element("#rule_op0"), "contains")
        page.element("input[name='_rule_target[0][]']").send_keys(word)
        select(page.element("#action_type0"), "fileinto")
        select(page.element("#action_mailbox0"), folder)
        page.screenshot("filter-form")
        page.driver.find_element(By.CSS_SELECTOR, "button.submit").click()
    finally:
        page.driver.switch_to.default_content()
    saved(page)
    page.wait(lambda d: any(name == row.text.strip()
                            for row in d.find_elements(By.CSS_SELECTOR, "#filterslist tr")),
              30, "the filter is not in the list")
    page.screenshot("filters")


def set_out_of_office(page, subject: str, text: str) -> None:
    """Settings > Out of Office: subject, body, status On, Save."""
    page.open("/?_task=settings&_action=plugin.managesieve-vacation")
    field = page.element("#vacation_subject")
    field.clear()
    field.send_keys(subject)
    body = page.element("#vacation_reason")
    body.clear()
    body.send_keys(text)
    select(page.element("#vacation_status"), "on")
    page.screenshot("out-of-office-form")
    page.clickable("button.submit").click()
    saved(page)
    page.screenshot("out-of-office-saved")


def replies_to(server, login: str, address: str) -> list:
    """Every message in login's INBOX addressed to `address` (the automatic replies)."""
    return [server.fetch(login, "INBOX", uid) for uid in server.search(login, "INBOX", "HEADER", "To", address)]


def test_user_filter_runs_and_admin_reply_answers_once(server, browser, token):
    admin_script = "/var/lib/gestixi-mail/sieve/%s/carol.sieve" % DOMAIN
    before = sha256_inside(server, admin_script)
    server.ensure_folder(CAROL, FILTER_FOLDER)

    page = browser()
    page.login_ok(CAROL)
    add_filter(page, "Project mail %s" % token, FILTER_WORD, FILTER_FOLDER)
    set_out_of_office(page, "Own reply of Carol", "This is Carol's own Out of Office text.")

    # Roundcube wrote the user's script, and only that.
    assert sha256_inside(server, admin_script) == before
    home = "/var/vmail/%s/carol" % DOMAIN
    assert server.inside("readlink", home + "/.dovecot.sieve") == "sieve/roundcube.sieve"
    own = server.inside("cat", home + "/sieve/roundcube.sieve")
    assert 'fileinto "%s"' % FILTER_FOLDER in own
    assert "vacation" in own and "Own reply of Carol" in own
    assert ADMIN_REPLY_SUBJECT not in own

    # A message for the filter, from a sender that has never had a reply (bob's sub-address).
    sender = "bob+%s@%s" % (token, DOMAIN)
    subject = "%s %s" % (FILTER_WORD, token)
    server.submit(BOB, sender, [CAROL], subject)

    # The user's filter ran: filed into the folder, not in the INBOX.
    assert server.wait_for(CAROL, FILTER_FOLDER, "SUBJECT", token), "the user's filter did not file the message"
    assert server.search(CAROL, "INBOX", "SUBJECT", token) == []
    # The administrator's reply answered, and it is the only reply.
    assert server.wait_for(BOB, "INBOX", "HEADER", "To", sender), "no automatic reply reached the sender"
    server.wait_queue_empty()
    replies = replies_to(server, BOB, sender)
    assert [reply["Subject"] for reply in replies] == [ADMIN_REPLY_SUBJECT]
    # Its copy is in carol's "GestiXi - Sent".
    assert server.wait_for(CAROL, SENT_COPIES, "HEADER", "To", sender)

    # And Roundcube shows the filed message in the folder.
    page.open("/?_task=mail")
    page.folder(FILTER_FOLDER)
    [uid] = server.search(CAROL, FILTER_FOLDER, "SUBJECT", token)
    assert subject in page.message_row(uid).text
    page.screenshot("filtered-message")


def test_users_own_out_of_office_replies_without_an_admin_reply(server, browser, token):
    assert server.run_inside("test", "-e", "/var/lib/gestixi-mail/sieve/%s/dan.sieve" % DOMAIN).returncode != 0, \
        "dan must have no administrator's reply for this test"
    page = browser()
    page.login_ok(DAN)
    set_out_of_office(page, "Own reply of Dan", "This is Dan's own Out of Office text.")

    sender = "bob+%s@%s" % (token, DOMAIN)
    server.submit(BOB, sender, [DAN], "Hello Dan %s" % token)
    assert server.wait_for(DAN, "INBOX", "SUBJECT", token), "the message was not kept in the INBOX"
    assert server.wait_for(BOB, "INBOX", "HEADER", "To", sender), "no automatic reply reached the sender"
    server.wait_queue_empty()
    replies = replies_to(server, BOB, sender)
    assert [reply["Subject"] for reply in replies] == ["Own reply of Dan"]
    assert "Dan's own Out of Office text" in replies[0].get_content()
    # The user's own reply is copied to "GestiXi - Sent" too.
    [uid] = server.wait_for(DAN, SENT_COPIES, "HEADER", "To", sender)

    page.open("/?_task=mail")
    page.folder(SENT_COPIES)
    assert "Own reply of Dan" in page.message_row(uid).text
    page.screenshot("own-reply-copy")


@pytest.fixture(autouse=True)
def _needs_container(server):
    if not server.container:
        pytest.skip("these checks read the Sieve files inside the server (GESTIXI_MAIL_CONTAINER)")
