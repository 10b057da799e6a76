# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The description's structure: its JSON Schema (rules/_description_schema.py) walked in an
operator's words.

The controller's gate walks each description variable and gestixi_mail on the host walks its
option `domains` with this same walker and schema, so that a structural problem is refused by
both, in the same words. Every problem names its YAML path
(``gestixi_mail_domains[0].aliases[3].to[1]``), and YAML's own types are understood (an
unquoted ``2026-12-20`` is a date, not text).
"""
from __future__ import annotations

import datetime
import difflib
import re

from ansible_collections.gestixi.mail.plugins.module_utils._errors import InvalidItem, problem_at, yaml_path
from ansible_collections.gestixi.mail.plugins.module_utils.rules._dates import canonical_day
from ansible_collections.gestixi.mail.plugins.module_utils.rules._description_schema import DESCRIPTION_SCHEMA


class Unresolved:
    """Stands for a value whose template could not be resolved (already reported)."""

    def __repr__(self) -> str:
        return "<unresolved>"


UNRESOLVED = Unresolved()

# What an operator is told when a required key is missing, by (definition, key).
REQUIRED_HINTS = {
    ("domain", "name"): "every domain needs a name, for example example.org",
    ("user", "login"): "every user needs a login (the part before @)",
    ("alias", "address"): "every alias needs an address, for example contact",
    ("alias", "to"): "list the recipients, or write 'to: []' to reach every user of the domain",
    ("responder", "name"): "every automatic reply needs a short name, for example holidays",
    ("dkim_previous", "selector"): "name the selector of the old key, for example gestixi2025",
    ("dkim_previous", "until"): "give the last day the old key stays published (YYYY-MM-DD)",
    ("application", "login"): "name the login the application sends with, for example invoices",
    ("app_password", "name"): "every app password needs a name, for example phone",
    ("app_password", "services"): "name the services it may be used for, for example [imap] or [imap, smtp]",
}
# How an item of each definition is called in messages.
THING = {"domain": "a domain", "user": "a user", "alias": "an alias", "responder": "an automatic reply",
         "dns": "dns", "dmarc": "dmarc", "dkim": "dkim", "dkim_previous": "a previous DKIM key",
         "senders": "senders",
         "application": "an application credential", "app_password": "an app password"}

# The key shown in "a mapping such as 'name: ...'", where it is not name.
FIRST_KEY = {"dkim_previous": "selector", "application": "login"}


class _Redacted:
    """A secret value: messages say what kind of value it is, never the value."""

    def __init__(self, value: object) -> None:
        self.value = value


SECRET_SUFFIXES = (".password",)


def describe(value: object) -> str:
    """What a YAML value is, in an operator's words."""
    if isinstance(value, _Redacted):
        value = value.value
        if isinstance(value, (list, tuple, dict)) or value is None:
            return describe(value)
        return "a %s value (not shown: it is a secret)" % (
            "yes/no" if isinstance(value, bool) else "date" if isinstance(value, datetime.date)
            else "number" if isinstance(value, (int, float)) else type(value).__name__)
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, bool):
        return "%s (a yes/no value)" % ("true" if value else "false")
    if isinstance(value, datetime.datetime):
        return "a date and time (%s)" % value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return "a date (%s)" % value.isoformat()
    if isinstance(value, int):
        return "the number %d" % value
    if isinstance(value, float):
        return "the number %s" % value
    if isinstance(value, str):
        return "the text %s" % _quote(value)
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, dict):
        return "a mapping (key: value)"
    return "a value of type %s" % type(value).__name__


def _quote(text: str, limit: int = 60) -> str:
    shown = text if len(text) <= limit else text[:limit] + "..."
    return "'%s'" % shown.replace("\n", "\\n")


TYPE_WORDS = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "array": "a list",
    "object": "a mapping (key: value)",
    "null": "nothing",
}


def _is_type(value: object, name: str, node: dict) -> bool:
    if name == "string":
        if isinstance(value, str):
            return True
        # YAML reads an unquoted 2026-12-20 as a date: that is what a date field wants.
        return (node.get("format") == "date" and isinstance(value, datetime.date)
                and not isinstance(value, datetime.datetime))
    if name == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if name == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if name == "boolean":
        return isinstance(value, bool)
    if name == "array":
        return isinstance(value, (list, tuple))
    if name == "object":
        return isinstance(value, dict)
    if name == "null":
        return value is None
    return False


def load_schema() -> dict:
    return DESCRIPTION_SCHEMA


class SchemaChecker:
    """Walks the subset of JSON Schema (draft-07) that meta/description.schema.json uses.

    Keywords: $ref (local), type, properties, patternProperties, additionalProperties, required,
    items, minLength, maxLength, pattern, enum (of texts), minimum, maximum, format (date),
    errorMessage.
    """

    KEYWORDS = frozenset((
        "$schema", "$id", "$ref", "title", "description", "type", "properties", "patternProperties",
        "additionalProperties", "required", "items", "minLength", "maxLength", "pattern", "enum", "minimum",
        "maximum", "format", "errorMessage", "definitions", "default", "examples",
    ))

    def __init__(self, schema: dict) -> None:
        self.schema = schema

    def definition(self, name: str) -> dict:
        return self.schema["definitions"][name]

    def resolve(self, node: dict) -> tuple[dict, str | None]:
        """The node a $ref points at, and the definition's name."""
        name = None
        while "$ref" in node:
            ref = node["$ref"]
            if not ref.startswith("#/definitions/"):
                raise ValueError("only local #/definitions/ references are supported: %s" % ref)
            name = ref[len("#/definitions/"):]
            node = self.definition(name)
        return node, name

    def check(self, value: object, node: dict, path: str, problems: list[InvalidItem],
              thing: str | None = None) -> bool:
        """Add a problem for each way value breaks node; True when it breaks none."""
        if isinstance(value, Unresolved):
            return False
        node, name = self.resolve(node)
        thing = name or thing
        unknown = set(node) - self.KEYWORDS
        if unknown:
            raise ValueError("the description schema uses unsupported keywords: %s" % sorted(unknown))
        types = node.get("type")
        if types is not None:
            types = [types] if isinstance(types, str) else list(types)
            if not any(_is_type(value, t, node) for t in types):
                shown = value if not path.endswith(SECRET_SUFFIXES) else _Redacted(value)
                problems.append(problem_at(path, self._type_message(shown, types, thing, node)))
                return False
        if value is None:
            return True
        ok = True
        if isinstance(value, str):
            ok = self._check_text(value, node, path, problems) and ok
        if isinstance(value, datetime.date) and node.get("format") == "date":
            ok = self._check_date(value, path, problems) and ok
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            ok = self._check_number(value, node, path, problems) and ok
        if isinstance(value, (list, tuple)) and "items" in node:
            for index, item in enumerate(value):
                ok = self.check(item, node["items"], "%s[%d]" % (path, index), problems) and ok
        if isinstance(value, dict):
            ok = self._check_object(value, node, path, problems, thing) and ok
        return ok

    @staticmethod
    def _type_message(value: object, types: list[str], thing: str | None, node: dict) -> str:
        wanted = [TYPE_WORDS.get(t, t) for t in types if t != "null"]
        if node.get("format") == "date":
            return "expected a date (YYYY-MM-DD), got %s" % describe(value)
        if thing in THING and types == ["object"]:
            wanted = ["%s (a mapping such as '%s: ...')" % (THING[thing], FIRST_KEY.get(thing, "name"))]
        text = "expected %s, got %s" % (" or ".join(wanted) or "nothing", describe(value))
        if isinstance(value, _Redacted):
            value = value.value
        if "string" in types and isinstance(value, (bool, int, float, datetime.date)):
            text += "; put the value in quotes to keep it as text"
        elif "array" in types and isinstance(value, dict):
            text += "; start each item of a list with '- '"
        return text

    @staticmethod
    def _check_text(value: str, node: dict, path: str, problems: list[InvalidItem]) -> bool:
        if "minLength" in node and len(value) < node["minLength"]:
            problems.append(problem_at(path, "must not be empty"))
            return False
        if "maxLength" in node and len(value) > node["maxLength"]:
            problems.append(problem_at(path, "%s is longer than %d characters"
                                       % (_quote(value), node["maxLength"])))
            return False
        if "enum" in node and value not in node["enum"]:
            close = difflib.get_close_matches(value.strip().lower(), node["enum"], n=1, cutoff=0.6)
            problems.append(problem_at(path, "%s is not valid: expected one of %s%s" % (
                _quote(value), ", ".join(node["enum"]), " (did you mean '%s'?)" % close[0] if close else "")))
            return False
        if "pattern" in node and not re.search(node["pattern"], value):
            why = node.get("errorMessage") or "does not match %s" % node["pattern"]
            problems.append(problem_at(path, "%s is not valid: expected %s" % (_quote(value), why)))
            return False
        if node.get("format") == "date":
            return SchemaChecker._check_date(value, path, problems)
        return True

    @staticmethod
    def _check_date(value: object, path: str, problems: list[InvalidItem]) -> bool:
        try:
            canonical_day(value)
        except ValueError as exc:
            problems.append(problem_at(path, str(exc)))
            return False
        return True

    @staticmethod
    def _check_number(value: float, node: dict, path: str, problems: list[InvalidItem]) -> bool:
        if "minimum" in node and value < node["minimum"]:
            problems.append(problem_at(path, "must be at least %s, got %s" % (node["minimum"], value)))
            return False
        if "maximum" in node and value > node["maximum"]:
            problems.append(problem_at(path, "must be at most %s, got %s" % (node["maximum"], value)))
            return False
        return True

    def _check_object(self, value: dict, node: dict, path: str, problems: list[InvalidItem],
                      thing: str | None) -> bool:
        ok = True
        properties = node.get("properties", {})
        patterns = node.get("patternProperties", {})
        for key in node.get("required", ()):
            if key not in value:
                hint = REQUIRED_HINTS.get((thing, key))
                problems.append(problem_at(yaml_path(path, key),
                                           "is missing" + (": %s" % hint if hint else "")))
                ok = False
        for key, item in value.items():
            child = yaml_path(path, key)
            if not isinstance(key, str):
                problems.append(problem_at(child, "a key must be text, got %s" % describe(key)))
                ok = False
                continue
            if key in properties:
                ok = self.check(item, properties[key], child, problems) and ok
                continue
            matched = [sub for pattern, sub in patterns.items() if re.search(pattern, key)]
            for sub in matched:
                ok = self.check(item, sub, child, problems) and ok
            if matched or node.get("additionalProperties", True) is not False:
                continue
            problems.append(problem_at(child, _unknown_key_message(key, list(properties), thing)))
            ok = False
        return ok


def _unknown_key_message(key: str, allowed: list[str], thing: str | None) -> str:
    text = "unknown key '%s'" % key
    close = difflib.get_close_matches(key.lower(), allowed, n=1, cutoff=0.6)
    if close:
        text += " (did you mean '%s'?)" % close[0]
    owner = THING.get(thing or "", "this item")
    return "%s; %s takes: %s" % (text, owner, ", ".join(allowed))


def structure_problems(domains: object, path: str) -> list[InvalidItem]:
    """The structural problems of a list of domains (a description variable, or gestixi_mail's option)."""
    problems: list[InvalidItem] = []
    SchemaChecker(DESCRIPTION_SCHEMA).check(domains, {"$ref": "#/definitions/domains"}, path, problems)
    return problems
