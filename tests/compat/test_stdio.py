"""``await driver.asyncrun()``: an IPyDriver as a stdin/stdout driver (as indiserver runs it)."""

from __future__ import annotations

import subprocess
import sys

from compat_kit import EXAMPLES

SCRIPT = """
import asyncio, sys
sys.path.insert(0, sys.argv[1])
import led

async def hardware():
    print("stray print")

driver = led.make_driver("led", 17)
driver.hardware = hardware
asyncio.run(driver.asyncrun())
"""


def test_led_driver_on_stdio() -> None:
    stdin = (
        b'<getProperties version="1.7"/>'
        b'<newSwitchVector device="led" name="ledvector">'
        b'<oneSwitch name="ledmember">On</oneSwitch></newSwitchVector>'
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, str(EXAMPLES)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    out, err = proc.communicate(stdin, timeout=20)
    assert proc.returncode == 0, err.decode()
    assert out.startswith(b"<defSwitchVector"), out
    assert b'device="led"' in out and b"<setSwitchVector" in out
    assert b'<oneSwitch name="ledmember">On</oneSwitch>' in out.split(b"<setSwitchVector")[1]
    assert b"stray print" not in out and b"stray print" in err
