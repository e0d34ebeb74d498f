"""Stream's time formats: parsing what clients send, printing what the API returns.

Input is liberal (§6.6 of the API semantics): naive ISO times are UTC, with 0 to 9
fractional digits (anything past microseconds is dropped), optionally ending in ``Z`` or a
``+HH:MM`` offset; a bare date means midnight UTC. Output comes in two flavours: activity
times and aggregated-group times print without a zone designator, follow entries print with
a trailing ``Z``. Both always carry exactly six fractional digits.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
"""The Unix epoch as an aware datetime."""

_ISO = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})"
    r"(?:[T ](?P<clock>\d{2}:\d{2}:\d{2})(?:\.(?P<fraction>\d{1,9}))?)?"
    r"(?P<zone>Z|[+-]\d{2}:?\d{2})?"
)


def utcnow() -> datetime:
    """The current time as an aware UTC datetime."""
    return datetime.now(timezone.utc)


def parse_time(value: str) -> datetime:
    """Parse a Stream time string into an aware UTC datetime (microsecond precision).

    Raises ValueError when the string is not an ISO 8601 date or date-time, or when it is
    outside the years 1 to 9999 once converted to UTC.
    """
    match = _ISO.fullmatch(value.strip())
    if match is None:
        raise ValueError(f"invalid time {value!r}")
    clock = match["clock"] or "00:00:00"
    micros = (match["fraction"] or "").ljust(6, "0")[:6]
    zone = match["zone"] or "Z"
    offset = "+00:00" if zone == "Z" else zone
    parsed = datetime.strptime(
        f"{match['date']}T{clock}.{micros}{offset.replace(':', '')}", "%Y-%m-%dT%H:%M:%S.%f%z"
    )
    try:
        return parsed.astimezone(timezone.utc)
    except OverflowError:
        raise ValueError(f"time {value!r} is out of range") from None


def format_time(moment: datetime) -> str:
    """Print a time the way activities carry it: UTC, six fractional digits, no ``Z``."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")


def format_time_z(moment: datetime) -> str:
    """Print a time the way follow entries carry it: like :func:`format_time` plus ``Z``."""
    return format_time(moment) + "Z"


def unix_micros(moment: datetime) -> int:
    """Whole microseconds since the Unix epoch."""
    return (moment - EPOCH) // timedelta(microseconds=1)


def from_unix_micros(micros: int) -> datetime:
    """The aware UTC datetime ``micros`` microseconds after the Unix epoch."""
    return EPOCH + timedelta(microseconds=micros)
