"""Emulator settings: the app's credentials, its feed groups, where state is kept, the limits
it enforces on requests, and where Open Graph data comes from."""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal, cast

import httpx

from stream_async.emulator.aggregation import DEFAULT_FORMAT, AggregationFormat

FeedKind = Literal["flat", "aggregated", "notification"]
FEED_KINDS: tuple[FeedKind, ...] = ("flat", "aggregated", "notification")

FeedMode = Literal["private", "read", "write", "read-write"]
"""What user tokens may do with other users' feeds of a group (their own feeds they may
always read and write): ``private`` nothing, ``read`` read them (Stream's "global read"),
``write`` name them as ``to`` and ``target_feeds`` targets ("global write"), ``read-write``
both."""
FEED_MODES: tuple[FeedMode, ...] = ("private", "read", "write", "read-write")
DEFAULT_FEED_MODES: Mapping[str, FeedMode] = MappingProxyType(
    {"user": "read", "notification": "write"}
)
"""Stream's default policies: ``user`` groups are global read, ``notification`` groups global
write; ``timeline`` and every other group are private."""

DEFAULT_API_KEY = "emulator-key"
DEFAULT_API_SECRET = "emulator-secret-do-not-use-in-production"

MIB = 1 << 20
DEFAULT_MAX_JSON_BYTES = 5 * MIB
"""The largest body of a JSON call (5 MiB); larger ones are a 413 (code 18)."""
DEFAULT_MAX_UPLOAD_BYTES = 100 * MIB
"""The largest body of a file or image upload (100 MiB); larger ones are a 413 (code 18)."""
DEFAULT_MAX_IMAGE_PIXELS = 50_000_000
"""The most pixels (width x height) an uploaded image may have (50 megapixels)."""
DEFAULT_RATE_LIMIT = 2000
"""Requests per one-minute window reported in ``x-ratelimit-limit``."""

Resolver = Callable[[str, int], Awaitable[Sequence[str]]]
"""Resolves ``(host, port)`` to IP address strings (Open Graph fetches check them)."""


@dataclass(frozen=True)
class FeedGroupConfig:
    """One feed group: its kind, for aggregated and notification groups its format, and its
    client-side ``mode`` (:data:`FeedMode`; None: the default for the group's name, see
    :func:`feed_mode`).

    Raises ValueError for an unknown kind or mode, or an aggregation format that does not
    compile (see :mod:`stream_async.emulator.aggregation` for the supported subset).
    """

    kind: FeedKind = "flat"
    format: str = DEFAULT_FORMAT
    mode: FeedMode | None = None
    aggregation: AggregationFormat = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.kind not in FEED_KINDS:
            raise ValueError(f"unknown feed kind {self.kind!r}; expected one of {FEED_KINDS}")
        if self.mode is not None and self.mode not in FEED_MODES:
            raise ValueError(f"unknown feed mode {self.mode!r}; expected one of {FEED_MODES}")
        object.__setattr__(self, "aggregation", AggregationFormat(self.format))


def feed_mode(name: str, group: FeedGroupConfig) -> FeedMode:
    """The client-side mode of the group ``name``: its own ``mode``, else Stream's default
    (``user`` read, ``notification`` write, any other group private)."""
    return group.mode or DEFAULT_FEED_MODES.get(name, "private")


def parse_feed_group(spec: str) -> tuple[str, FeedGroupConfig]:
    """``NAME:KIND[:MODE]`` (``news:flat``, ``alerts:notification:private``) as a name and its
    group. Raises ValueError naming the expected form."""
    name, _, rest = spec.partition(":")
    kind, colon, mode = rest.partition(":")
    if not name or kind not in FEED_KINDS or (colon and mode not in FEED_MODES):
        kinds, modes = "|".join(FEED_KINDS), "|".join(FEED_MODES)
        raise ValueError(
            f"expected NAME:KIND[:MODE] with KIND one of {kinds} and MODE one of {modes}"
            f" (got {spec!r})"
        )
    return name, FeedGroupConfig(kind, mode=cast("FeedMode", mode) or None)


def default_feed_groups() -> Mapping[str, FeedGroupConfig]:
    """``user``, ``timeline``, ``flat`` and ``topic`` (flat), ``aggregated``, ``notification``,
    each in its default mode (:func:`feed_mode`)."""
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
    """Credentials of the emulated app and its feed groups (slug -> group; each group's
    ``mode`` says what user tokens may do with other users' feeds of it).

    ``data_dir``: a directory whose database (``emulator.sqlite3``, uploads included) keeps
    the state across restarts (None: memory only).

    Limits: ``max_json_bytes`` and ``max_upload_bytes`` cap request bodies (413, code 18),
    ``max_image_pixels`` caps uploaded images (400, code 4). ``rate_limit`` is the number of
    requests per minute reported in ``x-ratelimit-*`` headers; with ``enforce_rate_limit``
    the request after the limit is answered 429 (code 9) with ``Retry-After`` until the
    window ends.

    Open Graph (see :mod:`stream_async.emulator.handlers.open_graph`): ``og_pages`` maps URLs
    to the HTML served for them; other URLs get a made-up result unless ``og_fetch`` is true,
    in which case they are fetched from public addresses only (``og_resolver``, None: the system
    resolver, resolves their hosts). ``og_transport`` serves pages instead of the network
    (for tests); given without ``og_fetch``, unregistered pages are fetched through it and
    no address is checked, since nothing reaches the network.

    ``host``: the address the server is bound to; off loopback the inspector asks for the
    key and secret.
    """

    api_key: str = DEFAULT_API_KEY
    api_secret: str = DEFAULT_API_SECRET
    app_id: str = "1"
    feed_groups: Mapping[str, FeedGroupConfig] = field(default_factory=default_feed_groups)
    data_dir: str | os.PathLike[str] | None = None
    max_json_bytes: int = DEFAULT_MAX_JSON_BYTES
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES
    max_image_pixels: int = DEFAULT_MAX_IMAGE_PIXELS
    rate_limit: int = DEFAULT_RATE_LIMIT
    enforce_rate_limit: bool = False
    og_pages: Mapping[str, str] = field(default_factory=dict)
    og_fetch: bool = False
    og_transport: httpx.AsyncBaseTransport | None = None
    og_resolver: Resolver | None = None
    host: str = "127.0.0.1"
