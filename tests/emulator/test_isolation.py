"""The emulator shares no code with the SDK, and the SDK never imports the emulator."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import stream_async.emulator

PACKAGE = Path(stream_async.emulator.__file__).parent


def _imported_modules(path: Path) -> set[str]:
    modules: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module is not None:
            modules.add(node.module)
    return modules


def test_emulator_imports_nothing_else_from_the_package() -> None:
    for path in sorted(PACKAGE.glob("*.py")):
        for module in _imported_modules(path):
            if module.split(".")[0] == "stream_async":
                assert module.startswith("stream_async.emulator"), f"{path.name}: {module}"


def test_importing_the_sdk_does_not_import_the_emulator() -> None:
    code = (
        "import sys, stream_async\n"
        "loaded = [m for m in sys.modules if m.startswith('stream_async.emulator')]\n"
        "assert not loaded, loaded\n"
    )
    src = str(PACKAGE.parents[1])
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
        env={**os.environ, "PYTHONPATH": src},
    )
    assert result.returncode == 0, result.stderr
