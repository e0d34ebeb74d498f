"""Analytics and personalization services on the emulator's host."""

from __future__ import annotations

from typing import Any

import pytest

from stream_async.emulator import Emulator
from stream_async.emulator.store.records import AnalyticsEvent
from tests.emulator.conftest import API_KEY, Api, error, ok, token

pytestmark = pytest.mark.asyncio

ANALYTICS_TOKEN = token(resource="analytics", action="*", user_id="*")


async def _send(
    api: Api, method: str, path: str, body: Any = None, auth: str = ANALYTICS_TOKEN
) -> Any:
    return await api.client.request(
        method,
        path,
        params={"api_key": API_KEY, "limit": "5"},
        json=body,
        headers={"Authorization": auth},
    )


async def test_engagements_and_impressions_are_recorded(api: Api, emulator: Emulator) -> None:
    engagement = {"label": "click", "content": "tweet:1", "user_data": "alice"}
    response = await _send(
        api, "POST", "/analytics/v1.0/engagement/", {"content_list": [engagement]}
    )
    assert ok(response, 201) == {}
    impression = {"content_list": ["tweet:1"], "user_data": "alice"}
    ok(await _send(api, "POST", "/analytics/v1.0/impression/", [impression]), 201)
    ok(await _send(api, "POST", "/analytics/v1.0/impression/", impression), 201)
    assert emulator.store.analytics_events == [
        AnalyticsEvent("engagement", engagement),
        AnalyticsEvent("impression", impression),
        AnalyticsEvent("impression", impression),
    ]


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/analytics/v1.0/engagement/", {"content_list": "x"}),
        ("/analytics/v1.0/engagement/", []),
        ("/analytics/v1.0/impression/", ["x"]),
        ("/analytics/v1.0/impression/", "x"),
    ],
)
async def test_malformed_events_are_400(api: Api, emulator: Emulator, path: str, body: Any) -> None:
    error(await _send(api, "POST", path, body), 400, 4)
    assert emulator.store.analytics_events == []


async def test_analytics_needs_the_analytics_scope(api: Api) -> None:
    wrong = token(resource="feed", action="*", feed_id="*")
    error(
        await _send(api, "POST", "/analytics/v1.0/engagement/", {"content_list": []}, wrong),
        403,
        17,
    )


@pytest.mark.parametrize("method", ["GET", "POST", "DELETE"])
async def test_personalization_answers_empty_pages(api: Api, method: str) -> None:
    scoped = token(resource="personalization", action="*", feed_id="*", user_id="*")
    body = {"data": {"x": 1}} if method != "GET" else None
    response = await _send(
        api, method, "/personalization/v1.0/follow_recommendations/", body, scoped
    )
    assert ok(response) == {
        "app_id": 1,
        "limit": 5,
        "offset": 0,
        "version": "v1.0",
        "next": "",
        "results": [],
    }
