"""``AsyncStreamClient``: settings, resource namespaces and lifecycle."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx

from stream_async._auth import Scope, Signer
from stream_async._config import (
    DEFAULT_MAX_CONNECTIONS,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    DEFAULT_TOTAL_TIMEOUT,
    DEFAULT_UPLOAD_TIMEOUT,
    ENV_VARS,
    service_roots,
    settings_from_env,
)
from stream_async._http import DEFAULT_MAX_RESPONSE_BYTES, TransportName
from stream_async._transport import HttpPool, Policy, Transport
from stream_async._validation import non_empty_str as check_non_empty
from stream_async._validation import user_id as check_user_id
from stream_async.errors import StreamConfigurationError, StreamValidationError
from stream_async.models import StreamResponse
from stream_async.resources._base import forward, namespace
from stream_async.resources.activities import Activities
from stream_async.resources.analytics import Analytics
from stream_async.resources.audit_logs import AuditLogs
from stream_async.resources.collections import Collections
from stream_async.resources.data_privacy import DataPrivacy
from stream_async.resources.feeds import AggregatedFeed, Feed, NotificationFeed
from stream_async.resources.files import Files, Images
from stream_async.resources.follows import Follows
from stream_async.resources.moderation import Moderation
from stream_async.resources.open_graph import OpenGraphScraper
from stream_async.resources.personalization import Personalization
from stream_async.resources.reactions import Reactions
from stream_async.resources.users import Users


class _NotGiven:
    """Tells "argument not given" from an explicit ``None``."""

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN: Any = _NotGiven()


def _positive(value: float, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise StreamValidationError(name, "must be a positive number of seconds")
    return float(value)


def _count(value: object, name: str, *, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise StreamConfigurationError(f"{name} must be an integer of at least {low}")
    return value


def _policy(
    timeout: float, max_retries: int, total_timeout: float | None, retry_non_idempotent: bool
) -> Policy:
    return Policy(
        timeout=timeout,
        max_retries=_count(max_retries, "max_retries", low=0),
        total_timeout=None if total_timeout is None else _positive(total_timeout, "total_timeout"),
        retry_non_idempotent=bool(retry_non_idempotent),
    )


class _Arguments(dict[str, Any]):
    """The keyword arguments a client was built with, from which :meth:`with_options`
    builds its copy. They hold the API secret or token, so the repr names them only."""

    def __repr__(self) -> str:
        return f"<arguments {', '.join(self)}>"


def _strip_bearer(token: str) -> str:
    return token[7:] if token[:7].lower() == "bearer " else token


class AsyncStreamClient:
    """An asyncio-native client for Stream's activity feeds API.

    Use it as an async context manager (or call :meth:`aclose`); it holds one pooled HTTP
    client for its whole life, shared by every call and by :meth:`with_options` copies::

        async with AsyncStreamClient(api_key="...", api_secret="...") as client:
            feed = client.feed("user", "alice")
            await feed.add_activity({"actor": "alice", "verb": "post", "object": "1"})

    Server-side, give ``api_secret``: each call is signed with a least-privilege token.
    Client-side, give a user ``token`` instead (and no secret).

    ``location`` picks a region (``us-east``, ``eu-west``, ``singapore``, ...);
    ``base_url`` (an origin plus an optional path prefix, such as
    ``http://127.0.0.1:8000``) sends requests elsewhere, for instance to the emulator.
    ``timeout`` is seconds per call (default 3), ``upload_timeout`` the same for uploads
    (default 60). ``transport`` picks the HTTP transport: ``"auto"`` (aiohttp on asyncio
    when the ``aiohttp`` extra is installed, httpx's own otherwise), ``"aiohttp"`` or
    ``"httpx"``; ``http_client`` injects a ready ``httpx.AsyncClient`` that this client
    uses but never closes.

    Reliability: ``max_retries`` (default 2) retries what is safe to retry (see the README,
    "Retries"); ``total_timeout`` (default 30 s, ``None`` for none) bounds a call with all
    its retries and waits; ``retry_non_idempotent`` also retries writes that may have been
    applied. ``max_concurrency`` (default ``max_connections``) caps attempts in flight
    across the client, so gathering any number of calls opens at most that many
    connections; time queued for a slot counts against ``total_timeout`` (not against the
    per-attempt ``timeout``). ``pause_on_rate_limit`` holds new attempts while an exhausted
    rate-limit window resets, as long as the wait fits the call's deadline.

    Responses: a body larger than ``max_response_bytes`` (default 32 MiB, counted after
    decompression) raises :class:`~stream_async.errors.ResponseTooLargeError` as soon as
    that is known; a redirect (3xx) is never followed and raises
    :class:`~stream_async.errors.StreamAPIError`. ``base_url`` must not carry credentials.

    A client that is garbage-collected without being closed warns with
    ``ResourceWarning`` and closes its connections.
    """

    def __init__(
        self,
        *,
        api_key: str,
        api_secret: str | None = None,
        app_id: str | None = None,
        location: str | None = None,
        base_url: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        upload_timeout: float = DEFAULT_UPLOAD_TIMEOUT,
        token: str | None = None,
        http_client: httpx.AsyncClient | None = None,
        transport: TransportName = "auto",
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
        max_retries: int = DEFAULT_MAX_RETRIES,
        total_timeout: float | None = DEFAULT_TOTAL_TIMEOUT,
        retry_non_idempotent: bool = False,
        max_concurrency: int | None = None,
        pause_on_rate_limit: bool = False,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> None:
        self._arguments = _Arguments((k, v) for k, v in locals().items() if k != "self")
        if not isinstance(api_key, str) or not api_key:
            raise StreamConfigurationError("api_key is required (or set STREAM_API_KEY)")
        if api_secret is None and token is None:
            raise StreamConfigurationError(
                "give api_secret (server-side) or a user token (client-side)"
            )
        if api_secret is not None and token is not None:
            raise StreamConfigurationError(
                "give api_secret or token, not both: a server-side client signs its own tokens"
            )
        if transport not in ("auto", "aiohttp", "httpx"):
            raise StreamConfigurationError("transport must be 'auto', 'aiohttp' or 'httpx'")
        _count(max_connections, "max_connections", low=1)
        if max_concurrency is not None:
            _count(max_concurrency, "max_concurrency", low=1)
        _count(max_response_bytes, "max_response_bytes", low=1)
        self.api_key = api_key
        self.app_id = app_id
        self.location = location
        self.base_url = base_url
        self.timeout = _positive(timeout, "timeout")
        self.upload_timeout = _positive(upload_timeout, "upload_timeout")
        self._signer = Signer(api_secret) if api_secret is not None else None
        self._pool = HttpPool(
            http_client,
            transport=transport,
            max_connections=max_connections,
            max_concurrency=max_concurrency or max_connections,
            pause_on_rate_limit=pause_on_rate_limit,
            max_response_bytes=max_response_bytes,
        )
        self._owns_pool = True
        self._transport = Transport(
            api_key=api_key,
            signer=self._signer,
            user_token=None if token is None else _strip_bearer(token),
            roots=service_roots(location=location, base_url=base_url),
            policy=_policy(self.timeout, max_retries, total_timeout, retry_non_idempotent),
            pool=self._pool,
        )

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, **overrides: Any
    ) -> AsyncStreamClient:
        """Build a client from ``STREAM_API_KEY``, ``STREAM_API_SECRET``, ``STREAM_APP_ID``,
        ``STREAM_REGION``, ``STREAM_BASE_URL`` and ``STREAM_URL``
        (``https://key:secret@us-east.stream-io-api.com/?app_id=1``).

        Keyword arguments win over the environment; then ``STREAM_BASE_URL``, then
        ``STREAM_URL``, then ``STREAM_REGION`` decide the host.
        """
        env = settings_from_env(environ)
        where_given = "base_url" in overrides or "location" in overrides
        settings: dict[str, Any] = {
            "api_key": env.api_key,
            "api_secret": env.api_secret,
            "app_id": env.app_id,
            "location": None if where_given else env.location,
            "base_url": None if where_given else env.base_url,
        }
        settings.update(overrides)
        if "token" in overrides and "api_secret" not in overrides:
            settings["api_secret"] = None
        if not settings["api_key"] or (not settings["api_secret"] and not settings.get("token")):
            raise StreamConfigurationError(
                "no Stream credentials found: set STREAM_API_KEY and STREAM_API_SECRET, or "
                "STREAM_URL (variables read: " + ", ".join(ENV_VARS) + ")"
            )
        return cls(**settings)

    def __repr__(self) -> str:
        mode = "client-side" if self._signer is None else "server-side"
        where = self.base_url or self.location or "default"
        state = "closed" if self.is_closed else "open"
        return f"<AsyncStreamClient api_key={self.api_key!r} {mode} host={where} {state}>"

    # -- lifecycle -----------------------------------------------------------------

    @property
    def is_closed(self) -> bool:
        return self._pool.closed

    @property
    def transport_name(self) -> str | None:
        """The HTTP transport in use (``"aiohttp"``, ``"httpx"`` or ``"custom"``;
        ``"asgi"`` for the in-process clients of :mod:`stream_async.testing`); ``None`` until
        the first request creates the pool."""
        return self._pool.transport_name

    async def aclose(self) -> None:
        """Close the connection pool; later calls raise ``ClientClosedError``.

        A copy made by :meth:`with_options` shares its parent's pool and leaves closing to
        the parent; closing it does nothing.
        """
        if self._owns_pool:
            await self._pool.aclose()

    async def __aenter__(self) -> AsyncStreamClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def with_options(
        self,
        *,
        timeout: float = NOT_GIVEN,
        upload_timeout: float = NOT_GIVEN,
        max_retries: int = NOT_GIVEN,
        total_timeout: float | None = NOT_GIVEN,
        retry_non_idempotent: bool = NOT_GIVEN,
    ) -> AsyncStreamClient:
        """A client with changed settings that shares this one's connection pool, limits
        and token cache: ``await client.with_options(timeout=10).feed("user", "1").get()``
        gives one call its own timeout, ``with_options(max_retries=0)`` its own retries.

        The copy is built by the constructor from this client's arguments and the changed
        ones, so a bad value raises what the constructor raises for it; its namespaces
        (``copy.reactions`` ...) are its own, and use its settings.
        """
        changes = {
            name: value
            for name, value in (
                ("timeout", timeout),
                ("upload_timeout", upload_timeout),
                ("max_retries", max_retries),
                ("total_timeout", total_timeout),
                ("retry_non_idempotent", retry_non_idempotent),
            )
            if value is not NOT_GIVEN
        }
        copy = type(self)(**{**self._arguments, **changes})
        copy._pool = self._pool
        copy._owns_pool = False
        copy._signer = self._signer
        copy._transport = self._transport.copy(policy=copy._transport.policy)
        return copy

    # -- tokens --------------------------------------------------------------------

    def _require_signer(self) -> Signer:
        if self._signer is None:
            raise StreamConfigurationError("creating tokens needs api_secret (server-side)")
        return self._signer

    def create_user_token(self, user_id: str, **extra: Any) -> str:
        """A client-side token for ``user_id`` (claims ``user_id`` then ``extra``), to hand
        to a browser or mobile app."""
        return self._require_signer().user_token(user_id, **extra)

    def create_scope_token(
        self,
        resource: str,
        action: str,
        *,
        feed_id: str | None = None,
        user_id: str | None = None,
        **extra: Any,
    ) -> str:
        """A server token for one scope, e.g. ``("feed", "read", feed_id="user1")`` for
        read-only access to ``user:1`` (``feed_id`` is slug + user id, no colon)."""
        return self._require_signer().scope_token(resource, action, feed_id, user_id, **extra)

    def create_redirect_url(
        self, target_url: str, user_id: str, events: Sequence[Mapping[str, Any]]
    ) -> str:
        """A tracked link: the analytics service records ``events`` for ``user_id`` and
        redirects to ``target_url``. Built locally (nothing is sent), on this client's
        analytics host."""
        parts = urlsplit(target_url) if isinstance(target_url, str) else None
        if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
            raise StreamValidationError("target_url", "must be an http(s) URL")
        if isinstance(events, (str, bytes, Mapping)) or not isinstance(events, (list, tuple)):
            raise StreamValidationError("events", "must be a list of event mappings")
        token = self._require_signer().scope_token(
            "redirect_and_track", "*", "*", check_user_id(user_id)
        )
        query = urlencode(
            {
                "auth_type": "jwt",
                "authorization": token,
                "url": target_url,
                "api_key": self.api_key,
                "events": json.dumps(list(events), separators=(",", ":")),
            }
        )
        return f"{self._transport.roots['analytics']}redirect/?{query}"

    async def request(
        self,
        method: str,
        path: str,
        *,
        resource: str,
        feed_id: str = "*",
        service: str = "api",
        params: Mapping[str, str | int | bool | Sequence[str] | None] | None = None,
        json: Any = None,
    ) -> StreamResponse:
        """Call an endpoint this SDK has no method for, through the same request path
        (signing, retries, errors). The token names ``resource`` and ``feed_id`` (slug +
        user id, or ``*``) with the action ``method`` needs; ``path`` is relative to the
        service root (``"feed/user/1/"``). The response's fields are on the result's
        ``model_extra``."""
        verb = check_non_empty(method, "method").upper()
        if verb not in ("GET", "POST", "PUT", "PATCH", "DELETE"):
            raise StreamValidationError("method", "must be GET, POST, PUT, PATCH or DELETE")
        if service not in self._transport.roots:
            raise StreamValidationError("service", "must be api, analytics or personalization")
        relative = check_non_empty(path, "path").lstrip("/")
        if ".." in relative.split("/"):
            raise StreamValidationError("path", "must not contain '..' segments")
        return await self._transport.request(
            verb,
            relative if relative.endswith("/") else relative + "/",
            cast=StreamResponse,
            scope=Scope(check_non_empty(resource, "resource"), feed_id=feed_id),
            service=service,
            params=params,
            body=json,
        )

    # -- namespaces ----------------------------------------------------------------
    # Each namespace is built once per client, bound to it: a ``with_options`` copy builds
    # its own, which use the copy's settings.

    def feed(self, feed_slug: str, user_id: str) -> Feed:
        """A handle on the feed ``feed_slug:user_id``. Raises
        :class:`~stream_async.errors.StreamValidationError` for a slug that is not ``\\w+``
        or a user id that is not ``[\\w-]+``."""
        return Feed(self, feed_slug, user_id)

    def aggregated_feed(self, feed_slug: str, user_id: str) -> AggregatedFeed:
        """A handle on an aggregated feed: reads return groups of activities."""
        return AggregatedFeed(self, feed_slug, user_id)

    def notification_feed(self, feed_slug: str, user_id: str) -> NotificationFeed:
        """A handle on a notification feed: reads return groups with seen/read state and
        can mark them."""
        return NotificationFeed(self, feed_slug, user_id)

    activities = namespace(Activities)
    """Look up, update and partially update activities by id or foreign id + time."""

    reactions = namespace(Reactions)
    """Add, read, update, delete and page through reactions and child reactions."""

    users = namespace(Users)
    """Add, read, update and delete users (``SU:<id>`` references)."""

    collections = namespace(Collections)
    """Collection objects (``SO:<collection>:<id>`` references), one by one or in batches."""

    files = namespace(Files)
    """Upload files to Stream's CDN (within ``upload_timeout``) and delete them."""

    images = namespace(Images)
    """Upload images (within ``upload_timeout``), delete them, get processed copies."""

    personalization = namespace(Personalization)
    """GET, POST and DELETE on the personalization service's resources."""

    data_privacy = namespace(DataPrivacy)
    """Delete activities and reactions for data-privacy requests; export a user's ids."""
    audit_logs = namespace(AuditLogs)
    """Query the audit log by entity or by user (server-side)."""

    moderation = namespace(Moderation)
    """Flag users, activities and reactions for moderation (server-side)."""

    _follows = namespace(Follows)
    _analytics = namespace(Analytics)
    _open_graph = namespace(OpenGraphScraper)

    # -- calls at the top level, as the official client has them -----------------------

    add_to_many = forward("activities", Activities.add_to_many)
    """Add one activity to many feeds: :meth:`Activities.add_to_many`."""

    follow_many = forward("_follows", Follows.follow_many)
    """Create many follows: :meth:`Follows.follow_many`."""

    unfollow_many = forward("_follows", Follows.unfollow_many)
    """Remove many follows: :meth:`Follows.unfollow_many`."""

    follow_stats = forward("_follows", Follows.follow_stats)
    """Follower and following counts of a feed: :meth:`Follows.follow_stats`."""

    og = forward("_open_graph", OpenGraphScraper.og)
    """A web page's Open Graph data: :meth:`OpenGraphScraper.og`."""

    track_engagements = forward("_analytics", Analytics.track_engagements)
    """Send engagement events: :meth:`Analytics.track_engagements`."""

    track_impressions = forward("_analytics", Analytics.track_impressions)
    """Send impression events: :meth:`Analytics.track_impressions`."""
