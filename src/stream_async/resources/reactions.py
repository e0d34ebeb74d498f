"""``client.reactions``: reactions to activities (likes, comments, ...), child reactions,
and paging through them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from typing_extensions import Unpack

from stream_async import _validation as check
from stream_async._auth import Scope
from stream_async._transport import QueryValue, path
from stream_async.errors import StreamValidationError
from stream_async.models._base import EmptyResponse
from stream_async.models.reactions import Reaction, ReactionPage, ReactionResponse
from stream_async.pagination import walk
from stream_async.resources import _checks
from stream_async.resources._base import RequestOptions, Resource, split_options

Params = dict[str, QueryValue]


class ReactionChanges(RequestOptions, total=False):
    """A reaction's own fields (``data``), the feeds that get an activity for it
    (``target_feeds``, feed ids) and what is added to that activity
    (``target_feeds_extra_data``); the call's :class:`RequestOptions` too."""

    data: Mapping[str, Any] | None
    target_feeds: Sequence[str] | None
    target_feeds_extra_data: Mapping[str, Any] | None


class NewReaction(ReactionChanges, total=False):
    """What a new reaction takes beyond its kind, target and user: :class:`ReactionChanges`
    and the reaction ``id`` to use (server-made when not given)."""

    id: str | None


class ReactionQuery(_checks.IdBounds, RequestOptions, total=False):
    """Which reactions :meth:`Reactions.filter` and :meth:`Reactions.iterate` page
    through: exactly one of ``activity_id``, ``user_id`` and ``reaction_id``; optionally
    one ``kind``, a page ``limit`` (1..25), one id bound, ``with_own_children`` and
    ``children_user_id``; the :class:`RequestOptions` of each page's call too."""

    activity_id: str | None
    user_id: str | None
    reaction_id: str | None
    kind: str | None
    limit: int | None
    with_own_children: bool
    children_user_id: str | None


class Reactions(Resource):
    """``client.reactions``. Signed with ``reactions`` tokens (action by HTTP method).

    In client-side mode (a client built with a user ``token``) the acting user is the
    token's: ``user_id`` arguments are then optional and never sent.
    """

    _scope = Scope("reactions")

    async def add(
        self, kind: str, activity_id: str, user_id: str | None = None, **extra: Unpack[NewReaction]
    ) -> ReactionResponse:
        """Add a reaction of ``kind`` (``"like"``, ``"comment"``, ...) by ``user_id`` to an
        activity; returns it with its ``id``. ``user_id`` is required with server-side
        auth; in client-side mode the reaction is the token user's and ``user_id`` is not
        sent.

        Keyword arguments (:class:`NewReaction`): ``data`` is the reaction's own fields;
        ``target_feeds`` (feed ids) get an activity for the reaction, with
        ``target_feeds_extra_data`` added to it; ``id`` chooses the reaction id (a second
        add with the same id raises :class:`~stream_async.errors.ConflictError`).
        """
        body = {
            "kind": _checks.reference(kind, "kind"),
            "activity_id": _checks.reference(activity_id, "activity_id"),
        }
        return await self._add(body, user_id, extra, "add")

    async def add_child(
        self, kind: str, parent_id: str, user_id: str | None = None, **extra: Unpack[NewReaction]
    ) -> ReactionResponse:
        """Add a child reaction (a reply, a like of a comment) to the reaction ``parent_id``;
        the arguments are those of :meth:`add`. Reactions nest at most three levels deep."""
        body = {
            "kind": _checks.reference(kind, "kind"),
            "parent": _checks.reference(parent_id, "parent_id"),
        }
        return await self._add(body, user_id, extra, "add_child")

    async def _add(
        self,
        body: dict[str, Any],
        user_id: str | None,
        extra: NewReaction,
        method: str,
    ) -> ReactionResponse:
        _checks.keywords(extra, NewReaction.__optional_keys__, method)
        if user_id is not None:
            user_id = _checks.reference(user_id, "user_id")
        elif not self._client_side:
            raise StreamValidationError("user_id", "is required with server-side auth")
        if not self._client_side:
            body["user_id"] = user_id
        body.update(_changes(extra))
        id = extra.get("id")
        if id is not None:
            body["id"] = _checks.reference(id, "id")
        # With a client-chosen id, a repeat is refused as a duplicate instead of adding a
        # second reaction, so the add is safe to retry.
        return await self._request(
            "POST",
            "reaction/",
            ReactionResponse,
            body=body,
            idempotent=id is not None,
            options=split_options(extra)[1],
        )

    async def get(self, reaction_id: str, **options: Unpack[RequestOptions]) -> ReactionResponse:
        """Read one reaction, with its ``user`` and latest children. A soft-deleted reaction
        is still found, with ``deleted_at`` set."""
        key = _checks.reference(reaction_id, "reaction_id")
        return await self._request("GET", path("reaction", key), ReactionResponse, options=options)

    async def update(
        self, reaction_id: str, **changes: Unpack[ReactionChanges]
    ) -> ReactionResponse:
        """Replace a reaction's ``data`` and/or ``target_feeds`` (an activity moves out of
        feeds no longer listed), and ``target_feeds_extra_data``; only the keyword
        arguments given are sent."""
        key = _checks.reference(reaction_id, "reaction_id")
        _checks.keywords(changes, ReactionChanges.__optional_keys__, "update")
        return await self._request(
            "PUT",
            path("reaction", key),
            ReactionResponse,
            body=_changes(changes),
            options=split_options(changes)[1],
        )

    async def delete(
        self, reaction_id: str, *, soft: bool = False, **options: Unpack[RequestOptions]
    ) -> EmptyResponse:
        """Delete a reaction (and the activities it made in target feeds). ``soft=True``
        keeps it restorable with :meth:`restore`."""
        key = _checks.reference(reaction_id, "reaction_id")
        _checks.boolean(soft, "soft")
        params = {"soft": True} if soft else None
        return await self._request(
            "DELETE", path("reaction", key), EmptyResponse, params=params, options=options
        )

    async def restore(self, reaction_id: str, **options: Unpack[RequestOptions]) -> EmptyResponse:
        """Bring back a soft-deleted reaction (:meth:`get` reads it again). The API
        documents no body for this call, so anything it sends is only in ``model_extra``."""
        key = _checks.reference(reaction_id, "reaction_id")
        return await self._request(
            "PUT", path("reaction", key, "restore"), EmptyResponse, options=options
        )

    async def filter(
        self, *, with_activity_data: bool = False, **query: Unpack[ReactionQuery]
    ) -> ReactionPage:
        """One page of reactions: those of an activity (``activity_id``), by a user
        (``user_id``) or the children of a reaction (``reaction_id``); give exactly one.
        Keyword arguments only: those of :class:`ReactionQuery` and ``with_activity_data``.

        ``kind`` keeps one kind; ``limit`` is 1..25 (the server's default is 10). Pages go
        newest first; ``id_lt``/``id_lte`` start below a reaction id (still newest first),
        ``id_gt``/``id_gte`` above one (then oldest first). Give at most one of the four
        bounds: the API does not take a ``lt`` and a ``gt`` bound together, and two bounds
        of one direction say nothing more than one.

        ``with_activity_data`` adds the activity to the page (``activity_id`` lookups);
        ``with_own_children`` adds each reaction's ``own_children``, those of
        ``children_user_id`` with server-side auth. :meth:`iterate` walks every page.
        """
        target, params = _filter_call(query, "filter")
        _checks.boolean(with_activity_data, "with_activity_data")
        if with_activity_data:
            params["with_activity_data"] = True
        return await self._page(target, params, split_options(query)[1])

    def iterate(
        self, *, max_items: int | None = None, **query: Unpack[ReactionQuery]
    ) -> AsyncIterator[Reaction]:
        """Every reaction :meth:`filter` would page through (same keyword arguments, but
        ``with_activity_data``), as an async iterator::

            async for reaction in client.reactions.iterate(activity_id=..., kind="like"):
                ...

        Pages of ``limit`` reactions are fetched one at a time by following each page's
        ``next`` link, so only one page is held in memory; ``max_items`` stops early.
        Arguments are checked here, before the first page is fetched.
        """
        target, first = _filter_call(query, "iterate")
        options = split_options(query)[1]
        if max_items is not None:
            check.int_range(max_items, "max_items", low=0)

        async def fetch(cursor: str | None) -> tuple[Sequence[Reaction], str | None]:
            params = first if cursor is None else _next_params(cursor)
            page = await self._page(target, params, options)
            return page.results, page.next or None

        return walk(fetch, max_items=max_items)

    async def _page(self, target: str, params: Params, options: RequestOptions) -> ReactionPage:
        return await self._request("GET", target, ReactionPage, params=params, options=options)


def _changes(changes: ReactionChanges) -> dict[str, Any]:
    """The body of the :class:`ReactionChanges` given (``None`` is not given), checked."""
    body: dict[str, Any] = {}
    data, extra = changes.get("data"), changes.get("target_feeds_extra_data")
    target_feeds = changes.get("target_feeds")
    if data is not None:
        body["data"] = _checks.mapping(data, "data")
    if target_feeds is not None:
        body["target_feeds"] = check.feed_ids(target_feeds, "target_feeds")
    if extra is not None:
        body["target_feeds_extra_data"] = _checks.mapping(extra, "target_feeds_extra_data")
    return body


def _filter_call(query: ReactionQuery, method: str) -> tuple[str, Params]:
    """The path and query of a filter call, checked."""
    _checks.keywords(query, ReactionQuery.__optional_keys__, method)
    lookups = [
        (name, value)
        for name in ("activity_id", "user_id", "reaction_id")
        if (value := query.get(name)) is not None
    ]
    if len(lookups) != 1:
        raise StreamValidationError(
            "activity_id", "give exactly one of activity_id, user_id and reaction_id"
        )
    lookup, value = lookups[0]
    segments = ["reaction", lookup, _checks.reference(value, lookup)]
    kind = query.get("kind")
    if kind is not None:
        segments.append(_checks.reference(kind, "kind"))
    params: Params = {}
    limit = query.get("limit")
    if limit is not None:
        params["limit"] = check.int_range(
            limit, "limit", low=1, high=check.LIMITS["reactions_per_page"]
        )
    params.update(_checks.id_bound(query))
    with_own_children = query.get("with_own_children", False)
    _checks.boolean(with_own_children, "with_own_children")
    if with_own_children:
        params["with_own_children"] = True
    children_user_id = query.get("children_user_id")
    if children_user_id is not None:
        params["children_user_id"] = _checks.reference(children_user_id, "children_user_id")
    return path(*segments), params


def _next_params(next_link: str) -> Params:
    """The query of a page's ``next`` link, minus ``api_key`` (the transport adds its own)."""
    return {
        key: value
        for key, value in parse_qsl(urlsplit(next_link).query, keep_blank_values=True)
        if key != "api_key"
    }
