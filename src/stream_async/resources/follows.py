"""Follows between many feeds at once: ``client.follow_many``, ``client.unfollow_many`` and
``client.follow_stats`` (one feed's follows are on its handle: ``feed.follow(...)``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from typing_extensions import Unpack

from stream_async import _validation as check
from stream_async._auth import Scope
from stream_async._transport import path
from stream_async.errors import StreamValidationError
from stream_async.models import EmptyResponse, FollowStats
from stream_async.resources._base import Call, RequestOptions, Resource
from stream_async.resources._batching import acknowledged
from stream_async.resources.feeds import copy_limit, target_feed

_STATS = Scope("*", action="read")


def _pairs(items: object, field: str, extra: str) -> list[dict[str, Any]]:
    """Follow pairs given as ``(source, target)`` tuples or mappings with ``source``,
    ``target`` and optionally ``extra``."""
    if isinstance(items, Mapping):
        raise StreamValidationError(field, "must be a list of (source, target) pairs")
    result: list[dict[str, Any]] = []
    for i, item in enumerate(check.sequence(items, field)):
        where = f"{field}[{i}]"
        if isinstance(item, Mapping):
            entry = {
                "source": target_feed(item.get("source"), f"{where}.source"),
                "target": target_feed(item.get("target"), f"{where}.target"),
            }
            if item.get(extra) is not None:
                entry[extra] = item[extra]
        elif isinstance(item, (tuple, list)) and len(item) == 2:
            entry = {
                "source": target_feed(item[0], f"{where}.source"),
                "target": target_feed(item[1], f"{where}.target"),
            }
        else:
            raise StreamValidationError(where, "must be a (source, target) pair or a mapping")
        if entry["source"] == entry["target"]:
            raise StreamValidationError(where, "a feed cannot follow itself")
        result.append(entry)
    return result


class Follows(Resource):
    """Follows between many feeds, in one request (or one per 2500 follows). Signed with
    ``follower`` tokens; ``follow_stats`` with a read-only token."""

    _scope = Scope("follower")

    async def follow_many(
        self,
        follows: Sequence[Any],
        *,
        activity_copy_limit: int | None = None,
        **options: Unpack[RequestOptions],
    ) -> EmptyResponse:
        """Create up to 2500 follows per request (more are sent concurrently). Each follow
        is a ``(source, target)`` pair of feed ids, or a mapping with ``source``,
        ``target`` and optionally its own ``activity_copy_limit``;
        ``activity_copy_limit`` (0..1000) applies to all."""
        body = _pairs(follows, "follows", "activity_copy_limit")
        for i, entry in enumerate(body):
            if "activity_copy_limit" in entry:
                copy_limit(entry["activity_copy_limit"], f"follows[{i}].activity_copy_limit")
        limit = None if activity_copy_limit is None else copy_limit(activity_copy_limit)

        results = await self._in_chunks(
            "POST",
            "follow_many/",
            EmptyResponse,
            body,
            "follow_many",
            lambda chunk: Call(params={"activity_copy_limit": limit}, body=chunk, idempotent=True),
            options=options,
        )
        return acknowledged(results)

    async def unfollow_many(
        self,
        unfollows: Sequence[Any],
        *,
        keep_history: bool = False,
        **options: Unpack[RequestOptions],
    ) -> EmptyResponse:
        """Remove up to 2500 follows per request: ``(source, target)`` pairs, or mappings
        with ``source``, ``target`` and optionally their own ``keep_history``."""
        body = _pairs(unfollows, "unfollows", "keep_history")
        for i, entry in enumerate(body):
            value = entry.setdefault("keep_history", keep_history)
            if not isinstance(value, bool):
                raise StreamValidationError(f"unfollows[{i}].keep_history", "must be a bool")

        results = await self._in_chunks(
            "POST",
            "unfollow_many/",
            EmptyResponse,
            body,
            "unfollow_many",
            lambda chunk: Call(body=chunk, idempotent=True),
            options=options,
        )
        return acknowledged(results)

    async def follow_stats(
        self,
        feed_id: str,
        *,
        followers_slugs: Sequence[str] | None = None,
        following_slugs: Sequence[str] | None = None,
        **options: Unpack[RequestOptions],
    ) -> FollowStats:
        """How many feeds follow ``feed_id`` and how many it follows, optionally counting
        only follower feeds of ``followers_slugs`` and followed feeds of
        ``following_slugs``."""
        feed = target_feed(feed_id, "feed_id")
        params: dict[str, Any] = {"followers": feed, "following": feed}
        for name, slugs in (
            ("followers_slugs", followers_slugs),
            ("following_slugs", following_slugs),
        ):
            if slugs is not None:
                params[name] = [check.feed_slug(s, name) for s in check.sequence(slugs, name)]
        return await self._request(
            "GET",
            path("stats", "follow"),
            FollowStats,
            scope=_STATS,
            params=params,
            options=options,
        )
