"""Base classes shared by every response model."""

from __future__ import annotations

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


class StreamResponse(StreamModel):
    """A whole API response: its ``duration`` as the server measured it, plus the HTTP
    status and headers (``raw_response``) and the rate-limit headers (``rate_limit``)."""

    duration: str | None = None
    _raw: RawResponse | None = PrivateAttr(default=None)
    _retries: int = PrivateAttr(default=0)

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
