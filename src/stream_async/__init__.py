"""stream-async: an asyncio-native, typed SDK for Stream's activity feeds API.

The public names below are imported on first use, so ``import stream_async`` (and the
pytest plugin every installation registers) stays cheap until the SDK is actually used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from stream_async._version import __version__

if TYPE_CHECKING:
    from stream_async import errors, models
    from stream_async._client import AsyncStreamClient
    from stream_async._config import DEFAULT_TIMEOUT, DEFAULT_UPLOAD_TIMEOUT
    from stream_async.errors import (
        APIConnectionError,
        APITimeoutError,
        BatchError,
        ClientClosedError,
        RateLimit,
        StreamAPIError,
        StreamConfigurationError,
        StreamError,
        StreamValidationError,
    )
    from stream_async.models import Activity, FeedPage
    from stream_async.resources.feeds import ReactionOptions

_HOMES = {
    "errors": "stream_async.errors",
    "models": "stream_async.models",
    "AsyncStreamClient": "stream_async._client",
    "DEFAULT_TIMEOUT": "stream_async._config",
    "DEFAULT_UPLOAD_TIMEOUT": "stream_async._config",
    "APIConnectionError": "stream_async.errors",
    "APITimeoutError": "stream_async.errors",
    "BatchError": "stream_async.errors",
    "ClientClosedError": "stream_async.errors",
    "RateLimit": "stream_async.errors",
    "StreamAPIError": "stream_async.errors",
    "StreamConfigurationError": "stream_async.errors",
    "StreamError": "stream_async.errors",
    "StreamValidationError": "stream_async.errors",
    "Activity": "stream_async.models",
    "FeedPage": "stream_async.models",
    "ReactionOptions": "stream_async.resources.feeds",
}

__all__ = [
    "DEFAULT_TIMEOUT",
    "DEFAULT_UPLOAD_TIMEOUT",
    "APIConnectionError",
    "APITimeoutError",
    "Activity",
    "AsyncStreamClient",
    "BatchError",
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


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'stream_async' has no attribute {name!r}")
    module = importlib.import_module(home)
    value = module if home.endswith(f".{name}") else getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
