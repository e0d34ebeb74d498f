"""State in a data directory survives a restart (and a killed process); concurrent writers
never corrupt it; a database that cannot be used stops startup with one clear message."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest

import stream_async.emulator
from stream_async.emulator import Emulator, EmulatorConfig
from stream_async.emulator.store import DATABASE_FILE, StorageError
from stream_async.testing import free_port
from tests.emulator.conftest import ADMIN, API_KEY, Api, error, ok

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

    restarted = Emulator(config)
    second = await _api(restarted)
    assert (await second.read("timeline:1"))["results"][0]["id"] == activity["id"]
    assert (await second.get("user/alice/"))["data"] == {"n": 1}
    assert (await second.get(f"reaction/{reaction['id']}/"))["id"] == reaction["id"]
    assert (await second.get("collections/food/pizza/"))["data"] == {"a": 1}
    served = await second.client.get(uploaded["file"].removeprefix("http://emulator"))
    assert served.content == b"kept"
    newer = await second.add("user:1")
    assert newer["id"] != activity["id"]
    restarted.reset()
    await second.client.aclose()
    assert Emulator(config).store.activity_count() == 0


async def test_places_of_deleted_reactions_survive_a_restart(tmp_path: Path) -> None:
    config = EmulatorConfig(data_dir=tmp_path)
    first = await _api(Emulator(config))
    activity_id = (await first.add("user:1"))["id"]
    kept = (await first.react(activity_id))["id"]
    gone = (await first.react(activity_id))["id"]
    await first.delete(f"reaction/{gone}/")
    await first.client.aclose()

    restarted = Emulator(config)
    second = await _api(restarted)
    path = f"reaction/activity_id/{activity_id}/"
    assert [r["id"] for r in (await second.get(path, id_lt=gone))["results"]] == [kept]
    # The counter goes on past the deleted reaction's insertion too.
    assert restarted.store.next_sequence() > max(
        seq for (seq,) in restarted.store.db.execute("SELECT seq FROM deleted_reactions")
    )
    await second.client.aclose()


def _files(directory: Path) -> dict[str, tuple[int, int]]:
    return {
        path.name: (path.stat().st_size, path.stat().st_mtime_ns) for path in directory.iterdir()
    }


async def test_reads_write_nothing(tmp_path: Path) -> None:
    emulator = Emulator(EmulatorConfig(data_dir=tmp_path))
    api = await _api(emulator)
    activity = await api.add("user:1")
    await api.react(activity["id"])
    written = _files(tmp_path)
    await api.read("user:1")
    await api.get("enrich/activities/", ids=activity["id"], withReactionCounts="true")
    await api.get(f"reaction/activity_id/{activity['id']}/")
    assert _files(tmp_path) == written
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
    assert emulator.store.reaction_count() == 200
    assert len(emulator.store.reactions_to(activity["id"])) == 200
    await api.client.aclose()


def test_a_damaged_database_stops_startup(tmp_path: Path) -> None:
    (tmp_path / DATABASE_FILE).write_bytes(b"SQLite format 3\x00" + b"\xff" * 200)
    with pytest.raises(StorageError) as raised:
        Emulator(EmulatorConfig(data_dir=tmp_path))
    message = str(raised.value)
    assert message.startswith(f"{tmp_path / DATABASE_FILE} is damaged or not a SQLite database")
    assert message.endswith("restore a copy or move it away to start empty")


def test_a_foreign_database_stops_startup(tmp_path: Path) -> None:
    other = sqlite3.connect(tmp_path / DATABASE_FILE)
    other.execute("CREATE TABLE things (id INTEGER)")
    other.commit()
    other.close()
    with pytest.raises(StorageError, match="is not a Stream emulator database"):
        Emulator(EmulatorConfig(data_dir=tmp_path))


def test_another_schema_version_stops_startup(tmp_path: Path) -> None:
    Emulator(EmulatorConfig(data_dir=tmp_path)).store.close()
    changed = sqlite3.connect(tmp_path / DATABASE_FILE)
    changed.execute("PRAGMA user_version = 99")
    changed.close()
    with pytest.raises(StorageError, match="has schema version 99, this emulator reads version 2"):
        Emulator(EmulatorConfig(data_dir=tmp_path))


def test_a_file_in_place_of_the_data_directory_stops_startup(tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("x")
    with pytest.raises(StorageError, match="cannot be used as a data directory"):
        Emulator(EmulatorConfig(data_dir=tmp_path / "taken"))


async def test_a_failed_write_leaves_nothing_half_applied(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = await _api(emulator)
    await api.follow("timeline:1", "user:1")
    insert = emulator.store._insert

    def fail_on_the_follower(feed_id: str, *args: Any) -> None:
        if feed_id == "timeline:1":
            raise sqlite3.OperationalError("disk I/O error")
        insert(feed_id, *args)

    monkeypatch.setattr(emulator.store, "_insert", fail_on_the_follower)
    failed = await api.request(
        "POST", "feed/user/1/", json={"actor": "a", "verb": "v", "object": "o"}
    )
    assert error(failed, 500, -1)["detail"] == "Internal System Error"
    monkeypatch.undo()
    assert (await api.read("user:1"))["results"] == []
    assert emulator.store.activity_count() == 0
    assert ok(
        await api.request("POST", "feed/user/1/", json={"actor": "a", "verb": "v", "object": "o"}),
        201,
    )
    await api.client.aclose()


def _start(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    src = str(Path(stream_async.emulator.__file__).parents[2])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([src, os.environ.get("PYTHONPATH", "")])}
    process = subprocess.Popen(
        [sys.executable, "-m", "stream_async.emulator", f"--port={port}", f"--data-dir={data_dir}"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/api/v1.0/", timeout=1)
            return process
        except httpx.TransportError:
            time.sleep(0.05)
    process.kill()
    raise AssertionError("the emulator did not start")


@pytest.mark.socket
def test_acknowledged_writes_survive_sigkill(tmp_path: Path) -> None:
    port = free_port()
    headers = {"Authorization": ADMIN, "stream-auth-type": "jwt"}
    base = f"http://127.0.0.1:{port}/api/v1.0"
    params = {"api_key": API_KEY}
    process = _start(tmp_path, port)
    try:
        added = []
        with httpx.Client(base_url=base, headers=headers, params=params) as http:
            for index in range(50):
                activity = {"actor": "a", "verb": "v", "object": f"o{index}"}
                response = http.post("/feed/user/1/", json=activity)
                assert response.status_code == 201
                added.append(response.json()["id"])
            follow = http.post("/feed/timeline/1/follows/", json={"target": "user:1"})
            assert follow.status_code == 201
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    process = _start(tmp_path, port)
    try:
        with httpx.Client(base_url=base, headers=headers, params=params) as http:
            read = http.get("/feed/timeline/1/", params={"limit": 100}).json()
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert [item["id"] for item in read["results"]] == list(reversed(added))
