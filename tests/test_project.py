"""The project's own files: what pyproject claims, the changelog's form, the contributing
guide against the nox sessions, and the docs session's environment."""

from __future__ import annotations

import importlib.metadata
import re
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]


def metadata() -> importlib.metadata.PackageMetadata:
    """The installed package's metadata, built from pyproject.toml (what an index shows)."""
    return importlib.metadata.metadata("stream-async")


def test_classifiers_claim_only_the_python_ci_runs() -> None:
    classifiers = metadata().get_all("Classifier") or []
    versions = [c for c in classifiers if c.startswith("Programming Language :: Python")]
    assert versions == [
        "Programming Language :: Python :: 3",
        "Programming Language :: Python :: 3.11",
    ]
    assert metadata()["Requires-Python"] == ">=3.10"


def test_urls_name_the_documentation_changelog_and_issues() -> None:
    repo = "https://github.com/stream-async/stream-async"
    assert sorted(metadata().get_all("Project-URL") or []) == [
        f"Changelog, {repo}/blob/main/CHANGELOG.md",
        f"Documentation, {repo}/tree/main/docs",
        f"Issues, {repo}/issues",
        f"Source, {repo}",
    ]


def test_the_changelog_keeps_a_changelog_with_this_version() -> None:
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    version = re.search(
        r'__version__ = "([^"]+)"', (ROOT / "src/stream_async/_version.py").read_text()
    )
    assert version is not None
    headings = re.findall(r"^## \[([^\]]+)\]", text, re.MULTILINE)
    assert headings[:2] == ["Unreleased", version.group(1)]
    assert "https://keepachangelog.com/en/1.1.0/" in text
    for heading in headings:  # every heading has its link
        assert re.search(rf"^\[{re.escape(heading)}\]: https://", text, re.MULTILINE), heading
    assert "### Added" in text


def test_contributing_names_every_nox_session() -> None:
    noxfile = (ROOT / "noxfile.py").read_text(encoding="utf-8")
    declared = re.findall(r"^@nox\.session(?:\(([^)]*)\))?\ndef (\w+)", noxfile, re.MULTILINE)
    # a session is called by its name= when it has one, else by its function's name
    sessions = [
        (named.group(1) if (named := re.search(r'name="([^"]+)"', args)) else function)
        for args, function in declared
    ]
    assert {"tests", "lint", "typecheck", "docs", "snippets", "benchmarks"} <= set(sessions)
    guide = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    for session in sessions:
        assert f"`nox -s {session}`" in guide, session
    for topic in ("## Set up", "## Run the emulator", "## Run the benchmarks", "## Commit style"):
        assert topic in guide


def test_security_says_how_to_report_and_what_the_emulator_is() -> None:
    text = (ROOT / "SECURITY.md").read_text(encoding="utf-8")
    assert "## Reporting a vulnerability" in text
    assert "/security/advisories/new" in text
    assert "## The emulator is a development server" in text
    assert "bind it to loopback" in text


class FakeSession:
    """What a nox session function calls, recorded."""

    def __init__(self) -> None:
        self.posargs: list[str] = []
        self.runs: list[tuple[tuple[str, ...], dict[str, Any]]] = []

    def install(self, *args: str) -> None:
        pass

    def run(self, *args: str, **kwargs: Any) -> None:
        self.runs.append((args, kwargs))


def test_the_docs_session_hides_the_mkdocs_banner_as_ci_does() -> None:
    nox = pytest.importorskip("nox")
    assert nox is not None
    import importlib.util

    spec = importlib.util.spec_from_file_location("project_noxfile", ROOT / "noxfile.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    session = FakeSession()
    module.docs(session)
    assert session.runs == [
        (("mkdocs", "build", "--strict"), {"env": {"NO_MKDOCS_2_WARNING": "1"}}),
    ]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "NO_MKDOCS_2_WARNING=1 mkdocs build --strict" in ci


def test_every_docs_page_is_in_the_nav() -> None:
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert "omitted_files: warn" in config  # so that mkdocs build --strict fails on an orphan
    pages = {p.relative_to(ROOT / "docs").as_posix() for p in (ROOT / "docs").rglob("*.md")}
    in_nav = set(re.findall(r":\s+(\S+\.md)\s*$", config, re.MULTILINE))
    assert pages == in_nav
