"""Switch an LED and report a temperature over INDI.

Run it:   indiflask run examples/led.py        (an INDI server on 127.0.0.1:7624)
Off a Raspberry Pi, use gpiozero's mock pins:  GPIOZERO_PIN_FACTORY=mock indiflask run ...
"""

import asyncio
import math
import time

from gpiozero import LED

from indiflask import App, Number, Reject

app = App("LED Driver", device="led")  # driver name; default device name


def read_sensor() -> float:
    """The CPU temperature on a Raspberry Pi; a gentle simulated drift elsewhere."""
    try:
        with open("/sys/class/thermal/thermal_zone0/temp") as fh:
            return int(fh.read().strip()) / 1000
    except (OSError, ValueError):
        return 20.0 + 2.0 * math.sin(time.monotonic() / 60)


@app.on_start
def open_hardware():
    app.hw.led = LED(17)  # app.hw: a namespace for your hardware handles


@app.on_stop
def close_hardware():
    app.hw.led.close()


# A writable property: the decorated function handles clients' new values.
@app.switch(
    "LED", label="LED", group="Control", rule="OneOfMany", members={"ON": False, "OFF": True}
)
def led(change):  # change: mapping member -> requested value
    app.hw.led.value = change["ON"]  # switches are bools in Python, On/Off on the wire


# A read-only property: no handler, so the declaration is a plain call.
temperature = app.number(
    "TEMPERATURE",
    label="Temperature",
    group="Status",
    perm="ro",
    members=[Number("TEMP", label="deg C", format="%6.2f", min=-40, max=150, value=0)],
)


@app.number("EXPOSURE", members=[Number("SECONDS", format="%.1f", min=0, max=3600, value=1)])
async def exposure(change):
    if change["SECONDS"] > 600:
        raise Reject("longer than 10 minutes needs the dark slide")  # state Alert, values kept
    exposure.state = "Busy"
    exposure.send()  # clients see Busy while the work runs
    await asyncio.sleep(change["SECONDS"])  # the exposure itself
    # on return: the new values are applied, state Ok, sent


@app.hardware(every=1.0)
def poll():
    temperature["TEMP"] = read_sensor()
    temperature.send()  # setNumberVector with the new value
