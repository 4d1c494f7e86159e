"""Statistics, the console table, the saved record, and the generated block of
docs/performance.rst.

Every run is saved as a JSON *record* (:func:`record`): the numbers, the
machine, the versions of everything measured, each server's settings and the
date. The results block of docs/performance.rst is always made from a record
(:func:`rst_block`), never typed by hand.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import re
import statistics
import sys
from pathlib import Path
from typing import Any

from .workloads import metric_info

#: ``results[impl][metric]`` is the list of values, one per run.
Results = dict[str, dict[str, list[float]]]

START = ".. benchmark-results-start"
END = ".. benchmark-results-end"
OURS = "indiflask"

#: The issue's targets: metric -> (peer, least ratio) where the ratio is how many
#: times better indiflask's median is than the peer's; peer ``None`` means an
#: absolute bound on indiflask's median (below it for lower-is-better metrics).
TARGETS: dict[str, tuple[str | None, float]] = {
    "W1 K=1": ("indiserver", 10.0),
    "W1 K=20": ("indipydriver", 25.0),
    "W2 p50": ("indiserver", 1.0),
    "W2 p99": ("indiserver", 1.0),
    "W3 BLOB": ("indiserver", 2.0),
    "W4 storm": ("indipydriver", 5.0),
    "W5 per client": (None, 4.0),
    "W6 K=1": ("indiserver", 1.0),
    "W6 p50": ("indiserver", 1.0),
    "W6 p99": ("indiserver", 1.0),
    "W7 getProperties": ("indiserver", 1.0),
    "W7 CPU": ("indiserver", 1.0),
}


def machine() -> dict[str, str]:
    """Where the numbers were measured."""
    cpu = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": str(os.cpu_count()),
        "cpu": cpu,
        "python": platform.python_version(),
        "python_executable": sys.executable,
        "system": f"{platform.system()} {platform.release()}",
        "kernel": platform.release(),
    }


def record(
    results: Results,
    failures: dict[str, str],
    *,
    impls: list[str],
    versions: dict[str, str],
    packages: dict[str, str],
    settings: dict[str, str],
    sizes: dict[str, object],
    runs: int,
    command: str,
    notes: list[str],
) -> dict[str, object]:
    """Everything a run measured and where: what the JSON file holds."""
    return {
        "format": 1,
        "command": command,
        "runs": runs,
        "impls": impls,
        "machine": machine(),
        "versions": versions,
        "packages": packages,
        "settings": settings,
        "sizes": sizes,
        "results": results,
        "failures": failures,
        "notes": notes,
    }


def target(metric: str, results: Results) -> str:
    """``met`` or ``missed`` (with the bound) for a metric with a target, else ``-``."""
    if metric not in TARGETS:
        return "-"
    peer, least = TARGETS[metric]
    ours = results.get(OURS, {}).get(metric)
    if not ours:
        return "-"
    if peer is None:
        higher = metric_info(metric)[1]
        value = statistics.median(ours)
        ok = value >= least if higher else value <= least
        bound = f"{'>=' if higher else '<='} {_fmt(least)}"
        return f"{bound}: {'met' if ok else 'MISSED'}"
    theirs = results.get(peer, {}).get(metric)
    if not theirs:
        return f"{_fmt(least)}x {peer}: not measured"
    shown = ratio(metric, ours, theirs)
    ok = shown != "-" and float(shown.rstrip("x")) >= least
    return f"{least:g}x {peer}: {'met' if ok else 'MISSED'}"


def _fmt(value: float) -> str:
    if value >= 1000:
        return f"{value:,.0f}"
    if value >= 100:
        return f"{value:.0f}"
    if value >= 10:
        return f"{value:.1f}"
    if value >= 1:
        return f"{value:.2f}"
    return f"{value:.3f}"


def cell(values: list[float] | None) -> str:
    """``median (min-max)`` of the runs, or a dash."""
    if not values:
        return "-"
    if len(values) == 1:
        return _fmt(values[0])
    return f"{_fmt(statistics.median(values))} ({_fmt(min(values))}-{_fmt(max(values))})"


def ratio(metric: str, ours: list[float] | None, peer: list[float] | None) -> str:
    """How many times better indiflask's median is (``>1``: indiflask wins)."""
    if not ours or not peer:
        return "-"
    a, b = statistics.median(ours), statistics.median(peer)
    higher_better = metric_info(metric)[1]
    if higher_better and a > 0 and b <= 0:
        return "inf"  # the peer delivered nothing
    if a <= 0 or b <= 0:
        return "-"
    return f"{(a / b if higher_better else b / a):.2f}x"


def rows(results: Results, impls: list[str]) -> tuple[list[str], list[list[str]]]:
    """Header and body of the results table."""
    metrics: list[str] = []
    for impl in impls:
        for name in results.get(impl, {}):
            if name not in metrics:
                metrics.append(name)
    metrics.sort(key=lambda m: (m[:2], m))
    peers = [i for i in impls if i != OURS]
    header = ["metric", "unit", *impls]
    if OURS in impls:
        header += [f"vs {p}" for p in peers] + ["target"]
    body = []
    for metric in metrics:
        unit, higher = metric_info(metric)
        row = [metric, unit + (" (higher better)" if higher else " (lower better)")]
        row += [cell(results.get(i, {}).get(metric)) for i in impls]
        if OURS in impls:
            row += [
                ratio(metric, results.get(OURS, {}).get(metric), results.get(p, {}).get(metric))
                for p in peers
            ]
            row.append(target(metric, results))
        body.append(row)
    return header, body


def console_table(header: list[str], body: list[list[str]]) -> str:
    """A plain-text table."""
    widths = [max(len(r[i]) for r in [header, *body]) for i in range(len(header))]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in body]
    return "\n".join(lines)


def rst_table(header: list[str], body: list[list[str]]) -> str:
    """An RST grid table."""
    widths = [max(len(r[i]) for r in [header, *body]) for i in range(len(header))]
    sep = "+" + "+".join("-" * (w + 2) for w in widths) + "+"
    head = "+" + "+".join("=" * (w + 2) for w in widths) + "+"

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    out = [sep, line(header), head]
    for r in body:
        out += [line(r), sep]
    return "\n".join(out)


def rst_block(saved: dict[str, Any], source: str) -> str:
    """The generated part of docs/performance.rst, made from a saved record.

    :param source: the record's path as shown in the docs.
    """
    results: Results = saved["results"]
    impls: list[str] = [i for i in saved["impls"] if i in results]
    info = saved["machine"]
    header, body = rows(results, impls)
    command = saved["command"].split(" --note ")[0]  # the notes are listed below
    lines = [
        START,
        "",
        f"Measured {info['date']} with ``{command}`` ({saved['runs']} run(s) per",
        "workload; each cell is the median with the min-max range in brackets; the ratio",
        "columns say how many times better indiflask's median is, so above 1 means indiflask",
        f"wins). Generated from ``{source}`` by ``python bench/run.py --docs-from {source}``.",
        "",
        f"* Machine: {info['nproc']} CPUs, {info['cpu']}, {info['system']}",
        f"* Python {info['python']}",
    ]
    lines += [f"* {name}: {version}" for name, version in saved["versions"].items()]
    lines += [f"* {name} settings: ``{how}``" for name, how in saved.get("settings", {}).items()]
    for key, reason in saved.get("failures", {}).items():
        first = reason.splitlines()[0] if reason else ""
        lines.append(f"* Failed or skipped: {key}: {first}")
    lines += [f"* {note}" for note in saved.get("notes", [])]
    lines += ["", rst_table(header, body), "", END]
    return "\n".join(lines)


def write_docs(path: Path, block: str) -> None:
    """Replace the generated block in ``path`` (which must contain the markers)."""
    text = path.read_text(encoding="utf-8")
    pattern = re.compile(re.escape(START) + r".*?" + re.escape(END), re.S)
    if not pattern.search(text):
        raise ValueError(f"{path} has no '{START}' ... '{END}' block")
    path.write_text(pattern.sub(lambda _m: block, text), encoding="utf-8")
