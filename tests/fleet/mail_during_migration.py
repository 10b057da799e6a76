"""Mail sent to mail1 while playbooks/store-migrate.yml moves its store to PostgreSQL.

Run in the background by molecule/fleet/converge.yml:  python mail_during_migration.py REPORT STOP
Sends one message every SEND_INTERVAL seconds to mail1's port 25 until the file STOP exists, as
another provider's MTA would: a temporary refusal (4xx, or no connection) is tried again, a
permanent one (5xx) is a message lost. REPORT (JSON) lists the messages accepted and those
refused for good; test_fleet.py, part migrated, looks for each accepted one in its mailbox.
"""
from __future__ import annotations

import json
import os
import smtplib
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from mailclient import message  # noqa: E402  pylint: disable=wrong-import-position,import-error

MAIL1_SMTP = ("127.0.0.1", 16025)
RECIPIENTS = ("alice@example.org", "bob@example.org", "all@example.org")
# Under Postfix's connection rate limit of port 25 (60 a minute from one client), retries included.
SEND_INTERVAL = 1.5
RETRY_INTERVAL = 1.0
MAX_SECONDS = 600


def send(recipient: str, subject: str) -> tuple[str, str]:
    """('accepted' | 'temporary' | 'permanent', the server's answer)."""
    try:
        with smtplib.SMTP(*MAIL1_SMTP, timeout=30) as smtp:
            smtp.send_message(message("migration@outside.test", [recipient], subject, "Sent during the migration.\n"))
        return "accepted", ""
    except smtplib.SMTPRecipientsRefused as exc:
        code, text = next(iter(exc.recipients.values()))
    except smtplib.SMTPResponseException as exc:
        code, text = exc.smtp_code, exc.smtp_error
    except (OSError, smtplib.SMTPException) as exc:
        return "temporary", repr(exc)
    answer = "%d %s" % (code, text.decode(errors="replace") if isinstance(text, bytes) else text)
    return ("permanent" if 500 <= code < 600 else "temporary"), answer


def main(report_path: str, stop_path: str) -> None:
    accepted, refused, retried = [], [], []
    started = time.monotonic()
    index = 0
    while not os.path.exists(stop_path) and time.monotonic() - started < MAX_SECONDS:
        recipient = RECIPIENTS[index % len(RECIPIENTS)]
        subject = "gestixi-migration-%s-%04d" % (os.getpid(), index)
        outcome, answer = send(recipient, subject)
        while outcome == "temporary" and time.monotonic() - started < MAX_SECONDS:
            retried.append(answer)
            time.sleep(RETRY_INTERVAL)
            outcome, answer = send(recipient, subject)
        (accepted if outcome == "accepted" else refused).append({"to": recipient, "subject": subject, "answer": answer})
        index += 1
        time.sleep(SEND_INTERVAL)
    with open(report_path, "w", encoding="utf-8") as report:
        json.dump({"accepted": accepted, "refused": refused, "retried": retried,
                   "seconds": round(time.monotonic() - started, 1)}, report, indent=1)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
