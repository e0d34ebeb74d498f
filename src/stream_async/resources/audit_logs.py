"""``client.audit_logs``: who created, changed, deleted or flagged what (server-side only)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Literal

from typing_extensions import Unpack

from stream_async import _validation as check
from stream_async._auth import Scope
from stream_async._transport import QueryValue
from stream_async.errors import StreamValidationError
from stream_async.models.moderation import AuditLog, AuditLogPage
from stream_async.pagination import walk
from stream_async.resources import _checks
from stream_async.resources._base import RequestOptions, Resource

EntityType = Literal["activity", "reaction", "user", "feed"]
ENTITY_TYPES: tuple[str, ...] = ("activity", "reaction", "user", "feed")


def _filters(
    entity_type: str | None, entity_id: str | None, user_id: str | None, limit: int | None
) -> dict[str, QueryValue]:
    """The query of an audit-log call, checked: ``entity_type`` and ``entity_id``
    together, or ``user_id`` (or all three); ``limit`` 1..100."""
    params: dict[str, QueryValue] = {}
    if entity_type is not None:
        if entity_type not in ENTITY_TYPES:
            raise StreamValidationError(
                "entity_type", "must be one of 'activity', 'reaction', 'user', 'feed'", entity_type
            )
        params["entity_type"] = entity_type
    if entity_id is not None:
        params["entity_id"] = _checks.reference(entity_id, "entity_id")
    if user_id is not None:
        params["user_id"] = _checks.reference(user_id, "user_id")
    if user_id is None and (entity_type is None or entity_id is None):
        raise StreamValidationError(
            "entity_type/entity_id/user_id", "give entity_type and entity_id together, or user_id"
        )
    if limit is not None:
        params["limit"] = check.int_range(
            limit, "limit", low=1, high=check.LIMITS["audit_logs_per_page"]
        )
    return params


class AuditLogs(Resource):
    """``client.audit_logs``. Signed with ``audit_logs`` / ``read`` tokens (``feed_id``
    ``*``); the API takes server tokens only (a user token gets
    :class:`~stream_async.errors.NotAllowedError`)."""

    _scope = Scope("audit_logs")

    async def query(
        self,
        *,
        entity_type: EntityType | None = None,
        entity_id: str | None = None,
        user_id: str | None = None,
        limit: int | None = None,
        next: str | None = None,
        prev: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> AuditLogPage:
        """One page of audit-log entries, newest first.

        Give ``entity_type`` (``"activity"``, ``"reaction"``, ``"user"`` or ``"feed"``)
        together with ``entity_id``, or ``user_id`` (an activity's entries carry its
        ``actor`` string), or all three; every filter given applies. ``limit`` is 1..100
        (the server's default applies when it is not given). Pass a page's ``next`` (or
        ``prev``, not both) to read the following (or previous) page. :meth:`iterate`
        walks every page. Bad arguments raise
        :class:`~stream_async.errors.StreamValidationError` before anything is sent.
        """
        params = _filters(entity_type, entity_id, user_id, limit)
        if next is not None and prev is not None:
            raise StreamValidationError("next/prev", "give at most one of next and prev")
        if next is not None:
            params["next"] = check.non_empty_str(next, "next")
        if prev is not None:
            params["prev"] = check.non_empty_str(prev, "prev")
        return await self._page(params, options)

    def iterate(
        self,
        *,
        entity_type: EntityType | None = None,
        entity_id: str | None = None,
        user_id: str | None = None,
        limit: int | None = None,
        max_items: int | None = None,
        **options: Unpack[RequestOptions],
    ) -> AsyncIterator[AuditLog]:
        """Every entry :meth:`query` would page through, newest first, as an async
        iterator::

            async for entry in client.audit_logs.iterate(user_id="alice"):
                ...

        Pages of ``limit`` entries are fetched one at a time by following each page's
        ``next``; ``max_items`` stops early. Arguments are checked here, before the first
        page is fetched.
        """
        first = _filters(entity_type, entity_id, user_id, limit)
        if max_items is not None:
            check.int_range(max_items, "max_items", low=0)

        async def fetch(cursor: str | None) -> tuple[Sequence[AuditLog], str | None]:
            params = first if cursor is None else {**first, "next": cursor}
            page = await self._page(params, options)
            return page.audit_logs, page.next or None

        return walk(fetch, max_items=max_items)

    async def _page(self, params: dict[str, QueryValue], options: RequestOptions) -> AuditLogPage:
        return await self._request(
            "GET", "audit_logs/", AuditLogPage, params=params, options=options
        )
