"""Every read of the emulator's state the inspector makes, in one place.

Each function takes the store's read-only interface
(:class:`~stream_async.emulator.store.StateQueries`, SQL over its database) and returns plain
frozen dataclasses (view models) that the pages render; pages and templates never touch the
store.
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

from stream_async.emulator.store import Entry, Group, Position, StateQueries
from stream_async.emulator.store.ids import id_time_micros, sort_key
from stream_async.emulator.store.records import Reaction
from stream_async.emulator.store.time import format_time, format_time_z

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


def overview(store: StateQueries) -> Overview:
    """Reads ``feed_groups``, ``feed_summaries()``, ``activity_count()``, ``users()``,
    ``collection_objects()``, ``reaction_count()`` and ``file_summaries()``."""
    feeds = tuple(
        FeedSummary(
            feed_id=summary.feed_id,
            slug=summary.feed_id.partition(":")[0],
            user_id=summary.feed_id.partition(":")[2],
            kind=_kind(store, summary.feed_id),
            activity_count=summary.activities,
            follower_count=summary.followers,
            following_count=summary.following,
        )
        for summary in store.feed_summaries()
    )
    objects = store.collection_objects()
    totals = Totals(
        activities=store.activity_count(),
        feeds=len(feeds),
        users=len(store.users()),
        collections=len({item.collection for item in objects}),
        collection_objects=len(objects),
        reactions=store.reaction_count(),
        files=len(store.file_summaries()),
    )
    groups = tuple(FeedGroupView(slug, group.kind) for slug, group in store.feed_groups.items())
    return Overview(groups=groups, feeds=feeds, totals=totals)


def _kind(store: StateQueries, feed_id: str) -> str:
    group = store.feed_groups.get(feed_id.partition(":")[0])
    return "unknown" if group is None else group.kind


@dataclass(frozen=True)
class SearchHit:
    """A search result: what matched, and the inspector path (under its root) that shows it."""

    label: str
    path: str


def search(store: StateQueries, query: str) -> tuple[SearchHit, ...]:
    """Feeds whose id contains ``query`` (``slug/user`` is read as ``slug:user``), the
    activity whose id it is, and the activities whose ``foreign_id`` it is.

    Reads ``feed_summaries()``, ``activity()`` and ``activities_with_foreign_id()``.
    """
    query = query.strip()
    if not query:
        return ()
    needle = query.replace("/", ":")
    hits = [
        SearchHit(f"feed {summary.feed_id}", feed_path(summary.feed_id))
        for summary in store.feed_summaries()
        if needle in summary.feed_id
    ]
    if store.activity(query) is not None:
        hits.append(SearchHit(f"activity {query}", activity_path(query)))
    hits += [
        SearchHit(f"activity {activity_id} (foreign_id {query})", activity_path(activity_id))
        for activity_id in store.activities_with_foreign_id(query)
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


def feed(
    store: StateQueries, slug: str, user_id: str, *, id_lt: str | None = None
) -> FeedView | None:
    """A page of the feed ``slug:user_id`` before ``id_lt``; None when ``slug`` is not a
    configured feed group. Raises ValueError when ``id_lt`` is not an activity id.

    Reads ``feed_groups``, ``position()``, ``feed_entries()``, ``feed_groups_of()``,
    ``group_entries()``, ``feed_summaries()`` and ``follows()``.
    """
    group = store.feed_groups.get(slug)
    if group is None:
        return None
    feed_id = f"{slug}:{user_id}"
    bound: Position | None = (id_time_micros(id_lt), None) if id_lt else None
    rows: tuple[ActivityRow, ...] = ()
    groups: tuple[GroupView, ...] = ()
    next_id_lt = None
    if group.kind == "flat":
        if id_lt:
            bound = store.position(feed_id, id_lt) or bound
        bounds = {} if bound is None else {"id_lt": bound}
        page = store.feed_entries(feed_id, bounds=bounds, offset=0, limit=PAGE_SIZE + 1)
        rows = tuple(_row(entry) for entry in page[:PAGE_SIZE])
        next_id_lt = rows[-1].id if len(page) > PAGE_SIZE else None
    else:
        notification = group.kind == "notification"
        stored = [
            (item, store.group_entries(feed_id, item)) for item in store.feed_groups_of(feed_id)
        ]
        selected = _groups_before(stored, id_lt, notification=notification)
        groups = tuple(
            _group(item, entries, notification=notification)
            for item, entries in selected[:PAGE_SIZE]
        )
        next_id_lt = groups[-1].id if len(selected) > PAGE_SIZE else None
    counts = {summary.feed_id: summary.activities for summary in store.feed_summaries()}
    return FeedView(
        feed_id=feed_id,
        slug=slug,
        user_id=user_id,
        kind=group.kind,
        activity_count=counts.get(feed_id, 0),
        activities=rows,
        groups=groups,
        next_id_lt=next_id_lt,
        followers=tuple(sorted(other for other, _ in store.follows(feed_id, followers=True))),
        following=tuple(sorted(other for other, _ in store.follows(feed_id, followers=False))),
    )


def _row(entry: Entry) -> ActivityRow:
    activity = entry.activity
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
        origin=entry.origin,
        to=tuple(activity.targets),
        extra=as_json(extra) if extra else "",
        extra_count=len(extra),
    )


StoredGroup = tuple[Group, list[Entry]]
"""A group with its entries, newest first."""


def _group_id(stored: StoredGroup, *, notification: bool) -> str:
    """The group's id as the API gives it (notification ids add ``.<group name>``)."""
    group, entries = stored
    newest = entries[0].activity.id
    return f"{newest}.{group.name}" if notification else newest


def _groups_before(
    groups: list[StoredGroup], id_lt: str | None, *, notification: bool
) -> list[StoredGroup]:
    """The groups after the cursor ``id_lt`` (a group id, or else any id compared by time)."""
    if not id_lt:
        return groups
    ids = [_group_id(item, notification=notification) for item in groups]
    if id_lt in ids:
        return groups[ids.index(id_lt) + 1 :]
    bound = sort_key(id_lt)
    return [item for item in groups if sort_key(item[1][0].activity.id) < bound]


def _group(group: Group, entries: list[Entry], *, notification: bool) -> GroupView:
    activities = [entry.activity for entry in entries]
    return GroupView(
        id=_group_id((group, entries), notification=notification),
        name=group.name,
        verb=str(activities[0].data.get("verb", "")),
        activity_count=len(activities),
        actor_count=len({str(activity.data.get("actor")) for activity in activities}),
        updated_at=format_time(group.updated_at),
        is_seen=group.is_seen if notification else None,
        is_read=group.is_read if notification else None,
        activities=tuple(_row(entry) for entry in entries),
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


def activity(store: StateQueries, activity_id: str) -> ActivityDetail | None:
    """The activity ``activity_id`` (None when there is none).

    Reads ``activity()``, ``locations()``, ``feed_entry()`` (the paths that brought the
    activity to each feed), ``reactions_to()`` and ``children()``.
    """
    stored = store.activity(activity_id)
    if stored is None:
        return None
    placements = tuple(
        Placement(feed_id, _HOW[kind], source or None)
        for feed_id in sorted(store.locations(activity_id))
        if (entry := store.feed_entry(feed_id, activity_id)) is not None
        for kind, source in entry.paths
    )
    reactions = tuple(
        _reaction_node(store, reaction) for reaction in store.reactions_to(activity_id)
    )
    return ActivityDetail(
        id=stored.id,
        json=as_json({**stored.data, "id": stored.id, "time": format_time(stored.time)}),
        placements=placements,
        reactions=reactions,
    )


def _reaction_node(store: StateQueries, reaction: Reaction) -> ReactionNode:
    return ReactionNode(
        id=reaction.id,
        kind=reaction.kind,
        user_id=reaction.user_id,
        created_at=format_time_z(reaction.created_at),
        deleted=not reaction.live,
        data=as_json(reaction.data),
        children=tuple(_reaction_node(store, child) for child in store.children(reaction.id)),
    )


# -- users, collections, reactions, files -----------------------------------------------------


@dataclass(frozen=True)
class UserRow:
    """A user and its data as JSON."""

    id: str
    data: str
    created_at: str
    updated_at: str


def users(store: StateQueries) -> tuple[UserRow, ...]:
    """Every user, by id. Reads ``users()``."""
    return tuple(
        UserRow(
            user.id,
            as_json(user.data),
            format_time_z(user.created_at),
            format_time_z(user.updated_at),
        )
        for user in store.users()
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


def collections(store: StateQueries) -> tuple[CollectionView, ...]:
    """Every collection, by name, with its objects. Reads ``collection_objects()``."""
    grouped: dict[str, list[ObjectRow]] = {}
    for item in store.collection_objects():
        grouped.setdefault(item.collection, []).append(
            ObjectRow(
                item.id,
                as_json(item.data),
                item.user_id,
                format_time_z(item.created_at),
                format_time_z(item.updated_at),
            )
        )
    return tuple(
        CollectionView(name, tuple(sorted(rows, key=lambda row: row.id)))
        for name, rows in sorted(grouped.items())
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
    store: StateQueries, *, kind: str = "", user_id: str = "", activity_id: str = ""
) -> ReactionList:
    """Reactions, newest first, filtered by each of ``kind``, ``user_id`` and
    ``activity_id`` that is not empty. Reads ``reactions_matching()`` and ``children()``."""
    matching, total = store.reactions_matching(
        kind=kind, user_id=user_id, activity_id=activity_id, limit=MAX_REACTIONS
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
            children=len(store.children(reaction.id)),
        )
        for reaction in matching
    )
    return ReactionList(rows, total)


@dataclass(frozen=True)
class FileRow:
    """An upload; ``path`` is where the emulator serves it (relative to its root)."""

    path: str
    filename: str
    content_type: str
    size: int
    image: bool
    owner: str | None


def files(store: StateQueries) -> tuple[FileRow, ...]:
    """Every upload, by file name (then token: the store keeps no upload order). Reads
    ``file_summaries()``."""
    return tuple(
        FileRow(
            path=f"/uploads/{summary.token}/{quote(summary.filename)}",
            filename=summary.filename,
            content_type=summary.content_type,
            size=summary.size,
            image=summary.image,
            owner=summary.owner,
        )
        for summary in sorted(store.file_summaries(), key=lambda item: (item.filename, item.token))
    )


# -- moderation -------------------------------------------------------------------------------

MAX_MODERATION_ROWS = 200
"""Flags and audit-log entries listed at most on the moderation page (the newest)."""


@dataclass(frozen=True)
class FlagRow:
    """A moderation flag; ``activity_id`` is set when it flags an activity (for a link)."""

    id: str
    entity_type: str
    entity_id: str
    activity_id: str | None
    target_user_id: str | None
    user_id: str
    reason: str
    custom: str
    created_at: str


@dataclass(frozen=True)
class AuditRow:
    """An audit-log entry."""

    entity_type: str
    entity_id: str
    action: str
    user_id: str
    custom: str
    created_at: str


@dataclass(frozen=True)
class ModerationView:
    """The newest flags (and how many there are) and the newest audit-log entries."""

    flags: tuple[FlagRow, ...]
    flag_total: int
    audit: tuple[AuditRow, ...]


def moderation(store: StateQueries) -> ModerationView:
    """Flags and audit-log entries, newest first, at most :data:`MAX_MODERATION_ROWS` of
    each. Reads ``flags()`` and ``audit_entries()``."""
    flags, total = store.flags(MAX_MODERATION_ROWS)
    flag_rows = tuple(
        FlagRow(
            id=flag.id,
            entity_type=flag.entity_type,
            entity_id=flag.entity_id,
            activity_id=flag.entity_id if flag.entity_type.endswith(":activity") else None,
            target_user_id=flag.target_user_id,
            user_id=flag.user_id,
            reason=flag.reason,
            custom=as_json(flag.custom) if flag.custom else "",
            created_at=format_time_z(flag.created_at),
        )
        for flag in flags
    )
    audit = tuple(
        AuditRow(
            entry.entity_type,
            entry.entity_id,
            entry.action,
            entry.user_id,
            as_json(entry.custom) if entry.custom else "",
            format_time_z(entry.created_at),
        )
        for entry in store.audit_entries({}, limit=MAX_MODERATION_ROWS)
    )
    return ModerationView(flag_rows, total, audit)
