"""The handlers: one module per API area, each a set of plain functions
``(store, call) -> (status, body)`` over :class:`~stream_async.emulator.store.Store`, with no
HTTP types. :mod:`.call` is what they see of a request, :mod:`.payloads` validates activity
bodies, :mod:`.enrichment` and :mod:`.references` render what activities refer to.

Every handler validates its whole input before its first write, and checks what depends on
stored state (existence, ownership) itself.
"""
