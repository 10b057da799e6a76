# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The DNS records of the example inventory (inventories/example/group_vars/mail/) are the ones
the collection's unit tests assert record by record (tests/unit/plugins/plugin_utils/
test_dns_records.py): its dns: and dkim: settings are those tests' EXAMPLE_SETTINGS, and the
whole description (users, aliases and replies included) passes the gate. No ansible-playbook."""
from __future__ import annotations

import datetime

from gitops_lib import example_variables

from ansible_collections.gestixi.mail.plugins.plugin_utils._description_check import check_description
from ansible_collections.gestixi.mail.tests.unit.plugins.plugin_utils import test_dns_records as unit


def example_domains() -> list[dict]:
    variables = example_variables()
    return variables["gestixi_mail_domains"] + variables["gestixi_mail_domains__example_net"]


def test_the_example_has_the_settings_the_unit_tests_assert():
    settings = [{key: item[key] for key in ("name", "dns", "dkim") if key in item} for item in example_domains()]
    assert settings == unit.EXAMPLE_SETTINGS


def test_the_example_inventory_gives_those_records_and_that_snippet():
    plans = unit.example_plans(example_domains())
    unit.test_the_example_description_record_by_record(plans)
    unit.test_the_zone_snippet_of_example_net_exactly(plans)
    unit.test_the_zone_snippet_is_what_a_zone_parser_reads(plans)


def test_the_example_dns_settings_pass_the_gate():
    problems, warnings = check_description(example_variables(), today=datetime.date(2026, 12, 1))
    assert problems == [] and warnings == []
