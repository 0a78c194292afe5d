"""The command line: WireMock's options, start-up output byte for byte, exit codes."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from podlab.stub.cli import stub_command
from podlab.stub.options import OptionsError, parse_args

from .conftest import stub_command as stub_argv

ESC = "\x1b"
# WireMock 3.13.2's stdout at start (wiremock-real-output.txt), with our port in it.
BANNER_3 = (
    "\n"
    f"{ESC}[34m██     ██ ██ ██████  ███████ {ESC}[33m███    ███  ██████   ██████ ██   ██ \n"
    f"{ESC}[34m██     ██ ██ ██   ██ ██      {ESC}[33m████  ████ ██    ██ ██      ██  ██  \n"
    f"{ESC}[34m██  █  ██ ██ ██████  █████   {ESC}[33m██ ████ ██ ██    ██ ██      █████   \n"
    f"{ESC}[34m██ ███ ██ ██ ██   ██ ██      {ESC}[33m██  ██  ██ ██    ██ ██      ██  ██  \n"
    f"{ESC}[34m ███ ███  ██ ██   ██ ███████ {ESC}[33m██      ██  ██████   ██████ ██   ██ \n"
    "\n"
    f"{ESC}[0m----------------------------------------------------------------\n"
    "|               Cloud: https://wiremock.io/cloud               |\n"
    "|                                                              |\n"
    "|               Slack: https://slack.wiremock.org              |\n"
    "----------------------------------------------------------------\n"
    "\n"
    "version:                      3.13.2\n"
    "port:                         {port}\n"
    "enable-browser-proxying:      false\n"
    "disable-banner:               false\n"
    "no-request-journal:           false\n"
    "verbose:                      false\n"
    "\n"
    "extensions:                   response-template,webhook\n"
)
OPTIONS_2_DISABLED_BANNER = (
    "\n"
    "The WireMock server is started .....\n"
    "port:                         {port}\n"
    "enable-browser-proxying:      false\n"
    "disable-banner:               true\n"
    "no-request-journal:           true\n"
    "verbose:                      false\n"
    "\n"
)


def run(*args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run(stub_argv(*args), capture_output=True, text=True, timeout=timeout)


def test_startup_output_matches_wiremock_3(start_stub) -> None:
    stub = start_stub()
    assert stub.stdout() == BANNER_3.replace("{port}", str(stub.port))


def test_startup_output_compat_2_without_banner(start_stub) -> None:
    stub = start_stub("--compat", "2", "--disable-banner", "--no-request-journal")
    assert stub.stdout() == OPTIONS_2_DISABLED_BANNER.replace("{port}", str(stub.port))


def test_compat_2_banner_is_the_dollar_art(start_stub) -> None:
    stub = start_stub("--compat", "2")
    out = stub.stdout()
    assert out.startswith(
        " /$$      /$$ /$$                     /$$      /$$                     /$$      \n"
    )
    assert "version:" not in out and "extensions:" not in out


def test_unknown_option_is_a_clear_error() -> None:
    result = run("--port", "0", "--no-such-thing")
    assert result.returncode == 1
    assert "'no-such-thing' is not a recognized option" in result.stderr
    assert result.stdout == ""


def test_bad_values_and_unsupported_features_exit_1() -> None:
    for args, words in (
        (("--port", "eighty"), "--port: 'eighty' is not a number"),
        (("--compat", "4"), "--compat: '4' must be 2"),
        (("--port",), "option --port requires an argument"),
        (
            ("--load-resources-from-classpath", "x"),
            "loading resources from the classpath is not supported yet",
        ),
    ):
        result = run(*args)
        assert result.returncode == 1, args
        assert words in result.stderr, (args, result.stderr)


def test_version_and_help() -> None:
    assert run("--version").stdout == "3.13.2\n"
    assert run("--compat", "2", "--version").stdout == "2.35.1\n"
    result = run("--help")
    assert result.returncode == 0 and "--root-dir" in result.stdout


def test_port_in_use_exits_1(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run("--port", str(port), "--bind-address", "127.0.0.1", "--root-dir", str(tmp_path))
    assert result.returncode == 1
    assert f"Failed to bind to /127.0.0.1:{port}" in result.stderr


def test_ignored_wiremock_options_are_accepted() -> None:
    options = parse_args(
        [
            "--container-threads",
            "50",
            "--jetty-acceptor-threads=4",
            "--async-response-enabled",
            "true",
            "--verbose",
        ]
    )
    assert options.verbose and options.jetty_acceptor_threads == "4"
    assert options.ignored["container-threads"] == "50"
    try:
        parse_args(["--verbose=yes"])
    except OptionsError as exc:
        assert "takes no value" in str(exc)
    else:  # pragma: no cover - the assertion above must run
        raise AssertionError("--verbose=yes was accepted")


def test_click_command_passes_wiremock_options_through() -> None:
    result = CliRunner().invoke(stub_command, ["--version"])
    assert result.exit_code == 0 and result.output == "3.13.2\n"
    result = CliRunner().invoke(stub_command, ["--bogus"])
    assert result.exit_code == 1


def test_python_dash_m_entry_point_is_importable() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "podlab.stub", "--version"], capture_output=True, text=True
    )
    assert result.returncode == 0 and result.stdout.strip() == "3.13.2"


def test_root_dir_that_is_a_file_exits_1(tmp_path: Path) -> None:
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("x")
    result = run("--port", "0", "--root-dir", str(not_a_dir))
    assert result.returncode == 1
    assert f"{not_a_dir}: cannot create mappings/ and __files/" in result.stderr


def test_a_deeply_nested_mapping_file_is_one_line_naming_it(tmp_path: Path) -> None:
    (tmp_path / "mappings").mkdir()
    deep = tmp_path / "mappings" / "deep.json"
    deep.write_text('{"metadata": ' + "[" * 10_000 + "]" * 10_000 + "}")
    result = run("--port", "0", "--bind-address", "127.0.0.1", "--root-dir", str(tmp_path))
    assert result.returncode == 1
    assert result.stderr == f"podlab stub: cannot load mappings: {deep}: invalid JSON: nested too deeply\n"


def test_podlab_stub_answers_as_the_click_command_does(tmp_path: Path) -> None:
    """`podlab stub` (the console script and `python -m podlab`, podlab.cli.entry) goes to the
    stub before the node's command line is imported; what it prints and exits with is what the
    click group's `stub` command gives: --version, --help, a bad option, a port in use."""
    fast = [sys.executable, "-m", "podlab", "stub"]
    click_path = [sys.executable, "-c", "from podlab.cli.main import main; main()", "stub"]
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        for args in (
            ["--version"],
            ["--compat", "2", "--version"],
            ["--help"],
            ["--no-such-option"],
            ["--port", port, "--bind-address", "127.0.0.1", "--root-dir", str(tmp_path)],
        ):
            answers = [
                subprocess.run([*argv, *args], capture_output=True, text=True, timeout=60)
                for argv in (fast, click_path)
            ]
            assert answers[0].returncode == answers[1].returncode, args
            assert (answers[0].stdout, answers[0].stderr) == (answers[1].stdout, answers[1].stderr), args
    assert answers[0].returncode == 1 and f"Failed to bind to /127.0.0.1:{port}" in answers[0].stderr
