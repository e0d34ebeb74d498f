"""``stream-async import``: bulk loading against the emulator, per-line errors, resuming."""

from __future__ import annotations

import hashlib
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


def test_an_input_that_grew_resumes_with_only_the_new_lines(
    runner: CliRunner, write_jsonl: Writer, stream_emulator: Emulator
) -> None:
    first_lines = [activity("user:alice", "1", identity=False), activity("user:alice", "2")]
    path = write_jsonl(first_lines)
    first = runner.invoke(app, ["import", str(path)], obj=factory(stream_emulator))
    assert first.exit_code == 0, first.output
    # lines appended: only they are sent (the first activity, without identity, would be
    # added twice if it were sent again)
    write_jsonl([*first_lines, activity("user:alice", "3"), activity("user:bob", "4")])
    grown = runner.invoke(app, ["import", str(path)], obj=factory(stream_emulator))
    assert grown.exit_code == 0, grown.output
    assert grown.stdout == (
        "imported 2 activities, 0 follows, 0 collection objects; skipped 2 lines done before\n"
    )
    assert feed_objects(stream_emulator, "user:alice") == ["1", "2", "3"]
    assert feed_objects(stream_emulator, "user:bob") == ["4"]
    # and again, after growing once more: the checkpoint now covers the grown input
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(activity("user:bob", "5")) + "\n")
    again = runner.invoke(app, ["import", str(path)], obj=factory(stream_emulator))
    assert again.exit_code == 0, again.output
    assert "imported 1 activity," in again.stdout
    assert "skipped 4 lines done before" in again.stdout
    assert feed_objects(stream_emulator, "user:bob") == ["4", "5"]
    # an edit to a line that only the grown input had is a change too
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[2] = json.dumps(activity("user:alice", "3-edited")) + "\n"
    path.write_text("".join(lines), encoding="utf-8")
    edited = runner.invoke(app, ["import", str(path)], obj=factory(stream_emulator))
    assert edited.exit_code == 1
    assert "changed since" in edited.stderr


def test_an_input_that_changed_is_refused_before_any_progress(
    runner: CliRunner, write_jsonl: Writer, stream_emulator: Emulator
) -> None:
    path = write_jsonl([activity("user:alice", "1"), activity("user:alice", "2")])
    assert runner.invoke(app, ["import", str(path)], obj=factory(stream_emulator)).exit_code == 0
    write_jsonl([activity("user:alice", "1"), activity("user:alice", "X"), activity("user:a", "3")])
    changed = runner.invoke(app, ["import", str(path)], obj=factory(stream_emulator))
    assert changed.exit_code == 1
    assert changed.stdout == ""
    assert changed.stderr == (
        f"Error: {path}.checkpoint was written for another input, or lines of data.jsonl "
        "changed since (only lines appended after the last one can be resumed); use --restart "
        "to import every line\n"
    )  # one line: no progress bar was drawn
    assert feed_objects(stream_emulator, "user:a") == []  # nothing was sent
    restarted = runner.invoke(app, ["import", str(path), "--restart"], obj=factory(stream_emulator))
    assert restarted.exit_code == 0
    assert "imported 3 activities" in restarted.stdout
    assert feed_objects(stream_emulator, "user:alice") == ["1", "2", "X"]  # idempotent re-send


@pytest.mark.parametrize(
    ("before", "after", "resumes"),
    [
        (b"a\nb\n", b"a\nb\nc\n", True),  # lines appended
        (b"a\nb", b"a\nb\nc", True),  # appended after a last line without a line break
        (b"a\nb", b"a\nb", True),  # unchanged, without a final line break
        (b"a\nb", b"a\nbc\n", False),  # the last line was extended
        (b"a\nb\n", b"a\nx\n", False),  # a line changed
        (b"a\nb\n", b"a\n", False),  # lines removed
    ],
)
def test_which_inputs_resume(tmp_path: Path, before: bytes, after: bytes, resumes: bool) -> None:
    source = tmp_path / "in.jsonl"
    source.write_bytes(before)
    checkpoint = importer.Checkpoint(tmp_path / "cp", source)
    checkpoint.start({1})
    source.write_bytes(after)
    if resumes:
        assert checkpoint.load() == {1}
    else:
        with pytest.raises(importer.CheckpointMismatch):
            checkpoint.load()


def test_a_version_1_checkpoint_covers_the_whole_input(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_bytes(b"a\nb\n")
    header = {"stream_async_import": 1, "sha256": importer.file_digest(source)}
    (tmp_path / "cp").write_text(json.dumps(header) + "\n[2]\n")
    assert importer.Checkpoint(tmp_path / "cp", source).load() == {2}


def test_a_checkpoint_cut_short_by_a_crash_still_loads(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text("{}\n" * 5)
    checkpoint = importer.Checkpoint(tmp_path / "cp", source)
    assert checkpoint.load() == set()
    checkpoint.start(set())
    checkpoint.mark([3, 1])
    with checkpoint.path.open("a") as handle:
        handle.write("[4, 5")
    assert checkpoint.load() == {1, 3}
    (tmp_path / "empty").write_text("")
    with pytest.raises(importer.CheckpointMismatch):
        importer.Checkpoint(tmp_path / "empty", source).load()


def test_json_errors_name_the_real_column_and_plurals_agree(
    runner: CliRunner, write_jsonl: Writer, stream_emulator: Emulator
) -> None:
    unclosed = json.dumps(activity("user:a", "2"))[:-1]  # its closing brace missing
    path = write_jsonl([activity("user:a", "1"), unclosed, activity("user:a", "3", identity=False)])
    result = runner.invoke(app, ["import", str(path)], obj=factory(stream_emulator))
    assert result.exit_code == 1
    column = len(unclosed) + 1  # just past the line's last character
    assert f"line 2: invalid JSON: Expecting ',' delimiter (column {column})\n" in result.stderr
    assert "warning: 1 activity has no foreign_id and time (line 3): " in result.stderr
    assert (
        result.stdout == "imported 2 activities, 0 follows, 0 collection objects; 1 line failed\n"
    )


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
    assert "imported 1 activity, 0 follows, 0 collection objects" in result.stdout
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
    assert json.loads(header) == {
        "stream_async_import": 2,
        "size": path.stat().st_size,
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
    }
    assert json.loads(done) == [1]
    assert _app.SECRET_ENV == "STREAM_API_SECRET"
