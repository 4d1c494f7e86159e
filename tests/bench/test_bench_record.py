"""The saved record of a bench run, and the docs table made from it (no measuring)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.harness import report  # noqa: E402


def _saved() -> dict[str, object]:
    results = {
        "indiflask": {"W1 K=1": [140_000.0, 150_000.0], "W5 per client": [3.5]},
        "indiserver": {"W1 K=1": [13_000.0, 14_000.0], "W5 per client": [0.3]},
    }
    return report.record(
        results,
        {"indipydriver": "not installed"},
        impls=["indiflask", "indiserver", "indipydriver"],
        versions={"indiflask": "0.1.0", "indiserver": "indi-bin 1.9.9"},
        packages={"indiflask": "0.1.0", "indi-bin": "1.9.9"},
        settings={"indiflask": "python -m indiflask run app.py --port PORT"},
        sizes={"flood_n": 20_000},
        runs=2,
        command="python bench/run.py",
        notes=["a note"],
    )


def test_record_names_machine_versions_and_settings() -> None:
    saved = json.loads(json.dumps(_saved()))
    machine = saved["machine"]
    for key in ("date", "cpu", "nproc", "kernel", "python"):
        assert machine[key]
    assert saved["packages"]["indi-bin"] == "1.9.9"
    assert "--port PORT" in saved["settings"]["indiflask"]


def test_docs_block_is_made_from_the_record(tmp_path: Path) -> None:
    saved = json.loads(json.dumps(_saved()))
    block = report.rst_block(saved, "bench/results/latest.json")
    assert "--docs-from bench/results/latest.json" in block
    assert "10.74x" in block  # 145,000 / 13,500
    assert "10x indiserver: met" in block
    assert "<= 4.00: met" in block
    assert "Failed or skipped: indipydriver: not installed" in block
    page = tmp_path / "performance.rst"
    page.write_text(f"Title\n=====\n\n{report.START}\nold\n{report.END}\n\nafter\n")
    report.write_docs(page, block)
    text = page.read_text()
    assert "old" not in text and text.endswith("after\n") and "a note" in text
