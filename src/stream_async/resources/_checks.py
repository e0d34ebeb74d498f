"""Argument checks shared by the namespaces. Each raises
:class:`~stream_async.errors.StreamValidationError` naming the argument, before anything is
sent."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, TypedDict
from urllib.parse import urlsplit

from stream_async import _validation as check
from stream_async._transport import QueryValue
from stream_async.errors import StreamValidationError

_SCALARS = (str, int, float, bool)
_RESOURCE = re.compile(r"[\w-]+(/[\w-]+)*")


def reference(value: object, field: str) -> str:
    """An id or a kind: a non-empty string of at most ``LIMITS["reference_length"]`` (255)
    characters."""
    text = check.non_empty_str(value, field)
    limit = check.LIMITS["reference_length"]
    if len(text) > limit:
        raise StreamValidationError(field, f"must be at most {limit} characters long")
    return text


def collection_name(value: object, field: str = "collection_name") -> str:
    """A collection name: word characters (``\\w+``)."""
    return reference(check.feed_slug(value, field), field)


def collection_id(value: object, field: str = "id") -> str:
    """A collection object id: word characters and hyphens (``[\\w-]+``), so UUIDs are fine."""
    return reference(check.user_id(value, field), field)


def mapping(value: object, field: str) -> dict[str, Any]:
    """A JSON object (any mapping); returned as a shallow copy."""
    if not isinstance(value, Mapping):
        raise StreamValidationError(field, "must be a mapping (a JSON object)")
    return dict(value)


def boolean(value: object, field: str) -> bool:
    """A real ``bool`` (``1`` or ``"true"`` are refused)."""
    if not isinstance(value, bool):
        raise StreamValidationError(field, "must be a boolean")
    return value


def no_repeated_ids(ids: Iterable[tuple[str, str]]) -> None:
    """Refuse the first ``(field, id)`` whose id came before; ids are read one by one, so a
    generator that checks each id stops at the first bad one, repeated or not."""
    seen: set[str] = set()
    for field, key in ids:
        if key in seen:
            raise StreamValidationError(field, f"repeats the id {key!r}")
        seen.add(key)


def list_of(values: object, field: str, what: str) -> list[Any]:
    """A list or tuple (a lone string or mapping is refused); returned as a new list."""
    if isinstance(values, (str, bytes)) or not isinstance(values, (list, tuple)):
        raise StreamValidationError(field, f"must be a list of {what}")
    return list(values)


def http_url(value: object, field: str = "url") -> str:
    """An absolute ``http://`` or ``https://`` URL."""
    if isinstance(value, str) and not any(c in value for c in "\r\n\t "):
        parts = urlsplit(value)
        if parts.scheme in ("http", "https") and parts.netloc:
            return value
    raise StreamValidationError(field, "must be an absolute http(s) URL")


def resource(value: object, field: str = "resource") -> list[str]:
    """A personalization resource such as ``follow_recommendations``: segments of word
    characters and hyphens separated by ``/``; returns the segments."""
    if not isinstance(value, str) or not _RESOURCE.fullmatch(value.strip("/")):
        raise StreamValidationError(
            field, "must be a resource name such as 'follow_recommendations' ([\\w-]+ segments)"
        )
    return value.strip("/").split("/")


def query_params(params: Mapping[str, object], field: str = "params") -> dict[str, QueryValue]:
    """Free-form query parameters: strings, numbers, booleans, ``None`` (left out), or a
    list of strings (sent comma-joined)."""
    checked: dict[str, QueryValue] = {}
    for key, value in params.items():
        if value is None or isinstance(value, _SCALARS):
            checked[key] = value
        elif isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
            checked[key] = list(value)
        else:
            raise StreamValidationError(
                f"{field}.{key}", "must be a string, a number, a boolean or a list of strings"
            )
    return checked


class IdBounds(TypedDict, total=False):
    """Where a page starts: below (``id_lt``, ``id_lte``) or above (``id_gt``,
    ``id_gte``) an id. At most one is given: the API does not take a ``lt`` and a ``gt``
    bound together, and two bounds of one direction say nothing more than one."""

    id_lt: str | None
    id_lte: str | None
    id_gt: str | None
    id_gte: str | None


def id_bound(bounds: Mapping[str, object]) -> dict[str, str]:
    """The one id bound of ``bounds`` (the :class:`IdBounds` keys; ``None`` is not given),
    checked, as query parameters."""
    given = {
        name: bounds[name] for name in IdBounds.__annotations__ if bounds.get(name) is not None
    }
    if len(given) > 1:
        raise StreamValidationError(
            "/".join(given), "give at most one of id_lt, id_lte, id_gt and id_gte"
        )
    return {name: check.non_empty_str(value, name) for name, value in given.items()}


def keywords(given: Mapping[str, object], allowed: frozenset[str], method: str) -> None:
    """Refuse a keyword argument ``method`` does not take, as Python does
    (:class:`TypeError`), for methods that take their keywords as a typed mapping."""
    for name in given:
        if name not in allowed:
            raise TypeError(f"{method}() got an unexpected keyword argument {name!r}")
