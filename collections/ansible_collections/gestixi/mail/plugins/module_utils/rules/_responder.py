# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The rules of an automatic reply's fields: the gate on the controller and gestixi_responder
on the host both use these, so that they give the same verdict in the same words.

Each check returns the canonical value or raises ValueError in an operator's words. The
limits are also in meta/description.schema.json (for editors); a unit test proves they agree.
"""
from __future__ import annotations

import re
import unicodedata

from ansible_collections.gestixi.mail.plugins.module_utils.rules._dates import canonical_day

# What a new automatic reply gets for a field left out (the module's option names).
DEFAULTS = {"enabled": True, "subject": "", "body": "", "start": "", "end": "", "days": 7}
MAX_NAME = 64
MAX_SUBJECT = 255
MAX_BODY = 10000
MIN_DAYS, MAX_DAYS = 1, 365
_NEWLINES = re.compile("\r\n|\r")
# Subject: any control character (C0 with TAB, CR, LF; DEL; C1) and the Unicode line separators.
_SUBJECT_BAD = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# Body (after CRLF/CR -> LF): control characters except TAB and LF.
_BODY_BAD = re.compile("[\x00-\x08\x0b-\x1f\x7f]")


def check_name(name: object) -> str:
    if not isinstance(name, str) or not name.strip():
        raise ValueError("a name is required: it identifies the automatic reply")
    if name != name.strip():
        raise ValueError("the name cannot start or end with spaces")
    if len(name) > MAX_NAME:
        raise ValueError("the name is longer than %d characters" % MAX_NAME)
    if _SUBJECT_BAD.search(name) or "/" in name:
        raise ValueError("the name cannot contain '/', line breaks or other control characters")
    return name


def _codepoint(char: str) -> str:
    return "U+%04X%s" % (ord(char), " (%s)" % unicodedata.name(char) if unicodedata.name(char, "") else "")


def _utf8(text: str, what: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("the %s is not valid UTF-8 text" % what) from None


def check_subject(subject: object) -> str:
    """The subject becomes a mail header: one line, no control characters; non-ASCII is fine."""
    if not isinstance(subject, str):
        raise ValueError("the subject must be text")
    _utf8(subject, "subject")
    if "\r" in subject or "\n" in subject or "\u2028" in subject or "\u2029" in subject:
        raise ValueError("the subject must be one line: it contains a line break")
    bad = _SUBJECT_BAD.search(subject)
    if bad:
        raise ValueError("the subject contains the control character %s" % _codepoint(bad.group()))
    if len(subject) > MAX_SUBJECT:
        raise ValueError("the subject is longer than %d characters" % MAX_SUBJECT)
    return subject


def check_body(body: object) -> str:
    """Line breaks CRLF and CR become LF; NUL and other control characters (but TAB) are refused."""
    if not isinstance(body, str):
        raise ValueError("the text of the reply must be text")
    _utf8(body, "text of the reply")
    text = _NEWLINES.sub("\n", body)
    if "\x00" in text:
        raise ValueError("the text of the reply contains a NUL character (U+0000), which no mail or Sieve "
                         "script can carry")
    bad = _BODY_BAD.search(text)
    if bad:
        raise ValueError("the text of the reply contains the control character %s" % _codepoint(bad.group()))
    if len(text) > MAX_BODY:
        raise ValueError("the text of the reply is longer than %d characters" % MAX_BODY)
    return text


def check_days(days: object) -> int:
    if isinstance(days, bool) or not isinstance(days, int) or not MIN_DAYS <= days <= MAX_DAYS:
        raise ValueError("days (how long a sender is remembered before being answered again) must "
                         "be a whole number from %d to %d" % (MIN_DAYS, MAX_DAYS))
    return days


def check_day(value: object) -> str:
    """'' (open) or 'YYYY-MM-DD'."""
    if isinstance(value, str) and not value.strip():
        return ""
    return canonical_day(value)


def missing_text_message(field: str) -> str:
    """Why an enabled reply is refused without a subject or a text (module option or description key)."""
    return "an enabled automatic reply needs a %s (or set enabled: false)" % ("subject" if field == "subject" else "message")


def dates_order_message(start: str, end: str) -> str:
    return "the end date %s is before the start date %s" % (end, start)
