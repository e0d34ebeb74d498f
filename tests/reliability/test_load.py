"""Load through one client against the emulator in its own process: no errors, no write
lost (every activity is read back from its feed), and open file descriptors bounded by the
connection pool, whatever the number of calls gathered."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import anyio
import pytest

from stream_async import AsyncStreamClient
from stream_async.emulator.config import DEFAULT_API_KEY, DEFAULT_API_SECRET
from stream_async.testing import free_port
from tests.support.slots import assert_all_slots_free

pytestmark = [pytest.mark.socket, pytest.mark.asyncio]


@pytest.fixture(scope="module")
def emulator_url() -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "stream_async.emulator", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 20
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise RuntimeError("the emulator process did not start") from None
            time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


async def run_load(url: str, transport: str, calls: int, workers: int, pool: int) -> int:
    """``calls`` add_activity calls from ``workers`` concurrent tasks through one client;
    returns the most file descriptors seen open during the run."""
    baseline = open_fds()
    peak = baseline
    done = 0
    per_worker = calls // workers
    written: dict[int, list[tuple[str, str]]] = {index: [] for index in range(workers)}
    async with AsyncStreamClient(
        api_key=DEFAULT_API_KEY,
        api_secret=DEFAULT_API_SECRET,
        base_url=url,
        transport=transport,  # type: ignore[arg-type]
        max_connections=pool,
        timeout=30,
        total_timeout=60,
    ) as client:

        async def worker(index: int) -> None:
            nonlocal done, peak
            feed = client.feed("user", f"load-{transport}-{index}")
            for i in range(per_worker):
                added = await feed.add_activity({"actor": "a", "verb": "v", "object": str(i)})
                written[index].append((added.id, str(i)))
                done += 1
                if done % 500 == 0:
                    peak = max(peak, open_fds())

        async with anyio.create_task_group() as group:
            for index in range(workers):
                group.start_soon(worker, index)
        await assert_all_slots_free(client, pool)

        stored: dict[int, list[tuple[str, str]]] = {}

        async def read_back(index: int) -> None:
            page = await client.feed("user", f"load-{transport}-{index}").get(limit=100)
            stored[index] = [(a.id, str(a.object)) for a in page.results]

        async with anyio.create_task_group() as group:
            for index in range(workers):
                group.start_soon(read_back, index)
    assert done == calls
    # every feed holds exactly what was written to it: nothing lost, doubled or misplaced
    assert {i: sorted(items) for i, items in stored.items()} == {
        i: sorted(items) for i, items in written.items()
    }
    assert sum(len(items) for items in stored.values()) == calls
    assert len({activity_id for items in stored.values() for activity_id, _ in items}) == calls
    return peak - baseline


@pytest.mark.timeout(600)  # about a minute alone on 2 cores; several times that when shared
async def test_twenty_thousand_calls_at_concurrency_one_thousand(emulator_url: str) -> None:
    grown = await run_load(emulator_url, "aiohttp", calls=20_000, workers=1_000, pool=100)
    assert grown <= 100 + 10


@pytest.mark.timeout(300)
async def test_smaller_run_on_httpx_transport(emulator_url: str) -> None:
    grown = await run_load(emulator_url, "httpx", calls=2_000, workers=100, pool=20)
    assert grown <= 20 + 10
