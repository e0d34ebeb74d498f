"""Real loopback servers for tests."""

from stream_async.testing import free_port, serve_asgi

serve = serve_asgi

__all__ = ["free_port", "serve"]
