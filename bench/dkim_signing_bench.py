#!/usr/bin/env python3
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""DKIM signing benchmark (issue 9): messages per second submitted with and without signing.

Boots the project image as the podman container `gestixi-bench-dkim` (its submission port
published on 127.0.0.1 only), converges the server role (rspamd signs on submission) and a
description of one domain with --users users, as bench/delivery_bench.py does (its container
and converge helpers are used). Then, on the same Postfix, rspamd and Dovecot, three series of
--messages messages each, submitted on --connections parallel connections (STARTTLS, logged
in once per connection) from user001 to the other users in turn (delivered to their
mailboxes, the same work in every series):

1. signed: as the role configures it (submission passes through rspamd's milter);
2. unsigned: the milter taken off the submission listener (`postconf -P
   submission/inet/smtpd_milters=` + `postfix reload`);
3. signed again: the milter put back, to show the drift between series.

A series' rate is its messages over the time from the first MAIL FROM to the last 250 after
DATA: signing happens before that answer (the milter runs at end of DATA), so its cost is in
the figure. The script checks that the last message of each series carries a DKIM-Signature
(signed) or none (unsigned) in the recipient's Maildir. Prints each series' rate, and the
unsigned/signed ratio against each signed series. Nothing is asserted on timing.

    .venv/bin/python bench/dkim_signing_bench.py                    # or: ./run bench
    .venv/bin/python bench/dkim_signing_bench.py --messages 1000 --connections 8
"""
from __future__ import annotations

import argparse
import os
import signal
import smtplib
import sys
import tempfile
import threading
import time
import uuid
from email.message import EmailMessage

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import delivery_bench as kit  # noqa: E402  pylint: disable=wrong-import-position

CONTAINER = "gestixi-bench-dkim"
SUBMISSION_MILTER = "submission/inet/smtpd_milters"


def message(sender: str, recipient: str, token: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = recipient
    msg["Subject"] = token
    msg["Message-ID"] = "<%s@bench.example.org>" % token
    msg.set_content("A message of the DKIM signing benchmark.\n" * 20)
    return msg


def submit(port: int, messages: int, connections: int, users: list[str]) -> tuple[float, str]:
    """Seconds to submit `messages` on `connections` parallel sessions; the last token sent."""
    sender = "%s@%s" % (users[0], kit.DOMAIN)
    recipients = ["%s@%s" % (login, kit.DOMAIN) for login in users[1:]] or [sender]
    shares = [messages // connections + (1 if i < messages % connections else 0) for i in range(connections)]
    errors: list[str] = []
    tokens: list[str] = []
    ready = threading.Barrier(connections + 1)

    def session(share: int, offset: int) -> None:
        try:
            with smtplib.SMTP(kit.HOST, port, local_hostname="bench.example.org", timeout=60) as smtp:
                smtp.starttls(context=kit.tls_context())
                smtp.login(sender, kit.password_of(users[0]))
                ready.wait()
                for number in range(share):
                    token = "gd-%s" % uuid.uuid4().hex[:12]
                    recipient = recipients[(offset + number) % len(recipients)]
                    smtp.send_message(message(sender, recipient, token), from_addr=sender, to_addrs=[recipient])
                    tokens.append(token)
        except (smtplib.SMTPException, OSError, threading.BrokenBarrierError) as exc:
            errors.append(str(exc))
            ready.abort()

    threads = [threading.Thread(target=session, args=(share, i * 7)) for i, share in enumerate(shares)]
    for thread in threads:
        thread.start()
    try:
        ready.wait()
    except threading.BrokenBarrierError:
        pass  # a session failed before the start: its error is reported below
    start = time.monotonic()
    for thread in threads:
        thread.join()
    seconds = time.monotonic() - start
    if errors:
        raise SubmissionFailed(errors[0])
    return seconds, tokens[-1]


class SubmissionFailed(Exception):
    pass


def wait_until_accepted(port: int, users: list[str], timeout: float = 120.0) -> None:
    """rspamd answers the milter only once it has loaded (a 451 until then, after a restart)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            submit(port, 1, 1, users)
            return
        except SubmissionFailed as exc:
            if time.monotonic() > deadline:
                raise SystemExit("submission still refused after %.0f s: %s" % (timeout, exc)) from None
            time.sleep(1)


def signed_in_mailbox(token: str, timeout: float = 120.0) -> bool:
    """Whether the delivered message with that token carries a DKIM-Signature."""
    script = ("f=$(grep -l -r -F -- '%s' /var/vmail/%s/*/Maildir/new /var/vmail/%s/*/Maildir/cur 2>/dev/null "
              "| head -n 1); [ -n \"$f\" ] && { grep -c '^DKIM-Signature:' \"$f\" || true; }" % (token, kit.DOMAIN, kit.DOMAIN))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        out = kit.podman("exec", CONTAINER, "sh", "-c", script, check=False).stdout.strip()
        if out:
            return out != "0"
        time.sleep(0.5)
    raise SystemExit("the message %s was not delivered in %.0f s" % (token, timeout))


def set_submission_milter(value: str) -> None:
    kit.podman("exec", CONTAINER, "sh", "-ec", "postconf -P '%s=%s' && postfix reload >/dev/null 2>&1"
               % (SUBMISSION_MILTER, value))


def wait_queue_empty(timeout: float = 300.0) -> None:
    """The deliveries of one series must not slow the next one down."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not kit.podman("exec", CONTAINER, "postqueue", "-j", check=False).stdout.strip():
            return
        time.sleep(0.5)
    raise SystemExit("the queue did not empty in %.0f s" % timeout)


def series(label: str, args: argparse.Namespace, port: int, users: list[str], want_signed: bool) -> float:
    wait_until_accepted(port, users)
    submit(port, max(args.connections, 10), args.connections, users)  # warm-up: rspamd, TLS, auth caches
    wait_queue_empty()
    seconds, last = submit(port, args.messages, args.connections, users)
    signed = signed_in_mailbox(last)
    if signed != want_signed:
        raise SystemExit("%s: the last message %s a DKIM-Signature" % (label, "lacks" if want_signed else "has"))
    wait_queue_empty()
    rate = args.messages / seconds
    print("  %-13s %5d messages in %6.2f s: %7.1f messages/s" % (label, args.messages, seconds, rate),
          file=sys.stderr, flush=True)
    return rate


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--messages", type=int, default=400, help="messages per series (default 400)")
    parser.add_argument("--connections", type=int, default=4, help="parallel submission sessions (default 4)")
    parser.add_argument("--users", type=int, default=5, help="users of the domain (default 5)")
    parser.add_argument("--image", help="image to boot (default: images/build.sh's)")
    parser.add_argument("--keep", action="store_true", help="leave the container running")
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    os.environ.setdefault("CONTAINERS_CONF", os.path.join(kit.ROOT, "images", "containers.conf"))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    image = args.image or kit.build_image()
    kit.remove_container(CONTAINER)
    port = kit.free_port()
    users = kit.logins(max(args.users, 2))
    try:
        print("  container %s from %s (submission %s:%d)" % (CONTAINER, image, kit.HOST, port),
              file=sys.stderr, flush=True)
        kit.start_container(image, kit.free_port(), kit.free_port(), name=CONTAINER, more_ports=((port, 587),))
        with tempfile.TemporaryDirectory(prefix="gestixi-dkim-bench.") as workdir:
            seconds = kit.converge(len(users), workdir, container=CONTAINER)
        print("  converged server + %d users in %.1f s" % (len(users), seconds), file=sys.stderr, flush=True)
        kit.wait_for_smtp(port)
        milter = kit.podman("exec", CONTAINER, "postconf", "-Ph", SUBMISSION_MILTER).stdout.strip()
        if not milter:
            raise SystemExit("the role put no milter on the submission listener")
        signed = series("signed", args, port, users, want_signed=True)
        set_submission_milter("")
        try:
            unsigned = series("unsigned", args, port, users, want_signed=False)
        finally:
            set_submission_milter(milter)
        again = series("signed again", args, port, users, want_signed=True)
        print("\nDKIM signing (rspamd milter) on submission, %d messages per series, %d connections:"
              % (args.messages, args.connections))
        print("  signed        %7.1f messages/s" % signed)
        print("  unsigned      %7.1f messages/s" % unsigned)
        print("  signed again  %7.1f messages/s" % again)
        print("  ratio signed/unsigned: %.2f (first series), %.2f (second)" % (signed / unsigned, again / unsigned))
    finally:
        if args.keep:
            print("  kept %s (podman rm -f %s)" % (CONTAINER, CONTAINER), file=sys.stderr)
        else:
            kit.remove_container(CONTAINER)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
