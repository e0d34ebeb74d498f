"""Client lifecycle, settings, tokens and transports."""

from __future__ import annotations

import httpx
import jwt
import pytest
import respx

from stream_async import (
    AsyncStreamClient,
    ClientClosedError,
    StreamConfigurationError,
    StreamValidationError,
)
from stream_async._http import resolve_transport
from tests.conftest import API_KEY, API_SECRET, BASE_URL, claims

pytestmark = pytest.mark.anyio

FEED_PAGE = {"results": [], "next": "", "duration": "1ms"}


def make(router: respx.Router, **kwargs: object) -> tuple[AsyncStreamClient, httpx.AsyncClient]:
    http = httpx.AsyncClient(transport=httpx.MockTransport(router.async_handler))
    settings: dict[str, object] = {"api_key": API_KEY, "base_url": BASE_URL, "http_client": http}
    settings.update(kwargs)
    if "token" not in settings:
        settings.setdefault("api_secret", API_SECRET)
    return AsyncStreamClient(**settings), http  # type: ignore[arg-type]


async def test_closed_client_refuses_requests(router: respx.Router) -> None:
    router.get("feed/user/1/").respond(200, json=FEED_PAGE)
    client, http = make(router)
    async with client:
        await client.feed("user", "1").get()
        assert not client.is_closed
    assert client.is_closed
    with pytest.raises(ClientClosedError, match="closed"):
        await client.feed("user", "1").get()
    # an injected http client belongs to the caller: still open
    assert not http.is_closed
    await client.aclose()  # closing twice is harmless
    await http.aclose()


async def test_owned_pool_is_closed_with_the_client() -> None:
    client = AsyncStreamClient(
        api_key=API_KEY, api_secret=API_SECRET, base_url=BASE_URL, transport="httpx"
    )
    pool = client._pool.get()
    assert client.transport_name == "httpx"
    await client.aclose()
    assert pool.is_closed


async def test_with_options_shares_pool_and_changes_timeout(router: respx.Router) -> None:
    router.get("feed/user/1/").respond(200, json=FEED_PAGE)
    client, http = make(router)
    slow = client.with_options(timeout=10, upload_timeout=120)
    assert (slow.timeout, slow.upload_timeout) == (10.0, 120.0)
    assert (client.timeout, client.upload_timeout) == (3.0, 60.0)
    assert slow._pool is client._pool
    assert slow._signer is client._signer
    await slow.feed("user", "1").get()
    timeouts = router.calls.last.request.extensions["timeout"]
    assert timeouts == {"connect": 10.0, "read": 10.0, "write": 10.0, "pool": 10.0}
    await client.feed("user", "1").get()
    assert router.calls.last.request.extensions["timeout"]["read"] == 3.0
    await slow.aclose()  # a copy does not close the shared pool
    assert not client.is_closed
    await client.aclose()
    assert slow.is_closed
    with pytest.raises(ClientClosedError):
        await slow.feed("user", "1").get()
    await http.aclose()


async def test_with_options_keeps_what_is_not_given(router: respx.Router) -> None:
    client, http = make(router, timeout=5)
    assert client.with_options().timeout == 5.0
    with pytest.raises(StreamValidationError, match="timeout"):
        client.with_options(timeout=0)
    await http.aclose()


async def test_client_side_token_signs_every_request(router: respx.Router) -> None:
    router.get("feed/user/1/").respond(200, json=FEED_PAGE)
    user_token = jwt.encode({"user_id": "1"}, API_SECRET, algorithm="HS256")
    client, http = make(router, token=f"Bearer {user_token}")
    await client.feed("user", "1").get()
    assert router.calls.last.request.headers["Authorization"] == user_token
    assert client._transport.client_side
    with pytest.raises(StreamConfigurationError, match="api_secret"):
        client.create_user_token("1")
    await http.aclose()


async def test_token_helpers(router: respx.Router) -> None:
    client, http = make(router)
    assert jwt.decode(client.create_user_token("42", role="admin"), API_SECRET, ["HS256"]) == {
        "user_id": "42",
        "role": "admin",
    }
    token = client.create_scope_token("feed", "read", feed_id="user1")
    assert jwt.decode(token, API_SECRET, ["HS256"]) == {
        "resource": "feed",
        "action": "read",
        "feed_id": "user1",
    }
    await http.aclose()


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"api_key": ""}, "api_key"),
        ({"api_key": "k"}, "api_secret"),
        ({"api_key": "k", "api_secret": "s", "token": "t"}, "not both"),
        ({"api_key": "k", "api_secret": "s", "transport": "curl"}, "transport"),
        ({"api_key": "k", "api_secret": "s", "max_connections": 0}, "max_connections"),
        ({"api_key": "k", "api_secret": "s", "max_connections": True}, "max_connections"),
        ({"api_key": "k", "api_secret": "s", "timeout": -1}, "timeout"),
        ({"api_key": "k", "api_secret": "s", "upload_timeout": "1"}, "upload_timeout"),
    ],
)
def test_bad_settings(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises((StreamConfigurationError, StreamValidationError), match=match):
        AsyncStreamClient(**kwargs)  # type: ignore[arg-type]


def test_repr_shows_mode_and_host_only() -> None:
    client = AsyncStreamClient(api_key="k", api_secret="s3cr3t-value", location="eu-west")
    assert repr(client) == "<AsyncStreamClient api_key='k' server-side host=eu-west open>"
    side = AsyncStreamClient(api_key="k", token="tok")
    assert repr(side) == "<AsyncStreamClient api_key='k' client-side host=default open>"


async def test_auto_transport_follows_the_event_loop(anyio_backend: str) -> None:
    expected = "aiohttp" if anyio_backend == "asyncio" else "httpx"
    assert resolve_transport("auto") == expected
    assert resolve_transport("httpx") == "httpx"
    if anyio_backend == "trio":
        with pytest.raises(StreamConfigurationError, match="asyncio"):
            resolve_transport("aiohttp")
    else:
        assert resolve_transport("aiohttp") == "aiohttp"


async def test_aiohttp_transport_missing_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("stream_async._http.aiohttp_available", lambda: False)
    with pytest.raises(StreamConfigurationError, match=r"stream-async\[aiohttp\]"):
        resolve_transport("aiohttp")
    assert resolve_transport("auto") == "httpx"


def test_transport_name_before_first_request() -> None:
    client = AsyncStreamClient(api_key="k", api_secret="s")
    assert client.transport_name is None
    assert (
        AsyncStreamClient(
            api_key="k", api_secret="s", http_client=httpx.AsyncClient()
        ).transport_name
        == "custom"
    )


async def test_claims_helper_rejects_unsigned(router: respx.Router) -> None:
    # the claims() helper verifies signatures: a token signed with another secret fails it
    router.get("feed/user/1/").respond(200, json=FEED_PAGE)
    client, http = make(router, api_secret="another-secret-another-secret-another")
    await client.feed("user", "1").get()
    with pytest.raises(jwt.InvalidSignatureError):
        claims(router.calls.last.request)
    await http.aclose()


SECRET = "pa55-SECRET-in-url"


@pytest.mark.parametrize(
    "base_url",
    [
        f"http://k:{SECRET}@127.0.0.1:8000",
        f"https://{SECRET}@stream.test",
        f"ftp://k:{SECRET}@stream.test",
    ],
)
def test_credentials_in_base_url_are_refused_unechoed(base_url: str) -> None:
    with pytest.raises(StreamConfigurationError, match="must not carry credentials") as info:
        AsyncStreamClient(api_key="k", api_secret="s", base_url=base_url)
    assert SECRET not in str(info.value)
    assert SECRET not in repr(info.value)


@pytest.mark.parametrize(
    ("base_url", "shown"),
    [
        (f"ftp://stream.test/prefix?token={SECRET}", "'ftp://stream.test/prefix'"),
        (f"localhost:8000#{SECRET}", "'localhost:8000'"),
    ],
)
def test_bad_base_url_error_shows_no_query_or_fragment(base_url: str, shown: str) -> None:
    with pytest.raises(StreamConfigurationError, match="http\\(s\\) origin") as info:
        AsyncStreamClient(api_key="k", api_secret="s", base_url=base_url)
    assert str(info.value).endswith(f"got {shown}")
    assert SECRET not in str(info.value)


def test_unparseable_base_url_is_a_configuration_error() -> None:
    with pytest.raises(StreamConfigurationError, match="http\\(s\\) origin"):
        AsyncStreamClient(api_key="k", api_secret="s", base_url="http://[::1")
    with pytest.raises(StreamConfigurationError, match="http\\(s\\) origin"):
        AsyncStreamClient(api_key="k", api_secret="s", base_url="http://127.0.0.1:99999")


def test_bad_max_response_bytes() -> None:
    with pytest.raises(StreamConfigurationError, match="max_response_bytes"):
        AsyncStreamClient(api_key="k", api_secret="s", max_response_bytes=0)


UNCLOSED_SCRIPT = """
import asyncio, gc, sys, warnings
from stream_async import AsyncStreamClient
from stream_async.testing import serve_asgi

if sys.argv[2] == "warn":
    warnings.simplefilter("always", ResourceWarning)
SECRET = "a-secret-long-enough-for-hs256-0123456789abcdef"


async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b'{"results": [], "next": ""}'})


async def main(url):
    client = AsyncStreamClient(api_key="k", api_secret=SECRET, base_url=url, transport=sys.argv[1])
    await client.feed("user", "1").get()
    del client
    gc.collect()
    await asyncio.sleep(0.1)


with serve_asgi(app) as url:
    asyncio.run(main(url))
gc.collect()
"""


def run_unclosed(transport: str, filters: str) -> str:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", UNCLOSED_SCRIPT, transport, filters],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stderr


@pytest.mark.socket
@pytest.mark.parametrize("transport", ["aiohttp", "httpx"])
def test_unclosed_client_warns(transport: str) -> None:
    stderr = run_unclosed(transport, "warn")
    assert (
        "ResourceWarning: an AsyncStreamClient was garbage-collected unclosed; use `async with`"
        " or `await client.aclose()`" in stderr
    )


@pytest.mark.socket
def test_unclosed_aiohttp_client_says_nothing_else() -> None:
    warned = [
        line
        for line in run_unclosed("aiohttp", "warn").splitlines()
        if "Warning:" in line and "tracemalloc" not in line
    ]
    assert len(warned) == 1
    assert "garbage-collected unclosed" in warned[0]
    # with Python's default filters nothing at all is printed: no "Unclosed client session"
    assert run_unclosed("aiohttp", "default") == ""


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_unclosed_pool_warns_and_closes_its_session(anyio_backend: str) -> None:
    import gc

    client = AsyncStreamClient(
        api_key="k", api_secret="s", base_url="http://127.0.0.1:9", transport="aiohttp"
    )
    client._pool.sender()
    session = client._pool._session
    with pytest.warns(ResourceWarning, match="garbage-collected unclosed"):
        del client  # nothing else refers to it: collected at once
    assert session.closed
    # a closed client and a client that never sent anything have nothing to warn about
    closed = AsyncStreamClient(api_key="k", api_secret="s", transport="aiohttp")
    closed._pool.sender()
    await closed.aclose()
    unused = AsyncStreamClient(api_key="k", api_secret="s")
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error", ResourceWarning)
        del closed, unused
        gc.collect()
