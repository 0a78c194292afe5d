"""The stub's TLS context: WireMock's keystore options, PEM files, or a certificate made at start.

WireMock 3.13.2 (and 2.35.1) serve, by default, one fixed self-signed certificate baked into the jar
(`jar:...!/keystore`: `CN=Tom Akehurst, OU=Unknown, O=Unknown, L=Unknown, ST=Unknown, C=Unknown`,
RSA 2048, valid 2015-02-24 to 2115-01-31, no subjectAltName). Clients therefore either trust all
certificates or pin that one. podlab does not ship a private key: it makes a fresh RSA 2048
self-signed certificate at each start, `CN=localhost, OU=podlab stub, O=podlab`, with SANs
`localhost`, `127.0.0.1` and `::1`, so a client that verifies can trust it once exported.

Keystores are read by their content, not by `--keystore-type`, as the JDK does for JKS and PKCS12
(`keystore.type.compat`): WireMock with the default type JKS loads a PKCS12 file. PKCS12 is read
with `cryptography`; a JKS (or JCEKS) store is refused with the keytool line that converts it
(reading it would need pyjks and its native dependencies). PEM files (`--https-cert`/`--https-key`)
are podlab's own addition. Errors carry the JDK's words ("Keystore was tampered with, or password
was incorrect", WireMock's "resource ... not found.") behind the option and file they concern.
"""

from __future__ import annotations

import datetime
import ipaddress
import ssl
from dataclasses import dataclass
from pathlib import Path

from podlab.stub.options import StubOptions

GENERATED = "(self-signed, generated at start)"  # what the banner shows as https-keystore

_JKS_MAGIC = b"\xfe\xed\xfe\xed"
_JCEKS_MAGIC = b"\xce\xce\xce\xce"


class TlsConfigError(Exception):
    """Raised when a keystore, truststore or PEM file cannot be used; the message names it."""


@dataclass(frozen=True)
class KeyMaterial:
    """A private key and its certificate chain, as PEM."""

    key_pem: bytes
    chain_pem: bytes


def server_context(options: StubOptions) -> ssl.SSLContext:
    """The server-side context for `--https-port`, from the options; raises TlsConfigError."""
    material = _key_material(options)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    _load_chain(context, material)
    if not options.disable_http2_tls:
        context.set_alpn_protocols(["h2", "http/1.1"])  # as Jetty's HTTPS connector offers
    if options.https_require_client_cert:
        context.verify_mode = ssl.CERT_REQUIRED
        cadata = _trusted_certs(options)
        try:
            context.load_verify_locations(cadata=cadata)
        except ssl.SSLError as exc:
            raise TlsConfigError(f"--https-truststore {options.https_truststore}: {exc}") from None
    return context


def keystore_label(options: StubOptions) -> str:
    """The banner's `https-keystore:` value."""
    if options.https_cert is not None:
        return str(options.https_cert)
    if options.https_keystore is not None:
        return str(options.https_keystore)
    return GENERATED


def generate_self_signed(now: datetime.datetime) -> KeyMaterial:
    # cryptography is imported where used: ~6 MB of private memory in every stub process (each
    # wiremock pod), while only HTTPS listeners need it.
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    """A fresh RSA 2048 key and a self-signed certificate for localhost (see module docstring)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "podlab"),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "podlab stub"),
            x509.NameAttribute(NameOID.COMMON_NAME, "localhost"),
        ]
    )
    sans = x509.SubjectAlternativeName(
        [
            x509.DNSName("localhost"),
            x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
            x509.IPAddress(ipaddress.ip_address("::1")),
        ]
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(sans, critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return KeyMaterial(key_pem, cert.public_bytes(serialization.Encoding.PEM))


def _key_material(options: StubOptions) -> KeyMaterial:
    if options.https_cert is not None or options.https_key is not None:
        if options.https_cert is None or options.https_key is None:
            raise TlsConfigError("--https-cert and --https-key go together")
        return KeyMaterial(_read("--https-key", options.https_key), _read("--https-cert", options.https_cert))
    if options.https_keystore is None:
        return generate_self_signed(datetime.datetime.now(datetime.UTC))
    from cryptography.hazmat.primitives import serialization  # HTTPS only (generate_self_signed)
    from cryptography.hazmat.primitives.serialization import pkcs12

    option, path = "--https-keystore", options.https_keystore
    data = _read(option, path)
    _refuse_jks(option, path, data)
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(data, options.keystore_password.encode())
    except ValueError:
        # The JDK's words; cryptography cannot tell a wrong password from a damaged file either.
        raise TlsConfigError(
            f"{option} {path}: Keystore was tampered with, or password was incorrect"
        ) from None
    if key is None or cert is None:
        raise TlsConfigError(f"{option} {path}: the keystore holds no private key with its certificate")
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    chain = b"".join(c.public_bytes(serialization.Encoding.PEM) for c in [cert, *extra])
    return KeyMaterial(key_pem, chain)


def _trusted_certs(options: StubOptions) -> str:
    """PEM text of the certificates client certificates must chain to."""
    path = options.https_truststore
    if path is None:
        # WireMock 3.13.2 dies at start here (an uncaught java.util.MissingResourceException);
        # podlab says what is missing.
        raise TlsConfigError("--https-require-client-cert needs --https-truststore (PKCS12 or PEM)")
    from cryptography.hazmat.primitives import serialization  # HTTPS only (generate_self_signed)
    from cryptography.hazmat.primitives.serialization import pkcs12

    option = "--https-truststore"
    data = _read(option, path)
    if b"-----BEGIN CERTIFICATE-----" in data:
        return data.decode("ascii", errors="replace")
    _refuse_jks(option, path, data)
    try:
        _key, cert, extra = pkcs12.load_key_and_certificates(data, options.truststore_password.encode())
    except ValueError:
        raise TlsConfigError(
            f"{option} {path}: Keystore was tampered with, or password was incorrect"
        ) from None
    certs = ([cert] if cert is not None else []) + list(extra)
    if not certs:
        raise TlsConfigError(f"{option} {path}: the truststore holds no certificate")
    return "".join(c.public_bytes(serialization.Encoding.PEM).decode("ascii") for c in certs)


def _read(option: str, path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise TlsConfigError(f"{option} {path}: resource {path} not found.") from None  # WireMock's words
    except OSError as exc:
        raise TlsConfigError(f"{option} {path}: {exc.strerror or exc}") from None


def _refuse_jks(option: str, path: Path, data: bytes) -> None:
    if data[:4] in (_JKS_MAGIC, _JCEKS_MAGIC):
        kind = "JKS" if data[:4] == _JKS_MAGIC else "JCEKS"
        raise TlsConfigError(
            f"{option} {path}: a {kind} keystore; podlab stub reads PKCS12 and PEM only. Convert it with "
            f"keytool -importkeystore -srckeystore {path} -destkeystore {path}.p12 -deststoretype pkcs12"
        )


def _load_chain(context: ssl.SSLContext, material: KeyMaterial) -> None:
    # ssl loads keys from files only: write them to a private temporary directory, load, delete.
    import tempfile  # only with --https-port: start-up time of a plain HTTP stub

    with tempfile.TemporaryDirectory(prefix="podlab-tls-") as tmp:
        cert_file, key_file = Path(tmp, "cert.pem"), Path(tmp, "key.pem")
        cert_file.write_bytes(material.chain_pem)
        key_file.touch(mode=0o600)
        key_file.write_bytes(material.key_pem)
        try:
            context.load_cert_chain(cert_file, key_file)
        except ssl.SSLError as exc:
            raise TlsConfigError(f"--https-cert/--https-key: {exc.reason or exc}") from None
