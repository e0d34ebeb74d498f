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

Async tests with nothing to configure: when no plugin that runs coroutine tests is loaded
(neither pytest-asyncio nor pytest-trio), this plugin runs each unmarked ``async def`` test
itself, in a new asyncio event loop (``asyncio.run``), so that ``pip install
"stream-async[emulator]" pytest`` is enough. Whenever pytest-asyncio is loaded the plugin
runs nothing and pytest-asyncio's own configuration decides, exactly as without this plugin
(its strict mode runs only ``@pytest.mark.asyncio`` tests; ``asyncio_mode = auto`` runs
every one). Tests marked ``@pytest.mark.anyio`` are left to anyio's plugin, which comes with
anyio. Async fixtures need one of those plugins.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable, Iterator
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


COROUTINE_PLUGINS = ("asyncio", "trio")
"""The names pytest-asyncio and pytest-trio register under; when one is loaded, it decides
how coroutine tests run."""

OTHER_RUNNERS = ("anyio", "trio")
"""Markers that hand a test to another plugin (anyio's comes with anyio)."""


def _fixture_names(function: Callable[..., object]) -> list[str]:
    """The parameters pytest fills with fixtures: those without a default value."""
    parameters = inspect.signature(function).parameters.values()
    return [
        parameter.name
        for parameter in parameters
        if parameter.default is inspect.Parameter.empty
        and parameter.kind
        in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    ]


@pytest.hookimpl
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run an ``async def`` test in a new event loop, unless a coroutine plugin is loaded
    or the test is marked for anyio or trio (then this returns ``None`` and leaves the test
    to the other plugins)."""
    function = pyfuncitem.obj
    if not inspect.iscoroutinefunction(function):
        return None
    plugins = pyfuncitem.config.pluginmanager
    if any(plugins.has_plugin(name) for name in COROUTINE_PLUGINS):
        return None
    if any(pyfuncitem.get_closest_marker(name) for name in OTHER_RUNNERS):
        return None
    arguments = {name: pyfuncitem.funcargs[name] for name in _fixture_names(function)}
    asyncio.run(function(**arguments))
    return True


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
