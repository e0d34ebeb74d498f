"""The README's quickstart runs offline against the embedded emulator and exits 0."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from stream_async.testing import EmulatorServer

QUICKSTART = Path(__file__).resolve().parents[2] / "examples" / "quickstart.py"


def run_quickstart(**extra: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STREAM_")} | extra
    done = subprocess.run(
        [sys.executable, str(QUICKSTART)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_quickstart_runs_offline() -> None:
    out = run_quickstart()
    assert "embedded emulator" in out
    assert "follows user:alice-" in out
    assert "Alice post picture:1 reactions={'comment': 1, 'like': 1}" in out
    assert "errors are typed: FeedConfigError" in out


def test_quickstart_names_the_host_from_the_environment(
    stream_emulator_server: EmulatorServer,
) -> None:
    out = run_quickstart(**stream_emulator_server.environ)
    first = out.splitlines()[0]
    assert first == (
        f"Using {stream_emulator_server.base_url} (credentials found in the environment)"
    )
    assert first.startswith("Using http://127.0.0.1:")
    assert "Alice post picture:1 reactions={'comment': 1, 'like': 1}" in out


def test_quickstart_names_the_region_of_a_stream_url() -> None:
    from examples.quickstart import where

    from stream_async import AsyncStreamClient

    client = AsyncStreamClient(api_key="k", api_secret="s", location="eu-west")
    assert where(client) == "Stream (eu-west region)"
    assert where(AsyncStreamClient(api_key="k", api_secret="s")) == "Stream (default region)"
