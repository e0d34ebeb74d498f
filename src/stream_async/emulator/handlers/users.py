"""User endpoints: add, get, update, delete (§3.5 of the API semantics).

With a user token a user adds, updates and deletes only itself (403 code 17 otherwise)
but reads anyone, as the live API answers. The 403 comes after the 404 of a missing user,
the 400 of a bad body, and the 409 of an add whose id is taken (without ``get_or_create``):
an add with a user token may leave ``id`` out (the token's user).

Documented choices where the live behaviour is not published: user ids are non-empty
strings of at most 255 characters; ``get_or_create`` of an existing user answers 201, like
an add; deleting a user leaves its reactions and collection objects alone. The
batch calls on ``users/`` take server tokens only and at most 100 users per request.
"""

from __future__ import annotations

from typing import Any

from stream_async.emulator.errors import conflict, does_not_exist, field_errors, input_error
from stream_async.emulator.handlers import policies
from stream_async.emulator.handlers.call import (
    Call,
    Reply,
    check_size,
    parse_bool,
    parse_data,
    parse_reference,
)
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
    raw_id = body.get("id")
    if raw_id is None and call.user_id is not None:
        user_id = call.user_id
    else:
        user_id = parse_reference(raw_id, "id")
    data = parse_data(body.get("data"))
    get_or_create = call.flag("get_or_create")
    existing = store.user(user_id)
    if existing is not None and not get_or_create:
        raise conflict(f"user {user_id!r} already exists")
    policies.check_user(call, user_id)
    if existing is not None:
        return 201, existing.render()
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
    body = call.json_object()
    data = parse_data(body.get("data"))
    policies.check_user(call, user.id)
    user.data = data
    user.updated_at = store.now()
    store.save_user(user)
    return 201, user.render()


def delete_user(store: Store, call: Call) -> Reply:
    """DELETE user/{id}/."""
    user = _find(store, call)
    policies.check_user(call, user.id)
    store.delete_user(user.id)
    return 200, {}


MAX_BATCH = 100
"""Users per batch request (``users/``): a documented choice, the live limit is not
published."""


def _batch_ids(call: Call) -> list[str]:
    ids = list(dict.fromkeys(call.values("ids")))
    if not ids:
        raise input_error("ids is required")
    check_size(ids, "ids", MAX_BATCH)
    return ids


def add_users(store: Store, call: Call) -> Reply:
    """POST users/: ``{"users": [{"id", "data"}...], "override": bool}`` (server tokens).

    New users are created; existing ones are replaced (``data``, ``updated_at``) with
    ``override`` true and left untouched otherwise. ``created_users`` lists the users
    created or replaced, in the order sent. At most 100 users; an id repeated in one
    request is a 400.
    """
    body = call.json_object()
    raw = body.get("users")
    if not isinstance(raw, list):
        raise field_errors({"users": ["Must be a list of users."]})
    check_size(raw, "users", MAX_BATCH)
    override = parse_bool(body.get("override", False), "override")
    parsed: dict[str, dict[str, Any]] = {}
    for index, item in enumerate(raw):
        if not isinstance(item, dict):
            raise field_errors({f"users[{index}]": ["Must be an object."]})
        user_id = parse_reference(item.get("id"), f"users[{index}].id")
        if user_id in parsed:
            raise input_error(f"users[{index}].id repeats the id {user_id!r}")
        parsed[user_id] = parse_data(item.get("data"), f"users[{index}].data")
    created: list[dict[str, Any]] = []
    for user_id, data in parsed.items():
        existing = store.user(user_id)
        now = store.now()
        if existing is None:
            user = User(user_id, data, now, now)
        elif override:
            user = User(user_id, data, existing.created_at, now)
        else:
            continue
        store.save_user(user)
        created.append(user.render())
    return 201, {"created_users": created}


def get_users(store: Store, call: Call) -> Reply:
    """GET users/?ids=a,b: the users found, in the order asked (missing ids left out)."""
    found = (store.user(user_id) for user_id in _batch_ids(call))
    return 200, {"users": [user.render() for user in found if user is not None]}


def delete_users(store: Store, call: Call) -> Reply:
    """DELETE users/?ids=a,b: delete the users (missing ids are no error); answers
    ``{}`` (the live body is not published)."""
    for user_id in _batch_ids(call):
        store.delete_user(user_id)
    return 200, {}
