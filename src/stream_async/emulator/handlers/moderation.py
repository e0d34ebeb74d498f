"""Audit logs and moderation flags (server tokens only).

Audit logs (GET ``audit_logs/``): a filter is required, ``entity_type`` + ``entity_id`` or
``user_id`` (400 code 4 otherwise); every filter given applies. ``entity_type`` is one of
``activity``, ``reaction``, ``user``, ``feed`` (the emulator logs no ``feed`` entries, so that
filter finds nothing). ``limit`` is 1..100 (default 25; anything else is 400 code 4).
Entries come newest first; ``next`` and ``prev`` are opaque cursors (``""`` when there is no
such page, computed by fetching one row more), and a request takes at most one of them. What
is logged, and when, is the store's business (:mod:`stream_async.emulator.store`).

Flags (POST ``moderation/flag``, with or without the trailing slash): ``entity_type`` is
``stream:user``, ``stream:feeds:v2:activity`` or ``stream:feeds:v2:reaction``, ``entity_id``
the user, activity or reaction id, ``user_id`` the reporting user, ``reason`` a non-empty
string, ``custom`` an optional object. Documented choices: flagging an entity the emulator
does not hold is accepted; the answer (201) is ``flag_id``, ``flagged_by``, ``reason``,
``created_at`` and, when the flagged entity is known, ``target_user_id`` (the user, the
activity's actor without ``SU:``, or the reaction's user). Each flag is also an audit-log
entry of the flagged entity (``user``, ``activity`` or ``reaction``) with action ``flag``,
the reporter as ``user_id`` and ``custom`` ``{"flag_id", "reason"}``.
"""

from __future__ import annotations

import base64
import uuid

from stream_async.emulator.errors import field_errors, input_error
from stream_async.emulator.handlers.call import Call, Reply, parse_data, parse_reference
from stream_async.emulator.store import Store
from stream_async.emulator.store.records import FLAGGED_TYPES, Flag

ENTITY_TYPES = ("activity", "reaction", "user", "feed")
"""The ``entity_type`` values an audit-log query takes."""

DEFAULT_LIMIT = 25
MAX_LIMIT = 100


def _cursor(direction: str, sequence: int) -> str:
    return base64.urlsafe_b64encode(f"{direction}:{sequence}".encode()).decode().rstrip("=")


def _position(value: str, name: str, direction: str) -> int:
    """The sequence a ``next`` (``lt``) or ``prev`` (``gt``) cursor points at."""
    try:
        text = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
        given, _, number = text.partition(":")
        if given == direction and number.isdigit():
            return int(number)
    except ValueError:  # not base64, not UTF-8, or not a number
        pass
    raise input_error(f"{name} is not a cursor this endpoint returned")


def query_audit_logs(store: Store, call: Call) -> Reply:
    """GET audit_logs/: one page of entries matching the filters, newest first."""
    filters = {
        name: value
        for name in ("entity_type", "entity_id", "user_id")
        if (value := call.text(name))
    }
    entity_type = filters.get("entity_type")
    if entity_type is not None and entity_type not in ENTITY_TYPES:
        raise input_error(f"entity_type must be one of {', '.join(ENTITY_TYPES)}")
    if not ("user_id" in filters or {"entity_type", "entity_id"} <= filters.keys()):
        raise input_error("give entity_type and entity_id, or user_id")
    limit = call.integer("limit", DEFAULT_LIMIT)
    if not 1 <= limit <= MAX_LIMIT:
        raise input_error(f"limit must be between 1 and {MAX_LIMIT}")
    after, before = call.text("next"), call.text("prev")
    if after and before:
        raise input_error("give at most one of next and prev")
    if before:
        above = _position(before, "prev", "gt")
        rows = store.audit_entries(filters, limit=limit + 1, above=above)
        page = rows[-limit:]
        newer = len(rows) > limit
        older = bool(page) and bool(store.audit_entries(filters, limit=1, below=page[-1].sequence))
    else:
        below = _position(after, "next", "lt") if after else None
        rows = store.audit_entries(filters, limit=limit + 1, below=below)
        page = rows[:limit]
        older = len(rows) > limit
        newer = bool(page) and bool(store.audit_entries(filters, limit=1, above=page[0].sequence))
    return 200, {
        "audit_logs": [entry.render() for entry in page],
        "next": _cursor("lt", page[-1].sequence) if older else "",
        "prev": _cursor("gt", page[0].sequence) if newer else "",
    }


def _target_user(store: Store, entity_type: str, entity_id: str) -> str | None:
    if entity_type == "stream:user":
        return entity_id
    if entity_type == "stream:feeds:v2:activity":
        activity = store.activity(entity_id)
        return None if activity is None else str(activity.data["actor"]).removeprefix("SU:")
    reaction = store.reaction(entity_id)
    return None if reaction is None else reaction.user_id


def flag(store: Store, call: Call) -> Reply:
    """POST moderation/flag: flag a user, an activity or a reaction for moderation."""
    body = call.json_object()
    entity_type = body.get("entity_type")
    if entity_type not in FLAGGED_TYPES:
        raise field_errors({"entity_type": [f"Must be one of {', '.join(FLAGGED_TYPES)}."]})
    entity_id = parse_reference(body.get("entity_id"), "entity_id")
    user_id = parse_reference(body.get("user_id"), "user_id")
    reason = body.get("reason")
    if not isinstance(reason, str) or not reason:
        raise field_errors({"reason": ["This field is required and must be a non-empty string."]})
    custom = parse_data(body.get("custom"), "custom")
    target = _target_user(store, entity_type, entity_id)
    flagged = Flag(
        str(uuid.uuid4()), entity_type, entity_id, user_id, reason, custom, target, store.now()
    )
    store.save_flag(flagged)
    return 201, flagged.render()
