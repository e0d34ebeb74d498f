"""The store: the emulated app's state in SQLite, and the queries over it.

:class:`Store` is the only way handlers read and write state; :mod:`.schema` holds the
tables and how a database file is opened; :class:`StateQueries` is the read-only part, for
tools that show the state.
"""

from stream_async.emulator.store.database import (
    DIRECT,
    Activity,
    Draft,
    Entry,
    Feed,
    FeedSummary,
    FileSummary,
    Group,
    Path,
    Position,
    Store,
)
from stream_async.emulator.store.queries import StateQueries
from stream_async.emulator.store.schema import DATABASE_FILE, StorageError

__all__ = [
    "DATABASE_FILE",
    "DIRECT",
    "Activity",
    "Draft",
    "Entry",
    "Feed",
    "FeedSummary",
    "FileSummary",
    "Group",
    "Path",
    "Position",
    "StateQueries",
    "StorageError",
    "Store",
]
