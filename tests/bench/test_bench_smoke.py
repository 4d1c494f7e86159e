"""Smoke test of the benchmark harness (bench/run.py): tiny sizes, not timed.

Checks that every workload delivers everything it should and yields sane
numbers, for indiflask and for each peer that is available here (libindi's
indiserver needs ``indiserver`` and ``cc``; indipydriver needs the venv that a
full ``python bench/run.py`` creates, which this test never downloads).
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.harness.impls import NAMES  # noqa: E402
from bench.harness.workloads import WORKLOADS  # noqa: E402
from bench.run import SMOKE, run_all  # noqa: E402

pytestmark = pytest.mark.slow


def test_harness_measures_every_workload(tmp_path: Path) -> None:
    lines: list[str] = []
    results, versions, failures = run_all(
        list(NAMES),
        list(WORKLOADS),
        SMOKE,
        1,
        log=lines.append,
        install=False,
        workdir=tmp_path,
    )
    assert "indiflask" in versions, failures
    ran = [name for name in NAMES if name in versions]
    ours = {k: v for k, v in failures.items() if k.split()[0] == "indiflask"}
    assert not ours, "\n".join(lines)
    # The peers are other projects' servers: indipyserver now and then leaves one
    # of several simultaneous clients without definitions (see docs/performance.rst).
    # A peer whose every workload fails means the harness broke for it.
    for name in ran:
        if name != "indiflask":
            assert results.get(name), "\n".join(lines)
    expected = {
        "W1 K=1",
        "W1 K=3",
        "W2 p50",
        "W2 p99",
        "W3 BLOB",
        "W3 peak RSS",
        "W4 storm",
        "W4 RSS",
        "W5 per client",
        "W6 K=1",
        "W6 p50",
        "W6 p99",
        "W7 getProperties",
        "W7 CPU",
    }
    for name in ran:
        got = results[name]
        if name != "indiflask" and any(k.split()[0] == name for k in failures):
            continue  # a peer's own intermittent failure, tolerated above
        assert set(got) == expected, (name, got)
        for metric, values in got.items():
            assert len(values) == 1, (name, metric)
            assert math.isfinite(values[0]), (name, metric, values)
            # RSS pages and clock ticks may be ~0; a peer may deliver nothing in W1's cap
            peer_flood = name != "indiflask" and metric.startswith("W1")
            if metric not in ("W5 per client", "W7 CPU") and not peer_flood:
                assert values[0] > 0, (name, metric, values)
            elif metric != "W5 per client":
                assert values[0] >= 0, (name, metric, values)
        assert got["W2 p50"][0] <= got["W2 p99"][0]
        assert got["W6 p50"][0] <= got["W6 p99"][0]
