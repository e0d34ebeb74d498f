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

With pytest, installing the package is enough: its plugin (registered through the
``pytest11`` entry point) provides the ``stream_emulator``, ``stream_client``,
``stream_emulator_server``, ``stream_socket_client`` and ``stream_env`` fixtures. Everything
here needs the ``emulator`` extra: ``pip install 'stream-async[emulator]'``.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from stream_async._client import AsyncStreamClient
from stream_async._http import AsgiSender

if TYPE_CHECKING:
    from stream_async.emulator import Emulator, EmulatorConfig

__all__ = [
    "EMULATOR_EXTRA_HINT",
    "EmulatorServer",
    "FaultInjector",
    "emulator_missing",
    "client_for",
    "emulated_client",
    "free_port",
    "new_emulator",
    "serve_asgi",
    "serve_emulator",
]

IN_PROCESS_URL = "http://emulator.invalid"

EMULATOR_EXTRA_HINT = "pip install 'stream-async[emulator]'"


def emulator_missing() -> str | None:
    """Why the emulator cannot run here (its extra is not installed), or ``None`` when it
    can. Imports the emulator, so call it only when about to use one."""
    try:
        import uvicorn  # noqa: F401

        import stream_async.emulator  # noqa: F401
    except ImportError as error:
        return f"the Stream emulator is not installed ({error}); run: {EMULATOR_EXTRA_HINT}"
    return None


def new_emulator(
    config: EmulatorConfig | None = None, *, feed_groups: Sequence[str] = ()
) -> Emulator:
    """A fresh in-memory emulator (default configuration unless ``config`` is given).

    ``feed_groups``: ``NAME:KIND[:MODE]`` specs, as the command line's ``--feed-group``
    takes them, each adding a group or replacing the one of its name, e.g.
    ``["notification:notification:private"]`` or ``["news:flat:read-write"]``. MODE says
    what user tokens may do with other users' feeds of the group: ``private``, ``read``,
    ``write`` (as ``to``/``target_feeds`` targets) or ``read-write``; without it, the
    default (``user`` read, ``notification`` write, others private). Raises ValueError for
    a bad spec.
    """
    from stream_async.emulator import Emulator, EmulatorConfig
    from stream_async.emulator.config import parse_feed_group

    config = config or EmulatorConfig()
    if feed_groups:
        groups = dict(config.feed_groups)
        groups.update(parse_feed_group(spec) for spec in feed_groups)
        config = replace(config, feed_groups=groups)
    return Emulator(config)


def client_for(emulator: Emulator, *, app: Any = None, **options: Any) -> AsyncStreamClient:
    """A server-side client that talks to ``emulator`` in-process: its requests are sent
    straight to the ASGI app (through ``httpx.ASGITransport``), by the same request path as
    over a socket. It holds no sockets, so it needs no closing; ``options`` go to
    :class:`AsyncStreamClient`. ``app`` serves the requests instead of the emulator's own
    app, e.g. a :class:`FaultInjector` wrapping it. An exception the app raises reaches the
    client as a lost connection (:class:`~stream_async.errors.APIConnectionError`), as a
    crashing server's would."""
    settings: dict[str, Any] = {
        "api_key": emulator.config.api_key,
        "api_secret": emulator.config.api_secret,
        "app_id": emulator.config.app_id,
        "base_url": IN_PROCESS_URL,
    }
    settings.update(options)
    client = AsyncStreamClient(**settings)
    pool = client._pool
    pool.attach(AsgiSender(app or emulator.app, max_response_bytes=pool.max_response_bytes), "asgi")
    return client


@asynccontextmanager
async def emulated_client(
    emulator: Emulator | None = None, **options: Any
) -> AsyncIterator[AsyncStreamClient]:
    """An :class:`AsyncStreamClient` backed by an in-process emulator (a fresh one unless
    ``emulator`` is given)."""
    async with client_for(emulator or new_emulator(), **options) as client:
        yield client


@dataclass
class _Fault:
    status: int
    times: int
    after: int
    path: str | None
    retry_after: float | None


class FaultInjector:
    """ASGI middleware that answers chosen requests with Stream-shaped errors and passes the
    others to ``app``: test how your code handles rate limits, outages and partial batch
    failures against the emulator::

        emulator = new_emulator()
        faults = FaultInjector(emulator.app)
        faults.fail(429, retry_after=0.5)  # the next request is rate limited
        faults.fail(503, times=10, after=3, path="/follow_many/")  # later, an outage
        client = client_for(emulator, app=faults)

    ``requests`` counts the HTTP requests seen, ``injected`` the errors answered.
    """

    def __init__(self, app: Any) -> None:
        self.app = app
        self.requests = 0
        self.injected = 0
        self._faults: list[_Fault] = []

    def fail(
        self,
        status: int = 503,
        *,
        times: int = 1,
        after: int = 0,
        path: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        """Answer ``times`` requests with ``status`` after letting ``after`` through; only
        requests whose path contains ``path`` when it is given. A 429 carries Stream's
        rate-limit code, and ``Retry-After`` when ``retry_after`` is given."""
        self._faults.append(_Fault(status, times, after, path, retry_after))

    def clear(self) -> None:
        """Forget the planned faults: every later request reaches ``app``."""
        self._faults.clear()

    def _take(self, path: str) -> _Fault | None:
        for fault in self._faults:
            if fault.times <= 0 or (fault.path is not None and fault.path not in path):
                continue
            if fault.after > 0:
                fault.after -= 1
                return None
            fault.times -= 1
            return fault
        return None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        fault = None
        if scope["type"] == "http":
            self.requests += 1
            fault = self._take(scope["path"])
        if fault is None:
            await self.app(scope, receive, send)
            return
        self.injected += 1
        body: dict[str, Any] = {
            "detail": f"injected fault: HTTP {fault.status}",
            "status_code": fault.status,
            "exception": "RateLimitReached" if fault.status == 429 else "InjectedFault",
            "duration": "0.00ms",
        }
        if fault.status == 429:
            body["code"] = 9
        headers = [(b"content-type", b"application/json")]
        if fault.retry_after is not None:
            headers.append((b"retry-after", str(fault.retry_after).encode()))
        await send({"type": "http.response.start", "status": fault.status, "headers": headers})
        await send({"type": "http.response.body", "body": json.dumps(body).encode()})


@dataclass(frozen=True)
class EmulatorServer:
    """A running emulator: where it listens and the credentials it accepts."""

    base_url: str
    api_key: str
    api_secret: str
    emulator: Emulator

    @property
    def environ(self) -> dict[str, str]:
        """The ``STREAM_*`` variables that point :meth:`AsyncStreamClient.from_env` here."""
        return {
            "STREAM_API_KEY": self.api_key,
            "STREAM_API_SECRET": self.api_secret,
            "STREAM_BASE_URL": self.base_url,
        }

    def reset(self) -> None:
        """Forget every activity, feed and follow: a clean slate for the next test."""
        self.emulator.reset()

    def register_og_page(self, *, url: str, html: str) -> None:
        """Make ``og/?url=<url>`` scrape ``html``, with no network (other URLs get made-up
        Open Graph data unless the emulator was configured to fetch)."""
        self.emulator.register_og_page(url=url, html=html)

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
