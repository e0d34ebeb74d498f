"""The shape every contract case checks, and the table type the test modules fill in.

Expected values are written literally in the cases, from the reference's endpoint sections
(``stream-rest-api.txt``) and its least-privilege table (``auth-scopes.md``), never taken
from the code under test.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from importlib.metadata import version
from typing import Any

import pytest

from stream_async import AsyncStreamClient
from tests.conftest import API_KEY, API_SECRET
from tests.support.recording import Recorded, RecordingServer, Reply

NO_BODY: Any = object()
"""The request must carry no body (and so no Content-Type)."""

# "Sending an authenticated request": Stream-Auth-Type: jwt, the token with no "Bearer"
# prefix, and the api_key query parameter on every request.
SDK_HEADER = f"stream-async-python-{version('stream-async')}"


@dataclass(frozen=True)
class Case:
    """One public call and the one request it must send."""

    name: str
    call: Callable[[AsyncStreamClient], Awaitable[Any]]
    method: str
    path: str
    claims: dict[str, str]
    query: list[tuple[str, str]] = field(default_factory=list)
    """The query pairs after ``api_key``, in order."""
    body: Any = NO_BODY
    reply: Reply = field(default_factory=Reply)
    check: Callable[[Any], None] | None = None
    """Assertions on the call's result, parsed from ``reply``."""


def params(cases: list[Case]) -> pytest.MarkDecorator:
    """Parametrize a test over ``cases``, each named by its ``name``."""
    return pytest.mark.parametrize("case", [pytest.param(c, id=c.name) for c in cases])


def equal(actual: object, expected: object) -> None:
    """``assert actual == expected``, for the ``check`` lambdas of the tables."""
    assert actual == expected


def assert_common_headers(request: Recorded) -> None:
    assert request.headers["stream-auth-type"] == "jwt"
    assert request.headers["x-stream-client"] == SDK_HEADER
    assert request.headers["accept"] == "application/json"
    assert not request.headers["authorization"].lower().startswith("bearer")


def assert_body(request: Recorded, expected: Any) -> None:
    if expected is NO_BODY:
        assert request.body == b""
        assert "content-type" not in request.headers
    else:
        assert request.headers["content-type"] == "application/json"
        assert request.json() == expected


async def run_case(case: Case, client: AsyncStreamClient, server: RecordingServer) -> None:
    """Make the call against the recording server and check the one request it sent."""
    server.script(case.reply)
    result = await case.call(client)
    (request,) = server.requests
    assert request.method == case.method
    assert request.path.decode() == case.path
    assert request.query == [("api_key", API_KEY), *case.query]
    assert request.claims(API_SECRET) == case.claims
    assert_common_headers(request)
    assert_body(request, case.body)
    if case.check is not None:
        case.check(result)
