"""examples/fastapi_app.py driven through httpx against the emulator."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio

from examples import fastapi_app
from stream_async.emulator import Emulator
from stream_async.testing import FaultInjector, client_for


@pytest.fixture
def faults(stream_emulator: Emulator) -> FaultInjector:
    return FaultInjector(stream_emulator.app)


@pytest_asyncio.fixture
async def http(
    stream_emulator: Emulator, faults: FaultInjector
) -> AsyncIterator[httpx.AsyncClient]:
    app = fastapi_app.create_app(lambda: client_for(stream_emulator, app=faults))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://app") as client:
            yield client


@pytest.mark.asyncio
async def test_post_follow_like_and_read_an_enriched_timeline(http: httpx.AsyncClient) -> None:
    assert (await http.put("/users/alice", json={"name": "Alice"})).status_code == 200
    assert (await http.put("/users/alice", json={"name": "Alice B."})).json()["data"] == {
        "name": "Alice B."
    }
    assert (await http.post("/users/bob/follow/alice")).status_code == 204
    created = await http.post("/users/alice/posts", json={"text": "hello"})
    assert created.status_code == 201
    post = created.json()
    assert post["author"] == "alice"
    assert post["text"] == "hello"

    assert (await http.post(f"/users/bob/likes/{post['id']}")).status_code == 201
    timeline = (await http.get("/users/bob/timeline")).json()
    assert [(p["id"], p["author"], p["author_name"]) for p in timeline] == [
        (post["id"], "alice", "Alice B.")
    ]
    assert timeline[0]["likes"] == 1
    assert timeline[0]["liked"] is True

    assert (await http.delete("/users/bob/follow/alice")).status_code == 204
    assert (await http.get("/users/bob/timeline")).json() == []


@pytest.mark.asyncio
async def test_stream_errors_become_http_errors(
    http: httpx.AsyncClient, faults: FaultInjector
) -> None:
    bad = await http.post("/users/not valid/follow/alice")
    assert bad.status_code == 422
    assert "user_id" in bad.json()["detail"]
    faults.fail(404, path="/reaction/")
    missing = await http.post("/users/bob/likes/00000000-0000-0000-0000-000000000000")
    assert missing.status_code == 404


@pytest.mark.asyncio
async def test_the_default_client_comes_from_the_environment(
    stream_env: dict[str, str],
) -> None:
    client = fastapi_app.client_from_env()
    async with client:
        assert client.base_url == stream_env["STREAM_BASE_URL"]


def test_without_credentials_the_app_embeds_an_emulator(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("STREAM_API_KEY", "STREAM_URL"):
        monkeypatch.delenv(name, raising=False)
    client = fastapi_app.client_from_env()
    assert client.api_key == "emulator-key"
    assert "embedded emulator" in capsys.readouterr().out
