"""Reaction endpoints: add (to an activity, or as a child of a reaction), get, get many,
update, delete (hard or soft), restore and filter (§3.4 of the API semantics).

A reaction with ``target_feeds`` also adds an activity to each of those feeds (and so to
their followers): ``actor`` ``SU:<user_id>``, ``verb`` the kind, ``object``
``SA:<activity_id>``, ``foreign_id`` ``reaction:<id>``, ``time`` the reaction's creation time,
``reaction`` ``SR:<id>``, plus ``target_feeds_extra_data``. Updating ``target_feeds`` moves
that activity; deleting the reaction removes it.

Documented choices where the live behaviour is not published: ``activity_id`` is any non-empty
string of at most 255 characters (the activity need not exist); a child takes its parent's
``activity_id``; reaction ids given by clients are strings of at most 255 characters;
``target_feeds_extra_data`` cannot override the fields above nor carry ``to``; with a user
token, updating, deleting or restoring another user's reaction is a 403 (after the 404 of a
missing one, or of a live one to restore, and after the 400 of a bad body), a ``user_id``
naming another user is a 400, and ``target_feeds`` follow the ``to`` rules of
:mod:`~stream_async.emulator.handlers.policies`; deleting a reaction deletes its children (each
keeps only its place, as a filter bound); soft deletion keeps the target-feed activities;
``get_many`` leaves soft-deleted reactions out unless ``include_deleted`` is true and takes at
most 100 ids; restore answers 201; ``id_lt``/``id_lte`` cannot be combined with
``id_gt``/``id_gte`` in a filter (see :func:`filter_reactions` for bounds naming deleted
reactions or none), and the ``user_id`` lookup lists children too.

Response details (§6 of the notes on more endpoints): ``target_feeds`` appears only when the
reaction has target feeds; ``target_feeds_extra_data`` appears only in the add and update
responses, and only when that request's body carried it (never in reads, filters, reactions
inside activities, nor in the ``reaction`` of a target-feed activity, where its keys are
top-level fields of the activity instead). A filter's ``next`` is ``""`` as soon as no
reaction follows the page, even when the page is full: one reaction more than the page is
read to decide.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

from stream_async.emulator.errors import conflict, does_not_exist, field_errors, input_error
from stream_async.emulator.handlers import policies
from stream_async.emulator.handlers.call import (
    COMPARE,
    Call,
    Reply,
    check_size,
    parse_data,
    parse_reference,
)
from stream_async.emulator.handlers.enrichment import Enricher, Flags
from stream_async.emulator.handlers.payloads import parse_activity, parse_targets
from stream_async.emulator.handlers.references import not_found, render_reaction
from stream_async.emulator.store import Draft, Position, Store
from stream_async.emulator.store.ids import foreign_id_activity_id, id_time_micros
from stream_async.emulator.store.records import Reaction
from stream_async.emulator.store.time import format_time

MAX_DEPTH = 3
"""Reactions nest at most this deep (a reaction, its child and its grandchild)."""
FILTER_LIMIT = 10
FILTER_MAX_LIMIT = 25
MAX_GET_MANY = 100
LOOKUPS = ("activity_id", "user_id", "reaction_id")
_ONE_OF = "one of activity_id or parent must not be empty"
_NOT_PROPAGATED = frozenset({"api_key", "limit", *COMPARE})


def _find(store: Store, call: Call) -> Reaction:
    reaction_id = call.path_params["reaction_id"]
    reaction = store.reaction(reaction_id)
    if reaction is None:
        raise does_not_exist(f"reaction {reaction_id} does not exist")
    return reaction


def _depth(store: Store, reaction: Reaction) -> int:
    depth = 1
    while reaction.parent:
        parent = store.reaction(reaction.parent)
        assert parent is not None
        reaction = parent
        depth += 1
    return depth


def _target_fields(
    call: Call, body: dict[str, Any]
) -> tuple[list[str] | None, dict[str, Any] | None]:
    """``target_feeds`` and ``target_feeds_extra_data`` of a body (None when absent)."""
    raw = body.get("target_feeds")
    targets = None if raw is None else parse_targets(raw, call.feed_groups, "target_feeds")
    extra = body.get("target_feeds_extra_data")
    if extra is not None and not isinstance(extra, dict):
        raise field_errors({"target_feeds_extra_data": ["Must be an object."]})
    return targets, extra


def _target_draft(call: Call, reaction: Reaction) -> Draft:
    """The activity a reaction puts in its target feeds (validated)."""
    extra = reaction.target_feeds_extra_data or {}
    fields = {
        **{key: value for key, value in extra.items() if key != "to"},
        "actor": f"SU:{reaction.user_id}",
        "verb": reaction.kind,
        "object": f"SA:{reaction.activity_id}",
        "foreign_id": f"reaction:{reaction.id}",
        "time": format_time(reaction.created_at),
        "reaction": f"SR:{reaction.id}",
    }
    return parse_activity(fields, call.feed_groups)


def _target_activity_id(reaction: Reaction) -> str:
    return foreign_id_activity_id(f"reaction:{reaction.id}", reaction.created_at)


def _move_targets(store: Store, reaction: Reaction, previous: list[str], draft: Draft) -> None:
    """Put the reaction's activity in its target feeds and take it out of ``previous`` ones
    no longer listed."""
    current = reaction.target_feeds or []
    for feed_id in current:
        store.add(feed_id, draft)
    for feed_id in previous:
        if feed_id not in current:
            store.remove(feed_id, _target_activity_id(reaction))


def _echo(store: Store, reaction: Reaction, extra: dict[str, Any] | None) -> dict[str, Any]:
    """The add or update response: the reaction, plus ``target_feeds_extra_data`` when the
    request gave it."""
    body = render_reaction(store, reaction)
    if extra is not None:
        body["target_feeds_extra_data"] = extra
    return body


def add_reaction(store: Store, call: Call) -> Reply:
    """POST reaction/: a reaction to ``activity_id``, or a child of ``parent`` (exactly one).

    ``id`` may be given (409 if taken; otherwise a UUIDv4); ``data`` defaults to ``{}``.
    """
    body = call.json_object()
    kind = parse_reference(body.get("kind"), "kind")
    user_id = call.acting_user(body.get("user_id"))
    data = parse_data(body.get("data"))
    reaction_id = body.get("id")
    if reaction_id is None:
        reaction_id = str(uuid.uuid4())
    elif store.reaction(parse_reference(reaction_id, "id")) is not None:
        raise conflict(f"a reaction with id {reaction_id!r} already exists")
    activity_id, parent_id = body.get("activity_id"), body.get("parent")
    if bool(activity_id) == bool(parent_id):
        raise field_errors({"activity_id": [_ONE_OF], "parent": [_ONE_OF]})
    parent = None
    if parent_id:
        parent = store.reaction(parse_reference(parent_id, "parent"))
        if parent is None:
            raise input_error(f"parent reaction {parent_id!r} does not exist")
        if _depth(store, parent) >= MAX_DEPTH:
            raise input_error(f"reactions can be nested at most {MAX_DEPTH} levels deep")
        activity_id = parent.activity_id
    else:
        activity_id = parse_reference(activity_id, "activity_id")
    targets, extra = _target_fields(call, body)
    now = store.now()
    reaction = Reaction(
        id=reaction_id,
        kind=kind,
        activity_id=activity_id,
        user_id=user_id,
        data=data,
        parent=parent.id if parent else "",
        created_at=now,
        updated_at=now,
        sequence=store.next_sequence(),
        target_feeds=targets,
        target_feeds_extra_data=extra,
    )
    draft = _target_draft(call, reaction)
    policies.check_targets(call, targets or [])
    store.save_reaction(reaction)
    _move_targets(store, reaction, [], draft)
    return 201, _echo(store, reaction, extra)


def get_reaction(store: Store, call: Call) -> Reply:
    """GET reaction/{id}/: one reaction (soft-deleted ones too, with ``deleted_at``)."""
    return 200, render_reaction(store, _find(store, call))


def get_many(store: Store, call: Call) -> Reply:
    """GET reaction/get_many/?ids=a,b: the reactions found, in the order asked."""
    ids = call.values("ids")
    if not ids:
        raise input_error("ids is required")
    check_size(ids, "ids", MAX_GET_MANY)
    include_deleted = call.flag("include_deleted")
    found = (store.reaction(reaction_id) for reaction_id in ids)
    results = [
        render_reaction(store, reaction)
        for reaction in found
        if reaction is not None and (reaction.live or include_deleted)
    ]
    return 200, {"results": results}


def update_reaction(store: Store, call: Call) -> Reply:
    """PUT reaction/{id}/: change ``data``, ``target_feeds``, ``target_feeds_extra_data``
    (null or absent: unchanged). The target-feed activity moves with ``target_feeds``."""
    reaction = _find(store, call)
    body = call.json_object()
    data = None if body.get("data") is None else parse_data(body["data"])
    targets, extra = _target_fields(call, body)
    changed = replace(
        reaction,
        data=reaction.data if data is None else data,
        target_feeds=reaction.target_feeds if targets is None else targets,
        target_feeds_extra_data=reaction.target_feeds_extra_data if extra is None else extra,
    )
    draft = _target_draft(call, changed)
    call.check_owner(reaction.user_id)
    policies.check_targets(call, targets or [])
    previous = reaction.target_feeds or []
    reaction.data = changed.data
    reaction.target_feeds = changed.target_feeds
    reaction.target_feeds_extra_data = changed.target_feeds_extra_data
    reaction.updated_at = store.now()
    store.save_reaction(reaction)
    _move_targets(store, reaction, previous, draft)
    return 201, _echo(store, reaction, extra)


def _purge(store: Store, reaction: Reaction) -> None:
    for child in store.children(reaction.id):
        _purge(store, child)
    for feed_id in reaction.target_feeds or []:
        store.remove(feed_id, _target_activity_id(reaction))
    store.delete_reaction(reaction.id)


def delete_reaction(store: Store, call: Call) -> Reply:
    """DELETE reaction/{id}/: delete it and its children (``soft=true``: mark it deleted)."""
    reaction = _find(store, call)
    soft = call.flag("soft")
    call.check_owner(reaction.user_id)
    if soft:
        reaction.deleted_at = store.now()
        store.save_reaction(reaction)
    else:
        _purge(store, reaction)
    return 200, {}


def restore_reaction(store: Store, call: Call) -> Reply:
    """PUT reaction/{id}/restore/: undo a soft delete (404 when it is not deleted)."""
    reaction = _find(store, call)
    if reaction.live:
        raise does_not_exist(f"reaction {reaction.id} is not deleted")
    call.check_owner(reaction.user_id)
    reaction.deleted_at = None
    store.save_reaction(reaction)
    return 201, {}


def _bound(store: Store, value: str) -> Position | None:
    """Where an ``id_*`` bound sits among reactions (see :func:`filter_reactions`), or None
    when it cannot be placed."""
    position = store.reaction_position(value)
    if position is not None:
        return position
    try:
        parsed = uuid.UUID(value)
    except ValueError:
        return None
    return (id_time_micros(value), None) if parsed.version == 1 else None


def _bounds(store: Store, call: Call) -> dict[str, Position | None]:
    return {name: _bound(store, value) for name in COMPARE if (value := call.text(name))}


def _next_link(call: Call, last_id: str, limit: int, descending: bool) -> str:
    params = [("api_key", call.api_key), ("id_lt" if descending else "id_gt", last_id)]
    params.append(("limit", str(limit)))
    params += [(k, v) for k, v in call.query if k not in _NOT_PROPAGATED]
    return f"{call.path}?{urlencode(params)}"


def filter_reactions(store: Store, call: Call) -> Reply:
    """GET reaction/{activity_id|user_id|reaction_id}/{value}/[{kind}/]: a page of reactions.

    Newest first (``id_lt``/``id_lte``), or oldest first after ``id_gt``/``id_gte``; ``limit``
    defaults to 10 and is clamped at 25; soft-deleted reactions are hidden. Options:
    ``with_activity_data`` (activity lookups: the enriched activity), ``with_own_children``
    (``own_children`` of the token's user, ``children_user_id`` or ``user_id``).

    Reactions are ordered by creation time (ties, which the emulator's strictly increasing
    clock does not produce, by insertion). An ``id_*`` bound naming a reaction (of any
    lookup, soft-deleted too, or deleted for good since: the store keeps a deleted
    reaction's place, never its data) stands for its exact place, so a walk whose cursor was
    deleted between pages neither skips nor repeats. A bound naming no reaction ever stored
    is not an error (a documented choice): a version-1 UUID (an activity id, say) stands for
    the time it carries, compared with creation times; any other id cannot be placed and the
    page is empty with ``next`` ``""``.
    """
    lookup, value = call.path_params["lookup"], call.path_params["value"]
    if lookup not in LOOKUPS:
        raise input_error(f"reactions can be looked up by {', '.join(LOOKUPS)}, not {lookup!r}")
    bounds = _bounds(store, call)
    descending = not any(name.startswith("id_gt") for name in bounds)
    if not descending and any(name.startswith("id_lt") for name in bounds):
        raise input_error("id_lt/id_lte cannot be combined with id_gt/id_gte")
    limit = call.integer("limit", FILTER_LIMIT, maximum=FILTER_MAX_LIMIT)
    placed = {name: bound for name, bound in bounds.items() if bound is not None}
    matching = (
        store.reaction_page(
            lookup,
            value,
            kind=call.path_params.get("kind"),
            bounds=placed,
            descending=descending,
            limit=limit + 1,
        )
        if len(placed) == len(bounds)
        else []
    )
    page = matching[:limit]
    own_user = None
    if call.any_flag("with_own_children", "withOwnChildren"):
        own_user = call.user_id or call.text("children_user_id") or call.text("user_id")
    body: dict[str, Any] = {
        "results": [render_reaction(store, reaction, own_user=own_user) for reaction in page],
        "next": _next_link(call, page[-1].id, limit, descending)
        if page and len(matching) > limit
        else "",
    }
    if lookup == "activity_id" and call.flag("with_activity_data"):
        activity = store.activity(value)
        if activity is None:
            body["activity"] = not_found(f"SA:{value}", "activity", value)
        else:
            enricher = Enricher(store, call, Flags.of(call, everything=True))
            body["activity"] = enricher.activity(activity.render(None))
    return 200, body


def purge_reaction(store: Store, reaction: Reaction) -> None:
    """Delete a reaction for good, as ``DELETE reaction/<id>/`` does: its children, its
    target-feed activities and itself."""
    _purge(store, reaction)
