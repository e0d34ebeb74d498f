"""Keeping the emulator's state in a data directory, so that it survives a restart.

The whole :class:`~stream_async.emulator.store.Store`, uploaded files included, is pickled to
``<data_dir>/state.pickle`` after every request that changed it (a request that changed
nothing pickles to the same bytes and writes nothing). Each write goes to a temporary file in
the same directory, is flushed to disk, then renamed over the previous snapshot, so a crash
leaves the old state or the new one, never a torn file. Requests never interleave inside a
handler, so a snapshot is always taken between two whole writes.

Snapshots are trusted input (pickle): point ``data_dir`` only at a directory you control.
Feed groups come from the configuration, not from the snapshot.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Mapping
from pathlib import Path

from stream_async.emulator.config import FeedGroupConfig
from stream_async.emulator.store import Store

SNAPSHOT = "state.pickle"


class Snapshots:
    """The snapshot file of one data directory."""

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.path = Path(directory) / SNAPSHOT
        self._written: bytes | None = None

    def load(self, feed_groups: Mapping[str, FeedGroupConfig]) -> Store | None:
        """The stored state (None when there is none yet), with ``feed_groups``."""
        if not self.path.exists():
            return None
        data = self.path.read_bytes()
        store: Store = pickle.loads(data)
        store.feed_groups = feed_groups
        self._written = data
        return store

    def save(self, store: Store) -> None:
        """Write ``store`` atomically, unless it is what was last written or loaded."""
        data = pickle.dumps(store, protocol=pickle.HIGHEST_PROTOCOL)
        if data == self._written:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(f".{SNAPSHOT}.tmp")
        with open(temporary, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, self.path)
        self._written = data
