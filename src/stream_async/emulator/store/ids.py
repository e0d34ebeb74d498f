"""Activity ids.

An activity with a ``foreign_id`` gets the deterministic id of Stream's backend (§6.1 of
the API semantics, ported from stream-net's ``ActivityIdGenerator``): a version-1 UUID at the
activity time truncated to milliseconds, clock sequence ``8080`` and a node derived from the
murmur3 hash of the foreign id. An activity without one gets an ordinary version-1 UUID whose
timestamp is the activity time.

Ids sort in time order through :func:`sort_key`, which is what ``id_lt``/``id_gt`` compare.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import mmh3

from stream_async.emulator.store.time import unix_micros

_GREGORIAN_OFFSET = 122192928000000000
"""100-ns ticks between 1582-10-15 (the UUID epoch) and 1970-01-01."""

EARLIEST = datetime(1582, 10, 15, tzinfo=timezone.utc)
"""The earliest time an id can carry: the UUID epoch."""
LATEST = EARLIEST + timedelta(microseconds=((1 << 60) - 1) // 10)
"""The latest time an id can carry: the 60-bit count of 100 ns ticks runs out (year 5236)."""

EMULATOR_NODE = 0x02E1A7E5C0DE
"""Node of the version-1 UUIDs minted for activities without a foreign id.

The locally administered bit is set, so it can never equal a node of the foreign-id
algorithm (those start with ``0x80``).
"""


def orderable(moment: datetime) -> bool:
    """Whether an id can carry ``moment`` (so that ids sort like their times)."""
    return EARLIEST <= moment <= LATEST


def _ticks(moment: datetime) -> int:
    return _GREGORIAN_OFFSET + unix_micros(moment) * 10


def _assemble(ticks: int, clock_seq: bytes, node: int) -> str:
    raw = (
        (ticks & 0xFFFFFFFF).to_bytes(4, "big")
        + ((ticks >> 32) & 0xFFFF).to_bytes(2, "big")
        + (0x1000 | ((ticks >> 48) & 0x0FFF)).to_bytes(2, "big")
        + clock_seq
        + node.to_bytes(6, "big")
    )
    return str(uuid.UUID(bytes=raw))


def foreign_id_activity_id(foreign_id: str, moment: datetime) -> str:
    """The id Stream assigns to the activity ``(foreign_id, time)``."""
    millis = unix_micros(moment) // 1000
    digest = mmh3.hash(foreign_id.encode("utf-8"), 0, signed=True)
    node = (digest | 0x100000000) if digest > 0 else -digest
    return _assemble(_GREGORIAN_OFFSET + millis * 10000, b"\x80\x80", node | 0x800000000000)


def time_uuid(moment: datetime, clock_seq: int) -> str:
    """A version-1 UUID at ``moment`` with the given 14-bit clock sequence."""
    sequence = (0x8000 | (clock_seq & 0x3FFF)).to_bytes(2, "big")
    return _assemble(_ticks(moment), sequence, EMULATOR_NODE)


def sort_key(activity_id: str) -> tuple[int, str]:
    """The time-ordered key of an activity id (or of a ``<id>.<group>`` notification id).

    Raises ValueError when the id is not a UUID.
    """
    parsed = uuid.UUID(activity_id.split(".", 1)[0])
    return parsed.time, str(parsed)


def id_time_micros(activity_id: str) -> int:
    """The time an activity id carries, in microseconds since the Unix epoch.

    Raises ValueError when the id is not a UUID.
    """
    ticks = uuid.UUID(activity_id.split(".", 1)[0]).time
    return (ticks - _GREGORIAN_OFFSET) // 10
