"""Responses of the personalization service."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from stream_async.models._base import StreamResponse


class PersonalizationResponse(StreamResponse):
    """What a personalization resource returns: ``results`` and paging fields; anything else
    the resource sends is kept (``model_extra``)."""

    results: list[Any] = Field(default_factory=list)
    next: str = ""
    limit: int | None = None
    offset: int | None = None
    version: str | None = None
