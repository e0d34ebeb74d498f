"""Test your app against Stream without network: clients wired to the local emulator.

In-process (no sockets, fastest)::

    from stream_async.testing import emulated_client

    async with emulated_client() as client:
        await client.feed("user", "alice").add_activity({...})

Over a real loopback socket (for code that builds its own client from a URL)::

    from stream_async.testing import serve_emulator

    with serve_emulator() as server:
        client = AsyncStreamClient(api_key=server.api_key, api_secret=server.api_secret,
                                   base_url=server.base_url)

pytest users add ``pytest_plugins = ["stream_async.testing.pytest_plugin"]`` for the
``stream_emulator`` and ``stream_client`` fixtures. Everything here needs the ``emulator``
extra: ``pip install 'stream-async[emulator]'``.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx

from stream_async._client import AsyncStreamClient

if TYPE_CHECKING:
    from stream_async.emulator import Emulator, EmulatorConfig

__all__ = [
    "EmulatorServer",
    "client_for",
    "emulated_client",
    "free_port",
    "new_emulator",
    "serve_asgi",
    "serve_emulator",
]

IN_PROCESS_URL = "http://emulator.invalid"


def new_emulator(config: EmulatorConfig | None = None) -> Emulator:
    """A fresh in-memory emulator (default configuration unless ``config`` is given)."""
    from stream_async.emulator import Emulator, EmulatorConfig

    return Emulator(config or EmulatorConfig())


def client_for(emulator: Emulator, **options: Any) -> AsyncStreamClient:
    """A server-side client that talks to ``emulator`` in-process, through
    ``httpx.ASGITransport``. It holds no sockets, so it needs no closing; ``options`` go to
    :class:`AsyncStreamClient`."""
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=emulator.app))
    settings: dict[str, Any] = {
        "api_key": emulator.config.api_key,
        "api_secret": emulator.config.api_secret,
        "app_id": emulator.config.app_id,
        "base_url": IN_PROCESS_URL,
        "http_client": http,
    }
    settings.update(options)
    return AsyncStreamClient(**settings)


@asynccontextmanager
async def emulated_client(
    emulator: Emulator | None = None, **options: Any
) -> AsyncIterator[AsyncStreamClient]:
    """An :class:`AsyncStreamClient` backed by an in-process emulator (a fresh one unless
    ``emulator`` is given)."""
    client = client_for(emulator or new_emulator(), **options)
    http = client._pool.get()
    try:
        async with client:
            yield client
    finally:
        await http.aclose()


@dataclass(frozen=True)
class EmulatorServer:
    """A running emulator: where it listens and the credentials it accepts."""

    base_url: str
    api_key: str
    api_secret: str
    emulator: Emulator

    def client(self, **options: Any) -> AsyncStreamClient:
        """A new server-side client for this server; close it (``async with``) when done."""
        settings: dict[str, Any] = {
            "api_key": self.api_key,
            "api_secret": self.api_secret,
            "base_url": self.base_url,
        }
        settings.update(options)
        return AsyncStreamClient(**settings)


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def serve_asgi(app: Any, *, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve any ASGI ``app`` with uvicorn on ``host`` (a free port unless ``port`` is
    given) in a background thread; yields its base URL and stops when the block ends."""
    import uvicorn

    port = port or free_port(host)
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host=host,
            port=port,
            log_level="warning",
            lifespan="off",
            timeout_graceful_shutdown=1,
        )
    )
    thread = threading.Thread(target=server.run, name="stream-emulator", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            server.should_exit = True
            raise RuntimeError(f"the server did not start on {host}:{port}")
        time.sleep(0.01)
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def serve_emulator(
    emulator: Emulator | None = None, *, host: str = "127.0.0.1", port: int = 0
) -> Iterator[EmulatorServer]:
    """Serve an emulator (a fresh one unless given) over a real loopback socket."""
    emulator = emulator or new_emulator()
    with serve_asgi(emulator.app, host=host, port=port) as base_url:
        yield EmulatorServer(
            base_url=base_url,
            api_key=emulator.config.api_key,
            api_secret=emulator.config.api_secret,
            emulator=emulator,
        )
