"""The emulator as a newcomer starts it: the banner's URL works as ``base_url``, its
``export`` lines work for ``from_env()``, a busy port is one clear line, ``--help`` tells
the defaults."""

from __future__ import annotations

import errno
import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import anyio
import pytest
from click.testing import CliRunner

import stream_async
from stream_async import AsyncStreamClient
from stream_async.cli._app import app

pytestmark = pytest.mark.socket

SRC = str(Path(stream_async.__file__).parents[1])
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([SRC, os.environ.get("PYTHONPATH", "")])}
EXPORT = re.compile(r"^export (STREAM_\w+)=(\S+)")


@pytest.fixture
def emulator_banner() -> Iterator[list[str]]:
    """Start ``python -m stream_async.emulator --port 0``; yield its first seven lines."""
    process = subprocess.Popen(
        [sys.executable, "-m", "stream_async.emulator", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=ENV,
    )
    try:
        assert process.stdout is not None
        yield [process.stdout.readline().rstrip("\n") for _ in range(7)]
    finally:
        process.terminate()
        process.wait(timeout=30)


async def _round_trip(client: AsyncStreamClient) -> int:
    async with client:
        feed = client.feed("user", "alice")
        await feed.add_activity({"actor": "alice", "verb": "post", "object": "1"})
        return len((await feed.get()).results)


def test_the_first_line_is_the_base_url_and_it_works(emulator_banner: list[str]) -> None:
    first = emulator_banner[0]
    found = re.fullmatch(
        r"Stream emulator listening on (http://127\.0\.0\.1:\d+) \(pass it as base_url\)", first
    )
    assert found is not None, first
    client = AsyncStreamClient(
        api_key="emulator-key",
        api_secret="emulator-secret-do-not-use-in-production",
        base_url=found.group(1),
    )
    assert anyio.run(_round_trip, client) == 1


def test_the_export_lines_work_for_from_env(emulator_banner: list[str]) -> None:
    environ = {
        m.group(1): m.group(2) for line in emulator_banner if (m := EXPORT.match(line)) is not None
    }
    assert sorted(environ) == ["STREAM_API_KEY", "STREAM_API_SECRET", "STREAM_BASE_URL"]
    assert environ["STREAM_API_KEY"] == "emulator-key"
    client = AsyncStreamClient.from_env(environ)
    assert anyio.run(_round_trip, client) == 1


def test_a_busy_port_is_one_line_and_a_non_zero_exit() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "stream_async.emulator", "--port", str(port)],
            capture_output=True,
            text=True,
            env=ENV,
            timeout=60,
            check=False,
        )
    assert done.returncode == 1
    assert done.stdout == ""  # nothing claims to listen
    assert done.stderr == (
        f"error: port {port} is already in use on 127.0.0.1; stop what listens there or "
        "choose another port with --port (e.g. --port 0 for a free one)\n"
    )


def test_another_bind_failure_says_so(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from stream_async.emulator import __main__ as emulator_main

    def refuse(host: str, port: int) -> socket.socket:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(emulator_main, "bind", refuse)
    assert emulator_main.main(["--port", "80"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "error: cannot listen on 127.0.0.1:80: Permission denied; check --host and --port\n"
    )


def test_help_names_the_command_and_the_defaults(runner: CliRunner) -> None:
    result = runner.invoke(app, ["emulator", "--help"])
    assert result.exit_code == 0
    out = " ".join(result.stdout.split())
    assert out.startswith("usage: stream-async emulator [-h]")
    assert "API key clients must send (emulator-key)" in out
    # the emulator's default feed groups (api-semantics: the app's configured groups)
    assert (
        "Default feed groups: user (flat), timeline (flat), flat (flat), topic (flat), "
        "aggregated (aggregated), notification (notification)." in out
    )


def test_the_standalone_command_keeps_its_own_name() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "stream_async.emulator", "--help"],
        capture_output=True,
        text=True,
        env=ENV,
        timeout=60,
        check=True,
    )
    assert done.stdout.startswith("usage: stream-async-emulator [-h]")


def test_a_busy_port_in_process(capsys: pytest.CaptureFixture[str]) -> None:
    from stream_async.emulator.__main__ import main

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["--port", str(port)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"error: port {port} is already in use on 127.0.0.1; ")
