"""podlab stub: a WireMock-compatible stub server in pure Python."""
