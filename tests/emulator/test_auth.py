"""API key and JWT enforcement (auth-scopes.md, api-semantics §1.1)."""

from __future__ import annotations

import base64
import json

import pytest

from tests.emulator.conftest import ADMIN, API_SECRET, Api, error, ok, token

pytestmark = pytest.mark.asyncio

ACTIVITY = {"actor": "a", "verb": "v", "object": "o"}

PERMISSION_DETAIL = (
    "You do not have permission to do this, you got this error because there are no policies "
    "allowing this request on this application. Please consult the documentation "
    "https://getstream.io/docs/"
)
"""§4 of the API semantics: the live server's detail for a request the token does not allow."""


async def test_unknown_api_key_is_401_code_2(api: Api) -> None:
    response = await api.request("GET", "feed/user/1/", api_key="wrong")
    assert error(response, 401, 2)["exception"] == "ApiKeyException"


async def test_missing_api_key_is_401_code_2(api: Api) -> None:
    error(await api.request("GET", "feed/user/1/", api_key=None), 401, 2)


async def test_missing_token_is_401_code_3(api: Api) -> None:
    error(await api.request("GET", "feed/user/1/", auth=None), 401, 3)


async def test_bad_signature_is_403_code_17(api: Api) -> None:
    forged = token(secret="another-secret-that-is-long-enough-0123", resource="*", action="*")
    body = error(await api.request("GET", "feed/user/1/", auth=forged), 403, 17)
    assert body["exception"] == "NotAllowedException"


@pytest.mark.parametrize("garbled", ["garbage", "a.b.c", "Bearer ", "e30.e30.e30"])
async def test_garbled_token_is_a_stream_error(api: Api, garbled: str) -> None:
    response = await api.request("GET", "feed/user/1/", auth=garbled)
    # api-semantics.md, section 1.1: a token the server cannot verify is HTTP 403, code 17.
    assert response.status_code == 403
    assert response.json()["code"] == 17
    assert response.json()["exception"] == "NotAllowedException"


def _unsigned(header: dict[str, str], claims: dict[str, str]) -> str:
    def part(data: dict[str, str]) -> str:
        raw = json.dumps(data, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    return f"{part(header)}.{part(claims)}."


async def test_alg_none_is_refused(api: Api) -> None:
    forged = _unsigned({"alg": "none", "typ": "JWT"}, {"resource": "*", "action": "*"})
    error(await api.request("GET", "feed/user/1/", auth=forged), 403, 17)


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
async def test_other_algorithms_are_refused(api: Api) -> None:
    hs512 = token(API_SECRET, "HS512", resource="*", action="*", feed_id="*")
    error(await api.request("GET", "feed/user/1/", auth=hs512), 403, 17)


async def test_bearer_prefix_is_tolerated(api: Api) -> None:
    ok(await api.request("GET", "feed/user/1/", auth=f"Bearer {ADMIN}"))


async def test_feed_scoped_token_reads_its_own_feed_only(api: Api) -> None:
    read_user1 = token(resource="feed", action="read", feed_id="user1")
    ok(await api.request("GET", "feed/user/1/", auth=read_user1))
    ok(await api.request("GET", "enrich/feed/user/1/", auth=read_user1))
    body = error(await api.request("GET", "feed/user/2/", auth=read_user1), 403, 17)
    assert body["detail"] == PERMISSION_DETAIL


async def test_feed_scoped_token_cannot_write_another_feed(api: Api) -> None:
    write_user1 = token(action="write", resource="feed", feed_id="user1")
    ok(await api.request("POST", "feed/user/1/", json=ACTIVITY, auth=write_user1), 201)
    response = await api.request("POST", "feed/user/2/", json=ACTIVITY, auth=write_user1)
    assert error(response, 403, 17)["detail"] == PERMISSION_DETAIL
    assert (await api.read("user:2"))["results"] == []


async def test_wrong_action_is_refused(api: Api) -> None:
    read_only = token(resource="feed", action="read", feed_id="*")
    error(await api.request("POST", "feed/user/1/", json=ACTIVITY, auth=read_only), 403, 17)
    error(await api.request("DELETE", "feed/user/1/x/", json={}, auth=read_only), 403, 17)


async def test_wrong_resource_is_refused(api: Api) -> None:
    follower = token(resource="follower", action="*", feed_id="*")
    error(await api.request("GET", "feed/user/1/", auth=follower), 403, 17)
    ok(await api.request("GET", "feed/user/1/followers/", auth=follower))


async def test_wildcards_and_extra_user_id_claim_are_allowed(api: Api) -> None:
    python_style = token(action="*", resource="activities", feed_id="*", user_id="*")
    ok(await api.request("GET", "activities/", params={"ids": "x"}, auth=python_style))


async def test_non_feed_endpoints_need_feed_id_wildcard(api: Api) -> None:
    scoped = token(resource="activities", action="*", feed_id="user1")
    error(await api.request("GET", "activities/", params={"ids": "x"}, auth=scoped), 403, 17)


async def test_follow_stats_needs_the_wildcard_resource(api: Api) -> None:
    params = {"followers": "user:1"}
    follower = token(resource="follower", action="*", feed_id="*")
    error(await api.request("GET", "stats/follow/", params=params, auth=follower), 403, 17)
    anything = token(resource="*", action="read", feed_id="*")
    ok(await api.request("GET", "stats/follow/", params=params, auth=anything))


@pytest.mark.parametrize(
    ("path", "method", "resource", "action"),
    [
        ("feed/user/1/follows/", "GET", "follower", "read"),
        ("feed/user/1/followers/", "GET", "follower", "read"),
        ("feed/user/1/follows/user:2/", "DELETE", "follower", "delete"),
        ("feed_targets/user/1/activity_to_targets/", "POST", "feed_targets", "write"),
        ("feed/user/1/x/", "DELETE", "feed", "delete"),
    ],
)
async def test_least_privilege_scopes_of_feed_endpoints(
    api: Api, path: str, method: str, resource: str, action: str
) -> None:
    right = token(resource=resource, action=action, feed_id="user1")
    other_feed = token(resource=resource, action=action, feed_id="user2")
    response = await api.request(method, path, json={}, auth=right)
    assert response.status_code != 403, response.text
    error(await api.request(method, path, json={}, auth=other_feed), 403, 17)


async def test_user_tokens_are_refused_on_server_only_feed_endpoints(api: Api) -> None:
    user = token(user_id="alice")
    batch = {"feeds": ["user:alice"], "activity": {"actor": "SU:alice", "verb": "v", "object": "o"}}
    body = error(await api.request("POST", "feed/add_to_many/", json=batch, auth=user), 403, 17)
    assert body["detail"] == PERMISSION_DETAIL


async def test_token_without_scope_or_user_is_refused(api: Api) -> None:
    error(await api.request("GET", "feed/user/1/", auth=token(hello="world")), 403, 17)


async def test_non_string_claims_are_refused(api: Api) -> None:
    odd = token(resource=["*"], action="*", feed_id="*")
    error(await api.request("GET", "feed/user/1/", auth=odd), 403, 17)
