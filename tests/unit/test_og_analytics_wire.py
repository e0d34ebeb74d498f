"""What ``client.og``, ``client.track_*`` and ``client.personalization`` put on the wire,
and what they refuse to send."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import respx

from stream_async import AsyncStreamClient, StreamValidationError
from stream_async.models import EmptyResponse, OgImage, OpenGraph, PersonalizationResponse
from tests.conftest import API_KEY, BASE_URL, claims

pytestmark = pytest.mark.anyio

ANALYTICS = f"{BASE_URL}/analytics/v1.0/"
PERSONALIZATION = f"{BASE_URL}/personalization/v1.0/"
OG: dict[str, Any] = {
    "title": "Open Graph protocol",
    "type": "website",
    "url": "https://ogp.me/",
    "site": "",
    "site_name": "ogp",
    "description": "The Open Graph protocol enables any web page ...",
    "determiner": "",
    "locale": "en_US",
    "favicon": "https://ogp.me/favicon.ico",
    "original_url": "http://ogp.me",
    "images": [
        {
            "image": "https://ogp.me/logo.png",
            "url": "https://ogp.me/logo.png",
            "secure_url": "https://ogp.me/logo.png",
            "width": "300",
            "height": 300,
            "type": "image/png",
            "alt": "The Open Graph logo",
        }
    ],
    "videos": [{"video": "https://ogp.me/v.mp4", "width": 640, "type": "video/mp4"}],
    "audios": [{"audio": "https://ogp.me/a.mp3", "secure_url": "", "type": "audio/mpeg"}],
    "duration": "419.81ms",
}


def body(request: httpx.Request) -> Any:
    return json.loads(request.content)


async def test_og_wire_shape(client: AsyncStreamClient, router: respx.Router) -> None:
    route = router.get("og/").respond(200, json=OG)
    result = await client.og("http://ogp.me")

    request = route.calls.last.request
    assert request.method == "GET"
    assert list(request.url.params.multi_items()) == [
        ("api_key", API_KEY),
        ("url", "http://ogp.me"),
    ]
    assert claims(request) == {"resource": "*", "action": "read", "feed_id": "*"}
    assert isinstance(result, OpenGraph)
    assert result.title == "Open Graph protocol"
    assert result.original_url == "http://ogp.me"
    (image,) = result.images
    assert isinstance(image, OgImage)
    assert (image.image, image.width, image.height, image.alt) == (
        "https://ogp.me/logo.png",
        "300",
        300,
        "The Open Graph logo",
    )
    assert result.videos[0].video == "https://ogp.me/v.mp4"
    assert result.videos[0].secure_url is None
    assert result.audios[0].audio == "https://ogp.me/a.mp3"
    assert result.duration == "419.81ms"


async def test_og_of_a_bare_page(client: AsyncStreamClient, router: respx.Router) -> None:
    router.get("og/").respond(200, json={"duration": "1ms"})
    result = await client.og("https://example.com/a?b=c")
    assert result.title is None
    assert (result.images, result.videos, result.audios) == ([], [], [])


@pytest.mark.parametrize("url", ["ftp://ogp.me", "ogp.me", "https://", "", None, "http://a b"])
async def test_og_refuses_a_bad_url(
    client: AsyncStreamClient, router: respx.Router, url: Any
) -> None:
    with pytest.raises(StreamValidationError) as info:
        await client.og(url)
    assert info.value.field == "url"
    assert router.calls.call_count == 0


ANALYTICS_CLAIMS = {"resource": "analytics", "action": "*", "user_id": "*"}


async def test_track_engagements_wire_shape(
    client: AsyncStreamClient, router: respx.Router
) -> None:
    route = router.post(f"{ANALYTICS}engagement/").respond(201, json={"duration": "1ms"})
    engagements: list[dict[str, Any]] = [
        {"content": "tweet:34349698", "label": "click", "user_data": "alice", "boost": 2},
        {"content": {"foreign_id": "tweet:1"}, "label": "like", "user_data": {"id": "bob"}},
    ]
    result = await client.track_engagements(engagements)

    request = route.calls.last.request
    assert request.method == "POST"
    assert request.url.path == "/analytics/v1.0/engagement/"
    assert dict(request.url.params) == {"api_key": API_KEY}
    assert claims(request) == ANALYTICS_CLAIMS
    assert body(request) == {"content_list": engagements}
    assert isinstance(result, EmptyResponse)


async def test_track_impressions_wire_shape(
    client: AsyncStreamClient, router: respx.Router
) -> None:
    route = router.post(f"{ANALYTICS}impression/").respond(201, json={})
    impressions = [{"content_list": ["tweet:1", "tweet:2"], "user_data": "alice"}]
    await client.track_impressions(impressions)

    request = route.calls.last.request
    assert request.url.path == "/analytics/v1.0/impression/"
    assert claims(request) == ANALYTICS_CLAIMS
    assert body(request) == impressions


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


RECOMMENDATIONS: dict[str, Any] = {
    "app_id": 1234,
    "results": [{"foreign_id": "user:bob"}],
    "next": "",
    "limit": 10,
    "offset": 0,
    "version": "user_1",
    "duration": "10ms",
}


def personalization_claims(action: str) -> dict[str, str]:
    return {"resource": "personalization", "action": action, "feed_id": "*", "user_id": "*"}


async def test_personalization_get_wire_shape(
    client: AsyncStreamClient, router: respx.Router
) -> None:
    route = router.get(f"{PERSONALIZATION}follow_recommendations/").respond(
        200, json=RECOMMENDATIONS
    )
    result = await client.personalization.get(
        "follow_recommendations",
        user_id="alice",
        limit=10,
        source_feed_slug="timeline",
        kinds=["a", "b"],
        fresh=True,
        skip=None,
    )

    request = route.calls.last.request
    assert request.method == "GET"
    assert list(request.url.params.multi_items()) == [
        ("api_key", API_KEY),
        ("user_id", "alice"),
        ("limit", "10"),
        ("source_feed_slug", "timeline"),
        ("kinds", "a,b"),
        ("fresh", "true"),
    ]
    assert claims(request) == personalization_claims("read")
    assert isinstance(result, PersonalizationResponse)
    assert result.results == [{"foreign_id": "user:bob"}]
    assert (result.limit, result.offset, result.version, result.next) == (10, 0, "user_1", "")
    assert result.model_extra == {"app_id": 1234}


async def test_personalization_post_keeps_data_out_of_the_query(
    client: AsyncStreamClient, router: respx.Router
) -> None:
    route = router.post(f"{PERSONALIZATION}object_metadata/").respond(200, json={})
    await client.personalization.post("object_metadata", data={"tags": ["x"]}, user_id="alice")

    request = route.calls.last.request
    assert list(request.url.params.multi_items()) == [("api_key", API_KEY), ("user_id", "alice")]
    assert body(request) == {"data": {"tags": ["x"]}}
    assert claims(request) == personalization_claims("write")

    await client.personalization.post("object_metadata")
    assert route.calls.last.request.content == b""


async def test_personalization_delete_and_nested_resources(
    client: AsyncStreamClient, router: respx.Router
) -> None:
    route = router.delete(f"{PERSONALIZATION}feed/items/").respond(200, json={"results": []})
    await client.personalization.delete("feed/items/", foreign_id="post:1")
    request = route.calls.last.request
    assert list(request.url.params.multi_items()) == [
        ("api_key", API_KEY),
        ("foreign_id", "post:1"),
    ]
    assert claims(request) == personalization_claims("delete")
    assert repr(client.personalization) == "Personalization()"


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
