"""Fixtures shared by the whole suite.

No test may reach a real service: an autouse fixture refuses every socket connection to an
address outside the loopback range.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import AsyncIterator
from typing import Any

import httpx
import jwt
import pytest
import respx

from stream_async import AsyncStreamClient

API_KEY = "test-key"
API_SECRET = "test-secret-that-is-long-enough-for-hs256-0123456789"
BASE_URL = "http://stream.test"
API_ROOT = f"{BASE_URL}/api/v1.0/"


def _is_loopback(address: Any) -> bool:
    if not isinstance(address, tuple):
        return True  # AF_UNIX paths and socketpairs stay on this machine
    host = address[0]
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def guard(address: Any) -> None:
        if not _is_loopback(address):
            raise AssertionError(f"test tried to reach a non-loopback address: {address!r}")

    def connect(self: socket.socket, address: Any) -> None:
        guard(address)
        real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        guard(address)
        return real_connect_ex(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    """Transport-independent tests run under both asyncio and trio."""
    return str(request.param)


@pytest.fixture
def router() -> respx.Router:
    """A respx router that answers every request of the ``client`` fixture; unmatched
    requests fail the test."""
    return respx.Router(base_url=API_ROOT, assert_all_called=False)


@pytest.fixture
async def client(router: respx.Router) -> AsyncIterator[AsyncStreamClient]:
    """A server-side client whose requests are answered by ``router``."""
    http = httpx.AsyncClient(transport=httpx.MockTransport(router.async_handler))
    async with AsyncStreamClient(
        api_key=API_KEY, api_secret=API_SECRET, base_url=BASE_URL, http_client=http
    ) as c:
        yield c
    await http.aclose()


def claims(request: httpx.Request) -> dict[str, Any]:
    """The verified claims of the JWT a request was signed with."""
    token = request.headers["Authorization"]
    decoded: dict[str, Any] = jwt.decode(token, API_SECRET, algorithms=["HS256"])
    return decoded


def stream_error(status: int, code: int | None, exception: str, detail: str) -> httpx.Response:
    body: dict[str, Any] = {
        "detail": detail,
        "status_code": status,
        "exception": exception,
        "duration": "0.10ms",
        "more_info": "https://getstream.io/docs/api_error_responses",
    }
    if code is not None:
        body["code"] = code
    return httpx.Response(status, json=body)
