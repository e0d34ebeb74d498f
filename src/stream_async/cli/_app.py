"""The click application behind ``stream-async``; see :mod:`stream_async.cli`."""

from __future__ import annotations

import json
import os
import sys
import tempfile
import warnings
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager, ExitStack
from pathlib import Path
from typing import Any

import anyio
import click
from jwt.warnings import InsecureKeyLengthWarning
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from stream_async._auth import Signer
from stream_async._client import AsyncStreamClient
from stream_async._version import __version__
from stream_async.cli.importer import (
    Checkpoint,
    CheckpointMismatch,
    Importer,
    ImportReport,
    count_records,
)
from stream_async.errors import StreamConfigurationError

EMULATOR_EXTRA_HINT = "pip install 'stream-async[emulator]'"
SECRET_ENV = "STREAM_API_SECRET"

ClientFactory = Callable[..., AbstractAsyncContextManager[AsyncStreamClient]]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="stream-async")
def app() -> None:
    """Tools for Stream's activity feeds: a local emulator, tokens, bulk import."""


@app.command(
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
    add_help_option=False,
    short_help="Serve the local emulator.",
)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def emulator(args: tuple[str, ...]) -> None:
    """Serve the local emulator of Stream's API (see: stream-async emulator --help)."""
    try:
        from stream_async.emulator.__main__ import main as serve
    except ImportError as error:
        raise click.ClickException(
            f"the emulator is not installed ({error}); run: {EMULATOR_EXTRA_HINT}"
        ) from None
    sys.exit(serve(list(args), prog="stream-async emulator"))


def _claims(values: tuple[str, ...]) -> dict[str, Any]:
    claims: dict[str, Any] = {}
    for value in values:
        key, sep, text = value.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"expected KEY=VALUE, got {value!r}", param_hint="--claim")
        try:
            claims[key] = json.loads(text)
        except json.JSONDecodeError:
            claims[key] = text
    return claims


def _secret(from_stdin: bool) -> str:
    if from_stdin:
        secret = sys.stdin.readline().strip()
        if not secret:
            raise click.UsageError("--secret-stdin read no secret from standard input")
        return secret
    secret = os.environ.get(SECRET_ENV, "")
    if not secret:
        raise click.UsageError(
            f"set {SECRET_ENV} to the API secret (or pipe it in with --secret-stdin)"
        )
    return secret


@app.command(short_help="Print a user token or a scoped server token.")
@click.option("--user-id", help="The user the token is for (a user token), or its user_id claim.")
@click.option("--resource", help="A server token's resource: feed, follower, reactions, users ...")
@click.option("--action", help="A server token's action: read, write, delete or *.")
@click.option("--feed-id", help="A server token's feed: user:1 (or user1), or *.")
@click.option(
    "--claim",
    "claims",
    multiple=True,
    metavar="KEY=VALUE",
    help="An extra claim (VALUE is parsed as JSON when it is JSON); repeatable.",
)
@click.option(
    "--secret-stdin",
    is_flag=True,
    help=f"Read the API secret from standard input instead of ${SECRET_ENV}.",
)
def token(
    user_id: str | None,
    resource: str | None,
    action: str | None,
    feed_id: str | None,
    claims: tuple[str, ...],
    secret_stdin: bool,
) -> None:
    """Print a token, to debug auth: a user token (--user-id), or a server token for one
    scope (--resource and --action). The secret comes from $STREAM_API_SECRET."""
    extra = _claims(claims)
    if resource is None and action is None:
        if user_id is None:
            raise click.UsageError("give --user-id, or --resource and --action")
        secret = _secret(secret_stdin)
        click.echo(_signed(secret, lambda signer: signer.user_token(user_id, **extra)))
        return
    if resource is None or action is None:
        raise click.UsageError("--resource and --action go together")
    feed = None if feed_id is None else feed_id.replace(":", "")
    secret = _secret(secret_stdin)
    click.echo(
        _signed(secret, lambda signer: signer.scope_token(resource, action, feed, user_id, **extra))
    )


def _signed(secret: str, sign: Callable[[Signer], str]) -> str:
    """``sign`` run with a signer of ``secret``; PyJWT's warning about a short secret
    becomes one line of this command's own (other warnings pass through unchanged)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", InsecureKeyLengthWarning)
        token = sign(Signer(secret))
    for warning in caught:
        if issubclass(warning.category, InsecureKeyLengthWarning):
            click.echo(
                f"warning: the secret is {len(secret.encode())} bytes long; HS256 wants at "
                "least 32, and a shorter one makes tokens easy to forge (Stream's secrets are "
                "longer: check that the whole secret was given)",
                err=True,
            )
        else:
            warnings.warn_explicit(
                warning.message, warning.category, warning.filename, warning.lineno
            )
    return token


def _client(
    ctx: click.Context, use_emulator: bool, concurrency: int
) -> AbstractAsyncContextManager[AsyncStreamClient]:
    if use_emulator:
        try:
            from stream_async.testing import emulated_client, emulator_missing
        except ImportError as error:  # pragma: no cover - testing ships with the package
            raise click.ClickException(str(error)) from None
        reason = emulator_missing()
        if reason is not None:
            raise click.ClickException(reason)
        return emulated_client(max_concurrency=concurrency)
    factory: ClientFactory | None = (ctx.obj or {}).get("client_factory")
    if factory is not None:
        return factory(max_concurrency=concurrency)
    try:
        return AsyncStreamClient.from_env(max_concurrency=concurrency)
    except StreamConfigurationError as error:
        raise click.ClickException(f"{error}; or use --emulator for a dry run") from None


def _count(number: int, singular: str, plural: str) -> str:
    """``1 activity``, ``2 activities``."""
    return f"{number} {singular if number == 1 else plural}"


def _print_report(report: ImportReport) -> None:
    for line, message in sorted(report.failed.items()):
        click.echo(f"line {line}: {message}", err=True)
    missing = report.without_identity
    if missing:
        shown = ", ".join(map(str, missing[:10])) + (", ..." if len(missing) > 10 else "")
        lines = "line" if len(missing) == 1 else "lines"
        has = "has" if len(missing) == 1 else "have"
        click.echo(
            f"warning: {_count(len(missing), 'activity', 'activities')} {has} no foreign_id "
            f"and time ({lines} {shown}): one sent just before an interruption could be added "
            "twice when the import is resumed; give each activity both to make re-sending it "
            "harmless",
            err=True,
        )
    sent = report.sent
    summary = (
        f"imported {_count(sent['activity'], 'activity', 'activities')}, "
        f"{_count(sent['follow'], 'follow', 'follows')}, "
        f"{_count(sent['collection'], 'collection object', 'collection objects')}"
    )
    if report.skipped:
        summary += f"; skipped {_count(report.skipped, 'line', 'lines')} done before"
    if report.failed:
        summary += f"; {_count(len(report.failed), 'line', 'lines')} failed"
    click.echo(summary)


@app.command("import", short_help="Bulk-load a JSON Lines file, resumably.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--checkpoint",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The checkpoint file (default: FILE.checkpoint; a temporary one with --emulator).",
)
@click.option("--restart", is_flag=True, help="Discard the checkpoint and import every line.")
@click.option(
    "--concurrency",
    type=click.IntRange(min=1),
    default=8,
    show_default=True,
    help="Requests in flight at most (the client's max_concurrency).",
)
@click.option(
    "--chunk-size",
    type=click.IntRange(min=1),
    default=None,
    help="Records per request (default and maximum: the API's limit for each kind).",
)
@click.option(
    "--require-identity",
    is_flag=True,
    help="Refuse activities without foreign_id and time instead of warning.",
)
@click.option(
    "--emulator",
    "use_emulator",
    is_flag=True,
    help="Dry run against an embedded in-process emulator instead of Stream.",
)
@click.pass_context
def import_(
    ctx: click.Context,
    file: Path,
    checkpoint: Path | None,
    restart: bool,
    concurrency: int,
    chunk_size: int | None,
    require_identity: bool,
    use_emulator: bool,
) -> None:
    """Bulk-load FILE (JSON Lines: activities, follows and collection objects) through the
    batch endpoints. Credentials come from the environment (STREAM_API_KEY and
    STREAM_API_SECRET, or STREAM_URL). Failed lines are reported by number and make the
    exit status 1; run the same command again to resume: lines done are skipped."""
    with ExitStack() as stack:
        if checkpoint is None:
            folder = file.parent
            if use_emulator:
                folder = Path(stack.enter_context(tempfile.TemporaryDirectory()))
            checkpoint = folder / f"{file.name}.checkpoint"
        if restart:
            checkpoint.unlink(missing_ok=True)
        progress = Checkpoint(checkpoint, file)
        try:  # checked before any progress bar or request
            done = progress.load()
        except CheckpointMismatch as error:
            raise click.ClickException(f"{error}; use --restart to import every line") from None
        client = _client(ctx, use_emulator, concurrency)
        report = anyio.run(_run_import, client, file, progress, done, chunk_size, require_identity)
    _print_report(report)
    if not report.ok:
        ctx.exit(1)


async def _run_import(
    client_context: AbstractAsyncContextManager[AsyncStreamClient],
    file: Path,
    checkpoint: Checkpoint,
    done: set[int],
    chunk_size: int | None,
    require_identity: bool,
) -> ImportReport:
    progress = Progress(
        TextColumn("importing {task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
    )
    with progress:
        task = progress.add_task(file.name, total=count_records(file))
        async with client_context as client:
            importer = Importer(
                client,
                checkpoint,
                chunk_size=chunk_size,
                require_identity=require_identity,
                advance=lambda n: progress.advance(task, n),
            )
            return await importer.run(file, done)
