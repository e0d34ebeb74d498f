"""What ``client.reactions`` refuses to send, and per-call timeouts. What it sends is
pinned over a socket in tests/contract/."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import jwt
import pytest
import respx

from stream_async import AsyncStreamClient, StreamValidationError
from tests.conftest import API_KEY, API_SECRET, BASE_URL
from tests.support.payloads import ACTIVITY_ID, REACTION, REACTION_ID

pytestmark = pytest.mark.anyio

STORED = REACTION


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


async def test_client_side_still_checks_a_given_user_id(
    user_client: AsyncStreamClient, router: respx.Router
) -> None:
    with pytest.raises(StreamValidationError) as info:
        await user_client.reactions.add("like", ACTIVITY_ID, "")
    assert info.value.field == "user_id"
    assert router.calls.call_count == 0


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


async def test_iterate_of_no_items_sends_nothing(
    client: AsyncStreamClient, router: respx.Router
) -> None:
    assert [r async for r in client.reactions.iterate(activity_id="a", max_items=0)] == []
    assert router.calls.call_count == 0
