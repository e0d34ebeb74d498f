"""The package's public surface, imported lazily."""

from __future__ import annotations

import subprocess
import sys

import pytest

import stream_async
import stream_async.resources
from stream_async import AsyncStreamClient
from stream_async.resources._base import Resource
from tests.conftest import API_KEY, API_SECRET, BASE_URL


def test_every_public_name_resolves() -> None:
    for name in stream_async.__all__:
        assert getattr(stream_async, name) is not None
    assert stream_async.errors.StreamError is stream_async.StreamError
    assert sorted(dir(stream_async)) == sorted(stream_async.__all__)


def test_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_thing"):
        _ = stream_async.no_such_thing


def test_importing_the_package_loads_nothing_heavy() -> None:
    code = (
        "import sys, stream_async; "
        "heavy = [m for m in ('httpx', 'pydantic', 'jwt', 'stream_async._client') "
        "if m in sys.modules]; print(','.join(heavy))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == ""


@pytest.mark.anyio
async def test_every_namespace_and_feed_class_is_exported_from_resources() -> None:
    async with AsyncStreamClient(
        api_key=API_KEY, api_secret=API_SECRET, base_url=BASE_URL
    ) as client:
        handed_out = {
            type(value)
            for name in dir(client)
            if not name.startswith("_") and isinstance(value := getattr(client, name), Resource)
        }
        handed_out |= {
            type(client.feed("user", "1")),
            type(client.aggregated_feed("aggregated", "1")),
            type(client.notification_feed("notification", "1")),
        }
    names = {kind.__name__ for kind in handed_out}
    assert {"Activities", "DataPrivacy", "AuditLogs", "Moderation", "NotificationFeed"} <= names
    for kind in handed_out:
        assert kind.__name__ in stream_async.resources.__all__
        assert getattr(stream_async.resources, kind.__name__) is kind
