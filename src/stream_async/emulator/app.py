"""The emulator application: :class:`Emulator` (state + Starlette app) and its routing table.

Paths are Stream's, under ``/api/v1.0/``, with trailing slashes. Each route names its
handler and the token scope it needs (:class:`~stream_async.emulator.auth.Access`); client-side
endpoints (reactions, collections, users, files, images, Open Graph) will add rows with
``client_side=True``.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Mount, Route

from stream_async.emulator import activities, feeds
from stream_async.emulator.auth import Access
from stream_async.emulator.config import EmulatorConfig
from stream_async.emulator.routing import Handler, RateLimitHeaders, endpoint, http_error
from stream_async.emulator.store import Store

FEED = Access("feed", feed_scoped=True)
FEED_ANY = Access("feed")
FOLLOWER = Access("follower", feed_scoped=True)
FOLLOWER_ANY = Access("follower")
FEED_TARGETS = Access("feed_targets", feed_scoped=True)
ACTIVITIES = Access("activities")
ANY_RESOURCE = Access("*")

FEED_PATH = "/feed/{feed_slug}/{user_id}"

ROUTES: list[tuple[str, str, Handler, Access]] = [
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
    ("/stats/follow/", "GET", feeds.follow_stats, ANY_RESOURCE),
    ("/activities/", "GET", activities.get_activities, ACTIVITIES),
    ("/enrich/activities/", "GET", activities.get_activities, ACTIVITIES),
    ("/activities/", "POST", activities.update_activities, ACTIVITIES),
    ("/activity/", "POST", activities.partial_update, ACTIVITIES),
]
"""The API, top to bottom: specific paths come before the ``{activity_id}`` catch-all."""


class Emulator:
    """An in-memory Stream app: its state (:attr:`store`) and its ASGI app (:attr:`app`).

    State lives in memory only; :meth:`reset` forgets it. Handlers mutate it synchronously,
    so concurrent requests never interleave inside a write.
    """

    def __init__(self, config: EmulatorConfig | None = None) -> None:
        self.config = config or EmulatorConfig()
        self.store = Store(self.config.feed_groups)
        self.app = Starlette(
            routes=self._routes(),
            middleware=[Middleware(RateLimitHeaders)],
            exception_handlers={HTTPException: http_error},
        )
        self.app.state.emulator = self

    def _routes(self) -> list[BaseRoute]:
        api = [
            Route(path, endpoint(self, handler, access), methods=[method])
            for path, method, handler, access in ROUTES
        ]
        return [Mount("/api/v1.0", routes=api)]

    def reset(self) -> None:
        """Forget every activity, feed and follow."""
        self.store = Store(self.config.feed_groups)


def create_app(config: EmulatorConfig | None = None) -> Starlette:
    """A new emulator's Starlette app; its :class:`Emulator` is ``app.state.emulator``."""
    return Emulator(config).app
