# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The description's schema is defined once, from the rules' own limits."""
from __future__ import annotations

import json
import os

import pytest

from ansible_collections.gestixi.mail.plugins.module_utils.rules import _address, _responder, _user
from ansible_collections.gestixi.mail.plugins.module_utils.rules._description_schema import DESCRIPTION_SCHEMA

META = os.path.join(os.path.dirname(os.path.abspath(__file__)), *([os.pardir] * 5), "meta", "description.schema.json")


def test_the_file_editors_use_is_written_from_the_rules():
    with open(META, encoding="utf-8") as handle:
        assert handle.read() == json.dumps(DESCRIPTION_SCHEMA, indent=2, ensure_ascii=False) + "\n", (
            "meta/description.schema.json is out of date: run tools/description_schema")


def test_the_limits_are_the_rules_limits():
    definitions = DESCRIPTION_SCHEMA["definitions"]
    assert definitions["user"]["properties"]["login"]["maxLength"] == _address.MAX_LOGIN
    assert definitions["user"]["properties"]["name"]["maxLength"] == _user.MAX_NAME
    reply = definitions["responder"]["properties"]
    assert (reply["name"]["maxLength"], reply["subject"]["maxLength"], reply["message"]["maxLength"]) == (
        _responder.MAX_NAME, _responder.MAX_SUBJECT, _responder.MAX_BODY)
    assert (reply["days"]["minimum"], reply["days"]["maximum"]) == (_responder.MIN_DAYS, _responder.MAX_DAYS)


def test_it_is_a_valid_draft_07_schema():
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.Draft7Validator.check_schema(DESCRIPTION_SCHEMA)
    assert DESCRIPTION_SCHEMA["$schema"] == "http://json-schema.org/draft-07/schema#"
