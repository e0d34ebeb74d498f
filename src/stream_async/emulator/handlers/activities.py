"""Activity endpoints outside a feed: get by ids, full update, partial update.

Documented choices where the live behaviour is not published: a full update of an
activity that does not exist stores it without adding it to any feed (it can then be read
back with ``GET activities/``); a full update never changes ``to`` (use
``activity_to_targets``); a partial update of an activity that does not exist is a 404
(code 16) and fails the whole batch, and so is a full or partial update of an activity
deleted for a data-privacy request (``activities/`` leaves those out; adding one again
undoes the deletion); aggregated groups keep the group an activity got when it was written.
A batch naming one activity more than once stores it once, with every change applied in
order (and one audit ``update``); a change that leaves an activity as it was is not
audited. Activities read here show ``origin`` null, as they are read outside any feed.

User tokens may read any activity (``activities/``, ``enrich/activities/``) and partially
update only activities whose ``actor`` is their own ``SU:<user_id>``, without setting
another actor (:mod:`~stream_async.emulator.handlers.policies`); a full update takes a
server token.
"""

from __future__ import annotations

from typing import Any

from stream_async.emulator.errors import does_not_exist, field_errors, input_error
from stream_async.emulator.handlers import policies
from stream_async.emulator.handlers.call import Call, Reply, check_size
from stream_async.emulator.handlers.enrichment import Enricher, Flags
from stream_async.emulator.handlers.payloads import (
    Change,
    apply_change,
    parse_activities,
    parse_change,
    parse_time_field,
)
from stream_async.emulator.store import Activity, Draft, Store
from stream_async.emulator.store.ids import foreign_id_activity_id

MAX_IDS = 100
MAX_UPDATES = 100
MAX_CHANGES = 100


def get_activities(store: Store, call: Call) -> Reply:
    """GET activities/ (and enrich/activities/): activities by ``ids``, or by ``foreign_ids``
    with matching ``timestamps``; unknown ones, and ones deleted for a data-privacy request,
    are left out. At most 100 per call.
    ``enrich/activities/`` enriches them."""
    ids = call.values("ids")
    foreign_ids = call.values("foreign_ids")
    if ids:
        check_size(ids, "ids", MAX_IDS)
        found = [store.activity(activity_id) for activity_id in ids]
    elif foreign_ids:
        timestamps = call.values("timestamps")
        check_size(foreign_ids, "foreign_ids", MAX_IDS)
        if len(timestamps) != len(foreign_ids):
            raise input_error("foreign_ids and timestamps must have the same length")
        times = [parse_time_field(value, "timestamps") for value in timestamps]
        found = [store.find(f, t) for f, t in zip(foreign_ids, times, strict=True)]
    else:
        raise input_error("give ids, or foreign_ids and timestamps")
    results = [
        activity.render(None)
        for activity in found
        if activity and not store.is_deleted(activity.id)
    ]
    if call.enriched:
        enricher = Enricher(store, call, Flags.of(call))
        results = [enricher.activity(activity) for activity in results]
    return 200, {"results": results}


def update_activities(store: Store, call: Call) -> Reply:
    """POST activities/: replace whole activities, matched on ``foreign_id`` + ``time``.

    Ids stay the same; fields missing from the update are removed. Up to 100 per call.
    """
    body = call.json_object()
    drafts = parse_activities(body.get("activities"), call.feed_groups, MAX_UPDATES)
    updates: dict[str, tuple[Draft, Activity | None]] = {}
    for index, draft in enumerate(drafts):
        foreign_id = draft.data["foreign_id"]
        if not foreign_id or draft.time is None:
            raise input_error(f"activity {index} needs a foreign_id and a time to be updated")
        existing = store.find(foreign_id, draft.time)
        if existing is not None and store.is_deleted(existing.id):
            raise does_not_exist(f"activity with foreign_id {foreign_id!r} does not exist")
        # The last update of one activity wins: store it once.
        updates.pop(foreign_id_activity_id(foreign_id, draft.time), None)
        updates[foreign_id_activity_id(foreign_id, draft.time)] = (draft, existing)
    for draft, existing in updates.values():
        draft.data.pop("to", None)
        if existing is not None and existing.targets:
            draft.data["to"] = existing.targets
        store.upsert(draft)
    return 201, {}


def _resolve(store: Store, change: Change) -> Activity:
    if change.activity_id is not None:
        activity = store.activity(change.activity_id)
    else:
        assert change.foreign_id is not None
        assert change.time is not None
        activity = store.find(change.foreign_id, change.time)
    if activity is None or store.is_deleted(activity.id):
        reference = change.activity_id or f"foreign_id {change.foreign_id!r}"
        raise does_not_exist(f"activity {reference} does not exist")
    return activity


def partial_update(store: Store, call: Call) -> Reply:
    """POST activity/: ``set``/``unset`` fields of activities, by id or foreign_id + time.

    The single form (``{"id"|"foreign_id"+"time", "set", "unset"}``) answers the updated
    activity; the batch form (``{"changes": [...]}``, at most 100) answers
    ``{"activities": [...]}``. Every change is checked and computed before any is stored;
    with a user token the actor checks (403) come after every change was found (404) and
    validated (400).
    """
    body = call.json_object()
    batch = "changes" in body
    raw_changes = body["changes"] if batch else [body]
    if not isinstance(raw_changes, list):
        raise field_errors({"changes": ["Must be a list of changes."]})
    check_size(raw_changes, "changes", MAX_CHANGES)
    changes = [parse_change(raw) for raw in raw_changes]
    updated: dict[str, dict[str, Any]] = {}
    order: list[Activity] = []
    for change in changes:
        activity = _resolve(store, change)
        updated[activity.id] = apply_change(updated.get(activity.id, activity.data), change)
        order.append(activity)
    for change, activity in zip(changes, order, strict=True):
        policies.check_actor(call, activity.data.get("actor"))
        if "actor" in change.set:
            policies.check_actor(call, change.set["actor"])
    for activity in order:
        activity.data = updated[activity.id]
    for activity in {activity.id: activity for activity in order}.values():
        store.save_data(activity)
    if batch:
        return 201, {"activities": [activity.render(None) for activity in order]}
    return 201, order[0].render(None)
