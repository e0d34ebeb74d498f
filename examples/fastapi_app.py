"""A FastAPI app that shares one AsyncStreamClient across every request.

The client is opened in the app's lifespan (one connection pool for the app's whole life)
and handed to routes by dependency injection. It is configured from the environment
(STREAM_API_KEY and STREAM_API_SECRET, or STREAM_URL; STREAM_BASE_URL for another host),
and falls back to an embedded in-process emulator when no credentials are set:

    pip install -e ".[aiohttp,emulator]" fastapi uvicorn && python examples/fastapi_app.py

then, in another shell:

    curl -X PUT localhost:8080/users/alice -H 'content-type: application/json' \\
        -d '{"name": "Alice"}'
    curl -X POST localhost:8080/users/bob/follow/alice
    curl -X POST localhost:8080/users/alice/posts -H 'content-type: application/json' \\
        -d '{"text": "hello"}'
    curl localhost:8080/users/bob/timeline
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime, timezone
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from stream_async import Activity, AsyncStreamClient, errors
from stream_async.resources.feeds import ReactionOptions

ClientFactory = Callable[[], AsyncStreamClient]


def client_from_env() -> AsyncStreamClient:
    """Stream when credentials are set, else an embedded in-process emulator."""
    if os.environ.get("STREAM_API_KEY") or os.environ.get("STREAM_URL"):
        return AsyncStreamClient.from_env()
    from stream_async.testing import client_for, new_emulator

    print("No STREAM_* credentials: using an embedded emulator")
    return client_for(new_emulator())


class Profile(BaseModel):
    name: str


class NewPost(BaseModel):
    text: str


class Post(BaseModel):
    id: str
    author: str
    author_name: str | None = None
    text: str | None = None
    time: datetime | None = None
    likes: int = 0
    liked: bool = False


def stream_client(request: Request) -> AsyncStreamClient:
    """The app's client (a dependency: routes declare ``client: Stream``)."""
    client: AsyncStreamClient = request.app.state.stream
    return client


Stream = Annotated[AsyncStreamClient, Depends(stream_client)]


def _post(activity: Activity) -> Post:
    """A post from an activity, enriched (the actor is the user object) or not."""
    actor = activity.actor
    if isinstance(actor, dict):  # enriched: the user object
        author, name = str(actor["id"]), actor.get("data", {}).get("name")
    else:
        author, name = actor.removeprefix("SU:"), None
    return Post(
        id=activity.id,
        author=author,
        author_name=name,
        text=activity.custom.get("text"),
        time=activity.time,
        likes=(activity.reaction_counts or {}).get("like", 0),
        liked=bool((activity.own_reactions or {}).get("like")),
    )


def create_app(client_factory: ClientFactory = client_from_env) -> FastAPI:
    """The app; ``client_factory`` makes the client at startup (tests inject their own)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with client_factory() as client:  # one connection pool for the app's life
            app.state.stream = client
            yield

    app = FastAPI(title="stream-async example", lifespan=lifespan)

    @app.exception_handler(errors.StreamValidationError)
    async def bad_argument(request: Request, error: errors.StreamValidationError) -> JSONResponse:
        return JSONResponse({"detail": str(error)}, status_code=422)

    @app.exception_handler(errors.NotFoundError)
    async def not_found(request: Request, error: errors.NotFoundError) -> JSONResponse:
        return JSONResponse({"detail": error.detail}, status_code=404)

    @app.put("/users/{user_id}")
    async def save_profile(user_id: str, profile: Profile, client: Stream) -> dict[str, Any]:
        """Create or replace the user (``SU:<id>``, which enriched reads expand)."""
        try:
            user = await client.users.update(user_id, profile.model_dump())
        except errors.NotFoundError:
            user = await client.users.add(user_id, profile.model_dump())
        return {"id": user.id, "data": user.data}

    @app.post("/users/{user_id}/posts", status_code=201)
    async def add_post(user_id: str, post: NewPost, client: Stream) -> Post:
        """Post to the user's feed; the timelines that follow it get a copy."""
        post_id = uuid.uuid4().hex
        added = await client.feed("user", user_id).add_activity(
            {
                "actor": client.users.create_reference(user_id),
                "verb": "post",
                "object": f"post:{post_id}",
                "foreign_id": f"post:{post_id}",  # with time: safe to retry
                "time": datetime.now(timezone.utc),
                "text": post.text,
            }
        )
        return _post(added)

    @app.get("/users/{user_id}/timeline")
    async def timeline(user_id: str, client: Stream, limit: int = 25) -> list[Post]:
        """The user's timeline, enriched: authors as users, like counts, own likes."""
        page = await client.feed("timeline", user_id).get(
            limit=limit,
            enrich=True,
            user_id=user_id,
            reactions=ReactionOptions(own=True, counts=True, kinds=["like"]),
        )
        return [_post(activity) for activity in page.results]

    @app.post("/users/{user_id}/likes/{activity_id}", status_code=201)
    async def like(user_id: str, activity_id: str, client: Stream) -> dict[str, str]:
        reaction = await client.reactions.add("like", activity_id, user_id)
        return {"id": reaction.id}

    @app.post("/users/{user_id}/follow/{target_id}", status_code=204)
    async def follow(user_id: str, target_id: str, client: Stream) -> None:
        """The user's timeline follows the target's user feed."""
        await client.feed("timeline", user_id).follow(f"user:{target_id}")

    @app.delete("/users/{user_id}/follow/{target_id}", status_code=204)
    async def unfollow(user_id: str, target_id: str, client: Stream) -> None:
        await client.feed("timeline", user_id).unfollow(f"user:{target_id}")

    return app


app = create_app()

if __name__ == "__main__":
    import uvicorn

    uvicorn.run(app, host="127.0.0.1", port=int(os.environ.get("PORT", "8080")))
