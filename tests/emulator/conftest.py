"""Fixtures for the emulator's tests: an in-process emulator and a small API caller.

Tokens are minted here with PyJWT directly; nothing from the SDK is used.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import jwt
import pytest
import pytest_asyncio

from stream_async.emulator import Emulator, EmulatorConfig

CONFIG = EmulatorConfig()
API_KEY = CONFIG.api_key
API_SECRET = CONFIG.api_secret


def token(secret: str = API_SECRET, algorithm: str = "HS256", **claims: Any) -> str:
    """A JWT with ``claims``, signed like Stream's clients sign them."""
    return jwt.encode(claims, secret, algorithm=algorithm)


ADMIN = token(resource="*", action="*", feed_id="*")
"""A server token allowed to do everything."""


class Api:
    """Calls ``/api/v1.0/<path>`` with the API key and a token (``ADMIN`` by default)."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | list[tuple[str, str]] | None = None,
        json: Any = None,
        content: bytes | None = None,
        files: dict[str, Any] | None = None,
        auth: str | None = ADMIN,
        api_key: str | None = API_KEY,
    ) -> httpx.Response:
        """Send one request; ``auth=None`` sends no Authorization header."""
        query: list[tuple[str, Any]] = [] if api_key is None else [("api_key", api_key)]
        query += list(params.items()) if isinstance(params, dict) else list(params or [])
        headers = {"stream-auth-type": "jwt"}
        if auth is not None:
            headers["Authorization"] = auth
        return await self.client.request(
            method,
            f"/api/v1.0/{path}",
            params=query,
            json=json,
            content=content,
            files=files,
            headers=headers,
        )

    async def get(self, path: str, **params: Any) -> dict[str, Any]:
        """GET and expect 200."""
        return ok(await self.request("GET", path, params=params))

    async def post(self, path: str, body: Any, status: int = 201, **params: Any) -> dict[str, Any]:
        """POST a JSON body and expect ``status`` (201 by default)."""
        return ok(await self.request("POST", path, json=body, params=params), status)

    async def put(self, path: str, body: Any, status: int = 201, **params: Any) -> dict[str, Any]:
        """PUT a JSON body and expect ``status`` (201 by default)."""
        return ok(await self.request("PUT", path, json=body, params=params), status)

    async def delete(self, path: str, **params: Any) -> dict[str, Any]:
        """DELETE (with the ``{}`` body stream-python sends) and expect 200."""
        return ok(await self.request("DELETE", path, json={}, params=params))

    async def add(self, feed: str, **fields: Any) -> dict[str, Any]:
        """Add one activity (``actor``/``verb``/``object`` default to simple values)."""
        activity = {"actor": "alice", "verb": "post", "object": "note:1", **fields}
        return await self.post(f"feed/{feed.replace(':', '/')}/", activity)

    async def read(self, feed: str, **params: Any) -> dict[str, Any]:
        """Read a feed page."""
        return await self.get(f"feed/{feed.replace(':', '/')}/", **params)

    async def react(self, activity_id: str, kind: str = "like", **fields: Any) -> dict[str, Any]:
        """Add a reaction by ``alice`` (unless ``user_id`` is given) to an activity."""
        body = {"kind": kind, "activity_id": activity_id, "user_id": "alice", **fields}
        return await self.post("reaction/", body)

    async def follow(self, source: str, target: str, **extra: Any) -> dict[str, Any]:
        """Make ``source`` follow ``target``."""
        return await self.post(
            f"feed/{source.replace(':', '/')}/follows/", {"target": target, **extra}
        )


def ok(response: httpx.Response, status: int = 200) -> dict[str, Any]:
    """The JSON body of a successful response, after checking status and ``duration``."""
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body.pop("duration").endswith("ms")
    return body


def error(response: httpx.Response, status: int, code: int) -> dict[str, Any]:
    """The JSON body of an error response, after checking its status, code and key set."""
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["code"] == code
    assert body["status_code"] == status
    assert {"detail", "status_code", "code", "exception", "more_info", "duration"} <= set(body)
    return body


@pytest.fixture
def emulator() -> Emulator:
    """A fresh emulator with the default configuration."""
    return Emulator()


@pytest_asyncio.fixture
async def api(emulator: Emulator) -> AsyncIterator[Api]:
    """An :class:`Api` talking to ``emulator`` in-process."""
    transport = httpx.ASGITransport(app=emulator.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://emulator") as client:
        yield Api(client)


def ids(page: dict[str, Any]) -> list[str]:
    """The ``id`` of each result of a page."""
    return [item["id"] for item in page["results"]]
