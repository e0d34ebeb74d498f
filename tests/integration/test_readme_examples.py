"""The README's code examples, executed against the emulator so they cannot rot.

Each listed section's ``python`` blocks run in order, as the body of one coroutine, with
``client`` bound to a client of a fresh in-process emulator (and ``post``, an activity, for
the sections that start from one).
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path
from typing import Any

import pytest

from stream_async import AsyncStreamClient

README = Path(__file__).resolve().parents[2] / "README.md"
FENCE = re.compile(r"```python\n(.*?)```", re.DOTALL)


def section(title: str) -> str:
    """The README text under the heading ``title`` up to the next heading of its level."""
    text = README.read_text(encoding="utf-8")
    level = title.split(" ", 1)[0]
    start = text.index(f"\n{title}\n")
    rest = text[start + len(title) + 2 :]
    end = re.search(rf"^{level} ", rest, re.MULTILINE)
    return rest if end is None else rest[: end.start()]


async def run(code: str, **names: Any) -> dict[str, Any]:
    """Run ``code`` as the body of a coroutine with ``names`` in scope; return its locals."""
    body = textwrap.indent(code + "\nreturn locals()\n", "    ")
    namespace: dict[str, Any] = dict(names)
    exec(f"async def __example__():\n{body}", namespace)
    result: dict[str, Any] = await namespace["__example__"]()
    return result


def blocks(title: str) -> str:
    found = FENCE.findall(section(title))
    assert found, f"no python examples under {title!r}"
    return "\n".join(found)


pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def test_feeds_and_activities_examples(stream_client: AsyncStreamClient) -> None:
    done = await run(blocks("## Feeds and activities"), client=stream_client)
    assert done["stats"].results.followers.count == 1
    assert [(a.actor, a.verb, a.object) for a in done["batch"].activities] == [
        ("alice", "like", "post:1")
    ]


async def test_resource_examples(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    import httpx
    from PIL import Image

    from stream_async.emulator import EmulatorConfig
    from stream_async.testing import client_for, new_emulator

    def og_page(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200,
            text='<meta property="og:title" content="Stream" />'
            '<meta property="og:image" content="https://getstream.io/a.png" />',
        )

    emulator = new_emulator(EmulatorConfig(og_transport=httpx.MockTransport(og_page)))
    client = client_for(emulator)
    # the files the examples upload
    monkeypatch.chdir(tmp_path)
    (tmp_path / "report.pdf").write_bytes(b"%PDF-1.4 example")
    (tmp_path / "video.mp4").write_bytes(b"\x00" * 1024)
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "blue").save(buffer, format="JPEG")
    (tmp_path / "photo.jpg").write_bytes(buffer.getvalue())
    post = await client.feed("user", "alice").add_activity(
        {"actor": "alice", "verb": "post", "object": "picture:1"}
    )

    done = await run(
        blocks("## Reactions, users, collections, files, images, Open Graph"),
        client=client,
        post=post,
    )
    assert done["og"].title == "Stream"
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=emulator.app)) as http:
        thumb = await http.get(done["thumb"].file)
    assert done["thumb"].file != done["image"].file
    assert Image.open(io.BytesIO(thumb.content)).size == (100, 100)
    assert [(o.id, o.data) for o in done["found"].objects] == [
        ("fries", {"id": "fries", "name": "Fries"}),
        ("shake", {"id": "shake", "name": "Shake"}),
    ]
    assert len(emulator.store.analytics_events) == 2
