"""The emulator application: :class:`Emulator` (state + Starlette app) and its route table.

Paths are Stream's, under ``/api/v1.0/``, ``/analytics/v1.0/`` and ``/personalization/v1.0/``,
with trailing slashes (but ``data_privacy/export_ids/<user_id>`` and ``moderation/flag``, which
have none). Each route names its handler and the token scope it needs
(:class:`~stream_async.emulator.http.auth.Access`). Client-side endpoints also take user
tokens: feeds (read, add, delete, follow, unfollow, follower lists, ``to`` updates), follow
stats, activity reads and partial updates, the personalized enriched feed, reactions, users,
collection objects, files, images and Open Graph; the handlers then apply Stream's default
policies (:mod:`~stream_async.emulator.handlers.policies`). The batch calls (``add_to_many``,
``follow_many``, ``unfollow_many``, ``activities/`` full update, collections batch, batch
users), data privacy, audit logs, moderation, analytics and personalization take server tokens
only. Uploads are served back, without credentials, under ``/uploads/``.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Mount, Route

from stream_async.emulator import inspector
from stream_async.emulator.config import EmulatorConfig
from stream_async.emulator.handlers import (
    activities,
    collections,
    data_privacy,
    feeds,
    files,
    moderation,
    open_graph,
    reactions,
    services,
    users,
)
from stream_async.emulator.handlers.call import AsyncHandler, Handler
from stream_async.emulator.http.auth import Access
from stream_async.emulator.http.endpoint import endpoint
from stream_async.emulator.http.rate_limit import RateLimitHeaders
from stream_async.emulator.http.responses import http_error
from stream_async.emulator.http.uploads import serve
from stream_async.emulator.store import Store

FEED = Access("feed", feed_scoped=True, client_side=True)
FEED_ANY = Access("feed")
FOLLOWER = Access("follower", feed_scoped=True, client_side=True)
FOLLOWER_ANY = Access("follower")
FEED_TARGETS = Access("feed_targets", feed_scoped=True, client_side=True)
ACTIVITIES = Access("activities")
ACTIVITIES_CLIENT_SIDE = Access("activities", client_side=True)
ANY_RESOURCE = Access("*")
FOLLOW_STATS = Access("*", client_side=True)
REACTIONS = Access("reactions", client_side=True)
USERS = Access("users", client_side=True)
COLLECTION_OBJECTS = Access("collections", client_side=True)
COLLECTIONS_BATCH = Access("collections")
FILES = Access("files", client_side=True)
OPEN_GRAPH = Access("*", client_side=True)
ANALYTICS = Access("analytics", feed_claim=False)
PERSONALIZATION = Access("personalization")
PERSONALIZED_FEED = Access("personalization", client_side=True)
USERS_BATCH = Access("users")
DATA_PRIVACY = Access("data_privacy")
AUDIT_LOGS = Access("audit_logs")
MODERATION = Access("moderation")

FEED_PATH = "/feed/{feed_slug}/{user_id}"
REACTION_PATH = "/reaction/{reaction_id}"
OBJECT_PATH = "/collections/{collection}/{object_id}"

Routes = list[tuple[str, str, Handler | AsyncHandler, Access]]

ROUTES: Routes = [
    # path, method, handler, token scope
    ("/feed/add_to_many/", "POST", feeds.add_to_many, FEED_ANY),
    (f"{FEED_PATH}/", "GET", feeds.read_feed, FEED),
    (f"{FEED_PATH}/", "POST", feeds.add_activities, FEED),
    (f"/enrich{FEED_PATH}/", "GET", feeds.read_feed, FEED),
    (f"{FEED_PATH}/follows/", "GET", feeds.following, FOLLOWER),
    (f"{FEED_PATH}/following/", "GET", feeds.following, FOLLOWER),
    (f"{FEED_PATH}/follows/", "POST", feeds.follow, FOLLOWER),
    (f"{FEED_PATH}/following/", "POST", feeds.follow, FOLLOWER),
    (f"{FEED_PATH}/follows/{{target}}/", "DELETE", feeds.unfollow, FOLLOWER),
    (f"{FEED_PATH}/following/{{target}}/", "DELETE", feeds.unfollow, FOLLOWER),
    (f"{FEED_PATH}/followers/", "GET", feeds.followers, FOLLOWER),
    (f"{FEED_PATH}/{{activity_id:path}}/", "DELETE", feeds.remove_activity, FEED),
    (
        "/feed_targets/{feed_slug}/{user_id}/activity_to_targets/",
        "POST",
        feeds.update_to_targets,
        FEED_TARGETS,
    ),
    ("/follow_many/", "POST", feeds.follow_many, FOLLOWER_ANY),
    ("/unfollow_many/", "POST", feeds.unfollow_many, FOLLOWER_ANY),
    ("/stats/follow/", "GET", feeds.follow_stats, FOLLOW_STATS),
    ("/activities/", "GET", activities.get_activities, ACTIVITIES_CLIENT_SIDE),
    ("/enrich/activities/", "GET", activities.get_activities, ACTIVITIES_CLIENT_SIDE),
    ("/enrich/personalization/feed/", "GET", services.personalized_feed, PERSONALIZED_FEED),
    ("/activities/", "POST", activities.update_activities, ACTIVITIES),
    ("/activity/", "POST", activities.partial_update, ACTIVITIES_CLIENT_SIDE),
    ("/reaction/", "POST", reactions.add_reaction, REACTIONS),
    ("/reaction/get_many/", "GET", reactions.get_many, REACTIONS),
    (f"{REACTION_PATH}/", "GET", reactions.get_reaction, REACTIONS),
    (f"{REACTION_PATH}/", "PUT", reactions.update_reaction, REACTIONS),
    (f"{REACTION_PATH}/", "DELETE", reactions.delete_reaction, REACTIONS),
    (f"{REACTION_PATH}/restore/", "PUT", reactions.restore_reaction, REACTIONS),
    ("/reaction/{lookup}/{value}/", "GET", reactions.filter_reactions, REACTIONS),
    ("/reaction/{lookup}/{value}/{kind}/", "GET", reactions.filter_reactions, REACTIONS),
    ("/user/", "POST", users.add_user, USERS),
    ("/user/{user_id}/", "GET", users.get_user, USERS),
    ("/user/{user_id}/", "PUT", users.update_user, USERS),
    ("/user/{user_id}/", "DELETE", users.delete_user, USERS),
    ("/collections/", "POST", collections.upsert, COLLECTIONS_BATCH),
    ("/collections/", "GET", collections.select, COLLECTIONS_BATCH),
    ("/collections/", "DELETE", collections.delete_many, COLLECTIONS_BATCH),
    ("/collections/{collection}/", "POST", collections.add_object, COLLECTION_OBJECTS),
    (f"{OBJECT_PATH}/", "GET", collections.get_object, COLLECTION_OBJECTS),
    (f"{OBJECT_PATH}/", "PUT", collections.update_object, COLLECTION_OBJECTS),
    (f"{OBJECT_PATH}/", "DELETE", collections.delete_object, COLLECTION_OBJECTS),
    ("/files/", "POST", files.upload_file, FILES),
    ("/files/", "DELETE", files.delete_file, FILES),
    ("/images/", "POST", files.upload_image, FILES),
    ("/images/", "GET", files.process_image, FILES),
    ("/images/process/", "GET", files.process_image, FILES),
    ("/images/", "DELETE", files.delete_file, FILES),
    ("/og/", "GET", open_graph.open_graph, OPEN_GRAPH),
    ("/users/", "POST", users.add_users, USERS_BATCH),
    ("/users/", "GET", users.get_users, USERS_BATCH),
    ("/users/", "DELETE", users.delete_users, USERS_BATCH),
    ("/data_privacy/delete_activities/", "POST", data_privacy.delete_activities, DATA_PRIVACY),
    ("/data_privacy/delete_reactions/", "POST", data_privacy.delete_reactions, DATA_PRIVACY),
    ("/data_privacy/export_ids/{user_id}", "GET", data_privacy.export_ids, DATA_PRIVACY),
    ("/audit_logs/", "GET", moderation.query_audit_logs, AUDIT_LOGS),
    ("/moderation/flag", "POST", moderation.flag, MODERATION),
    ("/moderation/flag/", "POST", moderation.flag, MODERATION),
]
"""The API, top to bottom: specific paths come before the ``{activity_id}`` catch-all and
``reaction/get_many/`` before ``reaction/{id}/``. ``moderation/flag`` is served with and
without its trailing slash (the JS client sends none, the Java client one)."""

ANALYTICS_ROUTES: Routes = [
    ("/engagement/", "POST", services.track_engagements, ANALYTICS),
    ("/impression/", "POST", services.track_impressions, ANALYTICS),
]
"""The analytics service."""

UPLOADS: frozenset[Handler | AsyncHandler] = frozenset({files.upload_file, files.upload_image})
"""Handlers whose bodies may be as large as uploads; every other body is JSON-sized."""

PERSONALIZATION_ROUTES: Routes = [
    ("/{resource:path}/", method, services.personalization, PERSONALIZATION)
    for method in ("GET", "POST", "DELETE")
]
"""The personalization service: any resource."""


class Emulator:
    """A Stream app: its state (:attr:`store`) and its ASGI app (:attr:`app`).

    State lives in a SQLite database (:mod:`stream_async.emulator.store`): in memory, or in
    ``config.data_dir`` when one is set, where it survives restarts; :meth:`reset` forgets
    it. Each request's writes are one transaction, committed before the answer is sent.

    Raises :class:`~stream_async.emulator.store.StorageError` when the data directory's
    database cannot be used (damaged, another program's, another schema version).

    :attr:`request_log` keeps the last requests for the inspector
    (:mod:`stream_async.emulator.inspector`).
    """

    def __init__(self, config: EmulatorConfig | None = None) -> None:
        self.config = config or EmulatorConfig()
        self.store = Store(self.config.feed_groups, self.config.data_dir)
        self.og_pages: dict[str, str] = dict(self.config.og_pages)
        """URL -> HTML of the pages Open Graph scrapes instead of made-up data."""
        rate_limit = Middleware(
            RateLimitHeaders,
            limit=self.config.rate_limit,
            enforce=self.config.enforce_rate_limit,
        )
        self.request_log = inspector.RequestLog()
        """The last requests, with their token scopes, for the inspector's log page."""
        self.app = Starlette(
            routes=[*self._routes(), *inspector.routes()],
            middleware=[rate_limit, Middleware(inspector.RequestRecorder, log=self.request_log)],
            exception_handlers={HTTPException: http_error},
        )
        self.app.state.emulator = self

    def _routes(self) -> list[BaseRoute]:
        def mount(prefix: str, routes: Routes) -> Mount:
            served = [
                Route(
                    path,
                    endpoint(self, handler, access, self._body_limit(handler)),
                    methods=[method],
                )
                for path, method, handler, access in routes
            ]
            return Mount(prefix, routes=served)

        return [
            mount("/api/v1.0", ROUTES),
            mount("/analytics/v1.0", ANALYTICS_ROUTES),
            mount("/personalization/v1.0", PERSONALIZATION_ROUTES),
            Route("/uploads/{token}/{filename}", serve, methods=["GET"]),
        ]

    def _body_limit(self, handler: Handler | AsyncHandler) -> int:
        if handler in UPLOADS:
            return self.config.max_upload_bytes
        return self.config.max_json_bytes

    def register_og_page(self, *, url: str, html: str) -> None:
        """Answer Open Graph requests for ``url`` with the tags of ``html`` (no network)."""
        self.og_pages[url] = html

    def reset(self) -> None:
        """Forget everything: activities, feeds, follows, reactions, users, collections, files,
        analytics events, the audit log and moderation flags (in the data directory too, when
        there is one)."""
        self.store.clear()


def create_app(config: EmulatorConfig | None = None) -> Starlette:
    """A new emulator's Starlette app; its :class:`Emulator` is ``app.state.emulator``."""
    return Emulator(config).app
