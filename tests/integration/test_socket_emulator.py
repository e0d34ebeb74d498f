"""The SDK against the emulator over a real loopback socket, on both transports."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from stream_async import errors
from stream_async.testing import EmulatorServer, serve_emulator


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    with serve_emulator() as running:
        yield running


@pytest.mark.socket
@pytest.mark.asyncio
@pytest.mark.parametrize("transport", ["aiohttp", "httpx"])
async def test_feed_round_trip_over_socket(server: EmulatorServer, transport: str) -> None:
    async with server.client(transport=transport) as client:
        feed = client.feed("user", f"socket-{transport}")
        added = await feed.add_activity({"actor": "a", "verb": "post", "object": "1"})
        await client.feed("timeline", f"socket-{transport}").follow(feed)
        page = await client.feed("timeline", f"socket-{transport}").get()
        assert [a.id for a in page.results] == [added.id]
        assert page.raw_response is not None
        assert page.raw_response.status_code == 200
        assert page.raw_response.headers["x-ratelimit-limit"] == "2000"
        with pytest.raises(errors.FeedConfigError):
            await client.feed("missing", "x").get()
        await feed.remove_activity(added.id)
        assert (await feed.get()).results == []
        assert client.transport_name == transport
