"""Fixtures shared by the whole suite.

No test may reach a real service: an autouse fixture refuses every socket connection to an
address outside the loopback range.

Hypothesis runs under one of two profiles registered here: ``ci`` (chosen when the ``CI``
environment variable is set) is derandomized, so a failure reproduces from the same seed on
every run; ``dev`` explores new examples each run. Both give each example a 5 s deadline:
generous enough for a loaded 2-core machine, short enough to flag an example that stalls
(pytest-timeout still bounds the whole test). ``HYPOTHESIS_PROFILE`` picks one explicitly.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import jwt
import pytest
import respx
from hypothesis import settings

from stream_async import AsyncStreamClient

# The project's own tests use the plugin it ships to its users, loaded here rather than through
# its pytest11 entry point (disabled in pyproject's addopts): pytest imports entry-point plugins
# before pytest-cov starts, which would leave the whole package's import unmeasured.
pytest_plugins = ["stream_async.testing.pytest_plugin"]

settings.register_profile(
    "ci", derandomize=True, deadline=timedelta(seconds=5), print_blob=True, database=None
)
settings.register_profile("dev", deadline=timedelta(seconds=5))
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
)

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


@pytest.fixture(autouse=True)
def retry_waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Waits between retries are recorded instead of slept, so no test sleeps on backoff;
    the list holds each wait the SDK asked for, in seconds."""
    waits: list[float] = []

    async def record(delay: float) -> None:
        waits.append(delay)

    monkeypatch.setattr("stream_async._transport._sleep", record)
    return waits


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
    """A server-side client whose requests are answered by ``router``; every token it
    sends is checked for least privilege first."""

    async def handler(request: httpx.Request) -> httpx.Response:
        assert_least_privilege(request)
        return await router.async_handler(request)

    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    async with AsyncStreamClient(
        api_key=API_KEY, api_secret=API_SECRET, base_url=BASE_URL, http_client=http
    ) as c:
        yield c
    await http.aclose()


ACTION = {"GET": "read", "POST": "write", "PUT": "write", "DELETE": "delete"}

# (service, first path segments) -> (resource, whether the token names the feed)
SCOPES: list[tuple[str, tuple[str, ...], str, bool]] = [
    ("api", ("feed", "add_to_many"), "feed", False),
    ("api", ("feed",), "feed", True),
    ("api", ("enrich", "feed"), "feed", True),
    ("api", ("feed_targets",), "feed_targets", True),
    ("api", ("enrich", "activities"), "activities", False),
    ("api", ("activities",), "activities", False),
    ("api", ("activity",), "activities", False),
    ("api", ("follow_many",), "follower", False),
    ("api", ("unfollow_many",), "follower", False),
    ("api", ("stats", "follow"), "*", False),
    ("api", ("reaction",), "reactions", False),
    ("api", ("user",), "users", False),
    ("api", ("collections",), "collections", False),
    ("api", ("files",), "files", False),
    ("api", ("images",), "files", False),
    ("api", ("og",), "*", False),
    ("api", ("audit_logs",), "audit_logs", False),
    ("api", ("moderation",), "moderation", False),
    ("analytics", (), "analytics", False),
    ("personalization", (), "personalization", False),
    ("api", ("users",), "users", False),
    ("api", ("data_privacy",), "data_privacy", False),
]


def assert_least_privilege(request: httpx.Request, secret: str = API_SECRET) -> None:
    """The token of a server-side request names exactly the resource, action and feed the
    request needs: no wildcard it does not need."""
    if "Authorization" not in request.headers:
        return
    token = claims(request, secret)
    if "resource" not in token:
        return  # a user token (client-side mode)
    service, _, rest = request.url.path.removeprefix("/").partition("/v1.0/")
    segments = [s for s in rest.split("/") if s]
    name = service.rsplit("/", 1)[-1]
    rules = [
        (resource, per_feed)
        for rule_service, prefix, resource, per_feed in SCOPES
        if rule_service == name and tuple(segments[: len(prefix)]) == prefix
    ]
    if not rules:
        raise AssertionError(f"no scope rule for {request.method} {request.url.path}")
    resource, per_feed = rules[0]
    if resource == "feed" and per_feed and segments[3:4] in (["follows"], ["followers"]):
        resource = "follower"
    assert token["resource"] == resource, (request.url.path, token)
    if service.endswith("analytics"):
        assert token == {"resource": "analytics", "action": "*", "user_id": "*"}
        return
    assert token["action"] == ACTION[request.method], (request.method, token)
    if per_feed:
        start = 2 if segments[0] == "enrich" else 1
        slug, user = segments[start : start + 2]
        assert token["feed_id"] == f"{slug}{user}", (request.url.path, token)
    else:
        assert token["feed_id"] == "*", (request.url.path, token)


@pytest.fixture
def stream_client(stream_emulator: Any) -> AsyncStreamClient:
    """The plugin's in-process emulator client, with every token it sends checked for least
    privilege on the way out (the emulator would accept a wider one)."""
    from stream_async.testing import client_for

    async def check(request: httpx.Request) -> None:
        assert_least_privilege(request, secret=stream_emulator.config.api_secret)

    http = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=stream_emulator.app), event_hooks={"request": [check]}
    )
    return client_for(stream_emulator, http_client=http)


def claims(request: httpx.Request, secret: str = API_SECRET) -> dict[str, Any]:
    """The verified claims of the JWT a request was signed with."""
    token = request.headers["Authorization"]
    decoded: dict[str, Any] = jwt.decode(token, secret, algorithms=["HS256"])
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
