"""The inspector's pages over HTTP: what each shows, pagination, escaping, the request log,
and who may look (open on loopback, HTTP Basic with the key and secret elsewhere)."""

from __future__ import annotations

import base64
import io
from collections.abc import AsyncIterator
from datetime import datetime

import httpx
import pytest
import pytest_asyncio
from bs4 import BeautifulSoup, Tag
from PIL import Image

from stream_async.emulator import Emulator, EmulatorConfig
from stream_async.emulator import __main__ as cli
from stream_async.emulator.inspector.access import is_loopback
from stream_async.emulator.inspector.log import LogEntry, RequestLog, TokenScope, token_scope
from tests.emulator.conftest import ADMIN, API_KEY, API_SECRET, Api, ok, token

SCRIPT = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


async def page(api: Api, path: str, status: int = 200) -> BeautifulSoup:
    """GET an inspector path, check the status, and parse the HTML."""
    response = await api.client.get(path)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    return BeautifulSoup(response.text, "html.parser")


def rows(soup: BeautifulSoup | Tag, selector: str) -> list[list[str]]:
    """The cell texts of each body row of the tables matching ``selector``."""
    return [
        [cell.get_text(" ", strip=True) for cell in row.find_all("td")]
        for row in soup.select(f"{selector} tbody tr")
    ]


def one(soup: BeautifulSoup | Tag, selector: str) -> Tag:
    """The first element matching ``selector`` (there must be one)."""
    found = soup.select_one(selector)
    assert found is not None, selector
    return found


def links(soup: BeautifulSoup | Tag, selector: str = "a") -> list[tuple[str, str]]:
    """(text, href) of each link matching ``selector``."""
    return [(a.get_text(strip=True), str(a["href"])) for a in soup.select(selector)]


@pytest.mark.asyncio
async def test_root_redirects_to_the_inspector(api: Api) -> None:
    response = await api.client.get("/")
    assert response.status_code == 307
    assert response.headers["location"] == "/inspector/"
    bare = await api.client.get("/inspector")
    assert bare.status_code == 307
    assert bare.headers["location"] == "http://emulator/inspector/"


@pytest.mark.asyncio
async def test_every_page_links_to_the_others(api: Api) -> None:
    soup = await page(api, "/inspector/users")
    assert links(soup, "header nav a") == [
        ("Inspector", "/inspector/"),
        ("Overview", "/inspector/"),
        ("Users", "/inspector/users"),
        ("Collections", "/inspector/collections"),
        ("Reactions", "/inspector/reactions"),
        ("Files", "/inspector/files"),
        ("Request log", "/inspector/log"),
        ("Moderation", "/inspector/moderation"),
    ]
    assert one(soup, "form.search")["action"] == "/inspector/"


@pytest.mark.asyncio
async def test_overview_lists_groups_feeds_and_totals(api: Api) -> None:
    await api.follow("timeline:bob", "user:alice")
    await api.add("user:alice")
    await api.add("user:alice", verb="like")
    await api.post("user/", {"id": "carol", "data": {}})
    await api.post("collections/food/", {"id": "pizza", "data": {"n": 1}})
    await api.post("collections/food/", {"id": "pasta", "data": {"n": 2}})
    added = await api.add("user:dave")
    await api.react(added["id"])

    soup = await page(api, "/inspector/")
    assert [li.get_text(" ", strip=True) for li in soup.select("ul.groups li")] == [
        "user flat",
        "timeline flat",
        "flat flat",
        "topic flat",
        "aggregated aggregated",
        "notification notification",
    ]
    assert rows(soup, "table.feeds") == [
        # feed, kind, activities, followers, following
        ["timeline:bob", "flat", "2", "0", "1"],
        ["user:alice", "flat", "2", "1", "0"],
        ["user:dave", "flat", "1", "0", "0"],
    ]
    assert ("user:alice", "/inspector/feeds/user/alice") in links(soup, "table.feeds a")
    totals = {dd["id"]: dd.get_text(strip=True) for dd in soup.select("dl.totals dd")}
    assert totals == {
        "total-activities": "3",
        "total-feeds": "3",
        "total-users": "1",
        "total-collections": "1 (2 objects)",
        "total-reactions": "1",
        "total-files": "0",
    }


@pytest.mark.asyncio
async def test_overview_of_an_empty_app(api: Api) -> None:
    soup = await page(api, "/inspector/")
    assert soup.select_one("table.feeds") is None
    assert "No feed holds anything yet." in soup.get_text()


@pytest.mark.asyncio
async def test_search_by_feed_activity_id_and_foreign_id(api: Api) -> None:
    added = await api.add("user:alice", foreign_id="post:42", time="2024-05-01T10:00:00")
    await api.add("user:alina")

    by_feed = await page(api, "/inspector/?q=user/ali")
    assert links(by_feed, "section.results a") == [
        ("feed user:alice", "/inspector/feeds/user/alice"),
        ("feed user:alina", "/inspector/feeds/user/alina"),
    ]
    by_id = await page(api, f"/inspector/?q={added['id']}")
    assert links(by_id, "section.results a") == [
        (f"activity {added['id']}", f"/inspector/activities/{added['id']}")
    ]
    by_foreign_id = await page(api, "/inspector/?q=post:42")
    assert links(by_foreign_id, "section.results a") == [
        (f"activity {added['id']} (foreign_id post:42)", f"/inspector/activities/{added['id']}")
    ]
    nothing = await page(api, "/inspector/?q=nothing-here")
    assert "Nothing matches nothing-here." in nothing.get_text()
    assert one(nothing, "form.search input[name=q]")["value"] == "nothing-here"


@pytest.mark.asyncio
async def test_flat_feed_shows_activities_newest_first_with_their_fields(api: Api) -> None:
    await api.follow("timeline:bob", "user:alice")
    first = await api.add(
        "user:alice",
        foreign_id="post:1",
        time="2024-05-01T10:00:00",
        to=["topic:news"],
        mood="happy",
        tags=["a", "b"],
    )
    second = await api.add("user:alice", verb="like", object="post:9", time="2024-05-01T11:00:00")

    soup = await page(api, "/inspector/feeds/timeline/bob")
    assert one(soup, "h1").get_text(strip=True) == "Feed timeline:bob"
    # id, time, actor, verb, object, foreign_id, origin, to, folded extra fields
    assert rows(soup, "table.activities") == [
        [second["id"], "2024-05-01T11:00:00.000000", "alice", "like", "post:9", "", "user:alice",
         "", ""],
        [first["id"], "2024-05-01T10:00:00.000000", "alice", "post", "note:1", "post:1",
         "user:alice", "topic:news",
         '2 more fields {\n  "mood": "happy",\n  "tags": [\n    "a",\n    "b"\n  ]\n}'],
    ]  # fmt: skip
    assert one(soup, "table.activities details summary").get_text() == "2 more fields"
    assert links(soup, "table.activities a") == [
        (second["id"], f"/inspector/activities/{second['id']}"),
        ("user:alice", "/inspector/feeds/user/alice"),
        (first["id"], f"/inspector/activities/{first['id']}"),
        ("user:alice", "/inspector/feeds/user/alice"),
        ("topic:news", "/inspector/feeds/topic/news"),
    ]
    assert links(soup, "ul.following a") == [("user:alice", "/inspector/feeds/user/alice")]
    assert [li.get_text() for li in soup.select("ul.followers li")] == ["none"]
    alice = await page(api, "/inspector/feeds/user/alice")
    assert links(alice, "ul.followers a") == [("timeline:bob", "/inspector/feeds/timeline/bob")]
    assert rows(alice, "table.activities")[1][6] == ""  # no origin where it was added


@pytest.mark.asyncio
async def test_feed_pages_with_id_lt_like_the_api(api: Api) -> None:
    added = [
        await api.add("user:alice", time=f"2024-05-01T10:{minute:02d}:00") for minute in range(30)
    ]
    newest_first = [activity["id"] for activity in reversed(added)]

    first = await page(api, "/inspector/feeds/user/alice")
    assert [row[0] for row in rows(first, "table.activities")] == newest_first[:25]
    assert one(first, "p.count").get_text() == "30 activities"
    older = one(first, "a.next")
    assert older is not None
    assert older["href"] == f"/inspector/feeds/user/alice?id_lt={newest_first[24]}"

    second = await page(api, str(older["href"]))
    assert [row[0] for row in rows(second, "table.activities")] == newest_first[25:]
    assert second.select_one("a.next") is None
    assert ("newest", "/inspector/feeds/user/alice") in links(second, "p.meta a")
    poll = one(second, "[data-poll]")
    assert poll is not None
    assert poll["data-poll"] == f"/inspector/feeds/user/alice/fragment?id_lt={newest_first[24]}"

    past_the_end = await page(api, f"/inspector/feeds/user/alice?id_lt={newest_first[-1]}")
    assert f"No activities before {newest_first[-1]}." in past_the_end.get_text()


@pytest.mark.asyncio
async def test_feed_fragment_is_the_refreshing_part(api: Api) -> None:
    before = await page(api, "/inspector/feeds/user/alice/fragment")
    assert before.find("html") is None
    assert one(before, "p.count").get_text() == "0 activities"
    added = await api.add("user:alice")
    after = await page(api, "/inspector/feeds/user/alice/fragment")
    assert after.find("html") is None
    assert one(after, "p.count").get_text() == "1 activity"
    assert [row[0] for row in rows(after, "table.activities")] == [added["id"]]
    full = await page(api, "/inspector/feeds/user/alice")
    assert one(full, "[data-poll]")["data-poll"] == "/inspector/feeds/user/alice/fragment"
    assert one(full, "script")["src"] == "/inspector/static/inspector.js"


@pytest.mark.asyncio
async def test_feed_errors(api: Api, emulator: Emulator) -> None:
    unknown = await page(api, "/inspector/feeds/nope/1", status=404)
    assert "There is no feed group 'nope'." in unknown.get_text()
    bad = await page(api, "/inspector/feeds/user/alice?id_lt=not-an-id", status=400)
    assert "id_lt must be an activity id, not 'not-an-id'" in bad.get_text()
    empty = await page(api, "/inspector/feeds/user/nobody")
    assert "No activities." in empty.get_text()
    # reading never creates a feed
    assert "user:nobody" not in [summary.feed_id for summary in emulator.store.feed_summaries()]


@pytest.mark.asyncio
async def test_aggregated_feed_shows_groups(api: Api) -> None:
    for hour in (10, 11):
        await api.add("aggregated:1", actor=f"u{hour}", time=f"2024-05-01T{hour}:00:00")
    liked = await api.add("aggregated:1", verb="like", time="2024-05-02T09:00:00")

    soup = await page(api, "/inspector/feeds/aggregated/1")
    groups = soup.select("section.group")
    assert [one(group, "h3").get_text() for group in groups] == [
        "like_2024-05-02",
        "post_2024-05-01",
    ]
    meta = one(groups[0], "p.meta").get_text(" ", strip=True)
    assert meta.startswith(f"id {liked['id']} · like · 1 activity by 1 actor · updated ")
    assert "seen" not in meta  # aggregated groups have no seen/read state
    second = one(groups[1], "p.meta").get_text(" ", strip=True)
    assert " · post · 2 activities by 2 actors · " in second
    assert [row[2] for row in rows(groups[1], "table.activities")] == ["u11", "u10"]


@pytest.mark.asyncio
async def test_aggregated_feed_pages_by_group_id(api: Api) -> None:
    for day in range(1, 28):
        await api.add("aggregated:1", time=f"2024-05-{day:02d}T10:00:00")
    first = await page(api, "/inspector/feeds/aggregated/1")
    names = [one(group, "h3").get_text() for group in first.select("section.group")]
    assert names == [f"post_2024-05-{day:02d}" for day in range(27, 2, -1)]
    older = one(first, "a.next")
    assert older is not None
    second = await page(api, str(older["href"]))
    names = [one(group, "h3").get_text() for group in second.select("section.group")]
    assert names == ["post_2024-05-02", "post_2024-05-01"]
    assert second.select_one("a.next") is None
    elsewhere = await api.add("user:x", time="2024-05-20T12:00:00")
    by_time = await page(api, f"/inspector/feeds/aggregated/1?id_lt={elsewhere['id']}")
    names = [one(group, "h3").get_text() for group in by_time.select("section.group")]
    # not a group id: compared with each group's newest activity by time
    assert names == [f"post_2024-05-{day:02d}" for day in range(20, 0, -1)]


@pytest.mark.asyncio
async def test_notification_feed_shows_seen_and_read(api: Api) -> None:
    await api.add("notification:1", time="2024-05-01T10:00:00")
    await api.add("notification:1", verb="like", time="2024-05-01T11:00:00")
    soup = await page(api, "/inspector/feeds/notification/1")
    states = [[s.get_text() for s in group.select("span.state")] for group in soup.select(".group")]
    assert states == [["unseen", "unread"], ["unseen", "unread"]]

    await api.read("notification:1", mark_seen="true")
    page_one = await api.read("notification:1")
    await api.read("notification:1", mark_read=page_one["results"][0]["id"])
    soup = await page(api, "/inspector/feeds/notification/1")
    states = [[s.get_text() for s in group.select("span.state")] for group in soup.select(".group")]
    assert states == [["seen", "read"], ["seen", "unread"]]
    assert (
        one(soup, ".group p.meta")
        .get_text()
        .startswith(f"id {page_one['results'][0]['id']} · like")
    )


@pytest.mark.asyncio
async def test_activity_page_shows_fields_placements_and_reaction_tree(api: Api) -> None:
    await api.follow("timeline:bob", "user:alice")
    await api.follow("timeline:carol", "topic:news")
    added = await api.add(
        "user:alice", foreign_id="post:1", time="2024-05-01T10:00:00", to=["topic:news"], n=1
    )
    like = await api.react(added["id"], "like", user_id="bob")
    reply = await api.post(
        "reaction/", {"kind": "reply", "parent": like["id"], "user_id": "carol", "data": {"t": 1}}
    )
    await api.react(added["id"], "comment", user_id="dave")

    soup = await page(api, f"/inspector/activities/{added['id']}")
    assert one(soup, "pre.json").get_text() == (
        "{\n"
        '  "actor": "alice",\n'
        '  "foreign_id": "post:1",\n'
        f'  "id": "{added["id"]}",\n'
        '  "n": 1,\n'
        '  "object": "note:1",\n'
        '  "target": "",\n'
        '  "time": "2024-05-01T10:00:00.000000",\n'
        '  "to": [\n'
        '    "topic:news"\n'
        "  ],\n"
        '  "verb": "post"\n'
        "}"
    )
    assert rows(soup, "table.placements") == [
        ["timeline:bob", "fan-out from user:alice"],
        ["timeline:carol", "fan-out from topic:news"],
        ["topic:news", "to of an activity added to user:alice"],
        ["user:alice", "direct"],
    ]
    top = soup.select("section > ul.reactions > li")
    assert [one(li, "b").get_text() for li in top] == ["like", "comment"]
    children = top[0].select("ul.reactions > li")
    assert [one(li, "b").get_text() for li in children] == ["reply"]
    assert reply["id"] in children[0].get_text()
    assert "by carol" in children[0].get_text()
    assert ("As a list", f"/inspector/reactions?activity_id={added['id']}") in links(soup)


@pytest.mark.asyncio
async def test_activity_page_without_reactions_and_unknown_activity(api: Api) -> None:
    added = await api.add("user:alice")
    soup = await page(api, f"/inspector/activities/{added['id']}")
    assert "No reactions." in soup.get_text()
    missing = await page(api, "/inspector/activities/nope", status=404)
    assert "There is no activity 'nope'." in missing.get_text()


@pytest.mark.asyncio
async def test_users_page(api: Api) -> None:
    empty = await page(api, "/inspector/users")
    assert "No users." in empty.get_text()
    await api.post("user/", {"id": "bob", "data": {"name": "Bob"}})
    await api.post("user/", {"id": "alice", "data": {}})
    soup = await page(api, "/inspector/users")
    assert [row[0] for row in rows(soup, "table.users")] == ["alice", "bob"]
    assert rows(soup, "table.users")[1][1] == '{\n  "name": "Bob"\n}'
    assert ("reactions", "/inspector/reactions?user_id=bob") in links(soup, "table.users a")


@pytest.mark.asyncio
async def test_collections_page(api: Api) -> None:
    empty = await page(api, "/inspector/collections")
    assert "No collections." in empty.get_text()
    await api.post("collections/food/", {"id": "pizza", "data": {"slices": 8}})
    user_token = token(user_id="alice")
    await api.request(
        "POST", "collections/drinks/", json={"id": "tea", "data": {"hot": True}}, auth=user_token
    )
    soup = await page(api, "/inspector/collections")
    sections = soup.select("section.collection")
    assert [one(s, "h2").get_text() for s in sections] == ["drinks (1)", "food (1)"]
    assert [row[:3] for row in rows(sections[0], "table")] == [
        ["tea", '{\n  "hot": true\n}', "alice"]
    ]
    assert [row[:3] for row in rows(sections[1], "table")] == [
        ["pizza", '{\n  "slices": 8\n}', "server"]
    ]


@pytest.mark.asyncio
async def test_reactions_page_filters(api: Api) -> None:
    first = await api.add("user:alice")
    second = await api.add("user:alice")
    like = await api.react(first["id"], "like", user_id="bob")
    comment = await api.react(first["id"], "comment", user_id="carol")
    other = await api.react(second["id"], "like", user_id="carol")

    def ids(soup: BeautifulSoup) -> list[str]:
        return [row[0] for row in rows(soup, "table.reactions")]

    everything = await page(api, "/inspector/reactions")
    assert ids(everything) == [other["id"], comment["id"], like["id"]]
    assert one(everything, "p.count").get_text() == "3 reactions"
    assert ids(await page(api, "/inspector/reactions?kind=like")) == [other["id"], like["id"]]
    assert ids(await page(api, "/inspector/reactions?user_id=carol")) == [
        other["id"],
        comment["id"],
    ]
    by_activity = await page(api, f"/inspector/reactions?activity_id={first['id']}&kind=comment")
    assert ids(by_activity) == [comment["id"]]
    assert one(by_activity, "input[name=kind]")["value"] == "comment"
    none = await page(api, "/inspector/reactions?kind=nope")
    assert one(none, "p.count").get_text() == "0 reactions"


@pytest.mark.asyncio
async def test_reactions_page_shows_the_newest_200(api: Api) -> None:
    added = await api.add("user:alice")
    for _ in range(201):
        await api.react(added["id"])
    soup = await page(api, "/inspector/reactions")
    assert len(rows(soup, "table.reactions")) == 200
    count = one(soup, "p.count").get_text()
    assert count == "201 reactions, the newest 200 shown"


@pytest.mark.asyncio
async def test_moderation_page_lists_flags_and_the_audit_log(api: Api) -> None:
    empty = await page(api, "/inspector/moderation")
    assert one(empty, "p.count").get_text() == "0 flags"
    assert "No audit-log entries." in empty.get_text()
    added = await api.add("user:alice", actor="SU:alice")
    await api.post("user/", {"id": "bob"})
    flag = {"user_id": "carol", "reason": "spam"}
    first = await api.post(
        "moderation/flag",
        {**flag, "entity_type": "stream:feeds:v2:activity", "entity_id": added["id"]},
    )
    second = await api.post(
        "moderation/flag",
        {**flag, "entity_type": "stream:user", "entity_id": "bob", "custom": {"n": 1}},
    )
    soup = await page(api, "/inspector/moderation")
    assert one(soup, "p.count").get_text() == "2 flags"
    assert rows(soup, "table.flags") == [
        [second["flag_id"], "stream:user", "bob", "bob", "carol", "spam", '{\n  "n": 1\n}',
         second["created_at"]],
        [first["flag_id"], "stream:feeds:v2:activity", added["id"], "alice", "carol", "spam", "",
         first["created_at"]],
    ]  # fmt: skip
    assert (added["id"], f"/inspector/activities/{added['id']}") in links(soup, "table.flags a")
    audit = rows(soup, "table.audit")
    assert [row[:4] for row in audit] == [
        ["user", "bob", "flag", "carol"],
        ["activity", added["id"], "flag", "carol"],
        ["user", "bob", "create", "bob"],
        ["activity", added["id"], "create", "SU:alice"],
    ]
    assert audit[-1][4] == ""
    assert one(soup, "section:nth-of-type(2) p.count").get_text() == "The newest 4 entries"


@pytest.mark.asyncio
async def test_moderation_page_shows_the_newest_200(api: Api) -> None:
    for number in range(201):
        flag = {"entity_type": "stream:user", "entity_id": f"u{number}", "user_id": "a"}
        await api.post("moderation/flag", {**flag, "reason": "r"})
    soup = await page(api, "/inspector/moderation")
    assert len(rows(soup, "table.flags")) == 200
    assert one(soup, "p.count").get_text() == "201 flags, the newest 200 shown"
    assert len(rows(soup, "table.audit")) == 200
    assert rows(soup, "table.flags")[0][2] == "u200"


@pytest.mark.asyncio
async def test_files_page_shows_thumbnails_for_images(api: Api) -> None:
    empty = await page(api, "/inspector/files")
    assert "No uploads." in empty.get_text()
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "blue").save(buffer, format="PNG")
    image = ok(
        await api.request("POST", "images/", files={"file": ("dot.png", buffer.getvalue())}), 201
    )
    text = ok(
        await api.request("POST", "files/", files={"file": ("notes.txt", b"hello", "text/plain")}),
        201,
    )
    soup = await page(api, "/inspector/files")
    assert [row[1:] for row in rows(soup, "table.files")] == [
        ["dot.png", "image/png", str(len(buffer.getvalue())), "server"],
        ["notes.txt", "text/plain", "5", "server"],
    ]
    thumbnails = soup.select("img.thumbnail")
    image_path = httpx.URL(image["file"]).path
    assert [img["src"] for img in thumbnails] == [image_path]
    assert ("notes.txt", httpx.URL(text["file"]).path) in links(soup, "table.files a")
    served = await api.client.get(image_path)
    assert served.content == buffer.getvalue()


@pytest.mark.asyncio
async def test_request_log_shows_scope_status_and_error_body(api: Api) -> None:
    await api.add("user:alice")
    feed_token = token(resource="feed", action="read", feed_id="userbob")
    await api.request("GET", "feed/user/alice/", auth=feed_token)
    await api.request("GET", "user/alice/", auth=token(user_id="alice"))
    await api.request("GET", "feed/user/alice/", auth=None)
    await api.client.get("/inspector/")  # the inspector's own pages are not recorded

    soup = await page(api, "/inspector/log")
    logged = rows(soup, "table.log")
    # number, at, method, path, status, ms, scope, error
    assert [[row[0], *row[2:5], row[6]] for row in logged] == [
        ["4", "GET", "/api/v1.0/feed/user/alice/", "401", "no token"],
        ["3", "GET", "/api/v1.0/user/alice/", "404", "user user_id=alice"],
        ["2", "GET", "/api/v1.0/feed/user/alice/", "403",
         "server resource=feed action=read feed_id=userbob"],
        ["1", "POST", "/api/v1.0/feed/user/alice/", "201",
         "server resource=* action=* feed_id=*"],
    ]  # fmt: skip
    errors = [pre.get_text() for pre in soup.select("pre.error-body")]
    assert '"code": 3,' in errors[0]
    assert '"exception": "SignatureException",' in errors[0]
    # §4 of the API semantics: the live server's permission text, code 17
    assert '"detail": "You do not have permission to do this' in errors[2]
    assert '"code": 17,' in errors[2]
    assert logged[3][7] == ""
    assert soup.select("tr.error td.status")[0].get_text() == "401"
    assert one(soup, "[data-poll]")["data-poll"] == "/inspector/log/fragment"
    fragment = await page(api, "/inspector/log/fragment")
    assert fragment.find("html") is None
    assert len(rows(fragment, "table.log")) == 4


@pytest.mark.asyncio
async def test_request_log_starts_empty_and_records_routing_errors(api: Api) -> None:
    assert "No requests yet." in (await page(api, "/inspector/log")).get_text()
    await api.request("GET", "nothing/here/", auth="Bearer not.a.jwt")
    soup = await page(api, "/inspector/log/fragment")
    (row,) = rows(soup, "table.log")
    assert row[4] == "404"
    assert row[6] == "unreadable token"
    assert '"exception": "DoesNotExistException",' in row[7]
    await api.request("GET", "feed/nope/1/")
    newest = rows(await page(api, "/inspector/log/fragment"), "table.log")[0]
    assert newest[4] == "400"
    # §4 of the API semantics: an unknown feed group is code 6
    assert '"exception": "FeedConfigException",' in newest[7]


def _entry(number: int) -> LogEntry:
    scope = TokenScope(note="no token")
    return LogEntry(number, datetime(2024, 5, 1), "GET", "/", 200, 1.0, scope, "")


def test_request_log_is_a_ring_buffer() -> None:
    log = RequestLog(capacity=3)
    for number in range(1, 6):
        log.add(_entry(number))
    assert [entry.number for entry in log.newest_first()] == [5, 4, 3]
    assert log.next_number() == 1
    assert log.next_number() == 2


def test_token_scope_reads_claims_without_the_token() -> None:
    signed = token(resource="feed", action="write", feed_id="user1")
    assert token_scope(f"Bearer {signed}") == TokenScope("feed", "write", "user1", None)
    assert token_scope(token(user_id="bob", extra=1)).kind == "user"
    assert token_scope(token(resource="*", action="*")).kind == "server"
    assert token_scope(token(user_id=42)).user_id == "42"
    assert token_scope(None) == TokenScope(note="no token")
    assert token_scope("  ") == TokenScope(note="no token")
    assert token_scope("abc").kind == ""
    assert token_scope("abc").note == "unreadable token"


@pytest.mark.asyncio
async def test_request_log_scopes_stay_right_when_the_remembered_ones_are_forgotten(
    api: Api, emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("stream_async.emulator.inspector.log.SCOPE_CACHE", 2)
    users = ["ann", "ben", "cid", "ann", "ben", "ann"]
    for user in users:
        await api.request("GET", f"user/{user}/", auth=token(user_id=user))
    logged = [entry.scope.user_id for entry in emulator.request_log.newest_first()]
    assert logged == list(reversed(users))


@pytest.mark.asyncio
async def test_request_log_error_body_is_bounded(api: Api, emulator: Emulator) -> None:
    long_id = "x" * 20000
    await api.request("GET", f"user/{long_id}/")
    (entry,) = emulator.request_log.newest_first()
    assert entry.status == 404
    assert len(entry.error) == 16384  # not JSON once cut: kept as text
    assert entry.error.startswith('{"code":16,')


@pytest.mark.asyncio
async def test_activity_fields_are_escaped_everywhere(api: Api) -> None:
    added = await api.add("user:alice", actor=SCRIPT, object=SCRIPT, foreign_id=SCRIPT, note=SCRIPT)
    await api.react(added["id"], kind="like", data={"text": SCRIPT})
    await api.post("user/", {"id": "eve", "data": {"bio": SCRIPT}})
    await api.post("collections/food/", {"id": "x", "data": {"name": SCRIPT}})
    flag = {"entity_type": "stream:user", "entity_id": SCRIPT, "user_id": "a", "reason": SCRIPT}
    await api.post("moderation/flag", flag)
    paths = [
        "/inspector/feeds/user/alice",
        "/inspector/feeds/user/alice/fragment",
        f"/inspector/activities/{added['id']}",
        "/inspector/reactions",
        "/inspector/users",
        "/inspector/collections",
        f"/inspector/?q={SCRIPT}",
        "/inspector/moderation",
    ]
    for path in paths:
        response = await api.client.get(path)
        assert response.status_code == 200, path
        assert "<script>alert" not in response.text, path
        assert ESCAPED in response.text or "&lt;script&gt;" in response.text, path
    soup = await page(api, "/inspector/feeds/user/alice")
    assert rows(soup, "table.activities")[0][2] == SCRIPT  # shown as text
    assert [s["src"] for s in soup.find_all("script")] == ["/inspector/static/inspector.js"]


@pytest.mark.asyncio
async def test_static_script_and_stylesheet_are_served(api: Api) -> None:
    script = await api.client.get("/inspector/static/inspector.js")
    assert script.status_code == 200
    assert "data-poll" in script.text
    assert "setInterval(refresh, PERIOD_MS)" in script.text
    assert "var PERIOD_MS = 2000;" in script.text
    css = await api.client.get("/inspector/static/inspector.css")
    assert css.status_code == 200
    assert "http" not in script.text + css.text  # nothing loaded from elsewhere


@pytest.mark.asyncio
async def test_pages_never_change_the_state(api: Api, emulator: Emulator) -> None:
    await api.follow("timeline:bob", "user:alice")
    added = await api.add("user:alice", to=["notification:carol"])
    await api.react(added["id"])
    before = list(emulator.store.db.iterdump())
    for path in [
        "/inspector/",
        "/inspector/?q=user",
        "/inspector/feeds/timeline/bob",
        "/inspector/feeds/notification/carol",
        "/inspector/feeds/user/nobody/fragment",
        f"/inspector/activities/{added['id']}",
        "/inspector/users",
        "/inspector/collections",
        "/inspector/reactions",
        "/inspector/files",
        "/inspector/moderation",
    ]:
        assert (await api.client.get(path)).status_code == 200, path
    assert list(emulator.store.db.iterdump()) == before


@pytest.mark.asyncio
async def test_the_inspector_follows_a_reset(api: Api, emulator: Emulator) -> None:
    await api.add("user:alice")
    emulator.reset()
    soup = await page(api, "/inspector/")
    assert one(soup, "#total-activities").get_text() == "0"


# -- access -----------------------------------------------------------------------------------

EXPOSED = EmulatorConfig(host="0.0.0.0")


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


@pytest_asyncio.fixture
async def exposed() -> AsyncIterator[httpx.AsyncClient]:
    """A client of an emulator bound (as its config says) to every interface."""
    transport = httpx.ASGITransport(app=Emulator(EXPOSED).app)
    async with httpx.AsyncClient(transport=transport, base_url="http://emulator") as client:
        yield client


INSPECTOR_PATHS = [
    "/inspector/",
    "/inspector/feeds/user/alice",
    "/inspector/feeds/user/alice/fragment",
    "/inspector/activities/x",
    "/inspector/users",
    "/inspector/collections",
    "/inspector/reactions",
    "/inspector/files",
    "/inspector/log",
    "/inspector/log/fragment",
    "/inspector/static/inspector.js",
    "/inspector/moderation",
]


@pytest.mark.parametrize("path", INSPECTOR_PATHS)
@pytest.mark.asyncio
async def test_off_loopback_every_page_needs_the_key_and_secret(
    exposed: httpx.AsyncClient, path: str
) -> None:
    refused = await exposed.get(path)
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"].startswith("Basic ")
    assert API_SECRET not in refused.text
    wrong = await exposed.get(path, headers={"Authorization": basic(API_KEY, "wrong")})
    assert wrong.status_code == 401
    allowed = await exposed.get(path, headers={"Authorization": basic(API_KEY, API_SECRET)})
    assert allowed.status_code in (200, 404)


@pytest.mark.parametrize(
    "authorization",
    [
        basic("someone", API_SECRET),
        basic(API_KEY, API_SECRET + "x"),
        basic(API_KEY, ""),
        f"Bearer {ADMIN}",
        "Basic not-base64!",
        "Basic " + base64.b64encode(b"\xff\xfe:x").decode(),
        "Basic " + base64.b64encode(API_KEY.encode()).decode(),
        "",
    ],
)
@pytest.mark.asyncio
async def test_off_loopback_wrong_credentials_are_refused(
    exposed: httpx.AsyncClient, authorization: str
) -> None:
    response = await exposed.get("/inspector/", headers={"Authorization": authorization})
    assert response.status_code == 401


@pytest.mark.asyncio
async def test_off_loopback_the_api_itself_is_unchanged(exposed: httpx.AsyncClient) -> None:
    api = Api(exposed)
    added = await api.add("user:alice")
    assert [item["id"] for item in (await api.read("user:alice"))["results"]] == [added["id"]]
    assert (await exposed.get("/")).status_code == 307


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.0.0.2", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.20", False),
        ("example.com", False),
        ("", False),
    ],
)
@pytest.mark.asyncio
async def test_bound_address_decides_access(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback
    transport = httpx.ASGITransport(app=Emulator(EmulatorConfig(host=host)).app)
    async with httpx.AsyncClient(transport=transport, base_url="http://emulator") as client:
        response = await client.get("/inspector/")
    assert response.status_code == (200 if loopback else 401)


@pytest.mark.asyncio
async def test_pages_never_show_the_secret_or_tokens() -> None:
    secret = "a-very-private-secret-of-the-inspector-test-0123456789"
    config = EmulatorConfig(api_key="inspector-key", api_secret=secret, host="0.0.0.0")
    emulator = Emulator(config)
    admin = token(secret=secret, resource="*", action="*", feed_id="*")
    user = token(secret=secret, user_id="alice")
    forged = token(secret="another-secret-long-enough-for-hs256-0123456789", user_id="eve")
    credentials = {"Authorization": basic("inspector-key", secret)}
    transport = httpx.ASGITransport(app=emulator.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://emulator") as client:
        query = {"api_key": "inspector-key"}
        added = await client.post(
            "/api/v1.0/feed/user/alice/",
            params=query,
            headers={"Authorization": admin},
            json={"actor": "alice", "verb": "post", "object": "1"},
        )
        activity_id = added.json()["id"]
        await client.post(
            "/api/v1.0/reaction/",
            params=query,
            headers={"Authorization": user},
            json={"kind": "like", "activity_id": activity_id},
        )
        await client.get("/api/v1.0/user/alice/", params=query, headers={"Authorization": forged})
        shown = ""
        for path in [*INSPECTOR_PATHS, f"/inspector/activities/{activity_id}"]:
            response = await client.get(path, headers=credentials)
            assert response.status_code in (200, 404), path
            shown += response.text
    assert "/api/v1.0/user/alice/" in shown  # the log was among the pages
    for hidden in (secret, admin, user, forged, credentials["Authorization"]):
        assert hidden not in shown
    for part in (*admin.split("."), *user.split("."), *forged.split(".")):
        assert part not in shown  # not even a piece of a token


# -- the command line -------------------------------------------------------------------------


def test_banner_prints_the_inspector_url_after_the_base_url() -> None:
    lines = cli.banner(cli.parse_options(["--port=8123"], environ={})).splitlines()
    assert lines[0] == "Stream emulator listening on http://127.0.0.1:8123 (pass it as base_url)"
    assert lines[1] == "  inspector:   http://127.0.0.1:8123/inspector/"


def test_the_bound_host_reaches_the_config() -> None:
    assert cli.parse_options([], environ={}).config.host == "127.0.0.1"
    assert cli.parse_options(["--host=0.0.0.0"], environ={}).config.host == "0.0.0.0"
