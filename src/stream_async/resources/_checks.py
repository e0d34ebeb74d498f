"""Argument checks shared by the reactions, users, collections, files, images, Open Graph
and personalization namespaces. Each raises
:class:`~stream_async.errors.StreamValidationError` naming the argument, before anything is
sent."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
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
