"""client.activities and the batch calls: what they refuse to send (bad input, empty
batches). What they send is pinned over a socket in tests/contract/."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest
import respx

from stream_async import AsyncStreamClient, StreamValidationError

pytestmark = pytest.mark.anyio

GOOD = {"actor": "a", "verb": "v", "object": "o"}
WHEN = datetime(2020, 1, 1, tzinfo=timezone.utc)


async def test_get_nothing_sends_nothing(client: AsyncStreamClient, router: respx.Router) -> None:
    assert (await client.activities.get([])).results == []
    assert (await client.activities.get(foreign_id_times=[])).results == []
    assert router.calls.call_count == 0


@pytest.mark.parametrize(
    ("args", "kwargs", "field"),
    [
        ((), {}, "ids"),
        ((["a"],), {"foreign_id_times": []}, "ids"),
        (("a,b",), {}, "ids"),
        (([""],), {}, "ids"),
        ((), {"foreign_id_times": [("a",)]}, "foreign_id_times[0]"),
        ((), {"foreign_id_times": [("a,b", WHEN)]}, "foreign_id_times[0]"),
        ((), {"foreign_id_times": [("a", 5)]}, "foreign_id_times[0]"),
    ],
)
async def test_bad_get_sends_nothing(
    client: AsyncStreamClient,
    router: respx.Router,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    field: str,
) -> None:
    with pytest.raises(StreamValidationError) as info:
        await client.activities.get(*args, **kwargs)
    assert info.value.field == field
    assert router.calls.call_count == 0


@pytest.mark.parametrize(
    ("items", "field"),
    [
        ([GOOD], "activities[0].foreign_id"),
        ([{**GOOD, "foreign_id": "f"}], "activities[0].time"),
        (GOOD, "activities"),
    ],
)
async def test_bad_update_sends_nothing(
    client: AsyncStreamClient, router: respx.Router, items: Any, field: str
) -> None:
    with pytest.raises(StreamValidationError) as info:
        await client.activities.update(items)
    assert info.value.field == field
    assert router.calls.call_count == 0


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"set": {"a": 1}}, "activity"),
        ({"id": "x", "foreign_id": "f", "time": WHEN, "set": {"a": 1}}, "activity"),
        ({"foreign_id": "f", "set": {"a": 1}}, "activity.time"),
        ({"time": WHEN, "set": {"a": 1}}, "activity.foreign_id"),
        ({"id": "x"}, "activity"),
        ({"id": "x", "set": [("a", 1)]}, "activity.set"),
        ({"id": "x", "unset": "a"}, "activity.unset"),
        ({"id": "x", "set": {f"k{i}": i for i in range(26)}}, "activity.set"),
        ({"id": "x", "unset": [f"k{i}" for i in range(26)]}, "activity.unset"),
        ({"id": "x", "set": {"a": 1}, "unset": ["a"]}, "activity.unset"),
        ({"id": "x", "set": {"a.b": 1}, "unset": ["a"]}, "activity.unset"),
        ({"id": "x", "set": {"a": 1}, "unset": ["a.b"]}, "activity.unset"),
        ({"id": "x", "set": {"": 1}}, "activity.set/unset"),
    ],
)
async def test_bad_partial_update_sends_nothing(
    client: AsyncStreamClient, router: respx.Router, kwargs: dict[str, Any], field: str
) -> None:
    with pytest.raises(StreamValidationError) as info:
        await client.activities.partial_update(**kwargs)
    assert info.value.field == field
    assert router.calls.call_count == 0


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"id": "x"}, "changes"),
        (["x"], "changes[0]"),
        ([{"id": "x", "set": {"a": 1}}, {"id": "y"}], "changes[1]"),
    ],
)
async def test_bad_partial_update_many_sends_nothing(
    client: AsyncStreamClient, router: respx.Router, changes: Any, field: str
) -> None:
    with pytest.raises(StreamValidationError) as info:
        await client.activities.partial_update_many(changes)
    assert info.value.field == field
    assert router.calls.call_count == 0


@pytest.mark.parametrize(
    ("activity", "feeds", "field"),
    [
        ({**GOOD, "to": ["user:2"]}, ["user:1"], "activity.to"),
        (GOOD, "user:1", "feeds"),
        (GOOD, ["user"], "feeds"),
        ({"actor": "a"}, ["user:1"], "activity.verb"),
    ],
)
async def test_bad_add_to_many_sends_nothing(
    client: AsyncStreamClient, router: respx.Router, activity: Any, feeds: Any, field: str
) -> None:
    with pytest.raises(StreamValidationError) as info:
        await client.add_to_many(activity, feeds)
    assert info.value.field == field
    assert router.calls.call_count == 0


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda c: c.follow_many([("timeline:1", "timeline:1")]), "follows[0]"),
        (lambda c: c.follow_many([("timeline:1",)]), "follows[0]"),
        (lambda c: c.follow_many({"source": "a:1"}), "follows"),
        (lambda c: c.follow_many([("a:1", "b")]), "follows[0].target"),
        (lambda c: c.follow_many([{"source": "a", "target": "b:2"}]), "follows[0].source"),
        (
            lambda c: c.follow_many(
                [{"source": "a:1", "target": "b:2", "activity_copy_limit": -1}]
            ),
            "follows[0].activity_copy_limit",
        ),
        (
            lambda c: c.follow_many([("a:1", "b:2")], activity_copy_limit=1001),
            "activity_copy_limit",
        ),
        (
            lambda c: c.unfollow_many([{"source": "a:1", "target": "b:2", "keep_history": "yes"}]),
            "unfollows[0].keep_history",
        ),
    ],
)
async def test_bad_follow_many_sends_nothing(
    client: AsyncStreamClient, router: respx.Router, call: Any, field: str
) -> None:
    with pytest.raises(StreamValidationError) as info:
        await call(client)
    assert info.value.field == field
    assert router.calls.call_count == 0


async def test_empty_batches_send_nothing(client: AsyncStreamClient, router: respx.Router) -> None:
    assert (await client.activities.update([])).raw_response is None
    assert (await client.activities.partial_update_many([])).activities == []
    assert (await client.add_to_many(GOOD, [])).raw_response is None
    assert (await client.follow_many([])).raw_response is None
    assert (await client.unfollow_many([])).raw_response is None
    assert router.calls.call_count == 0


async def test_bad_follow_stats_sends_nothing(
    client: AsyncStreamClient, router: respx.Router
) -> None:
    with pytest.raises(StreamValidationError) as info:
        await client.follow_stats("user:1", followers_slugs=["a b"])
    assert info.value.field == "followers_slugs"
    with pytest.raises(StreamValidationError) as info:
        await client.follow_stats("user1")
    assert info.value.field == "feed_id"
    assert router.calls.call_count == 0
