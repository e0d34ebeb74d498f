"""Collection endpoints: per object (add, get, update, delete) and batch (upsert, select,
delete many), §3.6 of the API semantics.

Upserted objects keep the whole item as their ``data`` (``id``, ``user_id`` and a nested
``data`` included), as the live API shows them on select.

Documented choices where the live behaviour is not published: collection names and object
ids are word characters and hyphens, at most 255 of them; ``data`` must be a non-empty
object (add, update); an update whose body names another ``id`` is a 400; the batch
endpoints take server tokens only (the reference marks them server-side); select and
delete_many take at most 1,000 ids and ignore those not found; every upserted item needs
an ``id``, unique within its collection; an upsert keeps the ``created_at`` of the objects it
replaces; with a user token, updating or deleting an object another user added is a 403, after the
404 of a missing object and the 400 of a bad body.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from stream_async.emulator.errors import conflict, does_not_exist, field_errors, input_error
from stream_async.emulator.handlers.call import Call, Reply, check_size, parse_reference
from stream_async.emulator.store import Store
from stream_async.emulator.store.records import CollectionObject

MAX_IDS = 1000
_NAME = re.compile(r"[\w-]+")


def _name(value: object, field: str) -> str:
    text = parse_reference(value, field)
    if not _NAME.fullmatch(text):
        raise field_errors({field: ["Must contain only letters, digits, '_' and '-'."]})
    return text


def _object_data(value: object) -> dict[str, Any]:
    if not isinstance(value, dict) or not value:
        raise field_errors({"data": ["Must be a non-empty object."]})
    return value


def _find(store: Store, call: Call) -> CollectionObject:
    name, object_id = call.path_params["collection"], call.path_params["object_id"]
    found = store.collection_object(name, object_id)
    if found is None:
        raise does_not_exist(f"collection object {name}:{object_id} does not exist")
    return found


def add_object(store: Store, call: Call) -> Reply:
    """POST collections/{name}/: ``{"id"?, "data", "user_id"?}``; 409 if the id is taken,
    a UUID when none is given."""
    name = _name(call.path_params["collection"], "collection_name")
    body = call.json_object()
    raw_id = body.get("id")
    object_id = str(uuid.uuid4()) if raw_id is None else _name(raw_id, "id")
    data = _object_data(body.get("data"))
    owner = call.user_id if body.get("user_id") is None else call.acting_user(body["user_id"])
    if store.collection_object(name, object_id) is not None:
        raise conflict(f"collection object {name}:{object_id} already exists")
    now = store.now()
    added = CollectionObject(name, object_id, data, now, now, owner)
    store.save_object(added)
    return 201, added.render()


def get_object(store: Store, call: Call) -> Reply:
    """GET collections/{name}/{id}/."""
    return 200, _find(store, call).render()


def update_object(store: Store, call: Call) -> Reply:
    """PUT collections/{name}/{id}/: replace ``data``; ``updated_at`` changes."""
    found = _find(store, call)
    body = call.json_object()
    if body.get("id") not in (None, found.id):
        raise input_error("the id of a collection object cannot be changed")
    data = _object_data(body.get("data"))
    call.check_owner(found.user_id)
    found.data = data
    found.updated_at = store.now()
    store.save_object(found)
    return 201, found.render()


def delete_object(store: Store, call: Call) -> Reply:
    """DELETE collections/{name}/{id}/."""
    found = _find(store, call)
    call.check_owner(found.user_id)
    store.delete_object(found.collection, found.id)
    return 200, {}


def upsert(store: Store, call: Call) -> Reply:
    """POST collections/: ``{"data": {"<name>": [{"id", ...}, ...]}}``; answers the ``data``
    as sent."""
    body = call.json_object()
    data = body.get("data")
    if not isinstance(data, dict) or not data:
        raise field_errors({"data": ["Must map collection names to lists of objects."]})
    items: list[tuple[str, str, dict[str, Any]]] = []
    for name, objects in data.items():
        _name(name, "collection_name")
        if not isinstance(objects, list):
            raise field_errors({name: ["Must be a list of objects."]})
        check_size(objects, name, MAX_IDS)
        seen: set[str] = set()
        for item in objects:
            if not isinstance(item, dict):
                raise field_errors({name: ["Must be a list of objects."]})
            object_id = _name(item.get("id"), "id")
            if object_id in seen:
                raise input_error(f"the id {object_id!r} appears twice in collection {name!r}")
            seen.add(object_id)
            items.append((name, object_id, item))
    now = store.now()
    for name, object_id, item in items:
        existing = store.collection_object(name, object_id)
        owner = item.get("user_id") if isinstance(item.get("user_id"), str) else None
        created = now if existing is None else existing.created_at
        store.save_object(CollectionObject(name, object_id, item, created, now, owner))
    return 201, {"data": data}


def select(store: Store, call: Call) -> Reply:
    """GET collections/?foreign_ids=<name>:<id>,...: the objects found, in the order asked."""
    references = call.values("foreign_ids")
    if not references:
        raise input_error("foreign_ids is required")
    check_size(references, "foreign_ids", MAX_IDS)
    found = []
    for reference in references:
        name, colon, object_id = reference.partition(":")
        if not colon:
            raise input_error(f"foreign id {reference!r} is not of the form <collection>:<id>")
        stored = store.collection_object(name, object_id)
        if stored is not None:
            found.append(stored.render())
    return 200, {"response": {"data": found}}


def delete_many(store: Store, call: Call) -> Reply:
    """DELETE collections/?collection_name=<name>&ids=a,b (repeated ``ids`` work too)."""
    name = _name(call.text("collection_name"), "collection_name")
    ids = call.values("ids")
    if not ids:
        raise input_error("ids is required")
    check_size(ids, "ids", MAX_IDS)
    for object_id in ids:
        store.delete_object(name, object_id)
    return 200, {}
