"""The TLS profile every listener shares (the handshakes themselves: tests/webmail/test_tls.py)."""
from __future__ import annotations

import pytest
from ansible.errors import AnsibleLookupError

from ansible_collections.gestixi.mail.plugins.lookup.tls_profile import LookupModule


def test_the_settings_come_back_in_the_order_asked():
    ciphers, minimum = LookupModule().run(["ciphers", "min_protocol"])
    assert minimum == "TLSv1.2"
    assert ciphers.split(":")[0] == "ECDHE-ECDSA-AES128-GCM-SHA256"


def test_every_cipher_is_forward_secret_and_aead():
    (ciphers,) = LookupModule().run(["ciphers"])
    for cipher in ciphers.split(":"):
        assert cipher.startswith("ECDHE-"), cipher
        assert "GCM" in cipher or "CHACHA20-POLY1305" in cipher, cipher


def test_an_unknown_setting_is_named():
    with pytest.raises(AnsibleLookupError, match="no setting protocols"):
        LookupModule().run(["protocols"])
