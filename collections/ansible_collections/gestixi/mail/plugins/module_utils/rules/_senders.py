# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Rules of a domain's allowed and blocked senders (`senders:` in the description), once.

An entry is a mail address (user@host) or a domain name (host), stored lower case entirely
(rspamd lowercases what it compares, the local part too) with the domain in IDNA A-labels,
read with the one domain and address parser of rules/_address.py. What the lists mean is
rspamd's, on the mail servers: mail to a recipient of the domain from a blocked sender (the
envelope sender or the header From, the address or its domain, the exact domain and never its
subdomains) is refused; mail from an allowed sender gets a score bonus when the sender is
authenticated (DMARC pass for the header From, SPF pass for the envelope sender).

The structure (the keys allowed and blocked, lists of texts) is the schema's
(rules/_description_schema.py); what an entry means is checked here, with that no entry is
listed twice nor in both lists, and that a list stays a size rspamd's maps handle well. The
controller's gate (plugin_utils/_description_meaning.py), the host's gestixi_mail
(converge/_whole_description.py) and gestixi_domain (converge/_domains.py) all run these
functions, so that they refuse the same entries at the same paths in the same words.
sender_maps() gives the text of the two rspamd map files, from the gate's result.
"""
from __future__ import annotations

from ansible_collections.gestixi.mail.plugins.module_utils._errors import InvalidItem, problem_at, yaml_path
from ansible_collections.gestixi.mail.plugins.module_utils.rules._address import canonical_address, canonical_domain
from ansible_collections.gestixi.mail.plugins.module_utils.rules._description import declared_domains
from ansible_collections.gestixi.mail.plugins.module_utils.rules._dns import canonical_distinct

KEY = "senders"
LISTS = ("allowed", "blocked")
# Far beyond a hand-kept list; a longer one belongs in a reputation service (an RBL), not in Git.
MAX_ENTRIES = 1000
SENDER_HINT = "a mail address (user@host) or a domain name (host)"


def canonical_sender(text: object) -> str:
    """An allowed or blocked sender in its stored form: a mail address or a domain name, lower
    case, the domain in IDNA A-labels. Raises ValueError with what is expected."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError("a sender is required: %s" % SENDER_HINT)
    written = text.strip()
    if written.startswith("*."):
        raise ValueError("'%s': a domain matches exactly, never its subdomains, and wildcards are not "
                         "taken: list each domain (%s)" % (text, written[2:]))
    local, at, host = written.rpartition("@")
    if at and local in ("", "*"):
        raise ValueError("'%s': write the domain alone (%s): a domain name stands for all its "
                         "addresses" % (text, host))
    try:
        sender = canonical_address(written) if "@" in written else canonical_domain(written)
    except ValueError as exc:
        why = str(exc)
        if text in why:
            raise ValueError("%s; a sender is %s" % (why, SENDER_HINT)) from None
        raise ValueError("'%s' is not %s: %s" % (text, SENDER_HINT, why)) from None
    if sender.rpartition(".")[2].isdigit():
        raise ValueError("'%s' names an IP address: list %s (senders are matched by their address, "
                         "not by the IP they send from)" % (text, SENDER_HINT))
    return sender


def domain_sender_problems(senders: object, path: str, domain: str) -> list[InvalidItem]:
    """Every problem of the `senders` of one domain (canonical name `domain`), written at
    `path` (``domains[0].senders``). Values of a wrong type are skipped: the schema reports them."""
    problems: list[InvalidItem] = []

    def add(where: str, message: str) -> None:
        problems.append(problem_at(where, message))

    mapping = senders if isinstance(senders, dict) else {}
    listed: dict[str, dict[str, str]] = {}
    for key in LISTS:
        list_path = yaml_path(path, key)
        listed[key] = canonical_distinct(mapping.get(key), list_path, canonical_sender, "sender", add)
        entries = mapping.get(key)
        if isinstance(entries, (list, tuple)) and len(entries) > MAX_ENTRIES:
            add(list_path, "the %s senders of %s are %d entries, more than %d: list a domain rather than "
                "many of its addresses" % (key, domain, len(entries), MAX_ENTRIES))
    # Blocking wins in rspamd: an entry in both lists would be refused, its bonus never given.
    for sender, where in listed["blocked"].items():
        if sender in listed["allowed"]:
            add(where, "the sender %s is both allowed (at %s) and blocked: keep it in one list"
                % (sender, listed["allowed"][sender]))
    return problems


def sender_problems(domains: object, paths: list[str] | None = None) -> list[InvalidItem]:
    """The problems of the senders of every domain of a description (each declared domain
    once, as the controller's meaning check reads them)."""
    return [problem for item, here, name in declared_domains(domains, paths)
            for problem in domain_sender_problems(item.get(KEY), yaml_path(here, KEY), name)]


def canonical_senders(senders: object) -> dict[str, list[str]]:
    """The `senders` of a domain the rules above accept, in their stored form: each non-empty
    list sorted (the order in the description means nothing), {} for none. Raises ValueError
    for an entry they refuse."""
    mapping = senders if isinstance(senders, dict) else {}
    canonical = {key: sorted({canonical_sender(text) for text in mapping.get(key) or []}) for key in LISTS}
    return {key: entries for key, entries in canonical.items() if entries}


def sender_maps(domains: list[dict]) -> dict[str, str]:
    """For the domains of a valid description, the text of rspamd's two map files, "allowed"
    and "blocked": one line "<recipient domain (A-label)>:<entry>" per entry, sorted, each
    ending in a newline; "" when there is none."""
    lines: dict[str, list[str]] = {key: [] for key in LISTS}
    for item in domains:
        name = canonical_domain(item["name"])
        for key, entries in canonical_senders(item.get(KEY)).items():
            lines[key].extend("%s:%s\n" % (name, entry) for entry in entries)
    return {key: "".join(sorted(found)) for key, found in lines.items()}
