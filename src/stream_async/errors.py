"""The exceptions this SDK raises, and the one function that maps a response to them.

Every exception is a :class:`StreamError`::

    StreamError
    ├── StreamValidationError        bad argument, raised before anything is sent (also ValueError)
    ├── StreamConfigurationError     missing or contradictory client settings (also ValueError)
    ├── ClientClosedError            the client (or the client it was derived from) is closed
    ├── APIConnectionError           no usable response: refused, reset, DNS, TLS ...
    │   ├── APITimeoutError          the call ran past its timeout
    │   └── ResponseTooLargeError    the response body passed max_response_bytes
    ├── InvalidResponseError         a 2xx whose body is not the JSON the API promises
    ├── BatchError                   a split batch call was applied in part: what was, what not
    └── StreamAPIError               the API answered 4xx/5xx; carries status, code, detail ...
        ├── BadRequestError (400)
        │   ├── InputError (code 4)
        │   ├── CustomFieldError (5)
        │   ├── FeedConfigError (6)
        │   │   ├── RankingError (11)
        │   │   └── MissingRankingError (12)
        │   │       └── MissingUserError (10)
        │   ├── InvalidPaginationError (8)
        │   ├── OldStorageError (13)
        │   └── BestPracticeError (15)
        ├── AuthenticationError (401)
        │   ├── ApiKeyError (2)
        │   ├── SignatureError (3)
        │   └── SiteSuspendedError (7)
        ├── PermissionDeniedError (403)
        │   └── NotAllowedError (17)
        ├── NotFoundError (404)
        │   └── DoesNotExistError (16)
        ├── ConflictError (409, code 22)
        ├── PayloadTooLargeError (413, code 18)
        ├── RateLimitError (429, code 9)
        └── InternalServerError (5xx)

Any other status of 300 or more raises :class:`StreamAPIError` itself: redirects (3xx) are
never followed. A Stream ``code`` in the body picks the class; without one, the HTTP status
does. Messages carry the API's ``detail`` and field errors, never a token, a secret or a header.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx

__all__ = [
    "APIConnectionError",
    "APITimeoutError",
    "ApiKeyError",
    "AuthenticationError",
    "BadRequestError",
    "BatchError",
    "BestPracticeError",
    "ClientClosedError",
    "ConflictError",
    "CustomFieldError",
    "DoesNotExistError",
    "FeedConfigError",
    "InputError",
    "InternalServerError",
    "InvalidPaginationError",
    "InvalidResponseError",
    "MissingRankingError",
    "MissingUserError",
    "NotAllowedError",
    "NotFoundError",
    "OldStorageError",
    "PayloadTooLargeError",
    "PermissionDeniedError",
    "RankingError",
    "RateLimit",
    "RateLimitError",
    "ResponseTooLargeError",
    "SignatureError",
    "SiteSuspendedError",
    "StreamAPIError",
    "StreamConfigurationError",
    "StreamError",
    "StreamValidationError",
]


@dataclass(frozen=True)
class RateLimit:
    """The ``x-ratelimit-*`` headers of a response: the window's limit, what is left, and
    when the window resets (aware UTC datetime)."""

    limit: int
    remaining: int
    reset: datetime | None

    @classmethod
    def from_headers(cls, headers: httpx.Headers) -> RateLimit | None:
        """Read the rate-limit headers; ``None`` when the response has none. A header that
        is not a plain count (or a reset time outside the years 1..9999) is ignored, as if
        absent."""
        limit = _int_header(headers, "x-ratelimit-limit")
        remaining = _int_header(headers, "x-ratelimit-remaining")
        if limit is None or remaining is None:
            return None
        return cls(limit=limit, remaining=remaining, reset=reset_time(headers))


_COUNT = re.compile(r"[0-9]{1,18}")
"""A count or a Unix time as the rate-limit headers carry them; more digits are out of range."""


def _int_header(headers: httpx.Headers, name: str) -> int | None:
    value = headers.get(name)
    if value is None:
        return None
    value = value.strip()
    return int(value) if _COUNT.fullmatch(value) else None


def reset_time(headers: httpx.Headers) -> datetime | None:
    """When the rate-limit window resets (``x-ratelimit-reset``, Unix seconds), or
    ``None`` when the header is absent, not a count, or outside what a datetime holds."""
    reset = _int_header(headers, "x-ratelimit-reset")
    if reset is None:
        return None
    try:
        return datetime.fromtimestamp(reset, tz=timezone.utc)
    except (ValueError, OverflowError, OSError):
        return None


class StreamError(Exception):
    """Root of every exception raised by stream-async.

    ``retries_taken`` counts the attempts repeated before giving up;
    ``may_have_been_applied`` is true when a write failed after it may have reached the
    server and was not retried because repeating it is not safe.
    """

    retries_taken: int = 0
    may_have_been_applied: bool = False

    def __str__(self) -> str:
        text = super().__str__()
        if self.may_have_been_applied:
            text += (
                " [the request may have been applied; it was not retried because repeating"
                " it is not idempotent]"
            )
        return text


class StreamValidationError(StreamError, ValueError):
    """An argument broke a rule of the API; raised before any request is sent."""

    def __init__(self, field: str, rule: str, value: Any = None) -> None:
        self.field = field
        self.rule = rule
        self.value = value
        super().__init__(f"{field}: {rule}")


class StreamConfigurationError(StreamError, ValueError):
    """The client's settings are missing or contradict each other."""


class ClientClosedError(StreamError, RuntimeError):
    """The client was closed; open a new one."""


class APIConnectionError(StreamError):
    """No usable response arrived: the connection was refused, reset or broken.

    The underlying httpx error is the ``__cause__``.
    """

    def __init__(self, message: str, *, method: str, path: str) -> None:
        self.method = method
        self.path = path
        super().__init__(f"{message} ({method} {path})")


class APITimeoutError(APIConnectionError):
    """The call did not complete within its timeout."""


class ResponseTooLargeError(APIConnectionError):
    """The response body was larger than the client's ``max_response_bytes`` (counted
    after decompression); the attempt was ended as soon as that was known. ``limit`` is
    that setting. Not retried: the server did answer."""

    def __init__(self, message: str, *, method: str, path: str, limit: int) -> None:
        self.limit = limit
        super().__init__(message, method=method, path=path)


class BatchError(StreamError):
    """Some chunks of a split batch call failed while others were applied.

    ``applied`` lists the items the API accepted; ``failed`` pairs each failed chunk's
    items with its error. Re-sending ``failed`` items is safe where the call is idempotent
    (follows, updates, activities with ``foreign_id`` and ``time``).
    """

    def __init__(
        self, *, applied: list[Any], failed: list[tuple[list[Any], StreamError]], chunks: int
    ) -> None:
        self.applied = applied
        self.failed = failed
        lost = sum(len(items) for items, _ in failed)
        first = failed[0][1]
        super().__init__(
            f"{len(failed)} of {chunks} chunks failed: {len(applied)} items applied, "
            f"{lost} not; first error: {type(first).__name__}: {first}"
        )


class InvalidResponseError(StreamError):
    """The API answered with a success status but a body this SDK cannot read."""

    def __init__(self, message: str, *, status_code: int, response: httpx.Response) -> None:
        self.status_code = status_code
        self.response = response
        super().__init__(message)


class StreamAPIError(StreamError):
    """The API answered with an error status.

    Attributes mirror the API's error body (``code``, ``detail``, ``exception``,
    ``exception_fields``, ``duration``) plus the HTTP ``status_code``, the ``rate_limit``
    headers and the ``response`` itself.
    """

    def __init__(
        self,
        *,
        status_code: int,
        code: int | None,
        detail: str,
        exception: str | None,
        exception_fields: dict[str, list[str]] | None,
        duration: str | None,
        rate_limit: RateLimit | None,
        response: httpx.Response | None,
        method: str,
        path: str,
    ) -> None:
        self.status_code = status_code
        self.code = code
        self.detail = detail
        self.exception = exception
        self.exception_fields = exception_fields or {}
        self.duration = duration
        self.rate_limit = rate_limit
        self.response = response
        self.method = method
        self.path = path
        super().__init__(self._message())

    def _message(self) -> str:
        name = self.exception or type(self).__name__
        code = f", code {self.code}" if self.code is not None else ""
        lines = [
            f"{name} (HTTP {self.status_code}{code}) on {self.method} {self.path}: {self.detail}"
        ]
        lines.extend(
            f'  field "{field}": {"; ".join(errors)}'
            for field, errors in self.exception_fields.items()
        )
        return "\n".join(lines)


class BadRequestError(StreamAPIError):
    """HTTP 400."""


class AuthenticationError(StreamAPIError):
    """HTTP 401."""


class PermissionDeniedError(StreamAPIError):
    """HTTP 403."""


class NotFoundError(StreamAPIError):
    """HTTP 404."""


class ConflictError(StreamAPIError):
    """HTTP 409, Stream code 22: the object already exists."""


class PayloadTooLargeError(StreamAPIError):
    """HTTP 413, Stream code 18: the request body is too large."""


class RateLimitError(StreamAPIError):
    """HTTP 429, Stream code 9. ``retry_after`` is the wait, in seconds, that the server
    asked for (``Retry-After``, else ``x-ratelimit-reset``), when it said."""

    @property
    def retry_after(self) -> float | None:
        if self.response is None:
            return None
        return retry_after_seconds(self.response.headers)


class InternalServerError(StreamAPIError):
    """HTTP 5xx."""


class ApiKeyError(AuthenticationError):
    """Code 2: the api key is unknown."""


class SignatureError(AuthenticationError):
    """Code 3: the token's signature is not valid."""


class SiteSuspendedError(AuthenticationError):
    """Code 7: the app is suspended."""


class InputError(BadRequestError):
    """Code 4: the request's input is not valid."""


class CustomFieldError(BadRequestError):
    """Code 5: a custom field is not valid."""


class FeedConfigError(BadRequestError):
    """Code 6: the feed group is not configured."""


class InvalidPaginationError(BadRequestError):
    """Code 8: the pagination arguments are not valid."""


class RankingError(FeedConfigError):
    """Code 11: the ranking is not valid."""


class MissingRankingError(FeedConfigError):
    """Code 12: the ranking does not exist."""


class MissingUserError(MissingRankingError):
    """Code 10: the user does not exist."""


class OldStorageError(BadRequestError):
    """Code 13: the app uses an old storage backend."""


class BestPracticeError(BadRequestError):
    """Code 15: the request breaks a best practice that the API enforces."""


class DoesNotExistError(NotFoundError):
    """Code 16: the resource does not exist."""


class NotAllowedError(PermissionDeniedError):
    """Code 17: the token does not allow this request."""


_BY_CODE: dict[int, type[StreamAPIError]] = {
    2: ApiKeyError,
    3: SignatureError,
    4: InputError,
    5: CustomFieldError,
    6: FeedConfigError,
    7: SiteSuspendedError,
    8: InvalidPaginationError,
    9: RateLimitError,
    10: MissingUserError,
    11: RankingError,
    12: MissingRankingError,
    13: OldStorageError,
    15: BestPracticeError,
    16: DoesNotExistError,
    17: NotAllowedError,
    18: PayloadTooLargeError,
    22: ConflictError,
}

_BY_STATUS: dict[int, type[StreamAPIError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    413: PayloadTooLargeError,
    429: RateLimitError,
}


def _error_class(status_code: int, code: int | None) -> type[StreamAPIError]:
    if code is not None and code in _BY_CODE:
        return _BY_CODE[code]
    if status_code in _BY_STATUS:
        return _BY_STATUS[status_code]
    if status_code >= 500:
        return InternalServerError
    return StreamAPIError


def _field_errors(value: Any) -> dict[str, list[str]]:
    """Normalise ``exception_fields``: a dict, or a list of dicts, of field -> message(s)."""
    items: list[Any] = value if isinstance(value, list) else [value]
    fields: dict[str, list[str]] = {}
    for item in items:
        if not isinstance(item, dict):
            continue
        for field, errors in item.items():
            messages = errors if isinstance(errors, list) else [errors]
            fields.setdefault(str(field), []).extend(str(m) for m in messages)
    return fields


def error_from_response(response: httpx.Response, *, method: str, path: str) -> StreamAPIError:
    """Build the exception for an error response, whatever its body holds.

    A Stream JSON body gives code, detail and field errors; any other body (HTML from a
    proxy, plain text, nothing) still raises, with the HTTP status as the detail.
    """
    body: Any = None
    try:
        body = json.loads(response.content)
    except ValueError:
        body = None
    if not isinstance(body, dict):
        body = {}
    raw_code = body.get("code")
    code = raw_code if isinstance(raw_code, int) and not isinstance(raw_code, bool) else None
    detail = body.get("detail")
    if not isinstance(detail, str) or not detail:
        detail = f"HTTP {response.status_code} {response.reason_phrase}".strip()
    if 300 <= response.status_code < 400:
        detail = f"{detail} (a redirect: redirects are never followed)"
    exception = body.get("exception")
    duration = body.get("duration")
    cls = _error_class(response.status_code, code)
    return cls(
        status_code=response.status_code,
        code=code,
        detail=detail,
        exception=exception if isinstance(exception, str) else None,
        exception_fields=_field_errors(body.get("exception_fields")),
        duration=duration if isinstance(duration, str) else None,
        rate_limit=RateLimit.from_headers(response.headers),
        response=response,
        method=method,
        path=path,
    )


def retry_after_seconds(headers: httpx.Headers) -> float | None:
    """The wait the server asked for: ``Retry-After`` (seconds or an HTTP date), else the
    time until ``x-ratelimit-reset``. ``None`` when neither says, or says something that is
    not a finite number or a valid date (such a header is ignored); a past time is 0."""
    now = datetime.now(timezone.utc)
    value = headers.get("retry-after")
    if value is not None:
        try:
            seconds = float(value)
        except ValueError:
            seconds = None
        if seconds is not None:
            if math.isfinite(seconds):
                return max(0.0, seconds)
        else:
            try:
                when = parsedate_to_datetime(value)
            except (TypeError, ValueError, OverflowError):
                when = None
            if when is not None:
                if when.tzinfo is None:
                    when = when.replace(tzinfo=timezone.utc)
                return max(0.0, (when - now).total_seconds())
    reset = reset_time(headers)
    if reset is not None:
        return max(0.0, (reset - now).total_seconds())
    return None
