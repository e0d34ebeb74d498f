"""``client.activities``: look up, update and partially update activities anywhere, and
add one activity to many feeds (``client.add_to_many``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from typing_extensions import Unpack

from stream_async import _validation as check
from stream_async._auth import Scope
from stream_async._serialization import format_time
from stream_async._transport import path
from stream_async.errors import StreamValidationError
from stream_async.models import (
    ActivitiesResponse,
    ActivityResponse,
    EmptyResponse,
    PartialUpdateManyResponse,
)
from stream_async.resources._base import Call, RequestOptions, Resource
from stream_async.resources._batching import acknowledged, joined
from stream_async.resources.feeds import ReactionOptions, enrichment_params, target_feed

_FEEDS = Scope("feed")

ForeignIdTime = tuple[str, "datetime | str"]


def _time_text(value: datetime | str, field: str) -> str:
    checked = check.time(value, field)
    return format_time(checked) if isinstance(checked, datetime) else checked


def _identity(change: Mapping[str, Any], field: str) -> dict[str, Any]:
    """``id``, or ``foreign_id`` + ``time``, of an activity to change."""
    has_id = change.get("id") is not None
    has_foreign = change.get("foreign_id") is not None or change.get("time") is not None
    if has_id == has_foreign:
        raise StreamValidationError(field, "give either id, or foreign_id and time")
    if has_id:
        return {"id": check.non_empty_str(change["id"], f"{field}.id")}
    return {
        "foreign_id": check.non_empty_str(change.get("foreign_id"), f"{field}.foreign_id"),
        "time": check.time(change.get("time"), f"{field}.time"),
    }


def _changes(set: object, unset: object, field: str) -> dict[str, Any]:
    """``set`` (dotted paths -> values) and ``unset`` (dotted paths): at most 25 keys
    each, at least one change, and no path both set and unset (nor one inside another)."""
    if set is None:
        set = {}
    if unset is None:
        unset = []
    if not isinstance(set, Mapping):
        raise StreamValidationError(f"{field}.set", "must be a mapping of field paths to values")
    unset_list = check.sequence(unset, f"{field}.unset")
    check.max_items(set, "partial_update_set_keys", f"{field}.set")
    check.max_items(unset_list, "partial_update_unset_keys", f"{field}.unset")
    for key in (*set, *unset_list):
        check.non_empty_str(key, f"{field}.set/unset")
    if not set and not unset_list:
        raise StreamValidationError(field, "give at least one key to set or unset")
    for a in set:
        for b in unset_list:
            if a == b or a.startswith(b + ".") or b.startswith(a + "."):
                raise StreamValidationError(f"{field}.unset", f"'{b}' collides with set '{a}'")
    return {"set": dict(set), "unset": list(unset_list)}


class Activities(Resource):
    """Activities addressed by id or by ``foreign_id`` + ``time``, wherever they are.
    Signed with ``activities`` tokens (action by HTTP method)."""

    _scope = Scope("activities")

    async def get(
        self,
        ids: Sequence[str] | None = None,
        *,
        foreign_id_times: Sequence[ForeignIdTime] | None = None,
        enrich: bool = False,
        reactions: ReactionOptions | None = None,
        user_id: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> ActivitiesResponse:
        """Look up activities by id, or by ``(foreign_id, time)`` pairs (give exactly
        one); more than 100 are looked up 100 per request, concurrently. Unknown ones are
        left out of the result. ``enrich``, ``reactions`` and ``user_id`` work as for a
        feed read."""
        if (ids is None) == (foreign_id_times is None):
            raise StreamValidationError("ids", "give exactly one of ids and foreign_id_times")
        enrich, params = enrichment_params(enrich, reactions, user_id)
        keys: list[tuple[str, str | None]] = []
        if ids is not None:
            keys = [(check.non_empty_str(i, "ids"), None) for i in check.sequence(ids, "ids")]
        else:
            pairs = check.sequence(foreign_id_times, "foreign_id_times")
            for i, pair in enumerate(pairs):
                field = f"foreign_id_times[{i}]"
                if not isinstance(pair, (tuple, list)) or len(pair) != 2:
                    raise StreamValidationError(field, "must be a (foreign_id, time) pair")
                foreign_id = check.non_empty_str(pair[0], field)
                if "," in foreign_id:
                    raise StreamValidationError(field, "a foreign_id here cannot contain ','")
                keys.append((foreign_id, _time_text(pair[1], field)))

        def lookup(chunk: Sequence[tuple[str, str | None]]) -> Call:
            if ids is not None:
                return Call(params={**params, "ids": [key for key, _ in chunk]})
            return Call(
                params={
                    **params,
                    "foreign_ids": [key for key, _ in chunk],
                    "timestamps": [str(when) for _, when in chunk],
                }
            )

        root = ("enrich", "activities") if enrich else ("activities",)
        results = await self._in_chunks(
            "GET",
            path(*root),
            ActivitiesResponse,
            keys,
            "activities_per_get",
            lookup,
            options=options,
        )
        return joined(
            results, lambda page: page.results, lambda found: ActivitiesResponse(results=found)
        )

    async def update(
        self, activities: Sequence[Mapping[str, Any]], **options: Unpack[RequestOptions]
    ) -> EmptyResponse:
        """Replace activities whole, each matched by its ``foreign_id`` and ``time``
        (which therefore cannot change); ids stay the same. More than 100 are sent 100 per
        request, concurrently (:class:`~stream_async.errors.BatchError` on partial
        failure)."""
        data = check.activity_list(activities, "activities")
        for i, item in enumerate(data):
            check.non_empty_str(item.get("foreign_id"), f"activities[{i}].foreign_id")
            check.time(item.get("time"), f"activities[{i}].time")

        def replace(chunk: Sequence[dict[str, Any]]) -> Call:
            return Call(body={"activities": chunk}, idempotent=True)

        limit = "activities_per_update"
        return acknowledged(
            await self._in_chunks(
                "POST", "activities/", EmptyResponse, data, limit, replace, options=options
            )
        )

    async def partial_update(
        self,
        id: str | None = None,
        *,
        foreign_id: str | None = None,
        time: datetime | str | None = None,
        set: Mapping[str, Any] | None = None,
        unset: Sequence[str] | None = None,
        **options: Unpack[RequestOptions],
    ) -> ActivityResponse:
        """Change some fields of one activity, by ``id`` or by ``foreign_id`` + ``time``:
        ``set`` maps field paths (dotted for nested fields, such as ``"product.price"``) to
        values, ``unset`` removes paths; at most 25 of each. Returns the activity as it is
        now."""
        body = _identity({"id": id, "foreign_id": foreign_id, "time": time}, "activity")
        body.update(_changes(set, unset, "activity"))
        return await self._request(
            "POST", path("activity"), ActivityResponse, body=body, idempotent=True, options=options
        )

    async def partial_update_many(
        self, changes: Sequence[Mapping[str, Any]], **options: Unpack[RequestOptions]
    ) -> PartialUpdateManyResponse:
        """Many partial updates; each change is a mapping with ``id`` (or ``foreign_id``
        and ``time``), ``set`` and/or ``unset``, checked as :meth:`partial_update` checks
        them. More than 100 are sent 100 per request, concurrently."""
        if isinstance(changes, Mapping):
            raise StreamValidationError("changes", "must be a list of changes")
        items = check.sequence(changes, "changes")
        body: list[dict[str, Any]] = []
        for i, change in enumerate(items):
            field = f"changes[{i}]"
            if not isinstance(change, Mapping):
                raise StreamValidationError(field, "must be a mapping")
            entry = _identity(change, field)
            entry.update(_changes(change.get("set"), change.get("unset"), field))
            body.append(entry)

        def changes_of(chunk: Sequence[dict[str, Any]]) -> Call:
            return Call(body={"changes": chunk}, idempotent=True)

        limit, cast = "partial_update_changes", PartialUpdateManyResponse
        results = await self._in_chunks(
            "POST", "activity/", cast, body, limit, changes_of, options=options
        )
        return joined(
            results,
            lambda result: result.activities,
            lambda changed: PartialUpdateManyResponse(activities=changed),
        )

    async def add_to_many(
        self, activity: Mapping[str, Any], feeds: Sequence[str], **options: Unpack[RequestOptions]
    ) -> EmptyResponse:
        """Add one activity to many feeds (at most 5000 per request, more are sent 5000 per
        request, concurrently; ``to`` is not allowed). The feeds' followers do not get it.
        Also ``client.add_to_many``."""
        data = check.activity(activity)
        if "to" in data:
            raise StreamValidationError("activity.to", "is not allowed in add_to_many")
        feed_list = [target_feed(f, "feeds") for f in check.sequence(feeds, "feeds")]
        results = await self._in_chunks(
            "POST",
            "feed/add_to_many/",
            EmptyResponse,
            feed_list,
            "add_to_many_feeds",
            lambda chunk: Call(
                body={"activity": data, "feeds": chunk}, idempotent=check.has_identity(data)
            ),
            scope=_FEEDS,
            options=options,
        )
        return acknowledged(results)
