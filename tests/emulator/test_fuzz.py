"""Property test: whatever a client sends, the emulator answers a Stream response, never a 5xx."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stream_async.emulator import Emulator, EmulatorConfig
from tests.emulator.conftest import ADMIN, API_KEY

KEYS = [
    "actor", "verb", "object", "target", "time", "foreign_id", "to", "id", "activities",
    "changes", "set", "unset", "feeds", "activity", "source", "activity_copy_limit",
    "keep_history", "new_targets", "added_targets", "removed_targets", "product.price",
    "kind", "activity_id", "user_id", "data", "parent", "target_feeds",
    "target_feeds_extra_data", "content_list",
]  # fmt: skip
WORDS = [
    "user:1", "user:2", "timeline:1", "aggregated:1", "notification:1", "nope:1", "user1",
    "2020-01-01T00:00:00", "2020-01-01T00:00:00.123Z", "post:1", "a.b", "", "true", "1",
    "\ud800", "caf\u00e9", "0001-01-01T00:00:00", "9999-12-31T23:59:59.999999",
    "9999-12-31T23:00:00-05:00", "9" * 30, "-1", "2147483647",
]  # fmt: skip
QUERY_WORDS = [word for word in WORDS if word != "\ud800"]  # URLs cannot carry it

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**40), max_value=2**40),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(WORDS),
    st.text(max_size=8),
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=4), inner, max_size=5)
    ),
    max_leaves=12,
)
bodies = values | st.dictionaries(st.sampled_from(KEYS), values, max_size=6)
POSTS = [
    "feed/user/1/",
    "feed/aggregated/1/",
    "feed/notification/1/",
    "feed/timeline/1/follows/",
    "feed/add_to_many/",
    "follow_many/",
    "unfollow_many/",
    "activities/",
    "activity/",
    "feed_targets/user/1/activity_to_targets/",
    "reaction/",
    "user/",
    "collections/",
    "collections/food/",
    "files/",
    "images/",
]
PUTS = ["reaction/r1/", "user/alice/", "collections/food/pizza/", "reaction/r1/restore/"]
ROOT_POSTS = ["/analytics/v1.0/engagement/", "/analytics/v1.0/impression/"]
GETS = [
    "feed/user/1/",
    "feed/notification/1/",
    "activities/",
    "stats/follow/",
    "feed/user/1/follows/",
    "enrich/feed/user/1/",
    "enrich/activities/",
    "reaction/get_many/",
    "reaction/activity_id/a1/",
    "reaction/user_id/alice/like/",
    "reaction/reaction_id/r1/",
    "reaction/r1/",
    "user/alice/",
    "collections/",
    "collections/food/pizza/",
    "images/",
    "images/process/",
    "og/",
]
PARAMS = [
    "limit", "offset", "id_lt", "id_gte", "mark_seen", "mark_read", "ids", "foreign_ids",
    "timestamps", "filter", "followers", "following", "followers_slugs", "foreign_id",
    "withRecentReactions", "withOwnReactions", "withReactionCounts", "withOwnChildren",
    "reactionKindsFilter", "recentReactionsLimit", "user_id", "with_activity_data",
    "include_deleted", "with_follow_counts", "url", "resize", "crop", "w", "h",
]  # fmt: skip

SETTINGS = settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


class Client:
    """Sends requests to one emulator from synchronous code (state accumulates across calls)."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        offline = httpx.MockTransport(lambda request: httpx.Response(404))
        emulator = Emulator(EmulatorConfig(og_transport=offline))
        transport = httpx.ASGITransport(app=emulator.app)
        self.http = httpx.AsyncClient(
            transport=transport,
            base_url="http://emulator/api/v1.0/",
            headers={"Authorization": ADMIN},
        )

    def send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """One request, run to completion."""
        params = {"api_key": API_KEY, **kwargs.pop("params", {})}
        request = self.http.request(method, path, params=params, **kwargs)
        return self.loop.run_until_complete(request)

    def close(self) -> None:
        """Close the client and its loop."""
        self.loop.run_until_complete(self.http.aclose())
        self.loop.close()


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    """One :class:`Client` shared by every example of this module."""
    shared = Client()
    yield shared
    shared.close()


def _check(response: httpx.Response) -> None:
    assert response.status_code < 500, response.text
    body = response.json()
    assert "duration" in body
    if response.status_code >= 400:
        assert body["exception"]
        assert body["code"] != -1


@SETTINGS
@given(path=st.sampled_from(POSTS), body=bodies)
def test_any_json_body_gets_a_stream_answer(client: Client, path: str, body: Any) -> None:
    _check(client.send("POST", path, content=json.dumps(body).encode()))


@SETTINGS
@given(path=st.sampled_from(PUTS), body=bodies)
def test_any_put_body_gets_a_stream_answer(client: Client, path: str, body: Any) -> None:
    _check(client.send("PUT", path, content=json.dumps(body).encode()))


@SETTINGS
@given(path=st.sampled_from(ROOT_POSTS), body=bodies)
def test_any_analytics_body_gets_a_stream_answer(client: Client, path: str, body: Any) -> None:
    _check(client.send("POST", path, content=json.dumps(body).encode()))


@SETTINGS
@given(
    path=st.sampled_from(["files/", "images/"]),
    name=st.text(max_size=8),
    data=st.binary(max_size=64),
    kind=st.sampled_from(["image/png", "text/plain", "application/octet-stream"]),
)
def test_any_upload_gets_a_stream_answer(
    client: Client, path: str, name: str, data: bytes, kind: str
) -> None:
    _check(client.send("POST", path, files={"file": (name, data, kind)}))


@SETTINGS
@given(
    path=st.sampled_from(GETS),
    params=st.dictionaries(
        st.sampled_from(PARAMS), st.sampled_from(QUERY_WORDS) | st.text(max_size=6)
    ),
)
def test_any_query_gets_a_stream_answer(client: Client, path: str, params: dict[str, str]) -> None:
    _check(client.send("GET", path, params=params))
