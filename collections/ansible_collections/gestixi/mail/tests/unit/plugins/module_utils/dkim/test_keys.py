# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The DKIM key folder, with the real openssl: keys made once, kept, removed when no selector
publishes them, the operator's own keys written as given, the selector map of what signs."""
from __future__ import annotations

import base64
import os
import shutil
import subprocess

import pytest

from ansible_collections.gestixi.mail.plugins.module_utils._errors import MailStateError
from ansible_collections.gestixi.mail.plugins.module_utils.dkim._keys import KeyStore, Wanted, key_file, wanted_from_params

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is not installed")


def run(argv, data=None, binary_data=False, encoding="utf-8"):
    assert encoding is None  # the key store reads bytes, never text
    done = subprocess.run(argv, input=data, capture_output=True, check=False)
    return done.returncode, done.stdout, done.stderr


def converge(key_dir, wanted, given=None, check_mode=False, key_bits=2048):
    keys = KeyStore(str(key_dir), None, run, key_bits=key_bits, check_mode=check_mode)
    keys.converge(wanted, given or {})
    return keys.result()


def spki_of(path) -> bytes:
    return subprocess.run(["openssl", "pkey", "-in", str(path), "-pubout", "-outform", "DER"],
                          capture_output=True, check=True).stdout


def rsa_bits(path) -> int:
    text = subprocess.run(["openssl", "pkey", "-in", str(path), "-noout", "-text"],
                          capture_output=True, check=True, text=True).stdout
    return int(text.split("Private-Key: (", 1)[1].split(" bit", 1)[0])


ORG = Wanted("example.org", "s2026", ["s2026", "s2027"])
NET = Wanted("example.net", "gestixi", [])


def test_keys_are_made_once_and_the_map_names_the_signing_selector(tmp_path):
    key_dir = tmp_path / "dkim"
    first = converge(key_dir, [ORG, NET])
    assert first["changed"]
    assert sorted(first["created"]) == ["example.net gestixi", "example.org s2026", "example.org s2027"]
    for domain, selector in (("example.org", "s2026"), ("example.org", "s2027"), ("example.net", "gestixi")):
        path = key_file(str(key_dir), domain, selector)
        assert os.stat(path).st_mode & 0o777 == 0o640
        assert rsa_bits(path) == 2048
        assert base64.b64decode(first["public_keys"][domain][selector]) == spki_of(path)
    assert os.stat(key_dir).st_mode & 0o777 == 0o750
    assert (key_dir / "selectors.map").read_text() == "example.net gestixi\nexample.org s2026\n"

    before = {name: (key_dir / name).read_bytes() for name in os.listdir(key_dir)}
    second = converge(key_dir, [ORG, NET])
    assert not second["changed"] and second["created"] == [] and second["removed"] == []
    assert second["public_keys"] == first["public_keys"]
    assert {name: (key_dir / name).read_bytes() for name in os.listdir(key_dir)} == before


def test_rotation_moves_the_map_and_removes_the_key_no_selector_publishes(tmp_path):
    key_dir = tmp_path / "dkim"
    made = converge(key_dir, [Wanted("example.org", "s2026", ["s2026", "s2027"])])
    # The next key signs; the old one stays published for a while, then goes.
    rotated = converge(key_dir, [Wanted("example.org", "s2027", ["s2027", "s2026"])])
    assert rotated["changed"] and rotated["created"] == [] and rotated["removed"] == []
    assert rotated["public_keys"] == made["public_keys"]
    assert (key_dir / "selectors.map").read_text() == "example.org s2027\n"
    done = converge(key_dir, [Wanted("example.org", "s2027", ["s2027"])])
    assert done["removed"] == ["example.org s2026"]
    assert not os.path.exists(key_file(str(key_dir), "example.org", "s2026"))
    assert os.path.exists(key_file(str(key_dir), "example.org", "s2027"))


def test_keys_of_other_domains_and_of_sub_domains_are_left_alone(tmp_path):
    key_dir = tmp_path / "dkim"
    converge(key_dir, [Wanted("sub.example.org", "s1", []), Wanted("other.example", "k", [])])
    result = converge(key_dir, [Wanted("example.org", "s2026", []), Wanted("sub.example.org", "s1", [])])
    assert result["removed"] == []
    assert os.path.exists(key_file(str(key_dir), "sub.example.org", "s1"))
    assert os.path.exists(key_file(str(key_dir), "other.example", "k"))


def test_check_mode_reports_and_writes_nothing(tmp_path):
    key_dir = tmp_path / "dkim"
    result = converge(key_dir, [ORG], check_mode=True)
    assert result["changed"] and sorted(result["created"]) == ["example.org s2026", "example.org s2027"]
    assert result["public_keys"] == {}
    assert not key_dir.exists()

    converge(key_dir, [ORG])
    planned = converge(key_dir, [Wanted("example.org", "s2027", ["s2027"])], check_mode=True)
    assert planned["removed"] == ["example.org s2026"]
    assert os.path.exists(key_file(str(key_dir), "example.org", "s2026"))
    assert (key_dir / "selectors.map").read_text() == "example.org s2026\n"


def test_the_operators_key_is_written_as_given_and_never_shown(tmp_path):
    key_dir = tmp_path / "dkim"
    pem = subprocess.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
                         capture_output=True, check=True, text=True).stdout
    given = {"example.net": {"gestixi": pem}}
    result = converge(key_dir, [NET], given=given)
    path = key_file(str(key_dir), "example.net", "gestixi")
    assert result["created"] == ["example.net gestixi"]
    assert open(path, encoding="ascii").read() == pem.strip() + "\n"
    assert pem.strip().splitlines()[1] not in repr(result)
    assert not converge(key_dir, [NET], given=given)["changed"]

    # A key made on the server is replaced by the one the operator gives.
    os.unlink(path)
    converge(key_dir, [NET])
    replaced = converge(key_dir, [NET], given=given)
    assert replaced["replaced"] == ["example.net gestixi"]
    assert base64.b64decode(replaced["public_keys"]["example.net"]["gestixi"]) == spki_of(path)


def test_a_bad_key_is_refused_by_name_before_anything_is_written(tmp_path):
    key_dir = tmp_path / "dkim"
    secret = "-----BEGIN PRIVATE KEY-----\nTOPSECRETbutbroken\n-----END PRIVATE KEY-----\n"
    with pytest.raises(MailStateError) as refused:
        converge(key_dir, [ORG, NET], given={"example.net": {"gestixi": secret}})
    assert "DKIM key example.net gestixi" in str(refused.value)
    assert "TOPSECRET" not in str(refused.value)
    assert not key_dir.exists() or not any(name.endswith(".key") for name in os.listdir(key_dir))

    with pytest.raises(MailStateError) as refused:
        converge(key_dir, [NET], given={"example.com": {"x": secret},
                                        "example.net": {"gestixi": "not pem", "s9": secret}})
    text = str(refused.value)
    assert "private_keys[example.com]" in text and "private_keys[example.net][gestixi]" in text
    assert "private_keys[example.net][s9]: not a selector example.net publishes" in text


def test_domains_that_are_not_names_are_refused():
    with pytest.raises(MailStateError) as refused:
        wanted_from_params([{"name": "example.org", "selector": "s1", "published": []},
                            {"name": "../etc", "selector": "s1", "published": []},
                            {"name": "example.net", "selector": "a/b", "published": []}])
    assert [p.item for p in refused.value.problems] == ["domains[1]", "domains[2]"]
