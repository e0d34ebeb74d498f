"""The emulator over a real loopback socket, driven by the unmodified official client."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

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
