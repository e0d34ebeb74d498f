"""Emulator settings: the app's credentials, its feed groups, where state is kept and how
Open Graph pages are fetched."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

import httpx

from stream_async.emulator.aggregation import DEFAULT_FORMAT, AggregationFormat

FeedKind = Literal["flat", "aggregated", "notification"]
FEED_KINDS: tuple[FeedKind, ...] = ("flat", "aggregated", "notification")

DEFAULT_API_KEY = "emulator-key"
DEFAULT_API_SECRET = "emulator-secret-do-not-use-in-production"


@dataclass(frozen=True)
class FeedGroupConfig:
    """One feed group: its kind and, for aggregated and notification groups, its format.

    Raises ValueError for an unknown kind or an aggregation format that does not compile
    (see :mod:`stream_async.emulator.aggregation` for the supported subset).
    """

    kind: FeedKind = "flat"
    format: str = DEFAULT_FORMAT
    aggregation: AggregationFormat = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.kind not in FEED_KINDS:
            raise ValueError(f"unknown feed kind {self.kind!r}; expected one of {FEED_KINDS}")
        object.__setattr__(self, "aggregation", AggregationFormat(self.format))


def default_feed_groups() -> Mapping[str, FeedGroupConfig]:
    """``user``, ``timeline``, ``flat`` and ``topic`` (flat), ``aggregated``, ``notification``."""
    return MappingProxyType(
        {
            "user": FeedGroupConfig(),
            "timeline": FeedGroupConfig(),
            "flat": FeedGroupConfig(),
            "topic": FeedGroupConfig(),
            "aggregated": FeedGroupConfig("aggregated"),
            "notification": FeedGroupConfig("notification"),
        }
    )


@dataclass(frozen=True)
class EmulatorConfig:
    """Credentials of the emulated app and its feed groups (slug -> group).

    ``data_dir``: a directory where the state and uploaded files survive restarts (None:
    memory only). ``og_transport``: the httpx transport Open Graph fetches go through (None:
    the network), so tests can serve pages with ``httpx.MockTransport``. ``host``: the address
    the server is bound to; off loopback the inspector asks for the key and secret.
    """

    api_key: str = DEFAULT_API_KEY
    api_secret: str = DEFAULT_API_SECRET
    app_id: str = "1"
    feed_groups: Mapping[str, FeedGroupConfig] = field(default_factory=default_feed_groups)
    data_dir: str | os.PathLike[str] | None = None
    og_transport: httpx.AsyncBaseTransport | None = None
    host: str = "127.0.0.1"
