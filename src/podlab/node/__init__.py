"""The local node: one process that owns the store, API server, controllers, kubelet and runtime."""
