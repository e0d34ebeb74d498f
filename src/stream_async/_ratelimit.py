"""Reading the rate-limit headers of a response: :class:`RateLimit` (the
``x-ratelimit-*`` counts) and :func:`retry_after_seconds` (the wait a server asked for).

Headers that are not plain counts, or name a time no calendar holds, are ignored as if
absent.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import httpx


@dataclass(frozen=True)
class RateLimit:
    """The ``x-ratelimit-*`` headers of a response: the window's limit, what is left, and
    when the window resets (aware UTC datetime)."""

    limit: int
    remaining: int
    reset: datetime | None

    @classmethod
    def from_headers(cls, headers: httpx.Headers) -> RateLimit | None:
        """Read the rate-limit headers; ``None`` when the response has none. A header that
        is not a plain count (or a reset time outside the years 1..9999) is ignored, as if
        absent."""
        limit = _int_header(headers, "x-ratelimit-limit")
        remaining = _int_header(headers, "x-ratelimit-remaining")
        if limit is None or remaining is None:
            return None
        return cls(limit=limit, remaining=remaining, reset=reset_time(headers))


_COUNT = re.compile(r"[0-9]{1,18}")
"""A count or a Unix time as the rate-limit headers carry them; more digits are out of range."""


def _int_header(headers: httpx.Headers, name: str) -> int | None:
    value = headers.get(name)
    if value is None:
        return None
    value = value.strip()
    return int(value) if _COUNT.fullmatch(value) else None


def reset_time(headers: httpx.Headers) -> datetime | None:
    """When the rate-limit window resets (``x-ratelimit-reset``, Unix seconds), or
    ``None`` when the header is absent, not a count, or outside what a datetime holds."""
    reset = _int_header(headers, "x-ratelimit-reset")
    if reset is None:
        return None
    try:
        return datetime.fromtimestamp(reset, tz=timezone.utc)
    except (ValueError, OverflowError, OSError):
        return None


def retry_after_seconds(headers: httpx.Headers) -> float | None:
    """The wait the server asked for: ``Retry-After`` (seconds or an HTTP date), else the
    time until ``x-ratelimit-reset``. ``None`` when neither says, or says something that is
    not a finite number or a valid date (such a header is ignored); a past time is 0."""
    now = datetime.now(timezone.utc)
    value = headers.get("retry-after")
    if value is not None:
        try:
            seconds = float(value)
        except ValueError:
            seconds = None
        if seconds is not None:
            if math.isfinite(seconds):
                return max(0.0, seconds)
        else:
            try:
                when = parsedate_to_datetime(value)
            except (TypeError, ValueError, OverflowError):
                when = None
            if when is not None:
                if when.tzinfo is None:
                    when = when.replace(tzinfo=timezone.utc)
                return max(0.0, (when - now).total_seconds())
    reset = reset_time(headers)
    if reset is not None:
        return max(0.0, (reset - now).total_seconds())
    return None


__all__ = ["RateLimit", "reset_time", "retry_after_seconds"]
