"""What every namespace is: a :class:`Resource` bound to one client.

A namespace keeps nothing of its own but the client it belongs to: the request path, the
signer and the settings (timeouts, retries) are reached through it at call time, so the
namespaces of a ``with_options`` copy use the copy's settings. Every call a namespace
makes ends in :meth:`Resource._request`, the one place that hands a call to the client's
request path.

The client builds each namespace once (``client.reactions is client.reactions``) and
offers the calls that the official client has at top level (``client.follow_many``,
``client.og`` ...) with :class:`forward`, which hands out the namespace's own bound method.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Concatenate, Generic, ParamSpec, TypeVar, overload

from stream_async._auth import Scope, Signer
from stream_async._transport import QueryValue
from stream_async.models._base import StreamResponse

if TYPE_CHECKING:
    from stream_async._client import AsyncStreamClient

R = TypeVar("R", bound=StreamResponse)
N = TypeVar("N", bound="Resource")
P = ParamSpec("P")
T = TypeVar("T")


class Resource:
    """A namespace of API calls, bound to one client.

    Subclasses name the token scope (``_scope``) and the service (``_service``) their
    calls use unless a call says otherwise.
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

    def _require_signer(self) -> Signer:
        """The client's signer; raises ``StreamConfigurationError`` without an API secret."""
        return self._client._require_signer()

    async def _request(
        self,
        method: str,
        relative_path: str,
        cast: type[R],
        *,
        scope: Scope | None = None,
        params: Mapping[str, QueryValue] | None = None,
        body: Any = None,
        files: Mapping[str, Any] | None = None,
        timeout: float | None = None,
        idempotent: bool | None = None,
    ) -> R:
        """Send one call through the client's request path (signing, retries, errors) and
        return its parsed result; ``scope`` defaults to the namespace's."""
        return await self._client._transport.request(
            method,
            relative_path,
            cast=cast,
            scope=self._scope if scope is None else scope,
            service=self._service,
            params=params,
            body=body,
            files=files,
            timeout=timeout,
            idempotent=idempotent,
        )


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


__all__ = ["Resource", "forward"]
