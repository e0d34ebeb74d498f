"""One API call as the handlers see it: path parameters, query and JSON body, parsed liberally.

Query booleans accept ``true``/``false``, ``1``/``0``, ``yes``/``no`` in any case (an empty
value is false); list parameters accept comma-joined values, repeated keys, or both; unknown
parameters are ignored. Bad values raise 400 code 4 :class:`ApiError`. The query is a plain
sequence of ``(name, value)`` pairs: handlers see no HTTP types.

With a user token (client-side auth) the acting user is the token's ``user_id``: a body's
``user_id`` must then be that user (else 400 code 4, as the live API answers a reaction
naming another user), and a missing one is taken from the token (:meth:`Call.acting_user`);
what another user created is changed only by them (:meth:`Call.check_owner`, 403 code 17).
The feed rules for user tokens are in :mod:`stream_async.emulator.handlers.policies`.
"""

from __future__ import annotations

import json
import operator
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx

from stream_async.emulator.config import DEFAULT_MAX_IMAGE_PIXELS, FeedGroupConfig, Resolver

if TYPE_CHECKING:
    from stream_async.emulator.store import Store

from stream_async.emulator.errors import feed_config_error, field_errors, input_error, not_allowed

_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off", ""})
_NAME = re.compile(r"[\w-]+")
_DIGITS = re.compile(r"[0-9]+")

MAX_REFERENCE = 255
"""The longest id, kind or user id accepted (reactions, users, collections)."""

MAX_COUNT = 2**31 - 1
"""The largest count (limit, offset, copy limit) accepted, as a 32-bit server would."""

COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "id_lt": operator.lt,
    "id_lte": operator.le,
    "id_gt": operator.gt,
    "id_gte": operator.ge,
}
"""The ``id_*`` bounds of paginated reads and how each compares an item with the bound."""

MAX_DEPTH = 100
"""How deeply JSON bodies may nest (objects and arrays); deeper bodies are a 400."""

INVALID_PAYLOAD = "invalid request payload"
"""The live server's detail for a body of the wrong shape."""


def _reject_constant(name: str) -> object:
    raise ValueError(f"{name} is not valid JSON")


def _nesting_within(value: object, limit: int) -> bool:
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, (dict, list)):
            if depth > limit:
                return False
            children = item.values() if isinstance(item, dict) else item
            pending.extend((child, depth + 1) for child in children)
    return True


def boolean(value: object) -> bool | None:
    """A JSON or query boolean (``true``, ``"True"``, ``"1"``...), or None if it is not one."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    return True if text in _TRUE else False if text in _FALSE else None


def parse_bool(value: object, name: str) -> bool:
    """Like :func:`boolean`, but 400 code 4 when ``value`` is not a boolean."""
    result = boolean(value)
    if result is None:
        raise input_error(f"{name} must be a boolean")
    return result


def parse_count(value: object, detail: str) -> int:
    """A whole number in ``[0, 2**31 - 1]`` (a JSON integer or a digit string).

    Raises 400 code 4 with ``detail`` otherwise.
    """
    number = -1
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and _DIGITS.fullmatch(value.strip()):
        number = int(value)
    if not 0 <= number <= MAX_COUNT:
        raise input_error(detail)
    return number


def split_feed_id(value: object, groups: Mapping[str, FeedGroupConfig], name: str) -> str:
    """Validate a ``slug:user_id`` feed id whose slug is configured; returns it unchanged.

    Raises 400 code 4 when it is not a string of that shape, 400 code 6 for an unknown slug.
    """
    if not isinstance(value, str):
        raise input_error(f"{name} must be a feed id string like 'user:1'")
    slug, _, user_id = value.partition(":")
    if not (_NAME.fullmatch(slug) and _NAME.fullmatch(user_id)):
        raise input_error(f"{name} {value!r} is not a valid feed id (expected 'slug:user_id')")
    if slug not in groups:
        raise feed_config_error(slug)
    return value


def parse_reference(value: object, name: str) -> str:
    """An id, kind or user id: a non-empty string of at most 255 characters (else 400)."""
    if not isinstance(value, str) or not value:
        raise field_errors({name: ["This field is required and must be a non-empty string."]})
    if len(value) > MAX_REFERENCE:
        raise field_errors({name: [f"Ensure this value has at most {MAX_REFERENCE} characters."]})
    return value


def parse_data(value: object, name: str = "data") -> dict[str, Any]:
    """A ``data`` object: absent or null is ``{}``, anything but a JSON object a 400."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise field_errors({name: ["Must be an object."]})
    return value


@dataclass(frozen=True)
class Upload:
    """One file of a multipart request: its name, declared content type and bytes."""

    filename: str
    content_type: str
    data: bytes


Reply = tuple[int, dict[str, Any]]
"""What a handler answers: the HTTP status and the body (``duration`` is added later)."""


@dataclass(frozen=True)
class OpenGraphSource:
    """Where Open Graph data comes from: ``pages`` (URL -> HTML) registered by the user, and
    whether other URLs are fetched (``fetch``) through ``transport`` (None: the network),
    each target's host first resolved by ``resolver`` (None: the system resolver) and checked
    to be public (``guard``)."""

    pages: Mapping[str, str] = field(default_factory=dict)
    fetch: bool = False
    guard: bool = True
    transport: httpx.AsyncBaseTransport | None = None
    resolver: Resolver | None = None


@dataclass(frozen=True)
class Call:
    """The parts of a request a handler may use.

    ``path`` is the request path (for ``next`` links), ``api_key`` the caller's key and
    ``app_id`` the app's id,
    ``user_id`` the user of a user token (None for server tokens), ``base_url`` the root the
    request came to (for absolute URLs), ``uploads`` the files of a multipart body by field
    name, ``og`` where Open Graph data comes from, and ``max_image_pixels`` the largest image
    an upload may hold.
    """

    path: str
    path_params: Mapping[str, str]
    query: tuple[tuple[str, str], ...]
    body: bytes
    api_key: str
    feed_groups: Mapping[str, FeedGroupConfig]
    app_id: str = "1"
    user_id: str | None = None
    base_url: str = "http://localhost/"
    uploads: Mapping[str, Upload] = field(default_factory=dict)
    og: OpenGraphSource = field(default_factory=OpenGraphSource)
    max_image_pixels: int = DEFAULT_MAX_IMAGE_PIXELS

    @property
    def enriched(self) -> bool:
        """Whether this is an ``enrich/...`` read."""
        return "/enrich/" in self.path

    def acting_user(self, value: object, name: str = "user_id") -> str:
        """The user a write acts for: ``value`` from the body, checked against a user token.

        With a user token a missing value is the token's user and another user is a 400
        (code 4); with a server token the value is required (400 otherwise).
        """
        if self.user_id is None:
            return parse_reference(value, name)
        if value is not None and value != self.user_id:
            raise field_errors({name: ["Must be the user of the token or left out."]})
        return self.user_id

    def check_owner(self, owner: str | None) -> None:
        """403 code 17 (Stream's policy error) when a user token changes, or processes, what
        another user created; what a server token created (``owner`` None) is anyone's."""
        if self.user_id is not None and owner is not None and owner != self.user_id:
            raise not_allowed()

    def json(self) -> Any:
        """The decoded JSON body; 400 when it is empty, not valid JSON, or nested too deeply."""
        try:
            body = json.loads(self.body, parse_constant=_reject_constant)
        except (ValueError, RecursionError):
            raise input_error(INVALID_PAYLOAD) from None
        if not _nesting_within(body, MAX_DEPTH):
            raise input_error(f"{INVALID_PAYLOAD}: nested more than {MAX_DEPTH} levels deep")
        return body

    def json_object(self) -> dict[str, Any]:
        """The body, which must be a JSON object."""
        body = self.json()
        if not isinstance(body, dict):
            raise input_error(f"{INVALID_PAYLOAD}: expected a JSON object")
        return body

    def json_array(self) -> list[Any]:
        """The body, which must be a JSON array."""
        body = self.json()
        if not isinstance(body, list):
            raise input_error(f"{INVALID_PAYLOAD}: expected a JSON array")
        return body

    def _all(self, name: str) -> list[str]:
        return [value for key, value in self.query if key == name]

    def text(self, name: str) -> str | None:
        """The last value of a query parameter, or None when absent."""
        values = self._all(name)
        return values[-1] if values else None

    def flag(self, name: str) -> bool:
        """A boolean query parameter; absent means false."""
        value = self.text(name)
        return value is not None and parse_bool(value, name)

    def any_flag(self, *names: str) -> bool:
        """A boolean query parameter under any of its spellings (camelCase, snake_case)."""
        return any(self.flag(name) for name in names)

    def integer(self, name: str, default: int, *, maximum: int | None = None) -> int:
        """A non-negative integer query parameter (absent or empty: ``default``), clamped to
        ``maximum`` when given."""
        value = self.text(name)
        if not value:
            return default
        number = parse_count(value, f"{name} must be a non-negative integer")
        return number if maximum is None else min(number, maximum)

    def values(self, name: str) -> list[str]:
        """A list query parameter: comma-joined, repeated, or both; blanks dropped."""
        return [item.strip() for raw in self._all(name) for item in raw.split(",") if item.strip()]

    def feed_id(self) -> str:
        """The ``slug:user_id`` feed addressed by the path, validated and configured."""
        slug = self.path_params["feed_slug"]
        return split_feed_id(f"{slug}:{self.path_params['user_id']}", self.feed_groups, "feed")


def check_size(items: list[Any], name: str, maximum: int) -> None:
    """400 code 4 when a batch is larger than ``maximum``."""
    if len(items) > maximum:
        raise input_error(f"{name} can contain at most {maximum} items (got {len(items)})")


Handler = Callable[["Store", Call], Reply]
"""A synchronous handler: it runs inside one store transaction."""
AsyncHandler = Callable[["Store", Call], Awaitable[Reply]]
"""A coroutine handler: it writes (one statement) only after its last await."""
