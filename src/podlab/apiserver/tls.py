"""The API server's certificate, because kubectl sends credentials only over TLS.

client-go reads the token (and any other credential) from the kubeconfig only when the
server URL is https (kubernetes/kubectl#744): over plain http kubectl can never pass a
bearer-token check. So the API server listens with TLS (served by podlab.httpcore), using a
self-signed certificate made at start-up; its PEM goes into the kubeconfig as
certificate-authority-data and into node.json for podlab's own CLI.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

CERT_DAYS = 365


@dataclass(frozen=True)
class Certificate:
    cert_pem: bytes
    key_pem: bytes


def self_signed(host: str, extra_names: list[str] | tuple[str, ...] = ()) -> Certificate:
    """A P-256 certificate for `host` (an IP or name) plus localhost and 127.0.0.1, and
    `extra_names` (the names and address of the `kubernetes` Service, for in-cluster clients)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "podlab-apiserver")])
    now = dt.datetime.now(dt.UTC)
    alt_names: list[x509.GeneralName] = [
        x509.DNSName("localhost"),
        x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
    ]
    for alt in (host, *extra_names):
        try:
            address = ipaddress.ip_address(alt)
            if str(address) != "127.0.0.1":
                alt_names.append(x509.IPAddress(address))
        except ValueError:
            alt_names.append(x509.DNSName(alt))
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=CERT_DAYS))
        .add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return Certificate(
        cert.public_bytes(serialization.Encoding.PEM),
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ),
    )


def server_context(cert: Certificate) -> ssl.SSLContext:
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    # load_cert_chain only reads files; the key lives in a private temp dir for a moment.
    with tempfile.TemporaryDirectory() as tmp:
        cert_path, key_path = Path(tmp) / "tls.crt", Path(tmp) / "tls.key"
        cert_path.write_bytes(cert.cert_pem)
        key_path.touch(mode=0o600)
        key_path.write_bytes(cert.key_pem)
        ctx.load_cert_chain(cert_path, key_path)
    # Only HTTP/1.1: kubectl would otherwise negotiate HTTP/2, which the core does not speak.
    ctx.set_alpn_protocols(["http/1.1"])
    return ctx
