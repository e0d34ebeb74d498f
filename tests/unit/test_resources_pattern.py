"""How namespaces are declared: built once per client, bound to the client they belong to
(so a ``with_options`` copy's namespaces use the copy's settings on the wire), one typed
parameter set per read, one id-bound rule, and ``with_options`` validated as the
constructor validates."""

from __future__ import annotations

import inspect
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import anyio
import httpx
import jwt
import pytest

from stream_async import APITimeoutError, AsyncStreamClient
from stream_async.errors import StreamConfigurationError, StreamError, StreamValidationError
from stream_async.resources.feeds import ReactionOptions
from tests.conftest import API_KEY, API_SECRET, BASE_URL
from tests.servers import serve

pytestmark = pytest.mark.anyio

FEED_PAGE = {"results": [], "next": "", "duration": "1ms"}
STATS = {
    "results": {
        "followers": {"feed": "user:1", "count": 1},
        "following": {"feed": "user:1", "count": 2},
    }
}
FILE = {"file": "https://cdn.test/a.txt"}
REACTION = {
    "id": "r-1",
    "kind": "like",
    "activity_id": "activity-1",
    "user_id": "alice",
    "created_at": "2018-12-27T13:02:03.013191Z",
    "updated_at": "2018-12-27T13:02:03.013191Z",
}


class Wire:
    """A mock HTTP layer that records each request with the read timeout it was given."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str, float]] = []
        self.requests: list[httpx.Request] = []
        self.http = httpx.AsyncClient(transport=httpx.MockTransport(self))

    def client(
        self, *, api_secret: str | None = None, token: str | None = None
    ) -> AsyncStreamClient:
        """A client whose requests this wire answers (closing ``http`` is the test's)."""
        return AsyncStreamClient(
            api_key=API_KEY,
            api_secret=api_secret,
            token=token,
            base_url=BASE_URL,
            http_client=self.http,
        )

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        self.seen.append(
            (request.method, request.url.path, round(request.extensions["timeout"]["read"], 1))
        )
        if request.url.path.endswith("/stats/follow/"):
            return httpx.Response(200, json=STATS)
        if request.method == "POST" and request.url.path.endswith(("/files/", "/images/")):
            return httpx.Response(200, json=FILE)
        if request.method == "POST" and request.url.path.endswith("/reaction/"):
            return httpx.Response(200, json=REACTION)
        if request.url.path.endswith("/audit_logs/"):
            return httpx.Response(200, json={"audit_logs": [], "duration": "1ms"})
        return httpx.Response(200, json=FEED_PAGE)


@pytest.fixture
async def wire() -> AsyncIterator[Wire]:
    wire = Wire()
    yield wire
    await wire.http.aclose()


@pytest.fixture
def client(wire: Wire) -> AsyncStreamClient:
    return wire.client(api_secret=API_SECRET)


NAMESPACES = [
    ("activities", "Activities()"),
    ("reactions", "Reactions()"),
    ("users", "Users()"),
    ("collections", "Collections()"),
    ("files", "Files()"),
    ("images", "Images()"),
    ("personalization", "Personalization()"),
    ("data_privacy", "DataPrivacy()"),
    ("audit_logs", "AuditLogs()"),
    ("moderation", "Moderation()"),
]


@pytest.mark.parametrize(("name", "shown"), NAMESPACES)
async def test_each_namespace_is_built_once_per_client(
    client: AsyncStreamClient, name: str, shown: str
) -> None:
    first = getattr(client, name)
    assert getattr(client, name) is first
    assert repr(first) == shown
    assert getattr(AsyncStreamClient, name).__doc__ == type(first).__doc__
    copy = client.with_options(timeout=9)
    assert getattr(copy, name) is getattr(copy, name)
    assert getattr(copy, name) is not first


Call = Callable[[AsyncStreamClient], Awaitable[Any]]

# One call of every namespace, and of every call the client offers at top level; the path
# each one reaches (API reference: the endpoint of each call).
CALLS: list[tuple[str, Call, str, str]] = [
    ("activities", lambda c: c.activities.get(ids=["a-1"]), "GET", "/api/v1.0/activities/"),
    ("reactions", lambda c: c.reactions.delete("r-1"), "DELETE", "/api/v1.0/reaction/r-1/"),
    ("users", lambda c: c.users.delete("u-1"), "DELETE", "/api/v1.0/user/u-1/"),
    (
        "collections",
        lambda c: c.collections.delete("food", "c-1"),
        "DELETE",
        "/api/v1.0/collections/food/c-1/",
    ),
    ("files", lambda c: c.files.delete("https://cdn.test/f.txt"), "DELETE", "/api/v1.0/files/"),
    (
        "images",
        lambda c: c.images.delete("https://cdn.test/i.png"),
        "DELETE",
        "/api/v1.0/images/",
    ),
    (
        "personalization",
        lambda c: c.personalization.get("follow_recommendations"),
        "GET",
        "/personalization/v1.0/follow_recommendations/",
    ),
    ("feed", lambda c: c.feed("user", "1").get(), "GET", "/api/v1.0/feed/user/1/"),
    (
        "aggregated_feed",
        lambda c: c.aggregated_feed("aggregated", "1").get(),
        "GET",
        "/api/v1.0/feed/aggregated/1/",
    ),
    (
        "add_to_many",
        lambda c: c.add_to_many({"actor": "a", "verb": "v", "object": "o"}, ["user:2"]),
        "POST",
        "/api/v1.0/feed/add_to_many/",
    ),
    (
        "follow_many",
        lambda c: c.follow_many([("timeline:1", "user:2")]),
        "POST",
        "/api/v1.0/follow_many/",
    ),
    (
        "unfollow_many",
        lambda c: c.unfollow_many([("timeline:1", "user:2")]),
        "POST",
        "/api/v1.0/unfollow_many/",
    ),
    ("follow_stats", lambda c: c.follow_stats("user:1"), "GET", "/api/v1.0/stats/follow/"),
    ("og", lambda c: c.og("https://example.com/page"), "GET", "/api/v1.0/og/"),
    (
        "track_engagements",
        lambda c: c.track_engagements([{"label": "click"}]),
        "POST",
        "/analytics/v1.0/engagement/",
    ),
    (
        "track_impressions",
        lambda c: c.track_impressions([{"content_list": ["a"]}]),
        "POST",
        "/analytics/v1.0/impression/",
    ),
    (
        "data_privacy",
        lambda c: c.data_privacy.delete_reactions(["r-1"]),
        "POST",
        "/api/v1.0/data_privacy/delete_reactions/",
    ),
    ("audit_logs", lambda c: c.audit_logs.query(user_id="u-1"), "GET", "/api/v1.0/audit_logs/"),
    (
        "moderation",
        lambda c: c.moderation.flag_user("u-1", reporter_id="u-2", reason="spam"),
        "POST",
        "/api/v1.0/moderation/flag",
    ),
]


@pytest.mark.parametrize(
    ("call", "method", "path"),
    [pytest.param(call, method, path, id=name) for name, call, method, path in CALLS],
)
async def test_a_copy_namespaces_use_the_copy_timeout(
    client: AsyncStreamClient, wire: Wire, call: Call, method: str, path: str
) -> None:
    await call(client)  # the parent's namespaces are built (and cached) first
    copy = client.with_options(timeout=1.5)
    await call(copy)
    await call(client)
    # the parent keeps the default of 3 s per attempt (API reference: 3 s recommended)
    assert wire.seen == [(method, path, 3.0), (method, path, 1.5), (method, path, 3.0)]


async def test_a_copy_uploads_with_its_upload_timeout(
    client: AsyncStreamClient, wire: Wire
) -> None:
    await client.files.upload(b"abc", filename="a.txt")
    await client.with_options(upload_timeout=7).files.upload(b"abc", filename="a.txt")
    await client.with_options(timeout=2).images.upload(b"abc", filename="a.png")
    assert wire.seen == [
        ("POST", "/api/v1.0/files/", 60.0),
        ("POST", "/api/v1.0/files/", 7.0),
        ("POST", "/api/v1.0/images/", 60.0),
    ]


async def test_a_copy_of_a_copy_keeps_what_it_does_not_change(
    client: AsyncStreamClient, wire: Wire
) -> None:
    copy = client.with_options(timeout=2, upload_timeout=30).with_options(max_retries=0)
    assert (copy.timeout, copy.upload_timeout) == (2.0, 30.0)
    await copy.reactions.delete("r-1")
    assert wire.seen == [("DELETE", "/api/v1.0/reaction/r-1/", 2.0)]


async def test_a_copy_of_a_client_side_client_signs_with_the_user_token(wire: Wire) -> None:
    user_token = jwt.encode({"user_id": "alice"}, API_SECRET, algorithm="HS256")
    copy = wire.client(token=f"Bearer {user_token}").with_options(timeout=4)
    await copy.reactions.add("like", "activity-1")
    request = wire.requests[-1]
    assert request.headers["Authorization"] == user_token
    # client-side: the acting user is the token's, so no user_id is sent
    assert json.loads(request.content) == {"kind": "like", "activity_id": "activity-1"}
    assert wire.seen == [("POST", "/api/v1.0/reaction/", 4.0)]
    with pytest.raises(StreamConfigurationError, match=r"creating tokens needs api_secret"):
        copy.feed("user", "alice").create_scope_token("feed", "read")


class SlowApp:
    """An ASGI app that answers after ``delay`` seconds and records the paths asked."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.paths: list[str] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        assert scope["type"] == "http"
        self.paths.append(scope["path"])
        await anyio.sleep(self.delay)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})


@pytest.fixture
def slow() -> Iterator[tuple[SlowApp, str]]:
    app = SlowApp(delay=3.0)
    with serve(app) as url:
        yield app, url


@pytest.mark.socket
async def test_a_copy_timeout_is_the_one_applied_on_a_real_socket(
    slow: tuple[SlowApp, str],
) -> None:
    app, url = slow
    async with AsyncStreamClient(
        api_key=API_KEY, api_secret=API_SECRET, base_url=url, timeout=10
    ) as client:
        assert repr(client.reactions) == "Reactions()"  # built before the copy exists
        quick = client.with_options(timeout=0.3, max_retries=0)
        with pytest.raises(APITimeoutError, match=r"timed out after 0\.3s"):
            await quick.reactions.get("r-1")
    assert app.paths == ["/api/v1.0/reaction/r-1/"]


BAD_SETTINGS: list[tuple[dict[str, Any], type[StreamError], str]] = [
    ({"timeout": 0}, StreamValidationError, "timeout"),
    ({"timeout": "3"}, StreamValidationError, "timeout"),
    ({"timeout": True}, StreamValidationError, "timeout"),
    ({"upload_timeout": -1}, StreamValidationError, "upload_timeout"),
    ({"total_timeout": 0}, StreamValidationError, "total_timeout"),
    ({"max_retries": -1}, StreamConfigurationError, "max_retries"),
    ({"max_retries": 1.5}, StreamConfigurationError, "max_retries"),
    ({"max_retries": True}, StreamConfigurationError, "max_retries"),
]


def test_with_options_shows_which_settings_it_changes() -> None:
    shown = str(inspect.signature(AsyncStreamClient.with_options))
    assert shown == (
        "(self, *, timeout: 'float' = NOT_GIVEN, upload_timeout: 'float' = NOT_GIVEN, "
        "max_retries: 'int' = NOT_GIVEN, total_timeout: 'float | None' = NOT_GIVEN, "
        "retry_non_idempotent: 'bool' = NOT_GIVEN) -> 'AsyncStreamClient'"
    )


@pytest.mark.parametrize(("bad", "kind", "named"), BAD_SETTINGS)
async def test_with_options_refuses_what_the_constructor_refuses(
    client: AsyncStreamClient, bad: dict[str, Any], kind: type[StreamError], named: str
) -> None:
    with pytest.raises(kind) as built:
        AsyncStreamClient(api_key=API_KEY, api_secret=API_SECRET, **bad)
    with pytest.raises(kind) as copied:
        client.with_options(**bad)
    assert str(copied.value) == str(built.value)
    assert named in str(copied.value)


def test_the_kept_arguments_never_show_the_secret() -> None:
    client = AsyncStreamClient(api_key=API_KEY, api_secret=API_SECRET)
    shown = repr(vars(client))
    assert API_SECRET not in shown
    copy = client.with_options(timeout=5)
    assert API_SECRET not in repr(vars(copy))
    assert API_SECRET not in repr(copy)


@pytest.mark.parametrize(
    ("name", "parameters"),
    [
        ("add_to_many", ["activity", "feeds", "options"]),
        ("follow_many", ["follows", "activity_copy_limit", "options"]),
        ("unfollow_many", ["unfollows", "keep_history", "options"]),
        ("follow_stats", ["feed_id", "followers_slugs", "following_slugs", "options"]),
        ("og", ["url", "options"]),
        ("track_engagements", ["engagements", "options"]),
        ("track_impressions", ["impressions", "options"]),
    ],
)
def test_top_level_calls_keep_their_signatures(name: str, parameters: list[str]) -> None:
    """Each keeps its parameters, and takes the per-call options last (``**options``)."""
    client = AsyncStreamClient(api_key=API_KEY, api_secret=API_SECRET)
    call = getattr(client, name)
    assert list(inspect.signature(call).parameters) == parameters
    assert inspect.iscoroutinefunction(call)
    assert call.__doc__
    assert getattr(AsyncStreamClient, name).__doc__ == call.__doc__


# -- one parameter set per read, one id-bound rule ---------------------------------------


READ = {
    "limit": 5,
    "offset": 2,
    "id_lt": "x-9",
    "reactions": ReactionOptions(counts=True),
    "user_id": "bob",
}
# API reference, "Retrieving activities": limit, offset, id_lt and the enrichment flags.
READ_QUERY = [
    ("api_key", API_KEY),
    ("user_id", "bob"),
    ("withReactionCounts", "true"),
    ("limit", "5"),
    ("offset", "2"),
    ("id_lt", "x-9"),
]


@pytest.mark.parametrize("kind", ["feed", "aggregated_feed", "notification_feed"])
async def test_every_feed_type_reads_the_same_parameters(
    client: AsyncStreamClient, wire: Wire, kind: str
) -> None:
    feed = getattr(client, kind)("group", "alice")
    await feed.get(**READ)
    request = wire.requests[-1]
    assert request.url.path == "/api/v1.0/enrich/feed/group/alice/"
    assert list(request.url.params.multi_items()) == READ_QUERY


def _reads(client: AsyncStreamClient) -> list[Callable[..., Any]]:
    return [
        client.feed("user", "1").get,
        client.aggregated_feed("agg", "1").get,
        client.notification_feed("note", "1").get,
        lambda **bounds: client.reactions.filter(activity_id="a-1", **bounds),
        lambda **bounds: client.reactions.iterate(activity_id="a-1", **bounds),
    ]


@pytest.mark.parametrize("index", range(5))
async def test_one_id_bound_rule_for_every_read(
    client: AsyncStreamClient, wire: Wire, index: int
) -> None:
    read = _reads(client)[index]
    with pytest.raises(StreamValidationError) as info:
        await read(id_lt="a", id_gte="b")
    assert info.value.field == "id_lt/id_gte"
    assert str(info.value) == "id_lt/id_gte: give at most one of id_lt, id_lte, id_gt and id_gte"
    with pytest.raises(StreamValidationError) as info:
        await read(id_gt="")
    assert info.value.field == "id_gt"
    assert wire.requests == []


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda c: c.feed("user", "1").get(limt=3),
            "get() got an unexpected keyword argument 'limt'",
        ),
        (
            lambda c: c.aggregated_feed("agg", "1").get(ranking="popular"),
            "get() got an unexpected keyword argument 'ranking'",
        ),
        (
            lambda c: c.notification_feed("note", "1").get(mark_seen=True, marks=1),
            "get() got an unexpected keyword argument 'marks'",
        ),
        (
            lambda c: c.reactions.filter(activity_id="a", max_items=3),
            "filter() got an unexpected keyword argument 'max_items'",
        ),
        (
            lambda c: c.reactions.add("like", "a", "bob", targets=["user:1"]),
            "add() got an unexpected keyword argument 'targets'",
        ),
        (
            lambda c: c.reactions.update("r-1", kind="like"),
            "update() got an unexpected keyword argument 'kind'",
        ),
        (
            lambda c: c.feed("user", "1").following(limits=3),
            "following() got an unexpected keyword argument 'limits'",
        ),
    ],
)
async def test_unknown_keywords_are_refused_as_python_refuses_them(
    client: AsyncStreamClient, wire: Wire, call: Call, message: str
) -> None:
    with pytest.raises(TypeError) as info:
        await call(client)
    assert str(info.value) == message
    assert wire.requests == []


async def test_unknown_keyword_to_iterate_is_refused_before_any_page(
    client: AsyncStreamClient, wire: Wire
) -> None:
    with pytest.raises(TypeError, match=r"iterate\(\) got an unexpected keyword argument 'soft'"):
        client.reactions.iterate(activity_id="a", soft=True)  # type: ignore[call-arg]
    assert wire.requests == []
