"""Response details seen through the SDK, on each route (in-process and over a socket, see
``conftest.py``): a reaction walk stops after a full last page and survives its cursor being
deleted, reaction filter bounds that name a deleted reaction or none, feeds of activities
sharing a time walked page by page, and the refused image's sniffed type (more-endpoints.md
§6.3, §8)."""

from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from stream_async import AsyncStreamClient, errors

pytestmark = pytest.mark.anyio

MILLI = datetime(2024, 5, 1, 12, 0, 0, 123000, tzinfo=timezone.utc)


async def a_post(client: AsyncStreamClient) -> str:
    added = await client.feed("user", "alice").add_activity(
        {"actor": "SU:alice", "verb": "post", "object": "picture:1"}
    )
    return added.id


def filter_calls(caplog: pytest.LogCaptureFixture, activity_id: str) -> int:
    """How many reaction-filter calls for this activity the SDK made (its DEBUG lines)."""
    path = f"reaction/activity_id/{activity_id}/like/"
    return sum(
        record.name == "stream_async" and path in str(getattr(record, "stream_path", ""))
        for record in caplog.records
    )


async def test_reaction_walk_stops_after_a_full_last_page(
    e2e_client: AsyncStreamClient, caplog: pytest.LogCaptureFixture
) -> None:
    post = await a_post(e2e_client)
    for i in range(25):
        await e2e_client.reactions.add("like", post, f"user-{i}")
    likes = e2e_client.reactions.iterate(activity_id=post, kind="like", limit=5)
    with caplog.at_level("DEBUG", logger="stream_async"):
        walked = [r.user_id async for r in likes]
    assert walked == [f"user-{i}" for i in reversed(range(25))]
    # 25 likes read 5 at a time: the fifth page says there is no sixth.
    assert filter_calls(caplog, post) == 5
    last = await e2e_client.reactions.filter(
        activity_id=post, kind="like", limit=5, id_lt=(await last_of_page(e2e_client, post, 4))
    )
    assert len(last.results) == 5
    assert last.next == ""
    assert last.has_next is False


async def last_of_page(client: AsyncStreamClient, post: str, pages: int) -> str:
    """The id of the last reaction of the first ``pages`` pages of 5."""
    page = await client.reactions.filter(activity_id=post, kind="like", limit=5 * pages)
    return page.results[-1].id


async def test_reaction_bounds_naming_no_reaction(e2e_client: AsyncStreamClient) -> None:
    post = await a_post(e2e_client)
    reactions = e2e_client.reactions
    older = [(await reactions.add("like", post, f"old-{i}")).id for i in range(2)]
    between = await a_post(e2e_client)  # a version-1 id carrying a time between the two
    newer = [(await reactions.add("like", post, f"new-{i}")).id for i in range(2)]

    below = await reactions.filter(activity_id=post, id_lt=between)
    assert [r.id for r in below.results] == older[::-1]
    above = await reactions.filter(activity_id=post, id_gte=between)
    assert [r.id for r in above.results] == newer
    walked = [r.id async for r in reactions.iterate(activity_id=post, id_lte=between, limit=1)]
    assert walked == older[::-1]

    nowhere = await reactions.filter(activity_id=post, id_lt=str(uuid.uuid4()))
    assert nowhere.results == []
    assert nowhere.has_next is False
    # A reaction deleted since still stands for its place.
    await reactions.delete(newer[0])
    after = [r.id async for r in reactions.iterate(activity_id=post, id_gt=newer[0])]
    assert after == newer[1:]


async def test_reaction_walk_survives_its_cursor_being_deleted(
    e2e_client: AsyncStreamClient,
) -> None:
    post = await a_post(e2e_client)
    reactions = e2e_client.reactions
    likes = [(await reactions.add("like", post, f"user-{i}")).id for i in range(25)]
    walked: list[str] = []
    deleted: list[str] = []
    async for reaction in reactions.iterate(activity_id=post, kind="like", limit=5):
        walked.append(reaction.id)
        if len(walked) % 5 == 0 and len(walked) < 25:
            # The last of a page is the next page's cursor: delete it before that page.
            await reactions.delete(reaction.id)
            deleted.append(reaction.id)
    assert walked == likes[::-1]
    assert len(deleted) == 4
    left = [r.id async for r in reactions.iterate(activity_id=post, kind="like", limit=25)]
    assert left == [like for like in likes[::-1] if like not in deleted]


@pytest.mark.parametrize("page_size", [1, 2, 3])
async def test_feed_walk_over_activities_sharing_a_millisecond(
    e2e_client: AsyncStreamClient, page_size: int
) -> None:
    feed = e2e_client.feed("user", "ties")
    micros = [450, 100, 450, 999, 450, 0, 100]
    batch = [
        {
            "actor": "alice",
            "verb": "post",
            "object": f"note:{i}",
            "time": MILLI + timedelta(microseconds=us),
            **({"foreign_id": f"post:{i}"} if i % 2 == 0 else {}),
        }
        for i, us in enumerate(micros)
    ]
    added = (await feed.add_activities(batch)).activities
    later = await feed.add_activity(
        {"actor": "bob", "verb": "post", "object": "note:x", "time": MILLI + timedelta(0, 0, 450)}
    )
    ordered = sorted(
        [*enumerate(added), (len(added), later)],
        key=lambda pair: (pair[1].time or MILLI, pair[0]),
        reverse=True,
    )
    expected = [activity.id for _, activity in ordered]
    stamps = [a.time - MILLI for _, a in ordered if a.time is not None]
    assert stamps == [timedelta(microseconds=us) for us in (999, 450, 450, 450, 450, 100, 100, 0)]

    walked = [a.id async for a in feed.iterate(page_size=page_size)]
    assert walked == expected
    by_hand: list[str] = []
    page = await feed.get(limit=page_size)
    while True:
        by_hand += [a.id for a in page.results]
        if not page.has_next:
            break
        page = await feed.get(limit=page_size, id_lt=by_hand[-1])
    assert by_hand == expected
    middle = expected[3]
    assert [a.id for a in (await feed.get(id_lte=middle)).results] == expected[3:]
    assert [a.id for a in (await feed.get(id_gt=middle)).results] == expected[:3]


async def test_refused_image_names_the_sniffed_type(e2e_client: AsyncStreamClient) -> None:
    # The SDK sends only image types; the server names the type of the bytes, not that one.
    data = random.Random(2018).randbytes(256 * 1024)
    with pytest.raises(errors.InputError) as raised:
        await e2e_client.images.upload(data, filename="helloworld.png", content_type="image/png")
    assert raised.value.code == 4
    assert raised.value.detail == "File type application/octet-stream is not supported"
