"""Command line: serve the emulator with uvicorn.

    python -m stream_async.emulator [--host 127.0.0.1] [--port 8000] [--api-key KEY]
        [--api-secret SECRET] [--app-id ID] [--feed-group NAME:KIND ...] [--data-dir DIR]
        [--max-json-bytes N] [--max-upload-bytes N] [--max-image-pixels N]
        [--rate-limit N] [--enforce-rate-limit] [--og-pages DIR] [--og-fetch]

The secret may also come from ``STREAM_EMULATOR_API_SECRET``. The banner prints the base URL,
the API key, the feed groups and the data directory; it prints the secret only when it is
the public default. Without ``--data-dir`` the state lives in memory only.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import uvicorn

from stream_async.emulator.config import (
    DEFAULT_API_KEY,
    DEFAULT_API_SECRET,
    DEFAULT_MAX_IMAGE_PIXELS,
    DEFAULT_MAX_JSON_BYTES,
    DEFAULT_MAX_UPLOAD_BYTES,
    DEFAULT_RATE_LIMIT,
    FEED_KINDS,
    EmulatorConfig,
    FeedGroupConfig,
    default_feed_groups,
)
from stream_async.emulator.handlers.open_graph import load_pages
from stream_async.emulator.http.app import create_app
from stream_async.emulator.store import StorageError

SECRET_ENV = "STREAM_EMULATOR_API_SECRET"


@dataclass(frozen=True)
class Options:
    """What the command line asks for: where to listen, and the app to emulate."""

    host: str
    port: int
    config: EmulatorConfig


def _feed_group(value: str) -> tuple[str, FeedGroupConfig]:
    name, _, kind = value.partition(":")
    if not name or kind not in FEED_KINDS:
        kinds = "|".join(FEED_KINDS)
        raise argparse.ArgumentTypeError(f"expected NAME:KIND with KIND one of {kinds}")
    return name, FeedGroupConfig(kind)


def _positive(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError("expected a whole number of at least 1")
    return int(value)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``python -m stream_async.emulator``."""
    parser = argparse.ArgumentParser(
        prog="stream-async-emulator",
        description="Serve a local emulator of Stream's activity-feeds REST API v1.0.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on (8000)")
    parser.add_argument("--api-key", default=DEFAULT_API_KEY, help="API key clients must send")
    parser.add_argument(
        "--api-secret",
        default=None,
        help=f"secret that signs tokens (default: ${SECRET_ENV}, else a public test secret)",
    )
    parser.add_argument("--app-id", default="1", help="app id (1)")
    parser.add_argument(
        "--feed-group",
        action="append",
        default=[],
        type=_feed_group,
        metavar="NAME:KIND",
        help="add or override a feed group; KIND is flat, aggregated or notification",
    )
    parser.add_argument(
        "--data-dir",
        default=None,
        metavar="DIR",
        help="keep the state and uploaded files in DIR across restarts (default: memory only)",
    )
    limits = parser.add_argument_group("limits")
    limits.add_argument(
        "--max-json-bytes",
        type=_positive,
        default=DEFAULT_MAX_JSON_BYTES,
        metavar="N",
        help=f"largest JSON request body; larger ones get 413 ({DEFAULT_MAX_JSON_BYTES}, 5 MiB)",
    )
    limits.add_argument(
        "--max-upload-bytes",
        type=_positive,
        default=DEFAULT_MAX_UPLOAD_BYTES,
        metavar="N",
        help=f"largest file/image upload body ({DEFAULT_MAX_UPLOAD_BYTES}, 100 MiB)",
    )
    limits.add_argument(
        "--max-image-pixels",
        type=_positive,
        default=DEFAULT_MAX_IMAGE_PIXELS,
        metavar="N",
        help=f"most pixels an uploaded image may have ({DEFAULT_MAX_IMAGE_PIXELS})",
    )
    limits.add_argument(
        "--rate-limit",
        type=_positive,
        default=DEFAULT_RATE_LIMIT,
        metavar="N",
        help=f"requests per minute reported in x-ratelimit-* headers ({DEFAULT_RATE_LIMIT})",
    )
    limits.add_argument(
        "--enforce-rate-limit",
        action="store_true",
        help="answer 429 with Retry-After past the rate limit (default: only report it)",
    )
    og = parser.add_argument_group("Open Graph (og/)")
    og.add_argument(
        "--og-pages",
        default=None,
        metavar="DIR",
        help="scrape URLs from the *.html files in DIR, each standing for its og:url",
    )
    og.add_argument(
        "--og-fetch",
        action="store_true",
        help="fetch other URLs from public addresses (default: made-up data, no network)",
    )
    return parser


def parse_options(argv: Sequence[str] | None, environ: Mapping[str, str] = os.environ) -> Options:
    """Parse the command line (argparse exits with status 2 on bad arguments)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    pages: dict[str, str] = {}
    if args.og_pages is not None:
        try:
            pages = load_pages(args.og_pages)
        except (OSError, ValueError) as exc:
            parser.error(f"--og-pages: {exc}")
    groups = dict(default_feed_groups())
    groups.update(args.feed_group)
    config = EmulatorConfig(
        api_key=args.api_key,
        api_secret=args.api_secret or environ.get(SECRET_ENV) or DEFAULT_API_SECRET,
        app_id=args.app_id,
        feed_groups=groups,
        data_dir=args.data_dir,
        max_json_bytes=args.max_json_bytes,
        max_upload_bytes=args.max_upload_bytes,
        max_image_pixels=args.max_image_pixels,
        rate_limit=args.rate_limit,
        enforce_rate_limit=args.enforce_rate_limit,
        og_pages=pages,
        og_fetch=args.og_fetch,
    )
    return Options(host=args.host, port=args.port, config=config)


def banner(options: Options) -> str:
    """What the server prints at start (never a secret that was passed in)."""
    config = options.config
    lines = [
        f"Stream emulator listening on http://{options.host}:{options.port}/api/v1.0/",
        f"  api_key:    {config.api_key}",
    ]
    if config.api_secret == DEFAULT_API_SECRET:
        lines.append(f"  api_secret: {config.api_secret}  (public default, for tests only)")
    lines.append(f"  app_id:     {config.app_id}")
    groups = ", ".join(f"{name} ({group.kind})" for name, group in config.feed_groups.items())
    lines.append(f"  feed groups: {groups}")
    lines.append(f"  data dir:   {config.data_dir or '(memory only)'}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the emulator until interrupted; returns the process exit status."""
    options = parse_options(argv)
    print(banner(options), flush=True)
    try:
        app = create_app(options.config)
    except StorageError as error:
        print(f"stream-async-emulator: {error}", file=sys.stderr)
        return 1
    uvicorn.run(app, host=options.host, port=options.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
