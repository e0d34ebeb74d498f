"""``stream-async token``, ``stream-async emulator`` and the entry point itself."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path
from typing import Any

import jwt
import pytest
from click.testing import CliRunner

from stream_async import __version__, cli
from stream_async.cli import main
from stream_async.cli._app import app

SECRET = "a-test-secret-that-is-long-enough-for-hs256"


def claims(token: str) -> dict[str, Any]:
    decoded: dict[str, Any] = jwt.decode(token.strip(), SECRET, algorithms=["HS256"])
    return decoded


@pytest.fixture
def secret_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STREAM_API_SECRET", SECRET)


@pytest.mark.usefixtures("secret_env")
def test_user_token_with_claims(runner: CliRunner) -> None:
    result = runner.invoke(
        app, ["token", "--user-id", "alice", "--claim", "level=3", "--claim", "role=admin"]
    )
    assert result.exit_code == 0, result.output
    assert claims(result.stdout) == {"user_id": "alice", "level": 3, "role": "admin"}


@pytest.mark.usefixtures("secret_env")
def test_scope_token_for_one_feed(runner: CliRunner) -> None:
    result = runner.invoke(
        app, ["token", "--resource", "feed", "--action", "read", "--feed-id", "user:1"]
    )
    assert result.exit_code == 0, result.output
    assert list(claims(result.stdout).items()) == [
        ("resource", "feed"),
        ("action", "read"),
        ("feed_id", "user1"),
    ]


@pytest.mark.usefixtures("secret_env")
def test_scope_token_with_a_user(runner: CliRunner) -> None:
    result = runner.invoke(
        app, ["token", "--resource", "analytics", "--action", "*", "--user-id", "*"]
    )
    assert claims(result.stdout) == {"resource": "analytics", "action": "*", "user_id": "*"}


def test_the_secret_can_come_from_stdin(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STREAM_API_SECRET", raising=False)
    result = runner.invoke(
        app, ["token", "--user-id", "bob", "--secret-stdin"], input=SECRET + "\n"
    )
    assert result.exit_code == 0, result.output
    assert claims(result.stdout) == {"user_id": "bob"}
    empty = runner.invoke(app, ["token", "--user-id", "bob", "--secret-stdin"], input="")
    assert empty.exit_code == 2
    assert "read no secret" in empty.stderr


def test_without_a_secret_the_error_names_the_variable(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("STREAM_API_SECRET", raising=False)
    result = runner.invoke(app, ["token", "--user-id", "bob"])
    assert result.exit_code == 2
    assert "STREAM_API_SECRET" in result.stderr


def test_there_is_no_secret_flag(runner: CliRunner) -> None:
    result = runner.invoke(app, ["token", "--user-id", "bob", "--secret", SECRET])
    assert result.exit_code == 2
    assert SECRET not in runner.invoke(app, ["token", "--help"]).stdout


@pytest.mark.usefixtures("secret_env")
@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "give --user-id, or --resource and --action"),
        (["--resource", "feed"], "--resource and --action go together"),
        (["--action", "read"], "--resource and --action go together"),
        (["--user-id", "a", "--claim", "novalue"], "expected KEY=VALUE"),
        (["--user-id", "a", "--claim", "=1"], "expected KEY=VALUE"),
    ],
)
def test_token_usage_errors(runner: CliRunner, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["token", *args])
    assert result.exit_code == 2
    assert message in result.stderr


def test_emulator_passes_its_arguments_through(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[list[str], str]] = []

    def serve(argv: list[str], *, prog: str) -> int:
        seen.append((argv, prog))
        return 0

    monkeypatch.setattr("stream_async.emulator.__main__.main", serve)
    result = runner.invoke(app, ["emulator", "--port", "9000", "--feed-group", "news:flat"])
    assert result.exit_code == 0
    assert seen == [(["--port", "9000", "--feed-group", "news:flat"], "stream-async emulator")]


def test_emulator_help_is_the_emulators_own(runner: CliRunner) -> None:
    result = runner.invoke(app, ["emulator", "--help"])
    assert result.exit_code == 0
    assert "--feed-group NAME:KIND" in result.stdout


def test_emulator_without_the_extra(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "stream_async.emulator.__main__", None)
    result = runner.invoke(app, ["emulator"])
    assert result.exit_code == 1
    assert "pip install 'stream-async[emulator]'" in result.stderr


def test_main_returns_the_exit_status(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert __version__ in capsys.readouterr().out
    assert main(["token", "--bogus"]) == 2


def test_main_reads_sys_argv(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "argv", ["stream-async", "--help"])
    assert main() == 0
    assert "import" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exited:
        runpy.run_path(
            str(Path(cli.__file__).with_name("__main__.py")), run_name="stream_async.cli.__main__"
        )
    assert exited.value.code == 0


def test_main_without_the_cli_extra(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "stream_async.cli._app", None)
    assert main(["--help"]) == 1
    assert "pip install 'stream-async[cli]'" in capsys.readouterr().err


@pytest.mark.parametrize(
    "args",
    [["--user-id", "alice"], ["--resource", "feed", "--action", "read", "--feed-id", "user:1"]],
)
def test_a_short_secret_is_said_in_the_commands_words(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    monkeypatch.setenv("STREAM_API_SECRET", "abc")
    result = runner.invoke(app, ["token", *args])
    assert result.exit_code == 0, result.output
    # RFC 7518 section 3.2: an HS256 key is at least 256 bits (32 bytes)
    assert result.stderr == (
        "warning: the secret is 3 bytes long; HS256 wants at least 32, and a shorter one makes "
        "tokens easy to forge (Stream's secrets are longer: check that the whole secret was "
        "given)\n"
    )
    token = result.stdout.strip()
    assert jwt.get_unverified_header(token)["alg"] == "HS256"
    assert token.count(".") == 2


def test_other_warnings_while_signing_pass_through(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STREAM_API_SECRET", SECRET)

    def user_token(self: Any, user_id: str, **extra: Any) -> str:
        import warnings

        warnings.warn("something else", UserWarning, stacklevel=1)
        return "token"

    monkeypatch.setattr("stream_async._auth.Signer.user_token", user_token)
    with pytest.warns(UserWarning, match="something else"):
        result = runner.invoke(app, ["token", "--user-id", "alice"])
    assert result.stdout == "token\n"
    assert result.stderr == ""


@pytest.mark.usefixtures("secret_env")
def test_a_long_secret_prints_no_warning(runner: CliRunner) -> None:
    result = runner.invoke(app, ["token", "--user-id", "alice"])
    assert result.stderr == ""
