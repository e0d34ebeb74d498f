"""The inspector's pages: server-rendered Jinja2 templates over :mod:`.queries`.

Every page is an ``async`` endpoint that reads the state through :mod:`.queries` without
awaiting in between (see there why). Templates autoescape everything they print, so whatever
an app stored shows as text. The feed and request-log pages refresh a fragment of themselves
every two seconds with the vendored ``static/inspector.js`` (polling: an open event stream
would hold up the server's shutdown).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from jinja2 import Environment, PackageLoader, StrictUndefined
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from stream_async.emulator.inspector import queries
from stream_async.emulator.inspector.access import InspectorGate
from stream_async.emulator.inspector.log import ROOT, RequestLog
from stream_async.emulator.store import StateQueries

TEMPLATES = Environment(
    loader=PackageLoader("stream_async.emulator.inspector", "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
TEMPLATES.filters["part"] = lambda value: quote(str(value), safe="")


def _store(request: Request) -> StateQueries:
    store: StateQueries = request.app.state.emulator.store
    return store


def _render(request: Request, template: str, status_code: int = 200, **context: Any) -> Response:
    base = request.scope.get("root_path", "")
    html = TEMPLATES.get_template(template).render(
        base=base, app_root=base.removesuffix(ROOT), **context
    )
    return HTMLResponse(html, status_code=status_code)


def _not_found(request: Request, what: str) -> Response:
    return _render(request, "message.html", 404, title="Not found", message=what)


async def redirect(request: Request) -> Response:
    """``/``: to the inspector."""
    return RedirectResponse(f"{request.scope.get('root_path', '')}{ROOT}/", status_code=307)


async def overview(request: Request) -> Response:
    """The feed groups, the feeds, the totals, and the results of the search ``q``."""
    query = request.query_params.get("q", "")
    store = _store(request)
    view, hits = queries.overview(store), queries.search(store, query)
    return _render(request, "overview.html", view=view, q=query, hits=hits)


async def _feed(request: Request, template: str) -> Response:
    slug, user_id = request.path_params["slug"], request.path_params["user_id"]
    id_lt = request.query_params.get("id_lt") or None
    try:
        view = queries.feed(_store(request), slug, user_id, id_lt=id_lt)
    except ValueError:
        message = f"id_lt must be an activity id, not {id_lt!r}"
        return _render(request, "message.html", 400, title="Bad request", message=message)
    if view is None:
        return _not_found(request, f"There is no feed group {slug!r}.")
    return _render(request, template, view=view, id_lt=id_lt)


async def feed(request: Request) -> Response:
    """A page of a feed (``id_lt`` pages on), its followers and followings."""
    return await _feed(request, "feed.html")


async def feed_fragment(request: Request) -> Response:
    """The refreshing part of a feed page."""
    return await _feed(request, "feed_body.html")


async def activity(request: Request) -> Response:
    """An activity, the feeds holding it and how it got there, and its reactions."""
    activity_id = request.path_params["activity_id"]
    view = queries.activity(_store(request), activity_id)
    if view is None:
        return _not_found(request, f"There is no activity {activity_id!r}.")
    return _render(request, "activity.html", view=view)


async def users(request: Request) -> Response:
    """Every user."""
    return _render(request, "users.html", users=queries.users(_store(request)))


async def collections(request: Request) -> Response:
    """Every collection and its objects."""
    return _render(request, "collections.html", collections=queries.collections(_store(request)))


async def reactions(request: Request) -> Response:
    """Reactions, filtered by ``kind``, ``user_id`` and ``activity_id``."""
    filters = {name: request.query_params.get(name, "") for name in REACTION_FILTERS}
    found = queries.reactions(_store(request), **filters)
    return _render(request, "reactions.html", found=found, filters=filters)


REACTION_FILTERS = ("kind", "user_id", "activity_id")


async def files(request: Request) -> Response:
    """Every upload, images with a thumbnail."""
    return _render(request, "files.html", files=queries.files(_store(request)))


async def moderation(request: Request) -> Response:
    """Moderation flags and the audit log, newest first."""
    return _render(request, "moderation.html", view=queries.moderation(_store(request)))


def _log(request: Request) -> RequestLog:
    log: RequestLog = request.app.state.emulator.request_log
    return log


async def request_log(request: Request) -> Response:
    """The newest requests."""
    return _render(request, "log.html", entries=_log(request).newest_first())


async def request_log_fragment(request: Request) -> Response:
    """The refreshing part of the request log."""
    return _render(request, "log_rows.html", entries=_log(request).newest_first())


def routes() -> list[BaseRoute]:
    """``/`` (a redirect) and the inspector under ``/inspector/``, behind its gate."""
    pages = [
        Route("/", overview),
        Route("/feeds/{slug}/{user_id}", feed),
        Route("/feeds/{slug}/{user_id}/fragment", feed_fragment),
        Route("/activities/{activity_id}", activity),
        Route("/users", users),
        Route("/collections", collections),
        Route("/reactions", reactions),
        Route("/files", files),
        Route("/log", request_log),
        Route("/log/fragment", request_log_fragment),
        Route("/moderation", moderation),
        Mount("/static", StaticFiles(packages=[("stream_async.emulator.inspector", "static")])),
    ]
    return [
        Route("/", redirect, methods=["GET"]),
        Mount(ROOT, routes=pages, middleware=[Middleware(InspectorGate)]),
    ]
