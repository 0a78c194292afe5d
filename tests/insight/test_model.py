"""The model file: what it accepts, and errors that name the file and the field."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from podlab.insight.model import Distribution, FailWindow, ModelError, load_model, parse_model


def test_a_full_model_parses() -> None:
    model = parse_model(
        {
            "containers": {
                "wiremock": {
                    "startup": {"p50": "2s", "p99": "9s"},
                    "exit": {"after": "10m", "code": 3},
                    "sigterm": "ignore",
                    "http": {
                        "/get/this": {
                            "latency": {"p50": "5ms", "p99": "20ms"},
                            "fail": [{"from": "30s", "status": 404}],
                        }
                    },
                    "tcp": {8080: {"latency": "1ms"}},
                    "exec": {"cat /tmp/healthy": {"fail": [{"from": 30, "to": "55s"}], "output": "gone"}},
                }
            }
        },
        "m.yaml",
    )
    c = model.container("wiremock")
    assert c.startup == Distribution(2.0, 9.0)
    assert c.exit_after == Distribution(600.0, 600.0) and c.exit_code == 3 and c.sigterm == "ignore"
    assert c.http["/get/this"].latency == Distribution(0.005, 0.02)
    assert c.http["/get/this"].fail == (FailWindow(30.0, None, 404),)
    assert c.tcp[8080].latency.p50 == 0.001
    assert c.exec["cat /tmp/healthy"].fail == (FailWindow(30.0, 55.0, 500),)
    # A container the model does not name is a healthy one that starts at once.
    assert model.container("other").startup == Distribution(0.0, 0.0)


@pytest.mark.parametrize(
    ("raw", "where"),
    [
        ({"containers": {"a": {"startup": "2x"}}}, 'containers.a.startup: time: invalid duration "2x"'),
        ({"containers": {"a": {"startup": "5"}}}, 'containers.a.startup: time: missing unit in duration "5"'),
        (
            {"containers": {"a": {"http": {"/x": {"fail": [{"from": "5s", "to": "1s"}]}}}}},
            "containers.a.http./x.fail[0].to: must be after from",
        ),
        (
            {"containers": {"a": {"http": {"/x": {"fail": [{"status": 99}]}}}}},
            "containers.a.http./x.fail[0].status: 99 is not an HTTP status code",
        ),
        (
            {"containers": {"a": {"startup": {"p50": "3s", "p99": "1s"}}}},
            "containers.a.startup.p99: must not be below p50",
        ),
        ({"containers": {"a": {"startupp": "1s"}}}, "containers.a.startupp: unknown field"),
        (
            {"containers": {"a": {"sigterm": "maybe"}}},
            'containers.a.sigterm: must be "exit" or "ignore", not "maybe"',
        ),
        (
            {"containers": {"a": {"tcp": {"http": {}}}}},
            "containers.a.tcp.http: must be an integer, not 'http'",
        ),
        ({"containers": []}, "containers: must be a mapping, not list"),
        ({"pods": {}}, "pods: unknown field"),
    ],
)
def test_bad_models_name_the_file_and_field(raw: object, where: str) -> None:
    with pytest.raises(ModelError) as info:
        parse_model(raw, "model.yaml")
    assert str(info.value) == f"model.yaml: {where}"


def test_unreadable_and_non_yaml_files_are_named(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match=r"missing\.yaml: No such file or directory"):
        load_model(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("containers: [unclosed")
    with pytest.raises(ModelError, match=r"bad\.yaml: not YAML"):
        load_model(bad)


def test_lognormal_distribution_has_the_given_median_and_p99() -> None:
    rng = random.Random(7)
    d = Distribution(0.02, 0.2)
    samples = sorted(d.sample(rng) for _ in range(20000))
    assert samples[10000] == pytest.approx(0.02, rel=0.05)
    assert samples[19800] == pytest.approx(0.2, rel=0.1)


def test_windows_per_pod_time_per_start_and_until_restart() -> None:
    # Pod time: from 30 s, whatever the instance.
    assert FailWindow(30.0).covers(31.0, instance_started=0.0)
    assert not FailWindow(30.0).covers(29.0, instance_started=0.0)
    # untilRestart: an instance started after the break is healthy again.
    assert FailWindow(30.0, until_restart=True).covers(40.0, instance_started=0.0)
    assert not FailWindow(30.0, until_restart=True).covers(60.0, instance_started=45.0)
    # fromStart: measured from each start.
    assert FailWindow(10.0, from_start=True).covers(61.0, instance_started=50.0)
    assert not FailWindow(10.0, from_start=True).covers(59.0, instance_started=50.0)
