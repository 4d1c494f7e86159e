"""Does the web panel keep up, and does it slow the INDI clients of the same server?

Run from the repository root (needs the dev extras and Debian's chromium)::

    python bench/web_bench.py                    # both parts, 10 s phases
    python bench/web_bench.py --seconds 20 --pages 20 --json out.json

Part 1, one page and 100 updates a second: ``indiflask run
bench/drivers/web_rate_app.py --web`` sends ``STAMP.T`` (its send time) 100
times a second; one headless Chromium page shows it. In the page, a
MutationObserver notes how late each shown value is, a requestAnimationFrame
loop counts frames and the longest gap between two, and a PerformanceObserver
adds up long tasks (main thread busy for more than 50 ms).

Part 2, many browsers and an INDI client: the same driver and rate; an INDI
client in its own process (``python bench/web_bench.py probe``) measures the
round trip of a change (``ECHO``, answered at once) and how late the stream's
updates reach it, first with no browser, then with ``--pages`` separate headless
Chromium processes (own profiles; started directly, since Playwright would relay
every WebSocket frame of every page to this script) following the panel. The
panel's counters tell how many messages each page was sent and how many were
merged because a page fell behind; the server's and panel's CPU use is read
from /proc. Both deployments are measured:
the panel inside the INDI server's process (``indiflask run --web``) and in a
process of its own (``indiflask web``).

The browsers of part 2 run at CPU priority ``--nice`` (default 10): on a
real site they run on other machines and cost the server nothing but their
connections; ``--nice 0`` makes them compete with the server for this
machine's CPU instead (the worst case). The numbers are for this machine
only (2 cores shared by the driver, the server, the panel, the browsers and
the probe); the script asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DRIVER = ROOT / "bench" / "drivers" / "web_rate_app.py"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# installed in the page: how late each shown STAMP is, frames, long tasks
PAGE_PROBE = """
() => {
  const probe = { lags: [], frames: 0, maxGap: 0, longTasks: 0, longTaskMs: 0 };
  const out = document.querySelector('article.prop[data-name="STAMP"] output.value');
  new MutationObserver(() => {
    const sent = Number(out.textContent);
    if (Number.isFinite(sent)) probe.lags.push(Date.now() - sent);
  }).observe(out, { childList: true, characterData: true, subtree: true });
  let last = performance.now();
  const frame = (now) => {
    probe.frames += 1;
    probe.maxGap = Math.max(probe.maxGap, now - last);
    last = now;
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      probe.longTasks += 1;
      probe.longTaskMs += entry.duration;
    }
  }).observe({ type: "longtask", buffered: false });
  window.benchProbe = probe;
}
"""


def note(text: str) -> None:
    """Progress, on stderr."""
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {"n": 0}
    ordered = sorted(values)

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2)

    return {"n": len(values), "p50": at(0.5), "p95": at(0.95), "max": round(ordered[-1], 2)}


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def env(rate: float) -> dict[str, str]:
    out = {k: v for k, v in os.environ.items() if not k.startswith("INDIFLASK_")}
    out.update(PYTHONPATH=str(ROOT), WEB_BENCH_RATE=str(rate))
    return out


def wait_ready(url: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(url + "/api/properties/webbench/STAMP", timeout=2):
                return
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the panel did not start") from None
            time.sleep(0.1)


class Stack:
    """The driver's server and its panel: one process (``run --web``) or two."""

    def __init__(self, mode: str, rate: float) -> None:
        self.mode = mode
        self.indi_port, self.web_port = free_port(), free_port()
        run = [
            sys.executable,
            "-m",
            "indiflask",
            "run",
            str(DRIVER),
            "--port",
            str(self.indi_port),
            "--log-level",
            "warning",
        ]
        if mode == "same":
            run += ["--web", str(self.web_port)]
        self.procs = [subprocess.Popen(run, cwd=ROOT, env=env(rate))]
        if mode == "separate":
            time.sleep(1.0)
            self.procs.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "indiflask",
                        "web",
                        "--indi",
                        f"127.0.0.1:{self.indi_port}",
                        "--port",
                        str(self.web_port),
                        "--log-level",
                        "warning",
                    ],
                    cwd=ROOT,
                    env=env(rate),
                )
            )
        self.url = f"http://127.0.0.1:{self.web_port}"
        wait_ready(self.url, self.procs[-1])

    def cpu(self) -> list[float]:
        return [cpu_seconds(p.pid) for p in self.procs]

    def stop(self) -> None:
        for proc in reversed(self.procs):
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def open_page(context: Any, url: str) -> Any:
    page = context.new_page()
    page.goto(url + "/")
    page.wait_for_selector('article.prop[data-name="STAMP"] output.value', timeout=20_000)
    return page


def part_one(rate: float, seconds: float) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    stack = Stack("same", rate)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = open_page(browser.new_context(), stack.url)
            page.evaluate(PAGE_PROBE)
            time.sleep(seconds)
            probe = page.evaluate("window.benchProbe")
            status = json.loads(urllib.request.urlopen(stack.url + "/api/status").read())
            browser.close()
    finally:
        stack.stop()
    return {
        "rate_sent_per_s": rate,
        "seconds": seconds,
        "shown_per_s": round(len(probe["lags"]) / seconds, 1),
        "shown_lag_ms": percentiles(probe["lags"]),
        "frames_per_s": round(probe["frames"] / seconds, 1),
        "longest_frame_gap_ms": round(probe["maxGap"], 1),
        "long_tasks": probe["longTasks"],
        "long_task_ms": round(probe["longTaskMs"], 1),
        "panel_messages_merged": status["coalesced"],
    }


def probe_main(port: int, seconds: float) -> None:
    """The INDI client of part 2 (run in its own process): prints one JSON line."""
    from indiflask.client import Client

    async def main() -> dict[str, Any]:
        lags: list[float] = []
        rtts: list[float] = []
        async with Client("127.0.0.1", port) as client:
            await client.wait_for("webbench", "ECHO", timeout=10)
            sub = client.updates("webbench", "STAMP")
            end = time.monotonic() + seconds
            n = 0
            received = 0

            async def follow() -> None:
                nonlocal received
                async for update in sub:
                    if update.kind == "set" and "T" in update:
                        received += 1
                        lags.append(time.time() * 1000.0 - update["T"])

            follower = asyncio.ensure_future(follow())
            while time.monotonic() < end:
                n += 1
                started = time.perf_counter()
                await client.set("webbench", "ECHO", N=n, timeout=10)
                rtts.append((time.perf_counter() - started) * 1000.0)
                await asyncio.sleep(0.02)
            follower.cancel()
            sub.close()
        return {
            "echo_rtt_ms": percentiles(rtts),
            "update_lag_ms": percentiles(lags),
            "updates_per_s": round(received / seconds, 1),
        }

    print(json.dumps(asyncio.run(main())))


def start_browsers(count: int, url: str, folder: Path, nice: int) -> list[subprocess.Popen[bytes]]:
    """``count`` separate headless Chromium processes, each with its own profile, on ``url``.

    With ``nice`` > 0 they run at that lower CPU priority, standing in for browsers on
    other machines (which cost the server nothing but their connections).
    """
    browsers = []
    for n in range(count):
        profile = folder / f"profile-{n}"
        profile.mkdir()
        browsers.append(
            subprocess.Popen(
                [
                    CHROMIUM,
                    *CHROMIUM_ARGS,
                    f"--user-data-dir={profile}",
                    "--window-size=1280,800",
                    url + "/",
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,  # /usr/bin/chromium is a script: stop its whole group
            )
        )
        _lower_autogroup(browsers[-1].pid, nice)
    return browsers


def _lower_autogroup(pid: int, nice: int) -> None:
    """With Linux's autogroup scheduling, a new session competes as one group whatever
    its processes' nice values: lower the group itself (root only; else left as it is)."""
    with contextlib.suppress(OSError):
        Path(f"/proc/{pid}/autogroup").write_text(str(nice))


def stop_browsers(browsers: list[subprocess.Popen[bytes]]) -> None:
    """Stop the browsers started here, each with every process of its own group."""
    for browser in browsers:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(browser.pid, signal.SIGTERM)
    for browser in browsers:
        try:
            browser.wait(10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(browser.pid, signal.SIGKILL)
            browser.wait()


def panel_status(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(url + "/api/status", timeout=10) as answer:
        return json.loads(answer.read())  # type: ignore[no-any-return]


def measure(stack: Stack, count: int, seconds: float, rate: float, nice: int) -> dict[str, Any]:
    """The probe's numbers with ``count`` browsers following the panel."""
    import tempfile

    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as folder:
        note(f"{stack.mode}: starting {count} browsers")
        browsers = start_browsers(count, stack.url, Path(folder), nice)
        try:
            deadline = time.monotonic() + 300
            while panel_status(stack.url)["pages"] < count:
                if time.monotonic() > deadline:
                    raise RuntimeError("the browsers did not all connect")
                time.sleep(0.5)
            time.sleep(2.0)
            note(f"{stack.mode}: {count} pages connected; probing for {seconds} s")
            before, cpu_before, started = panel_status(stack.url), stack.cpu(), time.monotonic()
            probe = subprocess.run(
                [sys.executable, __file__, "probe", "--port", str(stack.indi_port),
                 "--seconds", str(seconds)],
                capture_output=True, text=True, check=True, cwd=ROOT, env=env(rate),
            )  # fmt: skip
            span = time.monotonic() - started
            after, cpu_after = panel_status(stack.url), stack.cpu()
        finally:
            stop_browsers(browsers)
    cpu = [round((b - a) / span * 100, 1) for a, b in zip(cpu_before, cpu_after, strict=True)]
    result = {
        **json.loads(probe.stdout),
        "cpu_percent": dict(zip(["server", "panel"][: len(cpu)], cpu, strict=True)),
        "pages": after["pages"],
        "page_reconnections": after["connections"] - before["connections"],
        "ws_messages_per_page_per_s": round(
            (after["sent"] - before["sent"]) / max(count, 1) / span, 1
        ),
        "ws_updates_merged_per_s": round((after["coalesced"] - before["coalesced"]) / span, 1),
    }
    note(f"{stack.mode}, {count} pages: {json.dumps(result)}")
    return result


def part_two(rate: float, seconds: float, pages: int, mode: str, nice: int) -> dict[str, Any]:
    """An INDI client's numbers with no browser, then with ``pages`` browsers following."""
    stack = Stack(mode, rate)
    try:
        return {
            "mode": mode,
            "browser_nice": nice,
            "0_pages": measure(stack, 0, seconds, rate, nice),
            f"{pages}_pages": measure(stack, pages, seconds, rate, nice),
        }
    finally:
        stack.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command")
    probe = sub.add_parser("probe")
    probe.add_argument("--port", type=int, required=True)
    probe.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rate", type=float, default=100.0)
    parser.add_argument("--pages", type=int, default=20)
    parser.add_argument(
        "--nice",
        type=int,
        default=10,
        help="CPU priority of the part 2 browsers (10: mostly out of the server's way, as "
        "browsers on other machines would be; 0: compete with it)",
    )
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    if args.command == "probe":
        probe_main(args.port, args.seconds)
        return
    results = {
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
        "one_page": part_one(args.rate, args.seconds),
        "many_pages_same_process": part_two(args.rate, args.seconds, args.pages, "same", args.nice),
        "many_pages_separate_process": part_two(
            args.rate, args.seconds, args.pages, "separate", args.nice
        ),
    }
    text = json.dumps(results, indent=2)
    print(text)
    if args.json is not None:
        args.json.write_text(text + "\n")


if __name__ == "__main__":
    main()
