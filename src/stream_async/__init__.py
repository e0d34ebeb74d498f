"""stream-async: an asyncio-native, typed SDK for Stream's activity feeds API."""

from stream_async import errors, models
from stream_async._client import AsyncStreamClient
from stream_async._config import DEFAULT_TIMEOUT, DEFAULT_UPLOAD_TIMEOUT
from stream_async._version import __version__
from stream_async.errors import (
    APIConnectionError,
    APITimeoutError,
    ClientClosedError,
    RateLimit,
    StreamAPIError,
    StreamConfigurationError,
    StreamError,
    StreamValidationError,
)
from stream_async.models import Activity, FeedPage
from stream_async.resources.feeds import ReactionOptions

__all__ = [
    "DEFAULT_TIMEOUT",
    "DEFAULT_UPLOAD_TIMEOUT",
    "APIConnectionError",
    "APITimeoutError",
    "Activity",
    "AsyncStreamClient",
    "ClientClosedError",
    "FeedPage",
    "RateLimit",
    "ReactionOptions",
    "StreamAPIError",
    "StreamConfigurationError",
    "StreamError",
    "StreamValidationError",
    "__version__",
    "errors",
    "models",
]
