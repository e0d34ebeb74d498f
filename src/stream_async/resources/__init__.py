"""Resource namespaces: validate arguments, shape the call, await the transport."""

from stream_async.resources.feeds import Feed

__all__ = ["Feed"]
