"""Stream's time format and the request body encoder."""

from __future__ import annotations

import json
import uuid
from collections import OrderedDict
from datetime import date, datetime, timedelta, timezone
from types import MappingProxyType

import pytest
from pydantic import BaseModel

from stream_async._serialization import dumps, format_time
from stream_async.models import Activity


def test_format_time_is_utc_with_six_digits_and_no_zone() -> None:
    aware = datetime(2020, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=-5)))
    assert format_time(aware) == "2020-01-02T08:04:05.000000"
    assert format_time(datetime(2020, 1, 2, 3, 4, 5, 7)) == "2020-01-02T03:04:05.000007"


class Point(BaseModel):
    x: int
    label: str | None = None


def test_dumps_encodes_python_values() -> None:
    value = {
        "when": datetime(2020, 1, 2, tzinfo=timezone.utc),
        "day": date(2020, 1, 2),
        "tags": {"b", "a"},
        "point": Point(x=1),
        "frozen": MappingProxyType({"k": 1}),
        "ordered": OrderedDict(a=1),
        "text": "é",
    }
    assert json.loads(dumps(value)) == {
        "when": "2020-01-02T00:00:00.000000",
        "day": "2020-01-02",
        "tags": ["a", "b"],
        "point": {"x": 1},
        "frozen": {"k": 1},
        "ordered": {"a": 1},
        "text": "é",
    }
    assert b" " not in dumps({"a": [1, 2]})


def test_dumps_refuses_unknown_types_instead_of_sending_null() -> None:
    with pytest.raises(TypeError, match="UUID"):
        dumps({"id": uuid.uuid4()})


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2018-11-14T15:54:45.268000", datetime(2018, 11, 14, 15, 54, 45, 268000, timezone.utc)),
        ("2018-11-14T15:54:45.268Z", datetime(2018, 11, 14, 15, 54, 45, 268000, timezone.utc)),
        ("2018-11-14T20:54:45+05:00", datetime(2018, 11, 14, 15, 54, 45, tzinfo=timezone.utc)),
        (
            "2021-05-14T19:58:27.274792063Z",
            datetime(2021, 5, 14, 19, 58, 27, 274792, tzinfo=timezone.utc),
        ),
    ],
)
def test_activity_time_is_always_aware_utc(raw: str, expected: datetime) -> None:
    activity = Activity.model_validate(
        {"id": "1", "actor": "a", "verb": "v", "object": "o", "time": raw}
    )
    assert activity.time == expected
    assert activity.time is not None
    assert activity.time.utcoffset() == timedelta(0)


def test_activity_keeps_enriched_references_and_custom_fields() -> None:
    activity = Activity.model_validate(
        {
            "id": "1",
            "actor": {"id": "alice", "data": {}},
            "verb": "v",
            "object": "SO:food:1",
            "when": "2018-11-14T15:54:45.268000",
        }
    )
    assert activity.actor == {"id": "alice", "data": {}}
    # custom strings are not guessed into datetimes
    assert activity.custom == {"when": "2018-11-14T15:54:45.268000"}
