"""The client, ``indiflask get`` and ``indiflask set`` against libindi's indiserver and simulators.

``indiflask get`` output is compared line by line with ``indi_getprop``'s for
the same server; the client slews the telescope simulator and takes a CCD
simulator exposure, receiving the FITS file.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from interop_kit import LibIndiServer, tool

from indiflask.client import Client

pytestmark = pytest.mark.interop

TEL, CCD = "Telescope Simulator", "CCD Simulator"


def ours(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "indiflask", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def by_device(out: str) -> dict[str, list[str]]:
    """Lines per device, in order: two drivers answer concurrently, so only the
    interleaving of different devices may differ between two runs."""
    lines: dict[str, list[str]] = {}
    for line in out.splitlines():
        lines.setdefault(line.split(".", 1)[0], []).append(line)
    return lines


def test_get_matches_indi_getprop(libindi: Callable[..., LibIndiServer]) -> None:
    """Both tools, one after the other, on the same server, print the same lines.

    The telescope simulator answers a ``getProperties`` in two batches; with
    wildcards both tools stop after ``-t`` seconds without a definition, and on a
    busy machine the gap between the batches can be longer than that, so one
    tool would print only the first batch. So ``-t`` is generous, and a query
    whose outputs differ is asked again (three times at most): a difference in
    how we print shows every time, a late batch does not.
    """
    server = libindi("indi_simulator_telescope", "indi_simulator_ccd")
    port = str(server.port)
    queries = [
        [f"{TEL}.*.*"],
        [f"{CCD}.*.*", f"{TEL}.CONNECTION._STATE"],
        ["*.CONNECTION.*", f"{CCD}.*._PERM", f"{TEL}.*._TO"],
        ["-1", f"{TEL}.CONNECTION.DISCONNECT"],
        [f"{TEL}.NO_SUCH.X"],
    ]
    for query in queries:
        for _attempt in range(3):
            theirs = tool("indi_getprop", "-t", "3", "-h", "localhost", "-p", port, *query)
            mine = ours("get", "-t", "3", "-H", "localhost", "-p", port, *query)
            same = (
                by_device(mine.stdout) == by_device(theirs.stdout)
                and mine.returncode == theirs.returncode
                and mine.stderr == theirs.stderr
            )
            if same:
                break
        assert by_device(mine.stdout) == by_device(theirs.stdout), query
        assert mine.returncode == theirs.returncode, query
        assert mine.stderr == theirs.stderr, query
    assert len(theirs.stderr) > 0  # the last query matched nothing: both said so alike


def test_set_like_indi_setprop(libindi: Callable[..., LibIndiServer]) -> None:
    server = libindi("indi_simulator_telescope")
    port = str(server.port)
    mine = ours("set", "-p", port, f"{TEL}.CONNECTION.CONNECT=On")
    assert mine.returncode == 0, mine.stderr
    check = tool("indi_getprop", "-p", port, "-1", f"{TEL}.CONNECTION.CONNECT")
    assert check.stdout == "On\n"
    assert tool("indi_setprop", "-p", port, f"{TEL}.CONNECTION.DISCONNECT=On").returncode == 0
    mine = ours("get", "-p", port, "-1", f"{TEL}.CONNECTION.CONNECT")
    assert mine.stdout in ("On\n", "Off\n")
    # refused locally as indi_setprop does: an unknown member
    theirs = tool("indi_setprop", "-t", "1", "-p", port, f"{TEL}.CONNECTION.NOPE=On")
    mine = ours("set", "-t", "1", "-p", port, f"{TEL}.CONNECTION.NOPE=On")
    assert theirs.returncode == mine.returncode == 1
    assert "no member 'NOPE'" in mine.stderr


def test_slew_and_expose(libindi: Callable[..., LibIndiServer], tmp_path: Path) -> None:
    server = libindi("indi_simulator_telescope", "indi_simulator_ccd")

    async def main() -> None:
        async with Client("127.0.0.1", server.port, blob_dir=tmp_path) as c:
            await c.set(TEL, "CONNECTION", CONNECT=True, check=True)
            await c.set(CCD, "CONNECTION", CONNECT=True, check=True)
            await c.wait_for(TEL, "TELESCOPE_PARK", timeout=60)
            await c.set(TEL, "TELESCOPE_PARK", UNPARK=True, wait="done", timeout=60)
            await c.set(TEL, "ON_COORD_SET", SLEW=True, check=True)
            eq = await c.wait_for(TEL, "EQUATORIAL_EOD_COORD", timeout=60)
            target_ra = (eq["RA"] + 0.05) % 24
            target_dec = 20.0
            await c.set(TEL, "EQUATORIAL_EOD_COORD", RA=target_ra, DEC="20:00:00", check=True)
            await c.wait_for_state(TEL, "EQUATORIAL_EOD_COORD", "Ok", timeout=120)
            assert eq["RA"] == pytest.approx(target_ra, abs=0.01)
            assert eq["DEC"] == pytest.approx(target_dec, abs=0.01)
            assert eq.formatted("DEC").strip().startswith("20:")

            await c.wait_for(CCD, "CCD_EXPOSURE", timeout=60)
            await c.enable_blob(CCD, "Also")
            with c.updates(CCD, "CCD1") as sub:
                await c.set(CCD, "CCD_EXPOSURE", CCD_EXPOSURE_VALUE=0.2, check=True)
                update = await sub.get(timeout=60)
                while update.kind != "set":
                    update = await sub.get(timeout=60)
            data = update["CCD1"]
            assert data.startswith(b"SIMPLE  =")
            assert len(data) % 2880 == 0
            [path] = update.paths
            assert path.name.startswith(f"{CCD}.CCD1.CCD1.fits")
            assert path.read_bytes() == data
            assert c[CCD]["CCD1"]["CCD1"] == data

    asyncio.run(main())
