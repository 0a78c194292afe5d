"""The official Python admin client (`wiremock` 2.7) drives a real podlab stub server.

Every resource method the client has is called; where real WireMock makes the client fail
(3.x has no POST /requests/reset; /settings answers an empty body the client tries to parse),
podlab must fail the same way, and the effect must still be visible.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator

import pytest
from wiremock.client import (
    GlobalSetting,
    GlobalSettings,
    HttpMethods,
    Mapping,
    MappingRequest,
    MappingResponse,
    Mappings,
    NearMisses,
    NearMissMatchPatternRequest,
    NearMissMatchRequest,
    Requests,
    Scenarios,
)
from wiremock.constants import Config
from wiremock.exceptions import NotFoundException

from .conftest import StubProcess


@pytest.fixture
def client(stub_server: StubProcess) -> Iterator[StubProcess]:
    previous = Config.base_url
    Config.base_url = f"{stub_server.base}/__admin"
    try:
        yield stub_server
    finally:
        Config.base_url = previous


def get(stub: StubProcess, path: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(stub.base + path, timeout=5) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def make_mapping(url: str, body: str, **extra: object) -> Mapping:
    return Mapping(
        request=MappingRequest(method=HttpMethods.GET, url=url),
        response=MappingResponse(status=200, body=body),
        persistent=False,
        **extra,
    )


def test_mappings_crud_through_the_client(client: StubProcess) -> None:
    created = Mappings.create_mapping(make_mapping("/c/one", "one"))
    assert created.id
    assert get(client, "/c/one") == (200, b"one")

    listed = Mappings.retrieve_all_mappings()
    assert [m.id for m in listed.mappings] == [created.id]
    assert listed.meta.total == 1

    fetched = Mappings.retrieve_mapping(created.id)
    assert fetched.request.url == "/c/one"

    fetched.response = MappingResponse(status=201, body="updated")
    updated = Mappings.update_mapping(fetched)
    assert updated.response.status == 201
    assert get(client, "/c/one") == (201, b"updated")

    Mappings.delete_mapping(created.id)
    assert get(client, "/c/one")[0] == 404
    with pytest.raises(NotFoundException):
        Mappings.retrieve_mapping(created.id)

    tagged = Mappings.create_mapping(make_mapping("/c/tagged", "t", metadata={"team": "red"}))
    kept = Mappings.create_mapping(make_mapping("/c/kept", "k", metadata={"team": "blue"}))
    Mappings.delete_mapping_by_metadata({"matchesJsonPath": {"expression": "$.team", "equalTo": "red"}})
    remaining = [m.id for m in Mappings.retrieve_all_mappings().mappings]
    assert remaining == [kept.id]
    assert tagged.id not in remaining

    Mappings.persist_mappings()
    saved = list((client.root / "mappings").glob("*.json"))
    assert [p.name for p in saved] == [f"get-ckept-{kept.id}.json"]

    Mappings.delete_all_mappings()
    assert Mappings.retrieve_all_mappings().meta.total == 0
    assert list((client.root / "mappings").glob("*.json")) == []  # the saved file went too

    Mappings.create_mapping(make_mapping("/c/gone", "g"))
    Mappings.reset_mappings()  # reloads from (now empty) files
    assert Mappings.retrieve_all_mappings().meta.total == 0


def test_requests_journal_and_near_misses_through_the_client(client: StubProcess) -> None:
    Mappings.create_mapping(make_mapping("/j/hit", "hit"))
    assert get(client, "/j/hit") == (200, b"hit")
    assert get(client, "/j/miss")[0] == 404

    everything = Requests.get_all_received_requests()
    assert [r.request.url for r in everything.requests] == ["/j/miss", "/j/hit"]  # newest first
    assert everything.meta.total == 2
    one = Requests.get_request(everything.requests[1].id)
    assert one.request.url == "/j/hit"
    assert one.response_definition.status == 200

    assert Requests.get_all_received_requests(limit=1).requests[0].request.url == "/j/miss"

    pattern = NearMissMatchPatternRequest(url="/j/hit", method="GET")
    assert Requests.get_matching_request_count(pattern).count == 1
    found = Requests.get_matching_requests(pattern)
    assert [r.url for r in found.requests] == ["/j/hit"]

    unmatched = Requests.get_unmatched_requests()
    assert [r.url for r in unmatched.requests] == ["/j/miss"]

    misses = Requests.get_unmatched_requests_near_misses()
    assert [m.request.url for m in misses.near_misses] == ["/j/miss"]  # one stub, one miss
    assert 0 < misses.near_misses[0].match_result.distance < 1

    by_request = NearMisses.find_nearest_misses_by_request(NearMissMatchRequest(url="/j/hot", method="GET"))
    assert [m.request.url for m in by_request.near_misses] == ["/j/hot"]
    assert 0 < by_request.near_misses[0].match_result.distance < 1
    by_pattern = NearMisses.find_nearest_misses_by_request_pattern(
        NearMissMatchPatternRequest(url="/j/hi", method="GET")
    )
    assert [m.request.url for m in by_pattern.near_misses] == ["/j/hit", "/j/miss"]  # nearest first
    assert by_pattern.near_misses[0].request_pattern.url == "/j/hi"

    # 3.13 removed POST /requests/reset, so the client's call fails exactly as against WireMock.
    with pytest.raises(NotFoundException):
        Requests.reset_request_journal()


def test_scenarios_and_settings_through_the_client(client: StubProcess) -> None:
    first = make_mapping("/s", "one")
    first.scenario_name = "S"
    first.required_scenario_state = "Started"
    first.new_scenario_state = "Two"
    second = make_mapping("/s", "two")
    second.scenario_name = "S"
    second.required_scenario_state = "Two"
    Mappings.create_mapping(first)
    Mappings.create_mapping(second)
    assert get(client, "/s") == (200, b"one")
    assert get(client, "/s") == (200, b"two")
    Scenarios.reset_all_scenarios()
    assert get(client, "/s") == (200, b"one")

    # WireMock answers POST /settings with 200 and an empty body, which this client tries to
    # parse as JSON; the settings still change.
    with pytest.raises(json.JSONDecodeError):
        GlobalSettings.update_global_settings(GlobalSetting(fixed_delay=5))
    status, body = get(client, "/__admin/settings")
    assert status == 200
    assert json.loads(body) == {"settings": {"fixedDelay": 5, "proxyPassThrough": False}}


def test_request_journal_reset_alias_under_compat_2(start_stub) -> None:
    stub = start_stub("--compat", "2")
    previous = Config.base_url
    Config.base_url = f"{stub.base}/__admin"
    try:
        Mappings.create_mapping(make_mapping("/v2", "v2"))
        assert get(stub, "/v2") == (200, b"v2")
        assert Requests.get_all_received_requests().meta.total == 1
        Requests.reset_request_journal()
        assert Requests.get_all_received_requests().meta.total == 0
    finally:
        Config.base_url = previous
