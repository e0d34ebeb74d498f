"""The pytest plugin as users get it: registered through its entry point, run by pytester."""

from __future__ import annotations

import importlib.metadata
import socket
import subprocess
import sys
import textwrap

import pytest

pytest_plugins = ["pytester"]

INI = "[pytest]\nasyncio_default_fixture_loop_scope = function\n"

USER_TESTS = """
import pytest

from stream_async import AsyncStreamClient


@pytest.mark.asyncio
async def test_post(stream_client: AsyncStreamClient) -> None:
    feed = stream_client.feed("user", "alice")
    await feed.add_activity({"actor": "alice", "verb": "post", "object": "1"})
    assert len((await feed.get()).results) == 1


@pytest.mark.asyncio
async def test_each_test_gets_a_fresh_emulator(stream_client, stream_emulator) -> None:
    assert (await stream_client.feed("user", "alice").get()).results == []
    assert stream_emulator.config.api_key == stream_client.api_key
"""

SOCKET_TESTS = """
import pytest

from stream_async import AsyncStreamClient

URLS = []


@pytest.mark.asyncio
async def test_first(stream_socket_client, stream_emulator_server) -> None:
    URLS.append(stream_emulator_server.base_url)
    async with stream_socket_client as client:
        await client.feed("user", "bob").add_activity({"actor": "bob", "verb": "a", "object": "1"})
        assert len((await client.feed("user", "bob").get()).results) == 1


@pytest.mark.asyncio
async def test_second_sees_a_reset_server(stream_env, stream_emulator_server) -> None:
    URLS.append(stream_emulator_server.base_url)
    assert URLS[0] == URLS[1]  # one server for the session
    assert stream_env["STREAM_BASE_URL"] == stream_emulator_server.base_url
    async with AsyncStreamClient.from_env() as client:
        assert (await client.feed("user", "bob").get()).results == []
"""


def test_the_entry_point_registers_the_plugin() -> None:
    points = importlib.metadata.entry_points(group="pytest11")
    values = {point.name: point.value for point in points}
    assert values["stream_async"] == "stream_async.testing.pytest_plugin"


def test_user_tests_use_the_in_process_fixtures(pytester: pytest.Pytester) -> None:
    pytester.makeini(INI)
    pytester.makepyfile(test_user=USER_TESTS)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


def test_user_tests_use_the_socket_fixtures(pytester: pytest.Pytester) -> None:
    pytester.makeini(INI)
    pytester.makepyfile(test_socket=SOCKET_TESTS)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


def test_a_missing_emulator_extra_skips_with_the_install_command(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "stream_async.emulator", None)
    pytester.makeini(INI)
    pytester.makepyfile(test_user=USER_TESTS, test_socket=SOCKET_TESTS)
    result = pytester.runpytest("-p", "no:cacheprovider", "-rs")
    result.assert_outcomes(skipped=4)
    assert "run: pip install 'stream-async[emulator]'" in result.stdout.str()


def test_loading_the_plugin_imports_nothing_heavy() -> None:
    code = textwrap.dedent(
        """
        import sys
        import stream_async.testing.pytest_plugin
        heavy = ["stream_async.emulator", "starlette", "uvicorn", "aiohttp", "mmh3"]
        print(",".join(name for name in heavy if name in sys.modules))
        """
    )
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert output.strip() == ""


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_a_server_that_cannot_start_raises() -> None:
    from stream_async.testing import serve_emulator

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(RuntimeError, match="did not start"), serve_emulator(port=port):
            pass


UNMARKED = """
import asyncio

RAN = []


async def test_unmarked(stream_client) -> None:
    await asyncio.sleep(0)
    await stream_client.feed("user", "alice").add_activity(
        {"actor": "alice", "verb": "post", "object": "1"}
    )
    RAN.append(asyncio.get_running_loop())
    assert len((await stream_client.feed("user", "alice").get()).results) == 1


async def test_each_runs_once_in_its_own_loop() -> None:
    RAN.append(asyncio.get_running_loop())
    assert len(RAN) == 2
    assert RAN[0] is not RAN[1]


async def test_a_failure_fails(stream_client) -> None:
    assert (await stream_client.feed("user", "alice").get()).results == ["nothing"]


def test_plain_tests_are_untouched() -> None:
    assert RAN
"""


def test_without_an_async_plugin_unmarked_coroutine_tests_run(pytester: pytest.Pytester) -> None:
    # what a project that ran only `pip install "stream-async[emulator]" pytest` has
    pytester.makepyfile(test_unmarked=UNMARKED)
    result = pytester.runpytest("-p", "no:cacheprovider", "-p", "no:asyncio")
    result.assert_outcomes(passed=3, failed=1)
    assert "not natively supported" not in result.stdout.str()


def test_anyio_marked_tests_are_left_to_anyio(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_anyio="""
        import pytest
        import sniffio

        @pytest.fixture(params=["asyncio", "trio"])
        def anyio_backend(request):
            return request.param

        @pytest.mark.anyio
        async def test_backend(anyio_backend) -> None:
            assert sniffio.current_async_library() == anyio_backend
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "-p", "no:asyncio")
    result.assert_outcomes(passed=2)


def test_with_pytest_asyncio_strict_mode_decides(pytester: pytest.Pytester) -> None:
    # the project configured pytest-asyncio (strict): unmarked coroutines are not run by us
    pytester.makeini(INI + "asyncio_mode = strict\n")
    pytester.makepyfile(
        test_strict="""
        import pytest

        async def test_unmarked() -> None:
            raise AssertionError("must not run")

        @pytest.mark.asyncio
        async def test_marked(stream_client) -> None:
            assert (await stream_client.feed("user", "a").get()).results == []
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    assert result.parseoutcomes().get("passed") == 1
    assert "must not run" not in result.stdout.str()
    # the unmarked test fares exactly as it does without this plugin
    with_plugin = pytester.runpytest("-p", "no:cacheprovider", "-k", "unmarked")
    without = pytester.runpytest(
        "-p", "no:cacheprovider", "-k", "unmarked", "-p", "no:stream_async"
    )
    assert with_plugin.parseoutcomes() | {"seconds": 0} == without.parseoutcomes() | {"seconds": 0}
    assert "must not run" not in with_plugin.stdout.str()


def test_with_pytest_asyncio_auto_mode_runs_each_test_once(pytester: pytest.Pytester) -> None:
    pytester.makeini(INI + "asyncio_mode = auto\n")
    pytester.makepyfile(test_auto=UNMARKED)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=3, failed=1)


def test_trio_marked_tests_are_left_to_a_trio_plugin(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nmarkers =\n    trio: run with pytest-trio\n")
    pytester.makepyfile(
        test_trio="""
        import pytest

        @pytest.mark.trio
        async def test_needs_pytest_trio() -> None:
            raise AssertionError("must not run on asyncio")
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "-p", "no:asyncio")
    assert "must not run on asyncio" not in result.stdout.str()
    assert result.parseoutcomes().get("passed") is None
