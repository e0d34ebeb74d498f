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

from stream_async import AsyncStreamClient, ReactionOptions, StreamError


def where(client: AsyncStreamClient) -> str:
    """The host the client talks to, in words: the base URL when one is set (such as a local
    emulator from STREAM_BASE_URL), else Stream's hosts in the configured region."""
    if client.base_url:
        return client.base_url
    return f"Stream ({client.location or 'default'} region)"


@asynccontextmanager
async def open_client() -> AsyncIterator[AsyncStreamClient]:
    if os.environ.get("STREAM_API_KEY") or os.environ.get("STREAM_URL"):
        client = AsyncStreamClient.from_env()
        print(f"Using {where(client)} (credentials found in the environment)")
        async with client:
            yield client
    else:
        from stream_async.testing import emulated_client

        print("Using the embedded emulator (set STREAM_API_KEY/STREAM_API_SECRET for Stream)")
        async with emulated_client() as client:
            yield client


async def main() -> None:
    run = uuid.uuid4().hex[:8]  # fresh ids on every run, so reruns start clean
    alice_id, bob_id = f"alice-{run}", f"bob-{run}"
    async with open_client() as client:
        # users, referenced from activities as "SU:<id>"
        await client.users.add(alice_id, {"name": "Alice"}, get_or_create=True)
        await client.users.add(bob_id, {"name": "Bob"}, get_or_create=True)
        alice = client.feed("user", alice_id)
        timeline = client.feed("timeline", bob_id)

        # bob's timeline follows alice's user feed
        await timeline.follow(alice)
        print(f"{timeline.id} follows {alice.id}")

        added = await alice.add_activity(
            {
                "actor": client.users.create_reference(alice_id),
                "verb": "post",
                "object": "picture:1",
                "foreign_id": f"picture:{run}",
                "time": datetime.now(timezone.utc),
                "caption": "sunset",
            }
        )
        print(f"added activity {added.id} ({added.custom['caption']!r})")
        batch = await alice.add_activities(
            [{"actor": alice_id, "verb": "like", "object": f"post:{i}"} for i in range(3)]
        )
        print(f"added {len(batch.activities)} more in one request")

        # reactions on the post, one with a comment
        await client.reactions.add("like", added.id, bob_id)
        await client.reactions.add("comment", added.id, bob_id, data={"text": "Beautiful!"})

        # bob's timeline, enriched: the actor becomes alice's user object, with reactions
        page = await timeline.get(
            limit=10,
            reactions=ReactionOptions(recent=True, counts=True, own=True),
            user_id=bob_id,
        )
        print(f"{timeline.id} holds {len(page.results)} activities, newest first:")
        for activity in page.results:
            actor = (
                activity.actor["data"]["name"]
                if isinstance(activity.actor, dict)
                else activity.actor
            )
            counts = activity.reaction_counts or {}
            print(f"  {actor} {activity.verb} {activity.object} reactions={counts}")

        removed = await alice.remove_activity(foreign_id=f"picture:{run}")
        print(
            f"removed {removed.removed}; the timeline now holds "
            f"{len((await timeline.get()).results)} activities"
        )

        try:
            await client.feed("no_such_group", "x").get()
        except StreamError as error:
            print(f"errors are typed: {type(error).__name__}: {error}")


if __name__ == "__main__":
    asyncio.run(main())
