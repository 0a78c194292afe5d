"""podlab's Kubernetes API server: enough of the REST API for kubectl and the official client."""

from .kubeconfig import kubeconfig_text, write_kubeconfig
from .logs import LogReader
from .server import ApiServer

__all__ = ["ApiServer", "LogReader", "kubeconfig_text", "write_kubeconfig"]
