"""Helpers for the command line tests: a runner, import files written on the fly, and reads
of the emulator's state through the SDK."""

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


def collection(emulator: Emulator, name: str) -> dict[str, dict[str, Any]]:
    """The objects of the collection ``name`` (id -> data), read through the SDK."""

    async def read() -> dict[str, dict[str, Any]]:
        async with emulated_client(emulator) as client:
            found = await client.collections.select(name, ["burger", "fries", "shake"])
        return {
            item.id: {k: v for k, v in item.data.items() if k != "id"} for item in found.objects
        }

    return anyio.run(read)
