"""INDI Web Manager (``indiweb``) drives our server as it drives libindi's indiserver.

INDI Web Manager starts ``indiserver -p PORT -m 1000 -v -f FIFO -u SOCK`` from
``PATH`` and writes ``start DRIVER -n "LABEL"`` lines into the FIFO. Here a
temporary directory holding a link named ``indiserver`` to our
``indiflask-indiserver`` comes first on its ``PATH``; a profile is created and
started through its HTTP API, and the simulators' properties are then read
from our server with our client.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from indiserver_kit import TIMEOUT
from interop_kit import free_port, needs_indiserver, wait_port

from indiflask.client import Client

pytestmark = [
    pytest.mark.interop,
    pytest.mark.slow,
    needs_indiserver,
    pytest.mark.skipif(
        importlib.util.find_spec("indiweb") is None, reason="indiweb is not installed"
    ),
]

PROFILE = "indiflask test"


def http(port: int, method: str, path: str, body: Any = None) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{urllib.parse.quote(path)}",
        data=data,
        method=method,
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
        return json.loads(response.read() or b"null")


def our_servers(port: int, bindir: Path) -> list[int]:
    """Pids of the server indiweb started from our link (and only those)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if str(bindir / "indiserver").encode() in argv and str(port).encode() in argv:
            pids.append(int(entry.name))
    return pids


def test_indi_web_manager_starts_a_profile_on_our_server(tmp_path: Path) -> None:
    launcher = Path(sys.executable).parent / "indiflask-indiserver"
    if not launcher.exists():
        pytest.skip(f"{launcher} is not installed (pip install -e .)")
    bindir = tmp_path / "bin"
    bindir.mkdir()
    (bindir / "indiserver").symlink_to(launcher)
    web_port, indi_port = free_port(), free_port()
    env = {**os.environ, "PATH": f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}"}
    (tmp_path / "conf").mkdir()
    with open(tmp_path / "indiweb.log", "wb") as log:
        web = subprocess.Popen(
            [
                *(sys.executable, "-m", "indiweb.main", "--host", "127.0.0.1"),
                *("--port", str(web_port), "--fifo", str(tmp_path / "indififo")),
                *("--conf", str(tmp_path / "conf")),
            ],
            env=env,
            cwd=tmp_path,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=log,
            start_new_session=True,
        )
    try:
        wait_port(web_port, timeout=TIMEOUT)
        http(web_port, "POST", f"/api/profiles/{PROFILE}")
        http(web_port, "PUT", f"/api/profiles/{PROFILE}", {"port": indi_port, "autostart": 0})
        drivers = [{"label": "Telescope Simulator"}, {"label": "Focuser Simulator"}]
        http(web_port, "POST", f"/api/profiles/{PROFILE}/drivers", drivers)
        http(web_port, "POST", f"/api/server/start/{PROFILE}")
        wait_port(indi_port, timeout=TIMEOUT)

        async def read() -> dict[str, str]:
            async with Client("127.0.0.1", indi_port) as c:
                mount = await c.wait_for("Telescope Simulator", "CONNECTION", TIMEOUT)
                focuser = await c.wait_for("Focuser Simulator", "CONNECTION", TIMEOUT)
                assert mount["DISCONNECT"] is True and focuser["DISCONNECT"] is True
                await c.set("Focuser Simulator", "CONNECTION", CONNECT=True, timeout=TIMEOUT)
                await c.wait_for_state("Focuser Simulator", "CONNECTION", "Ok", TIMEOUT)
                server = next(d for d in c if d.startswith("INDI Server"))
                info = await c.wait_for(server, "SERVER_INFO", TIMEOUT)
                return {k: str(v) for k, v in info.items()}

        info = asyncio.run(read())
        assert info["LISTEN"] == f"127.0.0.1:{indi_port}"
        assert info["FIFO"] == str(tmp_path / "indififo")
        assert info["UNIX"] == f"{tmp_path / 'indififo'}_sock"
        # indiweb recognises the server as its indiserver (by process name and -p)
        status = http(web_port, "GET", "/api/server/status")
        assert status[0]["status"] == "True"
        running = http(web_port, "GET", "/api/server/drivers")
        assert {d["label"] for d in running} == {"Telescope Simulator", "Focuser Simulator"}
        http(web_port, "POST", "/api/server/stop")
        deadline = time.monotonic() + TIMEOUT
        while our_servers(indi_port, bindir) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert our_servers(indi_port, bindir) == []
    finally:
        for pid in our_servers(indi_port, bindir):  # only if the stop above failed
            with contextlib.suppress(ProcessLookupError):
                os.killpg(os.getpgid(pid), signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(web.pid, signal.SIGTERM)
        try:
            web.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(web.pid, signal.SIGKILL)
            web.wait()
