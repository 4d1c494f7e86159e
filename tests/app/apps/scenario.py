"""A driver whose every kind of answer one scripted scenario exercises (test_same_answers.py).

It runs unchanged under the test client, ``indiflask run --stdio`` and ``indiflask run``.
"""

import asyncio

from indiflask import App, Number, Reject, Switch, Text

app = App("Scenario", device="scn")


@app.on_start
def start():
    app.hw.release = asyncio.Event()


@app.switch("LAMP", members={"ON": False, "OFF": True})
def lamp(change):
    return None


@app.number("LEVEL", members=[Number("V", format="%.2f", min=0, max=10, value=1)])
def level(change):
    if change["V"] == 7:
        raise Reject("seven is not allowed")
    if change["V"] == 9:
        raise RuntimeError("the hardware broke")


app.text("STATUS", perm="ro", members=[Text("WHAT", value="idle")])


@app.number("MOVE", members=[Number("TO", min=0, max=100)])
async def move(change):
    move.state = "Busy"
    move.send("moving")
    app.hw.release.clear()
    await app.hw.release.wait()
    move["TO"] = change["TO"]
    move.state = "Ok"
    move.send("arrived")


@app.switch("RELEASE", rule="AtMostOne", members=[Switch("GO")])
def release(change):
    app.hw.release.set()
    return {"GO": False}
