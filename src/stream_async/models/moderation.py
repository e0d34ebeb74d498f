"""Audit logs and moderation flags."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from stream_async._serialization import StreamTime
from stream_async.models._base import StreamModel, StreamResponse


class AuditLog(StreamModel):
    """One audit-log entry: ``action`` (``create``, ``update``, ``delete``, ...) done to the
    entity ``entity_type`` (``activity``, ``reaction``, ``user``, ``feed``) ``entity_id``,
    by or for ``user_id``."""

    entity_type: str
    entity_id: str
    action: str
    user_id: str = ""
    custom: dict[str, Any] = Field(default_factory=dict)
    created_at: StreamTime


class AuditLogPage(StreamResponse):
    """One page of audit-log entries, newest first: pass ``next`` (or ``prev``) back to
    read the following (or previous) page; each is empty when there is none."""

    audit_logs: list[AuditLog]
    next: str = ""
    prev: str = ""

    @property
    def has_next(self) -> bool:
        return bool(self.next)


class FlagResponse(StreamResponse):
    """What flagging returns besides ``duration``: the flag's ``flag_id``, the user behind
    the flagged entity (``target_user_id``), ``created_at``, the ``reason`` and who flagged
    (``flagged_by``); each may be missing, as the API documents only ``duration``."""

    flag_id: str | None = None
    target_user_id: str | None = None
    created_at: StreamTime | None = None
    reason: str | None = None
    flagged_by: str | None = None
