"""Fixtures of the fleet tests: two mail hosts that share one store on PostgreSQL.

The fleet is the Molecule scenario `fleet` (molecule/fleet): mail1 and mail2, each MX and IMAP
server, their ports published on 127.0.0.1, and the store's primary and hot standby. Its
description is molecule/fleet/group_vars/mail/mail.yml; every password is "<login>-secret-1".
molecule/fleet/verify.yml runs these tests in parts (GESTIXI_FLEET_PART), stopping and starting
containers between them.
"""
from __future__ import annotations

import os
import sys
import uuid

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from mailclient import Server  # noqa: E402  pylint: disable=wrong-import-position

# Host ports of each mail host (molecule/fleet/molecule.yml): 25, 587, 993; the others unused.
FLEET_PORTS = {
    "mail1": {"smtp_port": 16025, "submission_port": 16587, "imaps_port": 16993},
    "mail2": {"smtp_port": 17025, "submission_port": 17587, "imaps_port": 17993},
}


def fleet_host(name: str) -> Server:
    ports = dict.fromkeys(Server.PORTS, 0)
    ports.update(FLEET_PORTS[name])
    return Server(host="127.0.0.1", container="gestixi-fleet-%s" % name, **ports)


@pytest.fixture(scope="session")
def mail1() -> Server:
    return fleet_host("mail1")


@pytest.fixture(scope="session")
def mail2() -> Server:
    return fleet_host("mail2")


@pytest.fixture()
def token() -> str:
    """A subject marker unique to one test, to find its message among earlier runs' mail."""
    return "gestixi-fleet-%s" % uuid.uuid4().hex[:12]


def pytest_configure(config):
    config.addinivalue_line("markers", "fleet_part(name): the part of molecule/fleet/verify.yml the test belongs to")


def pytest_collection_modifyitems(config, items):  # pylint: disable=unused-argument
    """Run only the tests of verify.yml's current part (GESTIXI_FLEET_PART, default shared)."""
    current = os.environ.get("GESTIXI_FLEET_PART", "shared")
    for item in items:
        marker = item.get_closest_marker("fleet_part")
        if marker is None or marker.args[0] != current:
            item.add_marker(pytest.mark.skip(reason="not in part %s of molecule/fleet/verify.yml" % current))
