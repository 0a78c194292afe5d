"""podlab: know what Kubernetes will do to your app before you ship it."""

__version__ = "0.1.0"
