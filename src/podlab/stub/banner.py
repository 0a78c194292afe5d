"""The start-up banner and options block WireMock prints to stdout, byte for byte.

The art is copied from the real 3.13.2 and 2.35.1 output (docs/reference/wiremock.md §4.1), trailing spaces included,
because people diff container logs against WireMock's.
"""

from __future__ import annotations

from podlab.stub.options import StubOptions
from podlab.stub.tls import keystore_label

BANNER_3 = (
    "\n"
    "\x1b[34m██     ██ ██ ██████  ███████ \x1b[33m███    ███  ██████   ██████ ██   ██ \n"
    "\x1b[34m██     ██ ██ ██   ██ ██      \x1b[33m████  ████ ██    ██ ██      ██  ██  \n"
    "\x1b[34m██  █  ██ ██ ██████  █████   \x1b[33m██ ████ ██ ██    ██ ██      █████   \n"
    "\x1b[34m██ ███ ██ ██ ██   ██ ██      \x1b[33m██  ██  ██ ██    ██ ██      ██  ██  \n"
    "\x1b[34m ███ ███  ██ ██   ██ ███████ \x1b[33m██      ██  ██████   ██████ ██   ██ \n"
    "\n"
    "\x1b[0m----------------------------------------------------------------\n"
    "|               Cloud: https://wiremock.io/cloud               |\n"
    "|                                                              |\n"
    "|               Slack: https://slack.wiremock.org              |\n"
    "----------------------------------------------------------------\n"
)

BANNER_2 = (
    " /$$      /$$ /$$                     /$$      /$$                     /$$      \n"
    "| $$  /$ | $$|__/                    | $$$    /$$$                    | $$      \n"
    "| $$ /$$$| $$ /$$  /$$$$$$   /$$$$$$ | $$$$  /$$$$  /$$$$$$   /$$$$$$$| $$   /$$\n"
    "| $$/$$ $$ $$| $$ /$$__  $$ /$$__  $$| $$ $$/$$ $$ /$$__  $$ /$$_____/| $$  /$$/\n"
    "| $$$$_  $$$$| $$| $$  \\__/| $$$$$$$$| $$  $$$| $$| $$  \\ $$| $$      | $$$$$$/ \n"
    "| $$$/ \\  $$$| $$| $$      | $$_____/| $$\\  $ | $$| $$  | $$| $$      | $$_  $$ \n"
    "| $$/   \\  $$| $$| $$      |  $$$$$$$| $$ \\/  | $$|  $$$$$$/|  $$$$$$$| $$ \\  $$\n"
    "|__/     \\__/|__/|__/       \\_______/|__/     |__/ \\______/  \\_______/|__/  \\__/\n"
)

_KEY_WIDTH = 30  # WireMock pads "key:" to column 30 (CommandLineOptions.toString)


def _row(key: str, value: object) -> str:
    if isinstance(value, bool):
        value = "true" if value else "false"
    return f"{key + ':':<{_KEY_WIDTH}}{value}\n"


def options_block(options: StubOptions, port: int, https_port: int = 0) -> str:
    """The `key: value` summary WireMock prints after the banner (only set options are shown;
    `port:` is left out with --disable-http, as 3.13.2 does)."""
    rows = []
    if options.compat == 3:
        rows.append(_row("version", options.wiremock_version))
    if not options.disable_http:
        rows.append(_row("port", port))
    if options.https_port is not None:
        rows.append(_row("https-port", https_port))
        rows.append(_row("https-keystore", keystore_label(options)))
    if options.proxy_via is not None:
        rows.append(_row("proxy-via", options.proxy_via.text))
    if options.proxy_all is not None:  # CommandLineOptions.toString prints these with it only
        rows.append(_row("proxy-all", options.proxy_all))
        rows.append(_row("preserve-host-header", options.preserve_host_header))
        if options.compat == 3:
            rows.append(_row("preserve-user-agent-proxy-header", options.preserve_user_agent_proxy_header))
    rows.append(_row("enable-browser-proxying", options.enable_browser_proxying))
    if options.enable_browser_proxying:
        # WireMock's CA keystore (for CONNECT, which podlab does not do): shown as it shows it.
        rows.append(_row("trust-all-proxy-targets", options.trust_all_proxy_targets))
        rows.append(_row("ca-keystore", options.ignored.get("ca-keystore") or _default_ca_keystore()))
        rows.append(_row("ca-keystore-type", options.ignored.get("ca-keystore-type") or "jks"))
    rows.append(_row("disable-banner", options.disable_banner))
    if options.record_mappings:
        rows.append(_row("record-mappings", True))
        rows.append(_row("match-headers", "[" + ", ".join(options.match_headers) + "]"))
    rows.append(_row("no-request-journal", options.no_request_journal))
    rows.append(_row("verbose", options.verbose))
    if options.jetty_accept_queue_size is not None:
        rows.append(_row("jetty-accept-queue-size", options.jetty_accept_queue_size))
    if options.jetty_acceptor_threads is not None:
        rows.append(_row("jetty-acceptor-threads", options.jetty_acceptor_threads))
    if options.jetty_header_buffer_size is not None:
        rows.append(_row("jetty-header-buffer-size", options.jetty_header_buffer_size))
    if options.admin_api_basic_auth is not None:
        rows.append(_row("admin-api-basic-auth", "enabled"))
    if options.admin_api_require_https:
        rows.append(_row("admin-api-require-https", True))
    return "".join(rows)


def startup_text(options: StubOptions, port: int, https_port: int = 0) -> str:
    """Everything WireMock writes to stdout once it listens, before the first request."""
    if options.disable_banner:
        head = "\nThe WireMock server is started .....\n"
    elif options.compat == 3:
        head = BANNER_3 + "\n"
    else:
        head = BANNER_2 + "\n"
    # The options block ends in a newline and WireMock println()s it: hence the blank line.
    text = head + options_block(options, port, https_port) + "\n"
    if options.compat == 3:
        text += _row("extensions", "response-template,webhook")
    return text


def _default_ca_keystore() -> str:
    import os

    return os.path.join(os.path.expanduser("~"), ".wiremock", "ca-keystore.jks")
