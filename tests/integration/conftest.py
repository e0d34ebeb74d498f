"""The route every end-to-end test runs on: the SDK against the emulator in-process
(``httpx.ASGITransport``, fastest) and over a real loopback socket on the default sender
(aiohttp on asyncio, httpx on trio), with the same test body."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

from stream_async import AsyncStreamClient
from stream_async.emulator import Emulator
from stream_async.testing import EmulatorServer, client_for

ROUTES = ["in-process", "socket"]

SLACK = timedelta(seconds=1)
"""Tolerance for server-stamped times compared with the test's clock (same machine)."""


def assert_stamped_since(when: datetime | None, before: datetime) -> None:
    """``when`` is an aware UTC time the server stamped after ``before`` and by now."""
    assert when is not None
    assert when.utcoffset() == timedelta(0)
    assert before - SLACK <= when <= datetime.now(timezone.utc) + SLACK


# README, "Transport": aiohttp on asyncio when the extra is installed, httpx's own otherwise.
DEFAULT_SENDERS = {"asyncio": "aiohttp", "trio": "httpx"}


@dataclass(frozen=True)
class Emulated:
    """An emulator and the way this test's route reaches it."""

    emulator: Emulator
    make_client: Callable[..., AsyncStreamClient]
    make_http: Callable[[], httpx.AsyncClient]

    def client(self, **options: Any) -> AsyncStreamClient:
        """Another server-side client (or, given ``api_secret=None, token=...``, a
        client-side one) on this route; close it with ``async with``."""
        return self.make_client(**options)

    def http(self) -> httpx.AsyncClient:
        """A plain httpx client that reaches the emulator on this route."""
        return self.make_http()


@pytest.fixture(params=ROUTES)
def emulated(request: pytest.FixtureRequest) -> Emulated:
    if request.param == "in-process":
        emulator: Emulator = request.getfixturevalue("stream_emulator")
        return Emulated(
            emulator,
            lambda **options: client_for(emulator, **options),
            lambda: httpx.AsyncClient(transport=httpx.ASGITransport(app=emulator.app)),
        )
    server: EmulatorServer = request.getfixturevalue("stream_emulator_server")
    return Emulated(server.emulator, server.client, httpx.AsyncClient)


@pytest.fixture
async def e2e_client(
    emulated: Emulated, request: pytest.FixtureRequest
) -> AsyncIterator[AsyncStreamClient]:
    """The client under test on this route. In-process, it is the suite's
    ``stream_client``, which also checks every token for least privilege; over the socket it
    is a client with default settings, and the test checks that it used the default sender
    (``DEFAULT_SENDERS``)."""
    in_process = request.node.callspec.params["emulated"] == "in-process"
    if in_process:
        client: AsyncStreamClient = request.getfixturevalue("stream_client")
    else:
        client = emulated.client()
    async with client:
        yield client
        if not in_process and client.transport_name is not None:
            assert (
                client.transport_name == DEFAULT_SENDERS[request.getfixturevalue("anyio_backend")]
            )
