"""``client.moderation``: flag users, activities and reactions for review (server-side
only)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from typing_extensions import Unpack

from stream_async import _validation as check
from stream_async._auth import Scope
from stream_async.models.moderation import FlagResponse
from stream_async.resources import _checks
from stream_async.resources._base import RequestOptions, Resource


class Moderation(Resource):
    """``client.moderation``. Signed with ``moderation`` / ``write`` tokens (``feed_id``
    ``*``); the API takes server tokens only (a user token gets
    :class:`~stream_async.errors.NotAllowedError`). Moderation must be enabled for
    the app."""

    _scope = Scope("moderation")

    async def flag_user(
        self,
        user_id: str,
        *,
        reporter_id: str,
        reason: str,
        custom: Mapping[str, Any] | None = None,
        **options: Unpack[RequestOptions],
    ) -> FlagResponse:
        """Flag the user ``user_id``: ``reporter_id`` (sent as ``user_id``) reports it for
        ``reason``, with optional ``custom`` data."""
        key = _checks.reference(user_id, "user_id")
        return await self._flag("stream:user", key, reporter_id, reason, custom, options)

    async def flag_activity(
        self,
        activity_id: str,
        *,
        reporter_id: str,
        reason: str,
        custom: Mapping[str, Any] | None = None,
        **options: Unpack[RequestOptions],
    ) -> FlagResponse:
        """Flag an activity (see :meth:`flag_user`)."""
        key = _checks.reference(activity_id, "activity_id")
        kind = "stream:feeds:v2:activity"
        return await self._flag(kind, key, reporter_id, reason, custom, options)

    async def flag_reaction(
        self,
        reaction_id: str,
        *,
        reporter_id: str,
        reason: str,
        custom: Mapping[str, Any] | None = None,
        **options: Unpack[RequestOptions],
    ) -> FlagResponse:
        """Flag a reaction (see :meth:`flag_user`)."""
        key = _checks.reference(reaction_id, "reaction_id")
        kind = "stream:feeds:v2:reaction"
        return await self._flag(kind, key, reporter_id, reason, custom, options)

    async def _flag(
        self,
        entity_type: str,
        entity_id: str,
        reporter_id: str,
        reason: str,
        custom: Mapping[str, Any] | None,
        options: RequestOptions,
    ) -> FlagResponse:
        body: dict[str, Any] = {
            "entity_type": entity_type,
            "entity_id": entity_id,
            "user_id": _checks.reference(reporter_id, "reporter_id"),
            "reason": check.non_empty_str(reason, "reason"),
        }
        if custom is not None:
            body["custom"] = _checks.mapping(custom, "custom")
        # No trailing slash: the path Stream's JavaScript client uses.
        return await self._request(
            "POST", "moderation/flag", FlagResponse, body=body, options=options
        )
