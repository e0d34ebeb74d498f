"""State in a data directory survives a restart; concurrent writers never corrupt it."""

from __future__ import annotations

from pathlib import Path

import anyio
import httpx
import pytest

from stream_async.emulator import Emulator, EmulatorConfig
from stream_async.emulator.persistence import SNAPSHOT
from tests.emulator.conftest import Api, ok

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    """Run these tests on asyncio."""
    return "asyncio"


async def _api(emulator: Emulator) -> Api:
    transport = httpx.ASGITransport(app=emulator.app)
    return Api(httpx.AsyncClient(transport=transport, base_url="http://emulator"))


async def test_state_and_files_survive_a_restart(tmp_path: Path) -> None:
    config = EmulatorConfig(data_dir=tmp_path / "state")
    first = await _api(Emulator(config))
    activity = await first.add("user:1", actor="SU:alice")
    await first.follow("timeline:1", "user:1")
    await first.post("user/", {"id": "alice", "data": {"n": 1}})
    reaction = await first.react(activity["id"], target_feeds=["flat:1"])
    await first.post("collections/food/", {"id": "pizza", "data": {"a": 1}})
    uploaded = ok(
        await first.request("POST", "files/", files={"file": ("a.txt", b"kept", "text/plain")}),
        201,
    )
    await first.client.aclose()
    snapshot = tmp_path / "state" / SNAPSHOT
    written = snapshot.stat().st_mtime_ns

    restarted = Emulator(config)
    second = await _api(restarted)
    assert (await second.read("timeline:1"))["results"][0]["id"] == activity["id"]
    assert (await second.get("user/alice/"))["data"] == {"n": 1}
    assert (await second.get(f"reaction/{reaction['id']}/"))["id"] == reaction["id"]
    assert (await second.get("collections/food/pizza/"))["data"] == {"a": 1}
    served = await second.client.get(uploaded["file"].removeprefix("http://emulator"))
    assert served.content == b"kept"
    assert snapshot.stat().st_mtime_ns == written
    newer = await second.add("user:1")
    assert newer["id"] != activity["id"]
    restarted.reset()
    await second.client.aclose()
    assert Emulator(config).store.activities == {}


async def test_reads_do_not_rewrite_the_snapshot(tmp_path: Path) -> None:
    emulator = Emulator(EmulatorConfig(data_dir=tmp_path))
    api = await _api(emulator)
    await api.add("user:1")
    written = (tmp_path / SNAPSHOT).stat().st_mtime_ns
    await api.read("user:1")
    assert (tmp_path / SNAPSHOT).stat().st_mtime_ns == written
    await api.client.aclose()


async def test_concurrent_reaction_adds_are_all_counted(emulator: Emulator) -> None:
    api = await _api(emulator)
    activity = await api.add("user:1")

    async def react(index: int) -> None:
        await api.react(activity["id"], kind=("like", "clap")[index % 2], user_id=f"u{index}")

    async with anyio.create_task_group() as group:
        for index in range(200):
            group.start_soon(react, index)
    enriched = await api.get("enrich/activities/", ids=activity["id"], withReactionCounts="true")
    assert enriched["results"][0]["reaction_counts"] == {"like": 100, "clap": 100}
    assert len(emulator.store.reactions) == 200
    assert len(emulator.store.activity_reactions[activity["id"]]) == 200
    await api.client.aclose()
