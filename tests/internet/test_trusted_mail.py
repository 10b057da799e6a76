"""The mail the gestixi host sends is trusted by an independent host: DKIM, SPF and DMARC
pass, checked on the outside host by rspamd and by dkimpy against the keys BIND publishes;
and BIND publishes, record by record, what the description and the servers call for.

Run by molecule/internet/verify.yml in four parts (GESTIXI_INTERNET_PART): `signed` after the
converge, `renewed` after a forced renewal of the ACME certificate, `rotated` after the key
rotation of verify.yml, `retired` after the old key's day.
"""
from __future__ import annotations

import base64
import hashlib
import imaplib
import os
import re
import smtplib

import pytest

from internet_lib import dkim_tags, parsed, verdicts

PART = os.environ.get("GESTIXI_INTERNET_PART", "signed")
# The message signed before the rotation, found again after it (a fixed marker: the scenario's
# containers are made afresh at each run).
BEFORE_ROTATION = "gestixi-internet-signed-before-rotation"

# The application credential of example.org (its password: tests/mailclient.py's password_of).
APPLICATION = "invoices@example.org"
SENT = "GestiXi - Sent"

only = {part: pytest.mark.skipif(PART != part, reason="part %s of verify.yml" % part)
        for part in ("signed", "renewed", "next_key", "rekeyed", "rotated", "retired")}
# The ports that serve the certificate (Postfix's STARTTLS on 25 and 587, Dovecot's IMAPS, nginx).
TLS_PORTS = ((25, "smtp"), (587, "smtp"), (993, None), (443, None))
LIVE = "/etc/letsencrypt/live/gestixi-mail"


def assert_trusted(internet, raw: str, domain: str, selector: str) -> None:
    message = parsed(raw)
    signatures = dkim_tags(message)
    assert [(s["d"], s["s"], s["a"]) for s in signatures] == [(domain, selector, "rsa-sha256")], signatures
    verified = internet.dkimverify(raw)
    assert verified.returncode == 0 and "signature ok" in verified.stdout, verified.stdout + verified.stderr
    assert verdicts(message) == {"dkim": "pass", "spf": "pass", "dmarc": "pass"}, message["Authentication-Results"]


def parsed_copy_is_signed(copy) -> bool:
    return [s["d"] for s in dkim_tags(copy)] == ["example.org"]


def served_everywhere(internet) -> set[str]:
    return {internet.served_certificate(port, starttls) for port, starttls in TLS_PORTS}


def tlsa_of(internet, certificate: str) -> str:
    spki = internet.inside(internet.mail, "sh", "-c", "openssl x509 -in %s -noout -pubkey | openssl pkey "
                           "-pubin -outform DER | base64 -w0" % certificate)
    return "3 1 1 %s" % hashlib.sha256(base64.b64decode(spki)).hexdigest()


def public_key_of(internet, domain: str, selector: str) -> str:
    """The base64 SubjectPublicKeyInfo of the key file on the mail host (read as root there)."""
    der = internet.inside(internet.mail, "sh", "-c", "openssl pkey -in /var/lib/gestixi-mail/dkim/%s.%s.key "
                          "-pubout -outform DER | base64 -w0" % (domain, selector))
    return der.strip()


# --- Part 1: after the converge ------------------------------------------------------------

@only["signed"]
def test_a_submitted_message_is_signed_and_trusted_outside(server, internet, token):
    server.submit("alice@example.org", "alice@example.org", ["dave@outside.test"], token)
    assert_trusted(internet, internet.received("dave", token), "example.org", "s1")


@only["signed"]
def test_each_domain_signs_with_its_own_key(server, internet, token):
    server.submit("erin@example.net", "erin@example.net", ["dave@outside.test"], token)
    assert_trusted(internet, internet.received("dave", token), "example.net", "gestixi")


@only["signed"]
def test_an_automatic_reply_is_signed_and_trusted_outside(internet, token):
    # A new sender each time: Sieve answers a sender once in :days.
    internet.send_from_outside("frank+%s@outside.test" % token, "carol@example.org", "Question")
    reply = internet.received("frank", token)
    assert parsed(reply)["Subject"] == "Carol is away"
    assert_trusted(internet, reply, "example.org", "s1")


@only["signed"]
def test_the_application_sends_as_two_users_signed_and_filed_read_in_their_sent_folder(server, internet, token):
    for user in ("alice", "carol"):
        mark = "%s-%s" % (token, user)
        server.submit(APPLICATION, "%s@example.org" % user, ["dave@outside.test"], mark)
        assert_trusted(internet, internet.received("dave", mark), "example.org", "s1")
        address = "%s@example.org" % user
        (uid,) = server.wait_for(address, SENT, "SEEN", "SUBJECT", '"%s"' % mark)
        assert parsed_copy_is_signed(server.fetch(address, SENT, uid))
        assert server.find_subject(address, mark) == []  # a copy in Sent, none in the inbox


@only["signed"]
def test_the_application_may_not_send_as_another_domain(server):
    for sender in ("erin@example.net", "someone@outside.test"):
        with server.smtp_submission(APPLICATION) as smtp:
            with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
                smtp.sendmail(sender, ["dave@outside.test"], "Subject: not ours\r\n\r\nx\r\n")
        ((code, text),) = refused.value.recipients.values()
        assert code == 553 and b"not owned by user invoices@example.org" in text, (code, text)


@only["signed"]
def test_the_application_cannot_log_in_over_imap(server):
    with pytest.raises(imaplib.IMAP4.error, match="AUTHENTICATIONFAILED"):
        server.imap(APPLICATION)


@only["signed"]
def test_a_message_kept_for_after_the_rotation(server, internet):
    server.submit("alice@example.org", "alice@example.org", ["dave@outside.test"], BEFORE_ROTATION)
    assert_trusted(internet, internet.received("dave", BEFORE_ROTATION), "example.org", "s1")


@only["signed"]
def test_bind_publishes_each_record_of_the_description(internet):
    mail_ip = internet.inside(internet.mail, "sh", "-c", "ip -4 -o route get 1.1.1.1 | sed 's/.* src \\([^ ]*\\).*/\\1/'").strip()
    assert internet.lookup("mail.example.test.", "A") == [mail_ip]
    for domain in ("example.org", "example.net"):
        assert internet.lookup(domain + ".", "MX") == ["10 mail.example.test."]
        assert internet.txt(domain + ".") == ["v=spf1 mx -all"]
        for label, port in (("_submission", 587), ("_submissions", 465), ("_imap", 143), ("_imaps", 993),
                            ("_sieve", 4190)):
            assert internet.lookup("%s._tcp.%s." % (label, domain), "SRV") == ["0 1 %d mail.example.test." % port]
        assert internet.lookup("_pop3._tcp.%s." % domain, "SRV") == ["0 0 0 ."]
        for name in ("autoconfig", "autodiscover", "mta-sts"):
            assert internet.lookup("%s.%s." % (name, domain), "CNAME") == ["mail.example.test."]
    # The DKIM record is the public key of the private key on the mail host.
    assert internet.txt("s1._domainkey.example.org.") == [
        "v=DKIM1; k=rsa; p=%s" % public_key_of(internet, "example.org", "s1")]
    assert internet.txt("gestixi._domainkey.example.net.") == [
        "v=DKIM1; k=rsa; p=%s" % public_key_of(internet, "example.net", "gestixi")]
    assert internet.txt("_dmarc.example.org.") == ["v=DMARC1; p=reject; rua=mailto:postmaster@example.org"]
    assert internet.txt("_dmarc.example.net.") == ["v=DMARC1; p=quarantine"]
    assert internet.txt("_smtp._tls.example.org.") == ["v=TLSRPTv1; rua=mailto:postmaster@example.org"]
    assert internet.txt("_smtp._tls.example.net.") == []
    (sts,) = internet.txt("_mta-sts.example.org.")
    assert sts.startswith("v=STSv1; id=")
    # TLSA 3 1 1: the SHA-256 of the public key of the certificate Postfix serves.
    assert internet.lookup("_25._tcp.mail.example.test.", "TLSA") == [
        tlsa_of(internet, "/etc/gestixi-mail/tls/server.crt")]


@only["signed"]
def test_the_acme_certificate_is_what_every_port_serves(internet):
    live = internet.inside(internet.mail, "cat", "%s/cert.pem" % LIVE)
    issuer = internet.inside(internet.mail, "openssl", "x509", "-noout", "-issuer", stdin=live)
    assert "Pebble" in issuer, issuer  # issued through HTTP-01 by the test's ACME CA
    assert served_everywhere(internet) == {internet.fingerprint(internet.mail, live)}
    assert internet.lookup("_25._tcp.mail.example.test.", "TLSA") == [tlsa_of(internet, LIVE + "/cert.pem")]


@only["signed"]
def test_each_domain_serves_the_mta_sts_policy_its_record_announces(internet):
    # Fetched as senders do: over HTTPS at mta-sts.<domain>, the certificate checked (pebble's root).
    for domain, mode in (("example.org", "enforce"), ("example.net", "testing")):
        policy = internet.fetched_over_https("https://mta-sts.%s/.well-known/mta-sts.txt" % domain)
        assert policy == "version: STSv1\nmode: %s\nmx: mail.example.test\nmax_age: 604800\n" % mode
    # postfix-mta-sts-resolver, which the outside Postfix asks before it sends: the _mta-sts
    # record, then the policy over HTTPS, both valid.
    answer = internet.inside(internet.outside, "mta-sts-query", "example.org")
    assert "STSFetchResult.VALID" in answer and "'mx': ['mail.example.test']" in answer, answer
    assert "'mode': 'enforce'" in answer, answer


@only["signed"]
def test_mail_to_an_enforcing_domain_travels_over_verified_tls(server, internet, token):
    internet.send_from_outside("frank@outside.test", "alice@example.org", token)
    assert server.wait_for_subject("alice@example.org", token, timeout=90)
    # MTA-STS enforce: the outside Postfix delivered only after verifying the certificate
    # against the policy's MX name (a self-signed or wrong-name certificate defers the mail).
    assert re.search(r"Verified TLS connection established to mail\.example\.test\[",
                     internet.outside_log("postfix/smtp")), "no verified TLS delivery to mail.example.test"


# --- Part renewed: after certbot's forced renewal (verify.yml), nothing restarted by hand ----

@only["renewed"]
def test_after_a_renewal_every_port_serves_the_new_certificate_and_the_tlsa_record_holds(internet):
    archive = "/etc/letsencrypt/archive/gestixi-mail"
    first, second = (internet.inside(internet.mail, "cat", "%s/cert%d.pem" % (archive, n)) for n in (1, 2))
    new = internet.fingerprint(internet.mail, second)
    assert new != internet.fingerprint(internet.mail, first)
    assert served_everywhere(internet) == {new}
    # The key is kept (reuse_key), so the published TLSA record matches the old and the new one:
    # DANE holds across the renewal.
    (published,) = internet.lookup("_25._tcp.mail.example.test.", "TLSA")
    assert published == tlsa_of(internet, "%s/cert1.pem" % archive) == tlsa_of(internet, "%s/cert2.pem" % archive)


# --- Parts next_key and rekeyed: a change of the certificate's key (acme_key_rollover) -------

NEXT = "/etc/letsencrypt/live/gestixi-mail-next"


@only["next_key"]
def test_the_next_keys_tlsa_record_is_published_before_anything_serves_it(internet):
    current = internet.inside(internet.mail, "cat", "%s/cert.pem" % LIVE)
    assert served_everywhere(internet) == {internet.fingerprint(internet.mail, current)}
    published = internet.lookup("_25._tcp.mail.example.test.", "TLSA")
    assert published == sorted([tlsa_of(internet, LIVE + "/cert.pem"), tlsa_of(internet, NEXT + "/cert.pem")])
    assert len(set(published)) == 2  # a new key, not a renewal


@only["rekeyed"]
def test_after_the_switch_every_port_serves_the_new_key_and_only_it_is_pinned(server, internet, token):
    new = internet.inside(internet.mail, "cat", "%s/cert.pem" % NEXT)
    assert served_everywhere(internet) == {internet.fingerprint(internet.mail, new)}
    assert internet.lookup("_25._tcp.mail.example.test.", "TLSA") == [tlsa_of(internet, NEXT + "/cert.pem")]
    # The old key is gone with its lineage; renewals now renew the new one.
    assert internet.run(internet.mail, "test", "-e", LIVE).returncode != 0
    assert "gestixi-mail-next" in internet.inside(internet.mail, "certbot", "certificates")
    # Senders that verify (MTA-STS enforce) still deliver.
    internet.send_from_outside("frank@outside.test", "alice@example.org", token)
    assert server.wait_for_subject("alice@example.org", token, timeout=90)


# --- Part 2: after verify.yml's rotation (s2 signs, s1 stays published) ---------------------

@only["rotated"]
def test_after_the_rotation_the_next_key_signs(server, internet, token):
    server.submit("alice@example.org", "alice@example.org", ["dave@outside.test"], token)
    assert_trusted(internet, internet.received("dave", token), "example.org", "s2")


@only["rotated"]
def test_a_message_signed_with_the_old_key_still_verifies_while_it_is_published(internet):
    assert internet.txt("s1._domainkey.example.org.") == [
        "v=DKIM1; k=rsa; p=%s" % public_key_of(internet, "example.org", "s1")]
    raw = internet.received("dave", BEFORE_ROTATION)
    verified = internet.dkimverify(raw)
    assert verified.returncode == 0 and "signature ok" in verified.stdout, verified.stdout + verified.stderr


# --- Part 3: the old key's day has passed --------------------------------------------------

@only["retired"]
def test_the_old_key_is_withdrawn_and_destroyed(internet):
    assert internet.txt("s1._domainkey.example.org.") == []
    assert internet.txt("s2._domainkey.example.org.") != []
    assert internet.run(internet.mail, "test", "-e", "/var/lib/gestixi-mail/dkim/example.org.s1.key").returncode == 1
    # A message signed with it no longer verifies: receivers treat it as unsigned.
    verified = internet.dkimverify(internet.received("dave", BEFORE_ROTATION))
    assert verified.returncode != 0
