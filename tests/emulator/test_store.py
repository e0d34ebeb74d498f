"""Store rules that no HTTP request can reach on its own, and its read-only overview."""

from __future__ import annotations

import uuid

from stream_async.emulator import Emulator
from stream_async.emulator.store import Draft, FeedSummary, FileSummary, StateQueries
from stream_async.emulator.store.records import CollectionObject, StoredFile, User
from stream_async.emulator.store.time import parse_time


def _draft(**fields: str) -> Draft:
    return Draft({"actor": "a", "verb": "v", "object": "o", "foreign_id": "", **fields}, None)


def test_ids_of_the_same_time_never_collide(emulator: Emulator) -> None:
    moment = parse_time("2020-01-01T00:00:00")
    store = emulator.store
    with store.transaction():
        first = store.upsert(Draft({"foreign_id": "", "n": 1}, moment))
        used = uuid.UUID(first.id).clock_seq & 0x3FFF
        # The next clock sequence wraps around to the first one's: the store must skip it.
        store._sequence = iter([0x4000 | used, used + 1])  # type: ignore[assignment]
        second = store.upsert(Draft({"foreign_id": "", "n": 2}, moment))
    assert first.id != second.id


def test_reset_forgets_everything(emulator: Emulator) -> None:
    store = emulator.store
    with store.transaction():
        store.add("user:1", _draft())
        store.follow("timeline:1", "user:1", 10)
    emulator.reset()
    assert store.activity_ids() == []
    assert store.feed_summaries() == []


def test_the_overview_counts_feeds_and_locates_activities(emulator: Emulator) -> None:
    store = emulator.store
    with store.transaction():
        store.follow("timeline:1", "user:1", 10)
        added = store.add("user:1", _draft(to=["notification:2"]))  # type: ignore[arg-type]
        store.add("user:2", _draft(verb="other"))
    assert store.feed_summaries() == [
        FeedSummary("notification:2", activities=1, followers=0, following=0),
        FeedSummary("timeline:1", activities=1, followers=0, following=1),
        FeedSummary("user:1", activities=1, followers=1, following=0),
        FeedSummary("user:2", activities=1, followers=0, following=0),
    ]
    assert store.locations(added.id) == ["user:1", "timeline:1", "notification:2"]
    queries: StateQueries = store  # the read-only interface tools use
    entries = queries.feed_entries("timeline:1", bounds={}, offset=0, limit=25)
    assert [(entry.activity.id, entry.paths) for entry in entries] == [
        (added.id, [("follow", "user:1")])
    ]


def test_the_overview_lists_users_objects_and_files(emulator: Emulator) -> None:
    store = emulator.store
    moment = parse_time("2020-01-01T00:00:00")
    with store.transaction():
        store.save_user(User("bob", {"n": 2}, moment, moment))
        store.save_user(User("alice", {"n": 1}, moment, moment))
        store.save_object(CollectionObject("food", "pizza", {"a": 1}, moment, moment, "bob"))
        store.save_file("t1", StoredFile("a.txt", "text/plain", b"abc", "bob", image=False))
    assert [user.id for user in store.users()] == ["alice", "bob"]
    assert [(o.collection, o.id, o.user_id) for o in store.collection_objects()] == [
        ("food", "pizza", "bob")
    ]
    assert store.file_summaries() == [
        FileSummary("t1", "a.txt", "text/plain", 3, "bob", image=False)
    ]
