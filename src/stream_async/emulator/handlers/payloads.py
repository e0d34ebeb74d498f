"""Validation of request bodies that carry activities or activity changes.

Everything here only reads its input and raises 400 :class:`ApiError` on the first bad
batch; nothing is stored, so a batch is checked whole before any of it is applied.

Field rules (§3.1 of the API semantics): ``actor``, ``verb`` and ``object`` are required;
they, ``target`` and ``foreign_id`` are stored as strings (numbers are converted, other types
refused); ``target`` and ``foreign_id`` default to ``""``; ``time`` is an ISO string (default:
now); ``to`` is a list of feed ids, each optionally followed by `` <token>``, which is
dropped; ``id`` and ``origin`` in input are ignored; every other field is kept as given.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from stream_async.emulator.config import FeedGroupConfig
from stream_async.emulator.errors import field_errors, input_error
from stream_async.emulator.handlers.call import check_size, split_feed_id
from stream_async.emulator.store import Draft
from stream_async.emulator.store.ids import EARLIEST, LATEST, orderable
from stream_async.emulator.store.time import format_time, parse_time

REQUIRED = ("actor", "verb", "object")
OPTIONAL_STRINGS = ("target", "foreign_id")
IGNORED = ("id", "origin")

MAX_SET_KEYS = 25
MAX_UNSET_KEYS = 25
FROZEN_FIELDS = frozenset({"id", "time", "foreign_id", "origin", "to"})
"""Fields a partial update may neither set nor unset (identity, fan-out, feed-relative)."""
STRING_FIELDS = frozenset({*REQUIRED, "target"})

_REQUIRED_MESSAGE = "This field is required."
_STRING_MESSAGE = "Must be a string."


def _as_string(value: object) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return None


def parse_time_field(value: object, name: str = "time") -> datetime:
    """An ISO time string from a body or query; 400 with ``exception_fields`` otherwise.

    The time must be one an activity id can carry, from 1582-10-15 (the UUID epoch) to
    5236-03-31 (where its 60-bit tick count ends): ids sort like times only there, and every
    year in it prints with four digits.
    """
    try:
        if isinstance(value, str):
            moment = parse_time(value)
            if not orderable(moment):
                earliest, latest = format_time(EARLIEST), format_time(LATEST)
                raise field_errors({name: [f"Must be between {earliest} and {latest}."]})
            return moment
    except ValueError:
        pass
    raise field_errors({name: ["Must be an ISO 8601 date-time string."]})


def parse_targets(value: object, groups: Mapping[str, FeedGroupConfig], name: str) -> list[str]:
    """A list of feed ids (each maybe followed by `` <token>``), deduplicated, in order."""
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise field_errors({name: ["Must be a list of feed ids."]})
    targets: list[str] = []
    for item in value:
        feed_id = split_feed_id(item.strip().split(" ", 1)[0], groups, name)
        if feed_id not in targets:
            targets.append(feed_id)
    return targets


def parse_activity(raw: object, groups: Mapping[str, FeedGroupConfig]) -> Draft:
    """Validate one activity from a request body."""
    if not isinstance(raw, dict):
        raise input_error("an activity must be a JSON object")
    data = {key: value for key, value in raw.items() if key not in (*IGNORED, "time", "to")}
    errors: dict[str, list[str]] = {}
    for name in (*REQUIRED, *OPTIONAL_STRINGS):
        value = raw.get(name)
        if value is None or value == "":
            if name in REQUIRED:
                errors[name] = [_REQUIRED_MESSAGE]
            data[name] = ""
            continue
        text = _as_string(value)
        if text is None:
            errors[name] = [_STRING_MESSAGE]
        data[name] = text
    if errors:
        raise field_errors(errors)
    time = None if raw.get("time") is None else parse_time_field(raw["time"])
    if raw.get("to") is not None:
        targets = parse_targets(raw["to"], groups, "to")
        if targets:
            data["to"] = targets
    return Draft(data, time)


def parse_activities(
    raw: object, groups: Mapping[str, FeedGroupConfig], maximum: int
) -> list[Draft]:
    """Validate ``{"activities": [...]}``'s list: a JSON array of at most ``maximum``."""
    if not isinstance(raw, list):
        raise field_errors({"activities": ["Must be a list of activities."]})
    check_size(raw, "activities", maximum)
    return [parse_activity(item, groups) for item in raw]


@dataclass(frozen=True)
class Change:
    """One partial update: the activity (by ``id`` or ``foreign_id`` + ``time``) and the edit."""

    activity_id: str | None
    foreign_id: str | None
    time: datetime | None
    set: dict[str, Any]
    unset: list[str]


def _check_path(path: str, name: str) -> None:
    if not path or "" in path.split("."):
        raise input_error(f"{name} keys must be non-empty dotted paths (got {path!r})")
    if path.split(".", 1)[0] in FROZEN_FIELDS:
        raise input_error(f"the field {path!r} cannot be changed by a partial update")


def parse_change(raw: object) -> Change:
    """Validate one partial update (the single form, or one entry of ``changes``).

    Rules: ``set`` is an object of at most 25 keys (dotted paths allowed) and ``unset`` a list
    of at most 25 dotted paths; no path may appear in both or be a prefix of one in the other;
    ``id``, ``time``, ``foreign_id``, ``origin`` and ``to`` cannot be changed (a documented
    choice; ``to`` has its own endpoint); ``actor``, ``verb``, ``object`` and ``target`` can be
    set (to strings) but not unset.
    """
    if not isinstance(raw, dict):
        raise input_error("a change must be a JSON object")
    to_set = raw.get("set") or {}
    to_unset = raw.get("unset") or []
    if not isinstance(to_set, dict):
        raise field_errors({"set": ["Must be an object."]})
    if not isinstance(to_unset, list) or not all(isinstance(path, str) for path in to_unset):
        raise field_errors({"unset": ["Must be a list of strings."]})
    if len(to_set) > MAX_SET_KEYS:
        raise input_error(f"set can contain at most {MAX_SET_KEYS} keys (got {len(to_set)})")
    if len(to_unset) > MAX_UNSET_KEYS:
        raise input_error(f"unset can contain at most {MAX_UNSET_KEYS} keys (got {len(to_unset)})")
    values = dict(to_set)
    for path in values:
        _check_path(path, "set")
        if path in STRING_FIELDS:
            text = _as_string(values[path])
            if text is None:
                raise field_errors({path: [_STRING_MESSAGE]})
            values[path] = text
    for path in to_unset:
        _check_path(path, "unset")
        if path.split(".", 1)[0] in STRING_FIELDS:
            raise input_error(f"the field {path!r} cannot be unset")
        for key in values:
            if path == key or path.startswith(key + ".") or key.startswith(path + "."):
                raise input_error(f"the keys of set and unset must not collide ({key!r}, {path!r})")
    activity_id = raw.get("id")
    if isinstance(activity_id, str) and activity_id:
        return Change(activity_id, None, None, values, list(to_unset))
    foreign_id = raw.get("foreign_id")
    if isinstance(foreign_id, str) and foreign_id and raw.get("time") is not None:
        return Change(None, foreign_id, parse_time_field(raw["time"]), values, list(to_unset))
    raise input_error("a change needs either id or both foreign_id and time")


def apply_change(data: Mapping[str, Any], change: Change) -> dict[str, Any]:
    """A copy of an activity's fields with ``change`` applied (the stored fields are untouched).

    ``set`` paths create missing intermediate objects; setting through a value that is not an
    object is a 400. ``unset`` paths that do not exist are ignored.
    """
    result: dict[str, Any] = json.loads(json.dumps(data))
    for path, value in change.set.items():
        *parents, leaf = path.split(".")
        node = result
        for part in parents:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                raise input_error(f"cannot set {path!r}: {part!r} is not an object")
            node = child
        node[leaf] = value
    for path in change.unset:
        *parents, leaf = path.split(".")
        target: Any = result
        for part in parents:
            target = target.get(part) if isinstance(target, dict) else None
        if isinstance(target, dict):
            target.pop(leaf, None)
    return result
