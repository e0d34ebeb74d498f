"""Client-side checks of the API's rules, applied before any request is sent.

Each check raises :class:`~stream_async.errors.StreamValidationError` naming the argument
and the rule it broke. The per-request limits of the API live in :data:`LIMITS`, the one
place to change them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence, Sized
from datetime import datetime
from typing import Any, Final

from stream_async.errors import StreamValidationError

_SLUG = re.compile(r"\w+")
_USER_ID = re.compile(r"[\w-]+")

LIMITS: Final[Mapping[str, int]] = {
    "activities_per_add": 100,
    "activities_per_get": 100,
    "activities_per_update": 100,
    "add_to_many_feeds": 5000,
    "follow_many": 2500,
    "unfollow_many": 2500,
    "activity_copy_limit": 1000,
    "follow_offset": 4000,
    "partial_update_changes": 100,
    "partial_update_set_keys": 25,
    "partial_update_unset_keys": 25,
    "recent_reactions_limit": 25,
    "reactions_per_page": 25,
    "collection_ids": 1000,
    "reference_length": 255,
    "users_per_batch": 100,
    "privacy_activities": 100,
    "privacy_reactions": 100,
    "audit_logs_per_page": 100,
}


def feed_slug(value: object, field: str = "feed_slug") -> str:
    """A feed group slug: one or more word characters (``\\w+``), nothing else."""
    if not isinstance(value, str) or not _SLUG.fullmatch(value):
        raise StreamValidationError(field, "must be a non-empty string of word characters (\\w+)")
    return value


def user_id(value: object, field: str = "user_id") -> str:
    """A feed's user id: word characters and hyphens (``[\\w-]+``), so UUIDs are fine."""
    if not isinstance(value, str) or not _USER_ID.fullmatch(value):
        raise StreamValidationError(
            field, "must be a non-empty string of word characters or hyphens ([\\w-]+)"
        )
    return value


def feed_id(value: object, field: str = "feed_id") -> tuple[str, str]:
    """A feed id ``slug:user_id``; returns its two parts."""
    if not isinstance(value, str) or value.count(":") != 1:
        raise StreamValidationError(field, "must be a feed id of the form 'slug:user_id'")
    slug, uid = value.split(":")
    return feed_slug(slug, field), user_id(uid, field)


def feed_ids(values: object, field: str) -> list[str]:
    """A list of feed ids; returned as a new list of the same strings."""
    if isinstance(values, (str, bytes)) or not isinstance(values, (list, tuple)):
        raise StreamValidationError(field, "must be a list of feed ids ('slug:user_id')")
    for value in values:
        feed_id(value, field)
    return list(values)


def max_items(values: Sized, limit_name: str, field: str) -> None:
    """At most ``LIMITS[limit_name]`` items in one request."""
    limit = LIMITS[limit_name]
    if len(values) > limit:
        raise StreamValidationError(
            field, f"at most {limit} items per request, got {len(values)}", len(values)
        )


def int_range(value: object, field: str, *, low: int, high: int | None = None) -> int:
    """An integer within ``low..high`` (inclusive); booleans are not integers here."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise StreamValidationError(field, "must be an integer")
    if value < low or (high is not None and value > high):
        bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise StreamValidationError(field, f"must be {bounds}, got {value}", value)
    return value


def non_empty_str(value: object, field: str) -> str:
    """A non-empty string."""
    if not isinstance(value, str) or not value:
        raise StreamValidationError(field, "must be a non-empty string")
    return value


def sequence(value: object, field: str) -> Sequence[Any]:
    """A list or tuple (a lone string is refused: it is not a list of strings)."""
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
        raise StreamValidationError(field, "must be a list")
    return value


def time(value: object, field: str) -> datetime | str:
    """A datetime, or a non-empty ISO 8601 string."""
    if isinstance(value, datetime) or (isinstance(value, str) and value):
        return value
    raise StreamValidationError(field, "must be a datetime or an ISO 8601 string")


def activity_list(value: object, field: str) -> list[dict[str, Any]]:
    """A sequence of activities, each checked as :func:`activity` does."""
    if isinstance(value, Mapping):
        raise StreamValidationError(field, "must be a list of activities")
    items = sequence(value, field)
    return [activity(item, f"{field}[{i}]") for i, item in enumerate(items)]


def activity(value: object, field: str = "activity") -> dict[str, Any]:
    """An activity to add: a mapping with ``actor``, ``verb`` and ``object``; ``to`` a list
    of feed ids; ``time`` a datetime or a string. Returns a shallow copy."""
    if not isinstance(value, Mapping):
        raise StreamValidationError(field, "must be a mapping of activity fields")
    data = dict(value)
    for key in ("actor", "verb", "object"):
        item = data.get(key)
        if item is None or item == "":
            raise StreamValidationError(f"{field}.{key}", "is required")
    if "to" in data:
        data["to"] = feed_ids(data["to"], f"{field}.to")
    if data.get("time") is not None:
        time(data["time"], f"{field}.time")
    return data


def has_identity(data: Mapping[str, Any]) -> bool:
    """Whether an activity carries ``foreign_id`` and ``time``, which make adding it
    idempotent: the API replaces an activity with the same pair instead of adding another."""
    return bool(data.get("foreign_id")) and data.get("time") is not None
