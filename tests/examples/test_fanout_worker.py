"""examples/fanout_worker.py against the emulator, with rate limits and partial failures."""

from __future__ import annotations

import asyncio
import re
from datetime import datetime, timezone
from typing import Any

import pytest

from examples import fanout_worker
from stream_async import _validation
from stream_async.emulator import Emulator
from stream_async.testing import EmulatorServer, FaultInjector, client_for, emulated_client

TIME = datetime(2024, 5, 1, 12, tzinfo=timezone.utc)


def job(number: int, readers: range) -> fanout_worker.Job:
    activity = {
        "actor": "publisher",
        "verb": "announce",
        "object": f"news:{number}",
        "foreign_id": f"news:{number}",
        "time": TIME,
    }
    return fanout_worker.Job(activity, [f"timeline:r{reader}" for reader in readers])


async def assert_feeds_hold(
    emulator: Emulator, feeds: list[str], jobs: list[fanout_worker.Job]
) -> None:
    """Each of ``feeds`` holds exactly the activities of the ``jobs`` that target it, once
    each, with their foreign id, object and time: every write read back, none lost."""
    async with emulated_client(emulator) as client:
        for feed in feeds:
            slug, user = feed.split(":")
            page = await client.feed(slug, user).get(limit=100)
            got = sorted((a.foreign_id, a.object, a.time) for a in page.results)
            expected = sorted(
                (j.activity["foreign_id"], j.activity["object"], j.activity["time"])
                for j in jobs
                if feed in j.feeds
            )
            assert got == expected, feed


def readers(count: int) -> list[str]:
    return [f"timeline:r{reader}" for reader in range(count)]


class Sleeps:
    """Records the pauses the worker asks for, and sleeps not at all."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        await asyncio.sleep(0)


async def run(
    emulator: Emulator, faults: FaultInjector, jobs: list[fanout_worker.Job], **options: Any
) -> Any:
    queue: asyncio.Queue[fanout_worker.Job] = asyncio.Queue()
    for item in jobs:
        queue.put_nowait(item)
    client = client_for(emulator, app=faults, max_retries=0, max_concurrency=4)
    async with client:
        return await fanout_worker.FanoutWorker(client, queue, **options).run()


@pytest.fixture
def faults(stream_emulator: Emulator) -> FaultInjector:
    return FaultInjector(stream_emulator.app)


@pytest.mark.asyncio
async def test_delivers_every_job(stream_emulator: Emulator, faults: FaultInjector) -> None:
    jobs = [job(n, range(30)) for n in range(10)]
    stats = await run(stream_emulator, faults, jobs, workers=3)
    assert stats.delivered == 300
    assert (stats.requeued, stats.rate_limited, stats.failed) == (0, 0, [])
    await assert_feeds_hold(stream_emulator, readers(30), jobs)


@pytest.mark.asyncio
async def test_rate_limits_pause_every_worker_then_retry(
    stream_emulator: Emulator, faults: FaultInjector
) -> None:
    faults.fail(429, times=2, retry_after=0.5)
    sleeps = Sleeps()
    jobs = [job(n, range(5)) for n in range(6)]
    stats = await run(stream_emulator, faults, jobs, workers=2, sleep=sleeps)
    assert stats.rate_limited == 2
    assert stats.requeued == 2
    assert stats.delivered == 30
    # the workers waited for the window to reset, at most once per job handled after the
    # first 429 (8 handles: 6 jobs and 2 requeued, the first of them before any pause) ...
    assert 1 <= len(sleeps.waits) <= 7, sleeps.waits
    assert all(0 < wait <= 0.5 for wait in sleeps.waits)  # ... as long as the API asked
    await assert_feeds_hold(stream_emulator, readers(5), jobs)


@pytest.mark.asyncio
async def test_a_partial_batch_failure_requeues_only_the_failed_feeds(
    stream_emulator: Emulator, faults: FaultInjector, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(_validation.LIMITS, "add_to_many_feeds", 4)  # 10 feeds: 3 requests
    faults.fail(503, times=1, after=1, path="/feed/add_to_many/")
    jobs = [job(1, range(10))]
    stats = await run(stream_emulator, faults, jobs, workers=1)
    assert stats.requeued == 1
    assert stats.delivered == 10
    assert faults.requests == 4  # three chunks, then the failed one again
    await assert_feeds_hold(stream_emulator, readers(10), jobs)


@pytest.mark.asyncio
async def test_jobs_that_cannot_succeed_are_given_up(
    stream_emulator: Emulator, faults: FaultInjector
) -> None:
    faults.fail(400, times=1)  # rejected: not retried
    faults.fail(503, times=100, after=0)  # down for good: retried max_attempts times
    stats = await run(stream_emulator, faults, [job(1, range(2)), job(2, range(2))], workers=1)
    reasons = sorted(reason.split(":")[0] for _, reason in stats.failed)
    assert reasons == ["BadRequestError", "InternalServerError"]
    assert stats.requeued == 4
    assert stats.delivered == 0
    await assert_feeds_hold(stream_emulator, readers(2), [])


@pytest.mark.asyncio
async def test_the_demo_runs_against_the_embedded_emulator(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("STREAM_API_KEY", "STREAM_URL"):
        monkeypatch.delenv(name, raising=False)
    stats = await fanout_worker.main(jobs=3, feeds_per_job=10)
    assert stats.delivered == 30
    output = capsys.readouterr().out
    assert "embedded emulator" in output
    assert "delivered 30 feeds from 3 jobs" in output


@pytest.mark.socket
@pytest.mark.asyncio
async def test_the_demo_runs_against_stream_from_the_environment(
    stream_env: dict[str, str],
    stream_emulator_server: EmulatorServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    stats = await fanout_worker.main(jobs=2, feeds_per_job=5)
    assert stats.delivered == 10
    found = re.search(r"timeline:([0-9a-f]{8})-0 newest", capsys.readouterr().out)
    assert found is not None
    run_id = found.group(1)
    async with stream_emulator_server.client() as client:
        for reader in range(5):
            page = await client.feed("timeline", f"{run_id}-{reader}").get(limit=100)
            assert sorted((a.foreign_id, a.object) for a in page.results) == [
                (f"news:{run_id}:0", "news:0"),
                (f"news:{run_id}:1", "news:1"),
            ]
