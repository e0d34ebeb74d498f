"""Feeds: ``client.feed(...)`` (flat), ``client.aggregated_feed(...)`` and
``client.notification_feed(...)``.

All three add, remove and follow the same way; they differ in what a read returns (flat
activities, aggregated groups, notification groups with seen/read state).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from typing_extensions import Unpack

from stream_async import _validation as check
from stream_async._auth import Scope
from stream_async._transport import path
from stream_async.errors import StreamValidationError
from stream_async.models import (
    Activity,
    ActivityResponse,
    ActivityTargetsResponse,
    AddActivitiesResponse,
    AggregatedGroup,
    AggregatedPage,
    EmptyResponse,
    FeedPage,
    FollowsPage,
    NotificationGroup,
    NotificationPage,
    RemoveActivityResponse,
)
from stream_async.pagination import walk
from stream_async.resources import _checks
from stream_async.resources._base import Call, RequestOptions, Resource, split_options
from stream_async.resources._batching import joined

if TYPE_CHECKING:
    from stream_async._client import AsyncStreamClient

Params = dict[str, Any]


@dataclass(frozen=True)
class ReactionOptions:
    """Which reactions an enriched read attaches to each activity.

    ``own``: the reactions of the reading user (``user_id`` of the read) as
    ``own_reactions``; ``recent``: ``latest_reactions`` (``recent_limit`` per kind, at most
    25); ``counts``: ``reaction_counts``; ``own_children``: each reaction's own children;
    ``kinds``: only these kinds, in reactions and counts alike.
    """

    own: bool = False
    recent: bool = False
    counts: bool = False
    own_children: bool = False
    kinds: Sequence[str] = ()
    recent_limit: int | None = None

    def params(self) -> Params:
        if isinstance(self.kinds, str):
            raise StreamValidationError("reactions.kinds", "must be a list of reaction kinds")
        for kind in self.kinds:
            check.non_empty_str(kind, "reactions.kinds")
        limit = self.recent_limit
        if limit is not None:
            high = check.LIMITS["recent_reactions_limit"]
            check.int_range(limit, "reactions.recent_limit", low=1, high=high)
        return {
            "withOwnReactions": self.own or None,
            "withRecentReactions": self.recent or None,
            "withReactionCounts": self.counts or None,
            "withOwnChildren": self.own_children or None,
            "reactionKindsFilter": list(self.kinds) or None,
            "recentReactionsLimit": limit,
        }


def enrichment_params(
    enrich: bool, reactions: ReactionOptions | None, user_id: str | None
) -> tuple[bool, Params]:
    """Whether a read goes to the ``enrich/`` endpoint, and the query flags it needs."""
    params: Params = {"user_id": None if user_id is None else check.user_id(user_id)}
    if reactions is not None:
        if not isinstance(reactions, ReactionOptions):
            raise StreamValidationError("reactions", "must be a ReactionOptions")
        params.update(reactions.params())
    return enrich or reactions is not None, params


class FollowsQuery(RequestOptions, total=False):
    """A page of a feed's followers or followings: ``limit`` (1..500), ``offset`` (at
    most 4000), and ``filter``, feed ids (``slug:user_id`` or handles) to keep; the
    call's :class:`RequestOptions` too."""

    limit: int | None
    offset: int | None
    filter: Sequence[str] | None


class FeedRead(_checks.IdBounds, RequestOptions, total=False):
    """What a read of any feed takes (the keyword arguments of ``get``): ``limit`` (1..100)
    and ``offset`` page by position, one id bound by id; ``enrich``, ``reactions`` and
    ``user_id`` as :func:`enrichment_params` reads them; ``discard_deleted_activities``
    (sent only when true) leaves out activities deleted through
    ``client.data_privacy.delete_activities``; the call's :class:`RequestOptions`."""

    limit: int | None
    offset: int | None
    enrich: bool
    reactions: ReactionOptions | None
    user_id: str | None
    discard_deleted_activities: bool


class FlatFeedRead(FeedRead, total=False):
    """A flat feed's read: :class:`FeedRead` and the ``ranking`` method."""

    ranking: str | None


class NotificationFeedRead(FeedRead, total=False):
    """A notification feed's read: :class:`FeedRead` and the groups to mark seen or read."""

    mark_seen: bool | Sequence[str]
    mark_read: bool | Sequence[str]


def read_query(read: Mapping[str, Any], allowed: frozenset[str]) -> tuple[bool, Params]:
    """Whether a feed read goes to the ``enrich/`` endpoint, and its checked query (the
    :class:`FeedRead` part; the caller adds its own keys). Refuses keys not in
    ``allowed`` as Python refuses an unknown keyword."""
    _checks.keywords(read, allowed, "get")
    enrich, params = enrichment_params(
        read.get("enrich", False), read.get("reactions"), read.get("user_id")
    )
    limit, offset = read.get("limit"), read.get("offset")
    if limit is not None:
        params["limit"] = check.int_range(limit, "limit", low=1, high=100)
    if offset is not None:
        params["offset"] = check.int_range(offset, "offset", low=0)
    params.update(_checks.id_bound(read))
    params["discard_deleted_activities"] = _discard(read.get("discard_deleted_activities", False))
    return enrich, params


def _discard(value: object) -> bool | None:
    return True if _checks.boolean(value, "discard_deleted_activities") else None


def target_feed(target: object, field: str = "target") -> str:
    """A feed to follow or filter on: a ``slug:user_id`` string or a feed handle."""
    if isinstance(target, BaseFeed):
        return target.id
    slug, uid = check.feed_id(target, field)
    return f"{slug}:{uid}"


P = TypeVar("P", FeedPage, AggregatedPage, NotificationPage)
Item = TypeVar("Item", Activity, AggregatedGroup, NotificationGroup)


class BaseFeed(Resource, Generic[P, Item]):
    """What every feed type can do. Creating a handle sends nothing."""

    __slots__ = ("_feed_scope", "_follow_scope", "slug", "user_id")
    _page: type[P]
    _reads: frozenset[str]
    """The keyword arguments of this feed type's ``get``."""

    def __init__(self, client: AsyncStreamClient, feed_slug: str, user_id: str) -> None:
        super().__init__(client)
        self.slug = check.feed_slug(feed_slug)
        self.user_id = check.user_id(user_id)
        feed_id = f"{self.slug}{self.user_id}"
        self._feed_scope = Scope("feed", feed_id=feed_id)
        self._follow_scope = Scope("follower", feed_id=feed_id)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.id!r})"

    @property
    def id(self) -> str:
        """The feed id, ``slug:user_id``."""
        return f"{self.slug}:{self.user_id}"

    def _path(self, *segments: str, root: str = "feed") -> str:
        """The path of this feed under ``root`` (``feed``, ``enrich/feed`` ...), then
        ``segments``, each percent-encoded."""
        return f"{root}/{path(self.slug, self.user_id, *segments)}"

    # -- tokens ----------------------------------------------------------------------

    def create_scope_token(self, resource: str, action: str) -> str:
        """A server token limited to this feed, e.g. ``("feed", "read")`` for a browser
        that reads it, or ``("feed", "write")``; needs the API secret."""
        signer = self._client._require_signer()
        resource = check.non_empty_str(resource, "resource")
        action = check.non_empty_str(action, "action")
        return signer.scope_token(resource, action, self._feed_scope.feed_id)

    def get_readonly_token(self) -> str:
        """A token that can read this feed and nothing else (``"*"`` resource, ``read``)."""
        return self.create_scope_token("*", "read")

    # -- activities ------------------------------------------------------------------

    async def add_activity(
        self, activity: Mapping[str, Any], **options: Unpack[RequestOptions]
    ) -> ActivityResponse:
        """Add one activity; returns it as stored, with its ``id``.

        ``activity`` needs ``actor``, ``verb`` and ``object``; ``time`` (a datetime or an
        ISO string) with ``foreign_id`` makes it idempotent; ``to`` lists more feed ids to
        copy it into. Raises :class:`~stream_async.errors.StreamValidationError` on a
        missing field or a bad ``to`` before sending.
        """
        data = check.activity(activity)
        return await self._request(
            "POST",
            self._path(),
            ActivityResponse,
            scope=self._feed_scope,
            body=data,
            idempotent=check.has_identity(data),
            options=options,
        )

    async def add_activities(
        self, activities: Sequence[Mapping[str, Any]], **options: Unpack[RequestOptions]
    ) -> AddActivitiesResponse:
        """Add activities; returns them in order, with their ids.

        More than 100 (the API's limit per request) are split into requests of 100 sent
        concurrently; if some fail, :class:`~stream_async.errors.BatchError` says which
        activities were added. An empty sequence sends nothing.
        """
        data = check.activity_list(activities, "activities")
        results = await self._in_chunks(
            "POST",
            self._path(),
            AddActivitiesResponse,
            data,
            "activities_per_add",
            lambda chunk: Call(
                body={"activities": chunk},
                idempotent=all(check.has_identity(item) for item in chunk),
            ),
            scope=self._feed_scope,
            options=options,
        )
        return joined(
            results,
            lambda result: result.activities,
            lambda added: AddActivitiesResponse(activities=added),
        )

    async def remove_activity(
        self,
        activity_id: str | None = None,
        *,
        foreign_id: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> RemoveActivityResponse:
        """Remove an activity from this feed (and the feeds it fanned out to), by its id or
        by its ``foreign_id``: give exactly one. Removing what is not there succeeds."""
        if (activity_id is None) == (foreign_id is None):
            raise StreamValidationError(
                "activity_id", "give exactly one of activity_id and foreign_id"
            )
        if foreign_id is not None:
            key = check.non_empty_str(foreign_id, "foreign_id")
            params: Params = {"foreign_id": 1}
        else:
            key = check.non_empty_str(activity_id, "activity_id")
            params = {}
        where, scope = self._path(key), self._feed_scope
        return await self._request(
            "DELETE", where, RemoveActivityResponse, scope=scope, params=params, options=options
        )

    async def update_activity_to_targets(
        self,
        foreign_id: str,
        time: datetime | str,
        *,
        new_targets: Sequence[str] | None = None,
        added_targets: Sequence[str] | None = None,
        removed_targets: Sequence[str] | None = None,
        **options: Unpack[RequestOptions],
    ) -> ActivityTargetsResponse:
        """Change the ``to`` targets of the activity ``foreign_id`` + ``time``: replace
        them all (``new_targets``), or add and remove some (``added_targets``,
        ``removed_targets``)."""
        body: Params = {
            "foreign_id": check.non_empty_str(foreign_id, "foreign_id"),
            "time": check.time(time, "time"),
        }
        if new_targets is not None and (added_targets is not None or removed_targets is not None):
            raise StreamValidationError(
                "new_targets", "cannot be combined with added_targets or removed_targets"
            )
        for name, targets in (
            ("new_targets", new_targets),
            ("added_targets", added_targets),
            ("removed_targets", removed_targets),
        ):
            if targets is not None:
                body[name] = check.feed_ids(targets, name)
        if len(body) == 2:
            raise StreamValidationError(
                "new_targets", "give new_targets, or added_targets and/or removed_targets"
            )
        overlap = set(body.get("added_targets", ())) & set(body.get("removed_targets", ()))
        if overlap:
            raise StreamValidationError(
                "added_targets", f"cannot also be removed: {', '.join(sorted(overlap))}"
            )
        return await self._request(
            "POST",
            self._path("activity_to_targets", root="feed_targets"),
            ActivityTargetsResponse,
            scope=Scope("feed_targets", feed_id=self._feed_scope.feed_id),
            body=body,
            idempotent=True,
            options=options,
        )

    # -- follows ---------------------------------------------------------------------

    async def follow(
        self,
        target: str | BaseFeed[Any, Any],
        *,
        activity_copy_limit: int | None = None,
        **options: Unpack[RequestOptions],
    ) -> EmptyResponse:
        """Make this feed follow ``target`` (``"slug:user_id"`` or a feed handle; only flat
        feeds can be followed). The newest ``activity_copy_limit`` activities of the target
        (0..1000, server default 100) are copied in; following again changes nothing."""
        target_id = target_feed(target)
        if target_id == self.id:
            raise StreamValidationError("target", "a feed cannot follow itself")
        body: Params = {"target": target_id}
        if activity_copy_limit is not None:
            body["activity_copy_limit"] = copy_limit(activity_copy_limit)
        where, scope = self._path("follows"), self._follow_scope
        return await self._request(
            "POST", where, EmptyResponse, scope=scope, body=body, idempotent=True, options=options
        )

    async def unfollow(
        self,
        target: str | BaseFeed[Any, Any],
        *,
        keep_history: bool = False,
        **options: Unpack[RequestOptions],
    ) -> EmptyResponse:
        """Stop following ``target``; its activities leave this feed unless
        ``keep_history``."""
        return await self._request(
            "DELETE",
            self._path("follows", target_feed(target)),
            EmptyResponse,
            scope=self._follow_scope,
            params={"keep_history": True if keep_history else None},
            options=options,
        )

    async def followers(self, **query: Unpack[FollowsQuery]) -> FollowsPage:
        """The feeds following this one, most recent follow first (keyword arguments of
        :class:`FollowsQuery`; ``filter`` keeps only the listed feed ids)."""
        return await self._follows("followers", query, "followers")

    async def following(self, **query: Unpack[FollowsQuery]) -> FollowsPage:
        """The feeds this one follows, most recent follow first (keyword arguments of
        :class:`FollowsQuery`); ``filter`` with feed ids checks whether they are
        followed."""
        return await self._follows("follows", query, "following")

    async def _follows(self, which: str, query: FollowsQuery, method: str) -> FollowsPage:
        _checks.keywords(query, FollowsQuery.__optional_keys__, method)
        limit, offset, filter = query.get("limit"), query.get("offset"), query.get("filter")
        high_offset = check.LIMITS["follow_offset"]
        params: Params = {
            "limit": None if limit is None else check.int_range(limit, "limit", low=1, high=500),
            "offset": None
            if offset is None
            else check.int_range(offset, "offset", low=0, high=high_offset),
            "filter": None
            if filter is None
            else [target_feed(f, "filter") for f in check.sequence(filter, "filter")],
        }
        return await self._request(
            "GET",
            self._path(which),
            FollowsPage,
            scope=self._follow_scope,
            params=params,
            options=split_options(query)[1],
        )

    # -- reads -----------------------------------------------------------------------

    async def _get(self, read: Mapping[str, Any]) -> P:
        """One page: the query every feed type shares (:func:`read_query`) plus this
        type's own (:meth:`_extra`)."""
        enrich, params = read_query(read, self._reads)
        params.update(self._extra(read))
        return await self._read(params, enrich, split_options(read)[1])

    def _extra(self, read: Mapping[str, Any]) -> Params:
        """The query keys of this feed type's reads beyond :class:`FeedRead`'s."""
        return {}

    async def _read(self, params: Params, enrich: bool, options: RequestOptions | None = None) -> P:
        return await self._request(
            "GET",
            self._path(root="enrich/feed" if enrich else "feed"),
            self._page,
            scope=self._feed_scope,
            params=params,
            options=options,
        )

    def iterate(
        self,
        *,
        page_size: int = 25,
        max_items: int | None = None,
        id_lt: str | None = None,
        enrich: bool = False,
        reactions: ReactionOptions | None = None,
        user_id: str | None = None,
        discard_deleted_activities: bool = False,
    ) -> AsyncIterator[Item]:
        """Every item of the feed, newest first, fetched a page at a time (``page_size``,
        1..100) by ``id_lt``; only one page is held in memory. ``max_items`` stops early;
        ``id_lt`` starts below an id; ``discard_deleted_activities`` as for ``get``."""
        check.int_range(page_size, "page_size", low=1, high=100)
        if max_items is not None:
            check.int_range(max_items, "max_items", low=0)
        enrich, base = enrichment_params(enrich, reactions, user_id)
        base["limit"] = page_size
        base["discard_deleted_activities"] = _discard(discard_deleted_activities)
        start = _checks.id_bound({"id_lt": id_lt})

        async def fetch(cursor: str | None) -> tuple[Sequence[Item], str | None]:
            params = {**base, **({"id_lt": cursor} if cursor else start)}
            page = await self._read(params, enrich)
            items: list[Item] = page.results  # type: ignore[assignment]
            more = bool(page.next) and len(items) == page_size
            return items, items[-1].id if more and items else None

        return walk(fetch, max_items=max_items)


class Feed(BaseFeed[FeedPage, Activity]):
    """A flat feed: activities, newest first."""

    __slots__ = ()
    _page = FeedPage
    _reads = FlatFeedRead.__optional_keys__

    async def get(self, **read: Unpack[FlatFeedRead]) -> FeedPage:
        """Read one page of the feed, newest first (keyword arguments only, all optional).

        ``limit`` (1..100, server default 25) and ``offset`` page by position; one of the
        ``id_lt``, ``id_lte``, ``id_gt`` and ``id_gte`` bounds pages by activity id, which
        is faster for deep pages (the API does not support combining them). ``ranking``
        names a ranking method of the feed group. ``enrich=True`` replaces references
        (``SU:``, ``SO:``, ...) by their objects; ``reactions`` (a
        :class:`ReactionOptions`) attaches reactions (and implies ``enrich``);
        ``user_id`` is the reader whose own reactions are shown. :meth:`iterate` walks
        every page.
        """
        return await self._get(read)

    def _extra(self, read: Mapping[str, Any]) -> Params:
        ranking = read.get("ranking")
        return {"ranking": None if ranking is None else check.non_empty_str(ranking, "ranking")}


class AggregatedFeed(BaseFeed[AggregatedPage, AggregatedGroup]):
    """An aggregated feed: groups of activities, most recently updated first."""

    __slots__ = ()
    _page = AggregatedPage
    _reads = FeedRead.__optional_keys__

    async def get(self, **read: Unpack[FeedRead]) -> AggregatedPage:
        """Read one page of groups; the ``id_*`` bounds take group ids. Arguments as for
        :meth:`Feed.get`, without ``ranking``."""
        return await self._get(read)


class NotificationFeed(BaseFeed[NotificationPage, NotificationGroup]):
    """A notification feed: aggregated groups with seen and read state."""

    __slots__ = ()
    _page = NotificationPage
    _reads = NotificationFeedRead.__optional_keys__

    async def get(self, **read: Unpack[NotificationFeedRead]) -> NotificationPage:
        """Read one page of groups, then mark groups seen or read: ``mark_seen`` and
        ``mark_read`` take ``True`` for every group of the feed, or a list of group ids.
        The page shows the state from before the marking. Other arguments as for
        :meth:`AggregatedFeed.get`."""
        return await self._get(read)

    def _extra(self, read: Mapping[str, Any]) -> Params:
        return {
            "mark_seen": _marks(read.get("mark_seen", False), "mark_seen"),
            "mark_read": _marks(read.get("mark_read", False), "mark_read"),
        }


def _marks(value: bool | Sequence[str], field: str) -> bool | list[str] | None:
    if isinstance(value, bool):
        return True if value else None
    ids = [check.non_empty_str(v, field) for v in check.sequence(value, field)]
    return ids or None


def copy_limit(value: int, field: str = "activity_copy_limit") -> int:
    """``activity_copy_limit``: 0..1000."""
    return check.int_range(value, field, low=0, high=check.LIMITS["activity_copy_limit"])


__all__ = [
    "AggregatedFeed",
    "BaseFeed",
    "Feed",
    "FeedRead",
    "FlatFeedRead",
    "FollowsQuery",
    "NotificationFeed",
    "NotificationFeedRead",
    "ReactionOptions",
]
