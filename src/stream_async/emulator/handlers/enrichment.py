"""Enrichment of activities read through ``enrich/...`` endpoints (§3.3 of the API semantics).

References: top-level string fields (custom ones included) of the form ``SU:<user_id>``,
``SO:<collection>:<id>``, ``SA:<activity_id>`` and ``SR:<reaction_id>`` become the user, the
collection object, the activity or the reaction, or a ``ReferenceNotFound`` object. ``id``,
``foreign_id``, ``time`` and ``origin`` are never touched, and nested values are left as they
are (a documented choice). An activity reached through ``SA:`` has its own references
enriched too, except its ``SA:`` ones (so references cannot loop).

Reaction flags, camelCase or snake_case: ``withOwnReactions`` (``own_reactions`` of the
``user_id`` query parameter, or of the user token), ``withRecentReactions``
(``latest_reactions`` plus ``latest_reactions_extra`` with absolute ``next`` URLs),
``withReactionCounts`` (``reaction_counts``, kinds whose reactions were all deleted stay at
0), ``reactionKindsFilter`` (limits the three to those kinds), ``recentReactionsLimit``
(reactions per kind, default 5, clamped at 25; 0 means the default) and ``withOwnChildren``
(each reaction's ``own_children``). Only top-level reactions that are not soft-deleted count.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from stream_async.emulator.handlers.call import Call
from stream_async.emulator.handlers.references import (
    collection_object,
    not_found,
    render_reaction,
    user_object,
)
from stream_async.emulator.store import Store
from stream_async.emulator.store.records import Reaction

RECENT_LIMIT = 5
MAX_RECENT_LIMIT = 25
UNTOUCHED = frozenset({"id", "foreign_id", "time", "origin"})


@dataclass(frozen=True)
class Flags:
    """What an enriched read asks to add to each activity."""

    own: bool
    recent: bool
    counts: bool
    own_children: bool
    kinds: frozenset[str]
    limit: int
    user_id: str | None

    @classmethod
    def of(cls, call: Call, *, everything: bool = False) -> Flags:
        """The flags of ``call``; ``everything`` turns on own, recent and counts."""
        limit_name = "recentReactionsLimit"
        if call.text(limit_name) is None:
            limit_name = "recent_reactions_limit"
        return cls(
            own=everything or call.any_flag("withOwnReactions", "with_own_reactions"),
            recent=everything or call.any_flag("withRecentReactions", "with_recent_reactions"),
            counts=everything or call.any_flag("withReactionCounts", "with_reaction_counts"),
            own_children=call.any_flag("withOwnChildren", "with_own_children"),
            kinds=frozenset(
                call.values("reactionKindsFilter") + call.values("reaction_kinds_filter")
            ),
            limit=call.integer(limit_name, RECENT_LIMIT, maximum=MAX_RECENT_LIMIT) or RECENT_LIMIT,
            user_id=call.user_id or call.text("user_id") or None,
        )


class Enricher:
    """Enriches activities already rendered for one ``enrich/...`` call."""

    def __init__(self, store: Store, call: Call, flags: Flags) -> None:
        self.store = store
        self.call = call
        self.flags = flags

    def activity(self, rendered: dict[str, Any]) -> dict[str, Any]:
        """``rendered`` with its references resolved and the reaction fields added."""
        body = self._references(rendered, nested=False)
        activity_id = rendered["id"]
        flags = self.flags
        newest = [
            reaction
            for reaction in reversed(self.store.reactions_to(activity_id))
            if reaction.live and (not flags.kinds or reaction.kind in flags.kinds)
        ]
        if flags.recent:
            latest = self._by_kind(newest)
            body["latest_reactions"] = latest
            body["latest_reactions_extra"] = {
                kind: {"next": self._next(activity_id, kind, newest, items)}
                for kind, items in latest.items()
            }
        if flags.own:
            mine = [reaction for reaction in newest if reaction.user_id == flags.user_id]
            body["own_reactions"] = self._by_kind(mine)
        if flags.counts:
            kinds = self.store.reaction_kinds(activity_id)
            body["reaction_counts"] = {
                kind: sum(reaction.kind == kind for reaction in newest)
                for kind in kinds
                if not flags.kinds or kind in flags.kinds
            }
        return body

    def _references(self, fields: dict[str, Any], *, nested: bool) -> dict[str, Any]:
        return {
            key: value if key in UNTOUCHED else self._resolve(value, nested=nested)
            for key, value in fields.items()
        }

    def _resolve(self, value: object, *, nested: bool) -> object:
        if not isinstance(value, str) or len(value) < 4 or value[2] != ":":
            return value
        prefix, target = value[:2], value[3:]
        if prefix == "SU":
            return user_object(self.store, target)
        if prefix == "SO":
            return collection_object(self.store, target)
        if prefix == "SR":
            reaction = self.store.reaction(target)
            if reaction is None:
                return not_found(value, "reaction", target)
            return render_reaction(self.store, reaction)
        if prefix == "SA" and not nested:
            activity = self.store.activity(target)
            if activity is None:
                return not_found(value, "activity", target)
            return self._references(activity.render(None), nested=True)
        return value

    def _by_kind(self, reactions: list[Reaction]) -> dict[str, list[dict[str, Any]]]:
        own_user = self.flags.user_id if self.flags.own_children else None
        grouped: dict[str, list[dict[str, Any]]] = {}
        for reaction in reactions:
            group = grouped.setdefault(reaction.kind, [])
            if len(group) < self.flags.limit:
                rendered = render_reaction(
                    self.store, reaction, own_user=own_user, own_limit=self.flags.limit
                )
                group.append(rendered)
        return grouped

    def _next(
        self,
        activity_id: str,
        kind: str,
        newest: list[Reaction],
        shown: list[dict[str, Any]],
    ) -> str:
        """The absolute URL of the kind's next reactions, or ``""`` when all are shown."""
        if sum(reaction.kind == kind for reaction in newest) <= len(shown):
            return ""
        params = [
            ("id_lt", shown[-1]["id"]),
            ("limit", str(self.flags.limit)),
            ("withOwnChildren", "true" if self.flags.own_children else "false"),
        ]
        if self.flags.user_id is not None:
            params.append(("user_id", self.flags.user_id))
        path = f"api/v1.0/reaction/activity_id/{quote(activity_id)}/{quote(kind)}/"
        return f"{self.call.base_url}{path}?{urlencode(params)}"
