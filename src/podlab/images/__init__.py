"""Built-in images: what each image name means as a local program."""

from podlab.images.errors import ImagePullError
from podlab.images.names import ImageRef, parse_image
from podlab.images.resolve import ANNOTATION_PREFIX, DEFAULT_PATH, ImageProgram, resolve

__all__ = [
    "ANNOTATION_PREFIX",
    "DEFAULT_PATH",
    "ImageProgram",
    "ImagePullError",
    "ImageRef",
    "parse_image",
    "resolve",
]
