# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The mail description (gestixi_mail_domains): its checks, and the module calls it becomes.

Runs on the controller (the action plugin gestixi_description_validate and the filter
gestixi.mail.converge_calls), once, before any mail server is touched:

1. structure: the JSON Schema shipped in the collection (meta/description.schema.json, the
   same file editors use) is walked here, so that every problem names its YAML path
   (``gestixi_mail_domains[0].aliases[3].to[1]``) in an operator's words, and YAML's own
   types are understood (an unquoted ``2026-12-20`` is a date, not text);
2. meaning: names and addresses are valid, nothing is declared twice, an alias is not also a
   user, every recipient in a described domain exists, no alias loops, dates are real and in
   order, an enabled automatic reply has a subject and a message, and a domain that is used is
   declared.

Every problem is collected; the caller reports them all at once. No message ever quotes a
password.
"""
from __future__ import annotations

import datetime
import difflib
import json
import os
import re
from typing import Iterator

from ansible_collections.gestixi.mail.plugins.module_utils._address import (
    LOCAL_PART_RE,
    MAX_ADDRESS,
    canonical_address,
    canonical_domain,
    login_problem,
)
from ansible_collections.gestixi.mail.plugins.module_utils._dates import canonical_day
from ansible_collections.gestixi.mail.plugins.module_utils._errors import InvalidItem
from ansible_collections.gestixi.mail.plugins.module_utils._timezone import timezone_problem

try:
    from ansible_collections.gestixi.mail.plugins.module_utils._password import (
        PasswordError,
        hash_problem,
        is_hash,
    )
    from ansible_collections.gestixi.mail.plugins.module_utils._users import parse_quota
except ImportError:  # pragma: no cover - the collection always ships both
    PasswordError = ValueError  # type: ignore[misc,assignment]
    hash_problem = None  # type: ignore[assignment]
    is_hash = None  # type: ignore[assignment]
    parse_quota = None  # type: ignore[assignment]

DESCRIPTION_VAR = "gestixi_mail_domains"
PURGE_DOMAINS_VAR = "gestixi_mail_purge_domains"
ALLOW_PLAINTEXT_VAR = "gestixi_mail_allow_plaintext_passwords"
SPLIT_RE = re.compile(r"^gestixi_mail_domains__[A-Za-z0-9_]+$")
# Variables of the description an operator sets; a near miss of one of these is a typo.
KNOWN_VARS = (DESCRIPTION_VAR, PURGE_DOMAINS_VAR, ALLOW_PLAINTEXT_VAR)

SCHEMA_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, os.pardir,
                           "meta", "description.schema.json")

CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
MESSAGE_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
IDENTIFIER_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

# What an operator is told when a required key is missing, by (definition, key).
REQUIRED_HINTS = {
    ("domain", "name"): "every domain needs a name, for example example.org",
    ("user", "login"): "every user needs a login (the part before @)",
    ("alias", "address"): "every alias needs an address, for example contact",
    ("alias", "to"): "list the recipients, or write 'to: []' to reach every user of the domain",
    ("responder", "name"): "every automatic reply needs a short name, for example holidays",
}
# How an item of each definition is called in messages.
THING = {"domain": "a domain", "user": "a user", "alias": "an alias", "responder": "an automatic reply"}


class Unresolved:
    """Stands for a value whose template could not be resolved (already reported)."""

    def __repr__(self) -> str:
        return "<unresolved>"


UNRESOLVED = Unresolved()


def yaml_path(base: str, *parts: object) -> str:
    """gestixi_mail_domains[0].aliases[3].to[1] from ('gestixi_mail_domains', 0, 'aliases', 3, 'to', 1)."""
    text = base
    for part in parts:
        if isinstance(part, int):
            text += "[%d]" % part
        elif IDENTIFIER_RE.match(str(part)):
            text += ".%s" % part
        else:
            text += "[%s]" % json.dumps(str(part), ensure_ascii=False)
    return text


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


def load_schema(path: str = SCHEMA_FILE) -> dict:
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


class SchemaChecker:
    """Walks the subset of JSON Schema (draft-07) that meta/description.schema.json uses.

    Keywords: $ref (local), type, properties, patternProperties, additionalProperties, required,
    items, minLength, maxLength, pattern, minimum, maximum, format (date), errorMessage.
    """

    KEYWORDS = frozenset((
        "$schema", "$id", "$ref", "title", "description", "type", "properties", "patternProperties",
        "additionalProperties", "required", "items", "minLength", "maxLength", "pattern", "minimum",
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
                problems.append(InvalidItem(path, None, self._type_message(shown, types, thing, node)))
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
            wanted = ["%s (a mapping such as 'name: ...')" % THING[thing]]
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
            problems.append(InvalidItem(path, None, "must not be empty"))
            return False
        if "maxLength" in node and len(value) > node["maxLength"]:
            problems.append(InvalidItem(path, None, "%s is longer than %d characters"
                                        % (_quote(value), node["maxLength"])))
            return False
        if "pattern" in node and not re.search(node["pattern"], value):
            why = node.get("errorMessage") or "does not match %s" % node["pattern"]
            problems.append(InvalidItem(path, None, "%s is not valid: expected %s" % (_quote(value), why)))
            return False
        if node.get("format") == "date":
            return SchemaChecker._check_date(value, path, problems)
        return True

    @staticmethod
    def _check_date(value: object, path: str, problems: list[InvalidItem]) -> bool:
        try:
            canonical_day(value)
        except ValueError as exc:
            problems.append(InvalidItem(path, None, str(exc)))
            return False
        return True

    @staticmethod
    def _check_number(value: float, node: dict, path: str, problems: list[InvalidItem]) -> bool:
        if "minimum" in node and value < node["minimum"]:
            problems.append(InvalidItem(path, None, "must be at least %s, got %s" % (node["minimum"], value)))
            return False
        if "maximum" in node and value > node["maximum"]:
            problems.append(InvalidItem(path, None, "must be at most %s, got %s" % (node["maximum"], value)))
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
                problems.append(InvalidItem(yaml_path(path, key), None,
                                            "is missing" + (": %s" % hint if hint else "")))
                ok = False
        for key, item in value.items():
            child = yaml_path(path, key)
            if not isinstance(key, str):
                problems.append(InvalidItem(child, None, "a key must be text, got %s" % describe(key)))
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
            problems.append(InvalidItem(child, None, _unknown_key_message(key, list(properties), thing)))
            ok = False
        return ok


def _unknown_key_message(key: str, allowed: list[str], thing: str | None) -> str:
    text = "unknown key '%s'" % key
    close = difflib.get_close_matches(key.lower(), allowed, n=1, cutoff=0.6)
    if close:
        text += " (did you mean '%s'?)" % close[0]
    owner = THING.get(thing or "", "this item")
    return "%s; %s takes: %s" % (text, owner, ", ".join(allowed))


# ---------------------------------------------------------------------------------------------
# Sources: gestixi_mail_domains and gestixi_mail_domains__<suffix>


def source_names(names: list[str]) -> list[str]:
    """The variables that hold the description, in the order they are joined."""
    split = sorted(name for name in names if SPLIT_RE.match(name))
    return ([DESCRIPTION_VAR] if DESCRIPTION_VAR in names else []) + split


def near_miss_vars(names: list[str]) -> list[tuple[str, str]]:
    """(typo, meant) for variables that look like a misspelt description variable."""
    out = []
    for name in names:
        if not isinstance(name, str) or name in KNOWN_VARS or SPLIT_RE.match(name):
            continue
        if not name.startswith(("gestixi_mail", "gestix_mail", "gestixi-mail")):
            continue
        close = difflib.get_close_matches(name, KNOWN_VARS, n=1, cutoff=0.85)
        if name.startswith("gestixi_mail_domains_"):
            out.append((name, "gestixi_mail_domains__<suffix>"))
        elif close:
            out.append((name, close[0]))
    return out


def joined(sources: list[tuple[str, object]]) -> Iterator[tuple[str, int, dict]]:
    """(variable, index, domain) for every domain item of every source that is a list."""
    for name, value in sources:
        if isinstance(value, (list, tuple)):
            for index, item in enumerate(value):
                yield name, index, item


# ---------------------------------------------------------------------------------------------
# Meaning


class _Domain:
    """What the meaning checks know of one declared domain."""

    def __init__(self, path: str, name: str, item: dict) -> None:
        self.path = path
        self.name = name
        self.item = item
        self.users: dict[str, str] = {}     # login -> path
        self.aliases: dict[str, str] = {}   # local part -> path
        self.alias_targets: dict[str, list[tuple[str, str]]] = {}  # local part -> [(address, path)]
        self.all_users_aliases: list[str] = []
        # True when a user or alias of the domain could not be read (its own problem is
        # reported): a recipient that may be that item is then not reported as missing.
        self.incomplete = False


def _list(item: dict, key: str) -> list:
    value = item.get(key)
    return list(value) if isinstance(value, (list, tuple)) else []


class MeaningChecker:
    def __init__(self, problems: list[InvalidItem], warnings: list[str], vaulted: set[str],
                 allow_plaintext: bool, today: datetime.date) -> None:
        # vaulted: paths of password values that come from Vault or from a template (a
        # variable kept elsewhere, normally in Vault); only a literal plain text is refused.
        self.problems = problems
        self.warnings = warnings
        self.vaulted = vaulted
        self.allow_plaintext = allow_plaintext
        self.today = today
        self.domains: dict[str, _Domain] = {}
        self.reported = {problem.item for problem in problems}
        # IDNA is slow: each distinct domain is made canonical once per check.
        self._canonical: dict[str, str | ValueError] = {}

    def canonical(self, address: str) -> str:
        """canonical_address(address) with each domain made canonical once; ValueError like it."""
        if not isinstance(address, str) or "@" not in address:
            return canonical_address(address)  # raises its own message
        local, _at, domain = address.strip().rpartition("@")
        if not local or not LOCAL_PART_RE.match(local) or len(local) > 64:
            return canonical_address(address)  # raises its own message
        known = self._canonical.get(domain)
        if known is None:
            try:
                known = canonical_domain(domain)
            except ValueError as exc:
                known = exc
            self._canonical[domain] = known
        if isinstance(known, ValueError):
            raise known
        canonical = "%s@%s" % (local.lower(), known)
        if len(canonical) > MAX_ADDRESS:
            return canonical_address(address)  # raises its own message
        return canonical

    def add(self, path: str, message: str) -> None:
        # A value the schema check already refused is not judged a second time.
        if path not in self.reported:
            self.reported.add(path)
            self.problems.append(InvalidItem(path, None, message))

    # -- domains ---------------------------------------------------------------------------
    def check(self, sources: list[tuple[str, object]]) -> None:
        ordered: list[_Domain] = []
        for var, index, item in joined(sources):
            if not isinstance(item, dict) or not isinstance(item.get("name"), str):
                continue
            path = yaml_path(var, index)
            try:
                name = canonical_domain(item["name"])
            except ValueError as exc:
                self.add(yaml_path(path, "name"), str(exc))
                continue
            if name in self.domains:
                self.add(yaml_path(path, "name"), "the domain %s is declared twice (also at %s)"
                         % (name, self.domains[name].path))
                continue
            domain = _Domain(path, name, item)
            self.domains[name] = domain
            ordered.append(domain)
        for domain in ordered:
            self._domain_fields(domain)
            self._users(domain)
            self._aliases(domain)
        for domain in ordered:
            self._recipients(domain)
            self._catchall(domain)
        self._alias_loops(ordered)

    def _domain_fields(self, domain: _Domain) -> None:
        self._responders(yaml_path(domain.path, "responders"), _list(domain.item, "responders"), domain)
        if not isinstance(domain.item.get("users", []), (list, tuple, type(None))) or \
                not isinstance(domain.item.get("aliases", []), (list, tuple, type(None))):
            domain.incomplete = True
        zone = domain.item.get("timezone")
        if isinstance(zone, str) and zone:
            why = timezone_problem(zone)
            if why:
                self.add(yaml_path(domain.path, "timezone"), why)

    # -- users -----------------------------------------------------------------------------
    def _users(self, domain: _Domain) -> None:
        for index, user in enumerate(_list(domain.item, "users")):
            if not isinstance(user, dict):
                domain.incomplete = True
                continue
            path = yaml_path(domain.path, "users", index)
            login = user.get("login")
            if not isinstance(login, str) or not login:
                domain.incomplete = True
            else:
                if "@" in login:
                    domain.incomplete = True
                    self._foreign_address(yaml_path(path, "login"), login, domain, "user",
                                          "write only the login (the part before @)")
                    continue
                why = login_problem(login)
                if why:
                    domain.incomplete = True
                    self.add(yaml_path(path, "login"), why)
                elif login in domain.users:
                    self.add(yaml_path(path, "login"), "the user %s@%s is declared twice (also at %s)"
                             % (login, domain.name, domain.users[login]))
                else:
                    domain.users[login] = path
            self._user_fields(path, user)
            self._responders(yaml_path(path, "responders"), _list(user, "responders"), domain)

    def _user_fields(self, path: str, user: dict) -> None:
        name = user.get("name")
        if isinstance(name, str) and CONTROL_RE.search(name):
            self.add(yaml_path(path, "name"), "the display name cannot contain line breaks or "
                     "other control characters")
        quota = user.get("quota")
        if parse_quota is not None and isinstance(quota, (int, str)) and not isinstance(quota, bool):
            try:
                parse_quota(quota)
            except ValueError as exc:
                self.add(yaml_path(path, "quota"), str(exc))
        password = user.get("password")
        if isinstance(password, str) and password:
            self._password(yaml_path(path, "password"), password)

    def _password(self, path: str, password: str) -> None:
        if is_hash is not None and is_hash(password):
            try:
                why = hash_problem(password)
            except PasswordError:
                why = None  # passlib is missing on the controller: the module checks the shape
            if why:
                self.add(path, why)
            return
        if path in self.vaulted or self.allow_plaintext:
            return
        self.add(path, "a plain-text password must not be kept in Git: commit the hash that "
                 "tools/hash_password prints, or keep the password in Ansible Vault "
                 "(\"{{ vault_... }}\")")

    # -- aliases ---------------------------------------------------------------------------
    def _aliases(self, domain: _Domain) -> None:
        for index, alias in enumerate(_list(domain.item, "aliases")):
            path = yaml_path(domain.path, "aliases", index)
            address = alias.get("address") if isinstance(alias, dict) else None
            if not isinstance(address, str) or not address:
                domain.incomplete = True
                continue
            local = self._alias_local_part(yaml_path(path, "address"), address, domain)
            if local is None:
                domain.incomplete = True
                continue
            where = yaml_path(path, "address")
            if local in domain.users:
                self.add(where, "%s@%s is already a user (%s): an address is either a user or an "
                         "alias" % (local, domain.name, domain.users[local]))
                continue
            if local in domain.aliases:
                self.add(where, "the alias %s@%s is declared twice (also at %s)"
                         % (local, domain.name, domain.aliases[local]))
                continue
            domain.aliases[local] = path
            to = alias.get("to")
            if isinstance(to, (list, tuple)) and not to:
                domain.all_users_aliases.append(path)

    def _alias_local_part(self, path: str, address: str, domain: _Domain) -> str | None:
        if "@" in address:
            try:
                full = self.canonical(address)
            except ValueError as exc:
                self.add(path, str(exc))
                return None
            local, _at, other = full.rpartition("@")
            if other != domain.name:
                self._foreign_address(path, address, domain, "alias", None)
                return None
            return local
        try:
            return self.canonical("%s@%s" % (address, domain.name)).rpartition("@")[0]
        except ValueError:
            self.add(path, "'%s' is not a valid alias: use letters, digits and . _ - + (for example "
                     "contact)" % address)
            return None

    def _foreign_address(self, path: str, address: str, domain: _Domain, kind: str,
                         hint: str | None) -> None:
        other = address.rpartition("@")[2]
        try:
            other_name = canonical_domain(other)
        except ValueError as exc:
            self.add(path, str(exc))
            return
        if other_name == domain.name:
            self.add(path, hint or "write it without the domain")
        elif other_name in self.domains:
            self.add(path, "%s is in the domain %s, not %s: move this %s under that domain (%s)"
                     % (address, other_name, domain.name, kind, self.domains[other_name].path))
        else:
            self.add(path, "%s uses the domain %s, which is not declared: declare it in "
                     "gestixi_mail_domains and put this %s under it" % (address, other_name, kind))

    # -- recipients, catch-all, loops --------------------------------------------------------
    def _local_exists(self, address: str) -> tuple[bool, _Domain | None]:
        """(exists, its declared domain or None when the domain is not described here)."""
        local, _at, name = address.rpartition("@")
        domain = self.domains.get(name)
        if domain is None or domain.incomplete:
            return True, None
        return local in domain.users or local in domain.aliases, domain

    def _missing(self, path: str, address: str, domain: _Domain) -> None:
        local = address.rpartition("@")[0]
        known = sorted(set(domain.users) | set(domain.aliases))
        text = "%s does not exist: it is neither a user nor an alias of %s (%s)" % (address, domain.name, domain.path)
        close = difflib.get_close_matches(local, known, n=1, cutoff=0.6)
        if close:
            text += "; did you mean %s@%s?" % (close[0], domain.name)
        self.add(path, text)

    def _recipient_address(self, path: str, recipient: str, domain: _Domain) -> str | None:
        if "@" not in recipient:
            try:
                return self.canonical("%s@%s" % (recipient, domain.name))
            except ValueError:
                self.add(path, "'%s' is neither a login of %s nor a full address" % (recipient, domain.name))
                return None
        try:
            return self.canonical(recipient)
        except ValueError as exc:
            self.add(path, str(exc))
            return None

    def _recipients(self, domain: _Domain) -> None:
        for index, alias in enumerate(_list(domain.item, "aliases")):
            if not isinstance(alias, dict) or not isinstance(alias.get("address"), str):
                continue
            path = yaml_path(domain.path, "aliases", index)
            to = alias.get("to")
            if isinstance(to, str):
                to = [to]
                entries = [(yaml_path(path, "to"), to[0])]
            elif isinstance(to, (list, tuple)):
                entries = [(yaml_path(path, "to", i), r) for i, r in enumerate(to)]
            else:
                continue
            seen: dict[str, str] = {}
            targets: list[tuple[str, str]] = []
            for where, recipient in entries:
                if not isinstance(recipient, str) or not recipient:
                    continue
                address = self._recipient_address(where, recipient, domain)
                if address is None:
                    continue
                if address in seen:
                    self.add(where, "%s is listed twice (also at %s)" % (address, seen[address]))
                    continue
                seen[address] = where
                exists, home = self._local_exists(address)
                if not exists and home is not None:
                    self._missing(where, address, home)
                    continue
                targets.append((address, where))
            alias_local = self._known_alias_local(alias["address"], domain)
            if alias_local is not None:
                domain.alias_targets[alias_local] = targets

    def _known_alias_local(self, address: str, domain: _Domain) -> str | None:
        """The alias's local part when it was accepted (without reporting anything again)."""
        text = address.rpartition("@")[0] if "@" in address else address
        try:
            local = self.canonical("%s@%s" % (text, domain.name)).rpartition("@")[0]
        except ValueError:
            return None
        return local if local in domain.aliases else None

    def _catchall(self, domain: _Domain) -> None:
        value = domain.item.get("catchall")
        if not isinstance(value, str) or not value:
            return
        path = yaml_path(domain.path, "catchall")
        try:
            address = self.canonical(value)
        except ValueError as exc:
            self.add(path, str(exc))
            return
        exists, home = self._local_exists(address)
        if not exists and home is not None:
            self._missing(path, address, home)

    def _alias_loops(self, ordered: list[_Domain]) -> None:
        graph: dict[str, list[tuple[str, str]]] = {}
        for domain in ordered:
            for local, targets in domain.alias_targets.items():
                graph["%s@%s" % (local, domain.name)] = targets
        state: dict[str, int] = {}  # 1 = on the current path, 2 = done
        reported: set[frozenset] = set()

        def visit(node: str, trail: list[str]) -> None:
            state[node] = 1
            for target, where in graph.get(node, ()):
                if target not in graph:
                    continue
                if state.get(target) == 1:
                    cycle = trail[trail.index(target):] + [target]
                    key = frozenset(cycle)
                    if key not in reported:
                        reported.add(key)
                        self.add(where, "aliases form a loop: %s; mail to them would never be "
                                 "delivered" % " -> ".join(cycle))
                elif state.get(target) is None:
                    visit(target, trail + [target])
            state[node] = 2

        for node in sorted(graph):
            if state.get(node) is None:
                visit(node, [node])

    # -- automatic replies -----------------------------------------------------------------
    def _responders(self, path: str, responders: list, domain: _Domain) -> None:
        seen: dict[str, str] = {}
        for index, responder in enumerate(responders):
            if not isinstance(responder, dict):
                continue
            where = yaml_path(path, index)
            name = responder.get("name")
            if isinstance(name, str) and name:
                if name in seen:
                    self.add(yaml_path(where, "name"), "the automatic reply '%s' is declared twice "
                             "(also at %s)" % (name, seen[name]))
                else:
                    seen[name] = where
            message = responder.get("message")
            if isinstance(message, str) and MESSAGE_CONTROL_RE.search(message):
                self.add(yaml_path(where, "message"), "the message cannot contain control characters "
                         "other than tabs and line breaks")
            enabled = responder.get("enabled", True)
            if enabled is True:
                for field in ("subject", "message"):
                    text = responder.get(field)
                    if text is None or (isinstance(text, str) and not text.strip()):
                        self.add(yaml_path(where, field), "an enabled automatic reply needs a %s "
                                 "(or set enabled: false)" % field)
            self._dates(where, responder, enabled is True)

    def _dates(self, path: str, responder: dict, enabled: bool) -> None:
        days = {}
        for field in ("start", "end"):
            value = responder.get(field)
            if value is None or isinstance(value, bool):
                continue
            try:
                days[field] = canonical_day(value)
            except ValueError:
                continue  # the schema check already reported it
        if "start" in days and "end" in days and days["end"] < days["start"]:
            self.add(yaml_path(path, "end"), "the end date %s is before the start date %s"
                     % (days["end"], days["start"]))
        elif enabled and "end" in days and days["end"] < self.today.isoformat():
            self.warnings.append("%s: the automatic reply ended on %s; it no longer answers "
                                 "(remove it or set enabled: false)" % (yaml_path(path, "end"), days["end"]))


# ---------------------------------------------------------------------------------------------
# The whole check


def check_description(variables: dict, vaulted: set[str] | None = None,
                      today: datetime.date | None = None,
                      schema: dict | None = None) -> tuple[list[InvalidItem], list[str]]:
    """(problems, warnings) of the description held by variables (name -> templated value).

    variables holds at least every gestixi_mail_* variable of the host. vaulted names the
    YAML paths of password values that come from Ansible Vault.
    """
    problems: list[InvalidItem] = []
    warnings: list[str] = []
    schema = schema if schema is not None else load_schema()
    checker = SchemaChecker(schema)
    names = list(variables)
    for typo, meant in near_miss_vars(names):
        problems.append(InvalidItem(typo, None, "unknown variable (did you mean %s?)" % meant))
    sources = [(name, variables[name]) for name in source_names(names)]
    if not sources:
        problems.append(InvalidItem(DESCRIPTION_VAR, None, "is not defined for this host: put the "
                                    "mail description in the inventory (group_vars/mail/)"))
    top = schema["properties"]
    for name, value in sources:
        node = top[DESCRIPTION_VAR]
        checker.check(value, node, name, problems)
    for name in (PURGE_DOMAINS_VAR, ALLOW_PLAINTEXT_VAR):
        if name in variables:
            checker.check(variables[name], {"type": "boolean"}, name, problems)
    allow_plaintext = variables.get(ALLOW_PLAINTEXT_VAR) is True
    meaning = MeaningChecker(problems, warnings, vaulted or set(), allow_plaintext,
                             today or datetime.date.today())
    meaning.check(sources)
    if variables.get(PURGE_DOMAINS_VAR) is True and sources and not any(True for _entry in joined(sources)):
        warnings.append("%s is true and the description names no domain: every domain of the store "
                        "will be removed, with its users, aliases and automatic replies" % PURGE_DOMAINS_VAR)
    problems.sort(key=lambda p: path_sort_key(p.item))
    return problems, warnings


def path_sort_key(path: str) -> list:
    """Sort paths in document order: numbers as numbers."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", path)]


def report(problems: list[InvalidItem]) -> str:
    """The one message listing every problem."""
    head = ("The mail description has %d problem%s; nothing was changed on any server:"
            % (len(problems), "" if len(problems) == 1 else "s"))
    return "\n".join([head] + ["  - %s" % problem for problem in problems])


def summary(sources: list[tuple[str, object]]) -> dict:
    """Counts of what the description declares (no secrets)."""
    counts = {"domains": 0, "users": 0, "aliases": 0, "responders": 0}
    for _var, _index, item in joined(sources):
        if not isinstance(item, dict):
            continue
        counts["domains"] += 1
        users = _list(item, "users")
        counts["users"] += len(users)
        counts["aliases"] += len(_list(item, "aliases"))
        counts["responders"] += len(_list(item, "responders")) + sum(
            len(_list(user, "responders")) for user in users if isinstance(user, dict))
    return counts


# ---------------------------------------------------------------------------------------------
# The module calls a valid description becomes (the filter gestixi.mail.converge_calls)

USER_DEFAULTS = {"name": "", "quota": 0, "enabled": True}
RESPONDER_DEFAULTS = {"enabled": True, "subject": "", "message": "", "start": "", "end": "", "days": 7}
RESPONDER_FIELDS = ("name", "enabled", "subject", "message", "start", "end", "days")
# Description field -> gestixi_responder option, where they differ: the reply's text is
# 'message' in the description but 'body' in the module (Ansible reserves the option 'message').
RESPONDER_OPTIONS = {"message": "body"}


def _day_text(value: object) -> object:
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value.isoformat()
    return value


def _responder_args(responder: dict, owner: dict) -> dict:
    args = dict(owner)
    for field in RESPONDER_FIELDS:
        value = responder.get(field)
        args[RESPONDER_OPTIONS.get(field, field)] = RESPONDER_DEFAULTS[field] if value is None else _day_text(value)
    return args


def _full(address: str, domain: str) -> str:
    return address if "@" in address else "%s@%s" % (address, domain)


def converge_calls(domains: list) -> list[dict]:
    """One entry per domain: the options of each module call, in the modules' own words.

    The description is exact: a field it leaves out takes the value a new item gets (a user
    without quota is unlimited, a domain without catch-all has none), except a user's password,
    which is kept when not given (the description holds no password of an existing user that
    was exported from a server).
    Alias addresses and their recipients are full addresses (a bare name is in its domain).
    """
    calls = []
    for item in domains or []:
        name = item["name"]
        users, logins, responders = [], [], []
        for user in item.get("users") or []:
            entry = {"login": user["login"]}
            for field, default in USER_DEFAULTS.items():
                entry[field] = default if user.get(field) is None else user[field]
            if user.get("password") is not None:
                entry["password"] = user["password"]
            users.append(entry)
            logins.append({"login": user["login"]})
            responders.extend(_responder_args(r, {"login": user["login"]}) for r in user.get("responders") or [])
        responders.extend(_responder_args(r, {"all_users": True}) for r in item.get("responders") or [])
        # Full addresses everywhere, so that the aliases of every domain can be converged in
        # one call (an alias may redirect to an alias of a domain described after it).
        aliases = []
        for alias in item.get("aliases") or []:
            to = alias.get("to")
            to = [to] if isinstance(to, str) else list(to or [])
            aliases.append({"address": _full(alias["address"], name), "to": [_full(r, name) for r in to]})
        calls.append({
            "name": name,
            "purge": item.get("purge") is True,
            "domain": {"name": name, "timezone": item.get("timezone") or "UTC"},
            "catchall": {"name": name, "catchall": item.get("catchall") or ""},
            "users": users,
            "logins": logins,
            "aliases": aliases,
            "responders": responders,
        })
    return calls
