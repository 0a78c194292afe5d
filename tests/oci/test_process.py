"""Image config -> process, as containerd's CRI plugin (docs/reference/images.md §5)."""

from __future__ import annotations

import pytest

from podlab.oci.process import (
    Identity,
    ImageConfigError,
    image_env,
    merge_env,
    process_args,
    resolve_user,
    working_dir,
)

IMAGE = {"Entrypoint": ["/docker-entrypoint.sh"], "Cmd": ["nginx", "-g", "daemon off;"]}


@pytest.mark.parametrize(
    ("command", "args", "argv"),
    [
        ([], [], ["/docker-entrypoint.sh", "nginx", "-g", "daemon off;"]),
        (["sh"], [], ["sh"]),  # command alone ignores Entrypoint and Cmd
        ([], ["-v"], ["/docker-entrypoint.sh", "-v"]),  # args replace Cmd only
        (["sh"], ["-c", "x"], ["sh", "-c", "x"]),
    ],
)
def test_the_four_rows(command: list[str], args: list[str], argv: list[str]) -> None:
    assert process_args(IMAGE, command, args) == argv


def test_an_empty_entrypoint_string_counts_as_none() -> None:
    assert process_args({"Entrypoint": [""], "Cmd": ["x"]}, [], []) == ["x"]
    assert process_args({}, [], []) == []


def test_env_order_later_replaces_in_place_and_bare_keys_unset() -> None:
    env = image_env({"Env": ["PATH=/img", "A=1", "B=2"]}, "web-1")
    assert list(env) == ["PATH", "HOSTNAME", "A", "B"] and env["PATH"] == "/img"
    assert merge_env(["A=1", "B=2"], ["A=3", "B"]) == {"A": "3"}


def test_working_dir_precedence() -> None:
    assert working_dir({"WorkingDir": "/app"}, {"workingDir": "/pod"}) == "/pod"
    assert working_dir({"WorkingDir": "/app"}, {}) == "/app"
    assert working_dir({}, {}) == "/"


PASSWD = "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1001:app:/home/app:/bin/sh\n"
GROUP = "root:x:0:\napp:x:1001:\nextra:x:2000:app,other\nwheel:x:10:root\n"


@pytest.mark.parametrize(
    ("user", "identity"),
    [
        ("", Identity(0, 0, (0,))),
        ("1000", Identity(1000, 1001, (1001, 2000))),
        ("4242", Identity(4242, 0, (0,))),  # a uid with no passwd entry: gid 0
        ("app", Identity(1000, 1001, (1001, 2000))),
        ("app:extra", Identity(1000, 2000, (2000,))),
        ("1000:55", Identity(1000, 55, (55, 2000))),
    ],
)
def test_user_forms(user: str, identity: Identity) -> None:
    assert resolve_user(user, PASSWD, GROUP) == identity


def test_unknown_names_are_errors() -> None:
    with pytest.raises(ImageConfigError, match="unable to find user nobody"):
        resolve_user("nobody", PASSWD, GROUP)
    with pytest.raises(ImageConfigError, match="unable to find group staff"):
        resolve_user("app:staff", PASSWD, GROUP)
    with pytest.raises(ImageConfigError, match="out of range"):
        resolve_user("4294967296", PASSWD, GROUP)
