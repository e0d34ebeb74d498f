"""Stream-shaped errors.

Every error the emulator answers is a :class:`ApiError` rendered by its :meth:`body`:
``detail``, ``status_code``, ``code``, ``exception``, ``more_info`` (plus ``exception_fields``
for field errors); the response layer adds ``duration``. The constructors below cover the
codes this API uses (§4 of the API semantics).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

MORE_INFO = "https://getstream.io/docs/api_error_responses"

PERMISSION_DETAIL = (
    "You do not have permission to do this, you got this error because there are no policies "
    "allowing this request on this application. Please consult the documentation "
    "https://getstream.io/docs/"
)
"""The live server's exact ``detail`` for a request the token does not allow."""


class ApiError(Exception):
    """An API error: HTTP status, Stream error code and exception name, and a detail."""

    def __init__(
        self,
        status_code: int,
        code: int,
        exception: str,
        detail: str,
        exception_fields: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status_code = status_code
        self.code = code
        self.exception = exception
        self.detail = detail
        self.exception_fields = exception_fields

    def body(self) -> dict[str, Any]:
        """The JSON error body, without ``duration``."""
        body: dict[str, Any] = {
            "detail": self.detail,
            "status_code": self.status_code,
            "code": self.code,
            "exception": self.exception,
            "more_info": MORE_INFO,
        }
        if self.exception_fields is not None:
            body["exception_fields"] = {k: list(v) for k, v in self.exception_fields.items()}
        return body


def input_error(detail: str) -> ApiError:
    """400, code 4: the request is malformed."""
    return ApiError(400, 4, "InputException", detail)


def field_errors(fields: Mapping[str, Sequence[str]]) -> ApiError:
    """400, code 4 with ``exception_fields``: named fields are missing or invalid."""
    names = ", ".join(f"'{name}'" for name in fields)
    return ApiError(400, 4, "InputException", f"Errors for fields {names}", fields)


def feed_config_error(slug: str) -> ApiError:
    """400, code 6: the feed group is not configured."""
    detail = f"The following feeds are not configured: '{slug}'"
    return ApiError(400, 6, "FeedConfigException", detail)


def api_key_error() -> ApiError:
    """401, code 2: the ``api_key`` query parameter is missing or unknown."""
    return ApiError(401, 2, "ApiKeyException", "api_key not found")


def missing_token_error() -> ApiError:
    """401, code 3: the request carries no JWT in its ``Authorization`` header."""
    detail = "Authorization header is missing; send a JWT signed with the API secret"
    return ApiError(401, 3, "SignatureException", detail)


def not_allowed(detail: str = PERMISSION_DETAIL, status_code: int = 403) -> ApiError:
    """403 (or 405), code 17: the token is invalid or does not allow the request."""
    return ApiError(status_code, 17, "NotAllowedException", detail)


def does_not_exist(detail: str) -> ApiError:
    """404, code 16: the addressed resource does not exist."""
    return ApiError(404, 16, "DoesNotExistException", detail)


def conflict(detail: str) -> ApiError:
    """409, code 22: the resource already exists."""
    return ApiError(409, 22, "ConflictException", detail)


def body_too_large(limit: int) -> ApiError:
    """413, code 18: the request body is larger than ``limit`` bytes (``InputException``, a
    documented choice: the live exception name is not published)."""
    detail = f"request body is too large: the limit is {limit} bytes"
    return ApiError(413, 18, "InputException", detail)


def rate_limited(limit: int) -> ApiError:
    """429, code 9: more than ``limit`` requests in the current one-minute window
    (``RateLimitReached``, the name §5 of the API semantics suggests)."""
    detail = f"rate limit reached: at most {limit} requests per minute"
    return ApiError(429, 9, "RateLimitReached", detail)


def internal_error() -> ApiError:
    """500, code -1: an unexpected failure inside the emulator."""
    return ApiError(500, -1, "InternalSystemError", "Internal System Error")
