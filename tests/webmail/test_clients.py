"""Desktop mail client configuration, fetched over HTTP(S) like the clients do (see conftest.py).

Every field is checked against what the server really serves: its host name and ports are read
inside the container from Postfix and Dovecot themselves (postconf, doveconf), not from the
role's variables. Then a real IMAP login and SMTP submission are made with exactly the
settings a document gives: inside the container with the very host name, port, security and
user name (and the certificate checked for that name), and from the host through the
published port that stands for the same container port.
"""
from __future__ import annotations

import imaplib
import plistlib
import smtplib
import ssl
import textwrap
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from dataclasses import dataclass

import pytest

DOMAIN = "example.org"
OTHER_DOMAIN = "example.net"
ALICE = "alice@%s" % DOMAIN
BOB = "bob@%s" % DOMAIN
DAVE = "dave@%s" % DOMAIN  # disabled: no client settings
ERIN = "erin@%s" % OTHER_DOMAIN
REQUEST_NS = "http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006"
RESPONSE_SCHEMA = "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a"
AUTODISCOVER_NS = "http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006"


@dataclass(frozen=True)
class Expected:
    """What the server really serves, read inside the container."""
    hostname: str
    imaps_port: int
    submission_port: int


@pytest.fixture(scope="module")
def expected(server) -> Expected:
    hostname = server.inside("postconf", "-h", "myhostname")
    assert server.inside("doveconf", "-h", "hostname") == hostname
    # IMAP with implicit TLS: Dovecot's imaps listener.
    assert server.inside("doveconf", "-h", "service/imap-login/inet_listener/imaps/ssl") == "yes"
    imaps = int(server.inside("doveconf", "-h", "service/imap-login/inet_listener/imaps/port"))
    # Submission with STARTTLS required: Postfix's "submission" service, port from /etc/services.
    service = server.inside("postconf", "-M", "submission/inet")
    assert "smtpd_tls_security_level=encrypt" in service and "wrappermode" not in service
    submission = int(server.inside("getent", "services", "submission/tcp").split()[1].split("/")[0])
    return Expected(hostname=hostname, imaps_port=imaps, submission_port=submission)


def http(url: str, host: str | None = None, data: bytes | None = None,
         method: str | None = None) -> tuple[int, dict[str, str], bytes]:
    """One request without following redirects or checking the test certificate."""
    request = urllib.request.Request(url, data=data, method=method)
    if host:
        request.add_header("Host", host)
    if data is not None:
        request.add_header("Content-Type", "text/xml; charset=utf-8")
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):  # noqa: ANN002, ANN003
            return None

    opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=context), NoRedirect)
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


# --- Thunderbird autoconfig -----------------------------------------------------------------------
def autoconfig(server, domain: str, path: str, host: str, base: str | None = None) -> ET.Element:
    status, headers, body = http((base or server.http) + path, host=host)
    assert status == 200, body
    assert headers["content-type"].startswith("application/xml")
    root = ET.fromstring(body)
    assert root.tag == "clientConfig" and root.get("version") == "1.1"
    provider = root.find("emailProvider")
    assert provider.get("id") == domain
    assert [d.text for d in provider.findall("domain")] == [domain]
    return provider


def check_servers(provider: ET.Element, expected: Expected) -> None:
    incoming = provider.findall("incomingServer")
    outgoing = provider.findall("outgoingServer")
    assert len(incoming) == 1 and len(outgoing) == 1
    imap, smtp = incoming[0], outgoing[0]
    assert imap.get("type") == "imap"
    assert imap.findtext("hostname") == expected.hostname
    assert int(imap.findtext("port")) == expected.imaps_port
    assert imap.findtext("socketType") == "SSL"
    assert imap.findtext("authentication") == "password-cleartext"
    assert imap.findtext("username") == "%EMAILADDRESS%"
    assert smtp.get("type") == "smtp"
    assert smtp.findtext("hostname") == expected.hostname
    assert int(smtp.findtext("port")) == expected.submission_port
    assert smtp.findtext("socketType") == "STARTTLS"
    assert smtp.findtext("authentication") == "password-cleartext"
    assert smtp.findtext("username") == "%EMAILADDRESS%"


@pytest.mark.parametrize("domain", [DOMAIN, OTHER_DOMAIN])
def test_autoconfig_on_the_autoconfig_host(server, expected, domain):
    provider = autoconfig(server, domain, "/mail/config-v1.1.xml", "autoconfig.%s" % domain)
    check_servers(provider, expected)


@pytest.mark.parametrize("domain", [DOMAIN, OTHER_DOMAIN])
def test_autoconfig_well_known_on_the_domain(server, expected, domain):
    provider = autoconfig(server, domain, "/.well-known/autoconfig/mail/config-v1.1.xml", domain)
    check_servers(provider, expected)


def test_autoconfig_over_https_and_by_email_address(server, expected):
    # Thunderbird adds ?emailaddress=; it names the domain whatever the host name.
    provider = autoconfig(server, OTHER_DOMAIN, "/mail/config-v1.1.xml?emailaddress=Erin%40Example.NET",
                          "autoconfig.%s" % DOMAIN, base=server.https)
    check_servers(provider, expected)


def test_autoconfig_refuses_a_domain_it_does_not_serve(server):
    status, _, _ = http(server.http + "/mail/config-v1.1.xml", host="autoconfig.unknown.test")
    assert status == 404


# --- Outlook Autodiscover -------------------------------------------------------------------------
def autodiscover_request(address: str, schema: str = RESPONSE_SCHEMA) -> bytes:
    return textwrap.dedent("""\
        <?xml version="1.0" encoding="utf-8"?>
        <Autodiscover xmlns="%s">
          <Request>
            <EMailAddress>%s</EMailAddress>
            <AcceptableResponseSchema>%s</AcceptableResponseSchema>
          </Request>
        </Autodiscover>
        """ % (REQUEST_NS, address, schema)).encode("utf-8")


def autodiscover(server, body: bytes, path: str = "/autodiscover/autodiscover.xml",
                 method: str = "POST") -> ET.Element:
    status, headers, answer = http(server.https + path, host="autodiscover.%s" % DOMAIN,
                                   data=body if method == "POST" else None, method=method)
    assert status == 200, answer
    assert headers["content-type"].startswith("application/xml")
    root = ET.fromstring(answer)
    assert root.tag == "{%s}Autodiscover" % AUTODISCOVER_NS
    return root


def autodiscover_error(root: ET.Element) -> str:
    error = root.find("{%s}Response/{%s}Error" % (AUTODISCOVER_NS, AUTODISCOVER_NS))
    assert error is not None, ET.tostring(root)
    return error.findtext("{%s}ErrorCode" % AUTODISCOVER_NS)


def protocols(root: ET.Element) -> dict[str, dict[str, str]]:
    ns = {"r": RESPONSE_SCHEMA}
    account = root.find("r:Response/r:Account", ns)
    assert account is not None, ET.tostring(root)
    assert account.findtext("r:AccountType", namespaces=ns) == "email"
    assert account.findtext("r:Action", namespaces=ns) == "settings"
    found = {}
    for protocol in account.findall("r:Protocol", ns):
        fields = {child.tag.split("}")[1]: child.text for child in protocol}
        found[fields["Type"]] = fields
    return found


def test_autodiscover_answers_with_the_users_settings(server, expected):
    # Outlook sends the address as typed; the answer names the mailbox in lower case.
    found = protocols(autodiscover(server, autodiscover_request("Alice@Example.org")))
    assert set(found) == {"IMAP", "SMTP"}
    imap, smtp = found["IMAP"], found["SMTP"]
    assert imap["Server"] == expected.hostname
    assert int(imap["Port"]) == expected.imaps_port
    assert (imap["SSL"], imap["Encryption"]) == ("on", "SSL")
    assert smtp["Server"] == expected.hostname
    assert int(smtp["Port"]) == expected.submission_port
    assert (smtp["SSL"], smtp["Encryption"]) == ("on", "TLS")
    for fields in (imap, smtp):
        assert fields["LoginName"] == ALICE
        assert fields["SPA"] == "off"
        assert fields["AuthRequired"] == "on"
        assert fields["DomainRequired"] == "off"


def test_autodiscover_path_is_case_insensitive(server):
    found = protocols(autodiscover(server, autodiscover_request(ERIN), "/Autodiscover/Autodiscover.xml"))
    assert found["IMAP"]["LoginName"] == ERIN


@pytest.mark.parametrize("address", ["nobody@%s" % DOMAIN, DAVE, "alice@unknown.test"])
def test_autodiscover_unknown_or_disabled_mailbox_is_error_500(server, address):
    assert autodiscover_error(autodiscover(server, autodiscover_request(address))) == "500"


@pytest.mark.parametrize("body", [
    b"",
    b"not xml",
    autodiscover_request("not-an-address"),
    # Exchange ActiveSync is not offered.
    autodiscover_request(ALICE, "http://schemas.microsoft.com/exchange/autodiscover/mobilesync/responseschema/2006"),
    # No external entity is ever resolved.
    b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    b'<Autodiscover xmlns="' + REQUEST_NS.encode() + b'"><Request><EMailAddress>&x;</EMailAddress>'
    b"</Request></Autodiscover>",
], ids=["empty", "not-xml", "not-an-address", "activesync", "external-entity"])
def test_autodiscover_bad_request_is_error_600(server, body):
    assert autodiscover_error(autodiscover(server, body)) == "600"


def test_autodiscover_get_is_error_600(server):
    assert autodiscover_error(autodiscover(server, b"", method="GET")) == "600"


# --- Apple .mobileconfig --------------------------------------------------------------------------
def mobileconfig(server, address: str) -> tuple[int, dict[str, str], bytes]:
    return http(server.https + "/mail/mobileconfig?emailaddress=" + urllib.request.quote(address))


def test_mobileconfig_of_a_mailbox(server, expected):
    status, headers, body = mobileconfig(server, ALICE)
    assert status == 200, body
    assert headers["content-type"].startswith("application/x-apple-aspen-config")
    assert 'filename="%s.mobileconfig"' % ALICE in headers["content-disposition"]
    profile = plistlib.loads(body)
    assert profile["PayloadType"] == "Configuration"
    assert profile["PayloadVersion"] == 1
    [account] = profile["PayloadContent"]
    assert account["PayloadType"] == "com.apple.mail.managed"
    assert account["EmailAccountType"] == "EmailTypeIMAP"
    assert account["EmailAddress"] == ALICE
    assert account["IncomingMailServerHostName"] == expected.hostname
    assert account["IncomingMailServerPortNumber"] == expected.imaps_port
    assert account["IncomingMailServerUseSSL"] is True
    assert account["IncomingMailServerUsername"] == ALICE
    assert account["IncomingMailServerAuthentication"] == "EmailAuthPassword"
    assert account["OutgoingMailServerHostName"] == expected.hostname
    assert account["OutgoingMailServerPortNumber"] == expected.submission_port
    assert account["OutgoingMailServerUseSSL"] is True
    assert account["OutgoingMailServerUsername"] == ALICE
    assert account["OutgoingMailServerAuthentication"] == "EmailAuthPassword"
    assert account["OutgoingPasswordSameAsIncomingPassword"] is True
    # No password in the profile: the device asks for it.
    assert not any("Password" in key and key != "OutgoingPasswordSameAsIncomingPassword" for key in account)


def test_mobileconfig_identifiers_are_stable_per_mailbox(server):
    first = plistlib.loads(mobileconfig(server, ALICE)[2])
    again = plistlib.loads(mobileconfig(server, ALICE)[2])
    other = plistlib.loads(mobileconfig(server, BOB)[2])
    assert first["PayloadUUID"] == again["PayloadUUID"]
    assert first["PayloadContent"][0]["PayloadUUID"] == again["PayloadContent"][0]["PayloadUUID"]
    assert first["PayloadUUID"] != other["PayloadUUID"]
    assert first["PayloadIdentifier"] != other["PayloadIdentifier"]


@pytest.mark.parametrize("address,status", [("nobody@%s" % DOMAIN, 404), (DAVE, 404), ("garbage", 400)])
def test_mobileconfig_unknown_mailbox(server, address, status):
    assert mobileconfig(server, address)[0] == status


# --- The same settings work for real --------------------------------------------------------------
def test_roundcube_is_redirected_to_https_but_client_documents_are_not(server):
    status, headers, _ = http(server.http + "/?_task=mail")
    assert status == 301
    assert headers["location"].startswith("https://") and headers["location"].endswith("/?_task=mail")
    status, _, _ = http(server.http + "/mail/config-v1.1.xml", host="autoconfig.%s" % DOMAIN)
    assert status == 200


def test_imap_and_submission_with_the_autodiscover_settings_from_the_host(server, expected, token):
    """The settings, through the published port that stands for each container port."""
    found = protocols(autodiscover(server, autodiscover_request(ALICE)))
    imap, smtp = found["IMAP"], found["SMTP"]
    context = ssl.create_default_context()
    context.check_hostname = False  # the certificate names the server, not 127.0.0.1
    context.verify_mode = ssl.CERT_NONE
    assert imap["Encryption"] == "SSL"
    client = imaplib.IMAP4_SSL(server.host, server.published(int(imap["Port"])), ssl_context=context, timeout=30)
    try:
        client.login(imap["LoginName"], "alice-secret-1")
        assert client.select("INBOX", readonly=True)[0] == "OK"
    finally:
        client.logout()
    assert smtp["Encryption"] == "TLS"
    with smtplib.SMTP(server.host, server.published(int(smtp["Port"])), timeout=30) as client:
        client.starttls(context=context)
        client.login(smtp["LoginName"], "alice-secret-1")
        client.sendmail(ALICE, [BOB], "From: %s\r\nTo: %s\r\nSubject: %s\r\n\r\nclient settings\r\n" % (ALICE, BOB, token))
    assert server.wait_for(BOB, "INBOX", "SUBJECT", token)


INSIDE_CLIENT = r"""
import imaplib, json, smtplib, ssl, sys
settings = json.load(sys.stdin)
context = ssl.create_default_context(cafile=settings["cafile"])  # the name is checked too
imap = settings["imap"]
client = imaplib.IMAP4_SSL(imap["Server"], int(imap["Port"]), ssl_context=context, timeout=30)
client.login(imap["LoginName"], settings["password"])
assert client.select("INBOX", readonly=True)[0] == "OK"
client.logout()
smtp = settings["smtp"]
with smtplib.SMTP(smtp["Server"], int(smtp["Port"]), timeout=30) as client:
    client.starttls(context=context)
    client.login(smtp["LoginName"], settings["password"])
    client.sendmail(smtp["LoginName"], [settings["to"]],
                    "From: %s\r\nTo: %s\r\nSubject: %s\r\n\r\nexact settings\r\n"
                    % (smtp["LoginName"], settings["to"], settings["subject"]))
print("ok")
"""


def test_imap_and_submission_with_exactly_the_autodiscover_settings(server, expected, token):
    """Inside the container: the very host name and port, the certificate checked for that name."""
    import json

    found = protocols(autodiscover(server, autodiscover_request(ALICE)))
    assert found["IMAP"]["Encryption"] == "SSL" and found["SMTP"]["Encryption"] == "TLS"
    cafile = server.inside("postconf", "-h", "smtpd_tls_cert_file")
    settings = {"imap": found["IMAP"], "smtp": found["SMTP"], "cafile": cafile,
                "password": "alice-secret-1", "to": BOB, "subject": token}
    result = server.run_inside("python3", "-c", INSIDE_CLIENT, stdin=json.dumps(settings))
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr
    assert server.wait_for(BOB, "INBOX", "SUBJECT", token)
