"""``python -m stream_async.cli``: the same as the ``stream-async`` command."""

import sys

from stream_async.cli import main

sys.exit(main())
