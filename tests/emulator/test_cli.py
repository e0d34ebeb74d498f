"""The command line: argument parsing, the start banner, and ``--help``."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from starlette.applications import Starlette

import stream_async.emulator
from stream_async.emulator import __main__ as cli
from stream_async.emulator.config import DEFAULT_API_SECRET, FeedGroupConfig


def test_help_exits_zero() -> None:
    src = str(Path(stream_async.emulator.__file__).parents[2])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([src, os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run(
        [sys.executable, "-m", "stream_async.emulator", "--help"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    assert "--feed-group" in result.stdout


def test_defaults() -> None:
    options = cli.parse_options([], environ={})
    assert (options.host, options.port) == ("127.0.0.1", 8000)
    assert options.config.api_key == "emulator-key"
    assert options.config.api_secret == DEFAULT_API_SECRET
    assert options.config.app_id == "1"
    assert options.config.data_dir is None
    kinds = {name: group.kind for name, group in options.config.feed_groups.items()}
    assert kinds == {
        "user": "flat",
        "timeline": "flat",
        "flat": "flat",
        "topic": "flat",
        "aggregated": "aggregated",
        "notification": "notification",
    }


def test_options_and_feed_groups() -> None:
    argv = [
        "--host=0.0.0.0",
        "--port=9001",
        "--api-key=k",
        "--api-secret=from-the-command-line-0123456789",
        "--app-id=42",
        "--feed-group=news:aggregated",
        "--feed-group",
        "user:notification",
    ]
    options = cli.parse_options(argv, environ={cli.SECRET_ENV: "from-the-environment"})
    assert (options.host, options.port) == ("0.0.0.0", 9001)
    assert options.config.api_key == "k"
    assert options.config.api_secret == "from-the-command-line-0123456789"
    assert options.config.app_id == "42"
    assert options.config.feed_groups["news"].kind == "aggregated"
    assert options.config.feed_groups["user"].kind == "notification"
    assert options.config.feed_groups["timeline"].kind == "flat"


def test_feed_group_modes() -> None:
    argv = [
        "--feed-group=notification:notification:private",
        "--feed-group=news:flat:read-write",
        "--feed-group=alerts:notification:write",
        "--feed-group=wall:flat:read",
        "--feed-group=user:flat",
    ]
    options = cli.parse_options(argv, environ={})
    groups = options.config.feed_groups
    assert groups["notification"].kind == "notification"
    assert groups["notification"].mode == "private"
    assert (groups["news"].kind, groups["news"].mode) == ("flat", "read-write")
    assert groups["alerts"].mode == "write"
    assert groups["wall"].mode == "read"
    # NAME:KIND keeps the default mode of the name: user is global read
    assert groups["user"].mode is None
    banner = cli.banner(options)
    assert "user (flat, read)" in banner
    assert "notification (notification, private)" in banner
    assert "news (flat, read-write)" in banner


@pytest.mark.parametrize("value", ["news:flat:public", "news:flat:", "news:flat:read:x"])
def test_bad_feed_group_mode_exits_with_a_clear_error(
    value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.parse_options([f"--feed-group={value}"], environ={})
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "NAME:KIND[:MODE]" in err
    assert "MODE one of private|read|write|read-write" in err
    assert repr(value) in err


def test_an_unknown_mode_is_refused_by_the_config() -> None:
    with pytest.raises(ValueError, match="unknown feed mode 'public'"):
        FeedGroupConfig("flat", mode="public")  # type: ignore[arg-type]


def test_help_names_the_modes(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.parse_options(["--help"], environ={})
    out = " ".join(capsys.readouterr().out.split())
    assert "--feed-group NAME:KIND[:MODE]" in out
    assert "Default modes: user read, notification write, any other group private." in out


def test_secret_from_the_environment() -> None:
    options = cli.parse_options([], environ={cli.SECRET_ENV: "from-the-environment-0123456789"})
    assert options.config.api_secret == "from-the-environment-0123456789"


@pytest.mark.parametrize("value", ["news", "news:ranked", ":flat"])
def test_bad_feed_group_exits_with_usage_error(
    value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.parse_options([f"--feed-group={value}"], environ={})
    assert exit_info.value.code == 2
    assert "NAME:KIND" in capsys.readouterr().err


def test_banner_prints_the_default_secret_only() -> None:
    default = cli.banner(cli.parse_options([], environ={}))
    assert DEFAULT_API_SECRET in default
    assert default.splitlines()[0] == (
        "Stream emulator listening on http://127.0.0.1:8000 (pass it as base_url)"
    )
    assert "user (flat, read), timeline (flat, private)" in default
    assert "notification (notification, write)" in default
    secret = "a-private-secret-nobody-should-see-0123"
    custom = cli.banner(cli.parse_options([f"--api-secret={secret}"], environ={}))
    assert secret not in custom
    assert "api_secret" not in custom


def test_main_serves_the_configured_app(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    served: dict[str, Any] = {}

    def fake_run(server: uvicorn.Server, sockets: list[socket.socket]) -> None:
        served.update(app=server.config.app, address=sockets[0].getsockname())
        server.started = True

    monkeypatch.setattr(uvicorn.Server, "run", fake_run)
    monkeypatch.delenv(cli.SECRET_ENV, raising=False)
    assert cli.main(["--port=0", "--api-key=cli-key"]) == 0
    host, port = served["address"]
    assert host == "127.0.0.1"
    assert port > 0
    app: Starlette = served["app"]
    assert app.state.emulator.config.api_key == "cli-key"
    out = capsys.readouterr().out
    assert out.splitlines()[0] == (
        f"Stream emulator listening on http://127.0.0.1:{port} (pass it as base_url)"
    )
    assert "export STREAM_API_KEY=cli-key" in out


def test_data_dir_option(tmp_path: Path) -> None:
    options = cli.parse_options([f"--data-dir={tmp_path}"], environ={})
    assert options.config.data_dir == str(tmp_path)
    assert f"data dir:    {tmp_path}" in cli.banner(options)
    assert "(memory only)" in cli.banner(cli.parse_options([], environ={}))


def test_limit_defaults() -> None:
    config = cli.parse_options([], environ={}).config
    assert config.max_json_bytes == 5_242_880  # 5 MiB
    assert config.max_upload_bytes == 104_857_600  # 100 MiB
    assert config.max_image_pixels == 50_000_000
    assert config.rate_limit == 2000  # §5: x-ratelimit-limit sample
    assert config.enforce_rate_limit is False
    assert config.og_fetch is False
    assert dict(config.og_pages) == {}


def test_limit_and_open_graph_options(tmp_path: Path) -> None:
    (tmp_path / "a.html").write_text('<meta property="og:url" content="https://a.test/">')
    argv = [
        "--max-json-bytes=100",
        "--max-upload-bytes=200",
        "--max-image-pixels=300",
        "--rate-limit=7",
        "--enforce-rate-limit",
        f"--og-pages={tmp_path}",
        "--og-fetch",
    ]
    config = cli.parse_options(argv, environ={}).config
    assert (config.max_json_bytes, config.max_upload_bytes) == (100, 200)
    assert (config.max_image_pixels, config.rate_limit) == (300, 7)
    assert config.enforce_rate_limit is True
    assert config.og_fetch is True
    assert list(config.og_pages) == ["https://a.test/"]


@pytest.mark.parametrize("argv", [["--max-json-bytes=0"], ["--rate-limit=x"]])
def test_limits_must_be_positive(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.parse_options(argv, environ={})
    assert exit_info.value.code == 2
    assert "expected a whole number of at least 1" in capsys.readouterr().err


def test_a_bad_og_pages_folder_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a.html").write_text("<html></html>")
    with pytest.raises(SystemExit) as exit_info:
        cli.parse_options([f"--og-pages={tmp_path}"], environ={})
    assert exit_info.value.code == 2
    assert "a.html has no og:url tag" in capsys.readouterr().err


def test_an_unusable_database_is_one_line_and_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "emulator.sqlite3").write_bytes(b"not a database at all" * 10)
    assert cli.main([f"--data-dir={tmp_path}"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith(f"stream-async-emulator: {tmp_path / 'emulator.sqlite3'} is damaged")
