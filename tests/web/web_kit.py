"""Helpers for the web panel's tests: serve an app with ``--web`` or a panel with
``indiflask web`` in a subprocess on free 127.0.0.1 ports, and talk HTTP to it.

Only processes started here are stopped, by their own handles.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
APPS = Path(__file__).resolve().parent / "apps"
LED = ROOT / "examples" / "led.py"
CAMERA = ROOT / "examples" / "camera.py"
KITCHEN = APPS / "webapp_kitchen.py"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("INDIFLASK_")}
    env.update({"GPIOZERO_PIN_FACTORY": "mock", "PYTHONPATH": str(ROOT)})
    env.update(extra or {})
    return env


@dataclass
class Answer:
    """An HTTP answer."""

    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def http(
    method: str,
    url: str,
    *,
    json_body: Any = None,
    data: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 30.0,
) -> Answer:
    """One HTTP request; error statuses are answers, not exceptions."""
    headers = dict(headers or {})
    if json_body is not None:
        data = json.dumps(json_body).encode()
        headers.setdefault("Content-Type", "application/json")
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=timeout) as response:
            return Answer(response.status, dict(response.headers), response.read())
    except urllib.error.HTTPError as exc:
        with exc:
            return Answer(exc.code, dict(exc.headers), exc.read())


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any) -> None:
        return None


@dataclass
class Process:
    """A subprocess that serves a panel (and maybe INDI) on 127.0.0.1."""

    argv: list[str]
    web_port: int
    env: dict[str, str] = field(default_factory=dict)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    def start(self, *, wait_connected: bool = True, timeout: float = 30.0) -> Process:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "indiflask", *self.argv],
            cwd=ROOT,
            env=_env(self.env),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        while True:
            try:
                status = http("GET", self.url + "/api/status", timeout=2).json()
                if status["connected"] or not wait_connected:
                    return self
            except (OSError, ValueError):
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{self.argv} did not start (exit {self.proc.poll()})")
            time.sleep(0.1)

    def get(self, path: str, **kw: Any) -> Answer:
        return http("GET", self.url + path, **kw)

    def post(self, path: str, body: Any, **kw: Any) -> Answer:
        return http("POST", self.url + path, json_body=body, **kw)

    def wait_for(self, device: str, name: str, timeout: float = 15.0) -> dict[str, Any]:
        """The property's JSON once the panel has it."""
        deadline = time.monotonic() + timeout
        while True:
            answer = self.get(f"/api/properties/{_q(device)}/{_q(name)}")
            if answer.status == 200:
                return answer.json()  # type: ignore[no-any-return]
            if time.monotonic() > deadline:
                raise TimeoutError(f"{device}.{name} never appeared in the panel")
            time.sleep(0.1)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


def _q(text: str) -> str:
    return urllib.request.quote(text, safe="")


def run_with_web(app: Path, *, indi_port: int | None = None, **env: str) -> Process:
    """``indiflask run APP --port P --web W`` (not started)."""
    indi = indi_port or free_port()
    web = free_port()
    argv = ["run", str(app), "--host", "127.0.0.1", "--port", str(indi), "--web", str(web)]
    process = Process(argv, web, env)
    process.indi_port = indi  # type: ignore[attr-defined]
    return process


def web_for(indi_port: int, **env: str) -> Process:
    """``indiflask web --indi 127.0.0.1:P --port W`` (not started)."""
    web = free_port()
    return Process(["web", "--indi", f"127.0.0.1:{indi_port}", "--port", str(web)], web, env)


def serve_indi(app: Path, port: int) -> subprocess.Popen[bytes]:
    """``indiflask run APP --port P`` without a panel; waits until it listens."""
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "indiflask",
            "run",
            str(app),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        cwd=ROOT,
        env=_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 20
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return proc
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("indiflask run did not start") from None
            time.sleep(0.05)


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop a process started here."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
