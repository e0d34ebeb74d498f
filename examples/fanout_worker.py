"""A fan-out worker: takes jobs from an asyncio.Queue and delivers each activity to many feeds.

Each job is "add this activity to these feeds" (``client.add_to_many``, which splits more
than 5000 feeds into concurrent requests). Workers take jobs concurrently; the client's
``max_concurrency`` caps the requests in flight across all of them, however many feeds a
job has. Failures are handled where they are safe to retry:

- ``RateLimitError``: every worker pauses for ``retry_after`` seconds, then the job goes
  back on the queue;
- ``BatchError`` (part of a split job failed): the applied feeds are done, and only the
  failed ones go back on the queue;
- connection errors and 5xx: the job goes back on the queue;
- anything else (a 4xx): the job is given up and reported.

Activities carry ``foreign_id`` and ``time``, so delivering one twice to a feed is harmless.
Runs against Stream when STREAM_API_KEY and STREAM_API_SECRET (or STREAM_URL) are set, and
against an embedded emulator otherwise:

    pip install -e ".[aiohttp,emulator]" && python examples/fanout_worker.py
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from stream_async import AsyncStreamClient, errors

RETRYABLE = (errors.RateLimitError, errors.APIConnectionError, errors.InternalServerError)


@dataclass
class Job:
    """Deliver ``activity`` to ``feeds``; ``attempts`` counts the tries so far."""

    activity: dict[str, Any]
    feeds: list[str]
    attempts: int = 0


@dataclass
class Stats:
    delivered: int = 0
    """Feeds that got their activity."""
    requeued: int = 0
    """Jobs (or parts of jobs) put back on the queue."""
    rate_limited: int = 0
    """Times the API said to slow down."""
    failed: list[tuple[Job, str]] = field(default_factory=list)
    """Jobs given up, with the last error."""


class FanoutWorker:
    """Runs ``workers`` tasks over ``queue`` until it is empty and every job is settled."""

    def __init__(
        self,
        client: AsyncStreamClient,
        queue: asyncio.Queue[Job],
        *,
        workers: int = 8,
        max_attempts: int = 5,
        max_pause: float = 60.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.client = client
        self.queue = queue
        self.workers = workers
        self.max_attempts = max_attempts
        self.max_pause = max_pause
        self.sleep = sleep
        self.stats = Stats()
        self._paused_until = 0.0

    async def run(self) -> Stats:
        tasks = [asyncio.create_task(self._work()) for _ in range(self.workers)]
        try:
            await self.queue.join()
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        return self.stats

    async def _work(self) -> None:
        while True:
            job = await self.queue.get()
            try:
                await self._handle(job)
            finally:
                self.queue.task_done()

    async def _handle(self, job: Job) -> None:
        pause = self._paused_until - asyncio.get_running_loop().time()
        if pause > 0:  # another worker was rate limited: wait with it
            await self.sleep(pause)
        job.attempts += 1
        try:
            await self.client.add_to_many(job.activity, job.feeds)
        except errors.RateLimitError as error:
            self.stats.rate_limited += 1
            wait = min(error.retry_after or 1.0, self.max_pause)
            self._paused_until = asyncio.get_running_loop().time() + wait
            self._retry(job, job.feeds, error)
        except errors.BatchError as error:
            self.stats.delivered += len(error.applied)
            for feeds, cause in error.failed:
                self._retry(job, feeds, cause)
        except errors.StreamError as error:
            self._retry(job, job.feeds, error)
        else:
            self.stats.delivered += len(job.feeds)

    def _retry(self, job: Job, feeds: list[str], error: errors.StreamError) -> None:
        part = Job(job.activity, list(feeds), job.attempts)
        if isinstance(error, RETRYABLE) and job.attempts < self.max_attempts:
            self.stats.requeued += 1
            self.queue.put_nowait(part)
        else:
            self.stats.failed.append((part, f"{type(error).__name__}: {error}"))


@asynccontextmanager
async def open_client(**options: Any) -> AsyncIterator[AsyncStreamClient]:
    """Stream when credentials are set, else an embedded in-process emulator."""
    if os.environ.get("STREAM_API_KEY") or os.environ.get("STREAM_URL"):
        async with AsyncStreamClient.from_env(**options) as client:
            yield client
    else:
        from stream_async.testing import emulated_client

        print("No STREAM_* credentials: using an embedded emulator")
        async with emulated_client(**options) as client:
            yield client


async def main(*, jobs: int = 20, feeds_per_job: int = 250) -> Stats:
    run = uuid.uuid4().hex[:8]
    queue: asyncio.Queue[Job] = asyncio.Queue()
    now = datetime.now(timezone.utc)
    for number in range(jobs):
        activity = {
            "actor": f"publisher-{run}",
            "verb": "announce",
            "object": f"news:{number}",
            "foreign_id": f"news:{run}:{number}",
            "time": now + timedelta(milliseconds=number),
        }
        feeds = [f"timeline:{run}-{reader}" for reader in range(feeds_per_job)]
        queue.put_nowait(Job(activity, feeds))
    async with open_client(max_concurrency=16) as client:
        stats = await FanoutWorker(client, queue).run()
        sample = await client.feed("timeline", f"{run}-0").get(limit=3)
    print(
        f"delivered {stats.delivered} feeds from {jobs} jobs; requeued {stats.requeued}, "
        f"rate limited {stats.rate_limited} times, {len(stats.failed)} jobs given up"
    )
    print(f"timeline:{run}-0 newest: {[a.object for a in sample.results]}")
    return stats


if __name__ == "__main__":
    asyncio.run(main())
