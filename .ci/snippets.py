"""Write the documentation's test modules into a folder, one file per ``python`` block.

    python .ci/snippets.py OUTDIR

The blocks are every ``python`` block under the README's heading "Test your app against Stream
without network" and every ``python`` block of docs/*.md that defines a ``test_`` function.
Each is a complete test module that must pass as written in a project that ran only
``pip install "stream-async[emulator]" pytest`` (``.ci/run`` and ``nox -s snippets`` run
them so). Prints one line per module written; fails when the README heading has no block.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README_HEADING = "## Test your app against Stream without network"
FENCE = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)
TEST_FUNCTION = re.compile(r"^(async )?def test_", re.MULTILINE)


def readme_modules(text: str) -> list[str]:
    """The ``python`` blocks between the README's testing heading and the next ``## ``."""
    start = text.index(f"\n{README_HEADING}\n") + len(README_HEADING) + 2
    end = re.search(r"^## ", text[start:], re.MULTILINE)
    section = text[start:] if end is None else text[start : start + end.start()]
    return FENCE.findall(section)


def docs_modules(text: str) -> list[str]:
    """The ``python`` blocks of a docs page that define a test function."""
    return [block for block in FENCE.findall(text) if TEST_FUNCTION.search(block)]


def modules(root: Path = ROOT) -> dict[str, str]:
    """File name -> source of every documented test module."""
    found: dict[str, str] = {}
    readme = readme_modules((root / "README.md").read_text(encoding="utf-8"))
    if not readme:
        raise SystemExit(f"README.md has no python block under {README_HEADING!r}")
    for number, block in enumerate(readme, start=1):
        found[f"test_readme_{number}.py"] = block
    for page in sorted((root / "docs").glob("*.md")):
        for number, block in enumerate(docs_modules(page.read_text(encoding="utf-8")), start=1):
            found[f"test_docs_{page.stem}_{number}.py"] = block
    return found


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python .ci/snippets.py OUTDIR", file=sys.stderr)
        return 2
    folder = Path(argv[0])
    folder.mkdir(parents=True, exist_ok=True)
    for name, source in modules().items():
        (folder / name).write_text(source, encoding="utf-8")
        print(folder / name)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
