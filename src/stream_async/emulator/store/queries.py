"""The store's read-only interface: what tools that show the state (an inspector, a test)
may call. None of these methods writes; :class:`~stream_async.emulator.store.Store`
implements them all."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from stream_async.emulator.store.records import (
    AnalyticsEvent,
    CollectionObject,
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
        Position,
    )


class StateQueries(Protocol):
    """Read-only questions about the emulated app's state."""

    def feed_summaries(self) -> list[FeedSummary]:
        """Every feed with its activity, follower and following counts."""

    def feed_entries(
        self, feed_id: str, *, bounds: Mapping[str, Position], offset: int, limit: int
    ) -> list[Entry]:
        """A page of a feed's entries, newest first, each with the paths that brought it."""

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
