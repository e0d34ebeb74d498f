"""Every result's ``duration``: the server's raw string, and ``duration_ms`` as a number."""

from __future__ import annotations

import pytest

from stream_async import AsyncStreamClient
from stream_async.models._base import EmptyResponse


@pytest.mark.parametrize(
    ("raw", "ms"),
    [
        # api-semantics.md "Responses": "<n.nn>ms", seen "6.58ms", "0.14ms"; older "4ms"
        ("0.20ms", 0.2),
        ("6.58ms", 6.58),
        ("419.81ms", 419.81),
        ("4ms", 4.0),
        ("10", 10.0),
        ("1.5s", 1500.0),
        ("250us", 0.25),
        (" 3.50ms ", 3.5),
        (".5ms", 0.5),
    ],
)
def test_duration_ms_is_the_number_of_milliseconds(raw: str, ms: float) -> None:
    response = EmptyResponse.model_validate({"duration": raw})
    assert response.duration == raw  # the raw string is kept
    assert response.duration_ms == pytest.approx(ms)


@pytest.mark.parametrize("raw", [None, "", "fast", "3 minutes", "-1ms", "1.2.3ms"])
def test_duration_ms_is_none_without_a_number(raw: str | None) -> None:
    assert EmptyResponse.model_validate({"duration": raw}).duration_ms is None


@pytest.mark.anyio
async def test_a_page_from_the_emulator_has_both(stream_client: AsyncStreamClient) -> None:
    page = await stream_client.feed("user", "alice").get()
    assert page.duration is not None
    assert page.duration.endswith("ms")
    assert page.duration_ms == float(page.duration.removesuffix("ms"))
    assert "duration_ms" not in page.model_dump()  # computed, not a field of the body
