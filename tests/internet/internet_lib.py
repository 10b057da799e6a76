"""The test Internet of the Molecule scenario `internet`: its DNS (BIND through 127.0.0.1) and
its outside mail host (through podman exec), as the tests of tests/internet use them."""
from __future__ import annotations

import email
import email.policy
import os
import re
import subprocess
from dataclasses import dataclass
from email.message import EmailMessage

import dns.message
import dns.query
import dns.rdatatype

from mailclient import poll


@dataclass(frozen=True)
class Internet:
    dns_port: int
    outside: str
    mail: str

    @classmethod
    def from_environment(cls) -> Internet:
        return cls(dns_port=int(os.environ.get("GESTIXI_DNS_PORT", 15353)),
                   outside=os.environ.get("GESTIXI_OUTSIDE_CONTAINER", "gestixi-internet-outside"),
                   mail=os.environ.get("GESTIXI_MAIL_CONTAINER", "gestixi-internet-mail"))

    # --- DNS: what BIND answers -----------------------------------------------------------
    def lookup(self, name: str, rtype: str) -> list[str]:
        """The RRset BIND answers for name and type, as sorted presentation texts ([] for none)."""
        query = dns.message.make_query(name, rtype)
        response, _tcp = dns.query.udp_with_fallback(query, "127.0.0.1", port=self.dns_port, timeout=5)
        for rrset in response.answer:
            if rrset.rdtype == dns.rdatatype.from_text(rtype):
                return sorted(rdata.to_text() for rdata in rrset)
        return []

    def txt(self, name: str) -> list[str]:
        """The TXT texts of a name, each RRset member's strings joined."""
        return sorted("".join(re.findall(r'"((?:[^"\\]|\\.)*)"', value)) for value in self.lookup(name, "TXT"))

    # --- Containers -----------------------------------------------------------------------
    def run(self, container: str, *argv: str, stdin: str | None = None) -> subprocess.CompletedProcess:
        return subprocess.run(["podman", "exec", "-i", container, *argv], input=stdin,
                              capture_output=True, text=True, timeout=120, check=False)

    def inside(self, container: str, *argv: str, stdin: str | None = None) -> str:
        done = self.run(container, *argv, stdin=stdin)
        assert done.returncode == 0, "%s in %s: %s%s" % (" ".join(argv), container, done.stdout, done.stderr)
        return done.stdout

    # --- The outside mail host ------------------------------------------------------------
    def received(self, user: str, marker: str, timeout: float = 90.0) -> str:
        """The raw text of the message in the outside user's Maildir that contains marker."""
        def probe() -> str:
            found = self.run(self.outside, "sh", "-c", "grep -l -r -F -- \"$1\" /home/%s/Maildir/new "
                             "/home/%s/Maildir/cur 2>/dev/null | head -n 1" % (user, user), "sh", marker)
            return found.stdout.strip()
        path = poll(probe, timeout)
        assert path, "nothing containing %s reached %s@outside.test in %d s" % (marker, user, timeout)
        return self.inside(self.outside, "cat", path)

    def dkimverify(self, raw: str) -> subprocess.CompletedProcess:
        """dkimpy's verifier on the outside host, which asks BIND for the key."""
        return self.run(self.outside, "dkimverify", stdin=raw)

    def fetched_over_https(self, url: str) -> str:
        """The body of url as the outside host fetches it: Python's urllib, which checks the
        certificate against the host's trusted CAs and the name (the policy fetch of RFC 8461 3.3)."""
        return self.inside(self.outside, "python3", "-c", "import sys, urllib.request; "
                           "sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=20).read().decode())", url)

    def outside_log(self, tag: str) -> str:
        """What the outside host's syslog identifier tag (postfix/smtp, ...) logged."""
        return self.inside(self.outside, "journalctl", "--no-pager", "-o", "cat", "-t", tag)

    def served_certificate(self, port: int, starttls: str | None = None) -> str:
        """The SHA-256 fingerprint of the certificate the mail host serves on port, as the outside
        host sees it (openssl s_client, through BIND's name of the host)."""
        argv = "openssl s_client -connect mail.example.test:%d -servername mail.example.test%s" % (
            port, " -starttls %s" % starttls if starttls else "")
        pem = self.inside(self.outside, "sh", "-c", "%s </dev/null 2>/dev/null | openssl x509" % argv)
        return self.fingerprint(self.outside, pem)

    def fingerprint(self, container: str, pem: str) -> str:
        """The SHA-256 fingerprint of a PEM certificate."""
        out = self.inside(container, "openssl", "x509", "-noout", "-fingerprint", "-sha256", stdin=pem)
        return out.strip().partition("=")[2]

    def send_from_outside(self, sender: str, recipient: str, subject: str) -> None:
        """swaks on the outside host, through its Postfix (which finds the MX through BIND)."""
        self.inside(self.outside, "swaks", "--silent", "2", "--to", recipient, "--from", sender,
                    "--server", "127.0.0.1", "--header", "Subject: %s" % subject, "--body", "Hello from outside.test.")


def parsed(raw: str) -> EmailMessage:
    return email.message_from_string(raw, policy=email.policy.default)


def verdicts(message: EmailMessage) -> dict[str, str]:
    """{dkim, spf, dmarc} -> pass/fail/... of the outside host's Authentication-Results (rspamd)."""
    results = [str(value) for value in message.get_all("Authentication-Results", [])
               if str(value).startswith("mx.outside.test")]
    assert results, "no Authentication-Results of mx.outside.test in %s" % message.keys()
    return {method: result for method, result in re.findall(r"\b(dkim|spf|dmarc)=([a-z]+)", results[0])}


def dkim_tags(message: EmailMessage) -> list[dict[str, str]]:
    """The tags of each DKIM-Signature (d, s, a, ...)."""
    out = []
    for value in message.get_all("DKIM-Signature", []):
        text = re.sub(r"\s+", "", str(value))
        out.append(dict(part.split("=", 1) for part in text.split(";") if "=" in part))
    return out
