"""examples/aiohttp_app.py under aiohttp's test server, against the emulator."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from examples import aiohttp_app
from stream_async.emulator import Emulator
from stream_async.testing import EmulatorServer, FaultInjector, client_for

Client = TestClient[web.Request, web.Application]


@pytest.fixture
def faults(stream_emulator: Emulator) -> FaultInjector:
    return FaultInjector(stream_emulator.app)


@pytest_asyncio.fixture
async def http(stream_emulator: Emulator, faults: FaultInjector) -> AsyncIterator[Client]:
    app = aiohttp_app.create_app(lambda: client_for(stream_emulator, app=faults))
    async with TestClient(TestServer(app)) as client:
        yield client


@pytest.mark.asyncio
async def test_post_follow_like_and_read_the_timeline(http: Client) -> None:
    assert (await http.post("/users/bob/follow/alice")).status == 204
    created = await http.post("/users/alice/posts", json={"text": "hello"})
    assert created.status == 201
    post = await created.json()
    assert (post["author"], post["text"]) == ("alice", "hello")
    assert (await http.post(f"/users/bob/likes/{post['id']}")).status == 201
    timeline = await (await http.get("/users/bob/timeline", params={"limit": "5"})).json()
    assert [(p["id"], p["likes"]) for p in timeline] == [(post["id"], 1)]


@pytest.mark.asyncio
async def test_stream_errors_become_http_errors(http: Client, faults: FaultInjector) -> None:
    bad = await http.post("/users/not valid/follow/alice")
    assert bad.status == 422
    faults.fail(404, path="/reaction/")
    missing = await http.post("/users/bob/likes/00000000-0000-0000-0000-000000000000")
    assert missing.status == 404


@pytest.mark.socket
@pytest.mark.asyncio
async def test_the_app_against_the_emulator_over_a_socket(
    stream_env: dict[str, str], stream_emulator_server: EmulatorServer
) -> None:
    async with TestClient(TestServer(aiohttp_app.create_app())) as http:
        created = await http.post("/users/carol/posts", json={"text": "over the wire"})
        assert created.status == 201
        await http.post("/users/dave/follow/carol")
        timeline = await (await http.get("/users/dave/timeline")).json()
        assert [p["text"] for p in timeline] == ["over the wire"]


def test_without_credentials_the_app_embeds_an_emulator(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("STREAM_API_KEY", "STREAM_URL"):
        monkeypatch.delenv(name, raising=False)
    assert aiohttp_app.client_from_env().api_key == "emulator-key"
    assert "embedded emulator" in capsys.readouterr().out
