"""The pooled ``httpx.AsyncClient`` behind every :class:`AsyncStreamClient`.

On asyncio, httpcore's connection pool scans every connection for every queued request, so
its cost grows with concurrency; the default client therefore runs httpx over an aiohttp
connection pool (``httpx-aiohttp``, the ``aiohttp`` extra) when that is installed. Under
trio, or without the extra, it uses httpx's own transport. ``transport="aiohttp"`` or
``"httpx"`` picks explicitly.
"""

from __future__ import annotations

import asyncio
import importlib.util
from typing import Literal

import httpx

from stream_async.errors import StreamConfigurationError

TransportName = Literal["auto", "aiohttp", "httpx"]


def aiohttp_available() -> bool:
    """Whether the ``aiohttp`` extra (httpx-aiohttp) is installed."""
    return importlib.util.find_spec("httpx_aiohttp") is not None


def running_on_asyncio() -> bool:
    """Whether the caller runs in an asyncio task (as opposed to trio)."""
    try:
        return asyncio.current_task() is not None
    except RuntimeError:
        return False


def resolve_transport(choice: TransportName) -> Literal["aiohttp", "httpx"]:
    """The transport ``choice`` means here and now (call it inside the event loop)."""
    if choice == "httpx":
        return "httpx"
    on_asyncio = running_on_asyncio()
    if choice == "aiohttp":
        if not aiohttp_available():
            raise StreamConfigurationError(
                "transport='aiohttp' needs the aiohttp extra: pip install 'stream-async[aiohttp]'"
            )
        if not on_asyncio:
            raise StreamConfigurationError("transport='aiohttp' runs on asyncio only")
        return "aiohttp"
    return "aiohttp" if on_asyncio and aiohttp_available() else "httpx"


def build_http_client(
    transport: Literal["aiohttp", "httpx"], *, max_connections: int
) -> httpx.AsyncClient:
    """A pooled client; timeouts are set per request, so the client's own are off."""
    limits = httpx.Limits(
        max_connections=max_connections, max_keepalive_connections=max_connections
    )
    if transport == "aiohttp":
        from httpx_aiohttp import AiohttpTransport

        # httpx ignores its own ``limits`` once a transport is given: the aiohttp
        # connector takes the connection limit from the transport instead.
        return httpx.AsyncClient(transport=AiohttpTransport(limits=limits), timeout=None)
    return httpx.AsyncClient(limits=limits, timeout=None)
