"""The package's public surface, imported lazily."""

from __future__ import annotations

import subprocess
import sys

import pytest

import stream_async


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
