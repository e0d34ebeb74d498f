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

Personalized enriched feed (``/api/v1.0/enrich/personalization/feed/``, on the API host; more-
endpoints §5): the emulator has no personalization models either, so the page is empty:
``{"results": [], "limit", "offset", "version": "", "next": ""}``. Documented choices:
``endpoint`` names the app's personalization endpoint; the emulator knows one,
``personalized_feed``, which a missing or empty ``endpoint`` means, and any other name is a 404
(code 16). ``user_id`` is the user whose feed it is: with a user token it defaults to the
token's user, and another user is Stream's policy error (403 code 17, client-side policies
§3.6); with a server token (resource ``personalization`` or ``*``, action ``read``) it is
required (400 otherwise). ``limit`` (default 10) and ``offset`` (default 0) are echoed;
``feed_slug`` is accepted and ignored, the enrichment flags (``withOwnReactions``...) are
validated like a feed read's. The policy check comes last: a bad parameter is a 400 and an
unknown ``endpoint`` a 404 for another user's feed too.
"""

from __future__ import annotations

from typing import Any

from stream_async.emulator.errors import does_not_exist, field_errors
from stream_async.emulator.handlers import policies
from stream_async.emulator.handlers.call import Call, Reply, parse_reference
from stream_async.emulator.handlers.enrichment import Flags
from stream_async.emulator.store import Store
from stream_async.emulator.store.records import AnalyticsEvent

PERSONALIZATION_LIMIT = 10
PERSONALIZED_FEED_ENDPOINTS = frozenset({"personalized_feed"})
"""The personalization endpoints ``enrich/personalization/feed/`` knows (the default one)."""


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


def personalized_feed(store: Store, call: Call) -> Reply:
    """GET enrich/personalization/feed/: an empty page of a user's personalized feed."""
    raw_user = call.text("user_id")
    if raw_user is None and call.user_id is not None:
        user_id = call.user_id
    else:
        user_id = parse_reference(raw_user, "user_id")
    limit = call.integer("limit", PERSONALIZATION_LIMIT)
    offset = call.integer("offset", 0)
    Flags.of(call)
    endpoint = call.text("endpoint") or "personalized_feed"
    if endpoint not in PERSONALIZED_FEED_ENDPOINTS:
        raise does_not_exist(f"personalization endpoint {endpoint!r} does not exist")
    policies.check_user(call, user_id)
    return 200, {
        "results": [],
        "limit": limit,
        "offset": offset,
        "version": "",
        "next": "",
    }
