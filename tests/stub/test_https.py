"""HTTPS: --https-port beside HTTP, keystores (PKCS12), PEM, generated certificates, client certs.

Real sockets and real TLS clients (Python's ssl, curl when present) on 127.0.0.1. The server runs
in-process on its own event loop thread (starting a process per case would cost a second each);
one case goes through the command line for the exit code and the stderr line.
"""

from __future__ import annotations

import asyncio
import datetime
import http.client
import io
import ipaddress
import json
import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from podlab.stub.banner import options_block
from podlab.stub.cli import run as cli_run
from podlab.stub.options import OptionsError, StubOptions, parse_args
from podlab.stub.server import StubServer
from podlab.stub.tls import GENERATED

from .conftest import stub_command

START_TIMEOUT = 10.0


@dataclass
class Pki:
    """Files made once per module: a server key pair (PEM and PKCS12), a client CA and client."""

    dir: Path
    cert: Path
    key: Path
    p12: Path
    client_cert: Path
    client_key: Path
    trust_p12: Path
    trust_pem: Path
    jks: Path


def _cert(
    subject: str,
    key: ec.EllipticCurvePrivateKey,
    issuer_key: ec.EllipticCurvePrivateKey,
    issuer: str,
    *,
    ca: bool = False,
    sans: list[x509.GeneralName] | None = None,
) -> x509.Certificate:
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def _pem_key(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    d = tmp_path_factory.mktemp("pki")
    server_key = ec.generate_private_key(ec.SECP256R1())
    server = _cert(
        "localhost",
        server_key,
        server_key,
        "localhost",
        sans=[x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))],
    )
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = _cert("test client CA", ca_key, ca_key, "test client CA", ca=True)
    client_key = ec.generate_private_key(ec.SECP256R1())
    client = _cert("client", client_key, ca_key, "test client CA")
    pki = Pki(
        d,
        d / "cert.pem",
        d / "key.pem",
        d / "server.p12",
        d / "client.pem",
        d / "client-key.pem",
        d / "trust.p12",
        d / "trust.pem",
        d / "server.jks",
    )
    pem = serialization.Encoding.PEM
    pki.cert.write_bytes(server.public_bytes(pem))
    pki.key.write_bytes(_pem_key(server_key))
    pki.p12.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"server", server_key, server, None, serialization.BestAvailableEncryption(b"secret")
        )
    )
    pki.client_cert.write_bytes(client.public_bytes(pem))
    pki.client_key.write_bytes(_pem_key(client_key))
    pki.trust_p12.write_bytes(
        pkcs12.serialize_key_and_certificates(
            None, None, None, [ca], serialization.BestAvailableEncryption(b"password")
        )
    )
    pki.trust_pem.write_bytes(ca.public_bytes(pem))
    pki.jks.write_bytes(b"\xfe\xed\xfe\xed\x00\x00\x00\x02" + bytes(40))  # a JKS header is enough
    return pki


class Running:
    """A StubServer on its own loop thread; `stop()` is idempotent."""

    def __init__(self, options: StubOptions) -> None:
        self.out = io.StringIO()
        self.server = StubServer(options, out=self.out, err=io.StringIO())
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self.server.start(), self.loop).result(START_TIMEOUT)

    def stop(self) -> None:
        if self.loop.is_running():
            asyncio.run_coroutine_threadsafe(self.server.stop(), self.loop).result(START_TIMEOUT)
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(START_TIMEOUT)
            self.loop.close()


@pytest.fixture
def start(tmp_path: Path) -> Iterator[object]:
    running: list[Running] = []

    def factory(*args: str) -> Running:
        port = [] if "--disable-http" in args else ["--port", "0"]
        root = str(tmp_path / f"root{len(running)}")
        options = parse_args([*port, "--bind-address", "127.0.0.1", "--root-dir", root, *args])
        server = Running(options)
        running.append(server)
        return server

    try:
        yield factory
    finally:
        for server in running:
            server.stop()


def client_context(
    cafile: Path | None = None, *, cert: Path | None = None, key: Path | None = None
) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=str(cafile) if cafile else None)
    if cafile is None:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    if cert is not None:
        context.load_cert_chain(cert, key)
    return context


def https_get(port: int, path: str, context: ssl.SSLContext, host: str = "localhost") -> tuple[int, bytes]:
    conn = http.client.HTTPSConnection(host, port, context=context, timeout=5)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def test_generated_certificate_http_and_https_side_by_side(start) -> None:
    stub = start("--https-port", "0")
    server = stub.server
    assert server.port and server.https_port and server.port != server.https_port
    out = stub.out.getvalue()
    assert (
        f"port:                         {server.port}\nhttps-port:                   {server.https_port}\n"
        in out
    )
    assert f"https-keystore:               {GENERATED}\n" in out
    # The certificate verifies for localhost and 127.0.0.1 once the client trusts it.
    pem = ssl.get_server_certificate(("127.0.0.1", server.https_port))
    trusted = client_context()
    trusted.check_hostname, trusted.verify_mode = True, ssl.CERT_REQUIRED
    trusted.load_verify_locations(cadata=pem)
    status, body = https_get(server.https_port, "/__admin/health", trusted)
    assert status == 200 and json.loads(body)["status"] == "healthy"
    assert https_get(server.https_port, "/missing", trusted, host="127.0.0.1")[0] == 404
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    conn.request("GET", "/plain")
    assert conn.getresponse().status == 404
    conn.close()
    # The journal tells the two listeners apart.
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    conn.request("GET", "/__admin/requests")
    requests = json.loads(conn.getresponse().read())["requests"]
    conn.close()
    by_url = {r["request"]["url"]: r["request"] for r in requests}
    assert by_url["/missing"]["scheme"] == "https"
    assert by_url["/missing"]["port"] == server.https_port
    assert by_url["/missing"]["absoluteUrl"] == f"https://127.0.0.1:{server.https_port}/missing"
    assert by_url["/plain"]["scheme"] == "http"
    assert by_url["/plain"]["port"] == server.port


def test_https_port_speaks_tls_only(start) -> None:
    server = start("--https-port", "0").server
    with socket.create_connection(("127.0.0.1", server.https_port), timeout=5) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        assert not sock.recv(4096).startswith(b"HTTP")  # Jetty: a TLS alert, then close; podlab: close


def test_pkcs12_keystore_with_the_default_jks_type_and_https_only(start, pki: Pki) -> None:
    # The JDK reads a PKCS12 file as a "JKS" keystore (keystore.type.compat): so does podlab.
    stub = start(
        "--https-port",
        "0",
        "--https-keystore",
        str(pki.p12),
        "--keystore-password",
        "secret",
        "--disable-http",
        "--admin-api-require-https",
    )
    server = stub.server
    assert server.port == 0
    out = stub.out.getvalue()
    assert "\nport:" not in out and f"https-keystore:               {pki.p12}\n" in out
    status, body = https_get(server.https_port, "/__admin/mappings", client_context(pki.cert))
    assert status == 200, body  # admin over HTTPS passes --admin-api-require-https


def test_pem_files_and_curl(start, pki: Pki) -> None:
    server = start("--https-port", "0", "--https-cert", str(pki.cert), "--https-key", str(pki.key)).server
    assert https_get(server.https_port, "/__admin/health", client_context(pki.cert))[0] == 200
    curl = shutil.which("curl")
    if curl is None:
        return
    done = subprocess.run(
        [
            curl,
            "-s",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
            "--cacert",
            str(pki.cert),
            f"https://localhost:{server.https_port}/__admin/health",
        ],
        capture_output=True,
        text=True,
        timeout=10,
    )
    assert done.stdout == "200", done.stderr


@pytest.mark.parametrize("trust", ["trust_p12", "trust_pem"])
def test_client_certificate_required(start, pki: Pki, trust: str) -> None:
    server = start(
        "--https-port",
        "0",
        "--https-cert",
        str(pki.cert),
        "--https-key",
        str(pki.key),
        "--https-require-client-cert",
        "--https-truststore",
        str(getattr(pki, trust)),
    ).server
    with_cert = client_context(pki.cert, cert=pki.client_cert, key=pki.client_key)
    assert https_get(server.https_port, "/__admin/health", with_cert)[0] == 200
    # Without a certificate the handshake (TLS 1.3: the first read) fails; nothing is served.
    with pytest.raises((ssl.SSLError, ConnectionError)):
        https_get(server.https_port, "/__admin/health", client_context(pki.cert))
    # A certificate the truststore does not know (the server's own, self-signed) is refused too.
    stranger = client_context(pki.cert, cert=pki.cert, key=pki.key)
    with pytest.raises((ssl.SSLError, ConnectionError)):
        https_get(server.https_port, "/__admin/health", stranger)
    curl = shutil.which("curl")
    if curl is None:
        return
    url = f"https://localhost:{server.https_port}/__admin/health"
    base = [curl, "-s", "-o", "/dev/null", "-w", "%{http_code}", "--cacert", str(pki.cert), url]
    with_curl = [*base, "--cert", str(pki.client_cert), "--key", str(pki.client_key)]
    assert subprocess.run(with_curl, capture_output=True, text=True, timeout=10).stdout == "200"
    assert subprocess.run(base, capture_output=True, text=True, timeout=10).stdout == "000"


def _start_error(tmp_path: Path, *args: str, capsys: pytest.CaptureFixture[str]) -> str:
    options = parse_args(
        [
            "--port",
            "0",
            "--bind-address",
            "127.0.0.1",
            "--root-dir",
            str(tmp_path / "r"),
            "--https-port",
            "0",
            *args,
        ]
    )
    assert asyncio.run(cli_run(options)) == 1
    return capsys.readouterr().err


def test_bad_keystores_stop_start_up_with_a_line_naming_the_file(tmp_path: Path, pki: Pki, capsys) -> None:
    missing = tmp_path / "missing.p12"
    for args, words in (
        (
            ("--https-keystore", str(pki.p12), "--keystore-password", "wrong"),
            f"podlab stub: --https-keystore {pki.p12}: Keystore was tampered with, or password was incorrect\n",
        ),
        (
            ("--https-keystore", str(missing)),
            f"podlab stub: --https-keystore {missing}: resource {missing} not found.\n",
        ),
        (
            ("--https-keystore", str(pki.jks)),
            f"--https-keystore {pki.jks}: a JKS keystore; podlab stub reads PKCS12 and PEM only. Convert it with keytool",
        ),
        (("--https-cert", str(pki.cert)), "--https-cert and --https-key go together"),
        (("--https-cert", str(pki.cert), "--https-key", str(pki.client_key)), "--https-cert/--https-key: "),
        (("--https-require-client-cert",), "--https-require-client-cert needs --https-truststore"),
        (
            (
                "--https-require-client-cert",
                "--https-truststore",
                str(pki.trust_p12),
                "--truststore-password",
                "x",
            ),
            f"--https-truststore {pki.trust_p12}: Keystore was tampered with, or password was incorrect",
        ),
    ):
        err = _start_error(tmp_path, *args, capsys=capsys)
        assert words in err, (args, err)


def test_disable_http_needs_https_and_no_port() -> None:
    with pytest.raises(OptionsError, match="The HTTP listener can't have a port set and be disabled"):
        parse_args(["--port", "8080", "--https-port", "8443", "--disable-http"])
    with pytest.raises(OptionsError, match="--disable-http"):
        parse_args(["--disable-http"])


def test_cli_exit_code_and_stderr_for_a_wrong_password(pki: Pki, tmp_path: Path) -> None:
    done = subprocess.run(
        stub_command(
            "--port",
            "0",
            "--https-port",
            "0",
            "--root-dir",
            str(tmp_path),
            "--https-keystore",
            str(pki.p12),
            "--keystore-password",
            "nope",
        ),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 1
    assert done.stderr == (
        f"podlab stub: --https-keystore {pki.p12}: Keystore was tampered with, or password was incorrect\n"
    )
    assert done.stdout == ""


def test_options_block_compat_2_has_the_same_https_rows(pki: Pki) -> None:
    options = parse_args(["--compat", "2", "--https-port", "8443", "--https-keystore", str(pki.p12)])
    assert options_block(options, 8080, 8443).startswith(
        f"port:                         8080\nhttps-port:                   8443\n"
        f"https-keystore:               {pki.p12}\nenable-browser-proxying:      false\n"
    )
