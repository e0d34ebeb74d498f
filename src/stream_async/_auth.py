"""JWT signing: least-privilege server tokens, cached per scope, and user tokens.

Server-side ("scope") tokens carry ``resource``, ``action`` and ``feed_id`` (plus
``user_id`` where a service wants it) in that order, HS256-signed with the API secret.
Each call is signed with the resource it touches, the action its HTTP method needs and
the feed it concerns, never a wildcard it does not need. Signing is cached in a bounded
LRU, so the hot path pays a dictionary lookup, and millions of distinct feeds cannot grow
memory without bound.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Final

import jwt

ACTIONS: Final[dict[str, str]] = {
    "GET": "read",
    "HEAD": "read",
    "OPTIONS": "read",
    "POST": "write",
    "PUT": "write",
    "PATCH": "write",
    "DELETE": "delete",
}

DEFAULT_CACHE_SIZE: Final = 4096


@dataclass(frozen=True, slots=True)
class Scope:
    """What a call touches: the token's ``resource``, ``feed_id`` (``slug + user_id`` with
    no colon, or ``*``), an optional ``user_id`` claim, and an ``action`` that, when
    ``None``, is derived from the HTTP method."""

    resource: str
    feed_id: str | None = "*"
    user_id: str | None = None
    action: str | None = None


def _encode(payload: dict[str, Any], secret: str) -> str:
    # PyJWT's warning about secrets shorter than 32 bytes is left to reach the app.
    return jwt.encode(payload, secret, algorithm="HS256")


def scope_payload(
    resource: str,
    action: str,
    feed_id: str | None = None,
    user_id: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """The claims of a server token, in the order Stream's own clients use."""
    payload: dict[str, Any] = {"resource": resource, "action": action}
    if feed_id is not None:
        payload["feed_id"] = feed_id
    if user_id is not None:
        payload["user_id"] = user_id
    payload.update(extra)
    return payload


class Signer:
    """Signs tokens with one API secret and caches server tokens per scope."""

    __slots__ = ("__secret", "_cache", "_max_size")

    def __init__(self, secret: str, *, max_size: int = DEFAULT_CACHE_SIZE) -> None:
        self.__secret = secret
        self._cache: OrderedDict[tuple[str, str, str | None, str | None], str] = OrderedDict()
        self._max_size = max_size

    def __repr__(self) -> str:
        return f"Signer(cached={len(self._cache)})"

    def user_token(self, user_id: str, **extra: Any) -> str:
        """A client-side token for ``user_id`` with any extra claims after it."""
        return _encode({"user_id": user_id, **extra}, self.__secret)

    def scope_token(
        self,
        resource: str,
        action: str,
        feed_id: str | None = None,
        user_id: str | None = None,
        **extra: Any,
    ) -> str:
        """A server token for one scope; uncached, for users who hand tokens out."""
        return _encode(scope_payload(resource, action, feed_id, user_id, **extra), self.__secret)

    def for_request(self, scope: Scope, method: str) -> str:
        """The cached token for ``scope`` with the action ``method`` needs."""
        action = scope.action or ACTIONS[method]
        key = (scope.resource, action, scope.feed_id, scope.user_id)
        cache = self._cache
        token = cache.get(key)
        if token is not None:
            cache.move_to_end(key)
            return token
        token = self.scope_token(scope.resource, action, scope.feed_id, scope.user_id)
        cache[key] = token
        if len(cache) > self._max_size:
            cache.popitem(last=False)
        return token
