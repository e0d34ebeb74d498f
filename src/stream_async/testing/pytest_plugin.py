"""pytest fixtures backed by the Stream emulator.

Installing stream-async registers this plugin (as ``stream_async``, through the ``pytest11``
entry point), so the fixtures are available in every test run with nothing to configure:

- ``stream_emulator``: a fresh in-memory emulator per test;
- ``stream_client``: an :class:`~stream_async.AsyncStreamClient` wired to
  ``stream_emulator`` in-process (no sockets, nothing to close);
- ``stream_emulator_server``: an emulator served over a real loopback socket, started once
  per session and reset before each test that uses it (``.base_url``, ``.api_key``,
  ``.api_secret``, ``.environ``, ``.client(**options)``, ``.emulator``);
- ``stream_socket_client``: a new client for that server; use it as
  ``async with stream_socket_client as client:`` so it is closed;
- ``stream_env``: sets ``STREAM_API_KEY``, ``STREAM_API_SECRET`` and ``STREAM_BASE_URL`` to
  that server's, for code that calls :meth:`~stream_async.AsyncStreamClient.from_env`.

All are plain (not async) fixtures, so they work with pytest-asyncio in either mode and
with anyio, on asyncio or trio. Loading the plugin imports nothing but pytest: the emulator
is imported by the first test that asks for a fixture, and when the ``emulator`` extra is
missing that test is skipped with the command that installs it.
"""

from __future__ import annotations

from collections.abc import Iterator
from types import ModuleType
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from stream_async import AsyncStreamClient
    from stream_async.emulator import Emulator
    from stream_async.testing import EmulatorServer


def _testing() -> ModuleType:
    """:mod:`stream_async.testing`, or a skip naming the extra to install."""
    import stream_async.testing as testing

    reason = testing.emulator_missing()
    if reason is not None:
        pytest.skip(reason)
    return testing


@pytest.fixture
def stream_emulator() -> Emulator:
    """A fresh emulator with the default configuration."""
    emulator: Emulator = _testing().new_emulator()
    return emulator


@pytest.fixture
def stream_client(stream_emulator: Emulator) -> AsyncStreamClient:
    """A server-side client talking to ``stream_emulator`` in-process."""
    client: AsyncStreamClient = _testing().client_for(stream_emulator)
    return client


@pytest.fixture(scope="session")
def stream_emulator_session_server() -> Iterator[EmulatorServer]:
    """One emulator served over a loopback socket for the whole session (not reset)."""
    with _testing().serve_emulator() as server:
        yield server


@pytest.fixture
def stream_emulator_server(stream_emulator_session_server: EmulatorServer) -> EmulatorServer:
    """The session's socket emulator, with its state reset for this test."""
    stream_emulator_session_server.reset()
    return stream_emulator_session_server


@pytest.fixture
def stream_socket_client(stream_emulator_server: EmulatorServer) -> AsyncStreamClient:
    """A new client for ``stream_emulator_server``; close it (``async with``) in the test."""
    return stream_emulator_server.client()


@pytest.fixture
def stream_env(
    stream_emulator_server: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    """``STREAM_*`` variables pointing at ``stream_emulator_server`` (restored after the
    test); returns them."""
    for name in ("STREAM_URL", "STREAM_REGION", "STREAM_APP_ID"):
        monkeypatch.delenv(name, raising=False)
    environ = stream_emulator_server.environ
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    return environ
