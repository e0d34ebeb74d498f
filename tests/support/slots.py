"""Whether a client holds no concurrency slot: every one of its slots can be taken at once."""

from __future__ import annotations

import anyio

from stream_async import AsyncStreamClient
from stream_async._transport import _acquire_within


async def assert_all_slots_free(client: AsyncStreamClient, slots: int) -> None:
    """Take all ``slots`` of ``client``'s concurrency limit at once, from as many tasks,
    then give them back; a slot still held by a finished call makes one task wait past
    its 5 s bound and fail with ``TimeoutError``."""
    limiter = client._pool.limiter()
    taken = 0
    everyone = anyio.Event()

    async def take() -> None:
        nonlocal taken
        await _acquire_within(limiter, 5.0)
        taken += 1
        if taken == slots:
            everyone.set()
        await everyone.wait()
        limiter.release()

    async with anyio.create_task_group() as group:
        for _ in range(slots):
            group.start_soon(take)
    assert taken == slots
