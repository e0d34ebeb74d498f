"""Client-side policies: what a user token may do with feeds and activities.

Server tokens pass every check here (their scope was checked by
:mod:`stream_async.emulator.http.auth`); with a user token the rules are Stream's default
policies, as its live API shows them:

- a user's **own** feeds are the feeds whose user id is the token's ``user_id``; a user reads
  and writes them in every group;
- **reading** another user's feed needs a group whose mode allows global read (``read`` or
  ``read-write``: ``user`` by default); follower and following lists are of own feeds only;
- **adding to or deleting from** a feed, following and unfollowing from it, and changing its
  activities' ``to`` targets need an own feed, whatever the group's mode (a documented
  choice: Stream's support text calls ``notification`` groups "global write", but the
  tested rule for direct writes is own feeds only, so global write here opens a group to
  ``to`` and ``target_feeds`` only);
- ``to`` targets and reaction ``target_feeds`` may be own feeds, or other users' feeds in
  groups whose mode allows global write (``write`` or ``read-write``: ``notification`` by
  default);
- an activity's ``actor`` must be ``SU:<user_id>`` of the token; any other value, another
  user's ``SU:`` reference or a plain string, is refused (a documented choice for the forms
  the live tests do not cover);
- a partial update (``activity/``) changes only activities whose ``actor`` is
  ``SU:<user_id>``, and cannot set another actor;
- users create, update and delete only themselves (``user/``).

Reactions, collection objects and uploads (changed only by their creator) are checked by
:meth:`~stream_async.emulator.handlers.call.Call.check_owner`; a body's ``user_id`` naming
another user is a 400 (:meth:`~stream_async.emulator.handlers.call.Call.acting_user`).

Every refusal is Stream's policy error: 403, code 17, ``NotAllowedException`` with the live
permission text. The checks run last, as the live API orders them (note §1, rule 7): after
the request is validated (400: a ``to`` that is not a list, a ``limit`` that is not a
number, bad ``rankingVars``), after the 404 of what must exist (an activity whose ``to``
changes, a reaction, a user, an upload) and after the 409 of an id that is taken. The one
exception is also live: a reaction's ``target_feeds`` are checked whether or not its
``activity_id`` names an activity (reactions never look their activity up).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from stream_async.emulator.config import FeedGroupConfig, feed_mode
from stream_async.emulator.errors import not_allowed
from stream_async.emulator.handlers.call import Call

GLOBAL_READ = frozenset({"read", "read-write"})
"""Modes in which anyone may read the group's feeds."""
GLOBAL_WRITE = frozenset({"write", "read-write"})
"""Modes in which anyone may name the group's feeds as ``to`` and ``target_feeds`` targets."""


def _owns(call: Call, feed_id: str) -> bool:
    return feed_id.partition(":")[2] == call.user_id


def _mode(groups: Mapping[str, FeedGroupConfig], feed_id: str) -> str:
    slug = feed_id.partition(":")[0]
    return feed_mode(slug, groups[slug])


def check_read(call: Call, feed_id: str) -> None:
    """A user token reads ``feed_id`` (validated ``slug:user_id``): own, or global read."""
    if call.user_id is None or _owns(call, feed_id):
        return
    if _mode(call.feed_groups, feed_id) not in GLOBAL_READ:
        raise not_allowed()


def check_own(call: Call, feed_id: str) -> None:
    """A user token writes to ``feed_id`` directly (add, delete, follow, unfollow, follower
    lists, ``to`` updates): only its own feeds."""
    if call.user_id is not None and not _owns(call, feed_id):
        raise not_allowed()


def check_targets(call: Call, feed_ids: Iterable[str]) -> None:
    """A user token names ``feed_ids`` as ``to`` or ``target_feeds`` targets: own feeds, or
    feeds of global-write groups."""
    if call.user_id is None:
        return
    for feed_id in feed_ids:
        if not _owns(call, feed_id) and _mode(call.feed_groups, feed_id) not in GLOBAL_WRITE:
            raise not_allowed()


def check_actor(call: Call, actor: object) -> None:
    """A user token writes an activity whose ``actor`` is ``actor``: only ``SU:<self>``."""
    if call.user_id is not None and actor != f"SU:{call.user_id}":
        raise not_allowed()


def check_activity(call: Call, data: Mapping[str, Any]) -> None:
    """The ``actor`` and ``to`` targets of one validated activity (``data``) a user token
    adds."""
    check_actor(call, data.get("actor"))
    check_targets(call, data.get("to") or [])


def check_user(call: Call, user_id: str) -> None:
    """A user token creates, updates or deletes the user ``user_id`` (``user/``): only
    itself."""
    if call.user_id is not None and user_id != call.user_id:
        raise not_allowed()
