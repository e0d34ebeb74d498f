"""The store's read-only interface: what tools that show the state (an inspector, a test)
may call. None of these methods writes; :class:`~stream_async.emulator.store.Store`
implements them all."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from stream_async.emulator.config import FeedGroupConfig
from stream_async.emulator.store.records import (
    AnalyticsEvent,
    AuditEntry,
    CollectionObject,
    Flag,
    Reaction,
    StoredFile,
    User,
)

if TYPE_CHECKING:
    from stream_async.emulator.store.database import (
        Activity,
        Entry,
        FeedSummary,
        FileSummary,
        Group,
        Position,
    )


class StateQueries(Protocol):
    """Read-only questions about the emulated app's state."""

    @property
    def feed_groups(self) -> Mapping[str, FeedGroupConfig]:
        """The configured feed groups, slug -> group."""

    def feed_summaries(self) -> list[FeedSummary]:
        """Every feed with its activity, follower and following counts."""

    def feed_entries(
        self, feed_id: str, *, bounds: Mapping[str, Position], offset: int, limit: int
    ) -> list[Entry]:
        """A page of a feed's entries, newest first, each with the paths that brought it."""

    def feed_entry(self, feed_id: str, activity_id: str) -> Entry | None:
        """A feed's entry for an activity (with the paths that brought it), or None."""

    def position(self, feed_id: str, activity_id: str) -> Position | None:
        """Where a stored activity sits in a feed (a time alone when the feed does not hold
        it), or None when no such activity is stored."""

    def feed_groups_of(self, feed_id: str) -> list[Group]:
        """An aggregated or notification feed's groups, most recently updated first."""

    def group_entries(self, feed_id: str, group: Group) -> list[Entry]:
        """A group's entries, newest first."""

    def activity_count(self) -> int:
        """How many activities are stored."""

    def activities_with_foreign_id(self, foreign_id: str) -> list[str]:
        """The ids of the activities whose ``foreign_id`` is this one, oldest first."""

    def activity_ids(self) -> list[str]:
        """Every stored activity's id, oldest first."""

    def activity(self, activity_id: str) -> Activity | None:
        """One activity."""

    def locations(self, activity_id: str) -> list[str]:
        """The feeds holding an activity, in arrival order."""

    def follows(self, feed_id: str, *, followers: bool) -> list[tuple[str, datetime]]:
        """A feed's followers (or the feeds it follows), newest first."""

    def reaction_ids(self) -> list[str]:
        """Every reaction's id, oldest first."""

    def reaction(self, reaction_id: str) -> Reaction | None:
        """One reaction."""

    def reactions_to(self, activity_id: str) -> list[Reaction]:
        """An activity's top-level reactions, oldest first."""

    def children(self, reaction_id: str) -> list[Reaction]:
        """A reaction's children, oldest first."""

    def reaction_count(self) -> int:
        """How many reactions are stored (soft-deleted ones too)."""

    def reactions_matching(
        self, *, kind: str, user_id: str, activity_id: str, limit: int
    ) -> tuple[list[Reaction], int]:
        """The newest ``limit`` reactions matching each filter that is not empty, newest
        first, and how many match in all."""

    def users(self) -> list[User]:
        """Every user."""

    def collection_objects(self) -> list[CollectionObject]:
        """Every collection object."""

    def file_summaries(self) -> list[FileSummary]:
        """Every upload, without its bytes."""

    def file(self, token: str) -> StoredFile | None:
        """One upload, with its bytes."""

    @property
    def analytics_events(self) -> list[AnalyticsEvent]:
        """Every tracked analytics event."""

    def audit_entries(
        self,
        filters: Mapping[str, str],
        *,
        limit: int,
        below: int | None = None,
        above: int | None = None,
    ) -> list[AuditEntry]:
        """Audit-log entries matching every filter, newest first (see the store)."""

    def flags(self, limit: int) -> tuple[list[Flag], int]:
        """The newest ``limit`` moderation flags, newest first, and how many there are."""
