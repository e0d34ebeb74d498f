"""Aggregation formats: the small Jinja subset that names an activity's group.

A format is literal text with ``{{ expression }}`` slots. Supported expressions:

* ``verb``, ``actor``, ``object``, ``target``, ``foreign_id`` and any custom top-level field,
  optionally followed by ``.key`` lookups into a dict value (``product.category``);
* ``feed.group`` and ``feed.user_id``: the feed the activity came from, that is its ``origin``
  when it arrived by fan-out, otherwise the aggregated feed itself (a documented choice: the
  live semantics of ``feed`` are not published);
* ``time.strftime("<format>")`` with single or double quotes.

Undefined values render as the empty string, like Jinja's default ``Undefined``; other
values render with ``str()``. Anything else (filters, arithmetic, unbalanced braces) is a
syntax error, raised as ValueError when the format is compiled.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeAlias

DEFAULT_FORMAT = '{{ verb }}_{{ time.strftime("%Y-%m-%d") }}'

_SLOT = re.compile(r"\{\{(.*?)\}\}")
_STRFTIME = re.compile(r"""time\.strftime\((['"])(.*)\1\)""")
_PATH = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")


@dataclass(frozen=True)
class _Strftime:
    pattern: str


@dataclass(frozen=True)
class _Lookup:
    path: tuple[str, ...]


_Part: TypeAlias = "str | _Strftime | _Lookup"


def _compile_expression(expression: str) -> _Strftime | _Lookup:
    text = expression.strip()
    strftime = _STRFTIME.fullmatch(text)
    if strftime is not None:
        return _Strftime(strftime[2])
    if _PATH.fullmatch(text) is None:
        raise ValueError(f"the format contains syntax errors: unsupported {{{{ {text} }}}}")
    return _Lookup(tuple(text.split(".")))


def _lookup(value: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


class AggregationFormat:
    """A compiled aggregation format; :meth:`render` names the group of one activity."""

    def __init__(self, source: str) -> None:
        parts: list[_Part] = []
        position = 0
        for slot in _SLOT.finditer(source):
            parts.append(source[position : slot.start()])
            parts.append(_compile_expression(slot[1]))
            position = slot.end()
        parts.append(source[position:])
        if any(isinstance(p, str) and ("{{" in p or "}}" in p) for p in parts):
            raise ValueError("the format contains syntax errors: unbalanced braces")
        self.source = source
        self._parts = tuple(part for part in parts if part != "")

    def render(
        self, activity: Mapping[str, Any], time: datetime, feed_slug: str, feed_user_id: str
    ) -> str:
        """The group name of ``activity`` (its stored fields) at ``time``, seen from a feed."""
        context = {**activity, "feed": {"group": feed_slug, "user_id": feed_user_id}}
        rendered: list[str] = []
        for part in self._parts:
            if isinstance(part, str):
                rendered.append(part)
            elif isinstance(part, _Strftime):
                rendered.append(time.strftime(part.pattern))
            else:
                value = _lookup(context, part.path)
                rendered.append("" if value is None else str(value))
        return "".join(rendered)
