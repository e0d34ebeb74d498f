"""Benchmark the emulator itself, over a loopback socket, against an earlier commit.

    python benchmarks/emulator.py                  # against e94e5a2 (the in-memory store)
    python benchmarks/emulator.py --baseline REF   # against another commit
    python benchmarks/emulator.py --quick          # a smoke run: short, says it proves nothing

The baseline's code is checked out with ``git worktree add --detach`` into a temporary
directory (removed at the end), and both emulators run in the same run, one after the other,
each in its own process started with ``python -m stream_async.emulator``, on 127.0.0.1.

Measured, for each emulator in memory mode:

- throughput: activities added per second (one per request) and 25-activity feed pages read
  per second, by 10 concurrent keep-alive connections, for a fixed time;

and for this checkout, in memory and with ``--data-dir``:

- scaling: the median latency of one add and of one 25-activity read (sequential requests)
  in an empty store and again once the store holds ``--activities`` activities (100,000).

Goals (printed as ratios with PASS or FAIL): throughput at least 0.8x the baseline's; latency
with the full store at most 2x the empty store's.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import jwt

ROOT = Path(__file__).resolve().parent.parent
API_KEY = "emulator-key"
API_SECRET = "emulator-secret-do-not-use-in-production"
TOKEN = jwt.encode({"resource": "*", "action": "*", "feed_id": "*"}, API_SECRET)
HEADERS = {"Authorization": TOKEN, "stream-auth-type": "jwt"}
CONCURRENCY = 10
THROUGHPUT_GOAL = 0.8
SCALING_GOAL = 2.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def emulator(src: Path, data_dir: Path | None = None) -> Iterator[str]:
    """Serve the emulator whose package lives under ``src``; yields its API base URL."""
    port = _free_port()
    command = [sys.executable, "-m", "stream_async.emulator", f"--port={port}"]
    if data_dir is not None:
        command.append(f"--data-dir={data_dir}")
    env = {**os.environ, "PYTHONPATH": str(src)}
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}/api/v1.0"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{base}/", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError(f"the emulator from {src} did not start") from None
                time.sleep(0.05)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


@contextmanager
def baseline_checkout(ref: str) -> Iterator[Path]:
    """The package sources of ``ref``, checked out in a temporary git worktree."""
    with tempfile.TemporaryDirectory(prefix="emulator-baseline-") as parent:
        path = Path(parent) / "checkout"
        subprocess.run(
            ["git", "worktree", "add", "--detach", str(path), ref],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        try:
            yield path / "src"
        finally:
            subprocess.run(
                ["git", "worktree", "remove", "--force", str(path)],
                cwd=ROOT,
                check=False,
                capture_output=True,
            )


def _client(base: str) -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    return httpx.AsyncClient(
        base_url=base, headers=HEADERS, params={"api_key": API_KEY}, limits=limits, timeout=60
    )


def _activity(index: int) -> dict[str, Any]:
    return {"actor": "bench", "verb": "post", "object": f"note:{index}", "n": index}


async def _rate(base: str, seconds: float, request: Any) -> float:
    """Requests per second that ``CONCURRENCY`` workers complete in ``seconds``."""
    done = 0
    async with _client(base) as client:
        stop = time.perf_counter() + seconds

        async def worker(number: int) -> None:
            nonlocal done
            index = 0
            while time.perf_counter() < stop:
                response = await request(client, number, index)
                assert response.status_code < 300, response.text
                index += 1
                done += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker(number) for number in range(CONCURRENCY)))
        return done / (time.perf_counter() - started)


async def throughput(base: str, seconds: float) -> dict[str, float]:
    """Adds per second and 25-activity reads per second."""

    async def add(client: httpx.AsyncClient, number: int, index: int) -> httpx.Response:
        return await client.post(f"/feed/user/w{number}/", json=_activity(index))

    async def read(client: httpx.AsyncClient, number: int, index: int) -> httpx.Response:
        return await client.get("/feed/user/w0/", params={"limit": "25"})

    adds = await _rate(base, seconds, add)
    reads = await _rate(base, seconds, read)
    return {"adds_per_s": adds, "reads_per_s": reads}


async def _latency(client: httpx.AsyncClient, samples: int) -> dict[str, float]:
    adds, reads = [], []
    for index in range(samples):
        started = time.perf_counter()
        response = await client.post("/feed/user/1/", json=_activity(index))
        adds.append(time.perf_counter() - started)
        assert response.status_code == 201, response.text
        started = time.perf_counter()
        response = await client.get("/feed/user/1/", params={"limit": "25"})
        reads.append(time.perf_counter() - started)
        assert response.status_code == 200, response.text
    return {"add_ms": statistics.median(adds) * 1000, "read_ms": statistics.median(reads) * 1000}


async def scaling(base: str, activities: int, samples: int) -> dict[str, Any]:
    """Add and read latency in an empty store, then with ``activities`` in it."""
    async with _client(base) as client:
        empty = await _latency(client, samples)
        batch = 100
        semaphore = asyncio.Semaphore(4)

        async def fill(start: int) -> None:
            async with semaphore:
                body = {"activities": [_activity(start + i) for i in range(batch)]}
                response = await client.post(f"/feed/user/{start % 7}/", json=body)
                assert response.status_code == 201, response.text

        started = time.perf_counter()
        await asyncio.gather(*(fill(start) for start in range(0, activities, batch)))
        filled_in = time.perf_counter() - started
        full = await _latency(client, samples)
    return {"empty": empty, "full": full, "fill_s": filled_in}


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its table; 1 when a goal is missed (not in --quick)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", default="e94e5a2", help="commit to compare with")
    parser.add_argument("--seconds", type=float, default=8.0, help="per throughput workload")
    parser.add_argument("--rounds", type=int, default=2, help="throughput rounds (medians)")
    parser.add_argument("--activities", type=int, default=100_000, help="store size to scale to")
    parser.add_argument("--samples", type=int, default=200, help="latency samples per state")
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    args = parser.parse_args(argv)
    if args.quick:
        args.seconds, args.rounds, args.activities, args.samples = 1.0, 1, 2_000, 20
    current = ROOT / "src"
    results: dict[str, Any] = {"baseline": args.baseline, "throughput": {}, "scaling": {}}
    with baseline_checkout(args.baseline) as baseline:
        rounds: dict[str, list[dict[str, float]]] = {"baseline": [], "current": []}
        for number in range(args.rounds):
            order = [("baseline", baseline), ("current", current)]
            for name, src in order if number % 2 == 0 else reversed(order):
                with emulator(src) as base:
                    rounds[name].append(asyncio.run(throughput(base, args.seconds)))
    for name, measured in rounds.items():
        results["throughput"][name] = {
            key: statistics.median(item[key] for item in measured) for key in measured[0]
        }
    for mode in ("memory", "data-dir"):
        with tempfile.TemporaryDirectory(prefix="emulator-data-") as data:
            data_dir = None if mode == "memory" else Path(data)
            with emulator(current, data_dir) as base:
                results["scaling"][mode] = asyncio.run(scaling(base, args.activities, args.samples))
    ok = _report(results, args)
    if args.json is not None:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    if args.quick:
        print("\n--quick: too short to judge the goals; run without it for real numbers.")
        return 0
    return 0 if ok else 1


def _report(results: dict[str, Any], args: argparse.Namespace) -> bool:
    ok = True
    base, now = results["throughput"]["baseline"], results["throughput"]["current"]
    print(f"Emulator throughput, memory mode, concurrency {CONCURRENCY}, {args.seconds:g} s")
    print(f"{'':24}{'baseline ' + args.baseline:>20}{'this checkout':>16}{'ratio':>8}  goal")
    for key, label in (("adds_per_s", "adds/s"), ("reads_per_s", "25-activity reads/s")):
        ratio = now[key] / base[key]
        ok &= ratio >= THROUGHPUT_GOAL
        verdict = _verdict(ratio >= THROUGHPUT_GOAL)
        print(
            f"{label:24}{base[key]:>20.0f}{now[key]:>16.0f}{ratio:>7.2f}x"
            f"  >= {THROUGHPUT_GOAL}x {verdict}"
        )
    print(f"\nLatency (median of {args.samples}), empty store vs {args.activities:,} activities")
    print(f"{'':24}{'empty ms':>12}{'full ms':>12}{'ratio':>8}  goal")
    for mode, measured in results["scaling"].items():
        for key, label in (("add_ms", "add"), ("read_ms", "read 25")):
            empty, full = measured["empty"][key], measured["full"][key]
            ratio = full / empty
            ok &= ratio <= SCALING_GOAL
            verdict = _verdict(ratio <= SCALING_GOAL)
            print(
                f"{mode + ' ' + label:24}{empty:>12.2f}{full:>12.2f}{ratio:>7.2f}x"
                f"  <= {SCALING_GOAL}x {verdict}"
            )
        print(f"{'':24}(filled in {measured['fill_s']:.1f} s)")
    return ok


if __name__ == "__main__":
    sys.exit(main())
