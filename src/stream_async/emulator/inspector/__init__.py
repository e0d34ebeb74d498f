"""The inspector: what an app wrote to the emulator, in the browser, at ``/inspector/``.

Pages (:mod:`.pages`) render view models that :mod:`.queries` reads from the store; nothing
here writes to it. :class:`~.log.RequestRecorder` keeps the last requests for the log page;
:mod:`.access` decides who may look (open on loopback, HTTP Basic elsewhere).
"""

from stream_async.emulator.inspector.log import RequestLog, RequestRecorder
from stream_async.emulator.inspector.pages import routes

__all__ = ["RequestLog", "RequestRecorder", "routes"]
