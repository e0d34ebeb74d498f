"""``client.data_privacy``: delete a user's activities and reactions for good, and export
the ids of what a user made (server-side auth only).

Signed with ``data_privacy`` tokens, action ``write`` for the deletes and ``read`` for the
export, ``feed_id`` ``*``, as the official Java client signs them (the JavaScript client
signs ``*`` for all three).

Choices where the API publishes nothing: at most 100 activities or reaction ids go in one
request (``LIMITS["privacy_activities"]``, ``LIMITS["privacy_reactions"]``, the size of
the API's other activity batches); longer lists are split into requests sent
concurrently, and a failure of some raises :class:`~stream_async.errors.BatchError`. An
activity is named by its ``id``, or by its ``foreign_id`` and ``time``, sent as the
entry ``{"foreign_id", "time"}`` (optionally with ``remove_from_feeds``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from typing_extensions import Unpack

from stream_async import _validation as check
from stream_async._auth import Scope
from stream_async._transport import path
from stream_async.errors import StreamValidationError
from stream_async.models._base import EmptyResponse
from stream_async.models.data_privacy import ExportIdsResponse
from stream_async.resources import _checks
from stream_async.resources._base import Call, RequestOptions, Resource
from stream_async.resources._batching import acknowledged

_ACTIVITY_KEYS = frozenset({"id", "foreign_id", "time", "remove_from_feeds"})


class DataPrivacy(Resource):
    """``client.data_privacy``: deletions and exports for data-privacy requests."""

    _scope = Scope("data_privacy")

    async def delete_activities(
        self,
        activities: Sequence[str | Mapping[str, Any]],
        **options: Unpack[RequestOptions],
    ) -> EmptyResponse:
        """Delete activities wherever they are. Each item is an activity id, or a mapping
        with ``id`` (or ``foreign_id`` and ``time``, a datetime or ISO 8601 string) and an
        optional ``remove_from_feeds`` list of feed ids (``slug:user_id``).

        Afterwards ``activities.get`` leaves them out; feed reads still list them until
        read with ``discard_deleted_activities=True``, which hides them in every feed. An
        empty list sends nothing."""
        entries = [
            _activity(item, f"activities[{i}]")
            for i, item in enumerate(
                _checks.list_of(activities, "activities", "activity ids or mappings")
            )
        ]
        results = await self._in_chunks(
            "POST",
            "data_privacy/delete_activities/",
            EmptyResponse,
            entries,
            "privacy_activities",
            lambda chunk: Call(body={"activities": list(chunk)}, idempotent=True),
            options=options,
        )
        return acknowledged(results)

    async def delete_reactions(
        self,
        ids: Sequence[str],
        *,
        soft_delete: bool = False,
        **options: Unpack[RequestOptions],
    ) -> EmptyResponse:
        """Delete reactions by id: for good (a later ``reactions.get`` raises
        :class:`~stream_async.errors.NotFoundError`), or with ``soft_delete=True`` marked
        deleted (still readable, left out of filters). ``soft_delete`` is sent only when
        true. An empty list sends nothing."""
        keys = [
            _checks.reference(key, f"ids[{i}]")
            for i, key in enumerate(_checks.list_of(ids, "ids", "reaction ids"))
        ]
        _checks.boolean(soft_delete, "soft_delete")
        extra: dict[str, Any] = {"soft_delete": True} if soft_delete else {}
        results = await self._in_chunks(
            "POST",
            "data_privacy/delete_reactions/",
            EmptyResponse,
            keys,
            "privacy_reactions",
            lambda chunk: Call(body={"ids": list(chunk), **extra}, idempotent=True),
            options=options,
        )
        return acknowledged(results)

    async def export_ids(
        self, user_id: str, **options: Unpack[RequestOptions]
    ) -> ExportIdsResponse:
        """The ids of a user's activities (whose ``actor`` is ``user_id`` itself, not
        ``SU:<id>``) and reactions, with their counts. The path has no trailing slash, as
        the API's own clients send it."""
        key = _checks.reference(user_id, "user_id")
        where = path("data_privacy", "export_ids", key).removesuffix("/")
        return await self._request("GET", where, ExportIdsResponse, options=options)


def _activity(value: object, field: str) -> dict[str, Any]:
    if isinstance(value, str):
        return {"id": _checks.reference(value, field)}
    item = _checks.mapping(value, field)
    unknown = sorted(set(item) - _ACTIVITY_KEYS)
    if unknown:
        raise StreamValidationError(
            field, f"takes id, foreign_id, time and remove_from_feeds, not {unknown[0]!r}"
        )
    has_id = item.get("id") is not None
    if has_id == (item.get("foreign_id") is not None or item.get("time") is not None):
        raise StreamValidationError(field, "give either id, or foreign_id and time")
    entry: dict[str, Any]
    if has_id:
        entry = {"id": _checks.reference(item["id"], f"{field}.id")}
    else:
        entry = {
            "foreign_id": check.non_empty_str(item.get("foreign_id"), f"{field}.foreign_id"),
            "time": check.time(item.get("time"), f"{field}.time"),
        }
    if item.get("remove_from_feeds") is not None:
        entry["remove_from_feeds"] = check.feed_ids(
            item["remove_from_feeds"], f"{field}.remove_from_feeds"
        )
    return entry
