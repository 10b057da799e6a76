#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: gestixi_dkim_keys
short_description: The DKIM private keys of a mail server, and which selector signs each domain
version_added: 0.1.0
description:
  - Keeps one 2048-bit RSA private key per domain and published selector in O(key_dir), as
    C(<domain>.<selector>.key), and writes C(selectors.map) (C(<domain> <selector>) per line),
    the map from which rspamd's C(dkim_signing) module takes the selector that signs a
    domain's mail. The server role (M(gestixi.mail.server)) points rspamd at both.
  - A missing key is made on the server with C(openssl genpkey), and stays there; or it is the
    operator's own, given in O(private_keys) (from Ansible Vault).
  - A key whose selector its domain no longer publishes (rotation done, C(until) passed) is
    removed. Keys of domains not in O(domains) are left alone.
  - Returns the public keys (RV(public_keys)), the input of the P(gestixi.mail.dns_records#filter)
    filter's C(dkim_keys). Private keys are never returned or logged.
  - The state role (gestixi.mail.state) runs it after the description's converge, with
    O(domains) from M(gestixi.mail.gestixi_description_validate)'s RV(gestixi.mail.gestixi_description_validate#module:dkim).
author:
  - gestixi.mail contributors (@gestixi)
attributes:
  check_mode:
    support: full
    description: Reports the keys that would be made, replaced or removed; writes nothing. Keys not made yet have no public key in RV(public_keys).
  diff_mode:
    support: none
    description: Private keys are secrets; the result lists which keys change instead.
  idempotent:
    support: full
    description: Keys that exist are kept; a second run changes nothing.
options:
  domains:
    description:
      - The domains and their selectors, as RV(gestixi.mail.gestixi_description_validate#module:dkim)
        gives them.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: The domain, in its A-label form.
        type: str
        required: true
      selector:
        description: The selector that signs the domain's mail now.
        type: str
        required: true
      published:
        description: Every selector whose key is published (the signing one, the next one, old ones until their day).
        type: list
        elements: str
        default: []
  key_dir:
    description: The folder of the keys and of C(selectors.map). Created C(0750) when missing.
    type: path
    default: /var/lib/gestixi-mail/dkim
  key_group:
    description:
      - The group that may read the keys, the signer's (rspamd runs as C(_rspamd) on Debian). The
        folder and files get it; V("") keeps the files' current group.
    type: str
    default: _rspamd
  key_bits:
    description: Size of the RSA keys made here. 2048 is what receivers expect; 1024 is too weak (RFC 8301).
    type: int
    default: 2048
    choices: [2048, 3072, 4096]
  private_keys:
    description:
      - "The operator's own keys, as C({domain: {selector: PEM}}), from Ansible Vault. A key given
        here replaces the one on the server; the others are made on the server."
    type: dict
    default: {}
notes:
  - The keys and the map are C(0640), the folder C(0750), owner root, group O(key_group).
seealso:
  - module: gestixi.mail.gestixi_description_validate
  - plugin: gestixi.mail.dns_records
    plugin_type: filter
"""

EXAMPLES = r"""
- name: Keep the DKIM keys of the description's domains
  gestixi.mail.gestixi_dkim_keys:
    domains:
      - {name: example.org, selector: s2026, published: [s2026, s2027]}
      - {name: example.net, selector: gestixi, published: [gestixi]}
  register: dkim

- name: Show the DKIM records to publish
  ansible.builtin.debug:
    msg: "{{ gestixi_mail_domains | gestixi.mail.dns_records(servers=[inventory_hostname], dkim_keys=dkim.public_keys) | gestixi.mail.zone_snippet }}"
"""

RETURN = r"""
public_keys:
  description: The public key of each key kept, by domain and selector, as the base64 of its SubjectPublicKeyInfo (the C(p=) of the DKIM record).
  returned: always
  type: dict
  sample: {example.org: {s2026: MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAu...}}
created:
  description: The keys made or written (from O(private_keys)) for the first time, as C(<domain> <selector>).
  returned: always
  type: list
  elements: str
  sample: [example.org s2027]
replaced:
  description: Keys replaced by the one given in O(private_keys).
  returned: always
  type: list
  elements: str
  sample: []
removed:
  description: Keys removed because their selector is no longer published.
  returned: always
  type: list
  elements: str
  sample: [example.org s2025]
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.gestixi.mail.plugins.module_utils._errors import MailStateError
from ansible_collections.gestixi.mail.plugins.module_utils.converge._runner import fail
from ansible_collections.gestixi.mail.plugins.module_utils.dkim._keys import KeyStore, wanted_from_params


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "domains": {"type": "list", "elements": "dict", "required": True, "options": {
                "name": {"type": "str", "required": True},
                "selector": {"type": "str", "required": True},
                "published": {"type": "list", "elements": "str", "default": []},
            }},
            "key_dir": {"type": "path", "default": "/var/lib/gestixi-mail/dkim"},
            "key_group": {"type": "str", "default": "_rspamd", "no_log": False},
            "key_bits": {"type": "int", "default": 2048, "choices": [2048, 3072, 4096]},
            "private_keys": {"type": "dict", "default": {}, "no_log": True},
        },
        supports_check_mode=True,
    )
    params = module.params
    try:
        keys = KeyStore(params["key_dir"], params["key_group"], module.run_command, params["key_bits"],
                        check_mode=module.check_mode)
        keys.converge(wanted_from_params(params["domains"]), params["private_keys"])
    except MailStateError as exc:
        fail(module, exc)
    else:
        module.exit_json(**keys.result())


if __name__ == "__main__":
    main()
