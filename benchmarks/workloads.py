"""The workloads, run inside one child process per measurement so that contenders never
share a heap, an event loop or a connection pool.

Each function prints nothing; :func:`run_child` prints one JSON line with the numbers.
CPU is ``time.process_time()`` of this (client) process only; memory is the growth of the
peak RSS over the RSS right before the workload, after a warm-up that imports and
connects everything the workload needs.
"""

from __future__ import annotations

import asyncio
import gc
import importlib
import itertools
import json
import os
import resource
import sys
import time
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from contenders import Contender, by_name

MB = 1024 * 1024


async def calls(
    operation: Callable[[int], Awaitable[None]],
    n: int,
    concurrency: int,
    budget: float | None = None,
) -> int:
    """``n`` calls with ``concurrency`` in flight: that many workers pulling from a counter.

    With a ``budget`` (seconds), workers take no new call once it is spent, so a slow
    contender is measured on the calls it completed in that time. Returns the count."""
    counter = itertools.count()
    deadline = None if budget is None else time.perf_counter() + budget
    done = 0

    async def worker() -> None:
        nonlocal done
        while (i := next(counter)) < n:
            if deadline is not None and time.perf_counter() > deadline:
                return
            await operation(i)
            done += 1

    await asyncio.gather(*(worker() for _ in range(min(n, concurrency))))
    return done


async def timed(operation: Callable[[], Awaitable[Any]]) -> tuple[float, float, Any]:
    """Wall seconds, CPU seconds and the result of one awaited operation."""
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    result = await operation()
    return time.perf_counter() - wall, time.process_time() - cpu, result


async def throughput(
    contender: Contender,
    concurrencies: list[int],
    n_add: int,
    n_read: int,
    read_concurrency: int,
    budget: float,
) -> dict[str, Any]:
    """``add_activity`` at each concurrency, then feed reads of 25 activities."""
    out: dict[str, Any] = {"add": {}}
    for concurrency in concurrencies:
        await contender.open(concurrency)
        try:
            # Warm-up: the pool opens its connections and the token cache fills.
            await calls(contender.add, max(200, concurrency), concurrency, budget)
            wall, cpu, done = await timed(partial(calls, contender.add, n_add, concurrency, budget))
        finally:
            await contender.close()
        out["add"][str(concurrency)] = {
            "rps": done / wall,
            "cpu_ms": cpu / done * 1000,
            "wall_s": wall,
            "calls": done,
        }

    async def read(i: int) -> None:
        await contender.read()

    await contender.open(read_concurrency)
    try:
        await calls(read, 50, read_concurrency, budget)
        wall, cpu, done = await timed(partial(calls, read, n_read, read_concurrency, budget))
    finally:
        await contender.close()
    out["read"] = {"rps": done / wall, "cpu_ms": cpu / done * 1000, "wall_s": wall, "calls": done}
    return out


async def overhead(n: int) -> dict[str, Any]:
    """The SDK's own CPU per call, with the network replaced by a canned answer.

    The client sends through a sender that returns the server's canned bytes
    at once, so what is timed is only the SDK: validation, signing, URL and JSON encoding,
    the retry loop and parsing the answer into models."""
    import server

    from stream_async import AsyncStreamClient
    from stream_async._http import Reply

    def canned(answer: bytes) -> Reply:
        head, _, body = answer.partition(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        status = int(lines[0].split()[1])
        headers = tuple(
            (name, value.strip()) for name, _, value in (line.partition(b":") for line in lines[1:])
        )
        return Reply(status, "OK", headers, body)

    added = canned(server.ADDED)
    page = canned(server.Pages(server.FEED_SIZE).get("/api/v1.0/feed/user/1/", "limit=25"))

    class Canned:
        reply = added

        async def send(self, *args: Any) -> Reply:
            return self.reply

    client = AsyncStreamClient(
        api_key="bench-key",
        api_secret="bench-secret-0123456789abcdef0123456789abcdef",
        base_url="http://127.0.0.1:9",
        transport="aiohttp",
    )
    out: dict[str, Any] = {}
    async with client:
        fake = Canned()
        client._pool.attach(fake, "canned")
        feed = client.feed("user", "1")
        activity = {"actor": "user:1", "verb": "post", "object": "post:1"}
        for name, reply, call in (
            ("add_us", added, lambda: feed.add_activity(activity)),
            ("read_us", page, lambda: feed.get(limit=25)),
        ):
            fake.reply = reply
            for _ in range(200):
                await call()
            gc.collect()
            cpu = time.process_time()
            for _ in range(n):
                await call()
            out[name] = (time.process_time() - cpu) / n * 1e6
    return out


def _write_random(path: str, size: int) -> None:
    with open(path, "wb") as f:
        f.write(os.urandom(size))


def current_rss() -> int:
    """This process's resident set size now, in bytes (Linux ``/proc``; else psutil)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        psutil: Any = importlib.import_module("psutil")
        return int(psutil.Process().memory_info().rss)


def reset_peak_rss() -> bool:
    """Reset the kernel's peak-RSS mark (Linux); ``False`` where that is not possible."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        return False
    return True


def peak_rss() -> int:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


async def memory(contender: Contender, workload: str, size: int, file_path: str) -> dict[str, Any]:
    """Iterate ``size`` activities, or upload ``file_path``: rate, CPU and RSS growth."""
    await contender.open(1)
    try:
        if workload == "iterate":
            await contender.iterate(200)
        else:
            warm = file_path + ".warm"
            _write_random(warm, MB)
            try:
                await contender.upload(warm)
            finally:
                os.remove(warm)
        gc.collect()
        before = current_rss()
        reset_peak_rss()
        if workload == "iterate":
            wall, cpu, count = await timed(lambda: contender.iterate(size))
            assert count == size, (count, size)
            requests = -(-size // 100)
        else:
            wall, cpu, _ = await timed(lambda: contender.upload(file_path))
            requests = 1
        growth = max(0, peak_rss() - before)
    finally:
        await contender.close()
    rate = size / wall if workload == "iterate" else size / MB / wall
    return {
        "rate": rate,
        "cpu_ms": cpu / requests * 1000,
        "cpu_s": cpu,
        "wall_s": wall,
        "rss_mb": growth / MB,
    }


def run_child(argv: list[str]) -> None:
    """``workloads.py KIND NAME URL JSON-OPTIONS``: one measurement, printed as JSON."""
    kind, name, url, raw = argv
    options = json.loads(raw)
    contender = by_name(url, name) if name != "-" else Contender(url)
    if kind == "throughput":
        result = asyncio.run(
            throughput(
                contender,
                options["concurrencies"],
                options["n_add"],
                options["n_read"],
                options["read_concurrency"],
                options["budget"],
            )
        )
    elif kind == "overhead":
        result = asyncio.run(overhead(options["n"]))
    else:
        result = asyncio.run(memory(contender, kind, options["size"], options["file"]))
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    run_child(sys.argv[1:])
