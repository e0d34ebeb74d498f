"""What ``client.reactions`` puts on the wire, what it refuses to send, and how it pages."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import datetime, timezone
from typing import Any

import httpx
import jwt
import pytest
import respx

from stream_async import AsyncStreamClient, StreamValidationError
from stream_async.models import EmptyResponse, Reaction, ReactionPage, ReactionResponse
from tests.conftest import API_KEY, API_SECRET, BASE_URL, claims

pytestmark = pytest.mark.anyio

ACTIVITY_ID = "ce918867-0520-11e9-a11e-0a286b200b2e"
REACTION_ID = "50539e71-d6bf-422d-ad21-c8717df0c325"
STORED: dict[str, Any] = {
    "created_at": "2018-12-27T13:02:03.013191Z",
    "updated_at": "2018-12-27T13:02:04.013191Z",
    "id": REACTION_ID,
    "user_id": "eric",
    "user": {"id": "eric", "created_at": "2018-12-01T00:00:00Z", "updated_at": "2018-12-01Z"},
    "kind": "comment",
    "activity_id": ACTIVITY_ID,
    "data": {"text": "Hello!"},
    "parent": "",
    "latest_children": {},
    "children_counts": {},
}
WRITE = {"resource": "reactions", "action": "write", "feed_id": "*"}


def body(request: httpx.Request) -> Any:
    return json.loads(request.content)


def reaction(reaction_id: str, **extra: Any) -> dict[str, Any]:
    return {**STORED, "id": reaction_id, **extra}


@pytest.fixture
async def user_client(router: respx.Router) -> AsyncIterator[AsyncStreamClient]:
    """A client-side client (user token for ``eric``) answered by ``router``."""
    http = httpx.AsyncClient(transport=httpx.MockTransport(router.async_handler))
    token = jwt.encode({"user_id": "eric"}, API_SECRET, algorithm="HS256")
    async with AsyncStreamClient(
        api_key=API_KEY, token=token, base_url=BASE_URL, http_client=http
    ) as c:
        yield c
    await http.aclose()


async def test_add_wire_shape(client: AsyncStreamClient, router: respx.Router) -> None:
    child = reaction("c-1", kind="like", parent=REACTION_ID, data={})
    route = router.post("reaction/").respond(
        201,
        json={
            **STORED,
            "latest_children": {"like": [child]},
            "children_counts": {"like": 1},
            "target_feeds": ["timeline:bob"],
            "duration": "6.58ms",
        },
    )
    result = await client.reactions.add(
        "comment",
        ACTIVITY_ID,
        "eric",
        data={"text": "Hello!"},
        target_feeds=["timeline:bob"],
        target_feeds_extra_data={"mood": "happy"},
        id=REACTION_ID,
    )

    request = route.calls.last.request
    assert request.method == "POST"
    assert request.url.path == "/api/v1.0/reaction/"
    assert dict(request.url.params) == {"api_key": API_KEY}
    assert request.headers["Content-Type"] == "application/json"
    assert claims(request) == WRITE
    assert body(request) == {
        "kind": "comment",
        "activity_id": ACTIVITY_ID,
        "user_id": "eric",
        "data": {"text": "Hello!"},
        "target_feeds": ["timeline:bob"],
        "target_feeds_extra_data": {"mood": "happy"},
        "id": REACTION_ID,
    }
    assert isinstance(result, ReactionResponse)
    assert result.id == REACTION_ID
    assert result.created_at == datetime(2018, 12, 27, 13, 2, 3, 13191, tzinfo=timezone.utc)
    assert result.updated_at.tzinfo is timezone.utc
    assert result.user == STORED["user"]
    assert result.data == {"text": "Hello!"}
    assert result.parent == ""
    assert result.deleted_at is None
    assert result.target_feeds == ["timeline:bob"]
    assert result.children_counts == {"like": 1}
    (first,) = result.latest_children["like"]
    assert isinstance(first, Reaction)
    assert (first.id, first.parent, first.kind) == ("c-1", REACTION_ID, "like")
    assert result.duration == "6.58ms"


async def test_add_sends_only_what_is_given(
    client: AsyncStreamClient, router: respx.Router
) -> None:
    route = router.post("reaction/").respond(201, json=STORED)
    await client.reactions.add("like", ACTIVITY_ID, "eric")
    assert body(route.calls.last.request) == {
        "kind": "like",
        "activity_id": ACTIVITY_ID,
        "user_id": "eric",
    }


async def test_add_child_sends_parent_not_activity(
    client: AsyncStreamClient, router: respx.Router
) -> None:
    route = router.post("reaction/").respond(
        201, json=reaction("c-2", kind="reply", parent=REACTION_ID)
    )
    result = await client.reactions.add_child(
        "reply", REACTION_ID, "bob", data={"text": "hi"}, id="c-2"
    )
    request = route.calls.last.request
    assert body(request) == {
        "kind": "reply",
        "parent": REACTION_ID,
        "user_id": "bob",
        "data": {"text": "hi"},
        "id": "c-2",
    }
    assert claims(request) == WRITE
    assert result.parent == REACTION_ID


async def test_get_wire_shape(client: AsyncStreamClient, router: respx.Router) -> None:
    route = router.get(f"reaction/{REACTION_ID}/").respond(
        200, json={**STORED, "deleted_at": "2018-12-28T10:00:00.5Z", "duration": "1ms"}
    )
    result = await client.reactions.get(REACTION_ID)
    request = route.calls.last.request
    assert request.method == "GET"
    assert request.content == b""
    assert dict(request.url.params) == {"api_key": API_KEY}
    assert claims(request) == {"resource": "reactions", "action": "read", "feed_id": "*"}
    assert result.deleted_at == datetime(2018, 12, 28, 10, 0, 0, 500000, tzinfo=timezone.utc)


async def test_ids_are_percent_encoded(client: AsyncStreamClient, router: respx.Router) -> None:
    route = router.get(url__regex=r".*").respond(200, json=STORED)
    await client.reactions.get("a/../b")
    assert route.calls.last.request.url.raw_path.startswith(b"/api/v1.0/reaction/a%2F..%2Fb/?")


async def test_update_wire_shape(client: AsyncStreamClient, router: respx.Router) -> None:
    route = router.put(f"reaction/{REACTION_ID}/").respond(201, json=STORED)
    result = await client.reactions.update(
        REACTION_ID,
        data={"text": "edited"},
        target_feeds=["user:jimmy"],
        target_feeds_extra_data={"a": 1},
    )
    request = route.calls.last.request
    assert request.method == "PUT"
    assert claims(request) == WRITE
    assert body(request) == {
        "data": {"text": "edited"},
        "target_feeds": ["user:jimmy"],
        "target_feeds_extra_data": {"a": 1},
    }
    assert isinstance(result, ReactionResponse)


async def test_update_sends_only_what_is_given(
    client: AsyncStreamClient, router: respx.Router
) -> None:
    route = router.put(f"reaction/{REACTION_ID}/").respond(201, json=STORED)
    await client.reactions.update(REACTION_ID, target_feeds=[])
    assert body(route.calls.last.request) == {"target_feeds": []}


async def test_delete_wire_shape(client: AsyncStreamClient, router: respx.Router) -> None:
    route = router.delete(f"reaction/{REACTION_ID}/").respond(200, json={"duration": "2ms"})
    result = await client.reactions.delete(REACTION_ID)
    request = route.calls.last.request
    assert request.method == "DELETE"
    assert dict(request.url.params) == {"api_key": API_KEY}
    assert request.content == b""
    assert claims(request) == {"resource": "reactions", "action": "delete", "feed_id": "*"}
    assert isinstance(result, EmptyResponse)
    assert result.duration == "2ms"


async def test_soft_delete_and_restore(client: AsyncStreamClient, router: respx.Router) -> None:
    deleted = router.delete(f"reaction/{REACTION_ID}/").respond(200, json={"duration": "1ms"})
    restored = router.put(f"reaction/{REACTION_ID}/restore/").respond(200, json={"duration": "1ms"})

    await client.reactions.delete(REACTION_ID, soft=True)
    result = await client.reactions.restore(REACTION_ID)

    assert dict(deleted.calls.last.request.url.params) == {"api_key": API_KEY, "soft": "true"}
    request = restored.calls.last.request
    assert request.method == "PUT"
    assert request.url.path == f"/api/v1.0/reaction/{REACTION_ID}/restore/"
    assert claims(request) == WRITE
    assert isinstance(result, EmptyResponse)
    assert result.duration == "1ms"


async def test_filter_by_activity_wire_shape(
    client: AsyncStreamClient, router: respx.Router
) -> None:
    activity = {
        "id": ACTIVITY_ID,
        "actor": "eric",
        "verb": "post",
        "object": "picture:1",
        "time": "2018-12-21T09:45:42.348570",
        "reaction_counts": {"like": 2},
        "mood": "sunny",
    }
    route = router.get(f"reaction/activity_id/{ACTIVITY_ID}/like/").respond(
        200,
        json={
            "results": [reaction("r-2"), reaction("r-1")],
            "next": "/api/v1.0/reaction/activity_id/x/like/?id_lt=r-1&limit=2",
            "activity": activity,
            "duration": "3.5ms",
        },
    )
    page = await client.reactions.filter(
        activity_id=ACTIVITY_ID,
        kind="like",
        limit=2,
        id_lt="r-3",
        with_activity_data=True,
        with_own_children=True,
        children_user_id="eric",
    )

    request = route.calls.last.request
    assert request.method == "GET"
    assert list(request.url.params.multi_items()) == [
        ("api_key", API_KEY),
        ("limit", "2"),
        ("id_lt", "r-3"),
        ("with_own_children", "true"),
        ("children_user_id", "eric"),
        ("with_activity_data", "true"),
    ]
    assert claims(request) == {"resource": "reactions", "action": "read", "feed_id": "*"}
    assert isinstance(page, ReactionPage)
    assert [r.id for r in page.results] == ["r-2", "r-1"]
    assert page.has_next
    assert page.activity is not None
    assert page.activity.id == ACTIVITY_ID
    assert page.activity.time == datetime(2018, 12, 21, 9, 45, 42, 348570, tzinfo=timezone.utc)
    assert page.activity.reaction_counts == {"like": 2}
    assert page.activity.custom == {"mood": "sunny"}


@pytest.mark.parametrize(
    ("lookup", "bound"),
    [("user_id", "id_lte"), ("reaction_id", "id_gt"), ("activity_id", "id_gte")],
)
async def test_filter_lookups_and_bounds(
    client: AsyncStreamClient, router: respx.Router, lookup: str, bound: str
) -> None:
    route = router.get(f"reaction/{lookup}/v-1/").respond(200, json={"results": [], "next": ""})
    arguments: dict[str, Any] = {lookup: "v-1", bound: "r-9"}
    page = await client.reactions.filter(**arguments)
    assert dict(route.calls.last.request.url.params) == {"api_key": API_KEY, bound: "r-9"}
    assert page.results == []
    assert not page.has_next
    assert page.activity is None


LONG = "x" * 256


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({}, "activity_id"),
        ({"activity_id": "a", "user_id": "u"}, "activity_id"),
        ({"activity_id": ""}, "activity_id"),
        ({"user_id": LONG}, "user_id"),
        ({"reaction_id": 5}, "reaction_id"),
        ({"activity_id": "a", "kind": ""}, "kind"),
        ({"activity_id": "a", "kind": LONG}, "kind"),
        ({"activity_id": "a", "limit": 0}, "limit"),
        ({"activity_id": "a", "limit": 26}, "limit"),
        ({"activity_id": "a", "limit": True}, "limit"),
        ({"activity_id": "a", "id_lt": "1", "id_gt": "2"}, "id_lt/id_gt"),
        ({"activity_id": "a", "id_lt": "1", "id_lte": "2"}, "id_lt/id_lte"),
        ({"activity_id": "a", "id_gte": ""}, "id_gte"),
        ({"activity_id": "a", "with_own_children": "yes"}, "with_own_children"),
        ({"activity_id": "a", "children_user_id": ""}, "children_user_id"),
        ({"activity_id": "a", "with_activity_data": 1}, "with_activity_data"),
    ],
)
async def test_bad_filters_raise_before_sending(
    client: AsyncStreamClient, router: respx.Router, kwargs: dict[str, Any], field: str
) -> None:
    with pytest.raises(StreamValidationError) as info:
        await client.reactions.filter(**kwargs)
    assert info.value.field == field
    assert router.calls.call_count == 0


@pytest.mark.parametrize(
    ("args", "kwargs", "field"),
    [
        (("", ACTIVITY_ID, "eric"), {}, "kind"),
        ((LONG, ACTIVITY_ID, "eric"), {}, "kind"),
        ((None, ACTIVITY_ID, "eric"), {}, "kind"),
        (("like", "", "eric"), {}, "activity_id"),
        (("like", ACTIVITY_ID), {}, "user_id"),
        (("like", ACTIVITY_ID, ""), {}, "user_id"),
        (("like", ACTIVITY_ID, LONG), {}, "user_id"),
        (("like", ACTIVITY_ID, "eric"), {"data": "text"}, "data"),
        (("like", ACTIVITY_ID, "eric"), {"data": [1]}, "data"),
        (("like", ACTIVITY_ID, "eric"), {"target_feeds": "timeline:bob"}, "target_feeds"),
        (("like", ACTIVITY_ID, "eric"), {"target_feeds": ["timeline"]}, "target_feeds"),
        (("like", ACTIVITY_ID, "eric"), {"target_feeds_extra_data": 1}, "target_feeds_extra_data"),
        (("like", ACTIVITY_ID, "eric"), {"id": ""}, "id"),
        (("like", ACTIVITY_ID, "eric"), {"id": LONG}, "id"),
    ],
)
async def test_bad_adds_raise_before_sending(
    client: AsyncStreamClient,
    router: respx.Router,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    field: str,
) -> None:
    with pytest.raises(StreamValidationError) as info:
        await client.reactions.add(*args, **kwargs)
    assert info.value.field == field
    assert router.calls.call_count == 0


async def test_bad_ids_raise_before_sending(
    client: AsyncStreamClient, router: respx.Router
) -> None:
    reactions = client.reactions
    for call in (
        reactions.get(""),
        reactions.update(LONG, data={}),
        reactions.update("r", data="x"),  # type: ignore[arg-type]
        reactions.delete(""),
        reactions.delete("r", soft="yes"),  # type: ignore[arg-type]
        reactions.restore(None),  # type: ignore[arg-type]
        reactions.add_child("like", "", "eric"),
    ):
        with pytest.raises(StreamValidationError):
            await call
    assert router.calls.call_count == 0


async def test_client_side_leaves_user_id_out(
    user_client: AsyncStreamClient, router: respx.Router
) -> None:
    route = router.post("reaction/").respond(201, json=STORED)
    await user_client.reactions.add("like", ACTIVITY_ID)
    await user_client.reactions.add("like", ACTIVITY_ID, "eric", data={"a": 1})
    await user_client.reactions.add_child("like", REACTION_ID)

    first, second, third = (call.request for call in route.calls)
    assert body(first) == {"kind": "like", "activity_id": ACTIVITY_ID}
    assert body(second) == {"kind": "like", "activity_id": ACTIVITY_ID, "data": {"a": 1}}
    assert body(third) == {"kind": "like", "parent": REACTION_ID}
    assert claims(first) == {"user_id": "eric"}


async def test_client_side_still_checks_a_given_user_id(
    user_client: AsyncStreamClient, router: respx.Router
) -> None:
    with pytest.raises(StreamValidationError) as info:
        await user_client.reactions.add("like", ACTIVITY_ID, "")
    assert info.value.field == "user_id"
    assert router.calls.call_count == 0


def pages(*chunks: list[str]) -> list[httpx.Response]:
    """Responses for consecutive filter pages; each links to the next with ``id_lt`` (a
    relative link carrying the server's own ``api_key``, as the API sends it)."""
    responses = []
    for number, ids in enumerate(chunks):
        last = number == len(chunks) - 1
        link = (
            ""
            if last
            else f"/api/v1.0/reaction/activity_id/{ACTIVITY_ID}/like/"
            f"?api_key=server-key&id_lt={ids[-1]}&limit=2&withOwnChildren=false"
        )
        responses.append(
            httpx.Response(
                200,
                json={"results": [reaction(i, kind="like") for i in ids], "next": link},
            )
        )
    return responses


async def test_iterate_follows_next_links(client: AsyncStreamClient, router: respx.Router) -> None:
    route = router.get(f"reaction/activity_id/{ACTIVITY_ID}/like/").mock(
        side_effect=pages(["r6", "r5"], ["r4", "r3"], ["r2"])
    )
    seen = [
        r.id async for r in client.reactions.iterate(activity_id=ACTIVITY_ID, kind="like", limit=2)
    ]

    assert seen == ["r6", "r5", "r4", "r3", "r2"]
    queries = [list(call.request.url.params.multi_items()) for call in route.calls]
    assert queries == [
        [("api_key", API_KEY), ("limit", "2")],
        [("api_key", API_KEY), ("id_lt", "r5"), ("limit", "2"), ("withOwnChildren", "false")],
        [("api_key", API_KEY), ("id_lt", "r3"), ("limit", "2"), ("withOwnChildren", "false")],
    ]
    assert all(call.request.url.host == "stream.test" for call in route.calls)
    assert all(claims(call.request)["action"] == "read" for call in route.calls)


async def test_iterate_stops_at_max_items_without_fetching_more(
    client: AsyncStreamClient, router: respx.Router
) -> None:
    route = router.get(f"reaction/activity_id/{ACTIVITY_ID}/like/").mock(
        side_effect=pages(["r6", "r5"], ["r4", "r3"], ["r2"])
    )
    iterator = client.reactions.iterate(activity_id=ACTIVITY_ID, kind="like", max_items=3)
    seen = [r.id async for r in iterator]
    assert seen == ["r6", "r5", "r4"]
    assert route.call_count == 2

    assert [r async for r in client.reactions.iterate(activity_id="a", max_items=0)] == []
    assert route.call_count == 2


async def test_iterate_follows_an_absolute_link_on_the_configured_host(
    client: AsyncStreamClient, router: respx.Router
) -> None:
    route = router.get("reaction/user_id/eric/").mock(
        side_effect=[
            httpx.Response(
                200,
                json={
                    "results": [reaction("r2")],
                    "next": "https://elsewhere.example/api/v1.0/reaction/user_id/eric/?id_lt=r2",
                },
            ),
            httpx.Response(200, json={"results": [], "next": "/api/v1.0/x/?id_lt=r0"}),
        ]
    )
    seen = [r.id async for r in client.reactions.iterate(user_id="eric")]
    assert seen == ["r2"]
    assert route.call_count == 2
    assert str(route.calls.last.request.url) == (
        f"{BASE_URL}/api/v1.0/reaction/user_id/eric/?api_key={API_KEY}&id_lt=r2"
    )


async def test_iterate_checks_arguments_when_called(
    client: AsyncStreamClient, router: respx.Router
) -> None:
    with pytest.raises(StreamValidationError) as info:
        client.reactions.iterate(activity_id="a", limit=50)
    assert info.value.field == "limit"
    with pytest.raises(StreamValidationError) as info:
        client.reactions.iterate(activity_id="a", max_items=-1)
    assert info.value.field == "max_items"
    with pytest.raises(StreamValidationError):
        client.reactions.iterate()
    assert router.calls.call_count == 0


async def test_namespace_follows_with_options(
    client: AsyncStreamClient, router: respx.Router
) -> None:
    route = router.get(f"reaction/{REACTION_ID}/").respond(200, json=STORED)
    assert client.reactions is client.reactions
    assert repr(client.reactions) == "Reactions()"
    await client.with_options(timeout=7).reactions.get(REACTION_ID)
    assert route.calls.last.request.extensions["timeout"]["read"] == 7
