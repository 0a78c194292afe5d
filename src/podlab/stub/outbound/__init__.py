"""How the stub reaches other hosts (proxy targets and webhooks): which targets the
`--allow/deny-proxy-targets` rules let through, and the `--proxy-via` proxy in between."""
