"""A snooping driver in indipydriver's style: it watches the thermostat's temperature.

It shows the temperature it snoops, and a light that turns Alert when the
temperature goes above a limit a client can set.
"""

import asyncio
import indiflask.compat as ipd


class MonitorDriver(ipd.IPyDriver):

    """Snoops on another device's temperature vector."""

    async def hardware(self):
        "Ask for the thermostat's temperature; its updates then reach snoopevent"
        watched = self.driverdata["watched"]
        await self.send_getProperties(watched, "temperaturevector")
        # and keep asking whenever it is silent for 30 seconds
        self.snoop(watched, "temperaturevector", timeout=30)

    async def rxevent(self, event):
        "A client may change the alarm limit"
        if isinstance(event, ipd.newNumberVector) and event.vectorname == "limitvector":
            if "limit" in event:
                event.vector["limit"] = event["limit"]
                await event.vector.send_setVector(state="Ok")

    async def snoopevent(self, event):
        "Called with the traffic of the snooped device"
        if event.devicename != self.driverdata["watched"]:
            return
        if isinstance(event, (ipd.defNumberVector, ipd.setNumberVector)):
            if event.vectorname == "temperaturevector" and "temperature" in event:
                temperature = event.getfloatvalue("temperature")
                device = self["monitor"]
                seen = device["seenvector"]
                seen["seen"] = temperature
                await seen.send_setVector()
                limit = device["limitvector"].getfloatvalue("limit")
                alarm = device["alarmvector"]
                alarm["alarm"] = "Alert" if temperature > limit else "Ok"
                await alarm.send_setVector()
        elif isinstance(event, ipd.delProperty):
            alarm = self["monitor"]["alarmvector"]
            alarm["alarm"] = "Idle"
            await alarm.send_setVector(message="The thermostat has gone")


def make_driver(devicename, watched):
    "Creates the driver"
    seen = ipd.NumberMember(name="seen", label="Temperature seen", format="%3.1f")
    seenvector = ipd.NumberVector(name="seenvector", label="Seen", group="Monitor",
                                  perm="ro", state="Idle", numbermembers=[seen])
    limit = ipd.NumberMember(name="limit", label="Alarm above", format="%3.1f",
                             min=-50, max=99, membervalue=30)
    limitvector = ipd.NumberVector(name="limitvector", label="Limit", group="Monitor",
                                   perm="rw", state="Ok", numbermembers=[limit])
    alarm = ipd.LightMember(name="alarm", label="Too hot")
    alarmvector = ipd.LightVector(name="alarmvector", label="Alarm", group="Monitor",
                                  state="Ok", lightmembers=[alarm])
    monitor = ipd.Device(devicename, properties=[seenvector, limitvector, alarmvector])
    return MonitorDriver(monitor, watched=watched)


if __name__ == "__main__":
    import thermostat
    server = ipd.IPyServer(thermostat.make_driver("thermostat"),
                           make_driver("monitor", "thermostat"),
                           host="localhost", port=7624, maxconnections=5)
    asyncio.run(server.asyncrun())
