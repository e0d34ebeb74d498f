"""The ``stream_async`` logger: quiet by default; at DEBUG one line per call with method,
path, status, duration, retries and rate-limit remaining, never a secret or a body."""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
import textwrap
from typing import Any

import httpx
import pytest
import respx

from stream_async import AsyncStreamClient, errors
from stream_async import _transport as transport_module
from tests.conftest import API_KEY, API_SECRET, BASE_URL
from tests.servers import serve

pytestmark = pytest.mark.anyio

ACTIVITY = {
    "id": "ef696c12-69ab-11e4-8080-80003644b625",
    "actor": "user:1",
    "verb": "post",
    "object": "post:1",
    "time": "2024-05-01T12:00:00.000000",
    "duration": "1.20ms",
}
PAGE = {"results": [ACTIVITY], "next": "", "duration": "2.00ms"}
RATE = {"x-ratelimit-limit": "1000", "x-ratelimit-remaining": "41", "x-ratelimit-reset": "1"}
PLANTED = "planted-secret-7f3a9c"
LINE = re.compile(
    r"^(?P<method>[A-Z]+) (?P<path>\S+) (?P<status>\d{3}|-) (?P<ms>\d+\.\d)ms "
    r"retries=(?P<retries>\d+) rate_limit_remaining=(?P<remaining>\d+|-)"
    r"(?: error=(?P<error>\w+))?$"
)


@pytest.fixture
def debug(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG, logger="stream_async")
    return caplog


def lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "stream_async"]


def everything_logged(records: list[logging.LogRecord]) -> str:
    """Each record's message and every attribute it carries, as text."""
    return "\n".join(r.getMessage() + " " + repr(sorted(vars(r).items())) for r in records)


async def test_one_debug_line_per_call(
    client: AsyncStreamClient, router: respx.Router, debug: pytest.LogCaptureFixture
) -> None:
    router.post("feed/user/1/").respond(201, json=ACTIVITY, headers=RATE)
    await client.feed("user", "1").add_activity({"actor": "user:1", "verb": "post", "object": "1"})
    [record] = lines(debug)
    assert record.levelno == logging.DEBUG
    match = LINE.match(record.getMessage())
    assert match, record.getMessage()
    assert match["method"] == "POST"
    assert match["path"] == "api/feed/user/1/"
    assert match["status"] == "201"
    assert float(match["ms"]) >= 0
    assert match["retries"] == "0"
    assert match["remaining"] == "41"
    assert match["error"] is None
    fields: dict[str, Any] = vars(record)
    assert fields["stream_method"] == "POST"
    assert fields["stream_path"] == "api/feed/user/1/"
    assert fields["stream_status"] == 201
    assert fields["stream_retries"] == 0
    assert fields["stream_rate_limit_remaining"] == "41"
    assert fields["stream_error"] is None
    assert fields["stream_duration_ms"] >= 0


async def test_the_path_has_no_query_string(
    client: AsyncStreamClient, router: respx.Router, debug: pytest.LogCaptureFixture
) -> None:
    router.get("feed/user/1/").respond(200, json=PAGE)
    await client.feed("user", "1").get(limit=5, id_lt="ef696c12-69ab-11e4-8080-80003644b625")
    [record] = lines(debug)
    message = record.getMessage()
    assert message.startswith("GET api/feed/user/1/ 200 ")
    assert "?" not in message
    assert "api_key" not in message
    assert API_KEY not in everything_logged([record])
    assert "rate_limit_remaining=-" in message  # the response had no rate-limit headers


async def test_retries_are_counted_in_the_line(
    client: AsyncStreamClient, router: respx.Router, debug: pytest.LogCaptureFixture
) -> None:
    router.get("feed/user/1/").mock(
        side_effect=[httpx.Response(503, json={}), httpx.Response(200, json=PAGE, headers=RATE)]
    )
    page = await client.feed("user", "1").get()
    assert page.retries_taken == 1
    [record] = lines(debug)
    match = LINE.match(record.getMessage())
    assert match
    assert (match["status"], match["retries"], match["remaining"]) == ("200", "1", "41")


async def test_a_failed_call_logs_its_status_and_error_class(
    client: AsyncStreamClient, router: respx.Router, debug: pytest.LogCaptureFixture
) -> None:
    body = {"detail": "no such feed", "code": 16, "exception": "DoesNotExistException"}
    router.get("feed/user/1/").respond(404, json=body, headers=RATE)
    with pytest.raises(errors.StreamAPIError) as info:
        await client.feed("user", "1").get()
    [record] = lines(debug)
    match = LINE.match(record.getMessage())
    assert match
    assert (match["status"], match["error"]) == ("404", type(info.value).__name__)
    assert match["remaining"] == "41"


async def test_a_connection_failure_logs_no_status(
    client: AsyncStreamClient, router: respx.Router, debug: pytest.LogCaptureFixture
) -> None:
    router.get("feed/user/1/").mock(side_effect=httpx.ConnectError("refused"))
    with pytest.raises(errors.APIConnectionError):
        await client.feed("user", "1").get()
    [record] = lines(debug)
    match = LINE.match(record.getMessage())
    assert match
    assert (match["status"], match["retries"], match["remaining"]) == ("-", "2", "-")
    assert match["error"] == "APIConnectionError"
    assert vars(record)["stream_status"] is None


async def test_an_invalid_body_is_logged_as_an_error(
    client: AsyncStreamClient, router: respx.Router, debug: pytest.LogCaptureFixture
) -> None:
    router.get("feed/user/1/").respond(200, json={"results": "not a list"})
    with pytest.raises(errors.InvalidResponseError):
        await client.feed("user", "1").get()
    [record] = lines(debug)
    assert record.getMessage().endswith("error=InvalidResponseError")


async def test_no_token_secret_or_body_is_ever_logged(
    client: AsyncStreamClient, router: respx.Router, debug: pytest.LogCaptureFixture
) -> None:
    answer = {**ACTIVITY, "object": PLANTED, "secret_note": PLANTED}
    route = router.post("feed/user/1/").respond(201, json=answer, headers=RATE)
    failing = router.get("feed/user/1/").respond(
        400, json={"detail": PLANTED, "exception": PLANTED, "code": 4}
    )
    feed = client.feed("user", "1")
    await feed.add_activity({"actor": "user:1", "verb": "post", "object": PLANTED})
    with pytest.raises(errors.StreamAPIError):
        await feed.get(ranking=PLANTED)
    assert route.called
    assert failing.called
    token = route.calls.last.request.headers["Authorization"]
    logged = everything_logged(lines(debug))
    assert len(lines(debug)) == 2
    for secret in (token, API_SECRET, PLANTED, "Authorization", API_KEY):
        assert secret not in logged


async def test_nothing_is_logged_at_info(
    client: AsyncStreamClient, router: respx.Router, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="stream_async")
    router.get("feed/user/1/").respond(200, json=PAGE, headers=RATE)
    router.post("feed/user/1/").respond(500, json={})
    feed = client.feed("user", "1")
    await feed.get()
    with pytest.raises(errors.StreamAPIError):
        await feed.add_activity({"actor": "user:1", "verb": "post", "object": "1"})
    assert lines(caplog) == []


async def test_the_disabled_path_builds_no_line(
    client: AsyncStreamClient,
    router: respx.Router,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    caplog.set_level(logging.INFO, logger="stream_async")

    def forbidden(*args: object) -> None:
        raise AssertionError("a log line was built while DEBUG is off")

    monkeypatch.setattr(transport_module, "_log_call", forbidden)
    router.get("feed/user/1/").respond(200, json=PAGE)
    await client.feed("user", "1").get()


def test_the_package_logger_is_quiet_by_default() -> None:
    logger = logging.getLogger("stream_async")
    assert any(isinstance(h, logging.NullHandler) for h in logger.handlers)


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_debug_line_over_the_aiohttp_transport(debug: pytest.LogCaptureFixture) -> None:
    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        assert scope["type"] == "http"
        while (await receive()).get("more_body"):
            pass
        headers = [(b"content-type", b"application/json")]
        headers += [(k.encode(), v.encode()) for k, v in RATE.items()]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": json.dumps(PAGE).encode()})

    with serve(app) as url:
        async with AsyncStreamClient(
            api_key=API_KEY, api_secret=API_SECRET, base_url=url, transport="aiohttp"
        ) as client:
            await client.feed("user", "1").get(limit=3)
            assert client.transport_name == "aiohttp"
    [record] = lines(debug)
    match = LINE.match(record.getMessage())
    assert match, record.getMessage()
    assert (match["method"], match["path"], match["status"]) == ("GET", "api/feed/user/1/", "200")
    assert match["remaining"] == "41"
    assert API_KEY not in everything_logged([record])


SCRIPT = textwrap.dedent(
    f"""
    import asyncio

    import httpx

    from stream_async import AsyncStreamClient

    async def main() -> None:
        def answer(request: httpx.Request) -> httpx.Response:
            return httpx.Response(200, json={PAGE!r}, headers={RATE!r})

        http = httpx.AsyncClient(transport=httpx.MockTransport(answer))
        async with AsyncStreamClient(
            api_key={API_KEY!r}, api_secret={API_SECRET!r}, base_url={BASE_URL!r},
            http_client=http,
        ) as client:
            await client.feed("user", "1").get()
        await http.aclose()

    asyncio.run(main())
    """
)


@pytest.mark.parametrize(("value", "logged"), [("debug", True), ("", False), ("info", False)])
def test_env_switch_logs_to_stderr(value: str, logged: bool) -> None:
    env = {k: v for k, v in os.environ.items() if k != "STREAM_ASYNC_LOG"}
    if value:
        env["STREAM_ASYNC_LOG"] = value
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    if logged:
        assert "stream_async DEBUG GET api/feed/user/1/ 200 " in done.stderr
        assert "rate_limit_remaining=41" in done.stderr
        assert API_SECRET not in done.stderr
        assert API_KEY not in done.stderr
    else:
        assert done.stderr == ""
