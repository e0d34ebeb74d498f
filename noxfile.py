"""Developer sessions: ``nox -s tests``, ``nox -s lint``, ``nox -s typecheck``, ``nox -s docs``,
``nox -s snippets``, ``nox -s benchmarks``, ``nox -s browser``, ``nox -s mutation``.

Sessions run on the interpreter that runs nox, so no other Python needs to be installed.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import nox

ROOT = Path(__file__).resolve().parent

nox.options.sessions = ["tests", "lint", "typecheck"]
nox.options.reuse_existing_virtualenvs = True


@nox.session
def tests(session: nox.Session) -> None:
    """The whole suite with branch coverage (fails under 95%)."""
    session.install("-e", ".[dev]")
    session.run("pytest", "--cov", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff check and ruff format --check."""
    session.install("ruff>=0.6")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict over the package, the tests and this file."""
    session.install("-e", ".[dev]")
    session.run("mypy")


@nox.session
def docs(session: nox.Session) -> None:
    """The documentation site (MkDocs Material, API reference from docstrings) into site/;
    warnings are errors."""
    session.install("-e", ".[dev]")
    session.run("mkdocs", "build", "--strict", env={"NO_MKDOCS_2_WARNING": "1"})


@nox.session(reuse_venv=False)
def snippets(session: nox.Session) -> None:
    """The README's and docs' test modules, as a new user runs them: a new virtualenv with
    only ``pip install "stream-async[emulator]" pytest`` (from this checkout), and a folder
    outside the checkout, so that none of the project's pytest settings apply."""
    session.install(f"{ROOT}[emulator]", "pytest")
    with tempfile.TemporaryDirectory() as folder:
        session.run("python", str(ROOT / ".ci" / "snippets.py"), folder)
        session.chdir(folder)
        session.run("python", "-m", "pytest", "-q", "-p", "no:cacheprovider")


@nox.session
def benchmarks(session: nox.Session) -> None:
    """Throughput, CPU and memory against a local canned server, next to the official client
    and bare httpx/aiohttp; writes docs/performance.md and docs/performance.png. Not run by
    CI. ``nox -s benchmarks -- --quick`` is a smoke run that writes nothing."""
    session.install("-e", ".[bench]")
    session.run("python", "benchmarks/run.py", *session.posargs)


@nox.session(name="emulator-benchmarks")
def emulator_benchmarks(session: nox.Session) -> None:
    """The emulator's throughput over a socket against an earlier commit (a git worktree of
    e94e5a2 unless ``-- --baseline REF``) and its latency as the store grows to 100,000
    activities; prints ratios against the goals. Not run by CI. ``-- --quick`` is a smoke
    run."""
    session.install("-e", ".[dev]")
    session.run("python", "benchmarks/emulator.py", *session.posargs)


@nox.session
def browser(session: nox.Session) -> None:
    """The inspector's browser tests alone: headless Chromium (Debian's ``/usr/bin/chromium``,
    ``apt-get install -y chromium chromium-driver``) driven by Playwright; screenshots go to
    build/inspector/. The ``tests`` session (and CI) runs them too."""
    session.install("-e", ".[dev]")
    session.run("pytest", "-m", "browser", "tests/browser", *session.posargs)


@nox.session
def mutation(session: nox.Session) -> None:
    """Mutation check with mutmut over the senders, the retry loop and error mapping, and the
    emulator's ids, auth and rate limits (configured in pyproject.toml, ``[tool.mutmut]``);
    prints the survivors. Slow (about 15 minutes on 2 cores): not a default session, not run
    by CI. Results and the reasons survivors are left live in docs/mutation.md."""
    session.install("-e", ".[dev]", "mutmut>=3.2")
    session.run("mutmut", "run", "--max-children", "2", *session.posargs)
    session.run("mutmut", "results")
