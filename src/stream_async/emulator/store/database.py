"""The state of the emulated app, in SQLite (:mod:`stream_async.emulator.store.schema`):
activities, feeds, aggregated groups and follows, users, collection objects, reactions,
uploads and analytics events, the audit log and moderation flags.

The audit log is written here, where activities, reactions and users are written, not by
the handlers: an activity is audited ``create`` when first stored, ``update`` when its
stored fields or time change, ``delete`` when the last feed holding it lets go of it (its
``user_id`` is the activity's ``actor`` string); a reaction ``create``, ``update``
(restores too) and ``delete`` (soft or hard; ``user_id`` its ``user_id``); a user
``create``, ``update``, ``delete`` (``user_id`` the user's id).

One implementation serves both modes: an in-memory database (the default) or a file in a
data directory. Writes go through :meth:`Store.transaction`: a handler's writes commit
together before its answer is sent, or roll back together when anything fails.

Concurrency: every method here is synchronous and never awaits. A handler runs inside one
transaction without awaiting, so on the server's single event loop no other request's code
runs in between; a lock also keeps other threads (a test calling :meth:`Store.clear`) out.

How an activity reaches a feed is recorded as a *path*: ``("direct", "")`` when it was added
to the feed, ``("to", F)`` when it was added to feed F with this feed in ``to``, and
``("follow", F)`` when it fanned out (or was copied on follow) from F, which is then its
``origin`` here. A feed shows an activity once while it has at least one path; removing the
activity from feed F strips every path that goes through F everywhere, recursively, which
gives Stream's cascades (followers, ``to`` targets and the targets' followers). Documented
choices: the first remaining path decides its ``origin``; history kept with ``keep_history``
still disappears when the activity is removed from the followed feed.

A feed is ordered by (activity time, then insertion into the feed), newest first; reactions
by (creation time, then insertion). A reaction deleted for good keeps only that place (see
:meth:`Store.delete_reaction`), so that a filter bound naming it still compares.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import threading
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from stream_async.emulator.config import FeedGroupConfig
from stream_async.emulator.store.ids import foreign_id_activity_id, time_uuid
from stream_async.emulator.store.records import (
    FLAGGED_TYPES,
    AnalyticsEvent,
    AuditEntry,
    CollectionObject,
    Flag,
    Reaction,
    StoredFile,
    User,
)
from stream_async.emulator.store.schema import SEQUENCED, TABLES, connect
from stream_async.emulator.store.time import format_time, from_unix_micros, unix_micros, utcnow

Path = tuple[str, str]
DIRECT: Path = ("direct", "")

Position = tuple[int, int | None]
"""Where an item sits in a feed: (time in microseconds, insertion sequence). A sequence of
None stands for a time alone (an id the feed does not hold)."""


def _dump(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def _same_json(stored: str, value: Any) -> bool:
    """Whether stored JSON text and a value are the same JSON, whatever their key order
    (``1``, ``1.0`` and ``true`` differ, as they do on the wire)."""
    return json.dumps(json.loads(stored), sort_keys=True) == json.dumps(value, sort_keys=True)


def _load(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def _time(micros: int | None) -> datetime | None:
    return None if micros is None else from_unix_micros(micros)


def _actor(data: Mapping[str, Any]) -> str:
    """An activity's ``actor`` string, as its audit-log entries name it."""
    return str(data.get("actor", ""))


@dataclass
class Draft:
    """A validated activity before storage. ``time`` None means "now"."""

    data: dict[str, Any]
    time: datetime | None


@dataclass
class Activity:
    """A stored activity: id, time, and the other fields as returned (``to`` only when set)."""

    id: str
    time: datetime
    data: dict[str, Any]
    dedupe_key: str | None = None

    @property
    def targets(self) -> list[str]:
        """The feed ids in ``to``."""
        return list(self.data.get("to", []))

    def render(self, origin: str | None) -> dict[str, Any]:
        """The activity as the API returns it, with the ``origin`` of the feed it is read from."""
        return {**self.data, "id": self.id, "time": format_time(self.time), "origin": origin}


@dataclass
class Entry:
    """An activity as one feed holds it: its position, the ``origin`` it shows there (from
    its first path), and the paths that brought it (decoded when asked for)."""

    activity: Activity
    position: Position
    origin: str | None
    encoded_paths: str

    @property
    def paths(self) -> list[Path]:
        """How the activity reached the feed, first path first."""
        return _decode_paths(self.encoded_paths)


def _decode_paths(text: str) -> list[Path]:
    return [(kind, source) for kind, source in json.loads(text)]


def _origin(paths: Sequence[Path]) -> str | None:
    kind, source = paths[0]
    return source if kind == "follow" else None


@dataclass
class Group:
    """One group of an aggregated or notification feed (its activities are queried)."""

    name: str
    created_at: datetime
    updated_at: datetime
    sequence: int
    is_seen: bool
    is_read: bool


@dataclass(frozen=True)
class FeedSummary:
    """One feed in the overview: how many activities it holds, how many feeds follow it and
    how many it follows."""

    feed_id: str
    activities: int
    followers: int
    following: int


@dataclass(frozen=True)
class FileSummary:
    """One upload in the overview (without its bytes)."""

    token: str
    filename: str
    content_type: str
    size: int
    owner: str | None
    image: bool


_ENTRY_COLUMNS = "a.id, a.time_us, a.data, a.dedupe_key, e.time_us, e.seq, e.origin, e.paths"


def _entry(row: Sequence[Any]) -> Entry:
    activity = Activity(row[0], from_unix_micros(row[1]), json.loads(row[2]), row[3])
    return Entry(activity, (row[4], row[5]), row[6], row[7])


_COMPARISONS = {"id_lt": "<", "id_lte": "<=", "id_gt": ">", "id_gte": ">="}


def _bound_clauses(
    bounds: Mapping[str, Position],
    time_column: str,
    seq_column: str,
    where: list[str],
    params: list[Any],
) -> None:
    """Add a clause per bound (``id_lt``... -> a position): a position with a sequence
    compares with both columns, one without (a time alone) with the time column."""
    for name, (micros, sequence) in bounds.items():
        operator = _COMPARISONS[name]
        if sequence is None:
            where.append(f"{time_column} {operator} ?")
            params.append(micros)
        else:
            where.append(f"({time_column}, {seq_column}) {operator} (?, ?)")
            params += [micros, sequence]


_REACTION_POOLS = {
    "activity_id": "activity_id = ? AND parent = ''",
    "reaction_id": "parent = ?",
    "user_id": "user_id = ?",
}
"""The reactions a filter looks among: an activity's top-level ones, a reaction's children,
a user's (children too)."""
_LIVE = " AND NOT EXISTS (SELECT 1 FROM deleted_activities d WHERE d.id = e.activity_id)"


class Feed:
    """One feed's view of the store: what it holds, in order, and its groups."""

    def __init__(self, store: Store, feed_id: str, config: FeedGroupConfig) -> None:
        self.store = store
        self.feed_id = feed_id
        self.config = config

    def entry(self, activity_id: str) -> Entry | None:
        """The feed's entry for an activity, or None when it does not hold it."""
        row = self.store.db.execute(
            f"SELECT {_ENTRY_COLUMNS} FROM feed_entries e JOIN activities a"
            " ON a.id = e.activity_id WHERE e.feed_id = ? AND e.activity_id = ?",
            (self.feed_id, activity_id),
        ).fetchone()
        return None if row is None else _entry(row)

    def page(
        self,
        bounds: Mapping[str, Position],
        offset: int,
        limit: int,
        *,
        discard_deleted: bool = False,
    ) -> list[Entry]:
        """Entries newest first, within ``bounds`` (``id_lt``... -> a position), paged;
        ``discard_deleted`` leaves out activities deleted for a data-privacy request."""
        where = ["e.feed_id = ?" + (_LIVE if discard_deleted else "")]
        params: list[Any] = [self.feed_id]
        _bound_clauses(bounds, "e.time_us", "e.seq", where, params)
        rows = self.store.db.execute(
            f"SELECT {_ENTRY_COLUMNS} FROM feed_entries e JOIN activities a"
            f" ON a.id = e.activity_id WHERE {' AND '.join(where)}"
            " ORDER BY e.time_us DESC, e.seq DESC LIMIT ? OFFSET ?",
            (*params, limit, offset),
        )
        return [_entry(row) for row in rows]

    def groups_newest_first(self) -> list[Group]:
        """The groups, most recently updated first."""
        rows = self.store.db.execute(
            "SELECT name, created_us, updated_us, seq, is_seen, is_read FROM feed_groups"
            " WHERE feed_id = ? ORDER BY seq DESC",
            (self.feed_id,),
        )
        return [
            Group(
                name,
                from_unix_micros(created),
                from_unix_micros(updated),
                seq,
                bool(seen),
                bool(read),
            )
            for name, created, updated, seq, seen, read in rows
        ]

    def group_entries(self, group: Group, *, discard_deleted: bool = False) -> list[Entry]:
        """A group's entries, newest first (``discard_deleted``: as for :meth:`page`)."""
        live = _LIVE if discard_deleted else ""
        rows = self.store.db.execute(
            f"SELECT {_ENTRY_COLUMNS} FROM feed_entries e JOIN activities a"
            f" ON a.id = e.activity_id WHERE e.feed_id = ? AND e.group_name = ?{live}"
            " ORDER BY e.time_us DESC, e.seq DESC",
            (self.feed_id, group.name),
        )
        return [_entry(row) for row in rows]

    def mark(self, names: Collection[str], *, seen: bool) -> None:
        """Mark the named groups seen (or read)."""
        column = "is_seen" if seen else "is_read"
        self.store.db.executemany(
            f"UPDATE feed_groups SET {column} = 1 WHERE feed_id = ? AND name = ?",
            [(self.feed_id, name) for name in names],
        )


class Store:
    """Everything the emulator remembers. See the module docstring for the rules.

    ``data_dir`` None keeps the database in memory. Raises
    :class:`~stream_async.emulator.store.schema.StorageError` when the data directory's
    database cannot be used.
    """

    def __init__(
        self,
        feed_groups: Mapping[str, FeedGroupConfig],
        data_dir: str | os.PathLike[str] | None = None,
    ) -> None:
        self.feed_groups = feed_groups
        self.db = connect(data_dir)
        self._lock = threading.RLock()
        self._sequence = itertools.count(self._last_sequence() + 1)
        self._last_now = utcnow()

    def _last_sequence(self) -> int:
        parts = " UNION ALL ".join(f"SELECT max(seq) AS seq FROM {table}" for table in SEQUENCED)
        row = self.db.execute(f"SELECT max(seq) FROM ({parts})").fetchone()
        return int(row[0] or 0)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Run the block's reads and writes as one transaction: committed when the block
        ends, rolled back when it raises."""
        with self._lock:
            self.db.execute("BEGIN")
            try:
                yield
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")

    def clear(self) -> None:
        """Forget everything."""
        with self.transaction():
            for table in TABLES:
                self.db.execute(f"DELETE FROM {table}")

    def close(self) -> None:
        """Close the database."""
        self.db.close()

    # -- time and sequence ------------------------------------------------------------------

    def now(self) -> datetime:
        """The current time, strictly increasing so that default times keep insertion order."""
        self._last_now = max(utcnow(), self._last_now + timedelta(microseconds=1))
        return self._last_now

    def next_sequence(self) -> int:
        """A number larger than every one handed out before (orders insertions)."""
        return next(self._sequence)

    # -- activities ----------------------------------------------------------------------

    def activity(self, activity_id: str) -> Activity | None:
        """The stored activity with this id, or None."""
        row = self.db.execute(
            "SELECT id, time_us, data, dedupe_key FROM activities WHERE id = ?", (activity_id,)
        ).fetchone()
        if row is None:
            return None
        return Activity(row[0], from_unix_micros(row[1]), json.loads(row[2]), row[3])

    def activity_count(self) -> int:
        """How many activities are stored."""
        return int(self.db.execute("SELECT count(*) FROM activities").fetchone()[0])

    def find(self, foreign_id: str, time: datetime) -> Activity | None:
        """The activity ``(foreign_id, time)``, matched like its id: at millisecond precision."""
        activity = self.activity(foreign_id_activity_id(foreign_id, time))
        if activity is None or activity.data["foreign_id"] != foreign_id:
            return None
        return activity

    def feed(self, feed_id: str) -> Feed:
        """The feed ``slug:user_id`` (empty until something is added; the slug must be
        configured)."""
        return Feed(self, feed_id, self.feed_groups[feed_id.partition(":")[0]])

    def position(self, feed_id: str, activity_id: str) -> Position | None:
        """Where a stored activity sits in a feed (a time alone when the feed does not hold
        it), or None when no such activity is stored."""
        row = self.db.execute(
            "SELECT time_us, seq FROM feed_entries WHERE feed_id = ? AND activity_id = ?",
            (feed_id, activity_id),
        ).fetchone()
        if row is not None:
            return row[0], row[1]
        row = self.db.execute(
            "SELECT time_us FROM activities WHERE id = ?", (activity_id,)
        ).fetchone()
        return None if row is None else (row[0], None)

    def upsert(self, draft: Draft) -> Activity:
        """Store ``draft`` and return it as an activity, replacing the one with the same id.

        With a foreign id the id is the backend's ``(foreign_id, time)`` id, so a second add
        replaces the first. Without one, an activity with the same time and the same fields as
        an earlier one gets that one's id (and replaces it, identically); otherwise a fresh
        version-1 UUID at the activity time.
        """
        time = draft.time or self.now()
        foreign_id = draft.data["foreign_id"]
        if foreign_id:
            return self._put(Activity(foreign_id_activity_id(foreign_id, time), time, draft.data))
        content = json.dumps([format_time(time), draft.data], sort_keys=True)
        dedupe_key = hashlib.sha256(content.encode()).hexdigest()
        row = self.db.execute(
            "SELECT id FROM activities WHERE dedupe_key = ?", (dedupe_key,)
        ).fetchone()
        if row is not None:
            return self._put(Activity(row[0], time, draft.data, dedupe_key))
        while True:
            activity = Activity(time_uuid(time, self.next_sequence()), time, draft.data, dedupe_key)
            inserted = self.db.execute(
                "INSERT INTO activities (id, time_us, foreign_id, dedupe_key, data)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
                (activity.id, unix_micros(time), "", dedupe_key, _dump(draft.data)),
            )
            if inserted.rowcount:
                self._audit_activity(activity, "create")
                return activity

    def _put(self, activity: Activity) -> Activity:
        """Insert or replace an activity; feeds already holding it move it to its time."""
        micros = unix_micros(activity.time)
        before = self.db.execute(
            "SELECT time_us, data FROM activities WHERE id = ?", (activity.id,)
        ).fetchone()
        self.db.execute(
            "INSERT INTO activities (id, time_us, foreign_id, dedupe_key, data)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET time_us = excluded.time_us,"
            " foreign_id = excluded.foreign_id, dedupe_key = excluded.dedupe_key,"
            " data = excluded.data",
            (activity.id, micros, activity.data["foreign_id"], activity.dedupe_key,
             _dump(activity.data)),
        )  # fmt: skip
        self.db.execute(
            "UPDATE feed_entries SET time_us = ? WHERE activity_id = ? AND time_us != ?",
            (micros, activity.id, micros),
        )
        undeleted = self.db.execute("DELETE FROM deleted_activities WHERE id = ?", (activity.id,))
        if before is None or undeleted.rowcount:
            self._audit_activity(activity, "create")
        elif before[0] != micros or not _same_json(before[1], activity.data):
            self._audit_activity(activity, "update")
        return activity

    def save_data(self, activity: Activity) -> None:
        """Store ``activity.data`` (after a partial update), audited as an ``update`` when it
        differs from the stored data."""
        before = self.db.execute(
            "SELECT data FROM activities WHERE id = ?", (activity.id,)
        ).fetchone()
        if before is not None and _same_json(before[0], activity.data):
            return
        self.db.execute(
            "UPDATE activities SET data = ? WHERE id = ?", (_dump(activity.data), activity.id)
        )
        self._audit_activity(activity, "update")

    def add(self, feed_id: str, draft: Draft) -> Activity:
        """Add an activity to a feed, its followers, its ``to`` targets and their followers."""
        activity = self.upsert(draft)
        self._publish(feed_id, activity, DIRECT)
        for target in activity.targets:
            self._publish(target, activity, ("to", feed_id))
        return activity

    def add_to_many(self, feed_ids: Collection[str], draft: Draft) -> Activity:
        """Add one activity to each of ``feed_ids`` only, without fan-out to followers."""
        activity = self.upsert(draft)
        for feed_id in feed_ids:
            self._insert(feed_id, activity, DIRECT)
        return activity

    def _publish(self, feed_id: str, activity: Activity, path: Path) -> None:
        self._insert(feed_id, activity, path)
        for (follower,) in self.db.execute(
            "SELECT source FROM follows WHERE target = ? ORDER BY seq", (feed_id,)
        ).fetchall():
            self._insert(follower, activity, ("follow", feed_id))

    def _add_path(self, feed_id: str, activity_id: str, path: Path) -> bool:
        """Add ``path`` to an entry's paths; False when the feed does not hold the activity."""
        paths = self._paths(feed_id, activity_id)
        if paths is None:
            return False
        if path not in paths:
            self._set_paths(feed_id, activity_id, [*paths, path])
        return True

    def _paths(self, feed_id: str, activity_id: str) -> list[Path] | None:
        row = self.db.execute(
            "SELECT paths FROM feed_entries WHERE feed_id = ? AND activity_id = ?",
            (feed_id, activity_id),
        ).fetchone()
        return None if row is None else _decode_paths(row[0])

    def _set_paths(self, feed_id: str, activity_id: str, paths: list[Path]) -> None:
        self.db.execute(
            "UPDATE feed_entries SET paths = ?, origin = ? WHERE feed_id = ? AND activity_id = ?",
            (_dump(paths), _origin(paths), feed_id, activity_id),
        )

    def _insert(self, feed_id: str, activity: Activity, path: Path) -> None:
        """Record that ``activity`` reached ``feed_id`` by ``path``.

        In aggregated and notification feeds a new activity joins the group its format
        names (computed now, at write time); that group becomes the most recently updated
        one and, being new, unseen and unread again (a documented choice).
        """
        config = self.feed_groups[feed_id.partition(":")[0]]
        if config.kind != "flat" and self._add_path(feed_id, activity.id, path):
            return
        sequence = self.next_sequence()
        group_name = None
        if config.kind != "flat":
            source = path[1] if path[0] == "follow" else feed_id
            slug, _, user_id = source.partition(":")
            group_name = config.aggregation.render(activity.data, activity.time, slug, user_id)
            now = unix_micros(utcnow())
            self.db.execute(
                "INSERT INTO feed_groups (feed_id, name, created_us, updated_us, seq, is_seen,"
                " is_read) VALUES (?, ?, ?, ?, ?, 0, 0) ON CONFLICT (feed_id, name) DO UPDATE"
                " SET updated_us = excluded.updated_us, seq = excluded.seq, is_seen = 0,"
                " is_read = 0",
                (feed_id, group_name, now, now, sequence),
            )
        inserted = self.db.execute(
            "INSERT INTO feed_entries (feed_id, activity_id, time_us, seq, paths, origin,"
            " group_name) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (feed_id, activity.id, unix_micros(activity.time), sequence, _dump([path]),
             _origin([path]), group_name),
        )  # fmt: skip
        if not inserted.rowcount:
            self._add_path(feed_id, activity.id, path)

    def remove(self, feed_id: str, activity_id: str) -> None:
        """Remove an activity from a feed and from every feed it reached through it.

        Removing what the feed does not hold is a silent no-op.
        """
        if self._paths(feed_id, activity_id) is not None:
            self._delete(feed_id, activity_id)
            self._collect(activity_id)

    def remove_foreign_id(self, feed_id: str, foreign_id: str) -> None:
        """Remove every activity of the feed with this foreign id (see :meth:`remove`)."""
        rows = self.db.execute(
            "SELECT e.activity_id FROM feed_entries e JOIN activities a ON a.id = e.activity_id"
            " WHERE e.feed_id = ? AND a.foreign_id = ? ORDER BY e.seq",
            (feed_id, foreign_id),
        ).fetchall()
        for (activity_id,) in rows:
            self.remove(feed_id, activity_id)

    def _delete(self, feed_id: str, activity_id: str) -> None:
        row = self.db.execute(
            "DELETE FROM feed_entries WHERE feed_id = ? AND activity_id = ? RETURNING group_name",
            (feed_id, activity_id),
        ).fetchone()
        if row is not None and row[0] is not None:
            self.db.execute(
                "DELETE FROM feed_groups WHERE feed_id = ? AND name = ? AND NOT EXISTS"
                " (SELECT 1 FROM feed_entries WHERE feed_id = ? AND group_name = ?)",
                (feed_id, row[0], feed_id, row[0]),
            )
        through = {("to", feed_id), ("follow", feed_id)}
        for other in self.locations(activity_id):
            self._detach(other, activity_id, through)

    def locations(self, activity_id: str) -> list[str]:
        """The feeds holding an activity, in the order it reached them."""
        rows = self.db.execute(
            "SELECT feed_id FROM feed_entries WHERE activity_id = ? ORDER BY seq", (activity_id,)
        )
        return [feed_id for (feed_id,) in rows]

    def _detach(self, feed_id: str, activity_id: str, paths: Collection[Path]) -> None:
        current = self._paths(feed_id, activity_id)
        if current is None:
            return
        remaining = [path for path in current if path not in paths]
        if remaining:
            self._set_paths(feed_id, activity_id, remaining)
        else:
            self._delete(feed_id, activity_id)

    def _collect(self, activity_id: str) -> None:
        """Forget an activity that no feed holds any more (its ``delete`` is audited, unless
        it was audited already when the activity was marked deleted for data privacy)."""
        row = self.db.execute(
            "DELETE FROM activities WHERE id = ? AND NOT EXISTS"
            " (SELECT 1 FROM feed_entries WHERE activity_id = ?) RETURNING data",
            (activity_id, activity_id),
        ).fetchone()
        if row is None:
            return
        marked = self.db.execute("DELETE FROM deleted_activities WHERE id = ?", (activity_id,))
        if not marked.rowcount:
            self._audit("activity", activity_id, "delete", _actor(json.loads(row[0])))

    def update_targets(
        self, feed_id: str, activity: Activity, targets: list[str]
    ) -> tuple[list[str], list[str]]:
        """Make ``targets`` the ``to`` of an activity added to ``feed_id``.

        Added targets (and their followers) receive it; removed ones (and, through them, their
        followers) lose it. Returns ``(added, removed)``.
        """
        current = activity.targets
        added = [target for target in targets if target not in current]
        removed = [target for target in current if target not in targets]
        if targets:
            activity.data["to"] = list(targets)
        else:
            activity.data.pop("to", None)
        self.save_data(activity)
        for target in removed:
            self._detach(target, activity.id, {("to", feed_id)})
        for target in added:
            self._publish(target, activity, ("to", feed_id))
        return added, removed

    # -- follows -------------------------------------------------------------------------

    def follow(self, source: str, target: str, copy_limit: int) -> None:
        """``source`` follows ``target``, copying its newest ``copy_limit`` activities.

        Following a feed that is already followed changes nothing.
        """
        inserted = self.db.execute(
            "INSERT INTO follows (source, target, created_us, seq) VALUES (?, ?, ?, ?)"
            " ON CONFLICT DO NOTHING",
            (source, target, unix_micros(utcnow()), self.next_sequence()),
        )
        if inserted.rowcount == 0:
            return
        newest = self.feed(target).page({}, 0, copy_limit)
        for entry in reversed(newest):
            self._insert(source, entry.activity, ("follow", target))

    def unfollow(self, source: str, target: str, *, keep_history: bool) -> None:
        """``source`` stops following ``target``; unless ``keep_history``, it loses the
        activities it got from ``target``. Unfollowing a feed not followed is a no-op."""
        deleted = self.db.execute(
            "DELETE FROM follows WHERE source = ? AND target = ?", (source, target)
        )
        if deleted.rowcount == 0 or keep_history:
            return
        path: Path = ("follow", target)
        # Feed ids hold no quotes or brackets, so the path's JSON text matches exactly.
        rows = self.db.execute(
            "SELECT activity_id FROM feed_entries WHERE feed_id = ? AND instr(paths, ?)"
            " ORDER BY seq",
            (source, _dump(list(path))),
        ).fetchall()
        for (activity_id,) in rows:
            self._detach(source, activity_id, {path})
            self._collect(activity_id)

    def follows(self, feed_id: str, *, followers: bool) -> list[tuple[str, datetime]]:
        """The feeds following ``feed_id`` (or that it follows), newest follow first, with
        the time each follow was made."""
        mine, other = ("target", "source") if followers else ("source", "target")
        rows = self.db.execute(
            f"SELECT {other}, created_us FROM follows WHERE {mine} = ? ORDER BY seq DESC",
            (feed_id,),
        )
        return [(feed, from_unix_micros(created)) for feed, created in rows]

    # -- reactions -------------------------------------------------------------------------

    _REACTION = (
        "SELECT id, kind, activity_id, user_id, data, parent, created_us, updated_us, seq,"
        " target_feeds, target_feeds_extra_data, deleted_us FROM reactions"
    )

    @staticmethod
    def _reaction(row: Sequence[Any]) -> Reaction:
        return Reaction(
            id=row[0],
            kind=row[1],
            activity_id=row[2],
            user_id=row[3],
            data=json.loads(row[4]),
            parent=row[5],
            created_at=from_unix_micros(row[6]),
            updated_at=from_unix_micros(row[7]),
            sequence=row[8],
            target_feeds=_load(row[9]),
            target_feeds_extra_data=_load(row[10]),
            deleted_at=_time(row[11]),
        )

    def _reactions(self, where: str, *params: Any) -> list[Reaction]:
        rows = self.db.execute(f"{self._REACTION} WHERE {where} ORDER BY seq", params)
        return [self._reaction(row) for row in rows]

    def reaction(self, reaction_id: str) -> Reaction | None:
        """The reaction with this id (soft-deleted ones too), or None."""
        found = self._reactions("id = ?", reaction_id)
        return found[0] if found else None

    def reactions_to(self, activity_id: str) -> list[Reaction]:
        """An activity's top-level reactions, oldest first."""
        return self._reactions("activity_id = ? AND parent = ''", activity_id)

    def children(self, reaction_id: str) -> list[Reaction]:
        """A reaction's children, oldest first."""
        return self._reactions("parent = ?", reaction_id)

    def reaction_page(
        self,
        lookup: str,
        value: str,
        *,
        kind: str | None,
        bounds: Mapping[str, Position],
        descending: bool,
        limit: int,
    ) -> list[Reaction]:
        """Up to ``limit`` live (not soft-deleted) reactions of a filter, in order.

        ``lookup`` is ``activity_id`` (its top-level reactions), ``reaction_id`` (a
        reaction's children) or ``user_id`` (a user's reactions, children too). Reactions
        are ordered by (creation time, insertion), newest first (oldest first when not
        ``descending``); each bound (``id_lt``... -> a position) keeps those on its side: a
        position with a sequence compares with both, one without (a time alone) with the
        creation time. Callers ask for one more than a page to learn whether another page
        follows.
        """
        where = [_REACTION_POOLS[lookup], "deleted_us IS NULL"]
        params: list[Any] = [value]
        if kind is not None:
            where.append("kind = ?")
            params.append(kind)
        _bound_clauses(bounds, "created_us", "seq", where, params)
        direction = "DESC" if descending else "ASC"
        rows = self.db.execute(
            f"{self._REACTION} WHERE {' AND '.join(where)}"
            f" ORDER BY created_us {direction}, seq {direction} LIMIT ?",
            (*params, limit),
        )
        return [self._reaction(row) for row in rows]

    def reactions_by(self, user_id: str) -> list[Reaction]:
        """A user's reactions (children too), oldest first."""
        return self._reactions("user_id = ?", user_id)

    def reaction_count(self) -> int:
        """How many reactions are stored (soft-deleted ones too)."""
        return int(self.db.execute("SELECT count(*) FROM reactions").fetchone()[0])

    def reaction_kinds(self, activity_id: str) -> list[str]:
        """Every kind an activity was ever reacted with, first use first."""
        rows = self.db.execute(
            "SELECT kind FROM reaction_kinds WHERE activity_id = ? ORDER BY seq", (activity_id,)
        )
        return [kind for (kind,) in rows]

    def save_reaction(self, reaction: Reaction) -> None:
        """Store a new reaction, or the changes of a stored one (audited as ``create``,
        ``update``, or ``delete`` for a soft delete)."""
        before = self.db.execute(
            "SELECT deleted_us FROM reactions WHERE id = ?", (reaction.id,)
        ).fetchone()
        target_feeds = None if reaction.target_feeds is None else _dump(reaction.target_feeds)
        extra = reaction.target_feeds_extra_data
        deleted = None if reaction.deleted_at is None else unix_micros(reaction.deleted_at)
        self.db.execute(
            "INSERT OR REPLACE INTO reactions (id, kind, activity_id, user_id, data, parent,"
            " created_us, updated_us, seq, target_feeds, target_feeds_extra_data, deleted_us)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (reaction.id, reaction.kind, reaction.activity_id, reaction.user_id,
             _dump(reaction.data), reaction.parent, unix_micros(reaction.created_at),
             unix_micros(reaction.updated_at), reaction.sequence, target_feeds,
             None if extra is None else _dump(extra), deleted),
        )  # fmt: skip
        if not reaction.parent:
            self.db.execute(
                "INSERT INTO reaction_kinds (activity_id, kind, seq) VALUES (?, ?, ?)"
                " ON CONFLICT DO NOTHING",
                (reaction.activity_id, reaction.kind, reaction.sequence),
            )
        action = "create" if before is None else "update"
        if before is not None and before[0] is None and reaction.deleted_at is not None:
            action = "delete"
        self._audit("reaction", reaction.id, action, reaction.user_id)

        # A new reaction given the id of one deleted before takes that id's place: an id is
        # in one of the two tables at most.
        self.db.execute("DELETE FROM deleted_reactions WHERE id = ?", (reaction.id,))

    def delete_reaction(self, reaction_id: str) -> None:
        """Forget one reaction for good (its children are the caller's business), keeping
        only its place: :meth:`reaction_position` still answers for its id, nothing else
        does. The ``delete`` is audited."""
        self.db.execute(
            "INSERT OR REPLACE INTO deleted_reactions (id, created_us, seq)"
            " SELECT id, created_us, seq FROM reactions WHERE id = ?",
            (reaction_id,),
        )
        row = self.db.execute(
            "DELETE FROM reactions WHERE id = ? RETURNING user_id", (reaction_id,)
        ).fetchone()
        if row is not None:
            self._audit("reaction", reaction_id, "delete", row[0])

    def reaction_position(self, reaction_id: str) -> Position | None:
        """Where a reaction sits in reaction order (creation time, insertion): a stored
        one (soft-deleted too) or one deleted for good; None for an id never stored."""
        row = self.db.execute(
            "SELECT created_us, seq FROM reactions WHERE id = ?"
            " UNION ALL SELECT created_us, seq FROM deleted_reactions WHERE id = ?",
            (reaction_id, reaction_id),
        ).fetchone()
        return None if row is None else (int(row[0]), int(row[1]))

    # -- users, collection objects ------------------------------------------------------------

    def user(self, user_id: str) -> User | None:
        """The user with this id, or None."""
        row = self.db.execute(
            "SELECT id, data, created_us, updated_us FROM users WHERE id = ?", (user_id,)
        ).fetchone()
        if row is None:
            return None
        return User(row[0], json.loads(row[1]), from_unix_micros(row[2]), from_unix_micros(row[3]))

    def save_user(self, user: User) -> None:
        """Store a new user, or the changes of a stored one (audited)."""
        action = "create" if self.user(user.id) is None else "update"
        self.db.execute(
            "INSERT OR REPLACE INTO users (id, data, created_us, updated_us) VALUES (?, ?, ?, ?)",
            (user.id, _dump(user.data), unix_micros(user.created_at), unix_micros(user.updated_at)),
        )
        self._audit("user", user.id, action, user.id)

    def delete_user(self, user_id: str) -> None:
        """Forget a user (audited when there was one)."""
        if self.db.execute("DELETE FROM users WHERE id = ?", (user_id,)).rowcount:
            self._audit("user", user_id, "delete", user_id)

    def collection_object(self, collection: str, object_id: str) -> CollectionObject | None:
        """The object ``collection:object_id``, or None."""
        row = self.db.execute(
            "SELECT collection, id, data, created_us, updated_us, user_id FROM"
            " collection_objects WHERE collection = ? AND id = ?",
            (collection, object_id),
        ).fetchone()
        if row is None:
            return None
        created, updated = from_unix_micros(row[3]), from_unix_micros(row[4])
        return CollectionObject(row[0], row[1], json.loads(row[2]), created, updated, row[5])

    def save_object(self, stored: CollectionObject) -> None:
        """Store a new collection object, or replace a stored one."""
        self.db.execute(
            "INSERT OR REPLACE INTO collection_objects (collection, id, data, created_us,"
            " updated_us, user_id) VALUES (?, ?, ?, ?, ?, ?)",
            (stored.collection, stored.id, _dump(stored.data), unix_micros(stored.created_at),
             unix_micros(stored.updated_at), stored.user_id),
        )  # fmt: skip

    def delete_object(self, collection: str, object_id: str) -> None:
        """Forget a collection object (a no-op when there is none)."""
        self.db.execute(
            "DELETE FROM collection_objects WHERE collection = ? AND id = ?",
            (collection, object_id),
        )

    # -- data privacy --------------------------------------------------------------------------

    def mark_deleted(self, activity: Activity) -> None:
        """Mark a stored activity deleted for a data-privacy request, audited as its
        ``delete`` by its actor (again: no change, nothing logged)."""
        marked = self.db.execute(
            "INSERT INTO deleted_activities (id, deleted_us) VALUES (?, ?) ON CONFLICT DO NOTHING",
            (activity.id, unix_micros(self.now())),
        )
        if marked.rowcount:
            self._audit_activity(activity, "delete")

    def is_deleted(self, activity_id: str) -> bool:
        """Whether an activity is marked deleted for a data-privacy request."""
        row = self.db.execute("SELECT 1 FROM deleted_activities WHERE id = ?", (activity_id,))
        return row.fetchone() is not None

    def activities_by_actor(self, actor: str) -> list[str]:
        """The ids of the activities whose ``actor`` is exactly ``actor`` and that are not
        marked deleted, oldest first."""
        rows = self.db.execute(
            "SELECT id FROM activities a WHERE json_extract(data, '$.actor') = ? AND NOT EXISTS"
            " (SELECT 1 FROM deleted_activities d WHERE d.id = a.id) ORDER BY time_us, id",
            (actor,),
        )
        return [activity_id for (activity_id,) in rows]

    # -- files, analytics ---------------------------------------------------------------------

    def file(self, token: str) -> StoredFile | None:
        """The upload kept under ``token``, or None."""
        row = self.db.execute(
            "SELECT filename, content_type, data, owner, image FROM files WHERE token = ?",
            (token,),
        ).fetchone()
        return None if row is None else StoredFile(row[0], row[1], row[2], row[3], bool(row[4]))

    def save_file(self, token: str, stored: StoredFile) -> None:
        """Keep an upload under ``token``."""
        self.db.execute(
            "INSERT INTO files (token, filename, content_type, owner, image, data)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (token, stored.filename, stored.content_type, stored.owner, stored.image,
             stored.data),
        )  # fmt: skip

    def delete_file(self, token: str) -> None:
        """Forget an upload."""
        self.db.execute("DELETE FROM files WHERE token = ?", (token,))

    def record(self, events: Sequence[AnalyticsEvent]) -> None:
        """Keep tracked analytics events."""
        self.db.executemany(
            "INSERT INTO analytics_events (kind, event) VALUES (?, ?)",
            [(event.kind, _dump(event.event)) for event in events],
        )

    @property
    def analytics_events(self) -> list[AnalyticsEvent]:
        """Every tracked analytics event, oldest first."""
        rows = self.db.execute("SELECT kind, event FROM analytics_events ORDER BY seq")
        return [AnalyticsEvent(kind, json.loads(event)) for kind, event in rows]

    # -- read-only overview ---------------------------------------------------------------
    # What a browser of the state needs (the whole read-only interface is
    # :class:`~stream_async.emulator.store.queries.StateQueries`); none of these write.

    def feed_summaries(self) -> list[FeedSummary]:
        """Every feed that holds an activity or takes part in a follow, by feed id."""
        rows = self.db.execute(
            "SELECT feed_id, sum(activities), sum(followers), sum(following) FROM ("
            " SELECT feed_id, count(*) AS activities, 0 AS followers, 0 AS following"
            " FROM feed_entries GROUP BY feed_id"
            " UNION ALL SELECT target, 0, count(*), 0 FROM follows GROUP BY target"
            " UNION ALL SELECT source, 0, 0, count(*) FROM follows GROUP BY source"
            ") GROUP BY feed_id ORDER BY feed_id"
        )
        return [FeedSummary(*row) for row in rows]

    def feed_entries(
        self, feed_id: str, *, bounds: Mapping[str, Position], offset: int, limit: int
    ) -> list[Entry]:
        """A page of a feed's entries, newest first (see :meth:`Feed.page`)."""
        return self.feed(feed_id).page(bounds, offset, limit)

    def activity_ids(self) -> list[str]:
        """Every stored activity's id, oldest first."""
        rows = self.db.execute("SELECT id FROM activities ORDER BY time_us, id")
        return [activity_id for (activity_id,) in rows]

    def reaction_ids(self) -> list[str]:
        """Every stored reaction's id (soft-deleted ones too), oldest first."""
        return [
            reaction_id
            for (reaction_id,) in self.db.execute("SELECT id FROM reactions ORDER BY seq")
        ]

    def users(self) -> list[User]:
        """Every user, by id."""
        rows = self.db.execute("SELECT id FROM users ORDER BY id").fetchall()
        return [user for (user_id,) in rows if (user := self.user(user_id)) is not None]

    def collection_objects(self) -> list[CollectionObject]:
        """Every collection object, by collection and id."""
        rows = self.db.execute(
            "SELECT collection, id FROM collection_objects ORDER BY collection, id"
        ).fetchall()
        return [
            found
            for collection, object_id in rows
            if (found := self.collection_object(collection, object_id)) is not None
        ]

    def file_summaries(self) -> list[FileSummary]:
        """Every upload, without its bytes, by token."""
        rows = self.db.execute(
            "SELECT token, filename, content_type, length(data), owner, image FROM files"
            " ORDER BY token"
        )
        return [
            FileSummary(token, name, kind, size, owner, bool(image))
            for token, name, kind, size, owner, image in rows
        ]

    def activities_with_foreign_id(self, foreign_id: str) -> list[str]:
        """The ids of the activities whose ``foreign_id`` is this one, oldest first."""
        rows = self.db.execute(
            "SELECT id FROM activities WHERE foreign_id = ? ORDER BY time_us, id", (foreign_id,)
        )
        return [activity_id for (activity_id,) in rows]

    def feed_entry(self, feed_id: str, activity_id: str) -> Entry | None:
        """A feed's entry for an activity (with the paths that brought it), or None."""
        return self.feed(feed_id).entry(activity_id)

    def feed_groups_of(self, feed_id: str) -> list[Group]:
        """An aggregated or notification feed's groups, most recently updated first."""
        return self.feed(feed_id).groups_newest_first()

    def group_entries(self, feed_id: str, group: Group) -> list[Entry]:
        """A group's entries, newest first."""
        return self.feed(feed_id).group_entries(group)

    def reactions_matching(
        self, *, kind: str, user_id: str, activity_id: str, limit: int
    ) -> tuple[list[Reaction], int]:
        """The newest ``limit`` reactions (soft-deleted ones too) matching each filter that is
        not empty, newest first, and how many match in all."""
        where, params = ["1"], []
        for column, value in (("kind", kind), ("user_id", user_id), ("activity_id", activity_id)):
            if value:
                where.append(f"{column} = ?")
                params.append(value)
        condition = " AND ".join(where)
        rows = self.db.execute(
            f"{self._REACTION} WHERE {condition} ORDER BY seq DESC LIMIT ?", (*params, limit)
        )
        total = self.db.execute(f"SELECT count(*) FROM reactions WHERE {condition}", params)
        return [self._reaction(row) for row in rows], int(total.fetchone()[0])

    # -- audit log, moderation flags -------------------------------------------------------
    # The writes above record their own audit entries (create, update, delete of
    # activities, reactions and users), so every way into the store is audited.

    def _audit_activity(self, activity: Activity, action: str) -> None:
        self._audit("activity", activity.id, action, _actor(activity.data))

    def _audit(
        self,
        entity_type: str,
        entity_id: str,
        action: str,
        user_id: str,
        custom: Mapping[str, Any] | None = None,
    ) -> None:
        self.db.execute(
            "INSERT INTO audit_logs (entity_type, entity_id, action, user_id, custom,"
            " created_us) VALUES (?, ?, ?, ?, ?, ?)",
            (entity_type, entity_id, action, user_id, _dump(dict(custom or {})),
             unix_micros(self.now())),
        )  # fmt: skip

    def audit_entries(
        self,
        filters: Mapping[str, str],
        *,
        limit: int,
        below: int | None = None,
        above: int | None = None,
    ) -> list[AuditEntry]:
        """Audit entries matching every filter (``entity_type``, ``entity_id``,
        ``user_id`` -> value), newest first: the newest ``limit`` (below the sequence
        ``below`` when given), or with ``above`` the ``limit`` oldest above it."""
        where: list[str] = ["1"]
        params: list[str | int] = []
        for column in ("entity_type", "entity_id", "user_id"):
            if column in filters:
                where.append(f"{column} = ?")
                params.append(filters[column])
        if below is not None:
            where.append("seq < ?")
            params.append(below)
        if above is not None:
            where.append("seq > ?")
            params.append(above)
        order = "ASC" if above is not None else "DESC"
        rows = self.db.execute(
            "SELECT seq, entity_type, entity_id, action, user_id, custom, created_us FROM"
            f" audit_logs WHERE {' AND '.join(where)} ORDER BY seq {order} LIMIT ?",
            (*params, limit),
        ).fetchall()
        entries = [
            AuditEntry(seq, kind, key, action, user, json.loads(custom), from_unix_micros(at))
            for seq, kind, key, action, user, custom, at in rows
        ]
        return entries[::-1] if above is not None else entries

    def save_flag(self, flag: Flag) -> None:
        """Keep a moderation flag, audited as ``flag`` of the flagged entity by its reporter
        (``custom`` holds ``flag_id`` and ``reason``)."""
        self.db.execute(
            "INSERT INTO moderation_flags (id, entity_type, entity_id, user_id, reason, custom,"
            " target_user_id, created_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (flag.id, flag.entity_type, flag.entity_id, flag.user_id, flag.reason,
             _dump(flag.custom), flag.target_user_id, unix_micros(flag.created_at)),
        )  # fmt: skip
        custom = {"flag_id": flag.id, "reason": flag.reason}
        kind = FLAGGED_TYPES[flag.entity_type]
        self._audit(kind, flag.entity_id, "flag", flag.user_id, custom)

    def flags(self, limit: int) -> tuple[list[Flag], int]:
        """The newest ``limit`` moderation flags, newest first, and how many there are."""
        rows = self.db.execute(
            "SELECT id, entity_type, entity_id, user_id, reason, custom, target_user_id,"
            " created_us FROM moderation_flags ORDER BY seq DESC LIMIT ?",
            (limit,),
        ).fetchall()
        total = self.db.execute("SELECT count(*) FROM moderation_flags").fetchone()[0]
        flags = [
            Flag(key, kind, entity, user, reason, json.loads(custom), target, from_unix_micros(at))
            for key, kind, entity, user, reason, custom, target, at in rows
        ]
        return flags, int(total)
