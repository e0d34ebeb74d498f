"""Does the inspector slow the API? The emulator's add/read throughput over a socket, with and
without inspector pages being polled, printed as ratios against the unpolled baseline.

    python benchmarks/inspector.py                 # 3 rounds of 5 s per phase
    python benchmarks/inspector.py --seconds 2 --rounds 1

The emulator runs in its own process (``python -m stream_async.emulator`` on 127.0.0.1). The
load is ``--concurrency`` tasks, each adding an activity to ``user:bench`` and reading that
feed's first page, over one pooled httpx client. Phases, each in its own process next to the
load:

- ``baseline``: nobody looks at the inspector;
- ``polled``: a feed page and the request log open in a browser, i.e. their fragments
  fetched every two seconds, as the pages' script does;
- ``hammered``: the same two fragments fetched back to back, as fast as the server answers
  (a worst case far beyond what a browser does).

Each phase reports add/read pairs per second and the server process's CPU time per pair
(polling included): on a busy machine the first is noisy, the second much less so, and its
baseline/phase ratio is the throughput ratio a dedicated core would see. The script also
prints the server CPU time of one refresh of the two pages: the share of one core that
polling every two seconds takes. Needs the ``bench`` extra (psutil).

Every phase gets a fresh emulator (so none inherits a longer feed than another), warmed up
for a second; phases rotate from round to round and the medians are compared. Not a test: the
numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import jwt
import psutil

API_KEY = "emulator-key"
API_SECRET = "emulator-secret-do-not-use-in-production"
TOKEN = jwt.encode({"resource": "*", "action": "*", "feed_id": "*"}, API_SECRET, "HS256")
POLLED_PATHS = ("/inspector/feeds/user/bench/fragment", "/inspector/log/fragment")
PAGE_PERIOD = 2.0
"""Seconds between two refreshes of a page (``inspector.js``)."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def emulator() -> Iterator[tuple[str, psutil.Process]]:
    """A fresh emulator in its own process; yields its base URL and the process."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "stream_async.emulator", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "STREAM_EMULATOR_API_SECRET": API_SECRET},
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{base_url}/inspector/", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise RuntimeError("the emulator did not start") from None
                time.sleep(0.1)
        yield base_url, psutil.Process(process.pid)
    finally:
        process.terminate()
        process.wait(timeout=30)


def poll(base_url: str, period: float, stop: Any) -> None:
    """Fetch the polled fragments every ``period`` seconds (0: back to back) until ``stop``."""
    with httpx.Client(base_url=base_url) as client:
        while not stop.is_set():
            started = time.monotonic()
            for path in POLLED_PATHS:
                client.get(path).raise_for_status()
            stop.wait(max(0.0, period - (time.monotonic() - started)))


async def load(base_url: str, seconds: float, concurrency: int) -> int:
    """Add/read pairs done in ``seconds`` by ``concurrency`` tasks."""
    headers = {"Authorization": TOKEN, "stream-auth-type": "jwt"}
    params = {"api_key": API_KEY}
    activity = {"actor": "bench", "verb": "post", "object": "note:1"}
    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(base_url=base_url, headers=headers, limits=limits) as client:
        deadline = time.monotonic() + seconds
        done = 0

        async def worker() -> None:
            nonlocal done
            while time.monotonic() < deadline:
                added = await client.post(
                    "/api/v1.0/feed/user/bench/", params=params, json=activity
                )
                added.raise_for_status()
                read = await client.get("/api/v1.0/feed/user/bench/", params=params)
                read.raise_for_status()
                done += 1

        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return done


def cpu_seconds(server: psutil.Process) -> float:
    """CPU time (user + system) the server process has used so far."""
    times = server.cpu_times()
    return float(times.user + times.system)


@dataclass(frozen=True)
class Measurement:
    """One phase: add/read pairs per wall-clock second, and the server's CPU milliseconds per
    pair (polling included), which other processes on the machine disturb far less."""

    rate: float
    cpu_ms: float


def phase(period: float | None, seconds: float, concurrency: int) -> Measurement:
    """The load on a fresh emulator while the fragments are polled every ``period`` seconds
    (None: not at all)."""
    with emulator() as (base_url, server):
        asyncio.run(load(base_url, 1.0, concurrency))  # warm up
        stop = multiprocessing.Event()
        poller = None
        if period is not None:
            poller = multiprocessing.Process(target=poll, args=(base_url, period, stop))
            poller.start()
        try:
            cpu, started = cpu_seconds(server), time.monotonic()
            done = asyncio.run(load(base_url, seconds, concurrency))
            elapsed, used = time.monotonic() - started, cpu_seconds(server) - cpu
            return Measurement(done / elapsed, used / done * 1000)
        finally:
            stop.set()
            if poller is not None:
                poller.join(timeout=30)


def refresh_cost(concurrency: int) -> float:
    """The server's CPU milliseconds for one refresh of the polled pages, on a warmed-up
    emulator (its log full, the feed page full) with no other load."""
    with emulator() as (base_url, server), httpx.Client(base_url=base_url) as client:
        asyncio.run(load(base_url, 1.0, concurrency))
        cpu = cpu_seconds(server)
        for _ in range(REFRESHES):
            for path in POLLED_PATHS:
                client.get(path).raise_for_status()
        return (cpu_seconds(server) - cpu) / REFRESHES * 1000


REFRESHES = 20

PHASES: dict[str, float | None] = {"baseline": None, "polled": PAGE_PERIOD, "hammered": 0.0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="length of a phase (5)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of every phase (3)")
    parser.add_argument("--concurrency", type=int, default=8, help="load tasks (8)")
    args = parser.parse_args()

    results: dict[str, list[Measurement]] = {name: [] for name in PHASES}
    names = list(PHASES)
    for round_number in range(args.rounds):
        shift = round_number % len(names)
        for name in names[shift:] + names[:shift]:
            measured = phase(PHASES[name], args.seconds, args.concurrency)
            results[name].append(measured)
            print(
                f"round {round_number + 1}: {name:9} {measured.rate:8.1f} add+read/s"
                f"  {measured.cpu_ms:6.3f} server CPU ms per add+read",
                flush=True,
            )

    cost = refresh_cost(args.concurrency)
    share = cost / (PAGE_PERIOD * 1000)
    print(f"\none refresh of the polled pages: {cost:.1f} server CPU ms every {PAGE_PERIOD:g} s")
    print(f"  = {share:.1%} of one core while a feed page and the log are open")
    print(f"median of {args.rounds} round(s), {args.seconds:g} s each, {args.concurrency} tasks:")
    rate0 = statistics.median(m.rate for m in results["baseline"])
    cpu0 = statistics.median(m.cpu_ms for m in results["baseline"])
    for name in names:
        rate = statistics.median(m.rate for m in results[name])
        cpu = statistics.median(m.cpu_ms for m in results[name])
        print(
            f"  {name:9} {rate:8.1f} add+read/s (ratio {rate / rate0:.3f})"
            f"  {cpu:6.3f} CPU ms per add+read (throughput ratio {cpu0 / cpu:.3f})"
        )


if __name__ == "__main__":
    main()
