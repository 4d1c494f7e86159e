"""A focuser KStars/Ekos can drive: absolute and relative moves, abort, a temperature sensor.

Run it:   indiflask run examples/focuser.py            (an INDI server on 127.0.0.1:7624)
Then:     indiflask set "Focuser Simulator.CONNECTION.CONNECT=On"
          indiflask set "Focuser Simulator.ABS_FOCUS_POSITION.FOCUS_ABSOLUTE_POSITION=30000"
In KStars: an Ekos profile with "Remote host" 127.0.0.1, port 7624; Ekos connects
          the focuser and its Focus module drives it.
Under indiserver (or a local Ekos profile):
          indiflask shim examples/focuser.py indi_flask_focuser --dir ~/bin
          indiserver ~/bin/indi_flask_focuser          (an absolute path)

``interfaces="focuser"`` tells Ekos what the device is (``DRIVER_INFO``), and
``app.standard(...)`` declares libindi's focuser properties with their
standard names, members and rules. They are defined when a client connects the
device, as libindi's drivers do. While a move runs, ABS_FOCUS_POSITION is Busy
and its position is sent after every step; FOCUS_ABORT_MOTION stops the motor
where it is, and the move then ends in Alert with "aborted".
"""

import asyncio
import math
import time

from indiflask import App, Reject
from indiflask.standard import focuser

app = App("Focuser Simulator", interfaces="focuser")

MAX_POSITION = 50_000
SPEED = 2_000  # steps per second
TICK = 0.1  # seconds between position updates while moving


class SimulatedMotor:
    """A stepper motor that moves ``speed`` steps per second, in ticks of ``tick`` seconds."""

    def __init__(self, position: int = 25_000, speed: float = 2_000, tick: float = 0.1) -> None:
        self.position = position
        self.speed = speed
        self.tick = tick
        self.abort_requested = False
        self.moving = False

    async def step_towards(self, target: int) -> int:
        """Advance one tick towards ``target``; return the new position."""
        await asyncio.sleep(self.tick)
        stride = max(1, round(self.speed * self.tick))
        if target > self.position:
            self.position = min(target, self.position + stride)
        else:
            self.position = max(target, self.position - stride)
        return self.position


@app.on_start
def open_motor():
    app.hw.motor = SimulatedMotor(speed=SPEED, tick=TICK)


# Moves: Ekos' autofocus uses ABS_FOCUS_POSITION (it reads its first member).
@app.standard(focuser.ABS_FOCUS_POSITION, max=MAX_POSITION, step=100, value=25_000)
async def position(change):
    await move_to(round(change["FOCUS_ABSOLUTE_POSITION"]))
    # returning normally: state Ok, and one last setNumberVector goes out


@app.standard(focuser.FOCUS_MOTION)
def direction(change):
    pass  # accepted as it is: the next relative move goes this way


@app.standard(focuser.REL_FOCUS_POSITION, max=10_000, step=100, value=100)
async def relative(change):
    if app.hw.motor.moving:
        raise Reject("the focuser is moving; wait for it or abort first")
    steps = round(change["FOCUS_RELATIVE_POSITION"])
    sign = -1 if direction["FOCUS_INWARD"] else 1
    target = min(round(limit["FOCUS_MAX_VALUE"]), max(0, app.hw.motor.position + sign * steps))
    relative.state = "Busy"
    relative.send()
    await move_to(target)


# FOCUS_MAX is saved in the configuration file (libindi saves it), so the
# device also gets CONFIG_PROCESS, and Ekos loads the saved value on connect.
@app.standard(focuser.FOCUS_MAX, value=MAX_POSITION)
def limit(change):
    position.members["FOCUS_ABSOLUTE_POSITION"].max = change["FOCUS_MAX_VALUE"]
    position.define()  # clients learn the new range from a new definition


@app.standard(focuser.FOCUS_ABORT_MOTION)
def abort(change):
    if change["ABORT"]:
        app.hw.motor.abort_requested = app.hw.motor.moving
    abort["ABORT"] = False  # a push button: it springs back Off


temperature = app.standard(focuser.FOCUS_TEMPERATURE)  # read-only: Ekos' temperature source


@app.hardware(every=5.0)
def read_temperature():
    if temperature.defined:  # only while connected: before that clients do not have it
        temperature["TEMPERATURE"] = 8.0 + 2.0 * math.sin(time.time() / 3600)
        temperature.send()


async def move_to(target: int) -> None:
    """Move the motor to ``target``, sending ABS_FOCUS_POSITION after every step."""
    motor = app.hw.motor
    motor.moving = True
    motor.abort_requested = False
    try:
        position.state = "Busy"
        position.send()
        while motor.position != target:
            if motor.abort_requested:
                text = f"aborted at {motor.position}"
                if not position.running:  # a relative move: ABS_FOCUS_POSITION reports it too
                    position.state = "Alert"
                    position.send(text)
                raise Reject(text)  # the running handler's property goes Alert with text
            position["FOCUS_ABSOLUTE_POSITION"] = await motor.step_towards(target)
            position.send()
    finally:
        motor.moving = False
    position["FOCUS_ABSOLUTE_POSITION"] = motor.position
    if position.running:
        return  # the ABS handler itself: its return sends the final Ok
    position.state = "Ok"
    position.send()
