"""Feed endpoints: read, add, remove, follow, and the feed-level batch calls.

Each handler takes the :class:`Store` and the parsed :class:`Call` and returns
``(status, body)``; it validates everything first and only then writes.

Documented choices where the live behaviour is not published: feed reads default to 25
results and clamp ``limit`` at 100; follower/following lists default to 25 and clamp at 500
(the API keeps only the newest 500); ``next`` is set exactly when a page is full; adding
more than 100 activities in one request, following more than 2,500 or unfollowing more than
2,500 in one batch is a 400 (code 4); following a non-flat feed or a feed itself is a 400
(code 4); unknown feed groups are 400 code 6.

User tokens are held to :mod:`~stream_async.emulator.handlers.policies`: feeds of other
users are read only in global-read groups; adds, deletes, follows, unfollows, follower
lists and ``to`` updates address own feeds only; ``to`` targets must be own feeds or feeds
of global-write groups; the batch calls take server tokens only.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from stream_async.emulator.errors import does_not_exist, input_error
from stream_async.emulator.handlers import policies
from stream_async.emulator.handlers.call import (
    COMPARE,
    INVALID_PAYLOAD,
    Call,
    Reply,
    boolean,
    check_size,
    parse_bool,
    parse_count,
    split_feed_id,
)
from stream_async.emulator.handlers.enrichment import Enricher, Flags
from stream_async.emulator.handlers.payloads import (
    parse_activities,
    parse_activity,
    parse_targets,
    parse_time_field,
)
from stream_async.emulator.store import Entry, Feed, Group, Position, Store
from stream_async.emulator.store.ids import id_time_micros
from stream_async.emulator.store.time import format_time, format_time_z

FEED_LIMIT = 25
FEED_MAX_LIMIT = 100
FOLLOW_LIMIT = 25
FOLLOW_MAX_LIMIT = 500
MAX_ACTIVITIES_PER_ADD = 100
MAX_ADD_TO_MANY_FEEDS = 5000
MAX_FOLLOW_MANY = 2500
MAX_GROUP_ACTIVITIES = 15
"""Activities shown per aggregated group (``activity_count`` still counts them all)."""

DEFAULT_COPY_LIMIT = 100
MAX_COPY_LIMIT = 1000
COPY_LIMIT_DETAIL = "activity_copy_limit must be a non-negative number not greater than 1000"

_NOT_PROPAGATED = frozenset(
    {"api_key", "limit", "offset", "id_lt", "id_lte", "mark_seen", "mark_read"}
)


# -- reading ------------------------------------------------------------------------------


Bounds = dict[str, tuple[str, Position]]
"""The ``id_*`` bounds of a read: parameter name -> (the id as given, its position)."""


def _bounds(call: Call, store: Store, feed: Feed) -> Bounds:
    """Each ``id_*`` bound as a position in ``feed``: an activity the feed holds stands for
    its exact place (so activities sharing a time are never skipped or repeated across
    pages); a stored activity the feed does not hold, or any other version-1 id, stands for
    its time alone."""
    bounds: Bounds = {}
    for name in COMPARE:
        value = call.text(name)
        if value:
            try:
                micros = id_time_micros(value)
            except ValueError:
                raise input_error(f"{name} must be an activity id") from None
            position = store.position(feed.feed_id, value.split(".", 1)[0])
            bounds[name] = (value, position or (micros, None))
    return bounds


def _within(position: Position, bound: Position, name: str) -> bool:
    if bound[1] is None:
        return bool(COMPARE[name](position[0], bound[0]))
    return bool(COMPARE[name](position, bound))


def _select_groups(
    feed: Feed, bounds: Bounds, discard_deleted: bool = False
) -> list[tuple[Group, list[Entry]]]:
    """The feed's groups, most recently updated first, within ``bounds``, with their
    entries (newest first).

    A bound naming one of the groups (by its id, as the API asks clients to paginate) is a
    cursor in that order: ``id_lt`` keeps the groups listed after it, ``id_lte`` it and those
    after, ``id_gt``/``id_gte`` those before it (and it). Any other id compares with each
    group's newest activity, as in flat feeds (a documented choice; the live API answers
    such ids with an error).
    """
    every = [
        (group, feed.group_entries(group, discard_deleted=discard_deleted))
        for group in feed.groups_newest_first()
    ]
    groups = [(group, entries) for group, entries in every if entries]
    ranks = {_group_id(feed, group, entries): rank for rank, (group, entries) in enumerate(groups)}
    return [
        (group, entries)
        for rank, (group, entries) in enumerate(groups)
        if all(
            COMPARE[name](ranks[value], rank)
            if value in ranks
            else _within(entries[0].position, bound, name)
            for name, (value, bound) in bounds.items()
        )
    ]


RANKING_VARS = ("rankingVars", "ranking_vars")


def _check_ranking_vars(call: Call) -> None:
    """``rankingVars`` (or ``ranking_vars``), whenever present, must be a JSON object given
    as a string (400 code 4 otherwise), with or without ``ranking`` (more-endpoints §7).
    The emulator ranks nothing, so a valid object changes nothing."""
    for name in RANKING_VARS:
        value = call.text(name)
        if value is None:
            continue
        try:
            parsed = json.loads(value)
        except ValueError:
            parsed = None
        if not isinstance(parsed, dict):
            raise input_error(f"{name} must be a JSON object")


def _next_link(call: Call, last_id: str, limit: int) -> str:
    params = [("api_key", call.api_key), ("id_lt", last_id), ("limit", str(limit))]
    params += [(k, v) for k, v in call.query if k not in _NOT_PROPAGATED]
    return f"{call.path}?{urlencode(params)}"


def _marks(call: Call, name: str) -> bool | frozenset[str]:
    """``mark_seen``/``mark_read``: True for every group, or the listed group ids."""
    value = call.text(name)
    if value is None:
        return False
    flag = boolean(value)
    return frozenset(call.values(name)) if flag is None else flag


def _group_id(feed: Feed, group: Group, entries: list[Entry]) -> str:
    newest = entries[0].activity.id
    if feed.config.kind == "notification":
        return f"{newest}.{group.name}"
    return newest


def _render_group(feed: Feed, group: Group, entries: list[Entry]) -> dict[str, Any]:
    body: dict[str, Any] = {
        "activities": [
            entry.activity.render(entry.origin) for entry in entries[:MAX_GROUP_ACTIVITIES]
        ],
        "activity_count": len(entries),
        "actor_count": len({entry.activity.data["actor"] for entry in entries}),
        "created_at": format_time(group.created_at),
        "group": group.name,
        "id": _group_id(feed, group, entries),
        "updated_at": format_time(group.updated_at),
        "verb": entries[0].activity.data["verb"],
    }
    if feed.config.kind == "notification":
        body["is_seen"] = group.is_seen
        body["is_read"] = group.is_read
    return body


def read_feed(store: Store, call: Call) -> Reply:
    """GET feed/{slug}/{user_id}/ (and enrich/feed/...): a page of the feed, newest first.

    Flat feeds list activities; aggregated and notification feeds list groups, most recently
    updated first, each showing at most 15 activities. Notification feeds add ``unseen`` and
    ``unread`` and apply ``mark_seen``/``mark_read`` after building the page. Reads through
    ``enrich/`` are enriched (:mod:`stream_async.emulator.handlers.enrichment`); plain reads
    are not. ``rankingVars``/``ranking_vars``, when present, must be a JSON object (400 code 4
    otherwise, even without ``ranking``). ``discard_deleted_activities=true`` leaves out
    activities deleted for a data-privacy request (and groups left empty by that); other reads
    still list them.
    """
    feed_id = call.feed_id()
    feed = store.feed(feed_id)
    _check_ranking_vars(call)
    discard = call.flag("discard_deleted_activities")
    limit = call.integer("limit", FEED_LIMIT, maximum=FEED_MAX_LIMIT)
    offset = call.integer("offset", 0)
    bounds = _bounds(call, store, feed)
    flags = Flags.of(call) if call.enriched else None
    policies.check_read(call, feed_id)
    results: list[dict[str, Any]]
    if feed.config.kind == "flat":
        positions = {name: bound for name, (_, bound) in bounds.items()}
        page = feed.page(positions, offset, limit, discard_deleted=discard)
        results = [entry.activity.render(entry.origin) for entry in page]
    else:
        groups = _select_groups(feed, bounds, discard)
        results = [
            _render_group(feed, group, entries)
            for group, entries in groups[offset : offset + limit]
        ]
    full = bool(results) and len(results) == limit
    next_link = _next_link(call, results[-1]["id"], limit) if full else ""
    if flags is not None:
        results = _enrich(store, call, flags, feed, results)
    body: dict[str, Any] = {"results": results, "next": next_link}
    if feed.config.kind == "notification":
        every = feed.groups_newest_first()
        body["unseen"] = sum(not group.is_seen for group in every)
        body["unread"] = sum(not group.is_read for group in every)
        _apply_marks(call, feed)
    return 200, body


def _enrich(
    store: Store, call: Call, flags: Flags, feed: Feed, results: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    enricher = Enricher(store, call, flags)
    if feed.config.kind == "flat":
        return [enricher.activity(activity) for activity in results]
    return [
        {**group, "activities": [enricher.activity(item) for item in group["activities"]]}
        for group in results
    ]


def _apply_marks(call: Call, feed: Feed) -> None:
    seen, read = _marks(call, "mark_seen"), _marks(call, "mark_read")
    if not (seen or read):
        return
    for group in feed.groups_newest_first():
        group_id = _group_id(feed, group, feed.group_entries(group))
        if seen is True or (seen and group_id in seen):
            feed.mark([group.name], seen=True)
        if read is True or (read and group_id in read):
            feed.mark([group.name], seen=False)


# -- writing activities ---------------------------------------------------------------------


def add_activities(store: Store, call: Call) -> Reply:
    """POST feed/{slug}/{user_id}/: add one activity, or ``{"activities": [...]}``.

    Each activity also goes to the feed's followers (``origin`` = this feed), to its ``to``
    targets (``origin`` null) and to their followers (``origin`` = the target).
    """
    feed_id = call.feed_id()
    body = call.json_object()
    batch = "activities" in body
    if batch:
        drafts = parse_activities(body["activities"], call.feed_groups, MAX_ACTIVITIES_PER_ADD)
    else:
        drafts = [parse_activity(body, call.feed_groups)]
    policies.check_own(call, feed_id)
    for draft in drafts:
        policies.check_activity(call, draft.data)
    added = [store.add(feed_id, draft) for draft in drafts]
    if batch:
        return 201, {"activities": [activity.render(None) for activity in added]}
    return 201, added[0].render(None)


def remove_activity(store: Store, call: Call) -> Reply:
    """DELETE feed/{slug}/{user_id}/{activity_id}/ (``?foreign_id=1``: by foreign id).

    Also removes it from every feed it reached through this one; absent ids succeed silently.
    """
    feed_id = call.feed_id()
    removed = call.path_params["activity_id"]
    by_foreign_id = call.flag("foreign_id")
    policies.check_own(call, feed_id)
    if by_foreign_id:
        store.remove_foreign_id(feed_id, removed)
    else:
        store.remove(feed_id, removed)
    return 200, {"removed": removed}


def add_to_many(store: Store, call: Call) -> Reply:
    """POST feed/add_to_many/: one activity into up to 5,000 feeds, without fan-out.

    ``to`` is not allowed here (400).
    """
    body = call.json_object()
    feeds = body.get("feeds")
    if not isinstance(feeds, list):
        raise input_error("feeds must be a list of feed ids")
    check_size(feeds, "feeds", MAX_ADD_TO_MANY_FEEDS)
    feed_ids = [split_feed_id(feed, call.feed_groups, "feeds") for feed in feeds]
    activity = body.get("activity")
    if isinstance(activity, dict) and "to" in activity:
        raise input_error("to targets are not supported by add_to_many")
    store.add_to_many(feed_ids, parse_activity(activity, call.feed_groups))
    return 201, {}


def update_to_targets(store: Store, call: Call) -> Reply:
    """POST feed_targets/{slug}/{user_id}/activity_to_targets/: change an activity's ``to``.

    The activity is found by ``foreign_id`` + ``time`` in this feed (404 otherwise, and for
    an activity deleted for a data-privacy request, as its updates are). Give
    ``new_targets`` (replace the list) or ``added_targets``/``removed_targets`` (not both
    kinds; the latter two must not overlap). Answers the activity and what was added/removed.
    """
    feed = store.feed(call.feed_id())
    body = call.json_object()
    foreign_id = body.get("foreign_id")
    if not isinstance(foreign_id, str) or not foreign_id:
        raise input_error("foreign_id is required")
    time = parse_time_field(body.get("time"))
    lists = {
        name: parse_targets(body[name], call.feed_groups, name)
        for name in ("new_targets", "added_targets", "removed_targets")
        if body.get(name) is not None
    }
    if not lists:
        raise input_error("give new_targets, or added_targets and/or removed_targets")
    if "new_targets" in lists and len(lists) > 1:
        raise input_error("new_targets cannot be combined with added_targets or removed_targets")
    added, removed = lists.get("added_targets", []), lists.get("removed_targets", [])
    if set(added) & set(removed):
        raise input_error("added_targets and removed_targets must not overlap")
    activity = store.find(foreign_id, time)
    if activity is None or store.is_deleted(activity.id) or feed.entry(activity.id) is None:
        raise does_not_exist(f"activity with foreign_id {foreign_id!r} not found in this feed")
    policies.check_own(call, feed.feed_id)
    policies.check_targets(call, [target for targets in lists.values() for target in targets])
    current = activity.targets
    targets = lists.get("new_targets") or [
        target
        for target in current + [extra for extra in added if extra not in current]
        if target not in removed
    ]
    added, removed = store.update_targets(feed.feed_id, activity, targets)
    entry = feed.entry(activity.id)
    body = {"activity": activity.render(entry.origin if entry else None)}
    return 201, {**body, "added": added, "removed": removed}


# -- follows ----------------------------------------------------------------------------------


def _copy_limit(value: object, default: int) -> int:
    if value is None:
        return default
    limit = parse_count(value, COPY_LIMIT_DETAIL)
    if limit > MAX_COPY_LIMIT:
        raise input_error(COPY_LIMIT_DETAIL)
    return limit


def _check_followable(store: Store, source: str, target: str) -> None:
    if store.feed_groups[target.partition(":")[0]].kind != "flat":
        raise input_error(f"only flat feeds can be followed; {target!r} is not flat")
    if source == target:
        raise input_error("a feed cannot follow itself")


def follow(store: Store, call: Call) -> Reply:
    """POST feed/{slug}/{user_id}/follows/ (or following/): follow ``target``.

    Copies the target's newest ``activity_copy_limit`` activities (default 100, at most
    1,000). Following again changes nothing.
    """
    source = call.feed_id()
    body = call.json_object()
    target = split_feed_id(body.get("target"), call.feed_groups, "target")
    _check_followable(store, source, target)
    limit = _copy_limit(body.get("activity_copy_limit"), DEFAULT_COPY_LIMIT)
    policies.check_own(call, source)
    store.follow(source, target, limit)
    return 201, {}


def unfollow(store: Store, call: Call) -> Reply:
    """DELETE feed/{slug}/{user_id}/follows/{target}/: stop following ``target``.

    Its activities are purged from this feed unless ``keep_history`` is true.
    """
    source = call.feed_id()
    target = split_feed_id(call.path_params["target"], call.feed_groups, "target")
    keep_history = call.flag("keep_history")
    policies.check_own(call, source)
    store.unfollow(source, target, keep_history=keep_history)
    return 200, {}


def _follow_list(store: Store, call: Call, *, followers: bool) -> Reply:
    feed_id = call.feed_id()
    wanted = set(call.values("filter"))
    limit = call.integer("limit", FOLLOW_LIMIT, maximum=FOLLOW_MAX_LIMIT)
    offset = call.integer("offset", 0)
    policies.check_own(call, feed_id)
    others = [
        (other, when)
        for other, when in store.follows(feed_id, followers=followers)
        if not wanted or other in wanted
    ]
    results = []
    for other, when in others[offset : offset + limit]:
        source, target = (other, feed_id) if followers else (feed_id, other)
        created = format_time_z(when)
        entry = {"feed_id": source, "target_id": target, "created_at": created}
        results.append({**entry, "updated_at": created})
    return 200, {"results": results}


def following(store: Store, call: Call) -> Reply:
    """GET feed/{slug}/{user_id}/follows/ (or following/): feeds this feed follows.

    Newest follow first; ``filter`` narrows to the listed target feeds.
    """
    return _follow_list(store, call, followers=False)


def followers(store: Store, call: Call) -> Reply:
    """GET feed/{slug}/{user_id}/followers/: feeds following this feed.

    Newest follow first; ``filter`` narrows to the listed follower feeds.
    """
    return _follow_list(store, call, followers=True)


def _relationship(item: object, call: Call) -> tuple[str, str]:
    if not isinstance(item, dict):
        raise input_error(INVALID_PAYLOAD)
    if not (isinstance(item.get("source"), str) and isinstance(item.get("target"), str)):
        raise input_error(INVALID_PAYLOAD)
    source = split_feed_id(item["source"], call.feed_groups, "source")
    return source, split_feed_id(item["target"], call.feed_groups, "target")


def follow_many(store: Store, call: Call) -> Reply:
    """POST follow_many/: a JSON array of ``{"source", "target"[, "activity_copy_limit"]}``.

    ``?activity_copy_limit`` sets the default per-item limit. Up to 2,500 follows.
    """
    default = _copy_limit(call.text("activity_copy_limit"), DEFAULT_COPY_LIMIT)
    items = call.json_array()
    check_size(items, "follows", MAX_FOLLOW_MANY)
    follows = []
    for item in items:
        source, target = _relationship(item, call)
        _check_followable(store, source, target)
        follows.append((source, target, _copy_limit(item.get("activity_copy_limit"), default)))
    for source, target, limit in follows:
        store.follow(source, target, limit)
    return 201, {}


def unfollow_many(store: Store, call: Call) -> Reply:
    """POST unfollow_many/: a JSON array of ``{"source", "target"[, "keep_history"]}``."""
    items = call.json_array()
    check_size(items, "unfollows", MAX_FOLLOW_MANY)
    unfollows = []
    for item in items:
        source, target = _relationship(item, call)
        keep = parse_bool(item.get("keep_history", False), "keep_history")
        unfollows.append((source, target, keep))
    for source, target, keep in unfollows:
        store.unfollow(source, target, keep_history=keep)
    return 201, {}


def follow_stats(store: Store, call: Call) -> Reply:
    """GET stats/follow/?followers=<feed>&following=<feed>: follower/following counts.

    ``followers_slugs``/``following_slugs`` count only follows from/to those feed groups.
    """
    results: dict[str, dict[str, Any]] = {}
    for name in ("followers", "following"):
        value = call.text(name)
        if value:
            feed_id = split_feed_id(value, call.feed_groups, name)
            slugs = set(call.values(f"{name}_slugs"))
            others = store.follows(feed_id, followers=name == "followers")
            count = sum(not slugs or other.partition(":")[0] in slugs for other, _ in others)
            results[name] = {"feed": feed_id, "count": count}
    if not results:
        raise input_error("give followers and/or following feed ids")
    return 200, {"results": results}
