"""The emulator's database: its tables and indexes, and how a database file is opened.

An activity without a foreign id has a ``dedupe_key``, the SHA-256 of its time and fields,
so that the same content at the same time is one activity. Times are whole microseconds
since the Unix epoch (UTC); JSON columns hold the fields as the API returns them. The
``seq`` columns of :data:`SEQUENCED` tables are one counter shared by the whole store: a
number larger than every one handed out before, so they order insertions (into a feed, of a
follow, of a reaction). The log-like tables (analytics events, audit log, moderation flags)
order their rows by their own ``seq``, SQLite's row id. A feed entry remembers every
*path* that brought its activity (``paths``, a JSON list of ``[kind, source]``), the
``origin`` its first path gives it, and, in aggregated and notification feeds, its group.

A reaction deleted for good (not soft-deleted) leaves its place behind in
``deleted_reactions``: its id, creation time and ``seq``, no data. Nothing reads it back as a
reaction; it only lets a reaction filter bound naming it compare by that place.

Activities deleted for a data-privacy request are kept, marked in ``deleted_activities``:
feed reads still list them unless asked to discard them, lookups by id leave them out.

Records that later features add get their own tables here, with :data:`SCHEMA_VERSION`
raised. Version 2 added ``deleted_activities``, ``deleted_reactions``, ``audit_logs`` (one
row per logged change; ``custom`` a JSON object; indexed by entity and by user) and
``moderation_flags`` (one row per flag, ``id`` its ``flag_id``; ``custom`` a JSON object;
``target_user_id`` NULL when the flagged entity is unknown).

A file database runs in WAL mode with ``synchronous=NORMAL``: a committed transaction
survives the process being killed (not necessarily a power cut). Opening checks that the
file is this emulator's (``application_id``), of this schema version, and not damaged;
otherwise :class:`StorageError` says which file and what to do.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

APPLICATION_ID = 0x53544D45
"""Marks a SQLite file as a Stream emulator database (``PRAGMA application_id``)."""
SCHEMA_VERSION = 2
"""``PRAGMA user_version`` of the tables below."""
DATABASE_FILE = "emulator.sqlite3"
"""The database's name inside a data directory."""

SCHEMA = """
CREATE TABLE activities (
    id TEXT PRIMARY KEY,
    time_us INTEGER NOT NULL,
    foreign_id TEXT NOT NULL,
    dedupe_key TEXT UNIQUE,
    data TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX activities_foreign_id ON activities (foreign_id);

CREATE TABLE feed_entries (
    feed_id TEXT NOT NULL,
    activity_id TEXT NOT NULL,
    time_us INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    paths TEXT NOT NULL,
    origin TEXT,
    group_name TEXT,
    PRIMARY KEY (feed_id, activity_id)
) WITHOUT ROWID;
CREATE INDEX feed_entries_order ON feed_entries (feed_id, time_us, seq);
CREATE INDEX feed_entries_activity ON feed_entries (activity_id, seq);
CREATE INDEX feed_entries_group ON feed_entries (feed_id, group_name, time_us, seq);

CREATE TABLE feed_groups (
    feed_id TEXT NOT NULL,
    name TEXT NOT NULL,
    created_us INTEGER NOT NULL,
    updated_us INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    is_seen INTEGER NOT NULL,
    is_read INTEGER NOT NULL,
    PRIMARY KEY (feed_id, name)
) WITHOUT ROWID;
CREATE INDEX feed_groups_order ON feed_groups (feed_id, seq);

CREATE TABLE follows (
    source TEXT NOT NULL,
    target TEXT NOT NULL,
    created_us INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (source, target)
) WITHOUT ROWID;
CREATE INDEX follows_source ON follows (source, seq);
CREATE INDEX follows_target ON follows (target, seq);

CREATE TABLE reactions (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    activity_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    data TEXT NOT NULL,
    parent TEXT NOT NULL,
    created_us INTEGER NOT NULL,
    updated_us INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    target_feeds TEXT,
    target_feeds_extra_data TEXT,
    deleted_us INTEGER
) WITHOUT ROWID;
CREATE INDEX reactions_activity ON reactions (activity_id, parent, seq);
CREATE INDEX reactions_parent ON reactions (parent, seq);
CREATE INDEX reactions_user ON reactions (user_id, seq);

CREATE TABLE deleted_reactions (
    id TEXT PRIMARY KEY,
    created_us INTEGER NOT NULL,
    seq INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE reaction_kinds (
    activity_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (activity_id, kind)
) WITHOUT ROWID;

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    data TEXT NOT NULL,
    created_us INTEGER NOT NULL,
    updated_us INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE collection_objects (
    collection TEXT NOT NULL,
    id TEXT NOT NULL,
    data TEXT NOT NULL,
    created_us INTEGER NOT NULL,
    updated_us INTEGER NOT NULL,
    user_id TEXT,
    PRIMARY KEY (collection, id)
) WITHOUT ROWID;

CREATE TABLE files (
    token TEXT PRIMARY KEY,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    owner TEXT,
    image INTEGER NOT NULL,
    data BLOB NOT NULL
) WITHOUT ROWID;

CREATE TABLE analytics_events (
    seq INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    event TEXT NOT NULL
);

CREATE TABLE deleted_activities (
    id TEXT PRIMARY KEY,
    deleted_us INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE audit_logs (
    seq INTEGER PRIMARY KEY,
    entity_type TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    action TEXT NOT NULL,
    user_id TEXT NOT NULL,
    custom TEXT NOT NULL,
    created_us INTEGER NOT NULL
);
CREATE INDEX audit_logs_entity ON audit_logs (entity_type, entity_id, seq);
CREATE INDEX audit_logs_user ON audit_logs (user_id, seq);

CREATE TABLE moderation_flags (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    entity_type TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    reason TEXT NOT NULL,
    custom TEXT NOT NULL,
    target_user_id TEXT,
    created_us INTEGER NOT NULL
);
"""

TABLES = (
    "activities",
    "feed_entries",
    "feed_groups",
    "follows",
    "reactions",
    "deleted_reactions",
    "reaction_kinds",
    "users",
    "collection_objects",
    "files",
    "analytics_events",
    "deleted_activities",
    "audit_logs",
    "moderation_flags",
)
"""Every table, so that a reset can empty them all."""

SEQUENCED = (
    "feed_entries",
    "feed_groups",
    "follows",
    "reactions",
    "deleted_reactions",
    "reaction_kinds",
)
"""The tables whose ``seq`` continues the store's counter after a restart."""


class StorageError(Exception):
    """The database cannot be used; the message names the file and what to do."""


def _create(connection: sqlite3.Connection) -> None:
    connection.executescript(
        f"BEGIN; {SCHEMA} PRAGMA application_id = {APPLICATION_ID};"
        f" PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;"
    )


def _check(connection: sqlite3.Connection, path: Path) -> None:
    application_id = connection.execute("PRAGMA application_id").fetchone()[0]
    if application_id != APPLICATION_ID:
        raise StorageError(
            f"{path} is not a Stream emulator database (it belongs to another program);"
            " give --data-dir a directory of its own"
        )
    version = connection.execute("PRAGMA user_version").fetchone()[0]
    if version != SCHEMA_VERSION:
        raise StorageError(
            f"{path} has schema version {version}, this emulator reads version"
            f" {SCHEMA_VERSION}; use a matching emulator or move the file away"
        )
    if connection.execute("PRAGMA quick_check").fetchone()[0] != "ok":
        raise StorageError(f"{path} is damaged; restore a copy or move it away to start empty")


def connect(data_dir: str | os.PathLike[str] | None) -> sqlite3.Connection:
    """An open database with the schema: in memory, or ``<data_dir>/emulator.sqlite3``
    (created with the directory when missing).

    Raises StorageError when the directory or the file cannot be used.
    """
    if data_dir is None:
        connection = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        _create(connection)
        return connection
    path = Path(data_dir) / DATABASE_FILE
    try:
        Path(data_dir).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StorageError(f"{data_dir} cannot be used as a data directory: {exc}") from None
    try:
        connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        try:
            tables = connection.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            if tables == 0:
                connection.execute("PRAGMA journal_mode = WAL")
                _create(connection)
            else:
                _check(connection, path)
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA synchronous = NORMAL")
        except BaseException:
            connection.close()
            raise
    except sqlite3.DatabaseError as exc:
        raise StorageError(
            f"{path} is damaged or not a SQLite database ({exc}); restore a copy or move it"
            " away to start empty"
        ) from None
    return connection
