"""``client.users``: user profiles, which activities and reactions point to as ``SU:<id>``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from typing_extensions import Unpack

from stream_async import _validation as check
from stream_async._auth import Scope
from stream_async._transport import path
from stream_async.errors import StreamValidationError
from stream_async.models._base import EmptyResponse
from stream_async.models.users import AddUsersResponse, GetUsersResponse, User, UserResponse
from stream_async.resources import _checks
from stream_async.resources._base import Call, RequestOptions, Resource
from stream_async.resources._batching import acknowledged, joined


def user_reference(user: str | User | Mapping[str, Any]) -> str:
    """The reference ``SU:<id>`` to a user, from its id, a :class:`User` or a mapping with
    an ``id``; put it in an activity's ``actor`` (or any field) to have reads enrich it."""
    if isinstance(user, User):
        user_id: object = user.id
    elif isinstance(user, Mapping):
        user_id = user.get("id")
    else:
        user_id = user
    return f"SU:{_checks.reference(user_id, 'user_id')}"


class Users(Resource):
    """``client.users``. Signed with ``users`` tokens (action by HTTP method).

    The batch calls (:meth:`add_many`, :meth:`get_many`, :meth:`delete_many`, on
    ``users/``) need server-side auth. The API publishes no per-request limit for them;
    this SDK sends at most 100 users per request (``LIMITS["users_per_batch"]``, the
    size of the API's other batches of activities) and splits larger inputs into
    requests sent concurrently; a failure of some of them raises
    :class:`~stream_async.errors.BatchError`. Their ids are word characters and hyphens
    (``[\\w-]+``, at most 255 characters), since reads and deletes send them
    comma-joined in the query.
    """

    _scope = Scope("users")

    create_reference = staticmethod(user_reference)

    async def add(
        self,
        user_id: str,
        data: Mapping[str, Any] | None = None,
        *,
        get_or_create: bool = False,
        **options: Unpack[RequestOptions],
    ) -> UserResponse:
        """Create the user ``user_id`` (at most 255 characters) with ``data``.

        An existing id raises :class:`~stream_async.errors.ConflictError`, unless
        ``get_or_create=True``: then the existing user is returned unchanged (the new
        ``data`` is ignored).
        """
        key = _checks.reference(user_id, "user_id")
        body: dict[str, Any] = {"id": key}
        if data is not None:
            body["data"] = _checks.mapping(data, "data")
        _checks.boolean(get_or_create, "get_or_create")
        return await self._request(
            "POST",
            "user/",
            UserResponse,
            params={"get_or_create": get_or_create},
            body=body,
            idempotent=get_or_create,
            options=options,
        )

    async def get(
        self, user_id: str, *, with_follow_counts: bool = False, **options: Unpack[RequestOptions]
    ) -> UserResponse:
        """Read a user; ``with_follow_counts=True`` adds ``followers_count`` and
        ``following_count``. A missing user raises
        :class:`~stream_async.errors.NotFoundError`."""
        key = _checks.reference(user_id, "user_id")
        _checks.boolean(with_follow_counts, "with_follow_counts")
        return await self._request(
            "GET",
            path("user", key),
            UserResponse,
            params={"with_follow_counts": True} if with_follow_counts else None,
            options=options,
        )

    async def update(
        self, user_id: str, data: Mapping[str, Any], **options: Unpack[RequestOptions]
    ) -> UserResponse:
        """Replace a user's ``data`` (the only field that can change)."""
        key = _checks.reference(user_id, "user_id")
        return await self._request(
            "PUT",
            path("user", key),
            UserResponse,
            body={"data": _checks.mapping(data, "data")},
            options=options,
        )

    async def delete(self, user_id: str, **options: Unpack[RequestOptions]) -> EmptyResponse:
        """Delete a user."""
        key = _checks.reference(user_id, "user_id")
        return await self._request("DELETE", path("user", key), EmptyResponse, options=options)

    async def add_many(
        self,
        users: Sequence[Mapping[str, Any]],
        *,
        override: bool = False,
        **options: Unpack[RequestOptions],
    ) -> AddUsersResponse:
        """Create many users, each a mapping with an ``id`` (unique among them) and an
        optional ``data`` mapping. With ``override=False`` (the default) existing users
        are left untouched and left out of ``created_users``; with ``override=True``
        their ``data`` is replaced and they are listed. An empty list sends nothing."""
        entries = [
            _batch_user(item, f"users[{i}]")
            for i, item in enumerate(_checks.list_of(users, "users", "user mappings"))
        ]
        _checks.no_repeated_ids((f"users[{i}].id", entry["id"]) for i, entry in enumerate(entries))
        _checks.boolean(override, "override")
        results = await self._in_chunks(
            "POST",
            "users/",
            AddUsersResponse,
            entries,
            "users_per_batch",
            lambda chunk: Call(
                body={"users": list(chunk), "override": override}, idempotent=override
            ),
            options=options,
        )
        return joined(
            results,
            lambda result: result.created_users,
            lambda created: AddUsersResponse(created_users=created),
        )

    async def get_many(
        self, user_ids: Sequence[str], **options: Unpack[RequestOptions]
    ) -> GetUsersResponse:
        """Read many users by id; ids that do not exist are left out of ``users``. An
        empty list sends nothing."""
        results = await self._in_chunks(
            "GET",
            "users/",
            GetUsersResponse,
            _batch_ids(user_ids),
            "users_per_batch",
            lambda chunk: Call(params={"ids": chunk}),
            options=options,
        )
        return joined(
            results, lambda result: result.users, lambda found: GetUsersResponse(users=found)
        )

    async def delete_many(
        self, user_ids: Sequence[str], **options: Unpack[RequestOptions]
    ) -> EmptyResponse:
        """Delete many users; ids that do not exist are no error. The API publishes no
        response body for this call, so the result is an
        :class:`~stream_async.models.EmptyResponse` (any keys the server sends are kept in
        its ``model_extra``). An empty list sends nothing."""
        results = await self._in_chunks(
            "DELETE",
            "users/",
            EmptyResponse,
            _batch_ids(user_ids),
            "users_per_batch",
            lambda chunk: Call(params={"ids": chunk}),
            options=options,
        )
        return acknowledged(results)


def _batch_id(value: object, field: str) -> str:
    return _checks.reference(check.user_id(value, field), field)


def _batch_ids(values: object) -> list[str]:
    return [
        _batch_id(value, f"user_ids[{i}]")
        for i, value in enumerate(_checks.list_of(values, "user_ids", "user ids"))
    ]


def _batch_user(value: object, field: str) -> dict[str, Any]:
    item = _checks.mapping(value, field)
    entry: dict[str, Any] = {"id": _batch_id(item.get("id"), f"{field}.id")}
    if item.get("data") is not None:
        entry["data"] = _checks.mapping(item["data"], f"{field}.data")
    unknown = sorted(set(item) - {"id", "data"})
    if unknown:
        raise StreamValidationError(field, f"takes only 'id' and 'data', not {unknown[0]!r}")
    return entry
