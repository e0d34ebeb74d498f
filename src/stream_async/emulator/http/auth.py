"""Request authentication: the ``api_key`` parameter and the JWT in ``Authorization``.

Tokens are HS256 JWTs signed with the API secret; any other algorithm (``none`` included) is
refused. A token carrying ``resource`` or ``action`` is a server token, even when it also has
a ``user_id``; it is allowed when its ``resource`` is the endpoint's or ``*``, its ``action``
covers the HTTP method (``read``: GET/HEAD/OPTIONS, ``write``: POST/PUT/PATCH, ``delete``:
DELETE) or is ``*``, and its ``feed_id`` is ``*`` or, on feed-scoped endpoints, the addressed
feed as ``<slug><user_id>`` (endpoints whose tokens carry no ``feed_id``, like analytics, do
not look at it). A token with only ``user_id`` (plus extra claims) is a user
token, accepted only where the endpoint's :class:`Access` says ``client_side`` (elsewhere:
403 code 17); what it may do there is then up to the handler, which applies Stream's
default client-side policies (:mod:`stream_async.emulator.handlers.policies`).

Failures, as the live server answers them: unknown key -> 401 code 2; bad signature,
garbled token or refused algorithm -> 403 code 17; a valid token without the needed scope
-> 403 code 17 with the server's permission text. A request with no token at all gets
401 code 3 (a documented choice; the live answer is not published).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import jwt

from stream_async.emulator.config import EmulatorConfig
from stream_async.emulator.errors import api_key_error, missing_token_error, not_allowed

ACTIONS: Mapping[str, str] = {
    "GET": "read",
    "HEAD": "read",
    "OPTIONS": "read",
    "POST": "write",
    "PUT": "write",
    "PATCH": "write",
    "DELETE": "delete",
}
"""The token ``action`` each HTTP method needs."""


@dataclass(frozen=True)
class Access:
    """What an endpoint requires of a token.

    ``resource`` is the scope's resource name, ``feed_scoped`` says the path addresses one
    feed (so a token scoped to that feed is enough), ``client_side`` lets user tokens in,
    ``feed_claim`` False lets server tokens without a ``feed_id`` in (analytics tokens
    carry none).
    """

    resource: str
    feed_scoped: bool = False
    client_side: bool = False
    feed_claim: bool = True


@dataclass(frozen=True)
class Principal:
    """Who made an authenticated request: ``user_id`` is None for a server token."""

    user_id: str | None


def _decode(token: str, secret: str) -> dict[str, Any]:
    try:
        claims: dict[str, Any] = jwt.decode(token, secret, algorithms=["HS256"])
    except jwt.InvalidTokenError as exc:
        raise not_allowed(f"invalid JWT token: {exc}") from None
    return claims


def _allows(claim: object, needed: str | None, wildcard: str = "*") -> bool:
    return isinstance(claim, str) and claim in (wildcard, needed)


def authenticate(
    *,
    config: EmulatorConfig,
    api_key: str | None,
    authorization: str | None,
    method: str,
    access: Access,
    feed_id: str | None,
) -> Principal:
    """Check the key and the token of one request against ``access``.

    ``feed_id`` is the addressed feed as ``<slug><user_id>`` for feed-scoped endpoints.
    Raises ApiError (401 or 403) when the request is not allowed.
    """
    if api_key != config.api_key:
        raise api_key_error()
    token = (authorization or "").strip()
    if token[:7].lower() == "bearer ":
        token = token[7:].strip()
    if not token:
        raise missing_token_error()
    claims = _decode(token, config.api_secret)
    if "resource" in claims or "action" in claims:
        allowed = (
            _allows(claims.get("resource"), access.resource)
            and _allows(claims.get("action"), ACTIONS.get(method))
            and (
                not access.feed_claim
                or _allows(claims.get("feed_id"), feed_id if access.feed_scoped else None)
            )
        )
        if allowed:
            return Principal(None)
    elif access.client_side and isinstance(claims.get("user_id"), str):
        return Principal(claims["user_id"])
    raise not_allowed()
