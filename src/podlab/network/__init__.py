"""The pod network: where pod and Service addresses live, and sockets into it.

`sockets.PodNetworkSockets` is the one seam every part that talks to pods goes through
(probes, port-forward, the Service proxy, cluster DNS, NodePort listeners): it hands out
sockets made *inside* the pod network, whichever way that network is built.
"""
