"""A planted secret, and the tokens made from it, never reach a log, a repr or an error."""

from __future__ import annotations

import logging

import httpx
import pytest
import respx

from stream_async import APIConnectionError, AsyncStreamClient, StreamError
from tests.conftest import API_KEY, BASE_URL
from tests.servers import free_port

pytestmark = pytest.mark.anyio

PLANTED = "planted-secret-5f2a9c1e7b3d4a6f8e0c2b4d6f8a0c2e"


async def test_secret_and_tokens_stay_out_of_logs_reprs_and_errors(
    caplog: pytest.LogCaptureFixture, router: respx.Router
) -> None:
    caplog.set_level(logging.DEBUG)
    router.get("feed/user/1/").respond(
        400, json={"code": 4, "detail": "bad", "exception": "InputException"}
    )
    router.post("feed/user/1/").respond(500, text="<html>oops</html>")
    http = httpx.AsyncClient(transport=httpx.MockTransport(router.async_handler))
    client = AsyncStreamClient(
        api_key=API_KEY, api_secret=PLANTED, base_url=BASE_URL, http_client=http
    )
    seen: list[str] = [repr(client), repr(client._transport), repr(client._signer)]
    for call in (
        client.feed("user", "1").get(),
        client.feed("user", "1").add_activity({"actor": "a", "verb": "v", "object": "o"}),
    ):
        with pytest.raises(StreamError) as info:
            await call
        seen += [str(info.value), repr(info.value)]
    tokens = [call.request.headers["Authorization"] for call in router.calls]
    assert len(tokens) == 2

    refused = AsyncStreamClient(
        api_key=API_KEY, api_secret=PLANTED, base_url=f"http://127.0.0.1:{free_port()}"
    )
    with pytest.raises(APIConnectionError) as info:
        await refused.feed("user", "1").get()
    seen += [str(info.value), repr(info.value), repr(refused)]
    await refused.aclose()
    await client.aclose()
    await http.aclose()

    seen += [record.getMessage() for record in caplog.records]
    text = "\n".join(seen)
    assert PLANTED not in text
    for token in tokens:
        assert token not in text
        assert token.split(".")[2] not in text


def test_client_side_token_stays_out_of_repr() -> None:
    token = "header.payload.signature-value-that-is-secret"
    client = AsyncStreamClient(api_key=API_KEY, token=token)
    assert "signature-value" not in repr(client)
    assert "signature-value" not in repr(client._transport)
