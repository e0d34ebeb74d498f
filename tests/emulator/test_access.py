"""The token check itself, including which tokens are user tokens (client-side auth)."""

from __future__ import annotations

from typing import Any

import pytest

from stream_async.emulator.errors import ApiError
from stream_async.emulator.http.auth import Access, authenticate
from tests.emulator.conftest import API_KEY, CONFIG, token

CLIENT_SIDE = Access("reactions", client_side=True)


def _check(access: Access, jwt: str, method: str = "POST") -> str | None:
    principal = authenticate(
        config=CONFIG,
        api_key=API_KEY,
        authorization=jwt,
        method=method,
        access=access,
        feed_id=None,
    )
    return principal.user_id


def test_user_tokens_are_accepted_on_client_side_endpoints() -> None:
    assert _check(CLIENT_SIDE, token(user_id="alice", role="admin")) == "alice"


def test_server_tokens_still_work_on_client_side_endpoints() -> None:
    assert _check(CLIENT_SIDE, token(resource="reactions", action="write", feed_id="*")) is None


@pytest.mark.parametrize(
    "claims",
    [
        {"user_id": 42},
        {"user_id": "alice", "resource": "feed", "action": "*", "feed_id": "*"},
        {"resource": "reactions", "action": "write", "feed_id": "*"},
        # one of resource/action is enough to make a server token, which then lacks the other
        {"user_id": "alice", "action": "*", "feed_id": "*"},
        {"user_id": "alice", "resource": "*", "feed_id": "*"},
    ],
)
def test_client_side_refusals(claims: dict[str, Any]) -> None:
    with pytest.raises(ApiError) as raised:
        _check(CLIENT_SIDE, token(**claims), method="DELETE")
    assert (raised.value.status_code, raised.value.code) == (403, 17)


def test_unknown_http_methods_need_the_wildcard_action() -> None:
    allowed = token(resource="*", action="*", feed_id="*")
    assert _check(Access("feed"), allowed, method="TRACE") is None
    with pytest.raises(ApiError):
        _check(Access("feed"), token(resource="*", action="read", feed_id="*"), method="TRACE")
