"""What ``client.users`` refuses to send, and its references. What it sends is pinned
over a socket in tests/contract/."""

from __future__ import annotations

from typing import Any

import pytest
import respx

from stream_async import AsyncStreamClient, StreamValidationError
from stream_async.models import User
from stream_async.resources import Users, user_reference
from tests.support.payloads import USER

pytestmark = pytest.mark.anyio

STORED = USER


LONG = "u" * 256


@pytest.mark.parametrize(
    ("method", "args", "kwargs", "field"),
    [
        ("add", ("",), {}, "user_id"),
        ("add", (LONG,), {}, "user_id"),
        ("add", (7,), {}, "user_id"),
        ("add", ("alice", "data"), {}, "data"),
        ("add", ("alice", ["a"]), {}, "data"),
        ("add", ("alice",), {"get_or_create": "yes"}, "get_or_create"),
        ("get", ("",), {}, "user_id"),
        ("get", ("alice",), {"with_follow_counts": 1}, "with_follow_counts"),
        ("update", ("alice", None), {}, "data"),
        ("update", (None, {}), {}, "user_id"),
        ("delete", (LONG,), {}, "user_id"),
    ],
)
async def test_bad_input_raises_before_sending(
    client: AsyncStreamClient,
    router: respx.Router,
    method: str,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    field: str,
) -> None:
    with pytest.raises(StreamValidationError) as info:
        await getattr(client.users, method)(*args, **kwargs)
    assert info.value.field == field
    assert router.calls.call_count == 0


def test_create_reference() -> None:
    user = User.model_validate(STORED)
    assert user_reference("alice") == "SU:alice"
    assert user_reference(user) == "SU:alice"
    assert user_reference({"id": "bob", "data": {}}) == "SU:bob"
    assert Users.create_reference("carol") == "SU:carol"
    with pytest.raises(StreamValidationError):
        user_reference({"name": "no id"})
    with pytest.raises(StreamValidationError):
        user_reference("")


async def test_create_reference_on_the_namespace(client: AsyncStreamClient) -> None:
    assert client.users.create_reference("alice") == "SU:alice"
    assert repr(client.users) == "Users()"
