"""Helpers for the command line tests: a runner, and import files written on the fly."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import anyio
import pytest
from click.testing import CliRunner

from stream_async.emulator import Emulator
from stream_async.testing import emulated_client


class CollectionsStub:
    """ASGI middleware that answers batch upserts of collection objects (the emulator does
    not serve collections) and passes every other request to ``app``."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.objects: dict[tuple[str, str], dict[str, Any]] = {}

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"] != "/api/v1.0/collections/":
            await self.app(scope, receive, send)
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        data = json.loads(body)["data"]
        for name, items in data.items():
            for item in items:
                self.objects[(name, item["id"])] = item
        reply = json.dumps({"data": data, "duration": "0.1ms"}).encode()
        headers = [(b"content-type", b"application/json")]
        await send({"type": "http.response.start", "status": 201, "headers": headers})
        await send({"type": "http.response.body", "body": reply})


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


Lines = Iterable[Mapping[str, Any] | str]


@pytest.fixture
def write_jsonl(tmp_path: Path) -> Callable[[Lines], Path]:
    """Writes records (mappings as JSON, strings as they are) one per line."""

    def write(lines: Lines, name: str = "data.jsonl") -> Path:
        path = tmp_path / name
        text = "".join(
            (line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines
        )
        path.write_text(text, encoding="utf-8")
        return path

    return write


def feed_objects(emulator: Emulator, feed_id: str) -> list[str]:
    """The ``object`` of each activity in ``feed_id`` (sorted), read through the SDK."""

    async def read() -> list[str]:
        slug, _, user_id = feed_id.partition(":")
        async with emulated_client(emulator) as client:
            page = await client.feed(slug, user_id).get(limit=100)
        return sorted(str(activity.object) for activity in page.results)

    return anyio.run(read)


def following(emulator: Emulator, feed_id: str) -> list[str]:
    """The feeds ``feed_id`` follows, read through the SDK."""

    async def read() -> list[str]:
        slug, _, user_id = feed_id.partition(":")
        async with emulated_client(emulator) as client:
            page = await client.feed(slug, user_id).following()
        return sorted(follow.target_id for follow in page.results)

    return anyio.run(read)
