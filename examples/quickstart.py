"""stream-async quickstart.

Runs against real Stream when STREAM_API_KEY and STREAM_API_SECRET (or STREAM_URL) are set,
and against the embedded emulator otherwise (no network, no credentials):

    pip install -e ".[aiohttp,emulator]" && python examples/quickstart.py
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timezone

from stream_async import AsyncStreamClient, StreamError


@asynccontextmanager
async def open_client() -> AsyncIterator[AsyncStreamClient]:
    if os.environ.get("STREAM_API_KEY") or os.environ.get("STREAM_URL"):
        print("Using Stream (credentials found in the environment)")
        async with AsyncStreamClient.from_env() as client:
            yield client
    else:
        from stream_async.testing import emulated_client

        print("Using the embedded emulator (set STREAM_API_KEY/STREAM_API_SECRET for Stream)")
        async with emulated_client() as client:
            yield client


async def main() -> None:
    run = uuid.uuid4().hex[:8]  # fresh feeds on every run, so reruns start clean
    async with open_client() as client:
        alice = client.feed("user", f"alice-{run}")

        added = await alice.add_activity(
            {
                "actor": f"alice-{run}",
                "verb": "post",
                "object": "picture:1",
                "foreign_id": "picture:1",
                "time": datetime.now(timezone.utc),
                "caption": "sunset",
            }
        )
        print(f"added activity {added.id} ({added.custom['caption']!r})")

        batch = await alice.add_activities(
            [{"actor": f"alice-{run}", "verb": "like", "object": f"post:{i}"} for i in range(3)]
        )
        print(f"added {len(batch.activities)} more in one request")

        page = await alice.get(limit=10)
        print(f"{alice.id} holds {len(page.results)} activities, newest first:")
        for activity in page.results:
            print(f"  {activity.time:%H:%M:%S.%f} {activity.verb} {activity.object}")

        removed = await alice.remove_activity(foreign_id="picture:1")
        print(f"removed {removed.removed}")

        try:
            await client.feed("no_such_group", "x").get()
        except StreamError as error:
            print(f"errors are typed: {type(error).__name__}: {error}")


if __name__ == "__main__":
    asyncio.run(main())
