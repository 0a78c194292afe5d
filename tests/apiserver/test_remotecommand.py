"""The transport-free part of pods/exec and pods/attach: options, container choice, Status, resize."""

from __future__ import annotations

import json
from typing import Any

import pytest

from podlab.apiserver.remotecommand import (
    ResizeDecoder,
    StreamError,
    choose_container,
    exit_status,
    parse_options,
)


def test_query_booleans_are_false_only_when_absent_zero_or_false() -> None:
    opts = parse_options("command=ls&command=-l&stdin=True&stdout=&stderr=FALSE&tty=0", attach=False)
    assert (opts.command, opts.stdin, opts.stdout, opts.stderr, opts.tty) == (
        ["ls", "-l"],
        True,
        True,
        False,
        False,
    )


def test_tty_drops_stderr_and_counts_the_resize_stream() -> None:
    opts = parse_options("command=sh&stdin=true&stdout=true&stderr=true&tty=true", attach=False)
    assert (opts.stderr, opts.stream_count) == (False, 4)  # error, stdin, stdout, resize


@pytest.mark.parametrize(
    ("query", "attach", "message"),
    [
        ("command=ls", False, "you must specify at least 1 of stdin, stdout, stderr"),
        ("stdout=true", False, "you must specify at least one command for the container"),
    ],
)
def test_bad_options_in_the_api_servers_words(query: str, attach: bool, message: str) -> None:
    with pytest.raises(StreamError) as err:
        parse_options(query, attach=attach)
    assert (err.value.code, err.value.message) == (400, message)


def pod(
    *containers: str, init: tuple[str, ...] = (), ephemeral: tuple[str, ...] = (), node: str = "podlab"
) -> Any:
    return {
        "metadata": {"name": "p"},
        "spec": {
            "nodeName": node,
            "containers": [{"name": n} for n in containers],
            "initContainers": [{"name": n} for n in init],
            "ephemeralContainers": [{"name": n} for n in ephemeral],
        },
    }


def test_container_choice() -> None:
    assert choose_container(pod("only"), "") == "only"
    assert choose_container(pod("a", "b", init=("i",), ephemeral=("e",)), "e") == "e"
    with pytest.raises(
        StreamError, match=r"^a container name must be specified for pod p, choose one of: \[i a b e\]$"
    ):
        choose_container(pod("a", "b", init=("i",), ephemeral=("e",)), "")
    with pytest.raises(StreamError, match=r"^container x is not valid for pod p$"):
        choose_container(pod("a"), "x")
    with pytest.raises(StreamError, match=r"^pod p does not have a host assigned$"):
        choose_container(pod("a", node=""), "a")


def test_exit_status_puts_the_exit_code_cause_first() -> None:
    assert exit_status(0) == {"metadata": {}, "status": "Success"}
    status = exit_status(137)
    assert status["reason"] == "NonZeroExitCode"
    assert status["message"] == "command terminated with exit code 137"
    assert status["details"]["causes"][0] == {"reason": "ExitCode", "message": "137"}


def test_resize_messages_with_and_without_newlines_and_split_across_frames() -> None:
    decoder = ResizeDecoder()
    kubectl_style = json.dumps({"Width": 80, "Height": 24}) + "\n"
    python_style = json.dumps({"Height": 40, "Width": 100})
    assert decoder.feed((kubectl_style + python_style).encode()) == [(80, 24), (100, 40)]
    assert decoder.feed(b'{"Width":1') == []
    assert decoder.feed(b'20,"Height":30}') == [(120, 30)]
    assert decoder.feed(b'{"Width":-1,"Height":5}["not a size"]') == []  # ignored, not an error
