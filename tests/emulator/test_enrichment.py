"""Enriched reads: references and reaction fields (§3.3)."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.emulator.conftest import Api

pytestmark = pytest.mark.asyncio


async def _enriched(api: Api, feed: str = "user:1", **params: Any) -> list[dict[str, Any]]:
    page = await api.get(f"enrich/feed/{feed.replace(':', '/')}/", **params)
    results: list[dict[str, Any]] = page["results"]
    return results


async def test_references_are_replaced_by_objects(api: Api) -> None:
    user = await api.post("user/", {"id": "alice", "data": {"name": "Alice"}})
    food = await api.post("collections/food/", {"id": "pizza", "data": {"slices": 8}})
    target = await api.add("user:9", actor="SU:alice", note="SA:nested")
    reaction = await api.react(target["id"])
    await api.add(
        "user:1",
        actor="SU:alice",
        object="SO:food:pizza",
        target=f"SA:{target['id']}",
        reacted=f"SR:{reaction['id']}",
        plain="SX:not-a-reference",
        short="SU:",
        number=5,
        nested={"who": "SU:alice"},
        foreign_id="SU:alice",
    )
    [activity] = await _enriched(api)
    user.pop("duration", None)
    food.pop("duration", None)
    assert activity["actor"] == user
    assert activity["object"] == food
    assert activity["target"]["id"] == target["id"]
    assert activity["target"]["actor"] == user
    assert activity["target"]["note"] == "SA:nested"
    assert activity["reacted"]["id"] == reaction["id"]
    assert activity["reacted"]["user"] == user
    assert (activity["plain"], activity["short"], activity["number"]) == (
        "SX:not-a-reference",
        "SU:",
        5,
    )
    assert activity["nested"] == {"who": "SU:alice"}
    assert activity["foreign_id"] == "SU:alice"
    [raw] = (await api.read("user:1"))["results"]
    assert raw["actor"] == "SU:alice"
    assert "latest_reactions" not in raw


async def test_missing_references_become_reference_not_found(api: Api) -> None:
    await api.add(
        "user:1",
        actor="SU:bob",
        object="SO:food:soup",
        target="SA:nope",
        notExistingReaction="SR:gone",
    )
    [activity] = await _enriched(api)
    assert activity["actor"] == {
        "error": "ReferenceNotFound",
        "reference": "SU:bob",
        "reference_type": "user",
        "id": "bob",
    }
    assert activity["object"] == {
        "error": "ReferenceNotFound",
        "reference": "SO:food:soup",
        "reference_type": "object",
        "id": "soup",
        "collection": "food",
    }
    assert activity["target"]["reference_type"] == "activity"
    assert activity["notExistingReaction"]["reference_type"] == "reaction"


async def test_reaction_fields_and_limits(api: Api) -> None:
    activity = await api.add("user:1")
    likes = [(await api.react(activity["id"], user_id=f"u{i}"))["id"] for i in range(7)]
    mine = await api.react(activity["id"], kind="comment", user_id="me")
    [enriched] = await _enriched(
        api, withRecentReactions="true", withOwnReactions="true", withReactionCounts="true",
        user_id="me",
    )  # fmt: skip
    assert enriched["reaction_counts"] == {"like": 7, "comment": 1}
    latest = enriched["latest_reactions"]
    assert [r["id"] for r in latest["like"]] == list(reversed(likes))[:5]
    assert [r["id"] for r in latest["comment"]] == [mine["id"]]
    assert enriched["own_reactions"] == {"comment": latest["comment"]}
    assert enriched["latest_reactions_extra"]["comment"] == {"next": ""}
    link = urlsplit(enriched["latest_reactions_extra"]["like"]["next"])
    assert link.scheme == "http"
    assert link.path == f"/api/v1.0/reaction/activity_id/{activity['id']}/like/"
    assert parse_qs(link.query) == {
        "id_lt": [latest["like"][-1]["id"]],
        "limit": ["5"],
        "withOwnChildren": ["false"],
        "user_id": ["me"],
    }
    [two] = await _enriched(api, with_recent_reactions="1", recent_reactions_limit="2")
    assert len(two["latest_reactions"]["like"]) == 2
    assert "own_reactions" not in two
    assert "reaction_counts" not in two


async def test_recent_limit_is_clamped_at_25(api: Api) -> None:
    activity = await api.add("user:1")
    for _ in range(27):
        await api.react(activity["id"])
    [enriched] = await _enriched(api, withRecentReactions="true", recentReactionsLimit="100")
    assert len(enriched["latest_reactions"]["like"]) == 25
    [default] = await _enriched(api, withRecentReactions="true", recentReactionsLimit="0")
    assert len(default["latest_reactions"]["like"]) == 5


async def test_counts_keep_deleted_kinds_at_zero(api: Api) -> None:
    activity = await api.add("user:1")
    comment = await api.react(activity["id"], kind="comment")
    await api.react(activity["id"], kind="like")
    await api.delete(f"reaction/{comment['id']}/")
    [enriched] = await _enriched(api, withReactionCounts="true", withRecentReactions="true")
    assert enriched["reaction_counts"] == {"comment": 0, "like": 1}
    assert list(enriched["latest_reactions"]) == ["like"]


async def test_kinds_filter_limits_reactions_and_counts(api: Api) -> None:
    activity = await api.add("user:1")
    for kind in ("like", "comment", "clap"):
        await api.react(activity["id"], kind=kind)
    [enriched] = await _enriched(
        api,
        withRecentReactions="true",
        withReactionCounts="true",
        withOwnReactions="true",
        user_id="alice",
        reactionKindsFilter="like,comment",
    )
    assert set(enriched["latest_reactions"]) == {"like", "comment"}
    assert enriched["reaction_counts"] == {"like": 1, "comment": 1}
    assert set(enriched["own_reactions"]) == {"like", "comment"}
    [snake] = await _enriched(api, with_reaction_counts="true", reaction_kinds_filter="clap")
    assert snake["reaction_counts"] == {"clap": 1}


async def test_own_children(api: Api) -> None:
    activity = await api.add("user:1")
    await api.react(activity["id"])
    top = await api.react(activity["id"])
    mine = await api.post("reaction/", {"kind": "reply", "parent": top["id"], "user_id": "me"})
    [enriched] = await _enriched(
        api, withRecentReactions="true", withOwnChildren="true", user_id="me",
        recentReactionsLimit="1",
    )  # fmt: skip
    [like] = enriched["latest_reactions"]["like"]
    assert [child["id"] for child in like["own_children"]["reply"]] == [mine["id"]]
    next_link = enriched["latest_reactions_extra"]["like"]["next"]
    assert parse_qs(urlsplit(next_link).query)["withOwnChildren"] == ["true"]
    [anonymous] = await _enriched(api, withRecentReactions="true", withOwnChildren="true")
    assert "own_children" not in anonymous["latest_reactions"]["like"][0]


async def test_enriched_activities_and_aggregated_groups(api: Api) -> None:
    await api.post("user/", {"id": "alice"})
    activity = await api.add("aggregated:1", actor="SU:alice")
    await api.react(activity["id"])
    page = await api.get("enrich/activities/", ids=activity["id"], withReactionCounts="true")
    [enriched] = page["results"]
    assert enriched["actor"]["id"] == "alice"
    assert enriched["reaction_counts"] == {"like": 1}
    plain = await api.get("activities/", ids=activity["id"])
    assert plain["results"][0]["actor"] == "SU:alice"
    groups = await api.get("enrich/feed/aggregated/1/", withReactionCounts="true")
    [item] = groups["results"][0]["activities"]
    assert item["actor"]["id"] == "alice"
    assert item["reaction_counts"] == {"like": 1}
