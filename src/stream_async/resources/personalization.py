"""``client.personalization``: the personalization service's resources (follow
recommendations, personalized feeds, ...), as configured for the app by Stream."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from stream_async._auth import Scope
from stream_async._transport import path
from stream_async.models.personalization import PersonalizationResponse
from stream_async.resources import _checks
from stream_async.resources._base import Resource, split_options


class Personalization(Resource):
    """``client.personalization``: ``get``, ``post`` and ``delete`` on a resource of the
    personalization service. Signed with ``personalization`` tokens (action by HTTP
    method, ``user_id: "*"``).

    Keyword arguments become the query (strings, numbers, booleans, lists of strings sent
    comma-joined; ``None`` is left out).
    """

    _scope = Scope("personalization", user_id="*")
    _service = "personalization"

    async def get(self, resource: str, **params: Any) -> PersonalizationResponse:
        """Read a resource: ``await client.personalization.get("follow_recommendations",
        user_id="alice", limit=10)``."""
        return await self._call("GET", resource, params)

    async def post(
        self, resource: str, *, data: Mapping[str, Any] | None = None, **params: Any
    ) -> PersonalizationResponse:
        """Send ``data`` to a resource: it goes in the body as ``{"data": data}``, and only
        ``params`` go in the query."""
        body = None if data is None else {"data": _checks.mapping(data, "data")}
        return await self._call("POST", resource, params, body)

    async def delete(self, resource: str, **params: Any) -> PersonalizationResponse:
        """Delete from a resource, as ``params`` say."""
        return await self._call("DELETE", resource, params)

    async def _call(
        self,
        method: str,
        resource: str,
        params: Mapping[str, Any],
        body: dict[str, Any] | None = None,
    ) -> PersonalizationResponse:
        segments = _checks.resource(resource)
        params, options = split_options(params)
        return await self._request(
            method,
            path(*segments),
            PersonalizationResponse,
            params=_checks.query_params(params),
            body=body,
            options=options,
        )
