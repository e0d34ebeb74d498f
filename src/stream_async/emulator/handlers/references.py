"""How stored things are rendered where they are referenced: users, collection objects and
reactions (with their children), and the ``ReferenceNotFound`` object that stands in for a
missing one (§3.3, §3.4 of the API semantics).

Documented choices: a reaction's ``user`` for a user that does not exist is the
``ReferenceNotFound`` object of ``SU:<user_id>``; ``latest_children`` and ``children_counts``
leave soft-deleted children out, and ``children_counts`` drops kinds that reach 0.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from stream_async.emulator.store import Store
from stream_async.emulator.store.records import Reaction
from stream_async.emulator.store.time import format_time_z

LATEST_CHILDREN = 10
"""How many of a reaction's newest children ``latest_children`` shows, all kinds together."""


def not_found(reference: str, reference_type: str, id: str, **extra: str) -> dict[str, Any]:
    """What a reference to something missing is enriched into."""
    return {
        "error": "ReferenceNotFound",
        "reference": reference,
        "reference_type": reference_type,
        "id": id,
        **extra,
    }


def user_object(store: Store, user_id: str) -> dict[str, Any]:
    """The user ``SU:<user_id>`` refers to, or its ``ReferenceNotFound`` object."""
    user = store.user(user_id)
    if user is None:
        return not_found(f"SU:{user_id}", "user", user_id)
    return user.render()


def collection_object(store: Store, reference: str) -> dict[str, Any]:
    """The object ``SO:<collection>:<id>`` refers to (``reference`` is the part after ``SO:``),
    or its ``ReferenceNotFound`` object."""
    collection, _, object_id = reference.partition(":")
    stored = store.collection_object(collection, object_id)
    if stored is None:
        return not_found(f"SO:{reference}", "object", object_id, collection=collection)
    return stored.render()


def live_children(store: Store, reaction: Reaction) -> list[Reaction]:
    """A reaction's children that are not soft-deleted, newest first."""
    return [child for child in reversed(store.children(reaction.id)) if child.live]


def by_kind(
    store: Store, reactions: Iterable[Reaction], per_kind: int | None = None
) -> dict[str, list[dict[str, Any]]]:
    """Reactions grouped by kind, in the order given, at most ``per_kind`` of each kind."""
    grouped: dict[str, list[dict[str, Any]]] = {}
    for reaction in reactions:
        group = grouped.setdefault(reaction.kind, [])
        if per_kind is None or len(group) < per_kind:
            group.append(render_reaction(store, reaction))
    return grouped


def render_reaction(
    store: Store, reaction: Reaction, *, own_user: str | None = None, own_limit: int = 5
) -> dict[str, Any]:
    """A reaction as the API returns it (§3.4), with ``own_children`` (``own_limit`` per kind)
    when ``own_user`` is given.

    ``target_feeds`` is there only when the reaction has target feeds (an empty list leaves
    it out); ``target_feeds_extra_data`` never is: only the add and update responses echo it
    (:mod:`stream_async.emulator.handlers.reactions`).
    """
    children = live_children(store, reaction)
    counts: dict[str, int] = {}
    for child in children:
        counts[child.kind] = counts.get(child.kind, 0) + 1
    body: dict[str, Any] = {
        "id": reaction.id,
        "kind": reaction.kind,
        "activity_id": reaction.activity_id,
        "user_id": reaction.user_id,
        "user": user_object(store, reaction.user_id),
        "data": reaction.data,
        "parent": reaction.parent,
        "created_at": format_time_z(reaction.created_at),
        "updated_at": format_time_z(reaction.updated_at),
        "latest_children": by_kind(store, children[:LATEST_CHILDREN]),
        "children_counts": counts,
    }
    if reaction.target_feeds:
        body["target_feeds"] = list(reaction.target_feeds)
    if reaction.deleted_at is not None:
        body["deleted_at"] = format_time_z(reaction.deleted_at)
    if own_user is not None:
        own = (child for child in children if child.user_id == own_user)
        body["own_children"] = by_kind(store, own, own_limit)
    return body
