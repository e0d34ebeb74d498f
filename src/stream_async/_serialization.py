"""Stream's time format, in and out, and the JSON encoding of request bodies."""

from __future__ import annotations

import json
from collections.abc import Mapping, Set
from datetime import date, datetime, timezone
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel

STREAM_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%f"


def format_time(value: datetime) -> str:
    """Render a datetime the way the API stores it: UTC, 6 fractional digits, no ``Z``.

    A naive datetime is taken to be UTC already.
    """
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc)
    return value.strftime(STREAM_TIME_FORMAT)


def _as_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


StreamTime = Annotated[datetime, AfterValidator(_as_utc)]
"""A datetime read from the API: always aware, always UTC (the API omits the ``Z`` on
activity times)."""


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return format_time(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", exclude_none=True)
    if isinstance(value, Set):
        return sorted(value, key=str)
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def dumps(value: Any) -> bytes:
    """Encode a request body as compact UTF-8 JSON; datetimes in Stream's format.

    Unlike a silent ``null``, a value JSON cannot carry raises ``TypeError``.
    """
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=_default).encode()
