"""Aggregated and notification feeds (§3.2, §6.5) and aggregation formats."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from stream_async.emulator import Emulator, EmulatorConfig, FeedGroupConfig
from stream_async.emulator.aggregation import AggregationFormat
from tests.emulator.conftest import Api, ok

NO_ZONE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}")


def _group_names(page: dict[str, Any]) -> list[str]:
    return [group["group"] for group in page["results"]]


@pytest.mark.asyncio
async def test_groups_by_verb_and_day_newest_updated_first(api: Api) -> None:
    await api.add("aggregated:1", verb="like", actor="a", time="2021-01-01T10:00:00")
    like2 = await api.add("aggregated:1", verb="like", actor="b", time="2021-01-01T11:00:00")
    await api.add("aggregated:1", verb="post", actor="a", time="2021-01-01T09:00:00")
    like3 = await api.add("aggregated:1", verb="like", actor="a", time="2021-01-01T08:00:00")
    await api.add("aggregated:1", verb="like", actor="a", time="2021-01-02T08:00:00")
    page = await api.read("aggregated:1")
    assert set(page) == {"results", "next"}
    assert _group_names(page) == ["like_2021-01-02", "like_2021-01-01", "post_2021-01-01"]
    group = page["results"][1]
    assert set(group) == {
        "activities",
        "activity_count",
        "actor_count",
        "created_at",
        "group",
        "id",
        "updated_at",
        "verb",
    }
    assert group["id"] == like2["id"]
    assert group["activity_count"] == 3
    assert group["actor_count"] == 2
    assert group["verb"] == "like"
    assert group["activities"][0]["id"] == like2["id"]
    assert group["activities"][-1]["id"] == like3["id"]
    assert NO_ZONE.fullmatch(group["created_at"])
    assert group["created_at"] <= group["updated_at"]


@pytest.mark.asyncio
async def test_groups_show_at_most_15_activities(api: Api) -> None:
    activities = [{"actor": f"u{i % 4}", "verb": "like", "object": f"o{i}"} for i in range(20)]
    await api.post("feed/aggregated/1/", {"activities": activities})
    [group] = (await api.read("aggregated:1"))["results"]
    assert group["activity_count"] == 20
    assert group["actor_count"] == 4
    assert len(group["activities"]) == 15


@pytest.mark.asyncio
async def test_group_pagination_and_removal(api: Api) -> None:
    for day in range(1, 4):
        await api.add("aggregated:1", time=f"2021-01-0{day}T00:00:00")
    page = await api.read("aggregated:1", limit=2)
    assert _group_names(page) == ["post_2021-01-03", "post_2021-01-02"]
    query = parse_qs(urlsplit(page["next"]).query)
    assert query["id_lt"] == [page["results"][1]["id"]]
    rest = await api.read("aggregated:1", limit=2, id_lt=query["id_lt"][0])
    assert _group_names(rest) == ["post_2021-01-01"]
    assert rest["next"] == ""
    extra = await api.add("aggregated:1", time="2021-01-02T12:00:00")
    await api.delete(f"feed/aggregated/1/{extra['id']}/")
    assert (await api.read("aggregated:1"))["results"][1]["activity_count"] == 1
    removed = page["results"][0]["activities"][0]["id"]
    await api.delete(f"feed/aggregated/1/{removed}/")
    assert _group_names(await api.read("aggregated:1")) == ["post_2021-01-02", "post_2021-01-01"]


@pytest.mark.asyncio
async def test_group_ids_are_cursors_in_update_order(api: Api) -> None:
    for second in range(3):
        await api.add("notification:1", verb="post", time=f"2021-01-01T00:00:0{second}")
    backdated = await api.add("notification:1", verb="like", time="2020-12-31T00:00:00")
    await api.add("notification:1", verb="share", time="2021-01-01T00:00:00")
    page = await api.read("notification:1")
    names = _group_names(page)
    assert names == ["share_2021-01-01", "like_2020-12-31", "post_2021-01-01"]
    group_ids = [group["id"] for group in page["results"]]
    assert group_ids[1] == f"{backdated['id']}.like_2020-12-31"
    walked: list[str] = []
    cursor: dict[str, str] = {}
    while True:
        one = await api.read("notification:1", limit=1, **cursor)
        walked += _group_names(one)
        if not one["next"]:
            break
        cursor = {"id_lt": parse_qs(urlsplit(one["next"]).query)["id_lt"][0]}
    assert walked == names
    assert _group_names(await api.read("notification:1", id_lte=group_ids[1])) == names[1:]
    assert _group_names(await api.read("notification:1", id_gt=group_ids[1])) == names[:1]
    assert _group_names(await api.read("notification:1", id_gte=group_ids[1])) == names[:2]
    activity_bound = await api.read("notification:1", id_lt=backdated["id"])
    assert _group_names(activity_bound) == []
    elsewhere = await api.add("user:9", time="2021-01-01T00:00:01.5")
    # held by no group: compared by time with each group's newest activity
    time_bound = await api.read("notification:1", id_lt=elsewhere["id"])
    assert _group_names(time_bound) == ["share_2021-01-01", "like_2020-12-31"]


@pytest.mark.asyncio
async def test_notification_seen_and_read(api: Api) -> None:
    await api.add("notification:1", verb="like", time="2021-01-01T00:00:00")
    await api.add("notification:1", verb="follow", time="2021-01-01T00:00:00")
    first = await api.read("notification:1", mark_seen="true")
    assert (first["unseen"], first["unread"]) == (2, 2)
    assert all(not g["is_seen"] and not g["is_read"] for g in first["results"])
    group = first["results"][0]
    assert group["id"] == f"{group['activities'][0]['id']}.{group['group']}"
    second = await api.read("notification:1", limit=1, mark_read=group["id"])
    assert (second["unseen"], second["unread"]) == (0, 2)
    assert second["results"][0]["is_seen"] is True
    assert second["results"][0]["is_read"] is False
    third = await api.read("notification:1", mark_read="false", mark_seen="0")
    assert (third["unseen"], third["unread"]) == (0, 1)
    flags = {g["group"]: (g["is_seen"], g["is_read"]) for g in third["results"]}
    assert flags == {"follow_2021-01-01": (True, True), "like_2021-01-01": (True, False)}
    await api.add("notification:1", verb="follow", time="2021-01-01T00:00:01")
    fourth = await api.read("notification:1", mark_read="True")
    assert (fourth["unseen"], fourth["unread"]) == (1, 2)
    assert fourth["results"][0]["is_seen"] is False
    assert fourth["results"][0]["activity_count"] == 2
    fifth = await api.read("notification:1")
    assert (fifth["unseen"], fifth["unread"]) == (1, 0)


@pytest.mark.asyncio
async def test_notification_mark_by_comma_list_of_group_ids(api: Api) -> None:
    for verb in ("a", "b", "c"):
        await api.add("notification:1", verb=verb)
    groups = (await api.read("notification:1"))["results"]
    chosen = f"{groups[0]['id']},{groups[2]['id']},unknown"
    await api.read("notification:1", mark_seen=chosen)
    after = await api.read("notification:1")
    assert [g["is_seen"] for g in after["results"]] == [True, False, True]
    assert after["unseen"] == 1


@pytest.mark.asyncio
async def test_custom_aggregation_formats() -> None:
    groups = {
        "user": FeedGroupConfig(),
        "by_actor": FeedGroupConfig("aggregated", "{{ actor }}"),
        "by_source": FeedGroupConfig(
            "notification", "{{ feed.group }}-{{ feed.user_id }}:{{ object }}:{{ meta.kind }}"
        ),
    }
    emulator = Emulator(EmulatorConfig(feed_groups=groups))
    transport = httpx.ASGITransport(app=emulator.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://emulator") as client:
        api = Api(client)
        await api.add("by_actor:1", actor="x", verb="a")
        await api.add("by_actor:1", actor="x", verb="b")
        await api.add("by_actor:1", actor="y", verb="a")
        assert _group_names(await api.read("by_actor:1")) == ["y", "x"]
        await api.follow("by_source:1", "user:7")
        await api.add("user:7", object="o", meta={"kind": "k"})
        await api.add("by_source:1", object="o")
        page = await api.read("by_source:1")
        assert _group_names(page) == ["by_source-1:o:", "user-7:o:k"]
        assert ok(await api.request("GET", "feed/by_source/1/", params={"mark_seen": "1"}))


def test_aggregation_format_rendering() -> None:
    moment = datetime(2021, 3, 4, 5, 6, 7, tzinfo=timezone.utc)
    fmt = AggregationFormat("{{verb}}|{{ time.strftime('%H:%M') }}|{{ n }}|{{ missing.x }}|end")
    assert fmt.render({"verb": "v", "n": 3}, moment, "user", "1") == "v|05:06|3||end"
    assert AggregationFormat("plain").render({}, moment, "user", "1") == "plain"


@pytest.mark.parametrize(
    "source", ["{{ verb | upper }}", "{{ verb ", "verb }}", "{{ 1 + 2 }}", "{{ }}"]
)
def test_unsupported_aggregation_formats_are_refused(source: str) -> None:
    with pytest.raises(ValueError, match="the format contains syntax errors"):
        FeedGroupConfig("aggregated", source)


def test_unknown_feed_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown feed kind"):
        FeedGroupConfig("ranked")  # type: ignore[arg-type]


@pytest.mark.asyncio
async def test_an_activity_reaching_a_group_twice_counts_once(api: Api) -> None:
    await api.follow("aggregated:1", "user:1")
    added = await api.add("user:1", to=["aggregated:1"])
    groups = (await api.read("aggregated:1"))["results"]
    assert [(group["activity_count"], group["id"]) for group in groups] == [(1, added["id"])]
    assert groups[0]["activities"][0]["origin"] == "user:1"  # the first path: the follow
