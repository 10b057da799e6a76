# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

from ansible_collections.gestixi.mail.plugins.module_utils.converge._runner import compact_arguments


def test_long_item_lists_are_counted_not_echoed():
    params = {"users": [{"login": "u%d" % i} for i in range(21)], "aliases": [{"name": "a"}], "domain": "x.org"}
    assert compact_arguments(params) == {"users": "(21 items)", "aliases": [{"name": "a"}], "domain": "x.org"}
