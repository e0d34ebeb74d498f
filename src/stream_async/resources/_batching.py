"""Splitting inputs above a request's limit into chunks sent concurrently."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

import anyio

from stream_async.errors import BatchError, StreamError
from stream_async.models._base import EmptyResponse, StreamResponse

T = TypeVar("T")
R = TypeVar("R")
M = TypeVar("M", bound=StreamResponse)


async def in_chunks(
    items: Sequence[T], size: int, send: Callable[[Sequence[T]], Awaitable[R]]
) -> list[R]:
    """Send ``items`` in chunks of at most ``size`` concurrently (the client's concurrency
    limit still applies) and return the results in chunk order.

    When some chunks fail, the others are still sent; then :class:`BatchError` says which
    items were applied and which were not, with each failure's error.
    """
    chunks = [items[i : i + size] for i in range(0, len(items), size)]
    if len(chunks) == 1:
        return [await send(chunks[0])]
    results: dict[int, R] = {}
    failures: dict[int, StreamError] = {}

    async def run(index: int, chunk: Sequence[T]) -> None:
        try:
            results[index] = await send(chunk)
        except StreamError as error:
            failures[index] = error

    async with anyio.create_task_group() as group:
        for index, chunk in enumerate(chunks):
            group.start_soon(run, index, chunk)
    if failures:
        raise BatchError(
            applied=[item for i, chunk in enumerate(chunks) if i in results for item in chunk],
            failed=[(list(chunks[i]), failures[i]) for i in sorted(failures)],
            chunks=len(chunks),
        )
    return [results[i] for i in range(len(chunks))]


def combine(results: list[M], merged: M) -> M:
    """``merged`` (built from every chunk's result) with the first chunk's status and
    headers, and the most retries any chunk took."""
    merged._raw = results[0]._raw
    merged._retries = max(result._retries for result in results)
    return merged


def joined(
    results: list[M], items: Callable[[M], Sequence[Any]], build: Callable[[list[Any]], M]
) -> M:
    """The one result of a call sent in chunks: a lone chunk's result as it is; otherwise
    ``build`` of every chunk's ``items``, in chunk order (see :func:`combine`); ``build``
    of no items when nothing was sent."""
    if len(results) == 1:
        return results[0]
    merged = build([item for result in results for item in items(result)])
    return combine(results, merged) if results else merged


def acknowledged(results: list[EmptyResponse]) -> EmptyResponse:
    """The one acknowledgement of a call sent in chunks (see :func:`joined`)."""
    return joined(results, lambda result: (), lambda items: EmptyResponse())
