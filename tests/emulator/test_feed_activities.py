"""Adding, reading and removing activities in flat feeds (api-semantics §3.1, §3.2, §6.1-§6.3)."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from stream_async.emulator import Emulator
from tests.emulator.conftest import Api, error, ids, ok

pytestmark = pytest.mark.asyncio

CORE_KEYS = {"id", "actor", "verb", "object", "target", "time", "foreign_id", "origin"}


async def test_added_activity_has_exactly_the_core_keys_and_defaults(api: Api) -> None:
    added = await api.add("user:1")
    assert set(added) == CORE_KEYS
    assert added["foreign_id"] == ""
    assert added["target"] == ""
    assert added["origin"] is None
    assert uuid.UUID(added["id"]).version == 1
    read = await api.read("user:1")
    assert read == {"results": [added], "next": ""}


async def test_strings_time_format_and_custom_fields_round_trip(api: Api) -> None:
    added = await api.add(
        "user:1",
        object=3,
        target=4.5,
        time="2018-11-14T15:54:45.268Z",
        foreign_id="1E42DEB6-7C2F-4DA9-B6E6-0C6E5CC9815D",
        message={"nested": [1, {"x": None}]},
        tags=["a", "b"],
        id="ignored",
        origin="ignored",
    )
    assert added["object"] == "3"
    assert added["target"] == "4.5"
    assert added["time"] == "2018-11-14T15:54:45.268000"
    assert added["id"] == "9b5b3540-e825-11e8-8080-800016ff21e4"
    assert added["message"] == {"nested": [1, {"x": None}]}
    assert added["tags"] == ["a", "b"]
    assert added["origin"] is None


async def test_any_json_string_round_trips(api: Api) -> None:
    raw = b'{"actor": "caf\\u00e9", "verb": "\\ud800", "object": "\xe2\x9c\x93"}'
    added = ok(await api.request("POST", "feed/user/1/", content=raw), 201)
    assert (added["actor"], added["verb"], added["object"]) == ("caf\u00e9", "\ud800", "\u2713")
    assert (await api.read("user:1"))["results"] == [added]


async def test_time_is_utc_without_zone(api: Api) -> None:
    added = await api.add("user:1", time="2018-06-24T16:28:00.5+05:00")
    assert added["time"] == "2018-06-24T11:28:00.500000"


@pytest.mark.parametrize(
    ("activity", "fields"),
    [
        ({}, ["actor", "verb", "object"]),
        ({"verb": "v", "object": "o"}, ["actor"]),
        ({"actor": "", "verb": "v", "object": "o"}, ["actor"]),
        ({"actor": {"id": 1}, "verb": "v", "object": "o"}, ["actor"]),
        ({"actor": "a", "verb": True, "object": "o", "foreign_id": []}, ["verb", "foreign_id"]),
    ],
)
async def test_missing_or_invalid_core_fields_are_400_code_4(
    api: Api, activity: dict[str, object], fields: list[str]
) -> None:
    body = error(await api.request("POST", "feed/user/1/", json=activity), 400, 4)
    assert body["exception"] == "InputException"
    assert sorted(body["exception_fields"]) == sorted(fields)
    assert body["detail"].startswith("Errors for fields")


@pytest.mark.parametrize("time", ["yesterday", 1234, "2018-02-30T00:00:00"])
async def test_invalid_time_is_a_field_error(api: Api, time: object) -> None:
    activity = {"actor": "a", "verb": "v", "object": "o", "time": time}
    body = error(await api.request("POST", "feed/user/1/", json=activity), 400, 4)
    assert list(body["exception_fields"]) == ["time"]


async def test_unknown_feed_group_is_400_code_6(api: Api) -> None:
    body = error(await api.request("GET", "feed/secret/1/"), 400, 6)
    assert body["detail"] == "The following feeds are not configured: 'secret'"
    assert body["exception"] == "FeedConfigException"


async def test_invalid_feed_user_id_is_400_code_4(api: Api) -> None:
    error(await api.request("GET", "feed/user/a b/"), 400, 4)


async def test_add_many_returns_them_in_order(api: Api) -> None:
    activities = [{"actor": "a", "verb": "v", "object": f"o{i}"} for i in range(3)]
    added = await api.post("feed/user/1/", {"activities": activities})
    assert [item["object"] for item in added["activities"]] == ["o0", "o1", "o2"]
    assert ids(await api.read("user:1")) == [item["id"] for item in added["activities"]][::-1]


async def test_same_foreign_id_and_time_replaces(api: Api) -> None:
    time = "2020-01-01T00:00:00"
    first = await api.add("user:1", foreign_id="post:1", time=time, object="old")
    second = await api.add("user:1", foreign_id="post:1", time=time, object=3)
    assert first["id"] == second["id"]
    results = (await api.read("user:1"))["results"]
    assert [item["object"] for item in results] == ["3"]


async def test_same_content_and_time_without_foreign_id_is_one_activity(api: Api) -> None:
    time = "2020-01-01T00:00:00"
    await api.follow("timeline:1", "user:1")
    await api.follow("timeline:1", "topic:1")
    first = await api.add("user:1", time=time)
    second = await api.add("topic:1", time=time)
    assert first["id"] == second["id"]
    assert ids(await api.read("timeline:1")) == [first["id"]]
    other = await api.add("user:1", time=time, object="other")
    assert other["id"] != first["id"]
    later = await api.add("user:1")
    assert later["id"] != first["id"]


async def test_feed_is_newest_first_by_time(api: Api) -> None:
    newest = await api.add("user:1", time="2021-01-03T00:00:00")
    oldest = await api.add("user:1", time="2021-01-01T00:00:00")
    middle = await api.add("user:1", time="2021-01-02T00:00:00", foreign_id="m")
    assert ids(await api.read("user:1")) == [newest["id"], middle["id"], oldest["id"]]


async def _five(api: Api) -> list[str]:
    added = [await api.add("user:1", time=f"2021-01-0{day}T00:00:00") for day in range(1, 6)]
    return [item["id"] for item in reversed(added)]


async def test_limit_offset_and_id_bounds(api: Api) -> None:
    newest_first = await _five(api)
    assert ids(await api.read("user:1", limit=2)) == newest_first[:2]
    assert ids(await api.read("user:1", limit=2, offset=3)) == newest_first[3:]
    assert ids(await api.read("user:1", id_lt=newest_first[1])) == newest_first[2:]
    assert ids(await api.read("user:1", id_lte=newest_first[1])) == newest_first[1:]
    assert ids(await api.read("user:1", id_gt=newest_first[3])) == newest_first[:3]
    assert ids(await api.read("user:1", id_gte=newest_first[3])) == newest_first[:4]
    window = await api.read("user:1", id_gt=newest_first[4], id_lt=newest_first[0], limit=2)
    assert ids(window) == newest_first[1:3]
    one = newest_first[2]
    assert ids(await api.read("user:1", id_gte=one, id_lte=one, limit=1)) == [one]
    assert ids(await api.read("user:1", limit="", offset="")) == newest_first


async def test_next_link_pages_through_the_feed(api: Api) -> None:
    newest_first = await _five(api)
    page = await api.read("user:1", limit=2, ranking="popular", withOwnReactions="true")
    assert ids(page) == newest_first[:2]
    link = urlsplit(page["next"])
    assert link.scheme == link.netloc == ""
    assert link.path == "/api/v1.0/feed/user/1/"
    query = parse_qs(link.query)
    assert query["api_key"] == ["emulator-key"]
    assert query["id_lt"] == [newest_first[1]]
    assert query["limit"] == ["2"]
    assert query["ranking"] == ["popular"]
    assert query["withOwnReactions"] == ["true"]
    second = await api.read("user:1", **{k: v[0] for k, v in query.items() if k != "api_key"})
    assert ids(second) == newest_first[2:4]
    third = await api.read("user:1", limit=2, id_lt=newest_first[3])
    assert ids(third) == newest_first[4:]
    assert third["next"] == ""


async def test_enriched_read_serves_the_same_data_and_links(api: Api) -> None:
    await _five(api)
    plain = await api.read("user:1", limit=2)
    enriched = await api.get(
        "enrich/feed/user/1/", limit=2, withRecentReactions="True", with_own_reactions="1"
    )
    empty: dict[str, Any] = {
        "latest_reactions": {},
        "latest_reactions_extra": {},
        "own_reactions": {},
    }
    assert enriched["results"] == [{**activity, **empty} for activity in plain["results"]]
    assert urlsplit(enriched["next"]).path == "/api/v1.0/enrich/feed/user/1/"


async def test_limit_is_clamped_at_100_and_defaults_to_25(api: Api) -> None:
    activities = [{"actor": "a", "verb": "v", "object": f"o{i}"} for i in range(100)]
    await api.post("feed/user/1/", {"activities": activities})
    await api.post("feed/user/1/", {"activities": activities[:10]}, status=201)
    assert len((await api.read("user:1"))["results"]) == 25
    assert len((await api.read("user:1", limit=500))["results"]) == 100
    assert len((await api.read("user:1", limit=101))["results"]) == 100
    assert len((await api.read("user:1", limit=99))["results"]) == 99
    assert len((await api.read("user:1", limit=26))["results"]) == 26
    assert (await api.read("user:1", limit=0)) == {"results": [], "next": ""}


async def test_activities_of_one_time_are_never_skipped_or_repeated_across_pages(
    api: Api,
) -> None:
    same = "2021-06-01T12:00:00.000000"
    activities = [{"actor": "a", "verb": "v", "object": f"o{i}", "time": same} for i in range(30)]
    await api.post("feed/user/1/", {"activities": activities})
    seen: list[str] = []
    page = await api.read("user:1", limit=7)
    while True:
        seen += ids(page)
        if not page["next"]:
            break
        query = parse_qs(urlsplit(page["next"]).query)
        page = await api.read("user:1", limit=7, id_lt=query["id_lt"][0])
    assert len(seen) == 30
    assert len(set(seen)) == 30
    assert [item["object"] for item in (await api.read("user:1", limit=30))["results"]] == [
        f"o{i}" for i in reversed(range(30))
    ]


@pytest.mark.parametrize(
    "params",
    [
        {"limit": "-1"},
        {"limit": "ten"},
        {"offset": "-3"},
        {"offset": str(2**31)},
        {"offset": "9" * 30},
        {"id_lt": "nope"},
    ],
)
async def test_bad_paging_parameters_are_400(api: Api, params: dict[str, str]) -> None:
    error(await api.request("GET", "feed/user/1/", params=params), 400, 4)


async def test_unknown_query_parameters_are_ignored(api: Api) -> None:
    ok(await api.request("GET", "feed/user/1/", params={"location": "unspecified", "x": "1"}))


async def test_remove_by_id_and_by_foreign_id(api: Api) -> None:
    kept = await api.add("user:1")
    by_id = await api.add("user:1", object="2")
    await api.add("user:1", object="3", foreign_id="tweet:1")
    await api.add("user:1", object="4", foreign_id="tweet:1", time="2020-01-01T00:00:00")
    assert await api.delete(f"feed/user/1/{by_id['id']}/") == {"removed": by_id["id"]}
    assert await api.delete("feed/user/1/tweet:1/", foreign_id="1") == {"removed": "tweet:1"}
    assert ids(await api.read("user:1")) == [kept["id"]]


async def test_remove_of_absent_activity_succeeds_silently(api: Api) -> None:
    assert await api.delete("feed/user/9/whatever/") == {"removed": "whatever"}
    assert await api.delete("feed/user/9/tweet:9/", foreign_id="True") == {"removed": "tweet:9"}
    await api.add("user:9")
    assert await api.delete("feed/user/9/tweet:9/", foreign_id="true") == {"removed": "tweet:9"}


async def test_remove_with_a_delete_body_and_no_body(api: Api) -> None:
    added = await api.add("user:1")
    response = await api.request("DELETE", f"feed/user/1/{added['id']}/")
    assert ok(response) == {"removed": added["id"]}


async def test_removed_activity_is_forgotten_once_no_feed_holds_it(
    api: Api, emulator: Emulator
) -> None:
    time = "2020-01-01T00:00:00"
    first = await api.add("user:1", time=time)
    await api.delete(f"feed/user/1/{first['id']}/")
    assert emulator.store.activity_ids() == []
    again = await api.add("user:1", time=time)
    assert again["id"] != first["id"]


@pytest.mark.parametrize(
    "moment",
    [
        "0001-01-01T00:00:00",
        "1500-06-01T00:00:00",
        "1582-10-14T23:59:59.999999",
        "5236-03-31T21:21:00.684698",
        "9999-12-31T23:59:59.999999",
    ],
)
async def test_times_an_id_cannot_order_are_400(api: Api, moment: str) -> None:
    response = await api.request(
        "POST", "feed/user/1/", json={"actor": "a", "verb": "v", "object": "o", "time": moment}
    )
    body = error(response, 400, 4)
    assert body["exception_fields"] == {
        "time": ["Must be between 1582-10-15T00:00:00.000000 and 5236-03-31T21:21:00.684697."]
    }
    assert (await api.read("user:1"))["results"] == []


@pytest.mark.parametrize(
    "moment",
    ["1582-10-15T00:00:00.000000", "1999-12-31T23:59:59.999999", "5236-03-31T21:21:00.684697"],
)
async def test_times_at_the_ends_of_the_range_round_trip_in_order(api: Api, moment: str) -> None:
    added = await api.add("user:1", time=moment)
    newer = await api.add("user:1", time="2000-01-01T00:00:00")
    assert added["time"] == moment
    expected = [newer["id"], added["id"]] if moment < "2000" else [added["id"], newer["id"]]
    assert ids(await api.read("user:1")) == expected


async def test_a_bound_the_feed_does_not_hold_stands_for_its_time(api: Api) -> None:
    old = await api.add("user:1", time="2020-01-01T00:00:00")
    new = await api.add("user:1", time="2022-01-01T00:00:00")
    elsewhere = await api.add("user:2", time="2021-01-01T00:00:00")
    assert ids(await api.read("user:1", id_lt=elsewhere["id"])) == [old["id"]]
    assert ids(await api.read("user:1", id_gt=elsewhere["id"])) == [new["id"]]
    # an id of no stored activity stands for its own time (a version-1 UUID of late 2020)
    unknown = str(uuid.UUID(fields=(0x53_000000, 0x4B7E, 0x11EB, 0x80, 0x80, 0x1)))
    assert ids(await api.read("user:1", id_lte=unknown)) == [old["id"]]
