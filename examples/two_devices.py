"""One driver, several devices: a dome, a roof light, and two dew heaters from one template.

Run it:   GPIOZERO_PIN_FACTORY=mock indiflask run examples/two_devices.py   (off a Raspberry Pi)
Then:     indi_getprop 'Dome.*.*' 'Roof Light.*.*'
          indi_setprop 'Roof Light.LIGHT.ON=On'
Under indiserver:  indiflask shim examples/two_devices.py indi_flask_observatory --dir ~/bin
                   indiserver ~/bin/indi_flask_observatory      (an absolute path)

* ``App(..., device="Dome")`` makes "Dome" the default device: ``app.switch(...)``
  declares on it. Its SHUTTER is a plain property, not libindi's DOME_SHUTTER:
  this "Dome" is no dome interface for KStars/Ekos (``examples/roof.py`` is).
* ``app.device("Roof Light")`` is a second device with the same declaration
  methods; its LED is a gpiozero ``LED`` (use mock pins off a Pi).
* A :class:`~indiflask.DeviceTemplate` is declared once and registered under two
  names; its handlers find their own device through ``change.device``, and its
  hardware functions receive the device.
"""

import asyncio

from gpiozero import LED

from indiflask import App, DeviceTemplate, Number, Switch

app = App("Observatory", device="Dome")

SHUTTER_SECONDS = 2.0  # how long the simulated shutter takes to open or close

# ------------------------------------------------------------------ the dome
shutter_state = app.text(
    "SHUTTER_STATUS", label="Shutter", group="Main Control", perm="ro", members={"STATUS": "closed"}
)


@app.switch(
    "SHUTTER",
    label="Shutter",
    group="Main Control",
    timeout=10,
    members=[
        Switch("SHUTTER_OPEN", label="Open"),
        Switch("SHUTTER_CLOSE", label="Close", value=True),
    ],
)
async def shutter(change):
    wanted = "open" if change["SHUTTER_OPEN"] else "closed"
    if shutter_state["STATUS"] == wanted:
        return
    shutter.state = "Busy"
    shutter.send()
    shutter_state["STATUS"] = "opening" if wanted == "open" else "closing"
    shutter_state.send()
    await asyncio.sleep(SHUTTER_SECONDS)
    shutter_state["STATUS"] = wanted
    shutter_state.state = "Ok"
    shutter_state.send()


# ------------------------------------------------------------- a second device
roof = app.device("Roof Light")


@roof.switch("LIGHT", label="Light", group="Main Control", members={"ON": False, "OFF": True})
def light(change):
    app.hw.roof_led.value = change["ON"]


@app.on_start
def open_hardware():
    app.hw.roof_led = LED(27)
    app.hw.heat = {}  # dew heater power per device, as the simulated hardware sees it


@app.on_stop
def close_hardware():
    app.hw.roof_led.close()


# ------------------------------------------------ one template, two devices
heater = DeviceTemplate()


@heater.number(
    "HEATER_POWER",
    label="Power",
    group="Main Control",
    members=[Number("PERCENT", label="Power (%)", format="%3.0f", min=0, max=100)],
)
def set_power(change):
    change.device.app.hw.heat[change.device.name] = change["PERCENT"]


heater.number(
    "HEATER_TEMPERATURE",
    label="Temperature",
    group="Status",
    perm="ro",
    members=[Number("CELSIUS", label="Lens (C)", format="%5.1f", value=5)],
)


@heater.hardware(every=10.0)
def warm(device):
    """Each heater's lens settles towards ambient (5 C) plus 0.2 C per percent of power."""
    power = device.app.hw.heat.get(device.name, 0.0)
    temperature = device["HEATER_TEMPERATURE"]
    target = 5.0 + 0.2 * power
    temperature["CELSIUS"] += (target - temperature["CELSIUS"]) * 0.5
    temperature.send()


app.register(heater, device="Dew Heater 1")
app.register(heater, device="Dew Heater 2")
