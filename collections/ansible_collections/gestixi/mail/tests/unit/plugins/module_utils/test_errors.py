# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""YAML paths as problems name them."""
from __future__ import annotations

from ansible_collections.gestixi.mail.plugins.module_utils._errors import yaml_path


def test_yaml_paths():
    assert yaml_path("gestixi_mail_domains", 0, "aliases", 3, "to", 1) == "gestixi_mail_domains[0].aliases[3].to[1]"
    assert yaml_path("v", "odd key") == 'v["odd key"]'
