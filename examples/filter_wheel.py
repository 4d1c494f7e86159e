"""A filter wheel KStars/Ekos can use: slots that take time to turn, names that are saved.

Run it:   indiflask run examples/filter_wheel.py       (an INDI server on 127.0.0.1:7624)
Then:     indiflask set "Filter Wheel.CONNECTION.CONNECT=On"
          indiflask set "Filter Wheel.FILTER_SLOT.FILTER_SLOT_VALUE=3"
          indiflask set "Filter Wheel.FILTER_NAME.FILTER_SLOT_NAME_5=OIII"   (saved at once)
In KStars: an Ekos profile with "Remote host" 127.0.0.1, port 7624; Ekos makes a
          filter manager for the wheel, and Capture and Focus offer its filters.
Under indiserver (or a local Ekos profile):
          indiflask shim examples/filter_wheel.py indi_flask_wheel --dir ~/bin
          indiserver ~/bin/indi_flask_wheel            (an absolute path)

Ekos reads the number of filters from FILTER_SLOT's ``max`` and expects one
name per slot in FILTER_NAME (``FILTER_SLOT_NAME_1`` ... ``_N``, in slot
order): ``filter_wheel.slot_limits`` and ``filter_wheel.filter_names`` build
both from one list. The names are saved in the device's configuration file
(``~/.indi/Filter Wheel_config.xml``, or ``$INDICONFIG``) whenever a client
renames a filter, and loaded back when the wheel is connected.
"""

import asyncio

from indiflask import App
from indiflask.standard import filter_wheel

app = App("Filter Wheel", interfaces="filter wheel")

FILTERS = ["Luminance", "Red", "Green", "Blue", "H-Alpha"]
SECONDS_PER_SLOT = 0.5  # how long the simulated wheel takes from one slot to the next


# persist=False: a wheel knows where it is, so the slot is not restored from the file
slot = app.standard(
    filter_wheel.FILTER_SLOT, limits=filter_wheel.slot_limits(FILTERS), persist=False
)


@slot
async def turn(change):
    target = round(change["FILTER_SLOT_VALUE"])
    slot.state = "Busy"
    while round(slot["FILTER_SLOT_VALUE"]) != target:
        await asyncio.sleep(SECONDS_PER_SLOT)  # the motor turns the wheel by one slot
        slot["FILTER_SLOT_VALUE"] += 1 if target > slot["FILTER_SLOT_VALUE"] else -1
        slot.send()  # Busy, with the slot passing by
    # returning: FILTER_SLOT goes Ok (Ekos takes the new filter as set only then)


names = app.standard(filter_wheel.FILTER_NAME, members=filter_wheel.filter_names(FILTERS))


@names
def rename(change):
    names.update(change)  # the new names, applied now so that the save below writes them
    app.save_config()  # as libindi's wheels do: a renamed filter is saved at once
