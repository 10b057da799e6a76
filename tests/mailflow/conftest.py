"""Fixtures of the end-to-end mail-flow tests: real SMTP and IMAP against a running server.

The server is the Molecule scenario `default` (or the demo container): Postfix and Dovecot in a
container, its ports published on 127.0.0.1. The example description it serves is
molecule/default/group_vars/all/mail.yml; every password there is "<login>-secret-1".
The client side (the `Server` the fixture gives) is tests/mailclient.py.

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

import os
import sys
import uuid

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from mailclient import Server  # noqa: E402  pylint: disable=wrong-import-position


@pytest.fixture(scope="session")
def server() -> Server:
    mail_server = Server.from_environment(smtp_port=12525, submission_port=12587, smtps_port=12465,
                                          imap_port=12143, imaps_port=12993, managesieve_port=14190)
    mail_server.pass_postscreen()
    return mail_server


@pytest.fixture()
def token() -> str:
    """A subject marker unique to one test, to find its message among earlier runs' mail."""
    return "gestixi-test-%s" % uuid.uuid4().hex[:12]
