# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
name: tls_profile
short_description: The TLS settings every listener of the mail host follows
version_added: 0.2.0
description:
  - Returns a setting of Mozilla's "intermediate" server profile (version 6), the one every TLS
    listener of gestixi.mail follows (Postfix on 25, 465 and 587, Dovecot on 143, 993 and 4190,
    nginx on 443), so that the server and webmail roles share one definition.
  - C(ciphers) is the OpenSSL list of TLS 1.2 ciphers (forward secret AEAD only; TLS 1.3's
    own suites are all acceptable and left at OpenSSL's default). C(min_protocol) is the oldest
    protocol accepted.
author:
  - gestixi.mail contributors (@gestixi)
options:
  _terms:
    description: Names of the settings, C(ciphers) or C(min_protocol).
    type: list
    elements: str
    required: true
"""

EXAMPLES = r"""
- name: Show the TLS 1.2 ciphers the mail host accepts
  ansible.builtin.debug:
    msg: "{{ lookup('gestixi.mail.tls_profile', 'ciphers') }}"
"""

RETURN = r"""
_raw:
  description: The value of each setting asked for, in the order asked.
  type: list
  elements: str
"""

from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase

# https://ssl-config.mozilla.org/guidelines/5.7.json "intermediate", DHE suites left out as in
# version 6: ECDHE key exchange with AES-GCM or ChaCha20-Poly1305 only.
PROFILE = {
    "ciphers": ":".join([
        "ECDHE-ECDSA-AES128-GCM-SHA256",
        "ECDHE-RSA-AES128-GCM-SHA256",
        "ECDHE-ECDSA-AES256-GCM-SHA384",
        "ECDHE-RSA-AES256-GCM-SHA384",
        "ECDHE-ECDSA-CHACHA20-POLY1305",
        "ECDHE-RSA-CHACHA20-POLY1305",
    ]),
    "min_protocol": "TLSv1.2",
}


class LookupModule(LookupBase):
    def run(self, terms, variables=None, **kwargs):
        unknown = [term for term in terms if term not in PROFILE]
        if unknown:
            raise AnsibleLookupError("tls_profile has no setting %s (known: %s)"
                                     % (", ".join(unknown), ", ".join(sorted(PROFILE))))
        return [PROFILE[term] for term in terms]
