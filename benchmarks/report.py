"""The report: markdown tables with the goals checked, and the chart.

``docs/performance.md`` keeps its hand-written text; only the part between the two
``results`` markers is replaced on each run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

START = "<!-- results:start -->"
END = "<!-- results:end -->"

LABELS = {
    "sdk-aiohttp": "stream-async, aiohttp transport (recommended)",
    "sdk-httpx": 'stream-async, `transport="httpx"`',
    "official": "stream-python `AsyncStreamClient` (official)",
    "bare-httpx": "bare pooled `httpx.AsyncClient`",
    "bare-transport": "bare transport (pre-built requests, httpx over aiohttp)",
    "bare-aiohttp": "bare pooled `aiohttp.ClientSession`",
}
SDK = "sdk-aiohttp"


def _num(value: float | None, digits: int = 0) -> str:
    if value is None:
        return "n/a"
    return f"{value:,.{digits}f}"


def _ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or b == 0:
        return None
    return a / b


def _x(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}x"


def goals(
    summary: dict[str, dict[str, Any]], settings: dict[str, Any]
) -> list[tuple[str, str, str, bool | None, str]]:
    """(goal, target, measured, met, margin) for each goal of the issue."""
    sdk = summary.get(SDK, {})

    def add(name: str, c: int, key: str) -> float | None:
        value: float | None = summary.get(name, {}).get("add", {}).get(c, {}).get(key)
        return value

    rows: list[tuple[str, str, str, bool | None, str]] = []

    def at_least(goal: str, value: float | None, target: float, unit: str = "x") -> None:
        if value is None:
            rows.append((goal, f">= {target}{unit}", "n/a", None, ""))
            return
        met = value >= target
        margin = f"{(value / target - 1) * 100:+.0f}% vs target"
        rows.append((goal, f">= {target}{unit}", f"{value:.2f}{unit}", met, margin))

    def below(goal: str, value: float | None, target: float, unit: str, strict: bool) -> None:
        sign = "<" if strict else "<="
        if value is None:
            rows.append((goal, f"{sign} {target}{unit}", "n/a", None, ""))
            return
        met = value < target if strict else value <= target
        if unit == "x":
            margin = f"{(value / target - 1) * 100:+.0f}% vs target"
        else:
            gap = abs(target - value)
            side = "under" if value <= target else "over"
            margin = f"{gap:.1f}{' points' if unit == '%' else unit} {side} the target"
        rows.append((goal, f"{sign} {target}{unit}", f"{value:.2f}{unit}", met, margin))

    at_least(
        "Throughput at concurrency 100 vs the official async client",
        _ratio(add(SDK, 100, "rps"), add("official", 100, "rps")),
        3.0,
    )
    at_least(
        "Throughput at concurrency 100 vs bare pooled aiohttp",
        _ratio(add(SDK, 100, "rps"), add("bare-aiohttp", 100, "rps")),
        0.6,
    )
    below(
        "CPU per request at concurrency 1,000 vs at 10",
        _ratio(add(SDK, 1000, "cpu_ms"), add(SDK, 10, "cpu_ms")),
        1.5,
        "x",
        strict=False,
    )
    below(
        f"Peak RSS growth, {settings['upload_mb']} MB upload",
        sdk.get("upload", {}).get("rss_mb"),
        32,
        " MB",
        strict=True,
    )
    below(
        f"RSS growth, iterating {settings['iterate_size']:,} activities",
        sdk.get("iterate", {}).get("rss_mb"),
        20,
        " MB",
        strict=True,
    )
    sdk_cpu, bare_cpu = add(SDK, 100, "cpu_ms"), add("bare-transport", 100, "cpu_ms")
    overhead = None if sdk_cpu is None or bare_cpu is None else (sdk_cpu - bare_cpu) / sdk_cpu
    below(
        "SDK CPU over the bare transport, share of the SDK's CPU per request (c=100)",
        None if overhead is None else overhead * 100,
        15,
        "%",
        strict=False,
    )
    own = sdk.get("overhead", {}).get("add_us")
    below(
        "The SDK's own work (no network, measured alone), share of its CPU per request (c=100)",
        None if own is None or sdk_cpu is None else own / 10 / sdk_cpu,
        15,
        "%",
        strict=False,
    )
    return rows


def markdown(
    summary: dict[str, dict[str, Any]],
    settings: dict[str, Any],
    info: dict[str, str],
    elapsed: float,
) -> str:
    names = [n for n in LABELS if n in summary]
    cs: list[int] = settings["concurrencies"]
    took = f"; run time {elapsed / 60:.1f} min" if elapsed else ""
    lines = [
        f"Measured {settings['rounds']} alternating rounds, medians reported{took}.",
        "",
        f"- Machine: {info['cpus']} CPUs, {info['platform']}; load: {info['load']}",
        f"- Python {info['python']}; {info['packages']}",
        "- Each contender opens a pool of N keep-alive connections for concurrency N "
        "(SDK: `max_connections=N`, which also caps its concurrency; httpx: "
        "`Limits(max_connections=N, max_keepalive_connections=N)`; aiohttp: "
        "`TCPConnector(limit=N)`); the official client opens a session per request. "
        "N requests are kept in flight by N workers pulling from one counter, after a "
        "warm-up of max(200, N) calls; a measurement stops taking new calls after "
        f"{settings['budget']:g} s (only the slowest contenders reach that).",
        "",
        f"### `add_activity`: {settings['n_add']:,} calls at each concurrency "
        f"(or those done in {settings['budget']:g} s)",
        "",
        "Requests per second (higher is better):",
        "",
        "| client | " + " | ".join(f"c={c:,}" for c in cs) + " |",
        "|---|" + "---:|" * len(cs),
    ]
    for name in names:
        cells = [_num(summary[name]["add"][c]["rps"]) for c in cs]
        lines.append(f"| {LABELS[name]} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "Client CPU per request, ms (lower is better):",
        "",
        "| client | " + " | ".join(f"c={c:,}" for c in cs) + " | c=1,000 / c=10 |",
        "|---|" + "---:|" * (len(cs) + 1),
    ]
    for name in names:
        add = summary[name]["add"]
        cells = [_num(add[c]["cpu_ms"], 3) for c in cs]
        growth = _ratio(add.get(1000, {}).get("cpu_ms"), add.get(10, {}).get("cpu_ms"))
        lines.append(f"| {LABELS[name]} | " + " | ".join(cells) + f" | {_x(growth)} |")
    lines += [
        "",
        "Throughput ratios (req/s) against the official client / against bare aiohttp:",
        "",
        "| client | " + " | ".join(f"c={c:,}" for c in cs) + " |",
        "|---|" + "---:|" * len(cs),
    ]
    for name in names:
        cells = []
        for c in cs:
            rps = summary[name]["add"][c]["rps"]
            official = summary.get("official", {}).get("add", {}).get(c, {}).get("rps")
            bare = summary.get("bare-aiohttp", {}).get("add", {}).get(c, {}).get("rps")
            cells.append(f"{_x(_ratio(rps, official))} / {_x(_ratio(rps, bare))}")
        lines.append(f"| {LABELS[name]} | " + " | ".join(cells) + " |")

    lines += [
        "",
        f"### Feed read: 25 activities parsed, {settings['n_read']:,} reads at concurrency "
        f"{settings['read_concurrency']}",
        "",
        "| client | req/s | CPU ms/request | vs official | vs bare aiohttp |",
        "|---|---:|---:|---:|---:|",
    ]
    for name in names:
        read = summary[name]["read"]
        official = summary.get("official", {}).get("read", {}).get("rps")
        bare = summary.get("bare-aiohttp", {}).get("read", {}).get("rps")
        lines.append(
            f"| {LABELS[name]} | {_num(read['rps'])} | {_num(read['cpu_ms'], 3)} | "
            f"{_x(_ratio(read['rps'], official))} | {_x(_ratio(read['rps'], bare))} |"
        )

    lines += [
        "",
        f"### Iterating {settings['iterate_size']:,} activities, 100 per page (fresh process)",
        "",
        "| client | activities/s | CPU ms/page | RSS growth, MB | vs official | vs bare aiohttp |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name in names:
        it = summary[name]["iterate"]
        if it.get("rate") is None:
            continue
        official = summary.get("official", {}).get("iterate", {}).get("rate")
        bare = summary.get("bare-aiohttp", {}).get("iterate", {}).get("rate")
        lines.append(
            f"| {LABELS[name]} | {_num(it['rate'])} | {_num(it['cpu_ms'], 2)} | "
            f"{_num(it['rss_mb'], 1)} | {_x(_ratio(it['rate'], official))} | "
            f"{_x(_ratio(it['rate'], bare))} |"
        )

    lines += [
        "",
        f"### Uploading a {settings['upload_mb']} MB file (multipart, fresh process)",
        "",
        "| client | MB/s | CPU s | peak RSS growth, MB | vs bare aiohttp |",
        "|---|---:|---:|---:|---:|",
    ]
    for name in names:
        up = summary[name]["upload"]
        if up.get("rate") is None:
            continue
        bare = summary.get("bare-aiohttp", {}).get("upload", {}).get("rate")
        lines.append(
            f"| {LABELS[name]} | {_num(up['rate'])} | {_num(up['cpu_s'], 2)} | "
            f"{_num(up['rss_mb'], 1)} | {_x(_ratio(up['rate'], bare))} |"
        )
    lines.append("")
    lines.append("The official client has no file uploads.")

    own = summary.get(SDK, {}).get("overhead", {})
    if own.get("add_us") is not None:
        lines += [
            "",
            "### The SDK's own CPU per call, without the network",
            "",
            "The SDK with its HTTP sender replaced by one that returns the canned answer at "
            "once: validation, signing (cached), URL and JSON encoding, the retry loop and "
            "parsing into models; nothing else.",
            "",
            "| call | CPU per call |",
            "|---|---:|",
            f"| `add_activity` | {own['add_us']:.1f} us |",
            f"| `get(limit=25)`, 25 activities parsed | {own['read_us']:.1f} us |",
        ]

    lines += ["", "### Goals", ""]
    if settings.get("quick"):
        lines += [
            "A smoke run (`--quick`: one round, small workloads): too short to judge the goals.",
            "",
        ]
    lines += ["| goal | target | measured | met | margin |", "|---|---|---:|---|---|"]
    for goal, target, measured, met, margin in goals(summary, settings):
        verdict = "n/a" if met is None else ("yes" if met else "**no**")
        lines.append(f"| {goal} | {target} | {measured} | {verdict} | {margin} |")
    return "\n".join(lines) + "\n"


def chart(summary: dict[str, dict[str, Any]], settings: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = [n for n in LABELS if n in summary]
    cs: list[int] = settings["concurrencies"]
    fig, (left, middle, right) = plt.subplots(1, 3, figsize=(16, 6))
    width = 0.8 / max(1, len(names))
    for i, name in enumerate(names):
        xs = [j + (i - (len(names) - 1) / 2) * width for j in range(len(cs))]
        rps = [summary[name]["add"][c]["rps"] or 0 for c in cs]
        cpu = [summary[name]["add"][c]["cpu_ms"] or 0 for c in cs]
        label = LABELS[name].replace("`", "")
        left.bar(xs, rps, width, label=label)
        middle.bar(xs, cpu, width, label=label)
    for axis, title, unit in (
        (left, "add_activity throughput", "requests/s (higher is better)"),
        (middle, "client CPU per request", "ms (lower is better, log scale)"),
    ):
        axis.set_xticks(range(len(cs)), [f"c={c:,}" for c in cs])
        axis.set_title(title)
        axis.set_ylabel(unit)
        axis.grid(axis="y", alpha=0.3)
    middle.set_yscale("log")

    workloads = [
        ("read", "rps", "feed read"),
        ("iterate", "rate", "iterate"),
        ("upload", "rate", "upload"),
    ]
    bare = summary.get("bare-aiohttp", {})
    for i, name in enumerate(names):
        xs = [j + (i - (len(names) - 1) / 2) * width for j in range(len(workloads))]
        values = []
        for workload, key, _ in workloads:
            value = summary[name].get(workload, {}).get(key)
            floor = bare.get(workload, {}).get(key)
            values.append(0 if value is None or not floor else value / floor)
        right.bar(xs, values, width)
    right.axhline(1.0, color="black", linewidth=0.8)
    right.set_xticks(range(len(workloads)), [label for _, _, label in workloads])
    right.set_title("other workloads: throughput / bare aiohttp")
    right.set_ylabel("ratio (higher is better)")
    right.grid(axis="y", alpha=0.3)
    handles, labels = left.get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=3, fontsize=9, frameon=False)
    fig.suptitle(
        f"stream-async benchmarks: medians of {settings['rounds']} rounds, "
        f"local canned server in its own process"
    )
    fig.tight_layout(rect=(0, 0.1, 1, 1))
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write(
    docs: Path, summary: dict[str, dict[str, Any]], settings: dict[str, Any], table: str
) -> None:
    docs.mkdir(parents=True, exist_ok=True)
    chart(summary, settings, docs / "performance.png")
    target = docs / "performance.md"
    block = f"{START}\n{table}{END}"
    if target.exists():
        text = target.read_text()
        if START in text and END in text:
            head, _, rest = text.partition(START)
            _, _, tail = rest.partition(END)
            target.write_text(head + block + tail)
            return
        target.write_text(text.rstrip() + "\n\n" + block + "\n")
        return
    target.write_text(
        "# Performance\n\n"
        "Reproduce with `nox -s benchmarks` (or `python benchmarks/run.py`).\n\n"
        "![benchmark chart](performance.png)\n\n" + block + "\n"
    )
