"""The README's quickstart runs offline against the embedded emulator and exits 0."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

QUICKSTART = Path(__file__).resolve().parents[2] / "examples" / "quickstart.py"


def test_quickstart_runs_offline() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STREAM_")}
    done = subprocess.run(
        [sys.executable, str(QUICKSTART)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "embedded emulator" in out
    assert "follows user:alice-" in out
    assert "Alice post picture:1 reactions={'comment': 1, 'like': 1}" in out
    assert "errors are typed: FeedConfigError" in out
