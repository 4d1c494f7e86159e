"""A roll-off roof KStars/Ekos understands, that stays shut while the weather is unsafe.

Off a Raspberry Pi, use gpiozero's mock pins (the roof then simulates itself):
Run it:   GPIOZERO_PIN_FACTORY=mock indiflask run examples/roof.py examples/weather.py
Then:     indiflask set "Roll-off Roof.CONNECTION.CONNECT=On"
          indiflask set "Weather Station.CONNECTION.CONNECT=On"
          indiflask set "Roll-off Roof.DOME_PARK.UNPARK=On"       (open the roof)
In KStars: an Ekos profile with "Remote host" 127.0.0.1, port 7624; Ekos'
          Observatory opens and closes the roof (park/unpark).
Under indiserver (or a local Ekos profile):
          indiflask shim examples/roof.py indi_flask_roof --dir ~/bin
          indiserver ~/bin/indi_flask_roof             (an absolute path)

The hardware: a motor (gpiozero ``Motor``: forward opens, backward closes) and
two limit switches (gpiozero ``Button``), pressed when the roof is fully open
or fully closed. A move that reaches no limit switch in MOTION_TIMEOUT seconds
stops the motor and ends in Alert.

What Ekos reads, as libindi's roll-off roof driver defines it: a dome
(``interfaces="dome"``) without positions, whose DOME_MOTION opens with its
first switch and closes with its second, DOME_ABORT_MOTION, and DOME_PARK
(parked = closed). Ekos learns whether a roof is parked only from *updates* of
DOME_PARK, so the roof sends one as soon as it is connected, and again whenever
the limit switches change.

Safety: the roof snoops the weather station's WEATHER_STATUS (WEATHER_DEVICE,
or ``$ROOF_WEATHER_DEVICE``). It refuses to open, with Alert and a message,
while the weather is unsafe (Alert) or unknown (no station, not connected,
Idle); a warning (Busy) still lets it open. If the weather turns unsafe while
the roof is open or opening, it aborts the opening and closes.
"""

import asyncio
import os

from gpiozero import Button, Device, Motor

from indiflask import App, Reject, State
from indiflask.protocol import events as ev
from indiflask.standard import dome

app = App("Roll-off Roof", interfaces="dome")

WEATHER_DEVICE = os.environ.get("ROOF_WEATHER_DEVICE", "Weather Station")
MOTOR_PINS = (20, 21)  # forward (open), backward (close)
OPEN_LIMIT_PIN, CLOSED_LIMIT_PIN = 5, 6  # switches to ground: pressed = at that end
MOTION_TIMEOUT = 30.0  # seconds
POLL = 0.2  # seconds between looks at the limit switches
SIMULATE = os.environ.get("GPIOZERO_PIN_FACTORY") == "mock"  # mock pins: simulate the roof
TRAVEL = 5.0  # seconds the simulated roof takes from one end to the other


@app.on_start
def open_hardware():
    app.hw.motor = Motor(*MOTOR_PINS, pwm=False)
    app.hw.open_limit = Button(OPEN_LIMIT_PIN)
    app.hw.closed_limit = Button(CLOSED_LIMIT_PIN)
    app.hw.weather = None  # the weather station's overall state; None: unknown
    app.hw.stop = asyncio.Event()  # set to stop the running move (abort, bad weather)
    app.hw.reported = None  # the position DOME_PARK last told clients
    app.hw.travelled = 0.0 if SIMULATE else None  # simulated roof: 0 closed .. 1 open


@app.on_stop
def close_hardware():
    for part in (app.hw.motor, app.hw.open_limit, app.hw.closed_limit):
        part.close()


def where() -> str:
    """``"open"``, ``"closed"`` or ``"between"``, from the limit switches."""
    if app.hw.closed_limit.is_pressed:
        return "closed"
    return "open" if app.hw.open_limit.is_pressed else "between"


# -------------------------------------------------------------- properties
@app.standard(dome.DOME_PARK)
async def park(change):
    await move(opening=change["UNPARK"])
    # returning: DOME_PARK goes Ok with the switch the client asked for


@app.standard(dome.DOME_MOTION, members=dome.roof_motion())  # DOME_CW opens, DOME_CCW closes
async def motion(change):
    if not (change["DOME_CW"] or change["DOME_CCW"]):
        return None  # both Off: nothing to do
    await move(opening=change["DOME_CW"])
    park.update(PARK=not change["DOME_CW"], UNPARK=change["DOME_CW"])
    park.state = "Ok"
    park.send()
    return {"DOME_CW": False, "DOME_CCW": False}  # Ok, at rest


@app.standard(dome.DOME_ABORT_MOTION)
def abort(change):
    app.hw.stop.set()
    return {"ABORT": False}  # a push button


async def move(opening: bool) -> None:
    """Run the motor until the limit switch of that end, a timeout or a stop."""
    end = "open" if opening else "closed"
    if park.running and motion.running:  # one of them is this move, the other one is busy
        raise Reject("the roof is moving; abort first")
    if opening and app.hw.weather not in (State.OK, State.BUSY):
        known = "unknown" if app.hw.weather is None else "unsafe"
        raise Reject(f"the weather is {known} ({WEATHER_DEVICE}): the roof stays closed")
    if where() == end:
        return
    app.hw.stop.clear()
    motion.update(DOME_CW=opening, DOME_CCW=not opening)  # Ekos: CW opening, CCW closing
    park.update(PARK=not opening, UNPARK=opening)  # Ekos: Busy + UNPARK is unparking
    motion.state = park.state = "Busy"
    motion.send()
    park.send()
    if opening:
        app.hw.motor.forward()
    else:
        app.hw.motor.backward()
    waited = 0.0
    try:
        while where() != end:
            if app.hw.stop.is_set():
                raise Reject(f"stopped: the roof is {where()}")
            if waited >= MOTION_TIMEOUT:
                raise Reject(f"no limit switch after {MOTION_TIMEOUT:g} s: is the roof stuck?")
            await asyncio.sleep(POLL)
            waited += POLL
    finally:
        app.hw.motor.stop()
        app.hw.reported = where()  # this move's answer tells clients where the roof is
        motion.update(DOME_CW=False, DOME_CCW=False)
        motion.state = "Ok" if where() == end else "Alert"
        motion.send()


# ----------------------------------------------------------- limit switches
@app.on_connect
def connected():
    app.hw.reported = None  # tell the new client where the roof is, below


@app.hardware(every=POLL)
def watch():
    if app.hw.travelled is not None:
        simulate_roof()
    if not park.defined or park.running or motion.running or where() == app.hw.reported:
        return
    app.hw.reported = where()  # Ekos learns the park state only from updates like this one
    if where() == "between":
        park.state = "Alert"
        park.send("the roof is neither open nor closed")
        return
    park.update(PARK=where() == "closed", UNPARK=where() == "open")
    park.state = "Ok"
    park.send()


def simulate_roof() -> None:
    """Mock pins only: move the roof as the motor turns, and press the limit switches."""
    step = app.hw.motor.value * POLL / TRAVEL
    app.hw.travelled = min(1.0, max(0.0, app.hw.travelled + step))
    press(CLOSED_LIMIT_PIN, app.hw.travelled == 0.0)
    press(OPEN_LIMIT_PIN, app.hw.travelled == 1.0)


def press(pin: int, pressed: bool) -> None:
    """Drive a mock pin as a switch to ground would: low while pressed."""
    if pressed:
        Device.pin_factory.pin(pin).drive_low()
    else:
        Device.pin_factory.pin(pin).drive_high()


# ----------------------------------------------------------------- weather
@app.snoop(WEATHER_DEVICE, "WEATHER_STATUS")
async def weather_changed(event):
    app.hw.weather = None if event.kind == "del" else event.state
    if event.kind == "del" or app.hw.weather != State.ALERT or not park.defined:
        return
    opening = (park.running or motion.running) and motion["DOME_CW"]  # move() sets DOME_CW
    if where() == "closed" and not opening:
        return
    app.message(f"{WEATHER_DEVICE} reports unsafe weather: closing the roof")
    app.hw.stop.set()  # stop an opening move
    while park.running or motion.running:
        await asyncio.sleep(POLL)
    close = ev.NewSwitchVector(
        device=app.default_device.name, name="DOME_PARK", values={"PARK": True}
    )
    app.default_device.write(close)  # as if a client had asked: DOME_PARK runs as usual
