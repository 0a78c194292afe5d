"""The `podlab` command: thin clients of the node's API, plus `up` and `stub`."""
