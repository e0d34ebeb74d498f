"""pytest fixtures backed by the emulator.

Enable them in a ``conftest.py``::

    pytest_plugins = ["stream_async.testing.pytest_plugin"]

``stream_emulator`` is a fresh in-memory emulator per test; ``stream_client`` is an
:class:`~stream_async.AsyncStreamClient` wired to it in-process. Both are plain (not async)
fixtures, so they work with pytest-asyncio in either mode and with anyio, on asyncio or
trio.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from stream_async.testing import client_for, new_emulator

if TYPE_CHECKING:
    from stream_async import AsyncStreamClient
    from stream_async.emulator import Emulator


@pytest.fixture
def stream_emulator() -> Emulator:
    """A fresh emulator with the default configuration."""
    return new_emulator()


@pytest.fixture
def stream_client(stream_emulator: Emulator) -> AsyncStreamClient:
    """A server-side client talking to ``stream_emulator`` in-process."""
    return client_for(stream_emulator)
