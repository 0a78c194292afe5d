"""Certificates for browser proxying's CONNECT: a CA made once per server, and for each host a
certificate it signs, so a client that trusts the CA (GET /__admin/certs/wiremock-ca.crt) talks
TLS to the stub as if to the host. WireMock keeps its CA in $HOME/.wiremock/ca-keystore.jks
across runs; podlab makes one per run and writes nothing outside its temporary directory.
Names and validity follow the jar's (seen with openssl): the CA is "WireMock Local Self Signed
Root Certificate", a host's certificate is CN=<host> with the host as its subjectAltName, valid
from a day before to a year after it is made.
"""

from __future__ import annotations

import datetime
import ipaddress
import shutil
import ssl
import tempfile
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

CA_NAME = "WireMock Local Self Signed Root Certificate"
MAX_HOSTS = 256  # contexts kept; beyond, the oldest is dropped (and made again when needed)


def _pem_key(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


class Mitm:
    """The CA and the per-host TLS contexts; made on first use (start-up does not pay for keys)."""

    def __init__(self) -> None:
        self._ca_key: ec.EllipticCurvePrivateKey | None = None
        self._ca_cert: x509.Certificate | None = None
        self._leaf_key = ec.generate_private_key(ec.SECP256R1())
        self._contexts: dict[str, ssl.SSLContext] = {}
        self._dir: Path | None = None

    def _ca(self) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
        if self._ca_key is None or self._ca_cert is None:
            now = datetime.datetime.now(datetime.UTC)
            key = ec.generate_private_key(ec.SECP256R1())
            name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, CA_NAME)])
            self._ca_cert = (
                x509.CertificateBuilder()
                .subject_name(name)
                .issuer_name(name)
                .public_key(key.public_key())
                .serial_number(x509.random_serial_number())
                .not_valid_before(now - datetime.timedelta(days=1))
                .not_valid_after(now + datetime.timedelta(days=3650))
                .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                .add_extension(
                    x509.KeyUsage(
                        digital_signature=True,
                        content_commitment=False,
                        key_encipherment=False,
                        data_encipherment=False,
                        key_agreement=False,
                        key_cert_sign=True,
                        crl_sign=True,
                        encipher_only=False,
                        decipher_only=False,
                    ),
                    critical=True,
                )
                .sign(key, hashes.SHA256())
            )
            self._ca_key = key
        return self._ca_key, self._ca_cert

    def ca_pem(self) -> bytes:
        return self._ca()[1].public_bytes(serialization.Encoding.PEM)

    def context_for(self, host: str) -> ssl.SSLContext:
        """A server context presenting a certificate for `host` (a name or an IP address)."""
        host = host.strip("[]").lower()
        context = self._contexts.get(host)
        if context is not None:
            return context
        ca_key, ca_cert = self._ca()
        now = datetime.datetime.now(datetime.UTC)
        try:
            san: x509.GeneralName = x509.IPAddress(ipaddress.ip_address(host))
        except ValueError:
            san = x509.DNSName(host)
        cert = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)]))
            .issuer_name(ca_cert.subject)
            .public_key(self._leaf_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=365))
            .add_extension(x509.SubjectAlternativeName([san]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .sign(ca_key, hashes.SHA256())
        )
        if self._dir is None:
            self._dir = Path(tempfile.mkdtemp(prefix="podlab-mitm-"))
        # ssl loads chains from files only; they live in a private temporary directory.
        chain = self._dir / "chain.pem"
        key = self._dir / "key.pem"
        chain.write_bytes(cert.public_bytes(serialization.Encoding.PEM) + self.ca_pem())
        key.write_bytes(_pem_key(self._leaf_key))
        key.chmod(0o600)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_cert_chain(chain, key)
        if len(self._contexts) >= MAX_HOSTS:
            self._contexts.pop(next(iter(self._contexts)))
        self._contexts[host] = context
        return context

    def close(self) -> None:
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None
