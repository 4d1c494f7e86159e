"""Our server with real libindi peers: simulators as exdrivers, BLOBs, chaining, snooping."""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

import pytest
from interop_kit import ServerThread, tool

from indiflask.protocol.events import (
    DefNumber,
    DefNumberVector,
    DefVector,
    Event,
    SetBLOBVector,
    SetNumberVector,
    SetSwitchVector,
)
from indiflask.protocol.values import Perm, State
from indiflask.server import Server

sys.path.insert(0, str(Path(__file__).parent.parent / "server"))
from serverkit import EchoDriver, RawClient

pytestmark = pytest.mark.interop

TELESCOPE = "Telescope Simulator"
CCD = "CCD Simulator"


class FakeMount(EchoDriver):
    """An in-process app posing as the mount the CCD simulator snoops by default."""

    def __init__(self) -> None:
        super().__init__(TELESCOPE)

    def definition(self) -> DefNumberVector:
        return DefNumberVector(
            device=TELESCOPE,
            name="EQUATORIAL_EOD_COORD",
            state=State.OK,
            perm=Perm.RW,
            members=(
                DefNumber(name="RA", format="%010.6m", value=5.5),
                DefNumber(name="DEC", format="%010.6m", value=20.0),
            ),
        )


def test_simulators_as_exdrivers_with_libindi_tools(ours: type) -> None:
    server = Server(port=0)
    for sim in ("indi_simulator_telescope", "indi_simulator_ccd", "indi_simulator_focus"):
        server.add_exdriver(sim)
    srv: ServerThread = ours(server)  # type: ignore[operator]
    p = str(srv.port)
    for dev in (TELESCOPE, CCD, "Focuser Simulator"):
        r = tool("indi_getprop", "-p", p, "-t", "60", f"{dev}.CONNECTION.CONNECT")
        assert r.returncode == 0, r.stderr
        assert r.stdout.strip() == f"{dev}.CONNECTION.CONNECT=Off"
    r = tool("indi_setprop", "-p", p, "-t", "60", f"{TELESCOPE}.CONNECTION.CONNECT=On")
    assert r.returncode == 0, r.stderr
    r = tool("indi_eval", "-p", p, "-t", "60", "-w", f'"{TELESCOPE}.CONNECTION.CONNECT"==1')
    assert r.returncode == 0, r.stderr
    tool("indi_setprop", "-p", p, "-t", "60", "Focuser Simulator.CONNECTION.CONNECT=On")
    r = tool("indi_eval", "-p", p, "-t", "60", "-w", '"Focuser Simulator.CONNECTION.CONNECT"==1')
    assert r.returncode == 0, r.stderr
    r = tool("indi_getprop", "-p", p, "-t", "10", f"{TELESCOPE}.TELESCOPE_PARK.*")
    assert r.returncode == 0 and "PARK=" in r.stdout, r.stderr


def test_ccd_fits_blob_reaches_only_the_enabled_client_and_ccd_snoops_an_app(
    ours: type,
) -> None:
    """A FITS image from the CCD simulator; the CCD snoops our in-process mount."""
    mount = FakeMount()
    server = Server(mount, port=0)
    server.add_exdriver("indi_simulator_ccd")
    srv: ServerThread = ours(server)  # type: ignore[operator]

    async def main() -> tuple[bytes, int, list[Event]]:
        want = await RawClient.connect(srv.port)
        plain = await RawClient.connect(srv.port)
        for c in (want, plain):
            await c.send(f'<getProperties version="1.7" device="{CCD}"/>')
            await c.read_until(lambda e: isinstance(e, DefVector) and e.name == "CONNECTION")
        await want.send(
            f'<newSwitchVector device="{CCD}" name="CONNECTION">'
            '<oneSwitch name="CONNECT">On</oneSwitch></newSwitchVector>'
        )
        await want.read_until(
            lambda e: (
                isinstance(e, SetSwitchVector) and e.name == "CONNECTION" and e.state is State.OK
            ),
            timeout=60,
        )
        await want.read_until(
            lambda e: isinstance(e, DefVector) and e.name == "CCD_EXPOSURE", timeout=60
        )
        # our server applies the enableBLOB before it routes the change after it
        await want.send(f'<enableBLOB device="{CCD}">Also</enableBLOB>')
        await want.send(
            f'<newNumberVector device="{CCD}" name="CCD_EXPOSURE">'
            '<oneNumber name="CCD_EXPOSURE_VALUE">0.2</oneNumber></newNumberVector>'
        )
        blob = await want.read_until(lambda e: isinstance(e, SetBLOBVector), timeout=60)
        assert isinstance(blob, SetBLOBVector)
        (value,) = blob.values.values()
        # the simulator sends its BLOB, then CCD_EXPOSURE back to Ok: by then the
        # other client would have had the BLOB too
        plain.seen = others = []
        await plain.read_until(
            lambda e: (
                isinstance(e, SetNumberVector) and e.name == "CCD_EXPOSURE" and e.state is State.OK
            ),
            timeout=60,
        )
        await want.close()
        await plain.close()
        return value.data, value.size, others

    data, size, others = asyncio.run(main())
    # 1280 x 1024 16-bit pixels plus FITS header blocks; the size attribute matches
    assert len(data) == size and size % 2880 == 0 and size > 1280 * 1024 * 2
    assert data.startswith(b"SIMPLE  =")
    assert not any(isinstance(e, SetBLOBVector) for e in others)
    assert any(isinstance(e, SetNumberVector) for e in others)  # it saw the rest
    # the libindi CCD driver snooped our app's EQUATORIAL_EOD_COORD (RA 5.5 h):
    ccd_link = server._exdrivers[0].link
    assert server.router.snoops(ccd_link, TELESCOPE, "EQUATORIAL_EOD_COORD")
    header = data[: 2880 * 4].decode("ascii", "replace")
    assert "OBJCTRA" in header, header


def test_app_snoops_libindi_device_through_our_server(ours: type) -> None:
    app = EchoDriver("Watcher", snoop=TELESCOPE)
    server = Server(app, port=0)
    server.add_exdriver("indi_simulator_telescope")
    srv: ServerThread = ours(server)  # type: ignore[operator]
    # indi_setprop can exit 0 without sending when it connects while the driver is
    # still starting; wait until the simulator has defined its CONNECTION first.
    deadline = time.monotonic() + 60
    while tool(
        "indi_getprop", "-p", str(srv.port), "-t", "1", f"{TELESCOPE}.CONNECTION.CONNECT"
    ).returncode:
        assert time.monotonic() < deadline, "the telescope simulator never defined CONNECTION"
        time.sleep(0.2)
    r = tool("indi_setprop", "-p", str(srv.port), "-t", "60", f"{TELESCOPE}.CONNECTION.CONNECT=On")
    assert r.returncode == 0, r.stderr
    # A parked mount (the simulator keeps its park state between runs) sends no
    # position updates: unpark it, so it tracks and reports its coordinates.
    r = tool(
        "indi_setprop", "-p", str(srv.port), "-t", "60", f"{TELESCOPE}.TELESCOPE_PARK.UNPARK=On"
    )
    assert r.returncode == 0, r.stderr
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        fed = list(app.fed)
        if any(isinstance(e, SetNumberVector) and e.name == "EQUATORIAL_EOD_COORD" for e in fed):
            break
        time.sleep(0.1)
    seen = [(type(e).__name__, getattr(e, "device", None), getattr(e, "name", None)) for e in fed]
    assert any(isinstance(e, DefVector) and e.device == TELESCOPE for e in fed), seen[:12]
    assert any(isinstance(e, SetNumberVector) and e.name == "EQUATORIAL_EOD_COORD" for e in fed)
