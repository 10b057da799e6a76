# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The filter gestixi.mail.converge_calls: a checked description -> the options of each module call."""
from __future__ import annotations

import datetime

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.gestixi.mail.plugins.filter.converge_calls import FilterModule

converge_calls = FilterModule().filters()["converge_calls"]


def test_converge_calls_accept_yaml_dates_and_a_single_recipient():
    calls = converge_calls([{"name": "example.org", "aliases": [{"address": "a", "to": "bob@x.example"}],
                             "users": [{"login": "u", "responders": [
                                 {"name": "r", "start": datetime.date(2026, 1, 2)}]}]}])
    assert calls[0]["aliases"] == [{"address": "a@example.org", "to": ["bob@x.example"]}]
    assert calls[0]["responders"][0]["start"] == "2026-01-02"
    assert calls[0]["responders"][0]["end"] == ""
    assert calls[0]["responders"][0]["body"] == "" and "message" not in calls[0]["responders"][0]
    assert "password" not in calls[0]["users"][0]  # kept as it is on the server


def test_a_field_left_out_takes_the_value_a_new_item_gets():
    calls = converge_calls(({"name": "example.org"}, {
        "name": "example.net", "purge": True, "timezone": "Europe/Paris", "catchall": "bob",
        "users": [{"login": "bob", "password": "{ARGON2ID}h"}],
        "aliases": [{"address": "all", "to": []}, {"address": "x@example.net"}],
        "responders": [{"name": "closed", "message": "Closed"}]}))
    assert calls[0] == {"name": "example.org", "path": "domains[0]", "purge": False,
                        "domain": {"name": "example.org", "timezone": "UTC", "dns": {}, "dkim": {}, "senders": {}, "application": {}},
                        "catchall": {"name": "example.org", "catchall": ""},
                        "users": [], "logins": [], "aliases": [], "responders": [],
                        "origins": {"users": [], "aliases": [], "responders": [], "one_recipient": []}}
    net = calls[1]
    assert (net["path"], net["purge"], net["domain"], net["catchall"]) == (
        "domains[1]", True, {"name": "example.net", "timezone": "Europe/Paris", "dns": {}, "dkim": {}, "senders": {}, "application": {}},
        {"name": "example.net", "catchall": "bob"})
    assert net["users"] == [{"login": "bob", "name": "", "quota": 0, "enabled": True, "password": "{ARGON2ID}h",
                             "app_passwords": []}]  # none described: none kept
    assert net["logins"] == [{"login": "bob"}]
    # "to: []" is every user of the domain; a missing "to" stays missing (the alias module refuses it).
    assert net["aliases"] == [{"address": "all@example.net", "to": []}, {"address": "x@example.net", "to": None}]
    assert net["responders"] == [{"all_users": True, "name": "closed", "enabled": True, "subject": "", "body": "Closed",
                                  "start": "", "end": "", "days": 7}]
    assert net["origins"] == {"users": ["domains[1].users[0]"],
                              "aliases": ["domains[1].aliases[0]", "domains[1].aliases[1]"],
                              "responders": ["domains[1].responders[0]"], "one_recipient": []}


def test_no_description_is_no_call():
    assert converge_calls(None) == []
    assert converge_calls([]) == []


@pytest.mark.parametrize("value", ["example.org", {"name": "example.org"}, [{"name": "example.org"}, "example.net"],
                                   [{"users": []}]])
def test_anything_but_a_list_of_domains_is_refused(value):
    with pytest.raises(AnsibleFilterError, match="converge_calls needs the list of domains of a checked mail description"):
        converge_calls(value)
