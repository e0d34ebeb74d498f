"""An aiohttp app that shares one AsyncStreamClient across every request.

The client is opened and closed by the app's ``cleanup_ctx`` (one connection pool for the
app's whole life) and stored on the app under a typed ``AppKey``. It is configured from
the environment (STREAM_API_KEY and STREAM_API_SECRET, or STREAM_URL; STREAM_BASE_URL for
another host), and falls back to an embedded in-process emulator when no credentials are
set:

    pip install -e ".[aiohttp,emulator]" && python examples/aiohttp_app.py

then, in another shell:

    curl -X POST localhost:8080/users/bob/follow/alice
    curl -X POST localhost:8080/users/alice/posts -d '{"text": "hello"}'
    curl localhost:8080/users/bob/timeline
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timezone
from typing import Any

from aiohttp import web

from stream_async import Activity, AsyncStreamClient, errors
from stream_async.resources.feeds import ReactionOptions

ClientFactory = Callable[[], AsyncStreamClient]
STREAM = web.AppKey("stream", AsyncStreamClient)


def client_from_env() -> AsyncStreamClient:
    """Stream when credentials are set, else an embedded in-process emulator."""
    if os.environ.get("STREAM_API_KEY") or os.environ.get("STREAM_URL"):
        return AsyncStreamClient.from_env()
    from stream_async.testing import client_for, new_emulator

    print("No STREAM_* credentials: using an embedded emulator")
    return client_for(new_emulator())


def _post(activity: Activity) -> dict[str, Any]:
    return {
        "id": activity.id,
        "author": str(activity.actor),
        "text": activity.custom.get("text"),
        "time": activity.time.isoformat() if activity.time else None,
        "likes": (activity.reaction_counts or {}).get("like", 0),
    }


routes = web.RouteTableDef()


@routes.post("/users/{user_id}/posts")
async def add_post(request: web.Request) -> web.Response:
    """Post to the user's feed; the timelines that follow it get a copy."""
    client = request.app[STREAM]
    body = await request.json()
    user_id = request.match_info["user_id"]
    post_id = uuid.uuid4().hex
    added = await client.feed("user", user_id).add_activity(
        {
            "actor": user_id,
            "verb": "post",
            "object": f"post:{post_id}",
            "foreign_id": f"post:{post_id}",  # with time: safe to retry
            "time": datetime.now(timezone.utc),
            "text": str(body.get("text", "")),
        }
    )
    return web.json_response(_post(added), status=201)


@routes.get("/users/{user_id}/timeline")
async def timeline(request: web.Request) -> web.Response:
    """The user's timeline, enriched, with like counts."""
    client = request.app[STREAM]
    user_id = request.match_info["user_id"]
    page = await client.feed("timeline", user_id).get(
        limit=int(request.query.get("limit", "25")),
        enrich=True,
        reactions=ReactionOptions(counts=True, kinds=["like"]),
    )
    return web.json_response([_post(activity) for activity in page.results])


@routes.post("/users/{user_id}/likes/{activity_id}")
async def like(request: web.Request) -> web.Response:
    client = request.app[STREAM]
    info = request.match_info
    reaction = await client.reactions.add("like", info["activity_id"], info["user_id"])
    return web.json_response({"id": reaction.id}, status=201)


@routes.post("/users/{user_id}/follow/{target_id}")
async def follow(request: web.Request) -> web.Response:
    """The user's timeline follows the target's user feed."""
    client = request.app[STREAM]
    info = request.match_info
    await client.feed("timeline", info["user_id"]).follow(f"user:{info['target_id']}")
    return web.Response(status=204)


@web.middleware
async def stream_errors(
    request: web.Request, handler: Callable[[web.Request], Any]
) -> web.StreamResponse:
    """Stream's errors as HTTP errors: bad arguments 422, missing things 404."""
    try:
        response: web.StreamResponse = await handler(request)
    except errors.StreamValidationError as error:
        return web.json_response({"detail": str(error)}, status=422)
    except errors.NotFoundError as error:
        return web.json_response({"detail": error.detail}, status=404)
    return response


def create_app(client_factory: ClientFactory = client_from_env) -> web.Application:
    """The app; ``client_factory`` makes the client at startup (tests inject their own)."""

    async def stream_client(app: web.Application) -> AsyncIterator[None]:
        async with client_factory() as client:  # one connection pool for the app's life
            app[STREAM] = client
            yield

    app = web.Application(middlewares=[stream_errors])
    app.cleanup_ctx.append(stream_client)
    app.add_routes(routes)
    return app


if __name__ == "__main__":
    web.run_app(create_app(), host="127.0.0.1", port=int(os.environ.get("PORT", "8080")))
