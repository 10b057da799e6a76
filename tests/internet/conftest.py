"""Fixtures of the trusted-on-the-Internet tests (Molecule scenario `internet`).

Three containers on the scenario's podman network: the gestixi mail host, BIND (the DNS of
the test Internet) and a plain Postfix host for outside.test that checks what it receives
with rspamd and dkimpy. The tests reach them from the host only through 127.0.0.1 (the mail
host's submission port, BIND's DNS port) and `podman exec`.

Environment (defaults are the scenario's):
  GESTIXI_SUBMISSION_PORT    13587  (the mail host's 587)
  GESTIXI_DNS_PORT           15353  (BIND's 53)
  GESTIXI_MAIL_CONTAINER     gestixi-internet-mail
  GESTIXI_OUTSIDE_CONTAINER  gestixi-internet-outside
"""
from __future__ import annotations

import os
import sys
import uuid

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.dirname(HERE), HERE]

from mailclient import Server  # noqa: E402  pylint: disable=wrong-import-position
from internet_lib import Internet  # noqa: E402  pylint: disable=wrong-import-position


@pytest.fixture(scope="session")
def server() -> Server:
    # Only submission is published: the other fields are never used here.
    return Server.from_environment(container="gestixi-internet-mail", smtp_port=0, submission_port=13587,
                                   smtps_port=0, imap_port=0, imaps_port=13993, managesieve_port=0)


@pytest.fixture(scope="session")
def internet() -> Internet:
    return Internet.from_environment()


@pytest.fixture()
def token() -> str:
    return "gestixi-internet-%s" % uuid.uuid4().hex[:12]
