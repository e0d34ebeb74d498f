"""Profile one contender's ``add_activity`` workload with cProfile (CPU time).

    python benchmarks/profile_sdk.py [--contender sdk-aiohttp] [--concurrency 100] [-n 4000]

Starts the canned server, warms the client up, profiles ``n`` calls and prints the CPU
per request (without the profiler, then with it), the profiled CPU per request by package,
and the functions with the most time of their own.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import re
import sys
import time
from collections import defaultdict

import server
from contenders import by_name
from workloads import calls


def package(filename: str) -> str:
    """Where a profiled function lives: a site package, this SDK, or the standard library."""
    if "stream_async" in filename:
        return "stream_async"
    found = re.search(r"site-packages/([A-Za-z0-9_]+)", filename)
    if found:
        return found[1]
    found = re.search(r"python3\.\d+/([A-Za-z0-9_]+)", filename)
    if found:
        return f"stdlib {found[1]}"
    return "builtins" if filename == "~" else filename


def by_package(stats: pstats.Stats, n: int) -> list[tuple[str, float]]:
    """Own CPU time per package, in microseconds per request, largest first."""
    totals: dict[str, float] = defaultdict(float)
    for (filename, _, _), row in stats.stats.items():  # type: ignore[attr-defined]
        totals[package(filename)] += row[2]
    return sorted(((k, v / n * 1e6) for k, v in totals.items()), key=lambda kv: -kv[1])


async def profile(name: str, url: str, concurrency: int, n: int, top: int) -> None:
    contender = by_name(url, name)
    await contender.open(concurrency)
    try:
        await calls(contender.add, max(200, concurrency), concurrency)
        cpu = time.process_time()
        await calls(contender.add, n, concurrency)
        plain = time.process_time() - cpu
        profiler = cProfile.Profile(time.process_time)
        cpu = time.process_time()
        profiler.enable()
        await calls(contender.add, n, concurrency)
        profiler.disable()
        cpu = time.process_time() - cpu
    finally:
        await contender.close()
    print(
        f"{name} at concurrency {concurrency}: {plain / n * 1e6:.0f} us CPU per request, "
        f"{cpu / n * 1e6:.0f} us profiled"
    )
    stats = pstats.Stats(profiler, stream=sys.stdout)
    print("\nprofiled CPU per request by package (own time):")
    for where, micros in by_package(stats, n):
        if micros >= 1:
            print(f"  {where:<24} {micros:8.1f} us")
    print()
    stats.sort_stats("tottime").print_stats(top)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contender", default="sdk-aiohttp")
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument("-n", type=int, default=4000)
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args()
    with server.running() as url:
        asyncio.run(profile(args.contender, url, args.concurrency, args.n, args.top))


if __name__ == "__main__":
    main()
