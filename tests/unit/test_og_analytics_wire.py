"""What ``client.og``, ``client.track_*`` and ``client.personalization`` refuse to send.
What they send is pinned over a socket in tests/contract/."""

from __future__ import annotations

from typing import Any

import pytest
import respx

from stream_async import AsyncStreamClient, StreamValidationError

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("url", ["ftp://ogp.me", "ogp.me", "https://", "", None, "http://a b"])
async def test_og_refuses_a_bad_url(
    client: AsyncStreamClient, router: respx.Router, url: Any
) -> None:
    with pytest.raises(StreamValidationError) as info:
        await client.og(url)
    assert info.value.field == "url"
    assert router.calls.call_count == 0


async def test_empty_tracking_sends_nothing(
    client: AsyncStreamClient, router: respx.Router
) -> None:
    assert (await client.track_engagements([])).raw_response is None
    assert (await client.track_impressions(())).raw_response is None
    assert router.calls.call_count == 0


@pytest.mark.parametrize(
    ("events", "field"),
    [({"label": "click"}, "events"), ("click", "events"), ([{"a": 1}, "b"], "events[1]")],
)
async def test_tracking_refuses_what_is_not_a_list_of_mappings(
    client: AsyncStreamClient, router: respx.Router, events: Any, field: str
) -> None:
    with pytest.raises(StreamValidationError) as info:
        await client.track_engagements(events)
    assert info.value.field == field.replace("events", "engagements")
    with pytest.raises(StreamValidationError) as info:
        await client.track_impressions(events)
    assert info.value.field == field.replace("events", "impressions")
    assert router.calls.call_count == 0


@pytest.mark.parametrize(
    ("resource", "params", "field"),
    [
        ("", {}, "resource"),
        ("a b", {}, "resource"),
        ("a//b", {}, "resource"),
        ("../admin", {}, "resource"),
        (5, {}, "resource"),
        ("ok", {"filter": {"a": 1}}, "params.filter"),
        ("ok", {"ids": [1, 2]}, "params.ids"),
    ],
)
async def test_personalization_refuses_bad_input(
    client: AsyncStreamClient, router: respx.Router, resource: Any, params: Any, field: str
) -> None:
    for call in (
        client.personalization.get(resource, **params),
        client.personalization.delete(resource, **params),
        client.personalization.post(resource, data={"a": 1}, **params),
    ):
        with pytest.raises(StreamValidationError) as info:
            await call
        assert info.value.field == field
    with pytest.raises(StreamValidationError) as info:
        await client.personalization.post("ok", data=["not", "a", "mapping"])  # type: ignore[arg-type]
    assert info.value.field == "data"
    assert router.calls.call_count == 0


async def test_personalization_repr(client: AsyncStreamClient) -> None:
    assert repr(client.personalization) == "Personalization()"
