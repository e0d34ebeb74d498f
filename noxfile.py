"""Developer sessions: ``nox -s tests``, ``nox -s lint``, ``nox -s typecheck``, ``nox -s docs``,
``nox -s browser``.

Sessions run on the interpreter that runs nox, so no other Python needs to be installed.
"""

from __future__ import annotations

import nox

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
    session.run("mkdocs", "build", "--strict")


@nox.session
def benchmarks(session: nox.Session) -> None:
    """Throughput, CPU and memory against a local canned server, next to the official client
    and bare httpx/aiohttp; writes docs/performance.md and docs/performance.png. Not run by
    CI. ``nox -s benchmarks -- --quick`` is a smoke run that writes nothing."""
    session.install("-e", ".[bench]")
    session.run("python", "benchmarks/run.py", *session.posargs)


@nox.session
def browser(session: nox.Session) -> None:
    """The inspector's browser tests alone: headless Chromium (Debian's ``/usr/bin/chromium``,
    ``apt-get install -y chromium chromium-driver``) driven by Playwright; screenshots go to
    build/inspector/. The ``tests`` session (and CI) runs them too."""
    session.install("-e", ".[dev]")
    session.run("pytest", "-m", "browser", "tests/browser", *session.posargs)
