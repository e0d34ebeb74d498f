"""Command line: serve the emulator with uvicorn.

    python -m stream_async.emulator [--host 127.0.0.1] [--port 8000] [--api-key KEY]
        [--api-secret SECRET] [--app-id ID] [--feed-group NAME:KIND[:MODE] ...]
        [--data-dir DIR]
        [--max-json-bytes N] [--max-upload-bytes N] [--max-image-pixels N]
        [--rate-limit N] [--enforce-rate-limit] [--og-pages DIR] [--og-fetch]

The secret may also come from ``STREAM_EMULATOR_API_SECRET``. The port is bound before
anything is printed; then the banner's first line (flushed) names the URL to pass as a
client's ``base_url``, and the next lines are the ``STREAM_*`` variables that
``AsyncStreamClient.from_env()`` reads (the secret only when it is the public default),
then the app id, the feed groups and the data directory. A port that cannot be bound is
one line on stderr, naming the port and what to do, and exit status 1. ``--port 0`` takes
a free port and prints it. Without ``--data-dir`` the state lives in memory only.
"""

from __future__ import annotations

import argparse
import errno
import os
import socket
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import uvicorn

from stream_async.emulator.config import (
    DEFAULT_API_KEY,
    DEFAULT_API_SECRET,
    DEFAULT_FEED_MODES,
    DEFAULT_MAX_IMAGE_PIXELS,
    DEFAULT_MAX_JSON_BYTES,
    DEFAULT_MAX_UPLOAD_BYTES,
    DEFAULT_RATE_LIMIT,
    EmulatorConfig,
    FeedGroupConfig,
    default_feed_groups,
    feed_mode,
    parse_feed_group,
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
    try:
        return parse_feed_group(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _positive(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError("expected a whole number of at least 1")
    return int(value)


PROG = "stream-async-emulator"


def build_parser(prog: str = PROG) -> argparse.ArgumentParser:
    """The argument parser of ``python -m stream_async.emulator``; ``prog`` is the command
    named in its usage line (``stream-async emulator`` from the ``stream-async`` command)."""
    groups = ", ".join(f"{name} ({group.kind})" for name, group in default_feed_groups().items())
    modes = ", ".join(f"{name} {mode}" for name, mode in DEFAULT_FEED_MODES.items())
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Serve a local emulator of Stream's activity-feeds REST API v1.0.",
        epilog=f"Default feed groups: {groups}. Default modes: {modes}, any other group private.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (127.0.0.1)")
    parser.add_argument(
        "--port", type=int, default=8000, help="port to listen on (8000; 0 takes a free one)"
    )
    parser.add_argument(
        "--api-key", default=DEFAULT_API_KEY, help=f"API key clients must send ({DEFAULT_API_KEY})"
    )
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
        metavar="NAME:KIND[:MODE]",
        help="add or override a feed group (defaults below); KIND is flat, aggregated or "
        "notification; MODE (what user tokens may do with other users' feeds of the group) "
        "is private, read, write (as to/target_feeds targets) or read-write",
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


def parse_options(
    argv: Sequence[str] | None, environ: Mapping[str, str] = os.environ, *, prog: str = PROG
) -> Options:
    """Parse the command line (argparse exits with status 2 on bad arguments)."""
    parser = build_parser(prog)
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
        host=args.host,
    )
    return Options(host=args.host, port=args.port, config=config)


def base_url(options: Options) -> str:
    """The URL a client takes as ``base_url`` (the SDK appends ``api/v1.0/`` itself)."""
    host = f"[{options.host}]" if ":" in options.host else options.host
    return f"http://{host}:{options.port}"


def banner(options: Options) -> str:
    """What the server prints once it listens (never a secret that was passed in): the
    ``base_url`` first, then the environment that ``from_env()`` reads."""
    config = options.config
    url = base_url(options)
    lines = [
        f"Stream emulator listening on {url} (pass it as base_url)",
        f"  inspector:   {url}/inspector/",
        f"export STREAM_BASE_URL={url}",
        f"export STREAM_API_KEY={config.api_key}",
    ]
    if config.api_secret == DEFAULT_API_SECRET:
        lines.append(f"export STREAM_API_SECRET={config.api_secret}  # public default, tests only")
    else:
        lines.append("# STREAM_API_SECRET: the secret the emulator was given (not shown)")
    lines.append(f"  app_id:      {config.app_id}")
    groups = ", ".join(
        f"{name} ({group.kind}, {feed_mode(name, group)})"
        for name, group in config.feed_groups.items()
    )
    lines.append(f"  feed groups: {groups}")
    lines.append(f"  data dir:    {config.data_dir or '(memory only)'}")
    return "\n".join(lines)


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host``:``port``; raises :class:`OSError`."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    return socket.create_server((host, port), family=family)


def _cannot_bind(options: Options, error: OSError) -> str:
    where = f"{options.host}:{options.port}"
    if error.errno == errno.EADDRINUSE:
        return (
            f"error: port {options.port} is already in use on {options.host}; stop what "
            f"listens there or choose another port with --port (e.g. --port 0 for a free one)"
        )
    return f"error: cannot listen on {where}: {error.strerror or error}; check --host and --port"


def main(argv: list[str] | None = None, *, prog: str = PROG) -> int:
    """Bind, print the banner, then serve until interrupted; returns the exit status."""
    options = parse_options(argv, prog=prog)
    try:
        app = create_app(options.config)
    except StorageError as error:
        print(f"{prog}: {error}", file=sys.stderr, flush=True)
        return 1
    try:
        listener = bind(options.host, options.port)
    except OSError as error:
        print(_cannot_bind(options, error), file=sys.stderr, flush=True)
        return 1
    with listener:
        options = replace(options, port=listener.getsockname()[1])
        print(banner(options), flush=True)
        server = uvicorn.Server(uvicorn.Config(app))
        server.run(sockets=[listener])
    return 0 if server.started else 1


if __name__ == "__main__":
    sys.exit(main())
