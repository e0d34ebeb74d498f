"""Follows, fan-out, unfollow, follow lists, batch follows and stats (§3.7, §6.4)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.emulator.conftest import Api, error, ids

pytestmark = pytest.mark.asyncio

COPY_LIMIT_DETAIL = "activity_copy_limit must be a non-negative number not greater than 1000"
Z_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")


async def _history(api: Api, feed: str, count: int) -> list[str]:
    added = [await api.add(feed, time=f"2021-01-{day:02d}T00:00:00") for day in range(1, count + 1)]
    return [item["id"] for item in reversed(added)]


async def test_new_activities_fan_out_to_direct_followers_only(api: Api) -> None:
    await api.follow("timeline:1", "user:1")
    await api.follow("flat:1", "timeline:1")
    added = await api.add("user:1")
    timeline = (await api.read("timeline:1"))["results"]
    assert [(item["id"], item["origin"]) for item in timeline] == [(added["id"], "user:1")]
    assert (await api.read("user:1"))["results"][0]["origin"] is None
    assert (await api.read("flat:1"))["results"] == []


async def test_follow_copies_the_newest_activities_with_origin(api: Api) -> None:
    history = await _history(api, "user:1", 5)
    await api.follow("timeline:1", "user:1", activity_copy_limit=2)
    timeline = (await api.read("timeline:1"))["results"]
    assert [item["id"] for item in timeline] == history[:2]
    assert {item["origin"] for item in timeline} == {"user:1"}


async def _count(api: Api, feed: str) -> int:
    """Every activity of a feed, counted page by page."""
    total, offset = 0, 0
    while page := (await api.read(feed, limit=100, offset=offset))["results"]:
        total, offset = total + len(page), offset + 100
    return total


async def _102_activities(api: Api) -> list[str]:
    """102 activities in ``user:1``; their ids, oldest first."""
    activities = [
        {
            "actor": "a",
            "verb": "v",
            "object": f"o{i}",
            "time": f"2020-01-01T00:{i // 60:02}:{i % 60:02}",
        }
        for i in range(102)
    ]
    added = await api.post("feed/user/1/", {"activities": activities[:100]})
    more = await api.post("feed/user/1/", {"activities": activities[100:]})
    return [item["id"] for item in added["activities"] + more["activities"]]


async def test_follow_copy_limit_defaults_to_100_and_zero_copies_nothing(api: Api) -> None:
    # §7: activity_copy_limit defaults to 100.
    ids = await _102_activities(api)
    await api.follow("timeline:1", "user:1")
    assert await _count(api, "timeline:1") == 100
    newest = (await api.read("timeline:1", limit=100, offset=99))["results"]
    assert [item["id"] for item in newest] == [ids[2]]
    await api.follow("timeline:2", "user:1", activity_copy_limit=0)
    assert (await api.read("timeline:2"))["results"] == []


@pytest.mark.parametrize("limit", [99, 100, 101])
async def test_follow_copies_exactly_the_copy_limit(api: Api, limit: int) -> None:
    await _102_activities(api)
    await api.follow("timeline:1", "user:1", activity_copy_limit=limit)
    assert await _count(api, "timeline:1") == limit


async def test_follow_many_copies_100_by_default(api: Api) -> None:
    await _102_activities(api)
    await api.post("follow_many/", [{"source": "timeline:1", "target": "user:1"}])
    assert await _count(api, "timeline:1") == 100


@pytest.mark.parametrize("limit", [1001, -1, "many", 2.5, True])
async def test_follow_copy_limit_out_of_range_is_400(api: Api, limit: Any) -> None:
    body = {"target": "user:2", "activity_copy_limit": limit}
    response = await api.request("POST", "feed/timeline/1/follows/", json=body)
    assert error(response, 400, 4)["detail"] == COPY_LIMIT_DETAIL


async def test_follow_copy_limit_as_string_and_target_token_are_accepted(api: Api) -> None:
    await _history(api, "user:1", 3)
    await api.follow("timeline:1", "user:1", activity_copy_limit="1", target_token="ignored")
    assert len((await api.read("timeline:1"))["results"]) == 1


@pytest.mark.parametrize(
    ("target", "status", "code"),
    [
        ("aggregated:1", 400, 4),
        ("notification:1", 400, 4),
        ("timeline:1", 400, 4),
        ("nope:1", 400, 6),
        ("user1", 400, 4),
        (None, 400, 4),
    ],
)
async def test_invalid_follow_targets(api: Api, target: Any, status: int, code: int) -> None:
    response = await api.request("POST", "feed/timeline/1/follows/", json={"target": target})
    error(response, status, code)


async def test_aggregated_and_notification_feeds_can_follow(api: Api) -> None:
    await api.follow("aggregated:1", "user:1")
    await api.follow("notification:1", "user:1")
    await api.add("user:1")
    assert len((await api.read("aggregated:1"))["results"]) == 1
    assert len((await api.read("notification:1"))["results"]) == 1


async def test_refollow_has_no_effect(api: Api) -> None:
    await _history(api, "user:1", 3)
    await api.follow("timeline:1", "user:1", activity_copy_limit=1)
    first = (await api.get("feed/timeline/1/follows/"))["results"]
    await api.post("feed/timeline/1/following/", {"target": "user:1", "activity_copy_limit": 3})
    assert len((await api.read("timeline:1"))["results"]) == 1
    assert (await api.get("feed/timeline/1/following/"))["results"] == first


async def test_unfollow_purges_the_targets_activities(api: Api) -> None:
    await api.follow("timeline:1", "user:1")
    await api.follow("timeline:1", "user:2")
    await api.add("user:1")
    kept = await api.add("user:2")
    own = await api.add("timeline:1")
    assert await api.delete("feed/timeline/1/follows/user:1/") == {}
    assert ids(await api.read("timeline:1")) == [own["id"], kept["id"]]
    await api.add("user:1", object="after")
    assert ids(await api.read("timeline:1")) == [own["id"], kept["id"]]


async def test_unfollow_keeps_activities_that_arrived_another_way(api: Api) -> None:
    time = "2020-01-01T00:00:00"
    await api.follow("timeline:1", "user:1")
    await api.follow("timeline:1", "user:2")
    shared = await api.add("user:1", time=time)
    await api.add("user:2", time=time)
    await api.delete("feed/timeline/1/following/user:1/")
    timeline = (await api.read("timeline:1"))["results"]
    assert [(item["id"], item["origin"]) for item in timeline] == [(shared["id"], "user:2")]


async def test_unfollow_keep_history_and_refollow(api: Api) -> None:
    await api.follow("timeline:1", "user:1")
    added = await api.add("user:1")
    await api.delete("feed/timeline/1/follows/user:1/", keep_history="True")
    assert ids(await api.read("timeline:1")) == [added["id"]]
    await api.add("user:1", object="later")
    assert ids(await api.read("timeline:1")) == [added["id"]]
    await api.delete("feed/timeline/2/follows/user:1/", keep_history="1")
    await api.follow("timeline:2", "user:1")
    await api.delete("feed/timeline/2/follows/user:1/")
    assert (await api.read("timeline:2"))["results"] == []
    await api.follow("timeline:2", "user:1")
    assert len((await api.read("timeline:2"))["results"]) == 2


async def test_removal_cascades_to_followers(api: Api) -> None:
    await api.follow("timeline:1", "user:1")
    await api.follow("aggregated:1", "user:1")
    added = await api.add("user:1")
    await api.delete(f"feed/user/1/{added['id']}/")
    assert (await api.read("timeline:1"))["results"] == []
    assert (await api.read("aggregated:1"))["results"] == []


async def test_removal_from_a_follower_feed_stays_local(api: Api) -> None:
    await api.follow("timeline:1", "user:1")
    added = await api.add("user:1")
    await api.delete(f"feed/timeline/1/{added['id']}/")
    assert (await api.read("timeline:1"))["results"] == []
    assert ids(await api.read("user:1")) == [added["id"]]


async def test_mutual_follows_cascade_without_looping(api: Api) -> None:
    await api.follow("user:1", "user:2")
    await api.follow("user:2", "user:1")
    added = await api.add("user:1")
    assert ids(await api.read("user:2")) == [added["id"]]
    await api.delete(f"feed/user/1/{added['id']}/")
    assert (await api.read("user:2"))["results"] == []


async def test_following_and_followers_lists(api: Api) -> None:
    for target in ("user:1", "user:2", "topic:1"):
        await api.follow("timeline:1", target)
    await api.follow("timeline:2", "user:1")
    following = (await api.get("feed/timeline/1/follows/", filter=""))["results"]
    assert [item["target_id"] for item in following] == ["topic:1", "user:2", "user:1"]
    assert {item["feed_id"] for item in following} == {"timeline:1"}
    entry = following[0]
    assert set(entry) == {"feed_id", "target_id", "created_at", "updated_at"}
    assert Z_TIME.fullmatch(entry["created_at"])
    assert entry["created_at"] == entry["updated_at"]
    followers = (await api.get("feed/user/1/followers/"))["results"]
    assert [item["feed_id"] for item in followers] == ["timeline:2", "timeline:1"]
    assert {item["target_id"] for item in followers} == {"user:1"}


async def test_follow_lists_limit_offset_and_filter(api: Api) -> None:
    for target in ("user:1", "user:2", "topic:1"):
        await api.follow("timeline:1", target)
    path = "feed/timeline/1/follows/"
    page = (await api.get(path, limit=1, offset=1))["results"]
    assert [item["target_id"] for item in page] == ["user:2"]
    chosen = await api.get(path, filter="user:1,user:9")
    assert [item["target_id"] for item in chosen["results"]] == ["user:1"]
    repeated = await api.request("GET", path, params=[("filter", "user:1"), ("filter", "topic:1")])
    assert [item["target_id"] for item in repeated.json()["results"]] == ["topic:1", "user:1"]
    assert (await api.get(path, filter="user:9"))["results"] == []
    assert (await api.get("feed/user/1/followers/", filter="timeline:9"))["results"] == []
    assert (await api.get("feed/user/5/followers/"))["results"] == []


async def test_follow_many_and_unfollow_many(api: Api) -> None:
    await _history(api, "user:1", 3)
    await _history(api, "user:2", 3)
    follows = [
        {"source": "timeline:1", "target": "user:1"},
        {"source": "timeline:1", "target": "user:2", "activity_copy_limit": 2},
        {"source": "timeline:2", "target": "user:1"},
    ]
    await api.post("follow_many/", follows, activity_copy_limit="0")
    assert len((await api.read("timeline:1"))["results"]) == 2
    assert (await api.read("timeline:2"))["results"] == []
    assert len((await api.get("feed/user/1/followers/"))["results"]) == 2
    unfollows = [
        {"source": "timeline:1", "target": "user:2"},
        {"source": "timeline:2", "target": "user:1", "keep_history": True},
    ]
    await api.post("unfollow_many/", unfollows)
    assert (await api.read("timeline:1"))["results"] == []
    assert [
        item["target_id"] for item in (await api.get("feed/timeline/1/follows/"))["results"]
    ] == ["user:1"]
    assert (await api.get("feed/timeline/2/follows/"))["results"] == []


async def test_follow_many_default_copy_limit_is_100(api: Api) -> None:
    await _history(api, "user:1", 2)
    await api.post("follow_many/", [{"source": "timeline:1", "target": "user:1"}])
    assert len((await api.read("timeline:1"))["results"]) == 2


@pytest.mark.parametrize(
    ("body", "params", "detail"),
    [
        ([{"source": "timeline:1", "target": "user:1"}], {"activity_copy_limit": "5000"}, None),
        ([{"source": "timeline:1", "target": "user:1", "activity_copy_limit": 1001}], {}, None),
        ([{"source": "timeline:1", "target": 1}], {}, "invalid request payload"),
        (["timeline:1"], {}, "invalid request payload"),
        ({"source": "timeline:1", "target": "user:1"}, {}, None),
        ([{"source": "timeline:1", "target": "aggregated:1"}], {}, None),
        ([{"source": "user:1", "target": "user:1"}], {}, None),
    ],
)
async def test_follow_many_is_validated_whole(
    api: Api, body: Any, params: dict[str, str], detail: str | None
) -> None:
    batch = (
        [{"source": "timeline:9", "target": "user:9"}, *body] if isinstance(body, list) else body
    )
    response = await api.request("POST", "follow_many/", json=batch, params=params)
    result = error(response, 400, 4)
    if params or (isinstance(body, list) and "activity_copy_limit" in body[0]):
        assert result["detail"] == COPY_LIMIT_DETAIL
    if detail is not None:
        assert result["detail"] == detail
    assert (await api.get("feed/timeline/9/follows/"))["results"] == []


async def test_unfollow_many_non_string_target_is_invalid_payload(api: Api) -> None:
    await api.follow("timeline:1", "user:1")
    batch = [{"source": "timeline:1", "target": "user:1"}, {"source": "timeline:1", "target": 5}]
    response = await api.request("POST", "unfollow_many/", json=batch)
    assert error(response, 400, 4)["detail"] == "invalid request payload"
    assert len((await api.get("feed/timeline/1/follows/"))["results"]) == 1


async def test_unfollow_many_bad_keep_history_is_400(api: Api) -> None:
    batch = [{"source": "timeline:1", "target": "user:1", "keep_history": "maybe"}]
    error(await api.request("POST", "unfollow_many/", json=batch), 400, 4)


async def test_oversized_follow_batches_are_400(api: Api) -> None:
    batch = [{"source": f"timeline:{i}", "target": "user:1"} for i in range(2501)]
    error(await api.request("POST", "follow_many/", json=batch), 400, 4)
    error(await api.request("POST", "unfollow_many/", json=batch), 400, 4)
    assert (await api.get("feed/user/1/followers/"))["results"] == []


async def test_follow_stats(api: Api) -> None:
    await api.follow("timeline:1", "user:1")
    await api.follow("timeline:2", "user:1")
    await api.follow("flat:3", "user:1")
    await api.follow("user:1", "topic:1")
    await api.follow("user:1", "user:2")
    stats = await api.get("stats/follow/", followers="user:1", following="user:1")
    assert stats["results"] == {
        "followers": {"feed": "user:1", "count": 3},
        "following": {"feed": "user:1", "count": 2},
    }
    sliced = await api.get(
        "stats/follow/",
        followers="user:1",
        following="user:1",
        followers_slugs="timeline",
        following_slugs="topic,flat",
    )
    assert sliced["results"]["followers"]["count"] == 2
    assert sliced["results"]["following"]["count"] == 1
    only = await api.get("stats/follow/", following="user:7")
    assert only["results"] == {"following": {"feed": "user:7", "count": 0}}


async def test_follow_stats_needs_a_feed(api: Api) -> None:
    error(await api.request("GET", "stats/follow/"), 400, 4)
    error(await api.request("GET", "stats/follow/", params={"followers": "nope:1"}), 400, 6)
