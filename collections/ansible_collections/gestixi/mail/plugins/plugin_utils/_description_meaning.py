# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The description's meaning: what the schema cannot say, checked on the controller.

Names and addresses are valid, nothing is declared twice, an alias is not also a user, every
recipient in a described domain exists, no alias loops, dates are real and in order, an
enabled automatic reply has a subject and a message, a domain that is used is declared, and its
mail-DNS settings follow their rules (rules/_dns.py), its allowed and blocked senders theirs
(rules/_senders.py), and a user's app passwords theirs (rules/_app_password.py). No message
ever quotes a password.
"""
from __future__ import annotations

import datetime

from ansible_collections.gestixi.mail.plugins.module_utils._errors import InvalidItem, problem_at, yaml_path
from ansible_collections.gestixi.mail.plugins.module_utils.rules import _app_password, _responder, _user
from ansible_collections.gestixi.mail.plugins.module_utils.rules._description import LOGIN_HINT, placement_message
from ansible_collections.gestixi.mail.plugins.module_utils.rules._alias_graph import loop_problem, missing_recipient_message
from ansible_collections.gestixi.mail.plugins.module_utils.rules._address import (
    canonical_address,
    canonical_domain,
    login_problem,
    recipient_problem,
)
from ansible_collections.gestixi.mail.plugins.module_utils.rules._dates import canonical_day
from ansible_collections.gestixi.mail.plugins.module_utils.rules._application import setting_problems
from ansible_collections.gestixi.mail.plugins.module_utils.rules._dns import dns_settings, domain_dns_problems
from ansible_collections.gestixi.mail.plugins.module_utils.rules._password import PasswordError, hash_problem, is_hash
from ansible_collections.gestixi.mail.plugins.module_utils.rules._senders import KEY as SENDERS, domain_sender_problems
from ansible_collections.gestixi.mail.plugins.module_utils.rules._timezone import timezone_problem
from ansible_collections.gestixi.mail.plugins.plugin_utils._description_sources import joined, list_of


class _Domain:
    """What the meaning checks know of one declared domain."""

    def __init__(self, path: str, name: str, item: dict) -> None:
        self.path = path
        self.name = name
        self.item = item
        self.users: dict[str, str] = {}     # login -> path
        self.aliases: dict[str, str] = {}   # local part -> path
        self.all_users_aliases: list[str] = []
        # True when a user of the domain could not be read (its own problem is reported): a
        # recipient that may be that user is then not reported as missing. The host stops at
        # such a user before it reads any alias. (An alias that cannot be read cannot be a
        # recipient either: the same parser refuses both.)
        self.incomplete = False


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
        self.reported = {problem.path for problem in problems}

    def add(self, path: str, message: str) -> None:
        # A value the schema check already refused is not judged a second time.
        if path not in self.reported:
            self.reported.add(path)
            self.problems.append(problem_at(path, message))

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
                continue  # declared twice: rules/_description.py reports it
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

    def _domain_fields(self, domain: _Domain) -> None:
        self._responders(yaml_path(domain.path, "responders"), list_of(domain.item, "responders"), domain)
        if not isinstance(domain.item.get("users", []), (list, tuple, type(None))) or \
                not isinstance(domain.item.get("aliases", []), (list, tuple, type(None))):
            domain.incomplete = True
        zone = domain.item.get("timezone")
        if isinstance(zone, str) and zone:
            why = timezone_problem(zone)
            if why:
                self.add(yaml_path(domain.path, "timezone"), why)
        self._dns(domain)
        for problem in domain_sender_problems(domain.item.get(SENDERS), yaml_path(domain.path, SENDERS), domain.name):
            self.add(problem.path, problem.message)
        application = domain.item.get("application")
        if isinstance(application, dict):
            for field, why in setting_problems(application):
                self.add(yaml_path(domain.path, *field.split(".")), why)

    def _dns(self, domain: _Domain) -> None:
        found = domain_dns_problems(domain.item, domain.path, domain.name)
        for problem in found:
            self.add(problem.path, problem.message)
        if found or any(str(path).startswith((yaml_path(domain.path, "dns"), yaml_path(domain.path, "dkim")))
                        for path in self.reported):
            return
        # An old key past its date is no longer published: say so, so that the line goes.
        for index, (selector, until) in enumerate(dns_settings(domain.item).previous):
            if until < self.today.isoformat():
                self.warnings.append("%s: the old DKIM key %s was published until %s; it is no longer "
                                     "published (remove it)" % (yaml_path(domain.path, "dkim", "previous", index, "until"),
                                                                selector, until))

    # -- users -----------------------------------------------------------------------------
    def _users(self, domain: _Domain) -> None:
        for index, user in enumerate(list_of(domain.item, "users")):
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
                    self._foreign_address(yaml_path(path, "login"), login, domain, "user", LOGIN_HINT)
                    continue
                why = login_problem(login)
                if why:
                    domain.incomplete = True
                    self.add(yaml_path(path, "login"), why)
                else:
                    domain.users.setdefault(login, path)
            self._user_fields(path, user)
            self._responders(yaml_path(path, "responders"), list_of(user, "responders"), domain)

    def _user_fields(self, path: str, user: dict) -> None:
        name = user.get("name")
        if isinstance(name, str):
            why = _user.name_problem(name)
            if why:
                self.add(yaml_path(path, "name"), why)
        quota = user.get("quota")
        if isinstance(quota, (int, str)) and not isinstance(quota, bool):
            try:
                _user.parse_quota(quota)
            except ValueError as exc:
                self.add(yaml_path(path, "quota"), str(exc))
        password = user.get("password")
        if isinstance(password, str) and password:
            self._password(yaml_path(path, "password"), password)
        for where, why in _app_password.list_problems(user.get(_app_password.KEY), yaml_path(path, _app_password.KEY)):
            self.add(where, why)

    def _password(self, path: str, password: str) -> None:
        if is_hash(password):
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
        for index, alias in enumerate(list_of(domain.item, "aliases")):
            path = yaml_path(domain.path, "aliases", index)
            address = alias.get("address") if isinstance(alias, dict) else None
            if not isinstance(address, str) or not address:
                continue
            local = self._alias_local_part(yaml_path(path, "address"), address, domain)
            if local is None:
                continue
            if local in domain.aliases:
                continue  # declared twice: rules/_description.py reports it
            domain.aliases[local] = path
            to = alias.get("to")
            if isinstance(to, (list, tuple)) and not to:
                domain.all_users_aliases.append(path)

    def _alias_local_part(self, path: str, address: str, domain: _Domain) -> str | None:
        if "@" in address:
            try:
                full = canonical_address(address)
            except ValueError as exc:
                self.add(path, str(exc))
                return None
            local, _at, other = full.rpartition("@")
            if other != domain.name:
                self._foreign_address(path, address, domain, "alias", None)
                return None
            return local
        try:
            # Read as the host reads it: the name in its domain (converge/_translate.py).
            return canonical_address("%s@%s" % (address, domain.item["name"])).rpartition("@")[0]
        except ValueError as exc:
            self.add(path, str(exc))
            return None

    def _foreign_address(self, path: str, address: str, domain: _Domain, kind: str,
                         hint: str | None) -> None:
        declared = {name: known.path for name, known in self.domains.items()}
        try:
            self.add(path, placement_message(address, domain.name, declared, kind, hint))
        except ValueError as exc:
            self.add(path, str(exc))

    # -- recipients, catch-all, loops --------------------------------------------------------
    def _local_exists(self, address: str) -> tuple[bool, _Domain | None]:
        """(exists, its declared domain or None when the domain is not described here)."""
        local, _at, name = address.rpartition("@")
        domain = self.domains.get(name)
        if domain is None or domain.incomplete:
            return True, None
        return local in domain.users or local in domain.aliases, domain

    def _missing(self, path: str, address: str, domain: _Domain) -> None:
        self.add(path, missing_recipient_message(address, set(domain.users) | set(domain.aliases)))

    def _recipient_address(self, path: str, recipient: str, domain: _Domain) -> str | None:
        if "@" not in recipient:
            try:
                return canonical_address(recipient, domain.name)
            except ValueError as exc:
                self.add(path, recipient_problem(exc, recipient, domain.name))
                return None
        try:
            return canonical_address(recipient)
        except ValueError as exc:
            self.add(path, str(exc))
            return None

    def _recipients(self, domain: _Domain) -> None:
        for index, alias in enumerate(list_of(domain.item, "aliases")):
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
            own = self._own_address(alias["address"], domain)
            for where, recipient in entries:
                if not isinstance(recipient, str):
                    continue  # the schema refused it
                address = self._recipient_address(where, recipient, domain)
                if address is None:
                    continue
                if address == own:  # the graph's rule, found with the other problems as the host does
                    self.add(where, loop_problem([own, own], own).message)
                    continue
                exists, home = self._local_exists(address)
                if not exists and home is not None:
                    self._missing(where, address, home)

    @staticmethod
    def _own_address(address: str, domain: _Domain) -> str | None:
        """The alias's address as the host stores it, or None when it is not valid."""
        try:
            return canonical_address(address if "@" in address else "%s@%s" % (address, domain.item["name"]))
        except ValueError:
            return None

    def _catchall(self, domain: _Domain) -> None:
        value = domain.item.get("catchall")
        if not isinstance(value, str) or not value:
            return
        path = yaml_path(domain.path, "catchall")
        try:
            canonical_address(value)
        except ValueError as exc:
            self.add(path, str(exc))
        # Whether it exists is a rule of the alias graph (rules/_alias_graph.py), checked last.

    # -- automatic replies -----------------------------------------------------------------
    def _responders(self, path: str, responders: list, domain: _Domain) -> None:
        for index, responder in enumerate(responders):
            if not isinstance(responder, dict):
                continue
            where = yaml_path(path, index)
            for field, rule in (("name", _responder.check_name), ("subject", _responder.check_subject),
                                ("message", _responder.check_body), ("days", _responder.check_days)):
                value = responder.get(field)
                if value is not None and not (field == "name" and not value):
                    try:
                        rule(value)
                    except ValueError as exc:
                        self.add(yaml_path(where, field), str(exc))
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
            self.add(yaml_path(path, "end"), _responder.dates_order_message(days["start"], days["end"]))
        elif enabled and "end" in days and days["end"] < self.today.isoformat():
            self.warnings.append("%s: the automatic reply ended on %s; it no longer answers "
                                 "(remove it or set enabled: false)" % (yaml_path(path, "end"), days["end"]))
