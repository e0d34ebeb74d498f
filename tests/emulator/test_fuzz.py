"""Property test: whatever a client sends, the emulator answers a Stream response, never a 5xx,
and its state stays consistent.

Every example starts from the same small state (the emulator is reset and seeded), and the
examples are derandomized, so a failure reproduces on every run and machine.
"""

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
DELETES = [
    "feed/user/1/f:1/",
    "feed/notification/1/f:1/",
    "feed/user/2/f:1/",
    "feed/timeline/1/follows/user:2/",
    "feed/user/3/reaction:r1/",
    "reaction/r1/",
    "user/alice/",
    "collections/food/pizza/",
    "collections/",
    "files/",
]
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
    max_examples=100,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

SEED: list[tuple[str, str, Any]] = [
    ("POST", "feed/user/1/", {"actor": "a", "verb": "v", "object": "o", "foreign_id": "f:1",
                              "time": "2020-01-01T00:00:00", "to": ["notification:1"]}),
    ("POST", "feed/timeline/1/follows/", {"target": "user:2"}),
    ("POST", "feed/user/2/", {"actor": "b", "verb": "v", "object": "o"}),
    ("POST", "user/", {"id": "alice", "data": {}}),
    ("POST", "collections/food/", {"id": "pizza", "data": {"a": 1}}),
    ("POST", "reaction/", {"id": "r1", "kind": "like", "activity_id": "a1", "user_id": "alice",
                           "target_feeds": ["user:3"]}),
]  # fmt: skip
"""What every example starts from: activities with fan-out, a follow, a user, an object, a
reaction with a target feed."""

CONSISTENCY = {
    "entries of activities that are not stored": "SELECT count(*) FROM feed_entries e"
    " WHERE NOT EXISTS (SELECT 1 FROM activities a WHERE a.id = e.activity_id)",
    "entries without a path": "SELECT count(*) FROM feed_entries WHERE paths = '[]'",
    "entries whose group is missing": "SELECT count(*) FROM feed_entries e"
    " WHERE e.group_name IS NOT NULL AND NOT EXISTS (SELECT 1 FROM feed_groups g"
    " WHERE g.feed_id = e.feed_id AND g.name = e.group_name)",
    "empty groups": "SELECT count(*) FROM feed_groups g WHERE NOT EXISTS"
    " (SELECT 1 FROM feed_entries e WHERE e.feed_id = g.feed_id AND e.group_name = g.name)",
    "entries of flat feeds with a group": "SELECT count(*) FROM feed_entries WHERE"
    " group_name IS NOT NULL AND feed_id NOT LIKE 'aggregated:%'"
    " AND feed_id NOT LIKE 'notification:%'",
    "entries whose time is not their activity's": "SELECT count(*) FROM feed_entries e"
    " JOIN activities a ON a.id = e.activity_id WHERE a.time_us != e.time_us",
    "children of missing reactions": "SELECT count(*) FROM reactions r WHERE r.parent != ''"
    " AND NOT EXISTS (SELECT 1 FROM reactions p WHERE p.id = r.parent)",
    "feeds following themselves": "SELECT count(*) FROM follows WHERE source = target",
}
"""Invariants of the store, each a query counting what breaks it."""


class Client:
    """Sends requests to one emulator from synchronous code (state accumulates across calls)."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        offline = httpx.MockTransport(lambda request: httpx.Response(404))
        self.emulator = Emulator(EmulatorConfig(og_transport=offline))
        transport = httpx.ASGITransport(app=self.emulator.app)
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

    def reset(self) -> None:
        """Start an example from :data:`SEED`."""
        self.emulator.reset()
        for method, path, body in SEED:
            assert self.send(method, path, json=body).status_code == 201

    def check_consistency(self) -> None:
        """Fail when the store breaks one of :data:`CONSISTENCY`."""
        broken = {
            rule: count
            for rule, query in CONSISTENCY.items()
            if (count := self.emulator.store.db.execute(query).fetchone()[0])
        }
        assert broken == {}

    def close(self) -> None:
        """Close the client and its loop."""
        self.loop.run_until_complete(self.http.aclose())
        self.loop.close()


@pytest.fixture(scope="module")
def shared() -> Iterator[Client]:
    """One :class:`Client` for every example of this module."""
    one = Client()
    yield one
    one.close()


@pytest.fixture
def client(shared: Client) -> Iterator[Client]:
    """The shared :class:`Client`, checked for consistency after each test."""
    yield shared
    shared.check_consistency()


def _check(client: Client, response: httpx.Response) -> None:
    client.check_consistency()
    assert response.status_code < 500, response.text
    body = response.json()
    assert "duration" in body
    if response.status_code >= 400:
        assert body["exception"]
        assert body["code"] != -1


@SETTINGS
@given(path=st.sampled_from(POSTS), body=bodies)
def test_any_json_body_gets_a_stream_answer(client: Client, path: str, body: Any) -> None:
    client.reset()
    _check(client, client.send("POST", path, content=json.dumps(body).encode()))


@SETTINGS
@given(path=st.sampled_from(PUTS), body=bodies)
def test_any_put_body_gets_a_stream_answer(client: Client, path: str, body: Any) -> None:
    client.reset()
    _check(client, client.send("PUT", path, content=json.dumps(body).encode()))


@SETTINGS
@given(path=st.sampled_from(ROOT_POSTS), body=bodies)
def test_any_analytics_body_gets_a_stream_answer(client: Client, path: str, body: Any) -> None:
    client.reset()
    _check(client, client.send("POST", path, content=json.dumps(body).encode()))


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
    client.reset()
    _check(client, client.send("POST", path, files={"file": (name, data, kind)}))


@SETTINGS
@given(
    path=st.sampled_from(GETS),
    params=st.dictionaries(
        st.sampled_from(PARAMS), st.sampled_from(QUERY_WORDS) | st.text(max_size=6)
    ),
)
def test_any_query_gets_a_stream_answer(client: Client, path: str, params: dict[str, str]) -> None:
    client.reset()
    _check(client, client.send("GET", path, params=params))


@SETTINGS
@given(
    path=st.sampled_from(DELETES),
    params=st.dictionaries(
        st.sampled_from(["foreign_id", "keep_history", "soft", "collection_name", "ids", "url"]),
        st.sampled_from(QUERY_WORDS) | st.text(max_size=6),
    ),
)
def test_any_delete_gets_a_stream_answer(client: Client, path: str, params: dict[str, str]) -> None:
    client.reset()
    _check(client, client.send("DELETE", path, params=params))
