"""stream-async: an asyncio-native, typed SDK for Stream's activity feeds API."""

from stream_async._version import __version__

__all__ = ["__version__"]
