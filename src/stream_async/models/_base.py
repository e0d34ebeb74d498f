"""Base classes shared by every response model."""

from __future__ import annotations

import re
from collections.abc import Sequence

import httpx
from pydantic import BaseModel, ConfigDict, PrivateAttr

from stream_async.errors import RateLimit


class RawResponse:
    """The HTTP status and headers a result came with (``headers`` is built from the raw
    header pairs on first use)."""

    __slots__ = ("_headers", "_raw", "status_code")

    def __init__(self, status_code: int, headers: Sequence[tuple[bytes, bytes]]) -> None:
        self.status_code = status_code
        self._raw = headers
        self._headers: httpx.Headers | None = None

    def __repr__(self) -> str:
        return f"RawResponse(status_code={self.status_code})"

    @property
    def headers(self) -> httpx.Headers:
        if self._headers is None:
            self._headers = httpx.Headers(list(self._raw))
        return self._headers

    @property
    def rate_limit(self) -> RateLimit | None:
        return RateLimit.from_headers(self.headers)


class StreamModel(BaseModel):
    """A value the API returns. Unknown keys are kept (``model_extra``), so new server
    fields and custom fields are never lost."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)


_DURATION = re.compile(r"\s*(\d+(?:\.\d*)?|\.\d+)\s*(ms|s|us|µs)?\s*")
_TO_MS = {"ms": 1.0, None: 1.0, "s": 1000.0, "us": 0.001, "µs": 0.001}


class StreamResponse(StreamModel):
    """A whole API response: its ``duration`` as the server measured it (the raw string,
    such as ``"0.20ms"``, and as a number, :attr:`duration_ms`), plus the HTTP status and
    headers (``raw_response``) and the rate-limit headers (``rate_limit``)."""

    duration: str | None = None
    _raw: RawResponse | None = PrivateAttr(default=None)
    _retries: int = PrivateAttr(default=0)

    @property
    def duration_ms(self) -> float | None:
        """The server's ``duration`` in milliseconds (``"0.20ms"`` gives ``0.2``; ``s`` and
        ``us`` units are converted, a bare number is milliseconds); ``None`` when the
        response had none or it is not a number with one of those units."""
        if self.duration is None:
            return None
        found = _DURATION.fullmatch(self.duration)
        if found is None:
            return None
        return float(found.group(1)) * _TO_MS[found.group(2)]

    @property
    def retries_taken(self) -> int:
        """How many attempts were repeated before this result arrived."""
        return self._retries

    @property
    def raw_response(self) -> RawResponse | None:
        """Status and headers; ``None`` for a result that needed no request."""
        return self._raw

    @property
    def rate_limit(self) -> RateLimit | None:
        """The ``x-ratelimit-*`` headers of the response, when it had them."""
        return None if self._raw is None else self._raw.rate_limit


class EmptyResponse(StreamResponse):
    """A response that carries nothing but the server's ``duration``: follows, deletes and
    other acknowledgements."""
