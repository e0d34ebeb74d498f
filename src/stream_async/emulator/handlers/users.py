"""User endpoints: add, get, update, delete (§3.5 of the API semantics).

With a user token a user adds, updates and deletes only itself (403 code 17 otherwise,
after the 404 of a missing user) but reads anyone, as the live API answers.

Documented choices where the live behaviour is not published: user ids are non-empty
strings of at most 255 characters; ``get_or_create`` of an existing user answers 201, like
an add; deleting a user leaves its reactions and collection objects alone.
"""

from __future__ import annotations

from stream_async.emulator.errors import conflict, does_not_exist
from stream_async.emulator.handlers import policies
from stream_async.emulator.handlers.call import Call, Reply, parse_data
from stream_async.emulator.store import Store
from stream_async.emulator.store.records import User


def _find(store: Store, call: Call) -> User:
    user_id = call.path_params["user_id"]
    user = store.user(user_id)
    if user is None:
        raise does_not_exist(f"user {user_id!r} does not exist")
    return user


def add_user(store: Store, call: Call) -> Reply:
    """POST user/: ``{"id", "data"}``; 409 code 22 if the id is taken, unless
    ``get_or_create`` is true, which answers the stored user unchanged."""
    body = call.json_object()
    user_id = policies.own_user(call, body.get("id"))
    data = parse_data(body.get("data"))
    existing = store.user(user_id)
    if existing is not None:
        if call.flag("get_or_create"):
            return 201, existing.render()
        raise conflict(f"user {user_id!r} already exists")
    now = store.now()
    user = User(user_id, data, now, now)
    store.save_user(user)
    return 201, user.render()


def get_user(store: Store, call: Call) -> Reply:
    """GET user/{id}/; ``with_follow_counts`` adds ``followers_count`` (``timeline`` feeds
    following ``user:<id>``) and ``following_count`` (``user`` feeds ``timeline:<id>``
    follows)."""
    user = _find(store, call)
    body = user.render()
    if call.flag("with_follow_counts"):
        followers = store.follows(f"user:{user.id}", followers=True)
        following = store.follows(f"timeline:{user.id}", followers=False)
        body["followers_count"] = sum(feed.startswith("timeline:") for feed, _ in followers)
        body["following_count"] = sum(feed.startswith("user:") for feed, _ in following)
    return 200, body


def update_user(store: Store, call: Call) -> Reply:
    """PUT user/{id}/: replace ``data``; ``updated_at`` changes."""
    user = _find(store, call)
    policies.own_user(call, user.id)
    body = call.json_object()
    user.data = parse_data(body.get("data"))
    user.updated_at = store.now()
    store.save_user(user)
    return 201, user.render()


def delete_user(store: Store, call: Call) -> Reply:
    """DELETE user/{id}/."""
    user = _find(store, call)
    policies.own_user(call, user.id)
    store.delete_user(user.id)
    return 200, {}
