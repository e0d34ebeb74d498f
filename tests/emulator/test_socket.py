"""The emulator over a real loopback socket, driven by the unmodified official client."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import stream
import uvicorn
from stream import exceptions

from stream_async.emulator import EmulatorConfig, create_app

pytestmark = pytest.mark.socket

CONFIG = EmulatorConfig(api_key="socketkey", api_secret="socket-secret-long-enough-for-hs256-0123")


@pytest.fixture
def port() -> Iterator[int]:
    """Serve a fresh emulator with uvicorn on a free loopback port, in a thread."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(create_app(CONFIG), log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.01)
    yield listener.getsockname()[1]
    server.should_exit = True
    thread.join(timeout=10)
    listener.close()


def test_official_client_against_the_emulator(port: int, monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in ("LOCAL", "STREAM_URL", "STREAM_REGION"):
        monkeypatch.delenv(variable, raising=False)
    client = stream.connect(CONFIG.api_key, CONFIG.api_secret, base_url=f"http://localhost:{port}")
    user = client.feed("user", "1")
    timeline = client.feed("timeline", "1")

    added = user.add_activity(
        {"actor": "alice", "verb": "post", "object": "note:1", "foreign_id": "note:1", "n": 1}
    )
    assert added["duration"].endswith("ms")
    assert added["object"] == "note:1"

    timeline.follow("user", "1")
    later = user.add_activity({"actor": "alice", "verb": "post", "object": "note:2"})
    page = timeline.get(limit=10)
    assert [item["id"] for item in page["results"]] == [later["id"], added["id"]]
    assert {item["origin"] for item in page["results"]} == {"user:1"}
    assert page["next"] == ""

    assert [f["target_id"] for f in timeline.following()["results"]] == ["user:1"]
    assert [f["feed_id"] for f in user.followers()["results"]] == ["timeline:1"]

    user.remove_activity(foreign_id="note:1")
    assert [item["id"] for item in timeline.get()["results"]] == [later["id"]]
    user.remove_activity(later["id"])
    assert timeline.get()["results"] == []

    timeline.unfollow("user", "1")
    assert timeline.following()["results"] == []

    with pytest.raises(exceptions.FeedConfigException):
        client.feed("nope", "1").get()


def test_official_client_reactions_users_collections(
    port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    for variable in ("LOCAL", "STREAM_URL", "STREAM_REGION"):
        monkeypatch.delenv(variable, raising=False)
    client = stream.connect(CONFIG.api_key, CONFIG.api_secret, base_url=f"http://localhost:{port}")
    activity = client.feed("user", "1").add_activity({"actor": "a", "verb": "post", "object": "o"})

    user = client.users.add("alice", {"name": "Alice"})
    assert user["data"] == {"name": "Alice"}
    assert client.users.add("alice", {"x": 1}, get_or_create=True)["data"] == {"name": "Alice"}
    assert client.users.get("alice")["id"] == "alice"
    assert client.users.update("alice", {"name": "Al"})["data"] == {"name": "Al"}

    like = client.reactions.add("like", activity["id"], "alice", data={"n": 1})
    assert like["user"]["data"] == {"name": "Al"}
    child = client.reactions.add_child("reply", like["id"], "bob", data={"text": "hi"})
    assert child["parent"] == like["id"]
    assert client.reactions.get(like["id"])["children_counts"] == {"reply": 1}
    assert client.reactions.update(like["id"], data={"n": 2})["data"] == {"n": 2}
    page = client.reactions.filter(activity_id=activity["id"], kind="like", limit=5)
    assert [item["id"] for item in page["results"]] == [like["id"]]
    assert [c["id"] for c in client.reactions.filter(reaction_id=like["id"])["results"]] == [
        child["id"]
    ]
    client.reactions.delete(like["id"])
    with pytest.raises(exceptions.DoesNotExistException):
        client.reactions.get(like["id"])

    client.users.delete("alice")
    with pytest.raises(exceptions.DoesNotExistException):
        client.users.get("alice")

    added = client.collections.add("food", {"slices": 8}, id="pizza")
    assert added["foreign_id"] == "food:pizza"
    assert client.collections.get("food", "pizza")["data"] == {"slices": 8}
    assert client.collections.update("food", "pizza", {"slices": 6})["data"] == {"slices": 6}
    client.collections.upsert("food", [{"id": "soup", "hot": True}, {"id": "tea"}])
    selected = client.collections.select("food", ["pizza", "soup", "tea"])
    assert [item["id"] for item in selected["response"]["data"]] == ["pizza", "soup", "tea"]
    client.collections.delete_many("food", ["soup", "tea"])
    assert [
        i["id"] for i in client.collections.select("food", ["soup", "pizza"])["response"]["data"]
    ] == ["pizza"]
    client.collections.delete("food", "pizza")
    with pytest.raises(exceptions.DoesNotExistException):
        client.collections.get("food", "pizza")


def test_registered_og_pages_and_body_limits_over_a_socket() -> None:
    from stream_async.testing import serve_emulator
    from tests.emulator.conftest import ADMIN

    page = '<meta property="og:title" content="Registered">'
    with serve_emulator() as server:
        server.register_og_page(url="https://example.test/a", html=page)
        params = {"api_key": server.api_key, "url": "https://example.test/a"}
        headers = {"Authorization": ADMIN, "stream-auth-type": "jwt"}
        og = httpx.get(f"{server.base_url}/api/v1.0/og/", params=params, headers=headers)
        assert og.json()["title"] == "Registered"
        too_big = httpx.post(
            f"{server.base_url}/api/v1.0/feed/user/1/",
            params={"api_key": server.api_key},
            content=b" " * (5 * 1024 * 1024 + 1),
        )
        assert too_big.status_code == 413
        assert too_big.json()["code"] == 18
