"""Stored objects as the API returns them (shapes from stream-rest-api.txt's examples),
shared by the tests that script responses."""

from __future__ import annotations

from typing import Any

ACTIVITY_ID = "ce918867-0520-11e9-a11e-0a286b200b2e"
REACTION_ID = "50539e71-d6bf-422d-ad21-c8717df0c325"

REACTION: dict[str, Any] = {
    "created_at": "2018-12-27T13:02:03.013191Z",
    "updated_at": "2018-12-27T13:02:04.013191Z",
    "id": REACTION_ID,
    "user_id": "eric",
    "user": {"id": "eric", "created_at": "2018-12-01T00:00:00Z", "updated_at": "2018-12-01Z"},
    "kind": "comment",
    "activity_id": ACTIVITY_ID,
    "data": {"text": "Hello!"},
    "parent": "",
    "latest_children": {},
    "children_counts": {},
}

USER: dict[str, Any] = {
    "id": "alice",
    "data": {"name": "Alice"},
    "created_at": "2018-12-27T13:02:03.013191Z",
    "updated_at": "2018-12-27T13:02:03.013191Z",
    "duration": "0.9ms",
}

COLLECTION_OBJECT: dict[str, Any] = {
    "id": "cheese",
    "collection": "food",
    "foreign_id": "food:cheese",
    "data": {"name": "Cheese Burger"},
    "created_at": "2018-11-29T12:03:52.792967Z",
    "updated_at": "2018-11-29T12:28:20.735841Z",
}
