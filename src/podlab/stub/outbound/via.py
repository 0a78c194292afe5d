"""`--proxy-via`: the HTTP proxy that proxied requests and webhooks go out through.

As WireMock 3.13.2's ProxySettings.fromString: `host:port` or `http://[user:password@]host:port`
(port 80 when left out); any other scheme is refused at start-up with its words. Through the
proxy, an http target is asked for in absolute form and an https one through a CONNECT tunnel;
credentials are sent once the proxy asks for them (407), as its Apache client does.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit


class ProxyViaError(ValueError):
    """A value WireMock refuses; the message is its IllegalArgumentException's."""


@dataclass(frozen=True, slots=True)
class ProxyVia:
    host: str
    port: int
    username: str = ""
    password: str = ""

    @classmethod
    def parse(cls, text: str) -> ProxyVia:
        url = text if "://" in text else "http://" + text
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            if text.startswith(("http://", "https://")):
                raise ProxyViaError(f"'{text}' could not be parsed as a proxy URL") from None
            raise ProxyViaError(
                f"'{text}' could not be parsed as a proxy URL with or without an 'http://' prefix"
            ) from None
        if parts.scheme.lower() != "http":
            raise ProxyViaError("Proxy via does not support any other protocol than http")
        if not parts.hostname:
            raise ProxyViaError("Host part of proxy must be specified")
        return cls(parts.hostname, port or 80, unquote(parts.username or ""), unquote(parts.password or ""))

    @property
    def text(self) -> str:
        """How WireMock's start-up listing shows it (`proxy-via:` line)."""
        return f"{self.host}:{self.port}" + (" (with credentials)" if self.username else "")

    @property
    def authorization(self) -> str | None:
        """The Proxy-Authorization value once the proxy asks (only with both parts given, as
        WireMock sets credentials only then)."""
        if not (self.username and self.password):
            return None
        token = base64.b64encode(f"{self.username}:{self.password}".encode()).decode("ascii")
        return f"Basic {token}"
