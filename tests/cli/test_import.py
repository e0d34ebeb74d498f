"""``stream-async import``: bulk loading against the emulator, per-line errors, resuming."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from stream_async import AsyncStreamClient
from stream_async.cli import _app, importer
from stream_async.cli._app import app
from stream_async.emulator import Emulator
from stream_async.testing import EmulatorServer, FaultInjector, client_for
from tests.cli.conftest import collection, feed_objects, following

Writer = Callable[..., Path]


def activity(feed: str, obj: str, *, identity: bool = True) -> dict[str, Any]:
    record: dict[str, Any] = {
        "type": "activity",
        "feed": feed,
        "actor": "alice",
        "verb": "post",
        "object": obj,
    }
    if identity:
        record.update(foreign_id=f"post:{obj}", time="2024-05-01T12:00:00")
    return record


def factory(emulator: Emulator, app: Any = None, **defaults: Any) -> dict[str, Any]:
    """The ``obj`` that makes the CLI build its clients for ``emulator``."""

    def make(**options: Any) -> AsyncStreamClient:
        return client_for(emulator, app=app, **{**defaults, **options})

    return {"client_factory": make}


def test_imports_every_kind_through_the_batch_endpoints(
    runner: CliRunner,
    write_jsonl: Writer,
    stream_emulator: Emulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(importer, "WINDOW", 3)  # several windows
    path = write_jsonl(
        [
            *(activity("user:alice", str(i)) for i in range(5)),
            activity("user:bob", "b1"),
            "",
            {"type": "follow", "source": "timeline:carol", "target": "user:alice"},
            {
                "type": "follow",
                "source": "timeline:carol",
                "target": "user:bob",
                "activity_copy_limit": 0,
            },
            {"type": "collection", "collection": "food", "id": "burger", "data": {"kcal": 500}},
            {"type": "collection", "collection": "food", "id": "fries"},
        ]
    )
    result = runner.invoke(
        app,
        ["import", str(path), "--chunk-size", "2", "--concurrency", "3"],
        obj=factory(stream_emulator),
    )
    assert result.exit_code == 0, result.output
    assert "imported 6 activities, 2 follows, 2 collection objects" in result.stdout
    assert feed_objects(stream_emulator, "user:alice") == ["0", "1", "2", "3", "4"]
    assert feed_objects(stream_emulator, "user:bob") == ["b1"]
    assert following(stream_emulator, "timeline:carol") == ["user:alice", "user:bob"]
    assert feed_objects(stream_emulator, "timeline:carol") == ["0", "1", "2", "3", "4"]
    assert collection(stream_emulator, "food") == {"burger": {"kcal": 500}, "fries": {}}

    again = runner.invoke(app, ["import", str(path)], obj=factory(stream_emulator))
    assert again.exit_code == 0
    assert "imported 0 activities, 0 follows, 0 collection objects" in again.stdout
    assert "skipped 10 lines done before" in again.stdout


BAD_LINES: list[tuple[Any, str]] = [
    ("{not json", "invalid JSON"),
    ("[1, 2]", "expected a JSON object"),
    ({"type": "reaction"}, "'type' must be one of activity, follow, collection"),
    ({"type": "activity", "actor": "a", "verb": "v", "object": "o"}, "'feed' is required"),
    ({"type": "activity", "feed": "user", "actor": "a", "verb": "v", "object": "o"}, "feed"),
    ({"type": "activity", "feed": "user:1", "verb": "v", "object": "o"}, "actor"),
    ({"type": "follow", "source": "timeline:1"}, "'target' is required"),
    (
        {"type": "follow", "source": "timeline:1", "target": "user:1", "activity_copy_limit": -1},
        "activity_copy_limit",
    ),
    ({"type": "collection", "collection": "food", "id": "x", "data": [1]}, "'data' must be"),
    ({"type": "collection", "collection": "food"}, "'id' is required"),
]


def test_reports_each_failed_line_by_number(
    runner: CliRunner, write_jsonl: Writer, stream_emulator: Emulator
) -> None:
    rejected_by_api = activity("user:alice", "bad-time") | {"time": "not a time"}
    path = write_jsonl(
        [
            activity("user:alice", "ok1"),
            *(line for line, _ in BAD_LINES),
            rejected_by_api,
            activity("user:alice", "ok2"),
        ]
    )
    result = runner.invoke(app, ["import", str(path)], obj=factory(stream_emulator))
    assert result.exit_code == 1
    for number, (_, message) in enumerate(BAD_LINES, start=2):
        assert any(
            line.startswith(f"line {number}: ") and message in line
            for line in result.stderr.splitlines()
        ), (number, message, result.stderr)
    api_line = len(BAD_LINES) + 2
    assert f"line {api_line}: InputError" in result.stderr  # isolated from its chunk
    assert f"{len(BAD_LINES) + 1} lines failed" in result.stdout
    assert feed_objects(stream_emulator, "user:alice") == ["ok1", "ok2"]


def test_resumes_from_the_checkpoint_without_duplicates(
    runner: CliRunner, write_jsonl: Writer, stream_emulator: Emulator
) -> None:
    records = [activity(f"user:u{i % 3}", str(i), identity=False) for i in range(12)]
    path = write_jsonl(records)
    faults = FaultInjector(stream_emulator.app)
    faults.fail(503, times=100, after=2)  # the API goes down after two requests
    obj = factory(stream_emulator, faults, max_retries=0)
    args = ["import", str(path), "--chunk-size", "2", "--concurrency", "1"]

    first = runner.invoke(app, args, obj=obj)
    assert first.exit_code == 1
    assert "imported 4 activities" in first.stdout
    assert "8 lines failed" in first.stdout
    assert "InternalServerError" in first.stderr
    assert "warning: 12 activities have no foreign_id and time" in first.stderr
    assert (path.parent / "data.jsonl.checkpoint").exists()

    faults.clear()  # the API is back
    second = runner.invoke(app, args, obj=obj)
    assert second.exit_code == 0, second.output
    assert "imported 8 activities" in second.stdout
    assert "skipped 4 lines done before" in second.stdout
    everything = sorted(
        obj for user in ("u0", "u1", "u2") for obj in feed_objects(stream_emulator, f"user:{user}")
    )
    assert everything == sorted(str(i) for i in range(12))  # each exactly once


def test_a_checkpoint_of_another_input_needs_restart(
    runner: CliRunner, write_jsonl: Writer, stream_emulator: Emulator
) -> None:
    path = write_jsonl([activity("user:alice", "1")])
    assert runner.invoke(app, ["import", str(path)], obj=factory(stream_emulator)).exit_code == 0
    write_jsonl([activity("user:alice", "1"), activity("user:alice", "2")])
    changed = runner.invoke(app, ["import", str(path)], obj=factory(stream_emulator))
    assert changed.exit_code == 1
    assert "another input" in changed.stderr
    assert "--restart" in changed.stderr
    restarted = runner.invoke(app, ["import", str(path), "--restart"], obj=factory(stream_emulator))
    assert restarted.exit_code == 0
    assert "imported 2 activities" in restarted.stdout
    assert feed_objects(stream_emulator, "user:alice") == ["1", "2"]  # idempotent re-send


def test_a_checkpoint_cut_short_by_a_crash_still_loads(tmp_path: Path) -> None:
    checkpoint = importer.Checkpoint(tmp_path / "cp", "abc")
    assert checkpoint.load() == set()
    checkpoint.start()
    checkpoint.mark([3, 1])
    with checkpoint.path.open("a") as handle:
        handle.write("[4, 5")
    assert checkpoint.load() == {1, 3}
    (tmp_path / "empty").write_text("")
    with pytest.raises(importer.CheckpointMismatch):
        importer.Checkpoint(tmp_path / "empty", "abc").load()


def test_require_identity_refuses_activities_without_it(
    runner: CliRunner, write_jsonl: Writer, stream_emulator: Emulator
) -> None:
    path = write_jsonl([activity("user:a", "1", identity=False), activity("user:a", "2")])
    result = runner.invoke(
        app, ["import", str(path), "--require-identity"], obj=factory(stream_emulator)
    )
    assert result.exit_code == 1
    assert "line 1: the activity has no foreign_id and time" in result.stderr
    assert feed_objects(stream_emulator, "user:a") == ["2"]


def test_the_warning_lists_at_most_ten_lines(
    runner: CliRunner, write_jsonl: Writer, stream_emulator: Emulator
) -> None:
    path = write_jsonl([activity("user:a", str(i), identity=False) for i in range(11)])
    result = runner.invoke(app, ["import", str(path)], obj=factory(stream_emulator))
    assert result.exit_code == 0
    assert "(lines 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, ...)" in result.stderr


def test_emulator_flag_is_a_dry_run_that_leaves_no_checkpoint(
    runner: CliRunner, write_jsonl: Writer
) -> None:
    path = write_jsonl([activity("user:a", "1"), {"type": "follow", "source": "x"}])
    result = runner.invoke(app, ["import", str(path), "--emulator"])
    assert result.exit_code == 1
    assert "imported 1 activities" in result.stdout
    assert "line 2: source: must be a feed id" in result.stderr
    assert not (path.parent / "data.jsonl.checkpoint").exists()


def test_emulator_flag_without_the_extra(
    runner: CliRunner, write_jsonl: Writer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "stream_async.emulator", None)
    path = write_jsonl([activity("user:a", "1")])
    result = runner.invoke(app, ["import", str(path), "--emulator"])
    assert result.exit_code == 1
    assert "pip install 'stream-async[emulator]'" in result.stderr


def test_credentials_come_from_the_environment(
    runner: CliRunner,
    write_jsonl: Writer,
    stream_env: dict[str, str],
    stream_emulator_server: EmulatorServer,
) -> None:
    path = write_jsonl([activity("user:env", "1"), activity("user:env", "2")])
    result = runner.invoke(app, ["import", str(path)])
    assert result.exit_code == 0, result.output
    assert "imported 2 activities" in result.stdout
    assert feed_objects(stream_emulator_server.emulator, "user:env") == ["1", "2"]


def test_missing_credentials_suggest_a_dry_run(
    runner: CliRunner, write_jsonl: Writer, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("STREAM_API_KEY", "STREAM_API_SECRET", "STREAM_URL"):
        monkeypatch.delenv(name, raising=False)
    path = write_jsonl([activity("user:a", "1")])
    result = runner.invoke(app, ["import", str(path)])
    assert result.exit_code == 1
    assert "no Stream credentials found" in result.stderr
    assert "--emulator" in result.stderr


def test_the_checkpoint_header_names_the_input_digest(
    runner: CliRunner, write_jsonl: Writer, stream_emulator: Emulator, tmp_path: Path
) -> None:
    path = write_jsonl([activity("user:a", "1")])
    checkpoint = tmp_path / "custom.cp"
    args = ["import", str(path), "--checkpoint", str(checkpoint)]
    assert runner.invoke(app, args, obj=factory(stream_emulator)).exit_code == 0
    header, done = checkpoint.read_text().splitlines()
    assert json.loads(header)["sha256"] == importer.file_digest(path)
    assert json.loads(done) == [1]
    assert _app.SECRET_ENV == "STREAM_API_SECRET"
