"""The README's code examples, executed against the emulator so they cannot rot.

Each listed section's ``python`` blocks run in order, as the body of one coroutine, with
``client`` bound to a client of a fresh in-process emulator (and ``post``, an activity, for
the sections that start from one).
"""

from __future__ import annotations

import importlib.util
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest

from stream_async import AsyncStreamClient
from stream_async.testing import free_port

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


pytest_plugins = ["pytester"]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.mark.anyio
async def test_timeouts_retries_and_deadlines_examples(stream_client: AsyncStreamClient) -> None:
    await stream_client.feed("user", "alice").add_activity(
        {"actor": "alice", "verb": "post", "object": "post:1"}
    )
    done = await run(blocks("### Timeouts, retries and deadlines"), client=stream_client)
    assert [a.object for a in done["page"].results] == ["post:1"]
    assert done["followers"].results == []


@pytest.mark.anyio
async def test_feeds_and_activities_examples(stream_client: AsyncStreamClient) -> None:
    done = await run(blocks("## Feeds and activities"), client=stream_client)
    assert done["stats"].results.followers.count == 1
    assert [(a.actor, a.verb, a.object) for a in done["batch"].activities] == [
        ("alice", "like", "post:1")
    ]


@pytest.mark.anyio
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
    assert [u.id for u in done["added"].created_users] == ["bob", "carol"]
    assert [u.id for u in done["some"].users] == ["bob", "carol"]
    assert post.id not in [a.id for a in done["kept"].results]
    assert len(done["kept"].results) == 1  # the users example's post by SU:alice
    assert done["exported"].export.user_id == "alice"
    assert done["exported"].export.activity_ids == []  # post (actor "alice") was deleted
    # the data-privacy deletion above, then the add
    assert [(e.action, e.user_id) for e in done["log"].audit_logs] == [
        ("delete", "alice"),
        ("create", "alice"),
    ]
    assert [e.entity_id for e in done["log"].audit_logs] == [post.id, post.id]
    assert done["flag"].target_user_id == "mallory"
    assert emulator.store.flags(10)[1] == 3


def documented_test_modules() -> dict[str, str]:
    """The README's and docs' test modules, found as CI finds them (``.ci/snippets.py``)."""
    path = README.parent / ".ci" / "snippets.py"
    spec = importlib.util.spec_from_file_location("snippets", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    found: dict[str, str] = module.modules(README.parent)
    return found


def test_the_documented_test_modules_pass_as_written(pytester: pytest.Pytester) -> None:
    modules = documented_test_modules()
    # README "Test your app against Stream without network": two blocks; docs/testing.md: four
    assert sorted(modules) == [
        "test_docs_testing_1.py",
        "test_docs_testing_2.py",
        "test_docs_testing_3.py",
        "test_docs_testing_4.py",
        "test_readme_1.py",
        "test_readme_2.py",
    ]
    for name, source in modules.items():
        pytester.path.joinpath(name).write_text(source, encoding="utf-8")
    # as in a project with only stream-async[emulator] and pytest: no pytest-asyncio
    # (in a subprocess, so that none of this suite's fixtures leak in)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:asyncio")
    # 9 tests; anyio runs the @pytest.mark.anyio one on each backend installed: trio is, here
    result.assert_outcomes(passed=10)


def readme_shell_block(marker: str) -> str:
    """The fenced block after ``<!-- marker -->`` (as .ci/run reads its commands)."""
    text = README.read_text(encoding="utf-8")
    after = text[text.index(f"<!-- {marker} -->\n") :]
    found = re.search(r"```bash\n(.*?)```", after, re.DOTALL)
    assert found is not None
    return found.group(1)


@pytest.mark.socket
def test_the_separate_emulator_recipe_works_as_pasted() -> None:
    recipe = readme_shell_block("separate-emulator")
    # the two servers on distinct ports, the app pointed at the emulator's
    assert "python -m stream_async.emulator --port 8000 &" in recipe
    assert "STREAM_BASE_URL=http://127.0.0.1:8000 " in recipe
    assert recipe.rstrip().endswith("uvicorn examples.fastapi_app:app --port 8080")
    # run it as written, on free loopback ports instead of 8000 and 8080
    emulator_port, app_port = free_port(), free_port()
    command = recipe.replace("8000", str(emulator_port)).replace("8080", str(app_port))
    bin_dir = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": os.pathsep.join([bin_dir, os.environ["PATH"]])}
    env = {k: v for k, v in env.items() if k not in ("STREAM_URL", "STREAM_REGION")}
    process = subprocess.Popen(
        ["bash", "-c", command],
        cwd=README.parent,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        app_url = f"http://127.0.0.1:{app_port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                answer = httpx.put(f"{app_url}/users/alice", json={"name": "Alice"}, timeout=5)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the recipe's app never answered"
                time.sleep(0.2)
        assert answer.status_code == 200, answer.text
        # the user reached the separate emulator, not an embedded one
        user = anyio.run(read_user, f"http://127.0.0.1:{emulator_port}")
        assert user == {"name": "Alice"}
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


async def read_user(base_url: str) -> dict[str, Any]:
    async with AsyncStreamClient(
        api_key="emulator-key",
        api_secret="emulator-secret-do-not-use-in-production",
        base_url=base_url,
    ) as client:
        found = await client.users.get("alice")
    return dict(found.data)


@pytest.mark.anyio
async def test_the_app_lifecycle_example_opens_and_closes_once(
    stream_env: dict[str, str],
) -> None:
    from stream_async.errors import ClientClosedError

    namespace: dict[str, Any] = {}
    exec(blocks("## Opening and closing a client"), namespace)
    app = namespace["App"]()
    await app.startup()
    feed = app.stream.feed("user", "alice")
    await feed.add_activity({"actor": "alice", "verb": "post", "object": "1"})
    assert len((await feed.get()).results) == 1
    await app.shutdown()
    assert app.stream.is_closed
    await app.shutdown()  # closing twice is harmless
    with pytest.raises(ClientClosedError):
        await feed.get()


@pytest.mark.anyio
async def test_what_the_client_side_section_says_works_against_the_emulator() -> None:
    """README "Client-side mode": the emulator applies Stream's default policies to user
    tokens; the section's examples run as written (credentials aside)."""
    from stream_async.errors import NotAllowedError
    from stream_async.testing import client_for, new_emulator

    text = section("### Client-side mode")
    assert "The emulator applies those default policies to user tokens" in text
    assert "--feed-group notification:notification:private" in text
    emulator = new_emulator()
    server_client = client_for(emulator)
    await server_client.feed("timeline", "bob").add_activity(
        {"actor": "SU:bob", "verb": "post", "object": "secret"}
    )
    token = server_client.create_user_token("alice")
    user = client_for(emulator, api_secret=None, token=token)
    await user.users.add("alice", {"name": "Alice"}, get_or_create=True)
    await user.collections.add("food", {"name": "Soup"})
    await user.files.upload(b"hello", filename="hello.txt")
    # the section's user-token example, against this emulator
    await run(
        FENCE.findall(text)[1].replace(
            'AsyncStreamClient(api_key="...", token=token)',
            "client_for(emulator, api_secret=None, token=token)",
        ),
        token=token,
        client_for=client_for,
        emulator=emulator,
    )
    page = await server_client.feed("user", "alice").get()
    assert [a.object for a in page.results] == ["post:1"]
    assert [
        f.target_id for f in (await server_client.feed("timeline", "alice").following()).results
    ] == ["user:bob"]
    with pytest.raises(NotAllowedError):
        await user.feed("timeline", "bob").get()
    with pytest.raises(NotAllowedError):
        await user.feed("user", "alice").add_activity(
            {"actor": "SU:bob", "verb": "post", "object": "2"}
        )
    # the README's feed-scope token reads and writes its feed
    namespace = await run(
        FENCE.findall(text)[2].replace(
            'AsyncStreamClient(api_key="...", token=feed_token)',
            "client_for(emulator, api_secret=None, token=feed_token)",
        ),
        server_client=server_client,
        client_for=client_for,
        emulator=emulator,
        AsyncStreamClient=AsyncStreamClient,
    )
    feed = namespace["client"].feed("user", "alice")
    await feed.add_activity({"actor": "alice", "verb": "post", "object": "3"})
    assert [a.object for a in (await feed.get()).results] == ["3", "post:1"]
