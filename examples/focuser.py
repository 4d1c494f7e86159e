"""A simulated focuser: an async move that reports its position as it goes, and an abort switch.

Run it:   indiflask run examples/focuser.py            (an INDI server on 127.0.0.1:7624)
Then:     indi_setprop 'Focuser Simulator.ABS_FOCUS_POSITION.FOCUS_ABSOLUTE_POSITION=1500'
          indi_getprop 'Focuser Simulator.ABS_FOCUS_POSITION.*'
Under indiserver:  indiflask shim examples/focuser.py indi_flask_focuser --dir ~/bin
                   indiserver ~/bin/indi_flask_focuser         (an absolute path)

The property names follow libindi's focuser interface (ABS_FOCUS_POSITION,
REL_FOCUS_POSITION, FOCUS_MOTION, FOCUS_ABORT_MOTION), so INDI clients recognise them.

While a move runs, ABS_FOCUS_POSITION is Busy and its position is sent after
every step; a second change to it is refused by indiflask (the handler is still
running), and a relative move is refused by the handler itself. FOCUS_ABORT_MOTION
stops the motor where it is; the move then ends in Alert with "aborted".
"""

import asyncio

from indiflask import App, Number, Reject, Switch

app = App("Focuser Simulator")

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
    position["FOCUS_ABSOLUTE_POSITION"] = app.hw.motor.position


@app.number(
    "ABS_FOCUS_POSITION",
    label="Absolute Position",
    group="Main Control",
    timeout=60,
    members=[
        Number(
            "FOCUS_ABSOLUTE_POSITION",
            label="Steps",
            format="%6.0f",
            min=0,
            max=MAX_POSITION,
            step=100,
            value=25_000,
        )
    ],
)
async def position(change):
    await move_to(round(change["FOCUS_ABSOLUTE_POSITION"]))
    # returning normally: state Ok, and one last setNumberVector goes out


@app.switch(
    "FOCUS_MOTION",
    label="Direction",
    group="Main Control",
    rule="OneOfMany",
    members=[
        Switch("FOCUS_INWARD", label="Focus In", value=True),
        Switch("FOCUS_OUTWARD", label="Focus Out"),
    ],
)
def direction(change):
    pass  # accepted as it is: the next relative move goes this way


@app.number(
    "REL_FOCUS_POSITION",
    label="Relative Position",
    group="Main Control",
    timeout=60,
    members=[
        Number(
            "FOCUS_RELATIVE_POSITION",
            label="Steps",
            format="%6.0f",
            min=0,
            max=10_000,
            step=100,
            value=100,
        )
    ],
)
async def relative(change):
    if app.hw.motor.moving:
        raise Reject("the focuser is moving; wait for it or abort first")
    steps = round(change["FOCUS_RELATIVE_POSITION"])
    sign = -1 if direction["FOCUS_INWARD"] else 1
    target = min(MAX_POSITION, max(0, app.hw.motor.position + sign * steps))
    relative.state = "Busy"
    relative.send()
    await move_to(target)


@app.switch(
    "FOCUS_ABORT_MOTION",
    label="Abort Motion",
    group="Main Control",
    rule="AtMostOne",
    members=[Switch("ABORT", label="Abort")],
)
def abort(change):
    if change["ABORT"]:
        app.hw.motor.abort_requested = app.hw.motor.moving
    abort["ABORT"] = False  # a push button: it springs back Off


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
