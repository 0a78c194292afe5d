"""Insight: the story of a pod (explain), its future under a model (simulate), and advice.

Everything here reuses the kubelet's own decision code: `simulate` runs the real Kubelet on a
VirtualClock against a model of the app (model.py, model_runtime.py), so predicted timelines
carry the same event reasons, messages and backoff as a real node's.
"""
