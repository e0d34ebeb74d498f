"""The ``stream-async`` command line (needs the ``cli`` extra: click and rich).

- ``stream-async emulator [OPTIONS]``: serve the local emulator (its own options);
- ``stream-async token --user-id ID [--claim KEY=VALUE ...]``: a user token;
  ``stream-async token --resource R --action A [--feed-id F]``: a server token for one scope
  (the secret comes from ``STREAM_API_SECRET``, or ``--secret-stdin``);
- ``stream-async import FILE.jsonl``: bulk-load activities, follows and collection objects
  through the batch endpoints, resumable from a checkpoint.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

CLI_EXTRA_HINT = "pip install 'stream-async[cli]'"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    try:
        from stream_async.cli._app import app
    except ImportError as error:
        print(
            f"stream-async: the command line needs the cli extra ({error}); run: {CLI_EXTRA_HINT}",
            file=sys.stderr,
        )
        return 1
    code: object = 0
    try:  # click's standalone mode ends with SystemExit, even on success
        app.main(args=list(sys.argv[1:] if argv is None else argv), prog_name="stream-async")
    except SystemExit as done:
        code = done.code
    return code if isinstance(code, int) else int(code is not None)
