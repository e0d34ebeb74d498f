"""Property tests of bad input: invalid arguments never produce a request and never raise
anything but the SDK's validation error."""

from __future__ import annotations

import re
from typing import Any

import anyio
import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stream_async import AsyncStreamClient, StreamValidationError

SLUG = re.compile(r"\w+")
USER_ID = re.compile(r"[\w-]+")
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


class Counting:
    """A transport that counts requests and answers every one with an empty success."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        # one body that fits every response model these tests parse
        body = {"duration": "1ms", "results": [], "next": "", "activities": []}
        body.update({"id": "x", "actor": "a", "verb": "v", "object": "o"})
        return httpx.Response(200, json=body)


def make() -> tuple[AsyncStreamClient, Counting]:
    counter = Counting()
    client = AsyncStreamClient(
        api_key="k",
        api_secret="s" * 32,
        base_url="http://stream.test",
        http_client=httpx.AsyncClient(transport=httpx.MockTransport(counter)),
    )
    return client, counter


texts = st.one_of(st.text(max_size=20), st.integers(), st.none(), st.binary(max_size=5))


@SETTINGS
@given(slug=texts, user_id=texts)
def test_feed_names(slug: Any, user_id: Any) -> None:
    client, _ = make()
    valid = (
        isinstance(slug, str)
        and SLUG.fullmatch(slug) is not None
        and isinstance(user_id, str)
        and USER_ID.fullmatch(user_id) is not None
    )
    if valid:
        assert client.feed(slug, user_id).id == f"{slug}:{user_id}"
    else:
        with pytest.raises(StreamValidationError):
            client.feed(slug, user_id)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)
activities = st.one_of(
    st.dictionaries(
        st.sampled_from(["actor", "verb", "object", "to", "time", "foreign_id", "x"]),
        json_values,
        max_size=7,
    ),
    json_values,
)


@SETTINGS
@given(activity=activities)
def test_add_activity_sends_only_valid_input(activity: Any) -> None:
    client, counter = make()

    async def run() -> None:
        try:
            await client.feed("user", "1").add_activity(activity)
        except StreamValidationError:
            assert counter.calls == 0
        else:
            assert counter.calls == 1
            assert all(activity.get(k) not in (None, "") for k in ("actor", "verb", "object"))

    anyio.run(run)


@SETTINGS
@given(size=st.integers(min_value=0, max_value=260))
def test_batch_sizes(size: int) -> None:
    client, counter = make()
    items = [{"actor": "a", "verb": "v", "object": str(i)} for i in range(size)]

    async def run() -> None:
        await client.feed("user", "1").add_activities(items)
        assert counter.calls == -(-size // 100)  # one request per 100 activities

    anyio.run(run)


@SETTINGS
@given(
    changes=st.lists(
        st.fixed_dictionaries(
            {"id": st.text(max_size=3)},
            optional={
                "set": st.dictionaries(st.text(max_size=4), st.integers(), max_size=30),
                "unset": st.lists(st.text(max_size=4), max_size=30),
            },
        ),
        max_size=3,
    )
)
def test_partial_updates(changes: list[dict[str, Any]]) -> None:
    client, counter = make()

    async def run() -> None:
        try:
            await client.activities.partial_update_many(changes)
        except StreamValidationError:
            assert counter.calls == 0
        else:
            assert counter.calls == (1 if changes else 0)
            for change in changes:
                keys = set(change.get("set", {})) | set(change.get("unset", []))
                assert keys
                assert "" not in keys
                assert len(change.get("set", {})) <= 25
                assert len(change.get("unset", [])) <= 25

    anyio.run(run)
