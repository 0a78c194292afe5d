"""Stand-ins for the agnhost e2e test image (registry.k8s.io/e2e-test-images/agnhost)."""
