"""A simulated thermostat in indipydriver's style: a hardware loop sends numbers.

Run it with indipydriver by changing the import line back to
``import indipydriver as ipd``.
"""

import asyncio
import indiflask.compat as ipd


class ThermalControl:
    """A simulated heater: the temperature drifts towards the target."""

    def __init__(self, temperature=15.0, target=15.0):
        self.temperature = temperature
        self.target = target

    def step(self):
        "Move the temperature a little towards the target, return it"
        self.temperature += 0.5 * (self.target - self.temperature)
        return self.temperature


class ThermoDriver(ipd.IPyDriver):

    """Sends the temperature every few seconds; a client may set the target."""

    async def rxevent(self, event):
        "A client is setting the target temperature"
        control = self.driverdata["control"]
        if isinstance(event, ipd.newNumberVector):
            if event.vectorname == "targetvector" and "target" in event:
                # numbers arrive as strings, which may be sexagesimal
                try:
                    target = self.indi_number_to_float(event["target"])
                except TypeError:
                    # not a number, ignore it
                    return
                if target < -50 or target > 99:
                    await event.vector.send_setVector(
                        message="Target out of range", state="Alert")
                    return
                control.target = target
                event.vector["target"] = target
                await event.vector.send_setVector(state="Ok")

    async def hardware(self):
        "Runs continuously, sending the temperature"
        control = self.driverdata["control"]
        interval = self.driverdata["interval"]
        vector = self["thermostat"]["temperaturevector"]
        while not self.stop:
            await asyncio.sleep(interval)
            vector["temperature"] = control.step()
            await vector.send_setVector(allvalues=False)


def make_driver(devicename, interval=2.0):
    "Creates the driver"
    control = ThermalControl()

    temperature = ipd.NumberMember(name="temperature", label="Temperature (C)",
                                   format="%3.1f", min=-50, max=99,
                                   membervalue=control.temperature)
    temperaturevector = ipd.NumberVector(name="temperaturevector", label="Temperature",
                                         group="Values", perm="ro", state="Ok",
                                         numbermembers=[temperature])

    target = ipd.NumberMember(name="target", label="Target (C)", format="%3.1f",
                              min=-50, max=99, step=0.5, membervalue=control.target)
    targetvector = ipd.NumberVector(name="targetvector", label="Target",
                                    group="Values", perm="rw", state="Ok",
                                    numbermembers=[target])

    thermostat = ipd.Device(devicename, properties=[temperaturevector, targetvector])
    return ThermoDriver(thermostat, control=control, interval=interval)


if __name__ == "__main__":
    driver = make_driver("thermostat")
    server = ipd.IPyServer(driver, host="localhost", port=7624, maxconnections=5)
    asyncio.run(server.asyncrun())
