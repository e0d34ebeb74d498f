"""Open Graph, analytics, personalization and raw requests on the wire, on every sender.

Paths: stream-rest-api.txt, "Open Graph" (og/); analytics (engagement/, impression/ under
analytics/v1.0/) and personalization (personalization/v1.0/) from more-endpoints.md. Claims
from auth-scopes.md, "Least-privilege signing": Open Graph "*"/read/"*"; analytics
resource analytics, action "*", no feed_id, user_id "*"; personalization by verb with
feed_id "*" and user_id "*".
"""

from __future__ import annotations

from typing import Any

import pytest

from stream_async import AsyncStreamClient
from stream_async.models import EmptyResponse, OgImage, OpenGraph, PersonalizationResponse
from tests.contract.wire import Case, equal, params, run_case
from tests.support.recording import RecordingServer, Reply

pytestmark = [pytest.mark.asyncio, pytest.mark.socket]

OG: dict[str, Any] = {
    "title": "Open Graph protocol",
    "type": "website",
    "url": "https://ogp.me/",
    "site_name": "ogp",
    "description": "The Open Graph protocol enables any web page ...",
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
ANALYTICS = {"resource": "analytics", "action": "*", "user_id": "*"}
ENGAGEMENTS: list[dict[str, Any]] = [
    {"content": "tweet:34349698", "label": "click", "user_data": "alice", "boost": 2},
    {"content": {"foreign_id": "tweet:1"}, "label": "like", "user_data": {"id": "bob"}},
]
RECOMMENDATIONS: dict[str, Any] = {
    "app_id": 1234,
    "results": [{"foreign_id": "user:bob"}],
    "next": "",
    "limit": 10,
    "offset": 0,
    "version": "user_1",
}


def personalization(action: str) -> dict[str, str]:
    return {"resource": "personalization", "action": action, "feed_id": "*", "user_id": "*"}


def scraped(result: OpenGraph) -> None:
    assert isinstance(result, OpenGraph)
    assert (result.title, result.original_url) == ("Open Graph protocol", "http://ogp.me")
    (image,) = result.images
    assert isinstance(image, OgImage)
    assert (image.image, image.width, image.height, image.alt) == (
        "https://ogp.me/logo.png",
        "300",
        300,
        "The Open Graph logo",
    )
    assert (result.videos[0].video, result.videos[0].secure_url) == ("https://ogp.me/v.mp4", None)
    assert result.audios[0].audio == "https://ogp.me/a.mp3"
    assert result.duration == "419.81ms"


def recommended(result: PersonalizationResponse) -> None:
    assert isinstance(result, PersonalizationResponse)
    assert result.results == [{"foreign_id": "user:bob"}]
    assert (result.limit, result.offset, result.version, result.next) == (10, 0, "user_1", "")
    assert result.model_extra == {"app_id": 1234}


def empty(result: Any) -> None:
    assert isinstance(result, EmptyResponse)
    assert result.duration == "1ms"


CASES = [
    Case(
        "og",
        lambda c: c.og("http://ogp.me"),
        "GET",
        "/api/v1.0/og/",
        {"resource": "*", "action": "read", "feed_id": "*"},
        query=[("url", "http://ogp.me")],
        reply=Reply(200, OG),
        check=scraped,
    ),
    Case(
        "og_of_a_bare_page",
        lambda c: c.og("https://example.com/a?b=c"),
        "GET",
        "/api/v1.0/og/",
        {"resource": "*", "action": "read", "feed_id": "*"},
        query=[("url", "https://example.com/a?b=c")],
        check=lambda r: equal((r.title, r.images, r.videos, r.audios), (None, [], [], [])),
    ),
    Case(
        "track_engagements",
        lambda c: c.track_engagements(ENGAGEMENTS),
        "POST",
        "/analytics/v1.0/engagement/",
        ANALYTICS,
        body={"content_list": ENGAGEMENTS},
        reply=Reply(201),
        check=empty,
    ),
    Case(
        "track_impressions",
        lambda c: c.track_impressions(
            [{"content_list": ["tweet:1", "tweet:2"], "user_data": "alice"}]
        ),
        "POST",
        "/analytics/v1.0/impression/",
        ANALYTICS,
        body=[{"content_list": ["tweet:1", "tweet:2"], "user_data": "alice"}],
        reply=Reply(201),
    ),
    Case(
        "personalization_get",
        lambda c: c.personalization.get(
            "follow_recommendations",
            user_id="alice",
            limit=10,
            source_feed_slug="timeline",
            kinds=["a", "b"],
            fresh=True,
            skip=None,
        ),
        "GET",
        "/personalization/v1.0/follow_recommendations/",
        personalization("read"),
        query=[
            ("user_id", "alice"),
            ("limit", "10"),
            ("source_feed_slug", "timeline"),
            ("kinds", "a,b"),
            ("fresh", "true"),
        ],
        reply=Reply(200, RECOMMENDATIONS),
        check=recommended,
    ),
    Case(
        "personalization_post",
        lambda c: c.personalization.post("object_metadata", data={"tags": ["x"]}, user_id="alice"),
        "POST",
        "/personalization/v1.0/object_metadata/",
        personalization("write"),
        query=[("user_id", "alice")],
        body={"data": {"tags": ["x"]}},
    ),
    Case(
        "personalization_post_without_data",
        lambda c: c.personalization.post("object_metadata"),
        "POST",
        "/personalization/v1.0/object_metadata/",
        personalization("write"),
    ),
    Case(
        "personalization_delete_nested",
        lambda c: c.personalization.delete("feed/items/", foreign_id="post:1"),
        "DELETE",
        "/personalization/v1.0/feed/items/",
        personalization("delete"),
        query=[("foreign_id", "post:1")],
        reply=Reply(200, {"results": []}),
    ),
    Case(
        "raw_request_post",
        lambda c: c.request(
            "post", "/feed/user/alice", resource="feed", feed_id="useralice", json={"a": 1}
        ),
        "POST",
        "/api/v1.0/feed/user/alice/",
        {"resource": "feed", "action": "write", "feed_id": "useralice"},
        body={"a": 1},
        reply=Reply(201, {"id": "x", "duration": "1ms"}),
        check=lambda r: equal((r.model_extra, r.duration), ({"id": "x"}, "1ms")),
    ),
    Case(
        "raw_request_get_with_params",
        lambda c: c.request(
            "GET", "stats/follow/", resource="*", params={"followers": "user:1", "x": None}
        ),
        "GET",
        "/api/v1.0/stats/follow/",
        {"resource": "*", "action": "read", "feed_id": "*"},
        query=[("followers", "user:1")],
        reply=Reply(200, {"results": {}}),
    ),
    Case(
        "raw_request_other_service",
        lambda c: c.request(
            "DELETE", "items", resource="personalization", service="personalization"
        ),
        "DELETE",
        "/personalization/v1.0/items/",
        {"resource": "personalization", "action": "delete", "feed_id": "*"},
    ),
]


@params(CASES)
async def test_wire_shape(case: Case, sdk: AsyncStreamClient, server: RecordingServer) -> None:
    await run_case(case, sdk, server)
