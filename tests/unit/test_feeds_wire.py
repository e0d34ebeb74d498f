"""What feed calls refuse to send (bad names, activities, arguments). What they send is
pinned over a socket in tests/contract/."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import respx

from stream_async import AsyncStreamClient, StreamValidationError

pytestmark = pytest.mark.anyio


def body(request: httpx.Request) -> Any:
    return json.loads(request.content)


async def test_add_activities_empty_sends_nothing(
    client: AsyncStreamClient, router: respx.Router
) -> None:
    result = await client.feed("user", "1").add_activities([])
    assert result.activities == []
    assert result.raw_response is None
    assert router.calls.call_count == 0


@pytest.mark.parametrize(
    ("slug", "user_id", "field"),
    [
        ("us er", "1", "feed_slug"),
        ("a/../b", "1", "feed_slug"),
        ("", "1", "feed_slug"),
        ("user-x", "1", "feed_slug"),
        ("user", "a/../b", "user_id"),
        ("user", "", "user_id"),
        ("user", "a b", "user_id"),
        ("user", 5, "user_id"),
    ],
)
async def test_bad_feed_names_raise_before_sending(
    client: AsyncStreamClient, router: respx.Router, slug: Any, user_id: Any, field: str
) -> None:
    with pytest.raises(StreamValidationError) as info:
        client.feed(slug, user_id)
    assert info.value.field == field
    assert "\\w" in info.value.rule
    assert router.calls.call_count == 0


@pytest.mark.parametrize(
    ("activity", "field"),
    [
        ({"verb": "v", "object": "o"}, "activity.actor"),
        ({"actor": "a", "object": "o"}, "activity.verb"),
        ({"actor": "a", "verb": "v", "object": ""}, "activity.object"),
        ({"actor": "a", "verb": "v", "object": "o", "to": "user:1"}, "activity.to"),
        ({"actor": "a", "verb": "v", "object": "o", "to": ["user"]}, "activity.to"),
        ({"actor": "a", "verb": "v", "object": "o", "to": ["a:b:c"]}, "activity.to"),
        ({"actor": "a", "verb": "v", "object": "o", "to": ["bad slug:1"]}, "activity.to"),
        ({"actor": "a", "verb": "v", "object": "o", "time": 5}, "activity.time"),
        (["actor"], "activity"),
    ],
)
async def test_bad_activity_raises_before_sending(
    client: AsyncStreamClient, router: respx.Router, activity: Any, field: str
) -> None:
    with pytest.raises(StreamValidationError) as info:
        await client.feed("user", "1").add_activity(activity)
    assert info.value.field == field
    assert router.calls.call_count == 0


async def test_bad_batch_raises_before_sending(
    client: AsyncStreamClient, router: respx.Router
) -> None:
    feed = client.feed("user", "1")
    good = {"actor": "a", "verb": "v", "object": "o"}
    with pytest.raises(StreamValidationError, match=r"activities\[1\]\.actor"):
        await feed.add_activities([good, {"verb": "v", "object": "o"}])
    with pytest.raises(StreamValidationError, match="list of activities"):
        await feed.add_activities(good)  # type: ignore[arg-type]
    assert router.calls.call_count == 0


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"limit": True}, "limit"),
        ({"limit": "5"}, "limit"),
        ({"offset": -1}, "offset"),
        ({"id_lt": ""}, "id_lt"),
        ({"id_gt": 5}, "id_gt"),
    ],
)
async def test_bad_get_arguments_raise_before_sending(
    client: AsyncStreamClient, router: respx.Router, kwargs: dict[str, Any], field: str
) -> None:
    with pytest.raises(StreamValidationError) as info:
        await client.feed("user", "1").get(**kwargs)
    assert info.value.field == field
    assert router.calls.call_count == 0


@pytest.mark.parametrize(
    ("args", "kwargs", "field"),
    [
        ((), {}, "activity_id"),
        (("a",), {"foreign_id": "f"}, "activity_id"),
        (("",), {}, "activity_id"),
        ((), {"foreign_id": ""}, "foreign_id"),
    ],
)
async def test_bad_remove_arguments_raise_before_sending(
    client: AsyncStreamClient,
    router: respx.Router,
    args: tuple[str, ...],
    kwargs: dict[str, Any],
    field: str,
) -> None:
    with pytest.raises(StreamValidationError) as info:
        await client.feed("user", "1").remove_activity(*args, **kwargs)
    assert info.value.field == field
    assert router.calls.call_count == 0


async def test_feed_handle_repr_and_id(client: AsyncStreamClient) -> None:
    feed = client.feed("user", "3f0c-9")
    assert feed.id == "user:3f0c-9"
    assert repr(feed) == "Feed('user:3f0c-9')"
