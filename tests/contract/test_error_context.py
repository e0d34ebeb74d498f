"""Every error of a request names the method and path it belongs to (service and path, no
query), on every sender: API errors, unreadable answers, connection errors and timeouts;
and no message or repr carries the token, the secret or the api key's query.

Paths from stream-rest-api.txt, "User Detail" (user/(id)/) and "Reactions Detail"
(reaction/(id)/).
"""

from __future__ import annotations

import threading

import jwt
import pytest

from stream_async import AsyncStreamClient, errors
from stream_async.testing import free_port
from tests.conftest import API_KEY, API_SECRET
from tests.contract.conftest import Sender
from tests.support.recording import Recorded, RecordingServer, Reply

pytestmark = [pytest.mark.asyncio, pytest.mark.socket]

TOKEN = jwt.encode({"user_id": "eric"}, API_SECRET, algorithm="HS256")


def assert_no_secret(error: BaseException) -> None:
    for shown in (str(error), repr(error)):
        assert API_SECRET not in shown
        assert TOKEN not in shown
        assert "api_key=" not in shown
        assert "eyJ" not in shown  # no JWT at all


async def test_an_api_error_names_its_request(
    sdk: AsyncStreamClient, server: RecordingServer
) -> None:
    server.script(Reply(404, {"detail": "nope", "code": 16, "exception": "DoesNotExistException"}))
    with pytest.raises(errors.DoesNotExistError) as info:
        await sdk.users.get("alice")
    assert (info.value.method, info.value.path) == ("GET", "api/user/alice/")
    assert "on GET api/user/alice/" in str(info.value)
    assert_no_secret(info.value)


async def test_an_unreadable_answer_names_its_request(
    sdk: AsyncStreamClient, server: RecordingServer
) -> None:
    server.script(Reply(200, body=b"<html>ok</html>"))
    with pytest.raises(errors.InvalidResponseError) as info:
        await sdk.reactions.get("r-1")
    assert (info.value.method, info.value.path) == ("GET", "api/reaction/r-1/")
    assert "on GET api/reaction/r-1/" in str(info.value)
    assert_no_secret(info.value)


@pytest.mark.parametrize("side", ["server", "user"])
async def test_a_refused_connection_names_its_request(sender: Sender, side: str) -> None:
    async with AsyncStreamClient(
        api_key=API_KEY,
        api_secret=API_SECRET if side == "server" else None,
        token=None if side == "server" else TOKEN,
        base_url=f"http://127.0.0.1:{free_port()}",
        transport=sender,
        max_retries=0,
    ) as client:
        with pytest.raises(errors.APIConnectionError) as info:
            await client.users.update("alice", {"name": "Alice"})
    assert type(info.value) is errors.APIConnectionError
    assert (info.value.method, info.value.path) == ("PUT", "api/user/alice/")
    assert str(info.value).endswith("(PUT api/user/alice/)")
    assert_no_secret(info.value)


async def test_a_timeout_names_its_request(sdk: AsyncStreamClient, server: RecordingServer) -> None:
    released = threading.Event()

    def held(_: Recorded) -> Reply:
        released.wait(10)
        return Reply()

    server.script(held)
    try:
        with pytest.raises(errors.APITimeoutError) as info:
            await sdk.reactions.delete("r-1", timeout=0.2, max_retries=0)
    finally:
        released.set()
    assert (info.value.method, info.value.path) == ("DELETE", "api/reaction/r-1/")
    assert str(info.value) == "request timed out after 0.2s (DELETE api/reaction/r-1/)"
    assert_no_secret(info.value)
