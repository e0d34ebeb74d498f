"""The analytics and personalization services, served on the same host as the API.

Analytics (``/analytics/v1.0/engagement/`` and ``/analytics/v1.0/impression/``): events are
validated and recorded in the store (``Store.analytics_events``; nothing else reads them);
the answer is 201 ``{"duration"}``. Engagements come as ``{"content_list": [event, ...]}``,
impressions as one event or a list of them; every event is a JSON object.

Personalization (``/personalization/v1.0/<resource>/``): the emulator has no models, so every
resource answers an empty, well-formed page: ``{"app_id", "limit", "offset", "version",
"next": "", "results": []}``. Documented choices: ``limit`` defaults to 10 and ``offset`` to
0 (both echo the query), ``version`` is ``"v1.0"``, ``app_id`` is the configured app id (a
number when it is one).
"""

from __future__ import annotations

from typing import Any

from stream_async.emulator.errors import field_errors
from stream_async.emulator.handlers.call import Call, Reply
from stream_async.emulator.store import Store
from stream_async.emulator.store.records import AnalyticsEvent

PERSONALIZATION_LIMIT = 10


def _events(value: object, name: str) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise field_errors({name: ["Must be a list of objects."]})
    return value


def track_engagements(store: Store, call: Call) -> Reply:
    """POST engagement/: record ``content_list``."""
    events = _events(call.json_object().get("content_list"), "content_list")
    store.record([AnalyticsEvent("engagement", event) for event in events])
    return 201, {}


def track_impressions(store: Store, call: Call) -> Reply:
    """POST impression/: record one impression or a list of them."""
    body = call.json()
    events = _events([body] if isinstance(body, dict) else body, "impressions")
    store.record([AnalyticsEvent("impression", event) for event in events])
    return 201, {}


def personalization(store: Store, call: Call) -> Reply:
    """GET, POST and DELETE <resource>/: an empty page of results."""
    app_id = call.app_id
    return 200, {
        "app_id": int(app_id) if app_id.isdigit() else app_id,
        "limit": call.integer("limit", PERSONALIZATION_LIMIT),
        "offset": call.integer("offset", 0),
        "version": "v1.0",
        "next": "",
        "results": [],
    }
