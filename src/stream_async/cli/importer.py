"""Bulk import of JSON Lines records through the batch endpoints, resumable by checkpoint.

One JSON object per line, by ``type``:

- ``{"type": "activity", "feed": "user:1", "actor": ..., "verb": ..., "object": ...,
  "foreign_id": ..., "time": ...}``: the other fields are the activity; activities are sent
  with ``feed.add_activities``, grouped per feed, up to 100 per request;
- ``{"type": "follow", "source": "timeline:1", "target": "user:1"}`` (optionally
  ``"activity_copy_limit"``): sent with ``client.follow_many``, up to 2500 per request;
- ``{"type": "collection", "collection": "food", "id": "burger", "data": {...}}``: sent with
  ``client.collections.upsert``, grouped per collection, up to 1000 per request.

Blank lines are ignored. Each line is checked before anything is sent, and a line that
fails (locally or at the API) is reported with its number; the others go on. When a request
is rejected with a 400, its records are sent again one by one, so the error lands on the
line that caused it.

The checkpoint file records the line numbers of the records the API accepted, after each
request, so a failed or interrupted import run again skips them. Its header ties it to the
input: the size and SHA-256 of the bytes the input had when the checkpoint was last
started. An input that only grew (lines appended after the last complete line) resumes:
the lines done are skipped and the new ones are sent. An input whose first bytes changed
(a line edited, removed or inserted) is refused before anything is sent, since its line
numbers no longer name the same records. Follows and collection
upserts are idempotent, and so are activities that carry ``foreign_id`` and ``time``: only
an activity without them, sent but not yet recorded when the run stopped, could be added
twice, which is why such lines are warned about (or refused with ``require_identity``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

import anyio

from stream_async import _validation as check
from stream_async import errors
from stream_async._client import AsyncStreamClient

KINDS = ("activity", "follow", "collection")
LIMITS = {
    "activity": check.LIMITS["activities_per_add"],
    "follow": check.LIMITS["follow_many"],
    "collection": check.LIMITS["collection_ids"],
}
"""Records per request, at most: the API's own limits."""

WINDOW = 10_000
"""Records read and sent at a time, which bounds memory on files of any size."""

CHECKPOINT_VERSION = 2
"""Version 2 adds the input's ``size``; a version 1 header (without it) covers the whole
input as it is now."""

BLOCK = 1 << 20


class RecordError(ValueError):
    """A line that is not a valid record; the message says why."""


@dataclass(frozen=True)
class Record:
    """One valid line: its number, its kind, the batch it joins and what is sent."""

    line: int
    kind: str
    group: str
    item: dict[str, Any]
    idempotent: bool = True


@dataclass
class ImportReport:
    """What an import did: counts per kind, failed lines, and lines without identity."""

    sent: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    skipped: int = 0
    failed: dict[int, str] = field(default_factory=dict)
    without_identity: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed


def _text(record: Mapping[str, Any], key: str) -> str:
    value = record.get(key)
    if not isinstance(value, str) or not value:
        raise RecordError(f"{key!r} is required (a non-empty string)")
    return value


def _feed(record: Mapping[str, Any], key: str) -> str:
    value = _text(record, key)
    try:
        slug, user_id = check.feed_id(value, key)
    except errors.StreamValidationError as error:
        raise RecordError(str(error)) from None
    return f"{slug}:{user_id}"


def parse_record(line: int, text: str) -> Record:
    """The record on line ``line``, or :class:`RecordError`."""
    try:  # without its line break, so that an error at the end names this line's column
        value = json.loads(text.rstrip("\r\n"))
    except json.JSONDecodeError as error:
        raise RecordError(f"invalid JSON: {error.msg} (column {error.colno})") from None
    if not isinstance(value, dict):
        raise RecordError("expected a JSON object")
    kind = value.get("type")
    if kind == "activity":
        feed = _feed(value, "feed")
        activity = {k: v for k, v in value.items() if k not in ("type", "feed")}
        try:
            check.activity(activity)
        except errors.StreamValidationError as error:
            raise RecordError(str(error)) from None
        return Record(line, kind, feed, activity, check.has_identity(activity))
    if kind == "follow":
        follow: dict[str, Any] = {
            "source": _feed(value, "source"),
            "target": _feed(value, "target"),
        }
        limit = value.get("activity_copy_limit")
        if limit is not None:
            if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
                raise RecordError("'activity_copy_limit' must be a non-negative integer")
            follow["activity_copy_limit"] = limit
        return Record(line, kind, "", follow)
    if kind == "collection":
        name = _text(value, "collection")
        data = value.get("data", {})
        if not isinstance(data, dict):
            raise RecordError("'data' must be a JSON object")
        return Record(line, kind, name, {**data, "id": _text(value, "id")})
    raise RecordError(f"'type' must be one of {', '.join(KINDS)}; got {kind!r}")


def file_digest(path: Path, size: int | None = None) -> str:
    """The SHA-256 of the input's first ``size`` bytes (all of them by default), which ties
    a checkpoint to it."""
    digest = hashlib.sha256()
    left = path.stat().st_size if size is None else size
    with path.open("rb") as handle:
        while left > 0 and (block := handle.read(min(BLOCK, left))):
            digest.update(block)
            left -= len(block)
    return digest.hexdigest()


def _ends_a_line(path: Path, size: int) -> bool:
    """Whether the input's first ``size`` bytes end with a whole line: they are all of it
    (or none), or the byte before ``size`` or the byte at it is a line break."""
    if size in (0, path.stat().st_size):
        return True
    with path.open("rb") as handle:
        handle.seek(size - 1)
        return bool(set(handle.read(2)) & {ord("\n"), ord("\r")})


def count_records(path: Path) -> int:
    """The number of non-blank lines of the input."""
    with path.open(encoding="utf-8") as handle:
        return sum(1 for text in handle if text.strip())


class CheckpointMismatch(Exception):
    """The checkpoint belongs to another input, or to this one before lines changed."""


class Checkpoint:
    """The lines of ``source`` done so far: a header naming the input (its size and the
    SHA-256 of that many bytes), then one JSON list of line numbers per line, appended and
    flushed after each request the API accepted."""

    def __init__(self, path: Path, source: Path) -> None:
        self.path = path
        self.source = source

    def _header(self) -> dict[str, Any]:
        size = self.source.stat().st_size
        return {
            "stream_async_import": CHECKPOINT_VERSION,
            "size": size,
            "sha256": file_digest(self.source, size),
        }

    def _check(self, header: Mapping[str, Any]) -> None:
        size = header.get("size", self.source.stat().st_size)
        matches = (
            isinstance(size, int)
            and 0 <= size <= self.source.stat().st_size
            and header.get("sha256") == file_digest(self.source, size)
            and _ends_a_line(self.source, size)
        )
        if not matches:
            raise CheckpointMismatch(
                f"{self.path} was written for another input, or lines of {self.source.name} "
                "changed since (only lines appended after the last one can be resumed)"
            )

    def load(self) -> set[int]:
        """The lines already done (none when there is no checkpoint yet); raises
        :class:`CheckpointMismatch` when the input is not the one the checkpoint was
        written for, nor that one with lines appended."""
        if not self.path.exists():
            return set()
        done: set[int] = set()
        with self.path.open(encoding="utf-8") as handle:
            self._check(json.loads(handle.readline() or "{}"))
            for text in handle:
                try:
                    done.update(json.loads(text))
                except json.JSONDecodeError:
                    break  # a line cut short by a crash: its records are simply sent again
        return done

    def start(self, done: set[int]) -> None:
        """Write the header for the input as it is now, followed by the lines ``done``
        (read by :meth:`load`), so that a grown input's checkpoint covers its new size."""
        lines = [json.dumps(self._header())]
        if done:
            lines.append(json.dumps(sorted(done)))
        partial = self.path.with_name(self.path.name + ".partial")
        partial.write_text("\n".join(lines) + "\n", encoding="utf-8")
        partial.replace(self.path)

    def mark(self, lines: Sequence[int]) -> None:
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(sorted(lines)) + "\n")
            handle.flush()


Sender = Callable[[AsyncStreamClient, str, list[dict[str, Any]]], Awaitable[object]]


async def _add_activities(
    client: AsyncStreamClient, feed: str, items: list[dict[str, Any]]
) -> None:
    slug, _, user_id = feed.partition(":")
    await client.feed(slug, user_id).add_activities(items)


async def _follow_many(client: AsyncStreamClient, _: str, items: list[dict[str, Any]]) -> None:
    await client.follow_many(items)


async def _upsert(client: AsyncStreamClient, name: str, items: list[dict[str, Any]]) -> None:
    await client.collections.upsert(name, items)


SENDERS: dict[str, Sender] = {
    "activity": _add_activities,
    "follow": _follow_many,
    "collection": _upsert,
}


def _describe(error: errors.StreamError) -> str:
    return f"{type(error).__name__}: {error}".replace("\n", " ")


class Importer:
    """Sends records through ``client`` and keeps ``report`` and ``checkpoint`` current;
    ``advance(n)`` is called as records are done, failed or skipped."""

    def __init__(
        self,
        client: AsyncStreamClient,
        checkpoint: Checkpoint,
        *,
        chunk_size: int | None = None,
        require_identity: bool = False,
        advance: Callable[[int], None] = lambda n: None,
    ) -> None:
        self.client = client
        self.checkpoint = checkpoint
        self.chunk_size = chunk_size
        self.require_identity = require_identity
        self.advance = advance
        self.report = ImportReport()

    def _size(self, kind: str) -> int:
        limit = LIMITS[kind]
        return limit if self.chunk_size is None else max(1, min(self.chunk_size, limit))

    def _fail(self, line: int, message: str) -> None:
        self.report.failed[line] = message
        self.advance(1)

    async def _send(self, kind: str, group: str, records: list[Record]) -> None:
        try:
            await SENDERS[kind](self.client, group, [record.item for record in records])
        except errors.BadRequestError as error:
            if len(records) == 1:
                self._fail(records[0].line, _describe(error))
                return
            async with anyio.create_task_group() as tasks:  # find the lines at fault
                for record in records:
                    tasks.start_soon(self._send, kind, group, [record])
            return
        except errors.StreamError as error:
            for record in records:
                self._fail(record.line, _describe(error))
            return
        self.checkpoint.mark([record.line for record in records])
        self.report.sent[kind] += len(records)
        self.advance(len(records))

    async def send_window(self, records: list[Record]) -> None:
        """Send a window of records: grouped, chunked to the API's limits, concurrently
        (the client's ``max_concurrency`` bounds the requests in flight)."""
        groups: dict[tuple[str, str], list[Record]] = {}
        for record in records:
            groups.setdefault((record.kind, record.group), []).append(record)
        async with anyio.create_task_group() as tasks:
            for (kind, group), members in groups.items():
                size = self._size(kind)
                for start in range(0, len(members), size):
                    tasks.start_soon(self._send, kind, group, members[start : start + size])

    def records(self, path: Path, done: set[int]) -> Iterator[Record]:
        """The input's records still to send; reports bad lines and skips done ones."""
        with path.open(encoding="utf-8") as handle:
            for number, text in enumerate(handle, start=1):
                if not text.strip():
                    continue
                if number in done:
                    self.report.skipped += 1
                    self.advance(1)
                    continue
                try:
                    record = parse_record(number, text)
                except RecordError as error:
                    self._fail(number, str(error))
                    continue
                if not record.idempotent:
                    self.report.without_identity.append(number)
                    if self.require_identity:
                        self._fail(number, "the activity has no foreign_id and time")
                        continue
                yield record

    async def run(self, path: Path, done: set[int]) -> ImportReport:
        """Import every record of ``path`` but the lines ``done`` (from
        :meth:`Checkpoint.load`, which the caller checks before showing any progress)."""
        self.checkpoint.start(done)
        pending = self.records(path, done)
        while window := list(islice(pending, WINDOW)):
            await self.send_window(window)
        return self.report
