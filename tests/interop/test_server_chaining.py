"""Chaining with libindi's indiserver in both directions, and rejoining a lost remote."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from interop_kit import LibIndiServer, ServerThread, free_port, tool

from indiflask.server import Server

sys.path.insert(0, str(Path(__file__).parent.parent / "server"))
from serverkit import EchoDriver

pytestmark = pytest.mark.interop

TELESCOPE = "Telescope Simulator"


def test_our_server_chains_to_libindi(
    libindi: Callable[..., LibIndiServer], ours: Callable[[Server], ServerThread]
) -> None:
    upstream = libindi("indi_simulator_telescope")
    server = Server(EchoDriver("AppEcho"), port=0)
    server.add_remote("127.0.0.1", upstream.port)
    srv = ours(server)
    p = str(srv.port)
    r = tool("indi_getprop", "-p", p, "-t", "60", f"{TELESCOPE}.CONNECTION.CONNECT")
    assert r.returncode == 0 and r.stdout.strip().endswith("=Off"), r.stderr
    r = tool("indi_setprop", "-p", p, "-t", "60", f"{TELESCOPE}.CONNECTION.CONNECT=On")
    assert r.returncode == 0, r.stderr
    # the change went through us to libindi: seen directly on the upstream server
    r = tool(
        "indi_eval",
        "-p",
        str(upstream.port),
        "-t",
        "10",
        "-w",
        f'"{TELESCOPE}.CONNECTION.CONNECT"==1',
    )
    assert r.returncode == 0, r.stderr
    r = tool("indi_getprop", "-p", p, "-t", "60", "AppEcho.VALUES.X")
    assert r.stdout.strip() == "AppEcho.VALUES.X=0", r.stderr


def test_libindi_chains_to_our_server(
    libindi: Callable[..., LibIndiServer], ours: Callable[[Server], ServerThread]
) -> None:
    app = EchoDriver("AppEcho")
    srv = ours(Server(app, port=0))
    downstream = libindi(f"AppEcho@127.0.0.1:{srv.port}")
    p = str(downstream.port)
    r = tool("indi_getprop", "-p", p, "-t", "60", "AppEcho.VALUES.X")
    assert r.returncode == 0 and r.stdout.strip() == "AppEcho.VALUES.X=0", r.stderr
    r = tool("indi_setprop", "-p", p, "-t", "60", "AppEcho.VALUES.X=3.5")
    assert r.returncode == 0, r.stderr
    r = tool("indi_eval", "-p", p, "-t", "60", "-w", '"AppEcho.VALUES.X"==3.5')
    assert r.returncode == 0, r.stderr
    assert app.x == 3.5


def test_remote_stopped_and_restarted_is_rejoined(
    libindi: Callable[..., LibIndiServer], ours: Callable[[Server], ServerThread]
) -> None:
    port = free_port()
    upstream = libindi("indi_simulator_telescope", port=port)
    server = Server(port=0)
    server.add_remote("127.0.0.1", port, device=TELESCOPE)
    srv = ours(server)
    p = str(srv.port)
    r = tool("indi_getprop", "-p", p, "-t", "60", f"{TELESCOPE}.CONNECTION.CONNECT")
    assert r.returncode == 0, r.stderr
    upstream.stop()
    deadline = time.monotonic() + 60
    while server.router.owner(TELESCOPE) is not None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.router.owner(TELESCOPE) is None  # its devices were deleted
    r = tool("indi_getprop", "-p", p, "-t", "1", f"{TELESCOPE}.CONNECTION.CONNECT")
    assert r.returncode != 0
    upstream.start()  # same port
    r = tool("indi_getprop", "-p", p, "-t", "60", f"{TELESCOPE}.CONNECTION.CONNECT")
    assert r.returncode == 0 and r.stdout.strip().endswith("=Off"), r.stderr
    assert server._remotes[0].connections == 2
