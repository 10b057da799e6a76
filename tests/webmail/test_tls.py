"""Every TLS port of the mail host follows Mozilla's "intermediate" profile (issue 10).

25, 587 (SMTP STARTTLS), 465 (SMTPS), 143 (IMAP STARTTLS), 993 (IMAPS), 4190 (ManageSieve
STARTTLS) and 443 (nginx): TLS 1.2 with forward-secret AEAD ciphers and TLS 1.3 are accepted;
TLS 1.0 and 1.1, and TLS 1.2 ciphers without forward secrecy or with CBC, are refused. Real
handshakes from the host's OpenSSL through the published ports (see conftest.py).
"""
from __future__ import annotations

import socket
import ssl
from typing import Callable

import pytest


def read_line(sock: socket.socket, done: Callable[[bytes], bool]) -> bytes:
    data = b""
    while not done(data):
        chunk = sock.recv(4096)
        if not chunk:
            raise AssertionError("connection closed after %r" % data)
        data += chunk
    return data


def smtp_reply_done(data: bytes) -> bool:
    lines = data.split(b"\r\n")
    return data.endswith(b"\r\n") and len(lines[-2]) >= 4 and lines[-2][3:4] == b" "


def starttls_smtp(sock: socket.socket) -> None:
    read_line(sock, smtp_reply_done)
    sock.sendall(b"EHLO client.outside.test\r\n")
    read_line(sock, smtp_reply_done)
    sock.sendall(b"STARTTLS\r\n")
    assert read_line(sock, smtp_reply_done).startswith(b"220")


def starttls_imap(sock: socket.socket) -> None:
    read_line(sock, lambda data: data.endswith(b"\r\n"))
    sock.sendall(b"a STARTTLS\r\n")
    assert b"a OK" in read_line(sock, lambda data: b"a " in data and data.endswith(b"\r\n"))


def starttls_managesieve(sock: socket.socket) -> None:
    read_line(sock, lambda data: data.endswith(b"\r\n") and data.split(b"\r\n")[-2].startswith(b"OK"))
    sock.sendall(b"STARTTLS\r\n")
    assert read_line(sock, lambda data: data.endswith(b"\r\n")).startswith(b"OK")


# name: (field of the server fixture, how TLS starts; None: from the first byte)
PORTS = {
    "smtp-25": ("smtp_port", starttls_smtp),
    "submission-587": ("submission_port", starttls_smtp),
    "smtps-465": ("smtps_port", None),
    "imap-143": ("imap_port", starttls_imap),
    "imaps-993": ("imaps_port", None),
    "managesieve-4190": ("managesieve_port", starttls_managesieve),
    "https-443": ("https_port", None),
}


def client(minimum: ssl.TLSVersion, maximum: ssl.TLSVersion, ciphers: str | None = None) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    # Level 0: the host's OpenSSL would not even offer what the server must refuse.
    context.set_ciphers((ciphers or "ALL") + ":@SECLEVEL=0")
    context.minimum_version = minimum
    context.maximum_version = maximum
    return context


def handshake(server, port_name: str, context: ssl.SSLContext) -> tuple[str, str]:
    """(protocol, cipher) of a completed handshake; ssl.SSLError when the server refuses."""
    field, starttls = PORTS[port_name]
    with socket.create_connection((server.host, getattr(server, field)), timeout=30) as sock:
        if starttls:
            starttls(sock)
        with context.wrap_socket(sock) as tls:
            name, protocol, _ = tls.cipher()
            return protocol, name


@pytest.mark.parametrize("port_name", PORTS)
def test_tls_1_3_and_strong_tls_1_2_are_accepted(server, port_name):
    assert handshake(server, port_name, client(ssl.TLSVersion.TLSv1_3, ssl.TLSVersion.TLSv1_3))[0] == "TLSv1.3"
    strong = client(ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_2, "ECDHE-RSA-AES128-GCM-SHA256")
    assert handshake(server, port_name, strong) == ("TLSv1.2", "ECDHE-RSA-AES128-GCM-SHA256")


@pytest.mark.parametrize("port_name", PORTS)
def test_tls_1_0_and_1_1_are_refused(server, port_name):
    with pytest.raises((ssl.SSLError, ConnectionResetError)):
        handshake(server, port_name, client(ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1_1))


# RSA key exchange (no forward secrecy) with CBC, finite-field DHE, and CBC with ECDHE.
WEAK_CIPHERS = ["AES128-SHA", "AES256-GCM-SHA384", "DHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-SHA"]


@pytest.mark.parametrize("port_name", PORTS)
@pytest.mark.parametrize("cipher", WEAK_CIPHERS)
def test_weak_tls_1_2_ciphers_are_refused(server, port_name, cipher):
    with pytest.raises((ssl.SSLError, ConnectionResetError)):
        handshake(server, port_name, client(ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_2, cipher))
