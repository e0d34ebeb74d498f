"""A local emulator of Stream's activity-feeds REST API v1.0.

Serve it with ``python -m stream_async.emulator`` (or ``stream-async-emulator``), or mount
:func:`create_app`'s ASGI app in-process::

    from stream_async.emulator import EmulatorConfig, create_app

    app = create_app(EmulatorConfig(api_key="key", api_secret="a-secret-of-32-bytes-or-more!!"))

It checks API keys, JWT scopes and user tokens, and reproduces Stream's semantics: activity
ids, fan-out to followers and ``to`` targets, follows, aggregated and notification feeds,
reactions (children, target feeds, enrichment), users, collections, file and image uploads,
Open Graph, analytics and personalization, with Stream-shaped errors. State lives in SQLite,
in memory or in ``EmulatorConfig(data_dir=...)`` across restarts. It shares no code with the
SDK, so each can catch the other's mistakes. This package needs the ``emulator`` extra
(starlette, uvicorn, mmh3, python-multipart, pillow, beautifulsoup4, jinja2).

Layers: :mod:`.http` (the app, routes, auth, limits, responses) calls :mod:`.handlers` (one
module per API area, no HTTP types), which read and write :mod:`.store` (SQLite, ids, time).
"""

from stream_async.emulator.config import EmulatorConfig, FeedGroupConfig
from stream_async.emulator.http.app import Emulator, create_app

__all__ = ["Emulator", "EmulatorConfig", "FeedGroupConfig", "create_app"]
