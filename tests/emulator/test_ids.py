"""Activity ids and time formats."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest

from stream_async.emulator.store.ids import (
    EMULATOR_NODE,
    foreign_id_activity_id,
    sort_key,
    time_uuid,
)
from stream_async.emulator.store.time import format_time, format_time_z, parse_time

VECTORS = [
    ("123sdsd333}}}", 1451260800, "f01c0000-acf5-11e5-8080-80006a8b5bc2"),
    ("6621934", 1452862482, "24f9d500-bb87-11e5-8080-80012ce3cc51"),
    ("6621938", 1452862489, "2925f280-bb87-11e5-8080-8001597d791f"),
    ("6621941", 1452862492, "2aefb600-bb87-11e5-8080-8001226fe2f2"),
    ("6621945", 1452862496, "2d521000-bb87-11e5-8080-800026259780"),
    (
        "top_issues_summary_557dc1d9e46fea0a4c000002",
        1463914800,
        "53dbf800-200c-11e6-8080-800023ec2877",
    ),
    ("6625387", 1452866055, "76a65d80-bb8f-11e5-8080-8000530672db"),
    ("UserPrediction:11127278", 1480174117, "00000080-b3ed-11e6-8080-8000444ef374"),
    ("467791-42-follow", 1481475921, "ffa65e80-bfc3-11e6-8080-800027086507"),
]


@pytest.mark.parametrize(("foreign_id", "timestamp", "expected"), VECTORS)
def test_foreign_id_vectors(foreign_id: str, timestamp: int, expected: str) -> None:
    moment = datetime.fromtimestamp(timestamp, timezone.utc)
    assert foreign_id_activity_id(foreign_id, moment) == expected


def test_swift_capture_cross_check() -> None:
    moment = parse_time("2018-11-14T15:54:45.268000")
    expected = "9b5b3540-e825-11e8-8080-800016ff21e4"
    assert foreign_id_activity_id("1E42DEB6-7C2F-4DA9-B6E6-0C6E5CC9815D", moment) == expected


def test_foreign_id_ids_ignore_sub_millisecond_time() -> None:
    moment = parse_time("2018-11-14T15:54:45.268000")
    later = moment + timedelta(microseconds=999)
    assert foreign_id_activity_id("x", moment) == foreign_id_activity_id("x", later)


def test_time_uuid_is_version_one_at_the_activity_time() -> None:
    moment = parse_time("2022-09-01T03:12:39.479381")
    value = uuid.UUID(time_uuid(moment, 5))
    assert value.version == 1
    assert value.node == EMULATOR_NODE
    assert value.clock_seq == 5
    unix_ticks = value.time - 0x01B21DD213814000
    epoch = datetime(1970, 1, 1, tzinfo=timezone.utc)
    assert epoch + timedelta(microseconds=unix_ticks // 10) == moment


def test_sort_key_orders_by_time_and_accepts_notification_group_ids() -> None:
    early = time_uuid(parse_time("2020-01-01T00:00:00"), 9)
    late = time_uuid(parse_time("2020-01-01T00:00:01"), 1)
    assert sort_key(early) < sort_key(late)
    assert sort_key(f"{late}.post_2020-01-01") == sort_key(late.upper())
    with pytest.raises(ValueError, match="badly formed"):
        sort_key("not-an-id")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2018-06-24T11:28:00", "2018-06-24T11:28:00.000000"),
        ("2018-06-24T11:28:00.5", "2018-06-24T11:28:00.500000"),
        ("2018-06-24T11:28:00.123", "2018-06-24T11:28:00.123000"),
        ("2018-06-24T11:28:00.123456789", "2018-06-24T11:28:00.123456"),
        ("2018-06-24T11:28:00.000Z", "2018-06-24T11:28:00.000000"),
        ("2018-06-24T16:28:00+05:00", "2018-06-24T11:28:00.000000"),
        ("2018-06-24T06:28:00-0500", "2018-06-24T11:28:00.000000"),
        ("2018-06-24 11:28:00", "2018-06-24T11:28:00.000000"),
        ("2018-06-24", "2018-06-24T00:00:00.000000"),
    ],
)
def test_parse_time_accepts_the_formats_clients_send(text: str, expected: str) -> None:
    assert format_time(parse_time(text)) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "yesterday",
        "2018-13-01T00:00:00",
        "2018-06-24T11:28",
        "9999-12-31T23:00:00-05:00",
        "0001-01-01T00:00:00+05:00",
    ],
)
def test_parse_time_rejects_garbage(text: str) -> None:
    with pytest.raises(ValueError, match=r"time|month|does not match"):
        parse_time(text)


def test_format_time_z() -> None:
    assert format_time_z(parse_time("2021-05-14T19:58:27.274792")) == "2021-05-14T19:58:27.274792Z"
