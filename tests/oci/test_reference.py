"""Reference parsing as containerd's reference library normalises names (docs/reference/images.md §1)."""

from __future__ import annotations

import pytest

from podlab.oci.reference import ReferenceError, familiar, parse_reference

DIGEST = "sha256:" + "a" * 64


@pytest.mark.parametrize(
    ("text", "domain", "path", "tag", "digest"),
    [
        ("busybox", "docker.io", "library/busybox", "latest", ""),
        ("nginx:1.27", "docker.io", "library/nginx", "1.27", ""),
        ("docker.io/library/nginx", "docker.io", "library/nginx", "latest", ""),
        ("index.docker.io/library/nginx:1", "docker.io", "library/nginx", "1", ""),
        ("myhost/app", "docker.io", "myhost/app", "latest", ""),
        ("myhost:5000/app", "myhost:5000", "app", "latest", ""),
        ("localhost/app:2", "localhost", "app", "2", ""),
        ("ghcr.io/org/app:tag", "ghcr.io", "org/app", "tag", ""),
        (f"host:5000/x@{DIGEST}", "host:5000", "x", "", DIGEST),
        (f"busybox:1.36@{DIGEST}", "docker.io", "library/busybox", "1.36", DIGEST),
        ("127.0.0.1:5000/test/web:1", "127.0.0.1:5000", "test/web", "1", ""),
    ],
)
def test_normalising(text: str, domain: str, path: str, tag: str, digest: str) -> None:
    ref = parse_reference(text)
    assert (ref.domain, ref.path, ref.tag, ref.digest) == (domain, path, tag, digest)


def test_a_digest_wins_over_a_tag_and_docker_hub_is_registry_1() -> None:
    ref = parse_reference(f"busybox:1.36@{DIGEST}")
    assert str(ref) == f"docker.io/library/busybox@{DIGEST}"
    assert ref.object == DIGEST
    assert ref.api_host == "registry-1.docker.io"
    assert familiar(ref.repository) == "busybox"
    assert parse_reference("127.0.0.1:5000/a").is_localhost and not parse_reference("ghcr.io/a").is_localhost


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a" * 64, "cannot specify 64-byte hexadecimal strings"),
        ("Upper/Case", "invalid reference format"),
        ("docker.io/Library/x", "repository name must be lowercase"),
        ("nginx:bad tag", "invalid reference format"),
        ("nginx@sha256:short", "invalid reference format"),
        ("", "invalid reference format"),
    ],
)
def test_bad_references_get_the_librarys_words(text: str, message: str) -> None:
    with pytest.raises(ReferenceError) as err:
        parse_reference(text)
    assert message in str(err.value)
