"""Store rules that no HTTP request can reach on its own."""

from __future__ import annotations

from stream_async.emulator import Emulator
from stream_async.emulator.store import Draft
from stream_async.emulator.timeutil import parse_time


def test_ids_of_the_same_time_never_collide(emulator: Emulator) -> None:
    moment = parse_time("2020-01-01T00:00:00")
    first = emulator.store.upsert(Draft({"foreign_id": "", "n": 1}, moment))
    # The next clock sequence wraps around to the first one's: the store must skip it.
    emulator.store._sequence = iter([0x4000, 0x4001])  # type: ignore[assignment]
    second = emulator.store.upsert(Draft({"foreign_id": "", "n": 2}, moment))
    assert first.id != second.id


def test_reset_forgets_everything(emulator: Emulator) -> None:
    store = emulator.store
    store.add("user:1", Draft({"actor": "a", "verb": "v", "object": "o", "foreign_id": ""}, None))
    store.follow("timeline:1", "user:1", 10)
    emulator.reset()
    assert emulator.store is not store
    assert emulator.store.activities == {}
    assert emulator.store.following == {}
