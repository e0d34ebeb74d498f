"""Run the benchmark suite and write ``docs/performance.md`` and ``docs/performance.png``.

    python benchmarks/run.py            # the full run (a few minutes)
    python benchmarks/run.py --quick    # a smoke run: fewer calls, one round, nothing written

Starts the canned server (``server.py``) in its own process on 127.0.0.1, then, for each
round, runs every contender in a fresh child process per measurement (``workloads.py``),
rotating the order from round to round. Medians over the rounds are reported.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path
from typing import Any

import report
import server
from contenders import contenders

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
MB = 1024 * 1024


def child(kind: str, name: str, url: str, options: dict[str, Any]) -> dict[str, Any]:
    """One measurement in a fresh interpreter; its JSON result."""
    done = subprocess.run(
        [sys.executable, str(HERE / "workloads.py"), kind, name, url, json.dumps(options)],
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{kind} {name} failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def write_file(path: str, size: int) -> None:
    """``size`` bytes of random data, written a megabyte at a time."""
    with open(path, "wb") as f:
        for _ in range(size // MB):
            f.write(os.urandom(MB))


def median_of(rounds: list[dict[str, Any]], *keys: str) -> float | None:
    values = []
    for result in rounds:
        value: Any = result
        for key in keys:
            value = value.get(key) if isinstance(value, dict) else None
        if isinstance(value, (int, float)):
            values.append(float(value))
    return statistics.median(values) if values else None


def machine() -> dict[str, str]:
    packages = [
        "stream-async",
        "httpx",
        "httpx-aiohttp",
        "aiohttp",
        "anyio",
        "pydantic",
        "pydantic-core",
        "PyJWT",
        "stream-python",
    ]
    versions = {}
    for name in packages:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "-"
    return {
        "cpus": str(os.cpu_count()),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "packages": ", ".join(f"{k} {v}" for k, v in versions.items()),
        "load": "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run; writes nothing")
    parser.add_argument("--rounds", type=int, default=None)
    parser.add_argument("--only", nargs="*", help="contender names (default: all)")
    parser.add_argument("--docs", type=Path, default=ROOT / "docs")
    parser.add_argument("--no-write", action="store_true", help="print the table only")
    parser.add_argument(
        "--from-results",
        action="store_true",
        help="render the docs again from benchmarks/results.json, without measuring",
    )
    args = parser.parse_args()
    if args.from_results:
        rerender(args.docs)
        return

    quick = args.quick
    rounds = args.rounds or (1 if quick else 3)
    n_add = 200 if quick else 2000
    n_read = 100 if quick else 500
    budget = 1.0 if quick else 6.0
    iterate_size = 2_000 if quick else 100_000
    upload_size = (10 if quick else 200) * MB
    concurrencies = [1, 10, 100, 1000]
    read_concurrency = 10
    settings = {
        "quick": quick,
        "rounds": rounds,
        "n_add": n_add,
        "concurrencies": concurrencies,
        "n_read": n_read,
        "read_concurrency": read_concurrency,
        "budget": budget,
        "iterate_size": iterate_size,
        "upload_mb": upload_size // MB,
    }
    load_before = os.getloadavg()
    started = time.perf_counter()
    results: dict[str, list[dict[str, Any]]] = {}
    with tempfile.TemporaryDirectory() as tmp, server.running() as url:
        names = [c.name for c in contenders(url)]
        if args.only:
            names = [n for n in names if n in args.only]
        supports = {c.name: c.supports for c in contenders(url)}
        upload_path = os.path.join(tmp, "upload.bin")
        write_file(upload_path, upload_size)
        for round_index in range(rounds):
            shift = round_index % len(names)
            order = names[shift:] + names[:shift]
            for name in order:
                print(f"round {round_index + 1}/{rounds}: {name}", flush=True)
                result = child(
                    "throughput",
                    name,
                    url,
                    {
                        "concurrencies": concurrencies,
                        "n_add": n_add,
                        "n_read": n_read,
                        "read_concurrency": read_concurrency,
                        "budget": budget,
                    },
                )
                if "iterate" in supports[name]:
                    result["iterate"] = child(
                        "iterate", name, url, {"size": iterate_size, "file": upload_path}
                    )
                if "upload" in supports[name]:
                    result["upload"] = child(
                        "upload", name, url, {"size": upload_size, "file": upload_path}
                    )
                if name == report.SDK:
                    result["overhead"] = child(
                        "overhead", "-", url, {"n": 3000 if quick else 20000}
                    )
                results.setdefault(name, []).append(result)
    elapsed = time.perf_counter() - started
    info = machine()
    load_after = os.getloadavg()[0]
    info["load"] = f"{load_before[0]:.2f} before, {load_after:.2f} after (1-minute average)"
    summary = summarise(results, concurrencies)
    table = report.markdown(summary, settings, info, elapsed)
    print(table)
    if quick or args.no_write:
        return
    raw = HERE / "results.json"
    saved = {"settings": settings, "machine": info, "elapsed": elapsed, "rounds": results}
    raw.write_text(json.dumps(saved, indent=1))
    report.write(args.docs, summary, settings, table)
    print(f"wrote {args.docs / 'performance.md'}, {args.docs / 'performance.png'} and {raw}")


def rerender(docs: Path) -> None:
    saved = json.loads((HERE / "results.json").read_text())
    settings, info, results = saved["settings"], saved["machine"], saved["rounds"]
    summary = summarise(results, settings["concurrencies"])
    table = report.markdown(summary, settings, info, saved.get("elapsed", 0.0))
    report.write(docs, summary, settings, table)
    print(table)


def summarise(
    results: dict[str, list[dict[str, Any]]], concurrencies: list[int]
) -> dict[str, dict[str, Any]]:
    """Medians per contender: ``add`` per concurrency, ``read``, ``iterate``, ``upload``."""
    summary: dict[str, dict[str, Any]] = {}
    for name, rounds in results.items():
        entry: dict[str, Any] = {"add": {}}
        for c in concurrencies:
            entry["add"][c] = {
                "rps": median_of(rounds, "add", str(c), "rps"),
                "cpu_ms": median_of(rounds, "add", str(c), "cpu_ms"),
            }
        entry["read"] = {
            "rps": median_of(rounds, "read", "rps"),
            "cpu_ms": median_of(rounds, "read", "cpu_ms"),
        }
        entry["overhead"] = {
            "add_us": median_of(rounds, "overhead", "add_us"),
            "read_us": median_of(rounds, "overhead", "read_us"),
        }
        for workload in ("iterate", "upload"):
            entry[workload] = {
                key: median_of(rounds, workload, key)
                for key in ("rate", "cpu_ms", "cpu_s", "wall_s", "rss_mb")
            }
        summary[name] = entry
    return summary


if __name__ == "__main__":
    main()
