"""The webmail role takes every server fact from the server role's variables (no container needed).

Its defaults read `server_*` variables, each with a fallback used only when the webmail role
runs without the server role's defaults in sight (a play of its own, as in playbooks/site.yml,
or `tasks_from: clients` in playbooks/mail.yml). A fallback that differs from what the server
role really uses would be a silent drift: this test compares them with the server role's
defaults, and checks that the server role's templates really use the port variables.
"""
from __future__ import annotations

import re
from pathlib import Path

import yaml

ROLES = Path(__file__).resolve().parents[2] / "collections" / "ansible_collections" / "gestixi" / "mail" / "roles"
FALLBACK = re.compile(r"\b(server_\w+) \| default\(([^()]*)\)")
# Port variable -> the server role's template that serves it.
PORTS = {
    "server_imap_port": "dovecot/dovecot.conf.j2",
    "server_imaps_port": "dovecot/dovecot.conf.j2",
    "server_managesieve_port": "dovecot/dovecot.conf.j2",
    "server_submission_port": "postfix/master.cf.j2",
    "server_smtps_port": "postfix/master.cf.j2",
}


def literal(text: str):
    return yaml.safe_load(text.replace("'", '"')) if text else ""


def server_defaults() -> dict:
    return yaml.safe_load((ROLES / "server" / "defaults" / "main.yml").read_text(encoding="utf-8"))


def test_every_server_fallback_matches_the_server_role():
    webmail = (ROLES / "webmail" / "defaults" / "main.yml").read_text(encoding="utf-8")
    server = server_defaults()
    fallbacks = FALLBACK.findall(webmail)
    assert fallbacks, "the webmail role reads no server variable"
    checked = set()
    for name, default in fallbacks:
        if "ansible_facts" in default:
            continue  # the host's own name: the same fact as the server role's default
        assert name in server, "%s is not a variable of the server role" % name
        value = literal(default)
        assert server[name] == value, "%s: server role default %r, webmail fallback %r" % (name, server[name], value)
        checked.add(name)
    assert set(PORTS) | {"server_tls_cert_file", "server_store_path"} <= checked


def test_the_server_templates_use_the_port_variables():
    server = server_defaults()
    for name, template in PORTS.items():
        assert isinstance(server.get(name), int), "%s: no port in the server role's defaults" % name
        text = (ROLES / "server" / "templates" / template).read_text(encoding="utf-8")
        assert re.search(r"\{\{[^}]*\b%s\b" % name, text), "%s is not used by the server role's %s" % (name, template)
