"""Walking every page of a paginated endpoint with ``async for``, one page in memory."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import TypeVar

T = TypeVar("T")

Fetch = Callable[[str | None], Awaitable[tuple[Sequence[T], str | None]]]
"""Fetch the page after ``cursor`` (``None``: the first page); return its items and the
cursor of the following page (``None`` when there is none)."""


async def walk(fetch: Fetch[T], *, max_items: int | None = None) -> AsyncIterator[T]:
    """Yield the items of every page in order, fetching the next page only when the
    current one is used up; stops after ``max_items`` items when given."""
    if max_items is not None and max_items <= 0:
        return
    cursor: str | None = None
    seen = 0
    while True:
        items, cursor = await fetch(cursor)
        for item in items:
            yield item
            seen += 1
            if max_items is not None and seen >= max_items:
                return
        if cursor is None or not items:
            return
