"""One probe attempt each (exec, httpGet, tcpSocket, grpc), with the kubelet's wording."""

from podlab.probes.result import ProbeOutcome, ProbeResult, ProbeTarget
from podlab.probes.run import run_probe

__all__ = ["ProbeOutcome", "ProbeResult", "ProbeTarget", "run_probe"]
