"""Batch calls above the API's per-request limits are split into concurrent chunks, and a
partial failure says exactly what was applied."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import respx

from stream_async import AsyncStreamClient, errors

pytestmark = pytest.mark.anyio

ACK = {"duration": "1ms"}
WHEN = "2020-01-01T00:00:00"


def sizes(route: respx.Route, key: str | None = None) -> list[int]:
    bodies = [json.loads(call.request.content) for call in route.calls]
    return sorted(len(body if key is None else body[key]) for body in bodies)


async def test_add_activities_split_by_100_keeps_order(
    client: AsyncStreamClient, router: respx.Router
) -> None:
    def echo(request: httpx.Request) -> httpx.Response:
        sent = json.loads(request.content)["activities"]
        stored = [{**a, "id": f"id-{a['object']}"} for a in sent]
        return httpx.Response(201, json={"activities": stored, "duration": "1ms"})

    route = router.post("feed/user/1/").mock(side_effect=echo)
    items = [{"actor": "a", "verb": "v", "object": str(i)} for i in range(250)]
    result = await client.feed("user", "1").add_activities(items)
    assert sizes(route, "activities") == [50, 100, 100]
    assert [a.id for a in result.activities] == [f"id-{i}" for i in range(250)]
    assert result.raw_response is not None


async def test_add_to_many_split_by_5000(client: AsyncStreamClient, router: respx.Router) -> None:
    route = router.post("feed/add_to_many/").respond(201, json=ACK)
    feeds = [f"timeline:{i}" for i in range(12_001)]
    result = await client.add_to_many({"actor": "a", "verb": "v", "object": "o"}, feeds)
    assert sizes(route, "feeds") == [2001, 5000, 5000]
    sent = [f for call in route.calls for f in json.loads(call.request.content)["feeds"]]
    assert sorted(sent) == sorted(feeds)
    assert result.raw_response is not None


async def test_follow_and_unfollow_many_split_by_2500(
    client: AsyncStreamClient, router: respx.Router
) -> None:
    follow = router.post("follow_many/").respond(201, json=ACK)
    unfollow = router.post("unfollow_many/").respond(201, json=ACK)
    pairs = [(f"timeline:{i}", "user:1") for i in range(5001)]
    await client.follow_many(pairs)
    await client.unfollow_many(pairs)
    assert sizes(follow) == [1, 2500, 2500]
    assert sizes(unfollow) == [1, 2500, 2500]


async def test_updates_and_lookups_split_by_100(
    client: AsyncStreamClient, router: respx.Router
) -> None:
    update = router.post("activities/").respond(201, json=ACK)
    changes = router.post("activity/").respond(201, json={"activities": [], "duration": "1ms"})

    def found(request: httpx.Request) -> httpx.Response:
        ids = request.url.params["ids"].split(",")
        return httpx.Response(
            200,
            json={"results": [{"id": i, "actor": "a", "verb": "v", "object": "o"} for i in ids]},
        )

    lookup = router.get("activities/").mock(side_effect=found)
    items = [
        {"actor": "a", "verb": "v", "object": "o", "foreign_id": f"f:{i}", "time": WHEN}
        for i in range(201)
    ]
    await client.activities.update(items)
    assert sizes(update, "activities") == [1, 100, 100]
    await client.activities.partial_update_many(
        [{"id": str(i), "set": {"a": 1}} for i in range(150)]
    )
    assert sizes(changes, "changes") == [50, 100]
    result = await client.activities.get([str(i) for i in range(230)])
    assert lookup.call_count == 3
    assert [a.id for a in result.results] == [str(i) for i in range(230)]


async def test_foreign_id_lookups_split_by_100(
    client: AsyncStreamClient, router: respx.Router
) -> None:
    route = router.get("activities/").respond(200, json={"results": []})
    pairs = [(f"f:{i}", WHEN) for i in range(101)]
    await client.activities.get(foreign_id_times=pairs)
    counts = sorted(len(c.request.url.params["foreign_ids"].split(",")) for c in route.calls)
    assert counts == [1, 100]
    for call in route.calls:
        params = call.request.url.params
        assert len(params["timestamps"].split(",")) == len(params["foreign_ids"].split(","))


async def test_partial_failure_says_what_was_applied(
    client: AsyncStreamClient, router: respx.Router
) -> None:
    def some_fail(request: httpx.Request) -> httpx.Response:
        feeds = json.loads(request.content)["feeds"]
        if "timeline:7000" in feeds:
            return httpx.Response(400, json={"code": 4, "detail": "bad feed"})
        return httpx.Response(201, json=ACK)

    router.post("feed/add_to_many/").mock(side_effect=some_fail)
    feeds = [f"timeline:{i}" for i in range(12_000)]
    with pytest.raises(errors.BatchError) as info:
        await client.add_to_many({"actor": "a", "verb": "v", "object": "o"}, feeds)
    error = info.value
    assert sorted(error.applied) == sorted(feeds[:5000] + feeds[10_000:])
    [(failed_items, cause)] = error.failed
    assert failed_items == feeds[5000:10_000]
    assert isinstance(cause, errors.InputError)
    assert str(error).startswith("1 of 3 chunks failed: 7000 items applied, 5000 not")
    assert "bad feed" in str(error)


async def test_single_chunk_failure_raises_the_plain_error(
    client: AsyncStreamClient, router: respx.Router
) -> None:
    router.post("follow_many/").respond(400, json={"code": 4, "detail": "no"})
    with pytest.raises(errors.InputError):
        await client.follow_many([("timeline:1", "user:1")])


async def test_retries_of_chunks_are_reported(
    client: AsyncStreamClient, router: respx.Router
) -> None:
    attempts: dict[str, int] = {}

    def flaky(request: httpx.Request) -> httpx.Response:
        first: Any = json.loads(request.content)["activities"][0]["object"]
        attempts[first] = attempts.get(first, 0) + 1
        if first == "100" and attempts[first] == 1:
            return httpx.Response(503)
        sent = json.loads(request.content)["activities"]
        return httpx.Response(201, json={"activities": [{**a, "id": "x"} for a in sent]})

    router.post("feed/user/1/").mock(side_effect=flaky)
    items = [
        {"actor": "a", "verb": "v", "object": str(i), "foreign_id": f"f{i}", "time": WHEN}
        for i in range(150)
    ]
    result = await client.feed("user", "1").add_activities(items)
    assert result.retries_taken == 1
    assert len(result.activities) == 150
