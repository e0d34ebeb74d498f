"""The contract suite's fixtures: one recording loopback server for the whole session, reset
before each test, and a client per sender.

``SENDERS`` is the one list of socket senders the suite runs on: every contract test runs
once per entry, against the same real socket server. ``ALL_SENDERS`` adds the in-process
ASGI sender, for the faults an ASGI app can produce; :func:`client_on` builds a client on any.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any, Literal, cast

import jwt
import pytest
import pytest_asyncio

from stream_async import AsyncStreamClient
from stream_async.testing import client_for, new_emulator
from tests.conftest import API_KEY, API_SECRET
from tests.support.recording import RecordingServer, recording_server

Sender = Literal["aiohttp", "httpx"]

SENDERS: list[Sender] = ["aiohttp", "httpx"]

AnySender = Literal["aiohttp", "httpx", "asgi"]

ALL_SENDERS: list[AnySender] = [*SENDERS, "asgi"]


def client_on(sender: AnySender, server: RecordingServer, **options: Any) -> AsyncStreamClient:
    """A server-side client on ``sender`` answered by ``server``: over its socket, or with its
    app served in process for ``"asgi"``."""
    if sender == "asgi":
        return client_for(
            new_emulator(), app=server, api_key=API_KEY, api_secret=API_SECRET, **options
        )
    return AsyncStreamClient(
        api_key=API_KEY,
        api_secret=API_SECRET,
        base_url=server.base_url,
        transport=sender,
        **options,
    )


@pytest.fixture(scope="session")
def session_recorder() -> Iterator[RecordingServer]:
    with recording_server() as server:
        yield server


@pytest.fixture
def server(session_recorder: RecordingServer) -> RecordingServer:
    """The session's recording server, with no requests and no scripted replies."""
    session_recorder.reset()
    return session_recorder


@pytest.fixture(params=SENDERS)
def sender(request: pytest.FixtureRequest) -> Sender:
    """The ``transport`` the client under test is built with."""
    return cast(Sender, request.param)


@pytest_asyncio.fixture
async def sdk(server: RecordingServer, sender: Sender) -> AsyncIterator[AsyncStreamClient]:
    """A server-side client on ``sender``, pointed at the recording server."""
    async with AsyncStreamClient(
        api_key=API_KEY, api_secret=API_SECRET, base_url=server.base_url, transport=sender
    ) as client:
        yield client


@pytest_asyncio.fixture
async def user_sdk(server: RecordingServer, sender: Sender) -> AsyncIterator[AsyncStreamClient]:
    """A client-side client (a user token for ``eric``) on ``sender``."""
    token = jwt.encode({"user_id": "eric"}, API_SECRET, algorithm="HS256")
    async with AsyncStreamClient(
        api_key=API_KEY, token=token, base_url=server.base_url, transport=sender
    ) as client:
        yield client
