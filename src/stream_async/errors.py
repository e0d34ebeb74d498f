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
        │   │   ├── MissingRankingError (12)
        │   │   └── MissingUserError (10)
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

What they carry: every error has ``retries_taken`` (attempts repeated before giving up) and
``may_have_been_applied`` (a write failed after it may have reached the server and was not
retried, repeating it not being safe). A :class:`StreamAPIError` mirrors the API's error body
(``code``, ``detail``, ``exception``, ``exception_fields``, ``duration``) with the HTTP
``status_code``, the ``rate_limit`` headers and the ``response``; a
:class:`RateLimitError` adds ``retry_after``. An :class:`APIConnectionError` has the HTTP
library's error as its ``__cause__``. A :class:`ResponseTooLargeError` (the body passed
``max_response_bytes``, counted after decompression; the attempt ended as soon as that was
known) is not retried: the server did answer. A :class:`BatchError` lists the items the API
accepted (``applied``) and pairs each failed chunk's items with its error (``failed``);
re-sending those is safe where the call is idempotent (follows, updates, activities with
``foreign_id`` and ``time``).

Any other status of 300 or more raises :class:`StreamAPIError` itself: redirects (3xx) are
never followed. A Stream ``code`` in the body picks the class; without one, the HTTP status
does. Messages carry the API's ``detail`` and field errors, never a token, a secret or a header.
Every error of a request (an API error, a connection error or timeout, an unreadable answer)
carries the ``method`` and the ``path`` (service and path, no query) it belongs to.

Reading the rate-limit headers (:class:`RateLimit`, the ``Retry-After`` wait) lives in
:mod:`stream_async._ratelimit`; ``RateLimit`` is importable from here too.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from stream_async._ratelimit import RateLimit, retry_after_seconds

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


class StreamError(Exception):
    """Root of every exception raised by stream-async."""

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
    """No usable response arrived: the connection was refused, reset or broken."""

    def __init__(self, message: str, *, method: str, path: str) -> None:
        self.method = method
        self.path = path
        super().__init__(f"{message} ({method} {path})")


class APITimeoutError(APIConnectionError):
    """The call did not complete within its timeout."""


class ResponseTooLargeError(APIConnectionError):
    """The response body was larger than ``max_response_bytes`` (the ``limit``)."""

    def __init__(self, message: str, *, method: str, path: str, limit: int) -> None:
        self.limit = limit
        super().__init__(message, method=method, path=path)


class BatchError(StreamError):
    """Some chunks of a split batch call failed while others were applied."""

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

    def __init__(self, message: str, *, response: httpx.Response, method: str, path: str) -> None:
        self.status_code = response.status_code
        self.response, self.method, self.path = response, method, path
        super().__init__(message)


class StreamAPIError(StreamError):
    """The API answered with an error status (300 or more)."""

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
    """HTTP 429, Stream code 9: too many requests."""

    @property
    def retry_after(self) -> float | None:
        """The wait, in seconds, the server asked for (``Retry-After``, else
        ``x-ratelimit-reset``), when it said."""
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


class MissingUserError(FeedConfigError):
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
