"""A real browser for the inspector's tests: Debian's Chromium driven by Playwright.

Playwright launches the system's ``/usr/bin/chromium`` (it never downloads a browser).
Without it the tests skip, naming the command that installs it; when ``CI`` is set a
missing browser fails them instead, so CI cannot pass without running them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
INSTALL = "apt-get update && apt-get install -y chromium chromium-driver"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "inspector"
"""Where the browser tests save a screenshot of each page they visit (git ignores build/)."""


def _missing(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so the browser tests must run)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Chromium, shared by a module's tests. Playwright's synchronous API runs an
    event loop in this thread while it is open, so it is closed before other modules run
    (their ``asyncio.run`` would fail)."""
    if not CHROMIUM.exists():
        _missing(f"Chromium is not installed at {CHROMIUM}; run: {INSTALL}")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """The folder the screenshots go to (created when missing)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
