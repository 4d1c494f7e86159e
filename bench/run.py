"""Benchmark indiflask against libindi's indiserver and indipydriver, in one run.

::

    python bench/run.py                        # everything, 3 runs, writes docs/performance.rst
    python bench/run.py --docs-from bench/results/latest.json   # docs from a saved record
    python bench/run.py --quick                # smaller sizes, 1 run, docs untouched
    python bench/run.py --only W1,W2 --impl indiflask,indiserver --runs 5

Each implementation serves the same device (bench/drivers/) and is measured by
the same black-box load generator (bench/harness/). See docs/performance.rst.
"""

from __future__ import annotations

import argparse
import json
import resource
import shlex
import sys
import time
from dataclasses import asdict, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.harness import impls as impls_mod  # noqa: E402
from bench.harness import report  # noqa: E402
from bench.harness.workloads import WORKLOADS, BenchError, Sizes  # noqa: E402

FULL = Sizes()
QUICK = Sizes(
    flood_n=5_000,
    roundtrips=500,
    blob_count=4,
    blob_size=4 * 2**20,
    storm_clients=50,
    idle_clients=300,
    many_drivers=8,
    many_clients=20,
    many_flood_n=1_000,
    timeout=120.0,
    flood_cap=20.0,
)
#: Tiny sizes for the test suite: checks that everything is delivered, not speed.
SMOKE = Sizes(
    flood_n=300,
    fanout=(1, 3),
    roundtrips=30,
    warmup=5,
    blob_count=2,
    blob_size=100_000,
    storm_clients=12,
    idle_clients=20,
    many_drivers=3,
    many_clients=4,
    many_flood_n=100,
    workers=2,
    timeout=30.0,
    verify=True,
)
DOCS = ROOT / "docs" / "performance.rst"
#: The record the docs are made from (committed), and the last other run's (not).
LATEST = ROOT / "bench" / "results" / "latest.json"
LAST_RUN = ROOT / "bench" / "results" / "last-run.json"


def raise_fd_limit(want: int = 16_384) -> int:
    """Raise the soft open-files limit (inherited by the servers); return it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = want if hard == resource.RLIM_INFINITY else min(want, hard)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        soft = target
    return soft


def run_all(
    impl_names: list[str],
    workloads: list[str],
    sizes: Sizes,
    runs: int,
    log=print,
    *,
    install: bool = True,
    workdir: Path | None = None,
    prepared_out: list[impls_mod.Impl] | None = None,
) -> tuple[report.Results, dict[str, str], dict[str, str]]:
    """Run ``workloads`` ``runs`` times for every implementation.

    Implementations alternate inside each run, so slow drifts of a shared
    machine hit all of them alike. Returns results, versions and failures;
    the prepared implementations are appended to ``prepared_out`` if given.
    """
    fds = raise_fd_limit()
    if fds < sizes.idle_clients + 200:
        sizes = replace(sizes, idle_clients=max(10, fds - 200))
        log(f"open-files limit {fds}: W5 uses {sizes.idle_clients} clients")
    prepared = impls_mod.make_impls(impl_names, workdir, install=install)
    if prepared_out is not None:
        prepared_out.extend(prepared)
    results: report.Results = {i.name: {} for i in prepared}
    failures: dict[str, str] = {}
    versions = {i.name: i.version for i in prepared if not i.unavailable}
    for impl in prepared:
        if impl.unavailable:
            log(f"skipping {impl.name}: {impl.unavailable}")
            failures[impl.name] = impl.unavailable
    for run in range(runs):
        for workload in workloads:
            for impl in prepared:
                key = f"{impl.name} {workload}"
                if impl.unavailable or key in failures:
                    continue
                started = time.monotonic()
                try:
                    metrics = WORKLOADS[workload](impl, sizes)
                except (BenchError, RuntimeError, OSError) as exc:
                    failures[key] = str(exc)
                    log(f"run {run + 1}/{runs} {key}: FAILED: {exc}")
                    continue
                for name, value in metrics.items():
                    results[impl.name].setdefault(name, []).append(value)
                shown = ", ".join(f"{k} {v:,.3f}" for k, v in metrics.items())
                log(f"run {run + 1}/{runs} {key}: {shown}  ({time.monotonic() - started:.1f} s)")
    return results, versions, failures


def write_docs_from(path: Path) -> None:
    """Regenerate docs/performance.rst's results block from a saved record."""
    saved = json.loads(path.read_text())
    try:
        shown = path.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        shown = path.name
    report.write_docs(DOCS, report.rst_block(saved, shown))
    print(f"wrote {DOCS.relative_to(ROOT)} from {shown}")


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=None, help="runs per workload (3; quick: 1)")
    parser.add_argument("--quick", action="store_true", help="smaller sizes; docs untouched")
    parser.add_argument("--only", default=",".join(WORKLOADS), help="e.g. W1,W2")
    parser.add_argument(
        "--impl", default=",".join(impls_mod.NAMES), help="e.g. indiflask,indiserver"
    )
    parser.add_argument(
        "--docs",
        choices=("auto", "yes", "no"),
        default="auto",
        help="write docs/performance.rst (auto: full runs of everything only)",
    )
    parser.add_argument(
        "--json",
        type=Path,
        help=f"where to save the record (default: {LATEST.relative_to(ROOT)} for a run that "
        f"writes the docs, else {LAST_RUN.relative_to(ROOT)})",
    )
    parser.add_argument(
        "--note", action="append", default=[], help="a line for the docs' machine list (repeatable)"
    )
    parser.add_argument(
        "--docs-from",
        "--from-json",
        dest="docs_from",
        type=Path,
        metavar="PATH",
        help="measure nothing: print and write docs/performance.rst from a saved record",
    )
    args = parser.parse_args(argv)
    if args.docs_from:
        saved = json.loads(args.docs_from.read_text())
        header, body = report.rows(saved["results"], saved["impls"])
        print(report.console_table(header, body))
        write_docs_from(args.docs_from)
        return 0
    workloads = [w.strip().upper() for w in args.only.split(",") if w.strip()]
    names = [n.strip() for n in args.impl.split(",") if n.strip()]
    bad = [w for w in workloads if w not in WORKLOADS] + [
        n for n in names if n not in impls_mod.NAMES
    ]
    if bad:
        parser.error(f"unknown workload or implementation: {', '.join(bad)}")
    sizes = QUICK if args.quick else FULL
    runs = args.runs or (1 if args.quick else 3)
    everything = set(workloads) == set(WORKLOADS) and set(names) == set(impls_mod.NAMES)
    docs = args.docs == "yes" or (args.docs == "auto" and everything and not args.quick)

    prepared: list[impls_mod.Impl] = []
    results, versions, failures = run_all(names, workloads, sizes, runs, prepared_out=prepared)
    header, body = report.rows(results, names)
    print()
    print(report.console_table(header, body))
    for key, reason in failures.items():
        print(f"FAILED {key}: {reason.splitlines()[0] if reason else ''}")
    given = list(argv if argv is not None else sys.argv[1:])
    command = shlex.join(["python", "bench/run.py", *given])
    packages: dict[str, str] = {}
    for impl in prepared:
        packages.update(impl.packages)
    saved = report.record(
        results,
        failures,
        impls=names,
        versions=versions,
        packages=packages,
        settings={i.name: i.settings() for i in prepared if not i.unavailable},
        sizes=asdict(sizes),
        runs=runs,
        command=command.strip(),
        notes=args.note,
    )
    path = args.json or (LATEST if docs else LAST_RUN)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(saved, indent=1) + "\n")
    print(f"saved {path}")
    if docs:
        write_docs_from(path)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
