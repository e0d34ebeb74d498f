"""``to`` targets, activity_to_targets and add_to_many (§3.9, §6.4)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.emulator.conftest import Api, error, ids

pytestmark = pytest.mark.asyncio

TIME = "2021-06-01T12:00:00"


def origins(page: dict[str, Any]) -> list[tuple[str, str | None]]:
    """``(id, origin)`` of each result."""
    return [(item["id"], item["origin"]) for item in page["results"]]


async def test_to_targets_and_their_followers_receive_the_activity(api: Api) -> None:
    await api.follow("timeline:1", "user:1")
    await api.follow("timeline:2", "topic:1")
    added = await api.add("user:1", to=["topic:1 some-feed-token", "topic:1", "notification:2"])
    assert added["to"] == ["topic:1", "notification:2"]
    assert origins(await api.read("topic:1")) == [(added["id"], None)]
    assert origins(await api.read("timeline:2")) == [(added["id"], "topic:1")]
    assert origins(await api.read("timeline:1")) == [(added["id"], "user:1")]
    assert len((await api.read("notification:2"))["results"]) == 1
    assert (await api.read("topic:1"))["results"][0]["to"] == ["topic:1", "notification:2"]


async def test_removing_from_the_origin_removes_from_targets_and_their_followers(
    api: Api,
) -> None:
    await api.follow("timeline:2", "topic:1")
    added = await api.add("user:1", to=["topic:1"])
    await api.delete(f"feed/user/1/{added['id']}/")
    for feed in ("user:1", "topic:1", "timeline:2"):
        assert (await api.read(feed))["results"] == []


async def test_empty_to_is_not_stored(api: Api) -> None:
    added = await api.add("user:1", to=[])
    assert "to" not in added


@pytest.mark.parametrize(
    ("to", "code"),
    [("topic:1", 4), ([1], 4), (["topic1"], 4), (["nope:1"], 6)],
)
async def test_invalid_to_is_400(api: Api, to: Any, code: int) -> None:
    activity = {"actor": "a", "verb": "v", "object": "o", "to": to}
    error(await api.request("POST", "feed/user/1/", json=activity), 400, code)
    assert (await api.read("user:1"))["results"] == []


async def test_add_to_many_adds_to_listed_feeds_without_fan_out(api: Api) -> None:
    await api.follow("timeline:1", "user:1")
    activity = {"actor": "a", "verb": "v", "object": "o", "time": TIME}
    assert (
        await api.post("feed/add_to_many/", {"activity": activity, "feeds": ["user:1", "user:2"]})
        == {}
    )
    one, two = await api.read("user:1"), await api.read("user:2")
    assert ids(one) == ids(two)
    assert origins(one)[0][1] is None
    assert (await api.read("timeline:1"))["results"] == []


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (
            {
                "activity": {"actor": "a", "verb": "v", "object": "o", "to": ["user:3"]},
                "feeds": ["user:1"],
            },
            4,
        ),
        ({"activity": {"actor": "a", "verb": "v", "object": "o"}, "feeds": "user:1"}, 4),
        (
            {"activity": {"actor": "a", "verb": "v", "object": "o"}, "feeds": ["user:1", "nope:1"]},
            6,
        ),
        ({"activity": "not an object", "feeds": ["user:1"]}, 4),
        ({"activity": {"verb": "v", "object": "o"}, "feeds": ["user:1"]}, 4),
    ],
)
async def test_add_to_many_errors(api: Api, body: Any, code: int) -> None:
    error(await api.request("POST", "feed/add_to_many/", json=body), 400, code)
    assert (await api.read("user:1"))["results"] == []


async def test_add_to_many_limit_is_5000_feeds(api: Api) -> None:
    activity = {"actor": "a", "verb": "v", "object": "o"}
    feeds = [f"user:{i}" for i in range(5001)]
    error(
        await api.request("POST", "feed/add_to_many/", json={"activity": activity, "feeds": feeds}),
        400,
        4,
    )
    await api.post("feed/add_to_many/", {"activity": activity, "feeds": feeds[:5000]})
    assert len((await api.read("user:4999"))["results"]) == 1


async def _with_targets(api: Api, *targets: str) -> dict[str, Any]:
    return await api.add("user:1", foreign_id="post:1", time=TIME, to=list(targets))


async def test_activity_to_targets_new_targets(api: Api) -> None:
    await api.follow("timeline:5", "topic:2")
    added = await _with_targets(api, "topic:1")
    body = {"foreign_id": "post:1", "time": TIME, "new_targets": ["topic:2", "topic:3"]}
    result = await api.post("feed_targets/user/1/activity_to_targets/", body)
    assert result["added"] == ["topic:2", "topic:3"]
    assert result["removed"] == ["topic:1"]
    assert result["activity"]["id"] == added["id"]
    assert result["activity"]["to"] == ["topic:2", "topic:3"]
    assert result["activity"]["origin"] is None
    assert (await api.read("topic:1"))["results"] == []
    assert ids(await api.read("topic:2")) == [added["id"]]
    assert origins(await api.read("timeline:5")) == [(added["id"], "topic:2")]
    assert (await api.read("user:1"))["results"][0]["to"] == ["topic:2", "topic:3"]


async def test_activity_to_targets_added_and_removed(api: Api) -> None:
    await api.follow("timeline:5", "topic:1")
    await _with_targets(api, "topic:1", "topic:2")
    body = {
        "foreign_id": "post:1",
        "time": TIME,
        "added_targets": ["topic:3", "topic:2"],
        "removed_targets": ["topic:1"],
    }
    result = await api.post("feed_targets/user/1/activity_to_targets/", body)
    assert result["added"] == ["topic:3"]
    assert result["removed"] == ["topic:1"]
    assert result["activity"]["to"] == ["topic:2", "topic:3"]
    assert (await api.read("timeline:5"))["results"] == []
    removed_all = {"foreign_id": "post:1", "time": TIME, "removed_targets": ["topic:2", "topic:3"]}
    result = await api.post("feed_targets/user/1/activity_to_targets/", removed_all)
    assert "to" not in result["activity"]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"time": TIME, "new_targets": ["topic:2"]}, 400, 4),
        ({"foreign_id": "post:1", "new_targets": ["topic:2"]}, 400, 4),
        ({"foreign_id": "post:1", "time": TIME}, 400, 4),
        (
            {"foreign_id": "post:1", "time": TIME, "new_targets": [], "added_targets": ["topic:2"]},
            400,
            4,
        ),
        (
            {
                "foreign_id": "post:1",
                "time": TIME,
                "added_targets": ["topic:2"],
                "removed_targets": ["topic:2"],
            },
            400,
            4,
        ),
        ({"foreign_id": "post:1", "time": TIME, "new_targets": "topic:2"}, 400, 4),
        ({"foreign_id": "post:2", "time": TIME, "new_targets": ["topic:2"]}, 404, 16),
        (
            {"foreign_id": "post:1", "time": "2021-06-02T00:00:00", "new_targets": ["topic:2"]},
            404,
            16,
        ),
    ],
)
async def test_activity_to_targets_errors(
    api: Api, body: dict[str, Any], status: int, code: int
) -> None:
    await _with_targets(api, "topic:1")
    response = await api.request("POST", "feed_targets/user/1/activity_to_targets/", json=body)
    error(response, status, code)
    assert len((await api.read("topic:1"))["results"]) == 1


async def test_activity_to_targets_needs_the_activity_in_this_feed(api: Api) -> None:
    await _with_targets(api, "topic:1")
    body = {"foreign_id": "post:1", "time": TIME, "new_targets": ["topic:2"]}
    response = await api.request("POST", "feed_targets/user/2/activity_to_targets/", json=body)
    error(response, 404, 16)
