"""The ``STREAM_ASYNC_LOG`` switch: a stderr handler on the ``stream_async`` logger, chosen
from the environment when the SDK is first imported.

The value is a standard level name (``debug``, ``info``, ``warning``, ``error`` or
``critical``, in any case): the ``stream_async`` logger is set to that level and gets one
stderr handler. The per-call lines are logged at DEBUG, so ``debug`` is the value that
shows them. Any other non-empty value changes nothing and is reported once on stderr,
naming the accepted values, since a mistyped switch that does nothing silently is worse than
one line saying so.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Mapping

LOG_ENV = "STREAM_ASYNC_LOG"
"""Set to a level name (``debug`` logs every call of every client) to log to stderr."""

LEVELS = {
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "warning": logging.WARNING,
    "error": logging.ERROR,
    "critical": logging.CRITICAL,
}

logger = logging.getLogger("stream_async")

_reported: set[str] = set()
"""The values not understood that were already reported (each is said once)."""


class _EnvHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The stderr handler that ``STREAM_ASYNC_LOG`` attaches (at most one)."""


def configure_logging(environ: Mapping[str, str] | None = None) -> int | None:
    """Read ``STREAM_ASYNC_LOG`` (in ``environ``, default ``os.environ``): for a level name,
    attach a stderr handler to the ``stream_async`` logger (once) and set the logger to that
    level. Returns the level set, or ``None`` when the variable is unset, empty or not a
    level name (then one line on stderr says so, once per value)."""
    value = (os.environ if environ is None else environ).get(LOG_ENV, "").strip()
    if not value:
        return None
    level = LEVELS.get(value.lower())
    if level is None:
        if value not in _reported:
            _reported.add(value)
            sys.stderr.write(
                f"stream_async: ignoring {LOG_ENV}={value!r}: expected one of "
                f"{', '.join(LEVELS)} (any case)\n"
            )
        return None
    if not any(isinstance(handler, _EnvHandler) for handler in logger.handlers):
        handler = _EnvHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
        logger.addHandler(handler)
    logger.setLevel(level)
    return level
