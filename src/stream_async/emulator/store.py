"""In-memory state of the emulated app: activities, feeds, aggregated groups and follows, plus
the users, collection objects, reactions, uploads and analytics events of
:mod:`stream_async.emulator.records`.

Concurrency: every method here is synchronous and never awaits. Handlers read the whole
request body first, then call into the store, so on the server's single event loop a write
runs to completion before any other request's code runs; concurrent requests cannot
interleave inside a mutation. Keep it that way: no awaits in this module.

How an activity reaches a feed is recorded as a *path*: ``("direct", "")`` when it was added
to the feed, ``("to", F)`` when it was added to feed F with this feed in ``to``, and
``("follow", F)`` when it fanned out (or was copied on follow) from F, which is then its
``origin`` here. A feed shows an activity once while it has at least one path; removing the
activity from feed F strips every path that goes through F everywhere, recursively, which
gives Stream's cascades (followers, ``to`` targets and the targets' followers). Documented
choices: the first path that brought an activity decides its ``origin``; history kept with
``keep_history`` still disappears when the activity is removed from the followed feed.
"""

from __future__ import annotations

import itertools
import json
from bisect import bisect_left, insort
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from stream_async.emulator.config import FeedGroupConfig
from stream_async.emulator.ids import foreign_id_activity_id, sort_key, time_uuid
from stream_async.emulator.records import (
    AnalyticsEvent,
    CollectionObject,
    Reaction,
    StoredFile,
    User,
)
from stream_async.emulator.timeutil import format_time, utcnow

Path = tuple[str, str]
DIRECT: Path = ("direct", "")

Key = tuple[int, str]
"""An activity's ordering key: ``sort_key(id)``, whose second item is the id itself."""


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
    key: Key = field(init=False)

    def __post_init__(self) -> None:
        self.key = sort_key(self.id)

    @property
    def targets(self) -> list[str]:
        """The feed ids in ``to``."""
        return list(self.data.get("to", []))

    def render(self, origin: str | None) -> dict[str, Any]:
        """The activity as the API returns it, with the ``origin`` of the feed it is read from."""
        return {**self.data, "id": self.id, "time": format_time(self.time), "origin": origin}


@dataclass
class Group:
    """One group of an aggregated or notification feed."""

    name: str
    created_at: datetime
    updated_at: datetime
    sequence: int
    keys: set[Key] = field(default_factory=set)
    is_seen: bool = False
    is_read: bool = False

    @property
    def newest_id(self) -> str:
        """The id of the group's newest activity."""
        return max(self.keys)[1]


class Feed:
    """One feed: which activities it holds and by which paths, in time order, and its groups."""

    def __init__(self, feed_id: str, group: FeedGroupConfig) -> None:
        self.feed_id = feed_id
        self.config = group
        self.entries: dict[str, list[Path]] = {}
        self.order: list[Key] = []
        self.groups: dict[str, Group] = {}
        self._group_of: dict[str, str] = {}

    def origin(self, activity_id: str) -> str | None:
        """The ``origin`` the activity shows in this feed."""
        kind, source = self.entries[activity_id][0]
        return source if kind == "follow" else None

    def groups_newest_first(self) -> list[Group]:
        """The groups, most recently updated first."""
        return sorted(self.groups.values(), key=lambda group: group.sequence, reverse=True)

    def insert(self, activity: Activity, path: Path, sequence: int) -> bool:
        """Record that ``activity`` reached this feed by ``path``; True if it is new here.

        In aggregated and notification feeds a new activity joins the group its format
        names (computed now, at write time); that group becomes the most recently updated
        one and, being new, unseen and unread again (a documented choice).
        """
        paths = self.entries.get(activity.id)
        if paths is not None:
            if path not in paths:
                paths.append(path)
            return False
        self.entries[activity.id] = [path]
        insort(self.order, activity.key)
        if self.config.kind != "flat":
            source = path[1] if path[0] == "follow" else self.feed_id
            slug, _, user_id = source.partition(":")
            name = self.config.aggregation.render(activity.data, activity.time, slug, user_id)
            now = utcnow()
            group = self.groups.setdefault(name, Group(name, now, now, sequence))
            group.keys.add(activity.key)
            group.updated_at, group.sequence = now, sequence
            group.is_seen = group.is_read = False
            self._group_of[activity.id] = name
        return True

    def delete(self, activity: Activity) -> None:
        """Forget ``activity`` in this feed, whatever its paths."""
        del self.entries[activity.id]
        del self.order[bisect_left(self.order, activity.key)]
        name = self._group_of.pop(activity.id, None)
        if name is not None:
            group = self.groups[name]
            group.keys.discard(activity.key)
            if not group.keys:
                del self.groups[name]


class Store:
    """Everything the emulator remembers. See the module docstring for the rules."""

    def __init__(self, feed_groups: Mapping[str, FeedGroupConfig]) -> None:
        self.feed_groups = feed_groups
        self.activities: dict[str, Activity] = {}
        self.feeds: dict[str, Feed] = {}
        self.following: dict[str, dict[str, datetime]] = {}
        self.followers: dict[str, dict[str, datetime]] = {}
        self._dedupe: dict[str, str] = {}
        self._locations: dict[str, dict[str, None]] = {}
        """Activity id -> the feeds holding it, in arrival order (an ordered set)."""
        self.users: dict[str, User] = {}
        self.collections: dict[str, dict[str, CollectionObject]] = {}
        self.reactions: dict[str, Reaction] = {}
        self.activity_reactions: dict[str, list[str]] = {}
        """Activity id -> its top-level reaction ids, oldest first."""
        self.reaction_kinds: dict[str, dict[str, None]] = {}
        """Activity id -> every kind it was ever reacted with (counts keep kinds at 0)."""
        self.files: dict[str, StoredFile] = {}
        self.analytics_events: list[AnalyticsEvent] = []
        self._sequence = itertools.count()
        self._last_now = utcnow()

    def __getstate__(self) -> dict[str, Any]:
        """What a snapshot keeps: everything but the feed groups (they come from the config)."""
        state = dict(self.__dict__)
        del state["feed_groups"]
        position = next(self._sequence)
        self._sequence = itertools.count(position)
        state["_sequence"] = position
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Restore a snapshot; the caller sets :attr:`feed_groups`."""
        self.__dict__.update(state)
        self._sequence = itertools.count(state["_sequence"])

    # -- lookups -------------------------------------------------------------------------

    def feed(self, feed_id: str) -> Feed:
        """The feed ``slug:user_id`` (created empty on first use; the slug must be configured)."""
        feed = self.feeds.get(feed_id)
        if feed is None:
            group = self.feed_groups[feed_id.partition(":")[0]]
            feed = self.feeds[feed_id] = Feed(feed_id, group)
        return feed

    def find(self, foreign_id: str, time: datetime) -> Activity | None:
        """The activity ``(foreign_id, time)``, matched like its id: at millisecond precision."""
        activity = self.activities.get(foreign_id_activity_id(foreign_id, time))
        if activity is None or activity.data["foreign_id"] != foreign_id:
            return None
        return activity

    # -- activities ----------------------------------------------------------------------

    def now(self) -> datetime:
        """The current time, strictly increasing so that default times keep insertion order."""
        self._last_now = max(utcnow(), self._last_now + timedelta(microseconds=1))
        return self._last_now

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
        dedupe_key = json.dumps([format_time(time), draft.data], sort_keys=True)
        activity_id = self._dedupe.get(dedupe_key)
        if activity_id is None:
            activity_id = time_uuid(time, next(self._sequence))
            while activity_id in self.activities:
                activity_id = time_uuid(time, next(self._sequence))
            self._dedupe[dedupe_key] = activity_id
        return self._put(Activity(activity_id, time, draft.data, dedupe_key))

    def next_sequence(self) -> int:
        """A number larger than every one handed out before (orders reactions)."""
        return next(self._sequence)

    def _put(self, activity: Activity) -> Activity:
        self.activities[activity.id] = activity
        return activity

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
        for follower in self.followers.get(feed_id, {}):
            self._insert(follower, activity, ("follow", feed_id))

    def _insert(self, feed_id: str, activity: Activity, path: Path) -> None:
        if self.feed(feed_id).insert(activity, path, next(self._sequence)):
            self._locations.setdefault(activity.id, {})[feed_id] = None

    def remove(self, feed_id: str, activity_id: str) -> None:
        """Remove an activity from a feed and from every feed it reached through it.

        Removing what the feed does not hold is a silent no-op.
        """
        feed = self.feeds.get(feed_id)
        if feed is not None and activity_id in feed.entries:
            self._delete(feed, self.activities[activity_id])
            self._collect(activity_id)

    def remove_foreign_id(self, feed_id: str, foreign_id: str) -> None:
        """Remove every activity of the feed with this foreign id (see :meth:`remove`)."""
        feed = self.feeds.get(feed_id)
        if feed is not None:
            matching = [
                activity_id
                for activity_id in feed.entries
                if self.activities[activity_id].data["foreign_id"] == foreign_id
            ]
            for activity_id in matching:
                self.remove(feed_id, activity_id)

    def _delete(self, feed: Feed, activity: Activity) -> None:
        feed.delete(activity)
        locations = self._locations[activity.id]
        del locations[feed.feed_id]
        through = {("to", feed.feed_id), ("follow", feed.feed_id)}
        for other in list(locations):
            self._detach(self.feeds[other], activity, through)

    def _detach(self, feed: Feed, activity: Activity, paths: Collection[Path]) -> None:
        current = feed.entries.get(activity.id)
        if current is None:
            return
        remaining = [path for path in current if path not in paths]
        if remaining:
            feed.entries[activity.id] = remaining
        else:
            self._delete(feed, activity)

    def _collect(self, activity_id: str) -> None:
        """Forget an activity that no feed holds any more."""
        if self._locations.get(activity_id):
            return
        self._locations.pop(activity_id, None)
        activity = self.activities.pop(activity_id)
        if activity.dedupe_key is not None:
            del self._dedupe[activity.dedupe_key]

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
        for target in removed:
            self._detach(self.feed(target), activity, {("to", feed_id)})
        for target in added:
            self._publish(target, activity, ("to", feed_id))
        return added, removed

    # -- follows -------------------------------------------------------------------------

    def follow(self, source: str, target: str, copy_limit: int) -> None:
        """``source`` follows ``target``, copying its newest ``copy_limit`` activities.

        Following a feed that is already followed changes nothing.
        """
        if target in self.following.get(source, {}):
            return
        now = utcnow()
        self.following.setdefault(source, {})[target] = now
        self.followers.setdefault(target, {})[source] = now
        order = self.feed(target).order
        for key in order[max(0, len(order) - copy_limit) :]:
            self._insert(source, self.activities[key[1]], ("follow", target))

    def unfollow(self, source: str, target: str, *, keep_history: bool) -> None:
        """``source`` stops following ``target``; unless ``keep_history``, it loses the
        activities it got from ``target``. Unfollowing a feed not followed is a no-op."""
        if self.following.get(source, {}).pop(target, None) is None:
            return
        del self.followers[target][source]
        if keep_history:
            return
        feed = self.feed(source)
        path = ("follow", target)
        for activity_id in [key for key, paths in feed.entries.items() if path in paths]:
            self._detach(feed, self.activities[activity_id], {path})
            self._collect(activity_id)
