"""Every read of the emulator's state the inspector makes, in one place.

Each function takes the :class:`~stream_async.emulator.store.Store` and returns plain frozen
dataclasses (view models) that the pages render; pages and templates never touch the store.
Nothing here writes: a feed that was never written is shown empty rather than created.

The functions are synchronous and never await, so, called from the server's event loop, each
one reads a consistent state (no write can run in the middle of it; see
:mod:`stream_async.emulator.store`). Pages must therefore be ``async`` endpoints: Starlette
runs plain functions in a thread, where a read could overlap a write.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from stream_async.emulator.ids import sort_key
from stream_async.emulator.records import Reaction
from stream_async.emulator.store import Activity, Feed, Group, Store
from stream_async.emulator.timeutil import format_time, format_time_z

PAGE_SIZE = 25
"""Activities (or groups) per feed page: the API's default ``limit``."""

MAX_REACTIONS = 200
"""Reactions listed at most on the reactions page (the newest; the total is shown)."""

_SHOWN_FIELDS = ("id", "time", "actor", "verb", "object", "foreign_id", "origin", "to")


def as_json(value: Any) -> str:
    """``value`` as indented JSON with sorted keys (non-JSON values printed with ``str``)."""
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, default=str)


# -- overview ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedGroupView:
    """A configured feed group."""

    slug: str
    kind: str


@dataclass(frozen=True)
class FeedSummary:
    """One feed on the overview."""

    feed_id: str
    slug: str
    user_id: str
    kind: str
    activity_count: int
    follower_count: int
    following_count: int


@dataclass(frozen=True)
class Totals:
    """How much the app holds."""

    activities: int
    feeds: int
    users: int
    collections: int
    collection_objects: int
    reactions: int
    files: int


@dataclass(frozen=True)
class Overview:
    """The feed groups, every feed that holds or follows something, and the totals."""

    groups: tuple[FeedGroupView, ...]
    feeds: tuple[FeedSummary, ...]
    totals: Totals


def overview(store: Store) -> Overview:
    """Reads ``store.feed_groups``, ``store.feeds`` (each ``Feed.entries``),
    ``store.followers``, ``store.following``, and the sizes of ``store.activities``,
    ``store.users``, ``store.collections``, ``store.reactions`` and ``store.files``."""
    feed_ids = sorted({*store.feeds, *store.followers, *store.following})
    feeds = tuple(
        FeedSummary(
            feed_id=feed_id,
            slug=feed_id.partition(":")[0],
            user_id=feed_id.partition(":")[2],
            kind=_kind(store, feed_id),
            activity_count=len(store.feeds[feed_id].entries) if feed_id in store.feeds else 0,
            follower_count=len(store.followers.get(feed_id, {})),
            following_count=len(store.following.get(feed_id, {})),
        )
        for feed_id in feed_ids
    )
    totals = Totals(
        activities=len(store.activities),
        feeds=len(feeds),
        users=len(store.users),
        collections=len(store.collections),
        collection_objects=sum(len(objects) for objects in store.collections.values()),
        reactions=len(store.reactions),
        files=len(store.files),
    )
    groups = tuple(FeedGroupView(slug, group.kind) for slug, group in store.feed_groups.items())
    return Overview(groups=groups, feeds=feeds, totals=totals)


def _kind(store: Store, feed_id: str) -> str:
    group = store.feed_groups.get(feed_id.partition(":")[0])
    return "unknown" if group is None else group.kind


@dataclass(frozen=True)
class SearchHit:
    """A search result: what matched, and the inspector path (under its root) that shows it."""

    label: str
    path: str


def search(store: Store, query: str) -> tuple[SearchHit, ...]:
    """Feeds whose id contains ``query`` (``slug/user`` is read as ``slug:user``), the
    activity whose id it is, and the activities whose ``foreign_id`` it is.

    Reads ``store.feeds``, ``store.followers``, ``store.following`` (their keys) and
    ``store.activities``.
    """
    query = query.strip()
    if not query:
        return ()
    needle = query.replace("/", ":")
    hits = [
        SearchHit(f"feed {feed_id}", feed_path(feed_id))
        for feed_id in sorted({*store.feeds, *store.followers, *store.following})
        if needle in feed_id
    ]
    if query in store.activities:
        hits.append(SearchHit(f"activity {query}", activity_path(query)))
    hits += [
        SearchHit(f"activity {activity.id} (foreign_id {query})", activity_path(activity.id))
        for activity in store.activities.values()
        if activity.data.get("foreign_id") == query
    ]
    return tuple(hits)


def feed_path(feed_id: str) -> str:
    """The inspector path of a feed ``slug:user_id``."""
    slug, _, user_id = feed_id.partition(":")
    return f"/feeds/{quote(slug, safe='')}/{quote(user_id, safe='')}"


def activity_path(activity_id: str) -> str:
    """The inspector path of an activity."""
    return f"/activities/{quote(activity_id, safe='')}"


# -- a feed -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActivityRow:
    """An activity as a feed shows it; ``extra`` holds the other fields as JSON (or ""),
    ``target`` among them unless it is empty (as the API stores it when none was given)."""

    id: str
    time: str
    actor: str
    verb: str
    object: str
    foreign_id: str
    origin: str | None
    to: tuple[str, ...]
    extra: str
    extra_count: int


@dataclass(frozen=True)
class GroupView:
    """A group of an aggregated or notification feed (seen/read: notification feeds only)."""

    id: str
    name: str
    verb: str
    activity_count: int
    actor_count: int
    updated_at: str
    is_seen: bool | None
    is_read: bool | None
    activities: tuple[ActivityRow, ...]


@dataclass(frozen=True)
class FeedView:
    """One page of a feed, newest first, with who follows it and whom it follows.

    Flat feeds fill ``activities``, the others ``groups``; ``next_id_lt`` is the ``id_lt`` of
    the next page, None on the last one.
    """

    feed_id: str
    slug: str
    user_id: str
    kind: str
    activity_count: int
    activities: tuple[ActivityRow, ...]
    groups: tuple[GroupView, ...]
    next_id_lt: str | None
    followers: tuple[str, ...]
    following: tuple[str, ...]


def feed(store: Store, slug: str, user_id: str, *, id_lt: str | None = None) -> FeedView | None:
    """A page of the feed ``slug:user_id`` before ``id_lt``; None when ``slug`` is not a
    configured feed group. Raises ValueError when ``id_lt`` is not an activity id.

    Reads ``store.feed_groups``, ``store.feeds[feed_id]`` (``order``, ``entries``,
    ``groups_newest_first()``, ``origin()``), ``store.activities``, ``store.followers`` and
    ``store.following``.
    """
    group = store.feed_groups.get(slug)
    if group is None:
        return None
    bound = sort_key(id_lt) if id_lt else None
    feed_id = f"{slug}:{user_id}"
    stored = store.feeds.get(feed_id)
    rows: tuple[ActivityRow, ...] = ()
    groups: tuple[GroupView, ...] = ()
    next_id_lt = None
    if stored is not None and group.kind == "flat":
        keys = [key for key in reversed(stored.order) if bound is None or key < bound]
        page = keys[: PAGE_SIZE + 1]
        rows = tuple(_row(store.activities[key[1]], stored) for key in page[:PAGE_SIZE])
        next_id_lt = rows[-1].id if len(page) > PAGE_SIZE else None
    elif stored is not None:
        selected = _groups_before(stored, id_lt)
        groups = tuple(_group(store, stored, item) for item in selected[:PAGE_SIZE])
        next_id_lt = groups[-1].id if len(selected) > PAGE_SIZE else None
    return FeedView(
        feed_id=feed_id,
        slug=slug,
        user_id=user_id,
        kind=group.kind,
        activity_count=0 if stored is None else len(stored.entries),
        activities=rows,
        groups=groups,
        next_id_lt=next_id_lt,
        followers=tuple(sorted(store.followers.get(feed_id, {}))),
        following=tuple(sorted(store.following.get(feed_id, {}))),
    )


def _row(activity: Activity, holder: Feed) -> ActivityRow:
    data = activity.data
    extra = {
        name: value
        for name, value in data.items()
        if name not in _SHOWN_FIELDS and (value or name != "target")
    }
    return ActivityRow(
        id=activity.id,
        time=format_time(activity.time),
        actor=str(data.get("actor", "")),
        verb=str(data.get("verb", "")),
        object=str(data.get("object", "")),
        foreign_id=str(data.get("foreign_id") or ""),
        origin=holder.origin(activity.id),
        to=tuple(activity.targets),
        extra=as_json(extra) if extra else "",
        extra_count=len(extra),
    )


def _group_id(holder: Feed, group: Group) -> str:
    """The group's id as the API gives it (notification ids add ``.<group name>``)."""
    if holder.config.kind == "notification":
        return f"{group.newest_id}.{group.name}"
    return group.newest_id


def _groups_before(holder: Feed, id_lt: str | None) -> list[Group]:
    """The groups after the cursor ``id_lt`` (a group id, or else any id compared by time)."""
    groups = holder.groups_newest_first()
    if not id_lt:
        return groups
    ids = [_group_id(holder, group) for group in groups]
    if id_lt in ids:
        return groups[ids.index(id_lt) + 1 :]
    bound = sort_key(id_lt)
    return [group for group in groups if sort_key(group.newest_id) < bound]


def _group(store: Store, holder: Feed, group: Group) -> GroupView:
    activities = [store.activities[key[1]] for key in sorted(group.keys, reverse=True)]
    notification = holder.config.kind == "notification"
    return GroupView(
        id=_group_id(holder, group),
        name=group.name,
        verb=str(activities[0].data.get("verb", "")),
        activity_count=len(activities),
        actor_count=len({str(activity.data.get("actor")) for activity in activities}),
        updated_at=format_time(group.updated_at),
        is_seen=group.is_seen if notification else None,
        is_read=group.is_read if notification else None,
        activities=tuple(_row(activity, holder) for activity in activities),
    )


# -- an activity ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Placement:
    """How an activity reached a feed: ``direct`` (added to it), ``to`` (added to ``source``
    with this feed in ``to``) or ``fan-out`` (from ``source``, which this feed follows)."""

    feed_id: str
    how: str
    source: str | None


@dataclass(frozen=True)
class ReactionNode:
    """A reaction with its children, oldest first."""

    id: str
    kind: str
    user_id: str
    created_at: str
    deleted: bool
    data: str
    children: tuple[ReactionNode, ...]


@dataclass(frozen=True)
class ActivityDetail:
    """An activity: every field as JSON, where it is and why, and its reactions."""

    id: str
    json: str
    placements: tuple[Placement, ...]
    reactions: tuple[ReactionNode, ...]


_HOW = {"direct": "direct", "to": "to", "follow": "fan-out"}


def activity(store: Store, activity_id: str) -> ActivityDetail | None:
    """The activity ``activity_id`` (None when there is none).

    Reads ``store.activities``, ``store.feeds`` (each ``Feed.entries``: the paths that
    brought the activity), ``store.activity_reactions`` and ``store.reactions``
    (``Reaction.children``).
    """
    stored = store.activities.get(activity_id)
    if stored is None:
        return None
    placements = tuple(
        Placement(feed_id, _HOW[kind], source or None)
        for feed_id, holder in sorted(store.feeds.items())
        for kind, source in holder.entries.get(activity_id, ())
    )
    reactions = tuple(
        _reaction_node(store, store.reactions[reaction_id])
        for reaction_id in store.activity_reactions.get(activity_id, ())
    )
    return ActivityDetail(
        id=stored.id,
        json=as_json({**stored.data, "id": stored.id, "time": format_time(stored.time)}),
        placements=placements,
        reactions=reactions,
    )


def _reaction_node(store: Store, reaction: Reaction) -> ReactionNode:
    return ReactionNode(
        id=reaction.id,
        kind=reaction.kind,
        user_id=reaction.user_id,
        created_at=format_time_z(reaction.created_at),
        deleted=not reaction.live,
        data=as_json(reaction.data),
        children=tuple(
            _reaction_node(store, store.reactions[child]) for child in reaction.children
        ),
    )


# -- users, collections, reactions, files -----------------------------------------------------


@dataclass(frozen=True)
class UserRow:
    """A user and its data as JSON."""

    id: str
    data: str
    created_at: str
    updated_at: str


def users(store: Store) -> tuple[UserRow, ...]:
    """Every user, by id. Reads ``store.users``."""
    return tuple(
        UserRow(
            user.id,
            as_json(user.data),
            format_time_z(user.created_at),
            format_time_z(user.updated_at),
        )
        for _, user in sorted(store.users.items())
    )


@dataclass(frozen=True)
class ObjectRow:
    """A collection object; ``user_id`` is who added it (None: a server token)."""

    id: str
    data: str
    user_id: str | None
    created_at: str
    updated_at: str


@dataclass(frozen=True)
class CollectionView:
    """A collection and its objects, by id."""

    name: str
    objects: tuple[ObjectRow, ...]


def collections(store: Store) -> tuple[CollectionView, ...]:
    """Every collection, by name, with its objects. Reads ``store.collections``."""
    return tuple(
        CollectionView(
            name,
            tuple(
                ObjectRow(
                    item.id,
                    as_json(item.data),
                    item.user_id,
                    format_time_z(item.created_at),
                    format_time_z(item.updated_at),
                )
                for _, item in sorted(objects.items())
            ),
        )
        for name, objects in sorted(store.collections.items())
    )


@dataclass(frozen=True)
class ReactionRow:
    """A reaction on the reactions page (``parent`` is "" for a top-level reaction)."""

    id: str
    kind: str
    user_id: str
    activity_id: str
    parent: str
    data: str
    created_at: str
    deleted: bool
    children: int


@dataclass(frozen=True)
class ReactionList:
    """The newest matching reactions (at most :data:`MAX_REACTIONS`) and how many match."""

    reactions: tuple[ReactionRow, ...]
    total: int


def reactions(
    store: Store, *, kind: str = "", user_id: str = "", activity_id: str = ""
) -> ReactionList:
    """Reactions, newest first, filtered by each of ``kind``, ``user_id`` and
    ``activity_id`` that is not empty. Reads ``store.reactions``."""
    matching = sorted(
        (
            reaction
            for reaction in store.reactions.values()
            if (not kind or reaction.kind == kind)
            and (not user_id or reaction.user_id == user_id)
            and (not activity_id or reaction.activity_id == activity_id)
        ),
        key=lambda reaction: reaction.sequence,
        reverse=True,
    )
    rows = tuple(
        ReactionRow(
            id=reaction.id,
            kind=reaction.kind,
            user_id=reaction.user_id,
            activity_id=reaction.activity_id,
            parent=reaction.parent,
            data=as_json(reaction.data),
            created_at=format_time_z(reaction.created_at),
            deleted=not reaction.live,
            children=len(reaction.children),
        )
        for reaction in matching[:MAX_REACTIONS]
    )
    return ReactionList(rows, len(matching))


@dataclass(frozen=True)
class FileRow:
    """An upload; ``path`` is where the emulator serves it (relative to its root)."""

    path: str
    filename: str
    content_type: str
    size: int
    image: bool
    owner: str | None


def files(store: Store) -> tuple[FileRow, ...]:
    """Every upload, in upload order. Reads ``store.files``."""
    return tuple(
        FileRow(
            path=f"/uploads/{token}/{quote(stored.filename)}",
            filename=stored.filename,
            content_type=stored.content_type,
            size=len(stored.data),
            image=stored.image,
            owner=stored.owner,
        )
        for token, stored in store.files.items()
    )
