"""Per-call options (``timeout``, ``max_retries``, ``extra_headers``, ``extra_query``) on
the wire, on every sender, for a sample of the methods of every resource; and the options
refused before anything is sent.

The SDK's own headers and ``api_key`` are those of stream-rest-api.txt, "Sending an
authenticated request"; the options follow the anthropic and openai SDKs' names.
"""

from __future__ import annotations

import threading
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from stream_async import AsyncStreamClient, errors
from stream_async.resources.feeds import ReactionOptions
from tests.conftest import API_KEY, API_SECRET
from tests.contract.conftest import Sender
from tests.support.recording import Recorded, RecordingServer, Reply

pytestmark = [pytest.mark.asyncio, pytest.mark.socket]

Call = Callable[..., Awaitable[Any]]
ACTIVITY = {"actor": "a", "verb": "v", "object": "o"}
CDN = "https://cdn.example.com/stream/photo.png?sig=1"

CALLS: dict[str, Callable[[AsyncStreamClient], Call]] = {
    "activities.get": lambda c: lambda **o: c.activities.get(ids=["a-1"], **o),
    "activities.partial_update": lambda c: (
        lambda **o: c.activities.partial_update(id="a-1", set={"x": 1}, **o)
    ),
    "add_to_many": lambda c: lambda **o: c.add_to_many(ACTIVITY, ["user:1"], **o),
    "collections.get": lambda c: lambda **o: c.collections.get("food", "1", **o),
    "collections.select": lambda c: lambda **o: c.collections.select("food", ["1"], **o),
    "files.delete": lambda c: lambda **o: c.files.delete(CDN, **o),
    "images.process": lambda c: lambda **o: c.images.process(CDN, w=10, h=10, **o),
    "follow_many": lambda c: (
        lambda **o: c.follow_many([{"source": "timeline:1", "target": "user:2"}], **o)
    ),
    "follow_stats": lambda c: lambda **o: c.follow_stats("user:1", **o),
    "og": lambda c: lambda **o: c.og("https://example.com/", **o),
    "track_impressions": lambda c: (
        lambda **o: c.track_impressions([{"content_list": ["tweet:1"], "user_data": "alice"}], **o)
    ),
    "personalization.get": lambda c: (
        lambda **o: c.personalization.get("follow_recommendations", user_id="alice", **o)
    ),
    "users.get": lambda c: lambda **o: c.users.get("alice", **o),
    "reactions.add": lambda c: lambda **o: c.reactions.add("like", "a-1", "alice", **o),
    "reactions.update": lambda c: lambda **o: c.reactions.update("r-1", data={"x": 1}, **o),
    "reactions.filter": lambda c: lambda **o: c.reactions.filter(activity_id="a-1", **o),
    "feed.add_activity": lambda c: lambda **o: c.feed("user", "1").add_activity(ACTIVITY, **o),
    "feed.get": lambda c: lambda **o: c.feed("user", "1").get(limit=5, **o),
    "aggregated_feed.get": lambda c: (
        lambda **o: c.aggregated_feed("agg", "1").get(reactions=ReactionOptions(counts=True), **o)
    ),
    "notification_feed.get": lambda c: (
        lambda **o: c.notification_feed("note", "1").get(mark_seen=True, **o)
    ),
    "feed.followers": lambda c: lambda **o: c.feed("user", "1").followers(limit=2, **o),
    "feed.unfollow": lambda c: lambda **o: c.feed("user", "1").unfollow("user:2", **o),
    "audit_logs.query": lambda c: lambda **o: c.audit_logs.query(user_id="alice", **o),
    "moderation.flag_user": lambda c: (
        lambda **o: c.moderation.flag_user("bob", reporter_id="alice", reason="spam", **o)
    ),
}


# One body every sampled call's result model accepts (fields a model does not know are kept
# in its extras); what these tests check is the request.
ANSWER = Reply(
    200,
    {
        "duration": "1ms",
        "results": [],
        "next": "",
        "id": "x-1",
        "collection": "food",
        "foreign_id": "food:1",
        "data": {},
        "activity_id": "a-1",
        "kind": "like",
        "user_id": "alice",
        "url": CDN,
        "created_at": "2020-01-01T00:00:00Z",
        "updated_at": "2020-01-01T00:00:00Z",
        "actor": "a",
        "verb": "v",
        "object": "o",
        "time": "2020-01-01T00:00:00",
        "activities": [],
        "response": {"data": []},
        "audit_logs": [],
    },
)


ANSWERS = {
    "images.process": Reply(200, {"duration": "1ms", "file": CDN}),
    "follow_stats": Reply(
        200,
        {
            "duration": "1ms",
            "results": {
                "followers": {"feed": "user:1", "count": 1},
                "following": {"feed": "user:1", "count": 2},
            },
        },
    ),
}


def sample(server: RecordingServer) -> Recorded:
    (request,) = server.requests
    return request


@pytest.mark.parametrize("name", list(CALLS))
async def test_extra_headers_and_query_go_on_the_wire(
    name: str, sdk: AsyncStreamClient, server: RecordingServer
) -> None:
    answer = ANSWERS.get(name, ANSWER)
    server.script(answer)
    await CALLS[name](sdk)()
    plain = sample(server)
    server.reset()
    server.script(answer)
    await CALLS[name](sdk)(
        extra_headers={"X-Trace": "t-1", "accept": "application/x-test"},
        extra_query={"trace": "1", "tags": ["a", "b"], "skipped": None},
    )
    request = sample(server)
    assert (request.method, request.path, request.body) == (plain.method, plain.path, plain.body)
    assert request.query == [*plain.query, ("trace", "1"), ("tags", "a,b")]
    assert request.headers["x-trace"] == "t-1"
    # A header of the SDK's own is replaced, whatever its case; none is sent twice.
    assert request.headers.getlist("accept") == ["application/x-test"]
    assert request.headers["stream-auth-type"] == "jwt"
    assert request.headers["authorization"] == plain.headers["authorization"]
    assert request.query[0] == ("api_key", API_KEY)


async def test_extra_query_replaces_a_parameter_of_the_call(
    sdk: AsyncStreamClient, server: RecordingServer
) -> None:
    server.script(ANSWER)
    await sdk.feed("user", "1").get(limit=5, extra_query={"limit": 7})
    assert sample(server).query == [("api_key", API_KEY), ("limit", "7")]


async def test_every_chunk_of_a_batch_carries_the_options(
    sdk: AsyncStreamClient, server: RecordingServer
) -> None:
    # "Add to many": at most 5000 feeds a request (client-side-policies.md).
    feeds = [f"user:{i}" for i in range(5001)]
    await sdk.add_to_many(ACTIVITY, feeds, extra_headers={"X-Trace": "t-2"})
    assert [r.headers["x-trace"] for r in server.requests] == ["t-2", "t-2"]


def unavailable(_: Recorded) -> Reply:
    return Reply(503, {"detail": "try again", "code": -1, "duration": "1ms"})


@pytest.mark.parametrize(
    ("name", "max_retries", "sent"),
    [("users.get", 0, 1), ("users.get", 1, 2), ("feed.get", 3, 4), ("reactions.filter", 0, 1)],
)
async def test_max_retries_bounds_the_attempts_of_one_call(
    name: str,
    max_retries: int,
    sent: int,
    sdk: AsyncStreamClient,
    server: RecordingServer,
    retry_waits: list[float],
) -> None:
    server.script(*[unavailable] * 5)
    with pytest.raises(errors.InternalServerError) as info:
        await CALLS[name](sdk)(max_retries=max_retries)
    assert len(server.requests) == sent
    assert info.value.retries_taken == max_retries
    assert len(retry_waits) == max_retries


@pytest.mark.parametrize("name", ["users.get", "collections.get", "og", "feed.get"])
async def test_timeout_bounds_each_attempt_of_one_call(
    name: str, sdk: AsyncStreamClient, server: RecordingServer
) -> None:
    released = threading.Event()

    def held(_: Recorded) -> Reply:
        released.wait(10)  # the client's timeout (3 s) would end the call first
        return ANSWER

    server.script(held)
    try:
        with pytest.raises(errors.APITimeoutError) as info:
            await CALLS[name](sdk)(timeout=0.2, max_retries=0)
    finally:
        released.set()
    assert str(info.value).startswith("request timed out after 0.2s")
    assert len(server.requests) == 1


async def test_options_of_one_call_leave_the_next_alone(
    server: RecordingServer, sender: Sender, retry_waits: list[float]
) -> None:
    async with AsyncStreamClient(
        api_key=API_KEY, api_secret=API_SECRET, base_url=server.base_url, transport=sender
    ) as client:
        server.script(unavailable)
        with pytest.raises(errors.InternalServerError):
            await client.users.get("alice", max_retries=0, extra_headers={"X-Trace": "t"})
        server.reset()
        server.script(unavailable, ANSWER)
        await client.users.get("alice")
    assert len(server.requests) == 2  # the client's own max_retries (2) applies again
    assert "x-trace" not in server.requests[0].headers


SECRET_VALUE = "s3cret-token-value"


@pytest.mark.parametrize(
    ("options", "field", "rule"),
    [
        ({"extra_headers": {"Authorization": SECRET_VALUE}}, "extra_headers", "Authorization"),
        ({"extra_headers": {"authorization": SECRET_VALUE}}, "extra_headers", "authorization"),
        ({"extra_headers": {"STREAM-AUTH-TYPE": "simple"}}, "extra_headers", "STREAM-AUTH-TYPE"),
        ({"extra_headers": {"X-Count": 1}}, "extra_headers", "string values"),
        ({"extra_headers": ["X-A"]}, "extra_headers", "mapping"),
        ({"extra_query": {"api_key": SECRET_VALUE}}, "extra_query", "api_key"),
        ({"extra_query": {"x": {"a": 1}}}, "extra_query.x", "a string, a number"),
        ({"extra_query": "a=1"}, "extra_query", "mapping"),
        ({"timeout": 0}, "timeout", "positive number"),
        ({"timeout": -1.0}, "timeout", "positive number"),
        ({"timeout": float("inf")}, "timeout", "positive number"),
        ({"timeout": True}, "timeout", "positive number"),
        ({"max_retries": -1}, "max_retries", "at least 0"),
        ({"max_retries": True}, "max_retries", "integer"),
    ],
)
@pytest.mark.parametrize(
    "name", ["users.get", "add_to_many", "feed.get", "reactions.filter", "personalization.get"]
)
async def test_bad_options_are_refused_before_sending(
    name: str,
    options: dict[str, Any],
    field: str,
    rule: str,
    sdk: AsyncStreamClient,
    server: RecordingServer,
) -> None:
    with pytest.raises(errors.StreamValidationError) as info:
        await CALLS[name](sdk)(**options)
    assert info.value.field == field
    assert rule in str(info.value)
    assert SECRET_VALUE not in str(info.value)
    assert SECRET_VALUE not in repr(info.value)
    assert server.requests == []
