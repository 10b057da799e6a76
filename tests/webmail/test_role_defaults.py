"""The webmail role takes every server fact from the server role's variables (no container needed).

Its defaults read `server_*` variables, each with a fallback used only when the webmail role
runs without the server role's defaults in sight (e.g. `tasks_from: clients` in a state-only
play). A fallback that differs from what the server role really uses would be a silent drift:
this test compares them, with the server role's defaults or, for a port the server role does
not expose as a variable yet, with the port written in its templates.
"""
from __future__ import annotations

import re
from pathlib import Path

import yaml

ROLES = Path(__file__).resolve().parents[2] / "collections" / "ansible_collections" / "gestixi" / "mail" / "roles"
FALLBACK = re.compile(r"\b(server_\w+) \| default\(([^()]*)\)")
# Ports the server role writes literally in its templates (until it has variables for them):
# the variable name the webmail role reads -> (template, text that sets that port).
LITERAL_PORTS = {
    "server_imap_port": ("dovecot/dovecot.conf.j2", re.compile(r"inet_listener imap \{\s*port = (\d+)")),
    "server_imaps_port": ("dovecot/dovecot.conf.j2", re.compile(r"inet_listener imaps \{\s*port = (\d+)")),
    "server_managesieve_port": ("dovecot/dovecot.conf.j2", re.compile(r"inet_listener sieve \{\s*port = (\d+)")),
    # Postfix services named in master.cf (their ports are the /etc/services ones).
    "server_submission_port": ("postfix/master.cf.j2", re.compile(r"^(submission) +inet", re.M)),
    "server_smtps_port": ("postfix/master.cf.j2", re.compile(r"^(smtps) +inet", re.M)),
}
SERVICES = {"submission": 587, "smtps": 465}


def literal(text: str):
    return yaml.safe_load(text.replace("'", '"')) if text else ""


def test_every_server_fallback_matches_the_server_role():
    webmail = (ROLES / "webmail" / "defaults" / "main.yml").read_text(encoding="utf-8")
    server = yaml.safe_load((ROLES / "server" / "defaults" / "main.yml").read_text(encoding="utf-8"))
    fallbacks = FALLBACK.findall(webmail)
    assert fallbacks, "the webmail role reads no server variable"
    checked = set()
    for name, default in fallbacks:
        if "ansible_facts" in default:
            continue  # the host's own name: the same expression as the server role's default
        value = literal(default)
        if name in server:
            assert server[name] == value, "%s: server role default %r, webmail fallback %r" % (name, server[name], value)
        elif name in LITERAL_PORTS:
            template, pattern = LITERAL_PORTS[name]
            text = (ROLES / "server" / "templates" / template).read_text(encoding="utf-8")
            found = pattern.search(text)
            assert found, "%s: no such port in the server role's %s" % (name, template)
            port = SERVICES.get(found.group(1)) or int(found.group(1))
            assert port == value, "%s: the server role serves %s, webmail fallback %r" % (name, port, value)
        else:
            raise AssertionError("%s is neither a server role default nor a known port" % name)
        checked.add(name)
    assert {"server_imap_port", "server_imaps_port", "server_submission_port", "server_smtps_port",
            "server_managesieve_port", "server_tls_cert_file", "server_store_path"} <= checked
