"""The signer against the published vectors, and its least-privilege cache."""

from __future__ import annotations

import jwt
import pytest

from stream_async._auth import Scope, Signer, scope_payload

JS_SECRET = "abcdefghijklmnop"


# The published vectors use secrets shorter than PyJWT's recommended 32 bytes.
pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")


@pytest.mark.parametrize(
    ("secret", "user_id", "extra", "token"),
    [
        (
            JS_SECRET,
            "42",
            {},
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ1c2VyX2lkIjoiNDIifQ."
            "fJP44ZlP7bly-2HvbPxBO7WUGJhc1i2hpj4TnXmtYLE",
        ),
        (
            JS_SECRET,
            "42",
            {"a": "b"},
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ1c2VyX2lkIjoiNDIiLCJhIjoiYiJ9."
            "tnHcqgTi__BExVZ3Tl0awZQe_p3A7wJ3y_uNlsxg4DM",
        ),
        (
            "secret",
            "user",
            {},
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ1c2VyX2lkIjoidXNlciJ9."
            "0Kiui6HUywyU-C-00E68n1iq_3o7Eh0aE5VGSOc3pU4",
        ),
    ],
)
def test_user_token_matches_published_vectors(
    secret: str, user_id: str, extra: dict[str, str], token: str
) -> None:
    assert Signer(secret).user_token(user_id, **extra) == token


def test_scope_tokens_match_published_vectors_in_stream_claim_order() -> None:
    signer = Signer(JS_SECRET)
    multi = signer.scope_token(
        "personalization,collections", "read,delete", "timeline:me,timeline:you"
    )
    assert multi == (
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJyZXNvdXJjZSI6InBlcnNvbmFsaXphdGlvbixjb2xsZWN0"
        "aW9ucyIsImFjdGlvbiI6InJlYWQsZGVsZXRlIiwiZmVlZF9pZCI6InRpbWVsaW5lOm1lLHRpbWVsaW5lOnlv"
        "dSJ9.zWwZIdeWl2HCFvFPC9aMK4h832bmoQuifmUlyPq9knE"
    )
    analytics = signer.scope_token("analytics", "*", user_id="*")
    assert analytics == (
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJyZXNvdXJjZSI6ImFuYWx5dGljcyIsImFjdGlvbiI6IioiL"
        "CJ1c2VyX2lkIjoiKiJ9.f7KFu7U2Uw_yq__9hV4-wr9S0KXo7w3wxTELOAY4qdc"
    )


@pytest.mark.parametrize(
    ("secret", "claims"),
    [
        ("something very secret", {"action": "write", "feed_id": "*", "resource": "feed"}),
        ("super secret", {"action": "write", "feed_id": "flatsample", "resource": "feed"}),
        ("super secret", {"action": "read", "feed_id": "flatsample", "resource": "feed"}),
        ("secret", {"action": "*", "resource": "redirect_and_track", "user_id": "*"}),
    ],
)
def test_other_vectors_round_trip(secret: str, claims: dict[str, str]) -> None:
    # These vectors use another claim order than ours; a decode round trip checks the claims.
    token = Signer(secret).scope_token(
        claims["resource"], claims["action"], claims.get("feed_id"), claims.get("user_id")
    )
    assert jwt.decode(token, secret, algorithms=["HS256"]) == claims
    assert jwt.get_unverified_header(token) == {"alg": "HS256", "typ": "JWT"}


def test_scope_payload_key_order_and_extras() -> None:
    payload = scope_payload("feed", "read", "user1", None, exp=5)
    assert list(payload) == ["resource", "action", "feed_id", "exp"]


@pytest.mark.parametrize(
    ("method", "action"),
    [("GET", "read"), ("HEAD", "read"), ("POST", "write"), ("PUT", "write"), ("DELETE", "delete")],
)
def test_request_token_takes_action_from_method(method: str, action: str) -> None:
    token = Signer(JS_SECRET).for_request(Scope("feed", feed_id="user1"), method)
    assert jwt.decode(token, JS_SECRET, algorithms=["HS256"]) == {
        "resource": "feed",
        "action": action,
        "feed_id": "user1",
    }


def test_explicit_action_wins_over_method() -> None:
    token = Signer(JS_SECRET).for_request(Scope("analytics", None, "*", "*"), "POST")
    assert jwt.decode(token, JS_SECRET, algorithms=["HS256"]) == {
        "resource": "analytics",
        "action": "*",
        "user_id": "*",
    }


def test_cache_reuses_tokens_and_stays_bounded() -> None:
    signer = Signer(JS_SECRET, max_size=3)
    first = signer.for_request(Scope("feed", feed_id="user1"), "GET")
    assert signer.for_request(Scope("feed", feed_id="user1"), "GET") is first
    for i in range(2, 10):
        signer.for_request(Scope("feed", feed_id=f"user{i}"), "GET")
    assert len(signer._cache) == 3
    # least recently used entries went first: user1 is gone, the newest three remain
    assert [key[2] for key in signer._cache] == ["user7", "user8", "user9"]


def test_cache_keeps_recently_used_entries() -> None:
    signer = Signer(JS_SECRET, max_size=2)
    signer.for_request(Scope("feed", feed_id="a"), "GET")
    signer.for_request(Scope("feed", feed_id="b"), "GET")
    signer.for_request(Scope("feed", feed_id="a"), "GET")
    signer.for_request(Scope("feed", feed_id="c"), "GET")
    assert [key[2] for key in signer._cache] == ["a", "c"]


def test_signer_repr_hides_secret() -> None:
    assert JS_SECRET not in repr(Signer(JS_SECRET))


def test_least_privilege_checker_rejects_wider_tokens() -> None:
    import httpx

    from tests.conftest import API_SECRET, assert_least_privilege

    def request(method: str, path: str, **claims: str) -> httpx.Request:
        token = jwt.encode(claims, API_SECRET, algorithm="HS256")
        return httpx.Request(method, f"http://h{path}", headers={"Authorization": token})

    assert_least_privilege(
        request("GET", "/api/v1.0/feed/user/1/", resource="feed", action="read", feed_id="user1")
    )
    for wide in (
        request("GET", "/api/v1.0/feed/user/1/", resource="feed", action="*", feed_id="user1"),
        request("GET", "/api/v1.0/feed/user/1/", resource="feed", action="read", feed_id="*"),
        request("GET", "/api/v1.0/feed/user/1/", resource="*", action="read", feed_id="user1"),
        request("POST", "/api/v1.0/activities/", resource="activities", action="read", feed_id="*"),
    ):
        with pytest.raises(AssertionError):
            assert_least_privilege(wide)
    with pytest.raises(AssertionError, match="no scope rule"):
        assert_least_privilege(request("GET", "/api/v1.0/unknown/", resource="x", action="read"))
