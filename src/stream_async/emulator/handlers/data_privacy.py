"""Data-privacy endpoints (server tokens only): delete activities, delete reactions, export
a user's ids.

Deleted activities are kept, marked deleted: ``activities/`` (and ``enrich/activities/``)
leave them out at once, while feed reads list them until read with
``discard_deleted_activities=true``, which hides them in every feed whatever
``remove_from_feeds`` said (so ``remove_from_feeds`` is checked but changes nothing more).
Reactions deleted for good go as ``DELETE reaction/<id>/`` takes them (children and
target-feed activities too); soft-deleted ones stay readable and leave filters.

Documented choices where the live behaviour is not published: both deletes answer 200 with
``{}``; unknown activities and reactions are skipped; at most 100 activities or reaction
ids per request; an activity is named by ``id`` or by ``foreign_id`` + ``time``; adding a
deleted activity again (the same id) undoes the deletion, while updating one (full or
partial) is a 404 (code 16), as looking it up by id finds nothing.
Each deletion is audited once, as the activity's ``delete`` by its actor (marking it again,
or its removal from the last feed later, adds no entry); undoing it is audited as a
``create``. The
export lists activities whose ``actor`` is the user id itself (not ``SU:<id>``) and that
are not deleted, by activity time, and the user's reactions (soft-deleted ones too, and
children) in creation order.
"""

from __future__ import annotations

from typing import Any

from stream_async.emulator.errors import field_errors
from stream_async.emulator.handlers.call import (
    Call,
    Reply,
    check_size,
    parse_bool,
    parse_reference,
    split_feed_id,
)
from stream_async.emulator.handlers.payloads import parse_time_field
from stream_async.emulator.handlers.reactions import purge_reaction
from stream_async.emulator.store import Activity, Store

MAX_ACTIVITIES = 100
MAX_REACTIONS = 100


def _list(body: dict[str, Any], name: str, maximum: int) -> list[Any]:
    value = body.get(name)
    if not isinstance(value, list):
        raise field_errors({name: ["Must be a list."]})
    check_size(value, name, maximum)
    return value


def _activity(store: Store, call: Call, item: object, name: str) -> Activity | None:
    if not isinstance(item, dict):
        raise field_errors({name: ["Must be an object."]})
    feeds = item.get("remove_from_feeds", [])
    if not isinstance(feeds, list):
        raise field_errors({f"{name}.remove_from_feeds": ["Must be a list of feed ids."]})
    for feed in feeds:
        split_feed_id(feed, call.feed_groups, f"{name}.remove_from_feeds")
    if item.get("id") is not None:
        return store.activity(parse_reference(item["id"], f"{name}.id"))
    foreign_id = parse_reference(item.get("foreign_id"), f"{name}.foreign_id")
    return store.find(foreign_id, parse_time_field(item.get("time"), f"{name}.time"))


def delete_activities(store: Store, call: Call) -> Reply:
    """POST data_privacy/delete_activities/: ``{"activities": [{"id"} | {"foreign_id",
    "time"}, optional "remove_from_feeds"]}``; marks each stored one deleted."""
    raw = _list(call.json_object(), "activities", MAX_ACTIVITIES)
    found = [_activity(store, call, item, f"activities[{i}]") for i, item in enumerate(raw)]
    for activity in found:
        if activity is not None:
            store.mark_deleted(activity)
    return 200, {}


def delete_reactions(store: Store, call: Call) -> Reply:
    """POST data_privacy/delete_reactions/: ``{"ids": [...], "soft_delete": bool}``."""
    body = call.json_object()
    ids = [parse_reference(value, "ids") for value in _list(body, "ids", MAX_REACTIONS)]
    soft = parse_bool(body.get("soft_delete", False), "soft_delete")
    for reaction_id in ids:
        reaction = store.reaction(reaction_id)
        if reaction is None:
            continue
        if not soft:
            purge_reaction(store, reaction)
        elif reaction.live:
            reaction.deleted_at = store.now()
            store.save_reaction(reaction)
    return 200, {}


def export_ids(store: Store, call: Call) -> Reply:
    """GET data_privacy/export_ids/<user_id> (no trailing slash)."""
    user_id = call.path_params["user_id"]
    activity_ids = store.activities_by_actor(user_id)
    reaction_ids = [reaction.id for reaction in store.reactions_by(user_id)]
    export = {
        "user_id": user_id,
        "activity_count": len(activity_ids),
        "activity_ids": activity_ids,
        "reaction_count": len(reaction_ids),
        "reaction_ids": reaction_ids,
    }
    return 200, {"export": export}
