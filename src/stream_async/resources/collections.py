"""``client.collections``: app objects (products, places, ...) stored by Stream, which
activities point to as ``SO:<collection>:<id>``."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from typing_extensions import Unpack

from stream_async._auth import Scope
from stream_async._transport import QueryValue, path
from stream_async.errors import StreamValidationError
from stream_async.models._base import EmptyResponse, StreamResponse
from stream_async.models.collections import (
    CollectionObject,
    CollectionObjectResponse,
    CollectionObjects,
    SelectCollectionsResponse,
    UpsertCollectionsResponse,
)
from stream_async.resources import _checks
from stream_async.resources._base import Call, RequestOptions, Resource
from stream_async.resources._batching import acknowledged, joined

R = TypeVar("R", bound=StreamResponse)


def collection_reference(
    collection_name: str | CollectionObject | Mapping[str, Any], id: str | None = None
) -> str:
    """The reference ``SO:<collection>:<id>`` to a collection object, from a collection
    name and an id, or from a :class:`CollectionObject` (or a mapping with ``collection``
    and ``id``) alone."""
    name: object = collection_name
    if isinstance(collection_name, (CollectionObject, Mapping)):
        if id is not None:
            raise StreamValidationError("id", "give an id only with a collection name")
        if isinstance(collection_name, CollectionObject):
            name, id = collection_name.collection, collection_name.id
        else:
            name, id = collection_name.get("collection"), collection_name.get("id")
    return f"SO:{_checks.collection_name(name)}:{_checks.collection_id(id)}"


class Collections(Resource):
    """``client.collections``. Signed with ``collections`` tokens (action by HTTP method).

    Collection names are word characters (``\\w+``), object ids word characters and
    hyphens (``[\\w-]+``), both at most 255 characters. In client-side mode the owner of
    a new object is the token's user and ``user_id`` is never sent.
    """

    _scope = Scope("collections")

    create_reference = staticmethod(collection_reference)

    async def add(
        self,
        collection_name: str,
        data: Mapping[str, Any],
        *,
        id: str | None = None,
        user_id: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> CollectionObjectResponse:
        """Add an object with ``data`` (a non-empty mapping) to a collection; without ``id``
        the server makes a UUID. An existing id raises
        :class:`~stream_async.errors.ConflictError`."""
        name = _checks.collection_name(collection_name)
        body: dict[str, Any] = {"data": _data(data)}
        if id is not None:
            body["id"] = _checks.collection_id(id)
        if user_id is not None:
            user_id = _checks.reference(user_id, "user_id")
            if not self._client_side:
                body["user_id"] = user_id
        return await self._request(
            "POST", path("collections", name), CollectionObjectResponse, body=body, options=options
        )

    async def get(
        self, collection_name: str, id: str, **options: Unpack[RequestOptions]
    ) -> CollectionObjectResponse:
        """Read one object; a missing one raises
        :class:`~stream_async.errors.NotFoundError`."""
        where = path("collections", *_object_key(collection_name, id))
        return await self._request("GET", where, CollectionObjectResponse, options=options)

    async def update(
        self,
        collection_name: str,
        id: str,
        data: Mapping[str, Any],
        **options: Unpack[RequestOptions],
    ) -> CollectionObjectResponse:
        """Replace an object's ``data`` (a non-empty mapping)."""
        where = path("collections", *_object_key(collection_name, id))
        body = {"data": _data(data)}
        return await self._request(
            "PUT", where, CollectionObjectResponse, body=body, options=options
        )

    async def delete(
        self, collection_name: str, id: str, **options: Unpack[RequestOptions]
    ) -> EmptyResponse:
        """Delete one object."""
        where = path("collections", *_object_key(collection_name, id))
        return await self._request("DELETE", where, EmptyResponse, options=options)

    async def upsert(
        self,
        collection_name: str,
        items: Sequence[Mapping[str, Any]],
        **options: Unpack[RequestOptions],
    ) -> UpsertCollectionsResponse:
        """Create or replace several objects of one collection in one request (server-side
        auth). Each item is a mapping with an ``id`` (unique among the items) and any other
        fields, stored as the object's data. An empty list sends nothing."""
        name = _checks.collection_name(collection_name)
        entries = [
            _checks.mapping(item, f"items[{i}]")
            for i, item in enumerate(_checks.list_of(items, "items", "objects"))
        ]
        _checks.no_repeated_ids(
            (f"items[{i}].id", _checks.collection_id(entry.get("id"), f"items[{i}].id"))
            for i, entry in enumerate(entries)
        )
        if not entries:
            return UpsertCollectionsResponse(data={name: []})
        return await self._request(
            "POST",
            "collections/",
            UpsertCollectionsResponse,
            body={"data": {name: entries}},
            idempotent=True,
            options=options,
        )

    async def select(
        self, collection_name: str, ids: Sequence[str], **options: Unpack[RequestOptions]
    ) -> SelectCollectionsResponse:
        """Read objects of one collection by id (server-side auth), 1000 per request,
        concurrently; ids that do not exist are left out of ``.objects``. An empty list
        sends nothing."""
        results = await self._by_ids(
            "GET",
            SelectCollectionsResponse,
            collection_name,
            ids,
            lambda name, chunk: {"foreign_ids": [f"{name}:{key}" for key in chunk]},
            options,
        )
        return joined(
            results,
            lambda result: result.objects,
            lambda found: SelectCollectionsResponse(response=CollectionObjects(data=found)),
        )

    async def delete_many(
        self, collection_name: str, ids: Sequence[str], **options: Unpack[RequestOptions]
    ) -> EmptyResponse:
        """Delete objects of one collection (server-side auth), 1000 per request,
        concurrently. An empty list sends nothing."""
        results = await self._by_ids(
            "DELETE",
            EmptyResponse,
            collection_name,
            ids,
            lambda name, chunk: {"collection_name": name, "ids": chunk},
            options,
        )
        return acknowledged(results)

    async def _by_ids(
        self,
        method: str,
        cast: type[R],
        collection_name: object,
        ids: object,
        query: Callable[[str, Sequence[str]], dict[str, QueryValue]],
        options: RequestOptions,
    ) -> list[R]:
        """A call on objects of one collection by id, 1000 ids per request, concurrently;
        ``query`` makes a request's query from the checked name and ids."""
        name = _checks.collection_name(collection_name)
        keys = [
            _checks.collection_id(key, f"ids[{i}]")
            for i, key in enumerate(_checks.list_of(ids, "ids", "ids"))
        ]
        return await self._in_chunks(
            method,
            "collections/",
            cast,
            keys,
            "collection_ids",
            lambda chunk: Call(params=query(name, chunk)),
            options=options,
        )


def _data(value: object) -> dict[str, Any]:
    data = _checks.mapping(value, "data")
    if not data:
        raise StreamValidationError("data", "must not be empty")
    return data


def _object_key(collection_name: object, id: object) -> tuple[str, str]:
    return _checks.collection_name(collection_name), _checks.collection_id(id)
