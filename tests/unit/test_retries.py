"""Retries: what is retried, how often, how long the SDK waits, and what it reports."""

from __future__ import annotations

from typing import Any

import anyio
import httpcore
import httpx
import pytest
import respx

from stream_async import AsyncStreamClient, errors
from tests.conftest import API_KEY, API_SECRET, BASE_URL
from tests.support.slots import assert_all_slots_free

pytestmark = pytest.mark.anyio

PAGE = {"results": [], "next": "", "duration": "1ms"}
STORED = {"id": "x", "actor": "a", "verb": "v", "object": "o", "time": "2020-01-01T00:00:00"}
NEW = {"actor": "a", "verb": "v", "object": "o"}
KEYED = {**NEW, "foreign_id": "f:1", "time": "2020-01-01T00:00:00"}


def replies(*responses: httpx.Response | Exception) -> Any:
    """A respx side effect that answers each attempt with the next item."""
    queue = list(responses)

    def answer(request: httpx.Request) -> httpx.Response:
        item = queue.pop(0)
        if isinstance(item, Exception):
            raise item
        return item

    return answer


def unavailable() -> httpx.Response:
    return httpx.Response(503, json={"detail": "try later", "code": -1})


async def test_idempotent_call_retried_until_success(
    client: AsyncStreamClient, router: respx.Router, retry_waits: list[float]
) -> None:
    route = router.get("feed/user/1/").mock(
        side_effect=replies(unavailable(), httpx.Response(502), httpx.Response(200, json=PAGE))
    )
    page = await client.feed("user", "1").get()
    assert route.call_count == 3
    assert page.retries_taken == 2
    # full jitter: each wait lies between 0 and the exponential step
    assert len(retry_waits) == 2
    assert 0 <= retry_waits[0] <= 0.5
    assert 0 <= retry_waits[1] <= 1.0


async def test_gives_up_after_max_retries(client: AsyncStreamClient, router: respx.Router) -> None:
    route = router.get("feed/user/1/").mock(return_value=httpx.Response(504))
    with pytest.raises(errors.InternalServerError) as info:
        await client.feed("user", "1").get()
    assert route.call_count == 3
    assert info.value.retries_taken == 2
    assert not info.value.may_have_been_applied


async def test_max_retries_zero_and_per_call_override(
    client: AsyncStreamClient, router: respx.Router
) -> None:
    route = router.get("feed/user/1/").mock(return_value=unavailable())
    with pytest.raises(errors.InternalServerError):
        await client.with_options(max_retries=0).feed("user", "1").get()
    assert route.call_count == 1
    with pytest.raises(errors.InternalServerError):
        await client.with_options(max_retries=4).feed("user", "1").get()
    assert route.call_count == 6


async def test_client_errors_are_never_retried(
    client: AsyncStreamClient, router: respx.Router
) -> None:
    route = router.get("feed/user/1/").respond(400, json={"code": 4, "detail": "bad"})
    with pytest.raises(errors.InputError) as info:
        await client.feed("user", "1").get()
    assert route.call_count == 1
    assert info.value.retries_taken == 0
    router.get("feed/user/2/").respond(500, json={"code": -1, "detail": "boom"})
    with pytest.raises(errors.InternalServerError):
        await client.feed("user", "2").get()
    assert router.routes[-1].call_count == 1


async def test_non_idempotent_write_is_not_retried_and_says_so(
    client: AsyncStreamClient, router: respx.Router
) -> None:
    route = router.post("feed/user/1/").mock(return_value=unavailable())
    with pytest.raises(errors.InternalServerError) as info:
        await client.feed("user", "1").add_activity(NEW)
    assert route.call_count == 1
    assert info.value.may_have_been_applied
    assert "may have been applied" in str(info.value)


async def test_write_with_foreign_id_and_time_is_retried(
    client: AsyncStreamClient, router: respx.Router
) -> None:
    route = router.post("feed/user/1/").mock(
        side_effect=replies(unavailable(), httpx.Response(201, json=STORED))
    )
    result = await client.feed("user", "1").add_activity(KEYED)
    assert route.call_count == 2
    assert result.retries_taken == 1


async def test_opting_in_retries_any_write(client: AsyncStreamClient, router: respx.Router) -> None:
    route = router.post("feed/user/1/").mock(
        side_effect=replies(unavailable(), httpx.Response(201, json=STORED))
    )
    await client.with_options(retry_non_idempotent=True).feed("user", "1").add_activity(NEW)
    assert route.call_count == 2


async def test_rate_limit_is_retried_for_any_call_after_retry_after(
    client: AsyncStreamClient, router: respx.Router, retry_waits: list[float]
) -> None:
    limited = httpx.Response(
        429, json={"code": 9, "detail": "slow down"}, headers={"Retry-After": "2"}
    )
    route = router.post("feed/user/1/").mock(
        side_effect=replies(limited, httpx.Response(201, json=STORED))
    )
    result = await client.feed("user", "1").add_activity(NEW)  # not idempotent: 429 was not applied
    assert route.call_count == 2
    assert retry_waits == [2.0]
    assert result.retries_taken == 1


async def test_rate_limit_wait_beyond_total_timeout_gives_up(
    client: AsyncStreamClient, router: respx.Router, retry_waits: list[float]
) -> None:
    router.get("feed/user/1/").respond(
        429, json={"code": 9, "detail": "slow down"}, headers={"Retry-After": "120"}
    )
    with pytest.raises(errors.RateLimitError) as info:
        await client.feed("user", "1").get()
    assert retry_waits == []
    assert info.value.retries_taken == 0
    assert info.value.retry_after == 120.0


async def test_no_total_timeout_takes_waits_up_to_a_minute_only(
    client: AsyncStreamClient, router: respx.Router, retry_waits: list[float]
) -> None:
    route = router.get("feed/user/1/").respond(
        429, json={"code": 9, "detail": "slow down"}, headers={"Retry-After": "60"}
    )
    with pytest.raises(errors.RateLimitError):
        await client.with_options(total_timeout=None).feed("user", "1").get()
    assert retry_waits == [60.0, 60.0]
    # a longer wait is not taken: the error is raised at once, with the server's wait on it
    route.respond(429, json={"code": 9, "detail": "slow down"}, headers={"Retry-After": "100000"})
    with pytest.raises(errors.RateLimitError) as info:
        await client.with_options(total_timeout=None).feed("user", "1").get()
    assert retry_waits == [60.0, 60.0]
    assert info.value.retries_taken == 0
    assert info.value.retry_after == 100000.0


async def test_failure_after_send_retried_only_when_idempotent(
    client: AsyncStreamClient, router: respx.Router
) -> None:
    dropped = httpx.RemoteProtocolError("Server disconnected without sending a response.")
    route = router.post("feed/user/1/").mock(side_effect=dropped)
    with pytest.raises(errors.APIConnectionError) as info:
        await client.feed("user", "1").add_activity(NEW)
    assert route.call_count == 1
    assert info.value.may_have_been_applied
    assert isinstance(info.value.__cause__, httpx.RemoteProtocolError)

    get = router.get("feed/user/1/").mock(
        side_effect=replies(dropped, httpx.Response(200, json=PAGE))
    )
    assert (await client.feed("user", "1").get()).retries_taken == 1
    assert get.call_count == 2


async def test_failure_before_send_is_retried_even_for_writes() -> None:
    attempts = 0

    def handler(request: httpx.Request) -> httpx.Response:
        # raised straight from the transport (respx would replace __cause__)
        nonlocal attempts
        attempts += 1
        if attempts == 1:
            raise httpx.ConnectError("refused") from httpcore.ConnectError("refused")
        return httpx.Response(201, json=STORED)

    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    client = AsyncStreamClient(
        api_key=API_KEY, api_secret=API_SECRET, base_url=BASE_URL, http_client=http
    )
    result = await client.feed("user", "1").add_activity(NEW)
    assert attempts == 2
    assert result.retries_taken == 1
    await http.aclose()


async def test_timeouts_are_typed_and_retried_for_reads(
    client: AsyncStreamClient, router: respx.Router
) -> None:
    route = router.get("feed/user/1/").mock(side_effect=httpx.ReadTimeout("slow"))
    with pytest.raises(errors.APITimeoutError) as info:
        await client.feed("user", "1").get()
    assert route.call_count == 3
    assert info.value.retries_taken == 2


async def test_concurrency_limit_caps_attempts_in_flight(router: respx.Router) -> None:
    in_flight = 0
    peak = 0

    async def slow(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await anyio.sleep(0.01)
        in_flight -= 1
        return httpx.Response(200, json=PAGE)

    router.get("feed/user/1/").mock(side_effect=slow)
    http = httpx.AsyncClient(transport=httpx.MockTransport(router.async_handler))
    client = AsyncStreamClient(
        api_key=API_KEY,
        api_secret=API_SECRET,
        base_url=BASE_URL,
        http_client=http,
        max_concurrency=4,
    )
    async with anyio.create_task_group() as tg:
        for _ in range(40):
            tg.start_soon(client.feed("user", "1").get)
    assert peak == 4
    await assert_all_slots_free(client, 4)
    await http.aclose()


async def test_pause_on_rate_limit_waits_for_the_reset(
    router: respx.Router, retry_waits: list[float]
) -> None:
    import time

    reset = int(time.time()) + 30
    router.get("feed/user/1/").respond(
        200,
        json=PAGE,
        headers={
            "x-ratelimit-limit": "10",
            "x-ratelimit-remaining": "0",
            "x-ratelimit-reset": str(reset),
        },
    )
    http = httpx.AsyncClient(transport=httpx.MockTransport(router.async_handler))
    client = AsyncStreamClient(
        api_key=API_KEY,
        api_secret=API_SECRET,
        base_url=BASE_URL,
        http_client=http,
        pause_on_rate_limit=True,
    )
    await client.feed("user", "1").get()
    assert retry_waits == []
    await client.feed("user", "1").get()
    assert len(retry_waits) == 1
    assert 20 < retry_waits[0] <= 30
    await http.aclose()


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"max_retries": -1}, "max_retries"),
        ({"total_timeout": 0}, "total_timeout"),
        ({"max_concurrency": 0}, "max_concurrency"),
    ],
)
def test_bad_reliability_settings(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(errors.StreamError, match=match):
        AsyncStreamClient(api_key="k", api_secret="s", **kwargs)


REACTION = {
    "id": "r1",
    "kind": "like",
    "activity_id": "a1",
    "user_id": "bob",
    "data": {},
    "created_at": "2020-01-01T00:00:00Z",
    "updated_at": "2020-01-01T00:00:00Z",
}
USER = {
    "id": "bob",
    "data": {},
    "created_at": "2020-01-01T00:00:00Z",
    "updated_at": "2020-01-01T00:00:00Z",
}


@pytest.mark.parametrize(
    ("route", "reply", "safe_call", "unsafe_call"),
    [
        (
            "reaction/",
            REACTION,
            lambda c: c.reactions.add("like", "a1", "bob", id="r1"),
            lambda c: c.reactions.add("like", "a1", "bob"),
        ),
        (
            "user/",
            USER,
            lambda c: c.users.add("bob", get_or_create=True),
            lambda c: c.users.add("bob"),
        ),
    ],
)
async def test_writes_made_idempotent_by_their_arguments(
    client: AsyncStreamClient,
    router: respx.Router,
    route: str,
    reply: dict[str, Any],
    safe_call: Any,
    unsafe_call: Any,
) -> None:
    mocked = router.post(route).mock(
        side_effect=replies(unavailable(), httpx.Response(201, json=reply), unavailable())
    )
    assert (await safe_call(client)).retries_taken == 1
    with pytest.raises(errors.InternalServerError) as info:
        await unsafe_call(client)
    assert info.value.may_have_been_applied
    assert mocked.call_count == 3


async def test_collection_upsert_is_retried(
    client: AsyncStreamClient, router: respx.Router
) -> None:
    route = router.post("collections/").mock(
        side_effect=replies(unavailable(), httpx.Response(201, json={"data": {"food": []}}))
    )
    result = await client.collections.upsert("food", [{"id": "1", "name": "x"}])
    assert (route.call_count, result.retries_taken) == (2, 1)


async def test_waiting_for_a_slot_counts_inside_the_deadline(router: respx.Router) -> None:
    """A slot held for ever (a stuck call) cannot hang the calls queued behind it."""
    import time

    release = anyio.Event()

    async def stuck(request: httpx.Request) -> httpx.Response:
        await release.wait()
        return httpx.Response(200, json=PAGE)

    router.get("feed/user/stuck/").mock(side_effect=stuck)
    router.get("feed/user/1/").respond(200, json=PAGE)
    http = httpx.AsyncClient(transport=httpx.MockTransport(router.async_handler))
    client = AsyncStreamClient(
        api_key=API_KEY,
        api_secret=API_SECRET,
        base_url=BASE_URL,
        http_client=http,
        max_concurrency=1,
        timeout=0.2,
        total_timeout=0.5,
    )
    async with anyio.create_task_group() as tg:
        tg.start_soon(client.with_options(timeout=30, total_timeout=60).feed("user", "stuck").get)
        await anyio.sleep(0.05)
        started = time.monotonic()
        with pytest.raises(
            errors.APITimeoutError,
            match=r"after 0\.5s before sending \(no slot came free under max_concurrency\)",
        ) as info:
            await client.feed("user", "1").get()
        elapsed = time.monotonic() - started
        release.set()
    assert 0.3 < elapsed < 2.0  # generous: the deadline is 0.5 s
    assert not info.value.may_have_been_applied
    await assert_all_slots_free(client, 1)
    await http.aclose()


def test_pause_starts_only_when_the_window_is_exhausted() -> None:
    import time

    from stream_async._transport import HttpPool

    pool = HttpPool(None, transport="httpx", max_connections=1, max_concurrency=1)
    reset = str(int(time.time()) + 30).encode()
    pool.note_rate_limit([(b"X-RateLimit-Remaining", b"3"), (b"x-ratelimit-reset", reset)])
    assert pool.pause() == 0.0
    pool.note_rate_limit([(b"X-RateLimit-Remaining", b" 0"), (b"x-ratelimit-reset", b"soon")])
    assert pool.pause() == 0.0
    pool.note_rate_limit([(b"X-RateLimit-Remaining", b"0"), (b"x-ratelimit-reset", reset)])
    assert 20 < pool.pause() <= 30
