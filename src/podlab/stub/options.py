"""WireMock's standalone command line, parsed without I/O into `StubOptions`.

WireMock parses with joptsimple: `--name value`, `--name=value`, flags without values, and an
unknown option stops start-up. We keep that grammar rather than click's, because users paste
WireMock command lines (Docker `args:`, `WIREMOCK_OPTIONS`) and expect them to work unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from podlab.httpcore import Limits

if TYPE_CHECKING:  # parsed only when the options are given: start-up imports neither
    from podlab.stub.outbound.route import Route
    from podlab.stub.outbound.targets import TargetRules
    from podlab.stub.outbound.via import ProxyVia

WIREMOCK_VERSIONS = {3: "3.13.2", 2: "2.35.1"}


class OptionsError(Exception):
    """Raised when the command line cannot be honoured; the message names the option."""


# Options that take a value, as in WireMock 3.13.2's `--help` (both majors unless noted).
_VALUED = {
    "admin-api-basic-auth",
    "allow-proxy-targets",
    "async-response-enabled",
    "async-response-threads",
    "bind-address",
    "ca-keystore",
    "ca-keystore-password",
    "ca-keystore-type",
    "container-threads",
    "deny-proxy-targets",
    "disable-connection-reuse",  # 3.x
    "extensions",
    "filename-template",  # 3.x
    "https-keystore",
    "https-port",
    "https-truststore",
    "jetty-accept-queue-size",
    "jetty-acceptor-threads",
    "jetty-header-buffer-size",
    "jetty-header-request-size",
    "jetty-header-response-size",
    "jetty-idle-timeout",
    "jetty-stop-timeout",
    "key-manager-password",
    "keystore-password",
    "keystore-type",
    "load-resources-from-classpath",
    "logged-response-body-size-limit",
    "match-headers",
    "max-http-client-connections",  # 3.x
    "max-request-journal-entries",
    "port",
    "proxy-all",
    "proxy-pass-through",  # 3.x
    "proxy-timeout",  # 3.x
    "proxy-via",
    "root-dir",
    "supported-proxy-encodings",  # 3.x
    "trust-proxy-target",
    "truststore-password",
    "truststore-type",
    "use-chunked-encoding",
    "webhook-threadpool-size",  # 3.x
    # podlab's own
    "compat",
    "max-body-bytes",
    "max-header-count",
    "header-timeout",
    "watch-interval",
    "https-cert",
    "https-key",
}
# joptsimple "[String]": the value is optional.
_OPTIONAL_VALUE = {"max-template-cache-entries", "permitted-system-keys"}
_FLAGS = {
    "admin-api-require-https",
    "disable-banner",
    "disable-extensions-scanning",
    "disable-gzip",
    "disable-http",
    "disable-http2-plain",
    "disable-http2-tls",
    "disable-optimize-xml-factories-loading",
    "disable-request-logging",
    "disable-response-templating",
    "disable-strict-http-headers",
    "enable-browser-proxying",
    "enable-stub-cors",
    "global-response-templating",
    "help",
    "https-require-client-cert",
    "local-response-templating",
    "no-request-journal",
    "preserve-host-header",
    "preserve-user-agent-proxy-header",
    "print-all-network-traffic",
    "record-mappings",
    "timeout",
    "trust-all-proxy-targets",
    "verbose",
    "version",
    "watch",  # podlab's own
}
# Accepted WireMock options whose feature podlab does not have; start-up refuses them clearly
# instead of silently serving something else.
_UNSUPPORTED = {
    "load-resources-from-classpath": "loading resources from the classpath",
}


@dataclass
class StubOptions:
    """Everything `podlab stub` takes; defaults are WireMock's."""

    port: int = 8080
    bind_address: str = "0.0.0.0"
    root_dir: Path = field(default_factory=lambda: Path("."))
    verbose: bool = False
    compat: int = 3
    disable_banner: bool = False
    global_response_templating: bool = False
    local_response_templating: bool = False
    disable_response_templating: bool = False
    no_request_journal: bool = False
    max_request_journal_entries: int | None = None
    admin_api_basic_auth: tuple[str, str] | None = None
    admin_api_require_https: bool = False
    disable_gzip: bool = False
    enable_stub_cors: bool = False
    use_chunked_encoding: str = "always"  # always | never | body_file
    disable_request_logging: bool = False
    jetty_accept_queue_size: str | None = None
    jetty_acceptor_threads: str | None = None
    jetty_header_buffer_size: str | None = None
    max_body_bytes: int = Limits.max_body_bytes
    # WireMock's --jetty-header-request-size sets Jetty's request header limit (default 8 KiB
    # there); ours defaults to the core's 64 KiB. Count and timeout are podlab's own options.
    max_header_bytes: int = Limits.max_header_bytes
    max_header_count: int = Limits.max_header_count
    header_timeout: float = Limits.header_timeout
    # HTTPS (podlab.stub.tls). Passwords and types default as in WireMock's --help.
    https_port: int | None = None
    disable_http: bool = False
    https_keystore: Path | None = None
    keystore_password: str = "password"
    key_manager_password: str = "password"
    keystore_type: str = "JKS"
    https_truststore: Path | None = None
    truststore_password: str = "password"
    truststore_type: str = "JKS"
    https_require_client_cert: bool = False
    https_cert: Path | None = None  # podlab's own: PEM certificate chain
    https_key: Path | None = None  # podlab's own: PEM private key
    watch: bool = False  # podlab's own: reload mappings/ on change (podlab.stub.watcher)
    watch_interval: float = 1.0
    # Proxying and recording (podlab.stub.proxy, podlab.stub.recording)
    proxy_all: str | None = None  # --proxy-all: a priority-10 stub proxying everything there
    preserve_host_header: bool = False
    preserve_user_agent_proxy_header: bool = False
    proxy_timeout_ms: int = 300_000  # WireMock's Options.DEFAULT_TIMEOUT
    record_mappings: bool = False
    enable_browser_proxying: bool = False  # absolute-form requests no stub matches are forwarded
    trust_all_proxy_targets: bool = False  # browser proxying: do not verify HTTPS targets
    proxy_via: ProxyVia | None = None  # --proxy-via: proxied requests and webhooks go through it
    # --allow-proxy-targets / --deny-proxy-targets, parsed; None: every target may be reached
    proxy_rules: TargetRules | None = None
    disable_http2_plain: bool = False  # h2c off on the HTTP port
    disable_http2_tls: bool = False  # h2 not offered by ALPN on the HTTPS port
    match_headers: tuple[str, ...] = ()  # --match-headers: captured by --record-mappings
    show_help: bool = False
    show_version: bool = False
    # Options accepted for compatibility that change nothing here (thread counts, TLS stores...).
    ignored: dict[str, str | None] = field(default_factory=dict)

    @property
    def wiremock_version(self) -> str:
        return WIREMOCK_VERSIONS[self.compat]

    @property
    def route(self) -> Route | None:
        """How proxying and webhooks reach their targets (rules, then the via proxy); None
        when neither option is given (straight to the target, nothing more imported)."""
        if self.proxy_rules is None and self.proxy_via is None:
            return None
        from podlab.stub.outbound.route import Route
        from podlab.stub.outbound.targets import TargetRules

        return Route(self.proxy_rules or TargetRules(), self.proxy_via)

    @property
    def limits(self) -> Limits:
        return Limits(
            max_body_bytes=self.max_body_bytes,
            max_header_bytes=self.max_header_bytes,
            max_header_count=self.max_header_count,
            header_timeout=self.header_timeout,
        )

    @property
    def templating_local(self) -> bool:
        """Whether stubs naming the response-template transformer are templated."""
        if self.disable_response_templating:
            return False
        if self.compat == 2:
            return self.local_response_templating or self.global_response_templating
        return True

    @property
    def templating_global(self) -> bool:
        return self.global_response_templating and not self.disable_response_templating


def _int(name: str, value: str, *, minimum: int = 0) -> int:
    try:
        number = int(value)
    except ValueError:
        raise OptionsError(f"--{name}: {value!r} is not a number") from None
    if number < minimum:
        raise OptionsError(f"--{name}: {number} is below {minimum}")
    return number


def _seconds(name: str, value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        raise OptionsError(f"--{name}: {value!r} is not a number of seconds") from None
    if not seconds > 0 or seconds == float("inf"):
        raise OptionsError(f"--{name}: {value} must be a positive number of seconds")
    return seconds


def parse_args(argv: list[str]) -> StubOptions:
    """Parse a WireMock standalone command line; raises OptionsError naming the bad option."""
    raw: dict[str, str | None] = {}
    i = 0
    while i < len(argv):
        arg = argv[i]
        i += 1
        if not arg.startswith("--") or arg == "--":
            raise OptionsError(f"unexpected argument {arg!r}: WireMock takes only --options")
        name, eq, inline = arg[2:].partition("=")
        if name in _FLAGS:
            if eq:
                raise OptionsError(f"option --{name} takes no value")
            raw[name] = None
        elif name in _VALUED:
            if eq:
                raw[name] = inline
            elif i < len(argv):
                raw[name] = argv[i]
                i += 1
            else:
                raise OptionsError(f"option --{name} requires an argument")
        elif name in _OPTIONAL_VALUE:
            if eq:
                raw[name] = inline
            elif i < len(argv) and not argv[i].startswith("--"):
                raw[name] = argv[i]
                i += 1
            else:
                raw[name] = None
        else:
            raise OptionsError(f"{name!r} is not a recognized option (run with --help for the list)")
    return _build(raw)


def _build(raw: dict[str, str | None]) -> StubOptions:
    opts = StubOptions()
    for name, value in raw.items():
        text = value or ""
        match name:
            case "port":
                opts.port = _int(name, text)
                if opts.port > 65535:
                    raise OptionsError(f"--port: {opts.port} is not a TCP port")
            case "https-port":
                opts.https_port = _int(name, text)
                if opts.https_port > 65535:
                    raise OptionsError(f"--https-port: {opts.https_port} is not a TCP port")
            case "https-keystore" | "https-truststore" | "https-cert" | "https-key":
                setattr(opts, name.replace("-", "_"), Path(text))
            case (
                "keystore-password"
                | "key-manager-password"
                | "keystore-type"
                | "truststore-password"
                | "truststore-type"
            ):
                setattr(opts, name.replace("-", "_"), text)
            case "bind-address":
                opts.bind_address = text
            case "root-dir":
                opts.root_dir = Path(text)
            case "compat":
                if text not in ("2", "3"):
                    raise OptionsError(f"--compat: {text!r} must be 2 (WireMock 2.35) or 3 (WireMock 3.13)")
                opts.compat = int(text)
            case "max-body-bytes":
                opts.max_body_bytes = _int(name, text, minimum=1)
            case "jetty-header-request-size":
                opts.max_header_bytes = _int(name, text, minimum=1)
            case "max-header-count":
                opts.max_header_count = _int(name, text, minimum=1)
            case "header-timeout":
                opts.header_timeout = _seconds(name, text)
            case "watch-interval":
                opts.watch_interval = _seconds(name, text)
            case "max-request-journal-entries":
                opts.max_request_journal_entries = _int(name, text)
            case "admin-api-basic-auth":
                user, colon, password = text.partition(":")
                if not colon:
                    raise OptionsError("--admin-api-basic-auth: expected username:password")
                opts.admin_api_basic_auth = (user, password)
            case "use-chunked-encoding":
                if text.lower() not in ("always", "never", "body_file"):
                    raise OptionsError(f"--use-chunked-encoding: {text!r} must be always, never or body_file")
                opts.use_chunked_encoding = text.lower()
            case "jetty-accept-queue-size" | "jetty-acceptor-threads" | "jetty-header-buffer-size":
                setattr(opts, name.replace("-", "_"), text)
            case "proxy-all":
                opts.proxy_all = text
            case "proxy-timeout":
                opts.proxy_timeout_ms = _int(name, text, minimum=1)
            case "proxy-via":
                from podlab.stub.outbound.via import ProxyVia, ProxyViaError

                try:
                    opts.proxy_via = ProxyVia.parse(text)
                except ProxyViaError as exc:
                    raise OptionsError(f"--proxy-via: {exc}") from None
            case "allow-proxy-targets" | "deny-proxy-targets":
                pass  # the two lists make one set of rules: parsed together below
            case "match-headers":
                opts.match_headers = tuple(h.strip() for h in text.split(",") if h.strip())
            case "help":
                opts.show_help = True
            case "version":
                opts.show_version = True
            case _ if name in _UNSUPPORTED:
                raise OptionsError(f"--{name}: {_UNSUPPORTED[name]} is not supported yet by podlab stub")
            case _ if name in _FLAGS and hasattr(opts, name.replace("-", "_")):
                setattr(opts, name.replace("-", "_"), True)
            case _:
                opts.ignored[name] = value
    if "allow-proxy-targets" in raw or "deny-proxy-targets" in raw:
        from podlab.stub.outbound.targets import TargetRuleError, TargetRules

        try:
            opts.proxy_rules = TargetRules.parse(
                raw.get("allow-proxy-targets"), raw.get("deny-proxy-targets")
            )
        except TargetRuleError as exc:
            raise OptionsError(f"--{exc.option}: {exc}") from None
    if opts.disable_http:
        if "port" in raw:  # WireMock's IllegalArgumentException, word for word
            raise OptionsError("The HTTP listener can't have a port set and be disabled at the same time")
        if opts.https_port is None:
            raise OptionsError("--disable-http: with no --https-port there would be nothing to listen on")
    return opts


HELP = """Usage: podlab stub [WireMock standalone options]

A WireMock-compatible stub server. It takes WireMock's standalone options; the common ones:

  --port <n>                      Port to listen on (default 8080; 0 picks a free port)
  --bind-address <ip>             Address to listen on (default 0.0.0.0)
  --root-dir <dir>                Parent of mappings/ and __files/ (default .)
  --verbose                       Log every request and response to stdout
  --disable-banner                Do not print the banner
  --compat 2|3                    Behave like WireMock 2.35.1 or 3.13.2 (default 3)
  --max-body-bytes <n>            Refuse request bodies larger than n bytes with 413 (default 64 MiB)
  --jetty-header-request-size <n> Refuse request heads larger than n bytes with 431 (default 64 KiB)
  --max-header-count <n>          Refuse requests with more than n headers with 431 (default 100)
  --header-timeout <seconds>      Close connections that send no complete request head in time,
                                  with 408 (default 60)
  --global-response-templating    Template every response
  --local-response-templating     Template stubs naming "response-template" (on by default in 3)
  --disable-response-templating   Never template
  --no-request-journal            Do not keep a request journal
  --max-request-journal-entries <n>  Keep only the newest n requests
  --admin-api-basic-auth <u:p>    Require these credentials on /__admin
  --admin-api-require-https       Refuse admin calls over plain HTTP
  --disable-gzip                  Never gzip responses
  --enable-stub-cors              Add CORS headers to stub responses
  --use-chunked-encoding <mode>   always | never | body_file (default always)
  --disable-request-logging       Do not log stub requests
  --https-port <n>                Also serve HTTPS on this port (0 picks a free port); without
                                  a keystore, a self-signed certificate for localhost is made
                                  at start (WireMock serves a fixed one from its jar)
  --disable-http                  Serve HTTPS only (needs --https-port; not with --port)
  --https-keystore <file>         PKCS12 keystore with the server key and certificate (JKS is
                                  refused with the keytool command that converts it)
  --keystore-password <p>         Its password (default "password"); --keystore-type and
                                  --key-manager-password are accepted, the file's content decides
  --https-cert <file>             PEM certificate chain (podlab's own, not in WireMock; with
  --https-key <file>              --https-key, a PEM private key, instead of a keystore)
  --https-require-client-cert     Refuse TLS clients without a certificate from the truststore
  --https-truststore <file>       PKCS12 or PEM certificates trusted for client certificates
  --truststore-password <p>       Its password (default "password")
  --watch                         Reload mappings/ when files under the root dir are added,
                                  changed or removed (not in WireMock); a bad file is reported
                                  and the previous stubs stay served; stubs made through the
                                  admin API and not saved to a file are kept
  --watch-interval <seconds>      How often --watch looks for changes (default 1)
  --version                       Print the WireMock version emulated and exit
  --help                          Print this message

  --proxy-all <url>               Proxy every request no other stub matches to this base URL
  --preserve-host-header          Send the caller's Host to proxy targets (default: the target's)
  --preserve-user-agent-proxy-header  Send the caller's User-Agent to proxy targets
  --proxy-timeout <ms>            Give up on a proxy target after this long (default 300000)
  --proxy-via <host:port>         Send proxied requests and webhooks through this HTTP proxy
                                  (http://user:password@host:port for one asking credentials)
  --allow-proxy-targets <list>    Comma-separated IPv4 addresses, ranges (a-b) and host name
                                  wildcards (*.example.com) proxying and webhooks may reach
  --deny-proxy-targets <list>     The same, refused (applied after the allowed list)
  --enable-browser-proxying       Forward absolute-form (proxy) requests no stub matches to
                                  their target; CONNECT is answered with a certificate for
                                  the host from a CA made at start
                                  (GET /__admin/certs/wiremock-ca.crt)
  --trust-all-proxy-targets       Browser proxying: do not verify HTTPS targets
  --record-mappings               Write each first proxied exchange to mappings/ and __files/
  --match-headers <h1,h2>         Headers --record-mappings puts in the recorded request
  --disable-http2-plain           No h2c (HTTP/2 without TLS) on the HTTP port
  --disable-http2-tls             No h2 offered by ALPN on the HTTPS port
Other WireMock options (thread counts, Jetty tuning) are accepted and ignored.
"""
