"""Run drivers written for indipydriver on indiflask: change only the import line.

::

    import indiflask.compat as ipd        # was: import indipydriver as ipd

    class LEDDriver(ipd.IPyDriver):
        async def rxevent(self, event):
            if isinstance(event, ipd.newSwitchVector):
                event.vector["ledmember"] = event["ledmember"]
                await event.vector.send_setVector()

    server = ipd.IPyServer(driver, host="localhost", port=7624, maxconnections=5)
    asyncio.run(server.asyncrun())

Everything here is a thin layer: values become indiflask's typed protocol
events, and the router, server, codec, number parsing and BLOB handling are
indiflask's own. ``docs/migrating.rst`` lists what differs from indipydriver.
"""

from __future__ import annotations

from .driver import Device, IPyDriver
from .events import (
    Message,
    defBLOBVector,
    defLightVector,
    defNumberVector,
    defSwitchVector,
    defTextVector,
    delProperty,
    enableBLOB,
    getProperties,
    newBLOBVector,
    newNumberVector,
    newSwitchVector,
    newTextVector,
    setBLOBVector,
    setLightVector,
    setNumberVector,
    setSwitchVector,
    setTextVector,
)
from .members import BLOBMember, LightMember, NumberMember, SwitchMember, TextMember, getfloat
from .server import IPyServer
from .vectors import BLOBVector, LightVector, NumberVector, SwitchVector, TextVector

#: The indipydriver version whose API this module follows.
version = "3.1.2"

__all__ = [
    "BLOBMember",
    "BLOBVector",
    "Device",
    "IPyDriver",
    "IPyServer",
    "LightMember",
    "LightVector",
    "Message",
    "NumberMember",
    "NumberVector",
    "SwitchMember",
    "SwitchVector",
    "TextMember",
    "TextVector",
    "defBLOBVector",
    "defLightVector",
    "defNumberVector",
    "defSwitchVector",
    "defTextVector",
    "delProperty",
    "enableBLOB",
    "getProperties",
    "getfloat",
    "newBLOBVector",
    "newNumberVector",
    "newSwitchVector",
    "newTextVector",
    "setBLOBVector",
    "setLightVector",
    "setNumberVector",
    "setSwitchVector",
    "setTextVector",
    "version",
]
