"""Errors raised while turning an image name into a local program."""

from __future__ import annotations


class ImagePullError(Exception):
    """No local program for the image; the kubelet reports `reason` in the Waiting state."""

    def __init__(self, message: str, reason: str = "ErrImagePull") -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason
