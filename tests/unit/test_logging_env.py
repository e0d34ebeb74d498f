"""``STREAM_ASYNC_LOG``: the standard level names, in any case; anything else said once."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import Iterator

import pytest

from stream_async import _logging


@pytest.fixture
def restore_logger() -> Iterator[logging.Logger]:
    logger = logging.getLogger("stream_async")
    handlers, level = list(logger.handlers), logger.level
    reported = set(_logging._reported)
    yield logger
    logger.handlers[:] = handlers
    logger.setLevel(level)
    _logging._reported.clear()
    _logging._reported.update(reported)


@pytest.mark.parametrize(
    ("value", "level"),
    [
        ("debug", logging.DEBUG),
        ("DEBUG", logging.DEBUG),
        ("Info", logging.INFO),
        ("warning", logging.WARNING),
        (" error ", logging.ERROR),
        ("CRITICAL", logging.CRITICAL),
    ],
)
def test_level_names_set_the_level_and_attach_one_stderr_handler(
    restore_logger: logging.Logger, value: str, level: int
) -> None:
    before = len(restore_logger.handlers)
    assert _logging.configure_logging({"STREAM_ASYNC_LOG": value}) == level
    assert _logging.configure_logging({"STREAM_ASYNC_LOG": value}) == level
    added = restore_logger.handlers[before:]
    assert len(added) == 1
    [handler] = added
    assert isinstance(handler, logging.StreamHandler)
    assert handler.stream is sys.stderr
    assert restore_logger.level == level


def test_unset_or_empty_changes_nothing(
    restore_logger: logging.Logger, capsys: pytest.CaptureFixture[str]
) -> None:
    handlers, level = list(restore_logger.handlers), restore_logger.level
    assert _logging.configure_logging({}) is None
    assert _logging.configure_logging({"STREAM_ASYNC_LOG": "  "}) is None
    assert (restore_logger.handlers, restore_logger.level) == (handlers, level)
    assert capsys.readouterr().err == ""


def test_an_unknown_value_is_said_once(
    restore_logger: logging.Logger, capsys: pytest.CaptureFixture[str]
) -> None:
    handlers, level = list(restore_logger.handlers), restore_logger.level
    assert _logging.configure_logging({"STREAM_ASYNC_LOG": "verbose"}) is None
    assert _logging.configure_logging({"STREAM_ASYNC_LOG": "verbose"}) is None
    assert capsys.readouterr().err == (
        "stream_async: ignoring STREAM_ASYNC_LOG='verbose': expected one of debug, info, "
        "warning, error, critical (any case)\n"
    )
    assert (restore_logger.handlers, restore_logger.level) == (handlers, level)


@pytest.mark.parametrize(
    ("value", "err"),
    [
        ("info", ""),  # the call lines are DEBUG: nothing at INFO, and nothing to say
        (
            "yes",
            "stream_async: ignoring STREAM_ASYNC_LOG='yes': expected one of debug, info, "
            "warning, error, critical (any case)\n",
        ),
    ],
)
def test_importing_the_sdk_reads_the_variable(value: str, err: str) -> None:
    code = (
        "import logging\nfrom stream_async import AsyncStreamClient\n"
        "print(logging.getLevelName(logging.getLogger('stream_async').level))\n"
    )
    env = {**os.environ, "STREAM_ASYNC_LOG": value}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == err
    assert done.stdout == ("INFO\n" if value == "info" else "NOTSET\n")
