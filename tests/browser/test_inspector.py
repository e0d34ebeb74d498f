"""The inspector in a real browser: an app writes through the SDK to an emulator on a loopback
socket; Chromium opens the overview, follows links to a feed, an activity and the request
log, checks what is on screen (and that new writes appear without a reload), and saves a
screenshot of each page."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from playwright.sync_api import Browser, HttpCredentials, Page, Request, expect

from stream_async import AsyncStreamClient, errors
from stream_async.emulator import Emulator, EmulatorConfig
from stream_async.testing import EmulatorServer, serve_emulator

pytestmark = [pytest.mark.browser, pytest.mark.socket]

SCRIPT = "<script>window.injected = true</script>"
POLL_WAIT_MS = 10_000
"""How long a test waits for a refresh that polling brings every two seconds."""


async def _write(client: AsyncStreamClient) -> None:
    """What the app wrote: alice posts, bob's timeline follows her, reactions, a bad read."""
    await client.feed("timeline", "bob").follow("user:alice")
    for number in range(1, 4):
        await client.feed("user", "alice").add_activity(
            {
                "actor": "user:alice",
                "verb": "post",
                "object": f"post:{number}",
                "foreign_id": f"post:{number}",
                "time": f"2024-05-01T10:0{number}:00",
                "caption": SCRIPT if number == 3 else f"caption {number}",
            }
        )
    page = await client.feed("timeline", "bob").get()
    newest = page.results[0].id
    like = await client.reactions.add("like", newest, user_id="bob")
    await client.reactions.add_child("reply", like.id, user_id="alice", data={"text": "thanks"})
    await client.users.add("alice", {"name": "Alice"})
    with pytest.raises(errors.FeedConfigError):
        await client.feed("missing", "x").get()


@pytest.fixture
def server() -> Iterator[EmulatorServer]:
    with serve_emulator() as running:
        _with_client(running, _write)
        yield running


Work = Callable[[AsyncStreamClient], Awaitable[None]]


def _with_client(server: EmulatorServer, work: Work) -> None:
    """Run ``work`` with an SDK client of ``server``, on its own event loop in another thread
    (Playwright's synchronous API runs one in this thread)."""

    async def run() -> None:
        async with server.client() as client:
            await work(client)

    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, run()).result()


def _open(
    browser: Browser, *, credentials: HttpCredentials | None = None
) -> tuple[Page, list[str]]:
    """A new page (signing in with ``credentials``) that records every URL it requests."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 800}, http_credentials=credentials
    )
    page = context.new_page()
    requested: list[str] = []

    def record(request: Request) -> None:
        requested.append(request.url)

    page.on("request", record)
    return page, requested


def test_overview_feed_activity_and_log(
    browser: Browser, server: EmulatorServer, screenshots: Path
) -> None:
    base = server.base_url
    page, requested = _open(browser)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: dialogs.append(dialog.message))

    page.goto(f"{base}/")
    expect(page).to_have_url(f"{base}/inspector/")
    expect(page.locator("h1")).to_have_text("Overview")
    # feed, kind, activities, followers, following
    expect(page.locator("table.feeds tbody td")).to_have_text(
        ["timeline:bob", "flat", "3", "0", "1", "user:alice", "flat", "3", "1", "0"]
    )
    expect(page.locator("#total-activities")).to_have_text("3")
    expect(page.locator("#total-reactions")).to_have_text("2")
    expect(page.locator("#total-users")).to_have_text("1")
    page.screenshot(path=screenshots / "overview.png", full_page=True)

    page.get_by_role("link", name="timeline:bob").click()
    expect(page).to_have_url(f"{base}/inspector/feeds/timeline/bob")
    expect(page.locator("h1")).to_have_text("Feed timeline:bob")
    activities = page.locator("table.activities tbody tr")
    expect(activities.locator("td:nth-child(5)")).to_have_text(["post:3", "post:2", "post:1"])
    expect(activities.locator("td:nth-child(7)")).to_have_text(["user:alice"] * 3)
    first = activities.first
    expect(first.locator("details")).not_to_have_attribute("open", "")
    first.locator("summary").click()
    expect(first.locator("details pre")).to_have_text(f'{{\n  "caption": "{SCRIPT}"\n}}')
    expect(page.locator("ul.following a")).to_have_text(["user:alice"])
    page.screenshot(path=screenshots / "feed.png", full_page=True)

    _with_client(server, _post_fourth)
    expect(activities).to_have_count(4, timeout=POLL_WAIT_MS)  # refreshed without a reload
    expect(activities.first.locator("td:nth-child(5)")).to_have_text("post:4")

    newest_id = activities.nth(1).locator("td.id a").inner_text()
    activities.nth(1).locator("td.id a").click()
    expect(page).to_have_url(f"{base}/inspector/activities/{newest_id}")
    expect(page.locator("pre.json")).to_contain_text(f'"caption": "{SCRIPT}"')
    expect(page.locator("table.placements tbody td")).to_have_text(
        ["timeline:bob", "fan-out from user:alice", "user:alice", "direct"]
    )
    tree = page.locator("section > ul.reactions > li")
    expect(tree.locator("> b")).to_have_text(["like"])
    expect(tree.locator("ul.reactions > li > b")).to_have_text(["reply"])
    page.screenshot(path=screenshots / "activity.png", full_page=True)

    page.get_by_role("link", name="Request log").click()
    expect(page).to_have_url(f"{base}/inspector/log")
    log = page.locator("table.log tbody tr")
    expect(log.first.locator("td.path")).to_have_text("/api/v1.0/feed/user/alice/")
    expect(log.first.locator("td.status")).to_have_text("201")
    expect(log.first.locator("td.scope")).to_have_text(
        "server resource=feed action=write feed_id=useralice"
    )
    failed = page.locator("table.log tr.error")
    expect(failed.locator("td.path")).to_have_text(["/api/v1.0/feed/missing/x/"])
    expect(failed.locator("pre.error-body")).to_contain_text('"exception": "FeedConfigException"')
    page.screenshot(path=screenshots / "log.png", full_page=True)

    _with_client(server, _read_bob)
    expect(log.first.locator("td.path")).to_have_text(
        "/api/v1.0/feed/timeline/bob/", timeout=POLL_WAIT_MS
    )

    page.get_by_role("searchbox", name="Search").fill("post:2")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(f"{base}/inspector/?q=post%3A2")
    found = page.locator("section.results a")
    expect(found).to_have_count(1)
    expect(found).to_contain_text("(foreign_id post:2)")
    found.click()
    expect(page.locator("pre.json")).to_contain_text('"foreign_id": "post:2"')

    assert page.evaluate("window.injected === undefined")
    assert dialogs == []
    assert all(url.startswith(f"{base}/") for url in requested), requested
    page.context.close()


async def _post_fourth(client: AsyncStreamClient) -> None:
    await client.feed("user", "alice").add_activity(
        {"actor": "user:alice", "verb": "post", "object": "post:4", "foreign_id": "post:4"}
    )


async def _read_bob(client: AsyncStreamClient) -> None:
    await client.feed("timeline", "bob").get()


def test_off_loopback_the_browser_signs_in_with_the_key_and_secret(
    browser: Browser, screenshots: Path
) -> None:
    emulator = Emulator(EmulatorConfig(host="0.0.0.0"))  # as if bound to every interface
    with serve_emulator(emulator) as running:
        refused, _ = _open(browser)
        response = refused.request.get(f"{running.base_url}/inspector/log")
        assert response.status == 401
        assert response.headers["www-authenticate"].startswith("Basic ")
        refused.context.close()

        credentials: HttpCredentials = {
            "username": running.api_key,
            "password": running.api_secret,
        }
        page, _ = _open(browser, credentials=credentials)
        page.goto(f"{running.base_url}/inspector/log")
        expect(page.locator("p.message")).to_have_text("No requests yet.")
        _with_client(running, _read_bob)
        path = page.locator("table.log td.path")
        expect(path).to_have_text(["/api/v1.0/feed/timeline/bob/"], timeout=POLL_WAIT_MS)
        assert running.api_secret not in page.content()
        page.screenshot(path=screenshots / "log-signed-in.png", full_page=True)
        page.context.close()
