"""What every namespace is: a :class:`Resource` bound to one client.

A namespace keeps nothing of its own but the client it belongs to: the request path, the
signer and the settings (timeouts, retries) are reached through it at call time, so the
namespaces of a ``with_options`` copy use the copy's settings. Every call a namespace
makes ends in :meth:`Resource._request`, the one place that hands a call to the client's
request path, and so the one place where the options of a single call
(:class:`RequestOptions`, the last keyword arguments of every public method) are checked
and join it.

The client builds each namespace once (:class:`namespace`: ``client.reactions is
client.reactions``) and offers the calls that the official client has at top level
(``client.follow_many``, ``client.og`` ...) with :class:`forward`, which hands out the
namespace's own bound method.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import (
    TYPE_CHECKING,
    Any,
    ClassVar,
    Concatenate,
    Generic,
    ParamSpec,
    TypedDict,
    TypeVar,
    overload,
)

from typing_extensions import Unpack

from stream_async import _validation as check
from stream_async._auth import Scope
from stream_async._transport import QueryValue
from stream_async.errors import StreamValidationError
from stream_async.models._base import StreamResponse
from stream_async.resources import _checks
from stream_async.resources._batching import in_chunks

if TYPE_CHECKING:
    from stream_async._client import AsyncStreamClient

R = TypeVar("R", bound=StreamResponse)
N = TypeVar("N", bound="Resource")
P = ParamSpec("P")
T = TypeVar("T")


class Call(TypedDict, total=False):
    """What a namespace's call sends beyond its method and path: the query (``None``
    values are left out), a JSON ``body`` or multipart ``files``, a per-attempt
    ``timeout`` of its own, and whether it is safe to repeat (``idempotent``; default: by
    HTTP method)."""

    params: Mapping[str, QueryValue] | None
    body: Any
    files: Mapping[str, Any] | None
    timeout: float | None
    idempotent: bool | None


class RequestOptions(TypedDict, total=False):
    """Options of one call, taken as keyword arguments by every public API method, as in
    the anthropic and openai SDKs: ``timeout`` (seconds, a positive number) replaces the
    per-attempt timeout (the client's ``timeout``, or ``upload_timeout`` for uploads);
    ``max_retries`` (an integer of at least 0) replaces the client's; ``extra_headers``
    (names and values, strings) are sent on top of the SDK's own, replacing a header of
    the same name except ``Authorization`` and ``Stream-Auth-Type`` (in any case);
    ``extra_query`` (values as the SDK's own query takes them; ``None`` is left out) is
    added to the query, replacing a parameter of the same name except ``api_key``. A
    value breaking these rules raises :class:`~stream_async.errors.StreamValidationError`
    naming the option, before anything is sent. The client-wide ``total_timeout`` still
    bounds the call; ``client.with_options(...)`` sets options for many calls."""

    timeout: float
    max_retries: int
    extra_headers: Mapping[str, str]
    extra_query: Mapping[str, QueryValue]


OPTION_NAMES: frozenset[str] = RequestOptions.__optional_keys__
_SIGNING_HEADERS = frozenset({"authorization", "stream-auth-type"})


def split_options(given: Mapping[str, Any]) -> tuple[dict[str, Any], RequestOptions]:
    """``given`` keyword arguments as the call's own and its :class:`RequestOptions`."""
    own = {name: value for name, value in given.items() if name not in OPTION_NAMES}
    options: Any = {name: value for name, value in given.items() if name in OPTION_NAMES}
    return own, options


def checked_options(options: RequestOptions) -> RequestOptions:
    """``options`` checked by the rules of :class:`RequestOptions`; raises
    :class:`~stream_async.errors.StreamValidationError` naming the option and its rule."""
    checked: RequestOptions = {}
    if "timeout" in options:
        timeout = options["timeout"]
        if (
            isinstance(timeout, bool)
            or not isinstance(timeout, (int, float))
            or not math.isfinite(timeout)
            or timeout <= 0
        ):
            raise StreamValidationError("timeout", "must be a positive number of seconds")
        checked["timeout"] = float(timeout)
    if "max_retries" in options:
        checked["max_retries"] = check.int_range(options["max_retries"], "max_retries", low=0)
    if "extra_headers" in options:
        checked["extra_headers"] = _headers(options["extra_headers"])
    if "extra_query" in options:
        checked["extra_query"] = _query(options["extra_query"])
    return checked


def _headers(value: object) -> dict[str, str]:
    if not isinstance(value, Mapping):
        raise StreamValidationError("extra_headers", "must be a mapping of header names to values")
    headers: dict[str, str] = {}
    for name, item in value.items():
        if not isinstance(name, str) or not name or not isinstance(item, str):
            raise StreamValidationError(
                "extra_headers", "must map non-empty header names to string values"
            )
        if name.lower() in _SIGNING_HEADERS:
            raise StreamValidationError(
                "extra_headers",
                f"must not set {name!r}: the SDK signs every request itself",
            )
        headers[name] = item
    return headers


def _query(value: object) -> dict[str, QueryValue]:
    if not isinstance(value, Mapping):
        raise StreamValidationError("extra_query", "must be a mapping of parameter names to values")
    if any(isinstance(name, str) and name.lower() == "api_key" for name in value):
        raise StreamValidationError(
            "extra_query", "must not set 'api_key': the SDK sends the client's own"
        )
    return _checks.query_params(value, "extra_query")


class Resource:
    """A namespace of API calls, bound to one client.

    Subclasses name the token scope (``_scope``) and the service (``_service``) their
    calls use unless a call says otherwise. Only feed handles, made per call, keep
    ``__slots__``; the other namespaces exist once per client.
    """

    __slots__ = ("_client",)

    _scope: ClassVar[Scope]
    _service: ClassVar[str] = "api"

    def __init__(self, client: AsyncStreamClient) -> None:
        self._client = client

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    @property
    def _client_side(self) -> bool:
        """Whether calls are signed with a user token (the acting user is the token's)."""
        return self._client._signer is None

    async def _request(
        self,
        method: str,
        relative_path: str,
        cast: type[R],
        *,
        scope: Scope | None = None,
        options: RequestOptions | None = None,
        **call: Unpack[Call],
    ) -> R:
        """Send one call through the client's request path (signing, retries, errors) and
        return its parsed result; ``scope`` defaults to the namespace's. ``options`` (the
        caller's :class:`RequestOptions`) are checked here, before anything is sent; a
        ``timeout`` among them wins over the call's own."""
        checked = checked_options(options) if options else {}
        return await self._client._transport.request(
            method,
            relative_path,
            cast=cast,
            scope=self._scope if scope is None else scope,
            service=self._service,
            params=call.get("params"),
            body=call.get("body"),
            files=call.get("files"),
            timeout=checked.get("timeout", call.get("timeout")),
            idempotent=call.get("idempotent"),
            max_retries=checked.get("max_retries"),
            extra_headers=checked.get("extra_headers"),
            extra_query=checked.get("extra_query"),
        )

    async def _in_chunks(
        self,
        method: str,
        relative_path: str,
        cast: type[R],
        items: Sequence[T],
        limit: str,
        call: Callable[[Sequence[T]], Call],
        *,
        scope: Scope | None = None,
        options: RequestOptions | None = None,
    ) -> list[R]:
        """Send ``items`` in chunks of at most ``LIMITS[limit]`` concurrently, each
        chunk's call shaped by ``call`` (see :func:`~._batching.in_chunks`) and sent with
        ``options``; the results in chunk order, none for no items."""
        checked = checked_options(options) if options else None

        async def send(chunk: Sequence[T]) -> R:
            return await self._request(
                method, relative_path, cast, scope=scope, options=checked, **call(chunk)
            )

        return await in_chunks(items, check.LIMITS[limit], send)


class namespace(Generic[N]):
    """A client attribute holding one namespace of ``kind``, built on first use and kept
    in the client's ``__dict__`` (as :func:`functools.cached_property` keeps its value):
    ``reactions = namespace(Reactions)`` makes ``client.reactions is client.reactions``."""

    def __init__(self, kind: type[N]) -> None:
        self._kind = kind
        self._name = ""
        self.__doc__ = kind.__doc__

    def __set_name__(self, owner: type[Any], name: str) -> None:
        self._name = name

    @overload
    def __get__(self, client: None, owner: type[Any]) -> namespace[N]: ...

    @overload
    def __get__(self, client: AsyncStreamClient, owner: type[Any]) -> N: ...

    def __get__(self, client: AsyncStreamClient | None, owner: type[Any]) -> namespace[N] | N:
        if client is None:
            return self
        built = self._kind(client)
        client.__dict__[self._name] = built
        return built


class forward(Generic[N, P, T]):
    """A client attribute that is a namespace's method: ``follow_many =
    forward("_follows", Follows.follow_many)`` makes ``client.follow_many(...)`` call
    ``client._follows.follow_many(...)``, with the same signature and docstring."""

    def __init__(self, namespace: str, method: Callable[Concatenate[N, P], T]) -> None:
        self._namespace = namespace
        self._method = method
        self.__doc__ = method.__doc__

    @overload
    def __get__(self, client: None, owner: type[Any]) -> forward[N, P, T]: ...

    @overload
    def __get__(self, client: object, owner: type[Any]) -> Callable[P, T]: ...

    def __get__(self, client: object, owner: type[Any]) -> forward[N, P, T] | Callable[P, T]:
        if client is None:
            return self
        bound: Callable[P, T] = getattr(getattr(client, self._namespace), self._method.__name__)
        return bound


__all__ = [
    "OPTION_NAMES",
    "Call",
    "RequestOptions",
    "Resource",
    "checked_options",
    "forward",
    "namespace",
    "split_options",
]
