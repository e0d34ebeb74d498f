"""What every namespace is: a :class:`Resource` bound to one client.

A namespace keeps nothing of its own but the client it belongs to: the request path, the
signer and the settings (timeouts, retries) are reached through it at call time, so the
namespaces of a ``with_options`` copy use the copy's settings. Every call a namespace
makes ends in :meth:`Resource._request`, the one place that hands a call to the client's
request path, and so the one place where settings of a single call would join it.

The client builds each namespace once (:class:`namespace`: ``client.reactions is
client.reactions``) and offers the calls that the official client has at top level
(``client.follow_many``, ``client.og`` ...) with :class:`forward`, which hands out the
namespace's own bound method.
"""

from __future__ import annotations

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
from stream_async.models._base import StreamResponse
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
        **call: Unpack[Call],
    ) -> R:
        """Send one call through the client's request path (signing, retries, errors) and
        return its parsed result; ``scope`` defaults to the namespace's."""
        return await self._client._transport.request(
            method,
            relative_path,
            cast=cast,
            scope=self._scope if scope is None else scope,
            service=self._service,
            **call,
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
    ) -> list[R]:
        """Send ``items`` in chunks of at most ``LIMITS[limit]`` concurrently, each
        chunk's call shaped by ``call`` (see :func:`~._batching.in_chunks`); the results
        in chunk order, none for no items."""

        async def send(chunk: Sequence[T]) -> R:
            return await self._request(method, relative_path, cast, scope=scope, **call(chunk))

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


__all__ = ["Call", "Resource", "forward", "namespace"]
