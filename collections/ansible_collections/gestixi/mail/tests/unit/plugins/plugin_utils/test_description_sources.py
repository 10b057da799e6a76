# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""plugin_utils/_description_sources.py: the variables that hold the description, and the role's
declared arguments, which leave those variables to the gate."""
from __future__ import annotations

import os

import yaml

from ansible_collections.gestixi.mail.plugins.plugin_utils import _description_sources as description_sources

COLLECTION = os.path.join(os.path.dirname(os.path.abspath(__file__)), *([os.pardir] * 4))
ARGUMENT_SPECS = os.path.join(COLLECTION, "roles", "state", "meta", "argument_specs.yml")


def test_split_variables_are_joined_in_name_order():
    names = ["gestixi_mail_domains__b", "other", "gestixi_mail_domains", "gestixi_mail_domains__a"]
    assert description_sources.source_names(names) == ["gestixi_mail_domains", "gestixi_mail_domains__a",
                                                       "gestixi_mail_domains__b"]
    assert description_sources.near_miss_vars(["gestixi_mail_domain", "gestixi_mail_purge_domain", "gestixi_mail_other",
                                               "gestixi_mail_domains_shop"]) == [
        ("gestixi_mail_domain", "gestixi_mail_domains"),
        ("gestixi_mail_purge_domain", "gestixi_mail_purge_domains"),
        ("gestixi_mail_domains_shop", "gestixi_mail_domains__<suffix>")]


def test_summary_counts_every_source_and_every_reply():
    users = [{"login": "u", "responders": [{"name": "r"}]}, {"login": "v"}]
    sources = [("gestixi_mail_domains", [{"name": "a.example", "users": users, "aliases": [{"address": "x"}],
                                          "responders": [{"name": "all"}]}]),
               ("gestixi_mail_domains__b", [{"name": "b.example"}, "not a domain"]),
               ("gestixi_mail_domains__c", "not a list")]
    assert description_sources.summary(sources) == {"domains": 2, "users": 2, "aliases": 1, "responders": 2}


def test_role_arguments_leave_the_description_to_our_check():
    """Ansible's own check of a declared description copies all of it into a task (seconds for
    10,000 users) and stops at the first problem without its YAML path: not declared."""
    with open(ARGUMENT_SPECS, encoding="utf-8") as handle:
        specs = yaml.safe_load(handle)["argument_specs"]
    main = specs["main"]["options"]
    assert not [name for name in main if name.startswith(description_sources.DESCRIPTION_VAR)]
    for name in description_sources.KNOWN_VARS[1:]:
        assert name in main
    assert "meta/description.schema.json" in " ".join(specs["main"]["description"])
    assert specs["validate"]["options"] == {}  # see the comment there: our check names YAML paths
