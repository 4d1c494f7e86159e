"""The compat layer without a socket: CompatDriver fed events directly."""

from __future__ import annotations

import asyncio
import io
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

import indiflask.compat as ipd
from indiflask.protocol import events as ev
from indiflask.protocol.blobs import BlobValue
from indiflask.protocol.values import State


class Recorder(ipd.IPyDriver):
    """Records what rxevent and snoopevent get."""

    async def rxevent(self, event: Any) -> None:
        self.driverdata["rx"].append(event)

    async def snoopevent(self, event: Any) -> None:
        self.driverdata["snoop"].append(event)


def make() -> Recorder:
    switches = ipd.SwitchVector(
        "sw",
        "Switches",
        "G",
        "rw",
        "OneOfMany",
        "Idle",
        [ipd.SwitchMember("a", membervalue="On"), ipd.SwitchMember("b")],
    )
    numbers = ipd.NumberVector(
        "num",
        "Numbers",
        "G",
        "rw",
        "Ok",
        [ipd.NumberMember("x", format="%5.2f", min=0, max=10, membervalue="2.5")],
    )
    texts = ipd.TextVector("txt", "Texts", "G", "ro", "Idle", [ipd.TextMember("t", "T", "hi")])
    lights = ipd.LightVector("lit", "Lights", "G", "Idle", [ipd.LightMember("l")])
    blobs = ipd.BLOBVector("blb", "Blobs", "G", "rw", "Idle", [ipd.BLOBMember("f")])
    dev = ipd.Device("dev", [switches, numbers, texts, lights, blobs])
    return Recorder(dev, rx=[], snoop=[])


async def started(driver: ipd.IPyDriver) -> tuple[Any, list[ev.Event]]:
    out: list[ev.Event] = []
    local = driver.local_driver()
    await local.start(out.append)
    return local, out


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


def test_definitions_follow_indipydriver_arguments() -> None:
    async def main() -> None:
        driver = make()
        local, out = await started(driver)
        local.feed(ev.GetProperties())
        kinds = [type(e).__name__ for e in out]
        assert kinds == [
            "DefSwitchVector",
            "DefNumberVector",
            "DefTextVector",
            "DefLightVector",
            "DefBLOBVector",
        ]
        sw, num, txt = out[0], out[1], out[2]
        assert isinstance(sw, ev.DefSwitchVector) and sw.rule == "OneOfMany"
        assert [(m.name, m.value) for m in sw.members] == [("a", True), ("b", False)]
        assert isinstance(num, ev.DefNumberVector)
        first = num.members[0]
        assert (first.format, first.value, first.max) == ("%5.2f", 2.5, 10)
        assert isinstance(txt, ev.DefTextVector) and txt.members[0].label == "T"
        out.clear()
        local.feed(ev.GetProperties(device="dev", name="num"))
        assert [e.name for e in out] == ["num"]  # type: ignore[attr-defined]
        out.clear()
        local.feed(ev.GetProperties(device="other"))
        assert out == []
        await local.stop()
        assert driver.stopped.is_set()

    asyncio.run(main())


def test_new_values_reach_rxevent_as_text_and_nothing_is_applied() -> None:
    async def main() -> None:
        driver = make()
        local, out = await started(driver)
        local.feed(ev.NewSwitchVector(device="dev", name="sw", values={"b": True}))
        local.feed(ev.NewNumberVector(device="dev", name="num", values={"x": 99.0}))
        local.feed(
            ev.NewBLOBVector(
                device="dev", name="blb", values={"f": BlobValue.from_bytes(b"abc", ".bin")}
            )
        )
        await settle()
        sw, num, blob = driver.driverdata["rx"]
        assert isinstance(sw, ipd.newSwitchVector) and dict(sw) == {"b": "On"}
        assert sw.vector is driver["dev"]["sw"] and sw.devicename == "dev"
        assert isinstance(num, ipd.newNumberVector) and num["x"] == "99"
        assert num.getfloatvalue("x") == 99.0 and num.getformattedvalue("x") == "99.00"
        assert isinstance(blob, ipd.newBLOBVector) and blob["f"] == b"abc"
        assert blob.sizeformat == {"f": (3, ".bin")}
        assert sw.root is not None and sw.root.tag == "newSwitchVector"
        with pytest.raises(KeyError):
            sw["a"] = "On"
        # no range check, no rule check, nothing applied, nothing sent
        assert driver["dev"]["sw"]["a"] == "On" and driver["dev"]["num"]["x"] == "2.5"
        assert out == []
        await local.stop()

    asyncio.run(main())


def test_refused_changes() -> None:
    async def main() -> None:
        driver = make()
        local, out = await started(driver)
        local.feed(ev.NewSwitchVector(device="dev", name="sw", values={"zz": True}))
        local.feed(ev.NewTextVector(device="dev", name="txt", values={"t": "x"}))
        local.feed(ev.NewTextVector(device="dev", name="nosuch", values={"t": "x"}))
        local.feed(ev.NewTextVector(device="dev", name="num", values={"x": "1"}))
        await settle()
        assert driver.driverdata["rx"] == []
        assert len(out) == 1 and isinstance(out[0], ev.Message)
        assert "read-only" in (out[0].message or "")
        await local.stop()

    asyncio.run(main())


def test_send_methods() -> None:
    async def main() -> None:
        driver = make()
        local, out = await started(driver)
        vec = driver["dev"]["num"]
        vec["x"] = 7
        assert vec["x"] == "7" and vec.getfloatvalue("x") == 7.0
        when = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
        await vec.send_setVector(message="hello", timestamp=when, state="Busy", timeout=3)
        s = out[-1]
        assert isinstance(s, ev.SetNumberVector)
        assert (s.values, s.state, s.message, s.timestamp, s.timeout) == (
            {"x": 7.0},
            State.BUSY,
            "hello",
            "2024-05-06T07:08:09",
            3.0,
        )
        # allvalues=False with nothing changed and state not Ok: nothing is sent
        n = len(out)
        await vec.send_setVector(allvalues=False)
        assert len(out) == n
        await vec.send_setVector(allvalues=False, state="Ok")
        assert len(out) == n + 1 and out[-1].values == {}  # type: ignore[attr-defined]
        sw = driver["dev"]["sw"]
        sw["b"] = "On"
        sw["a"] = "Off"
        await sw.send_setVectorMembers(members=["b", "a"])
        assert list(out[-1].values.items()) == [("a", False), ("b", True)]  # type: ignore[attr-defined]
        lit = driver["dev"]["lit"]
        lit["l"] = "Alert"
        await lit.send_setVector()
        assert out[-1].values == {"l": State.ALERT}  # type: ignore[attr-defined]
        # a non-UTC timestamp aborts the send, as in indipydriver
        n = len(out)
        plus_two = timezone(timedelta(hours=2))
        await lit.send_setVector(timestamp=datetime(2024, 1, 1, tzinfo=plus_two))
        assert len(out) == n
        await driver["dev"].send_device_message("dev says")
        await driver.send_message("all say")
        assert [e.device for e in out[-2:]] == ["dev", None]  # type: ignore[attr-defined]
        await local.stop()

    asyncio.run(main())


def test_blob_values_from_bytes_path_and_file(tmp_path: Path) -> None:
    async def main() -> None:
        driver = make()
        local, out = await started(driver)
        vec = driver["dev"]["blb"]
        path = tmp_path / "image.fits.gz"
        path.write_bytes(b"FITSDATA")
        vec["f"] = str(path)
        await vec.send_setVectorMembers(members=["f"])
        value = out[-1].values["f"]  # type: ignore[attr-defined]
        assert (value.data, value.format, value.size) == (b"FITSDATA", ".fits.gz", 8)
        vec["f"] = io.BytesIO(b"xyz")
        vec.set_blobsize("f", 100)
        await vec.send_setVectorMembers(members=["f"])
        value = out[-1].values["f"]  # type: ignore[attr-defined]
        assert (value.data, value.size) == (b"xyz", 100)
        with pytest.raises(AttributeError):
            await vec.send_setVector()
        await local.stop()

    asyncio.run(main())


def test_delproperty_disables_and_enable_restores() -> None:
    async def main() -> None:
        driver = make()
        local, out = await started(driver)
        await driver["dev"]["num"].send_delProperty(message="gone")
        assert isinstance(out[-1], ev.DelProperty) and out[-1].name == "num"
        out.clear()
        local.feed(ev.GetProperties(device="dev"))
        assert "num" not in [e.name for e in out]  # type: ignore[attr-defined]
        await driver["dev"]["num"].send_setVector()
        assert all(getattr(e, "name", None) != "num" for e in out)
        local.feed(ev.NewNumberVector(device="dev", name="num", values={"x": 1.0}))
        await settle()
        assert driver.driverdata["rx"] == []
        driver["dev"]["num"].enable = True
        await driver["dev"]["num"].send_defVector()
        assert isinstance(out[-1], ev.DefNumberVector)
        await driver["dev"].send_delProperty()
        assert isinstance(out[-1], ev.DelProperty) and out[-1].name is None
        out.clear()
        local.feed(ev.GetProperties())
        assert out == []
        await local.stop()

    asyncio.run(main())


def test_auto_send_def_off_gives_getproperties_events() -> None:
    async def main() -> None:
        driver = make()
        driver.auto_send_def = False
        local, out = await started(driver)
        local.feed(ev.GetProperties(device="dev", name="sw"))
        await settle()
        (event,) = driver.driverdata["rx"]
        assert isinstance(event, ipd.getProperties) and event.vectorname == "sw"
        assert out == []
        await local.stop()

    asyncio.run(main())


def test_snooping_filters_and_converts() -> None:
    async def main() -> None:
        driver = make()
        local, out = await started(driver)
        numbers = ev.SetNumberVector(
            device="mount", name="RADEC", state=State.OK, values={"RA": 12.5}
        )
        local.feed(numbers)
        await settle()
        assert driver.driverdata["snoop"] == []  # not snooping yet
        await driver.send_getProperties("mount", "RADEC")
        assert isinstance(out[-2], ev.GetProperties) and out[-2].device == "mount"
        assert isinstance(out[-1], ev.EnableBLOB)
        local.feed(numbers)
        local.feed(
            ev.DefSwitchVector(
                device="mount", name="RADEC", members=(ev.DefSwitch(name="P", label="Park"),)
            )
        )
        local.feed(ev.DelProperty(device="mount", name="RADEC", message="bye"))
        local.feed(ev.SetNumberVector(device="mount", name="OTHER", values={"Y": 1.0}))
        await settle()
        got = driver.driverdata["snoop"]
        assert [type(e).__name__ for e in got] == [
            "setNumberVector",
            "defSwitchVector",
            "delProperty",
        ]
        assert got[0]["RA"] == "12.5" and got[0].getfloatvalue("RA") == 12.5
        assert got[0].state == "Ok"
        assert got[1]["P"] == "Off" and got[1].memberlabels == {"P": "Park"}
        assert got[2].message == "bye" and got[2].vectorname == "RADEC"
        await driver.send_getProperties("dev")  # own device: refused
        assert not (isinstance(out[-1], ev.GetProperties) and out[-1].device == "dev")
        await local.stop()

    asyncio.run(main())


def test_hardware_stops_and_errors_are_contained() -> None:
    class Busy(ipd.IPyDriver):
        async def hardware(self) -> None:
            while not self.stop:
                self.driverdata["ticks"] += 1
                await asyncio.sleep(0.01)
            self.driverdata["clean"] = True

        async def rxevent(self, event: Any) -> None:
            raise RuntimeError("boom")

    async def main() -> None:
        vec = ipd.TextVector("t", "T", "G", "rw", "Idle", [ipd.TextMember("m")])
        driver = Busy(ipd.Device("d", [vec]), ticks=0, clean=False)
        local, _ = await started(driver)
        local.feed(ev.NewTextVector(device="d", name="t", values={"m": "x"}))
        async with asyncio.timeout(30):
            while not driver.driverdata["ticks"]:
                await asyncio.sleep(0.01)
        driver.shutdown()
        assert driver.stop and driver["d"].stop
        await local.stop()
        assert driver.driverdata["clean"] is True

    asyncio.run(main())


def test_members_and_values() -> None:
    assert ipd.getfloat("-0:30") == -0.5 and ipd.getfloat(3) == 3.0
    with pytest.raises(TypeError):
        ipd.getfloat("abc")
    with pytest.raises(ValueError):
        ipd.SwitchMember("s", membervalue="maybe")
    with pytest.raises(ValueError):
        ipd.Device("dévice", [])
    member = ipd.NumberMember("n", format="%8.3m", membervalue=1.5)
    assert member.membervalue == "1.5" and member.getformattedvalue().strip() == "1:30"
    vec = ipd.SwitchVector("s", "S", "", "rw", "AnyOfMany", "Ok", [ipd.SwitchMember("a")])
    vec["a"] = "sideways"  # logged, not raised, as in indipydriver
    assert vec["a"] == "Off"
    vec.state = "Bad"
    assert vec.state == "Ok"
    with pytest.raises(TypeError):
        ipd.SwitchVector("s", "S", "", "rw", "AnyOfMany", "Ok", [ipd.TextMember("a")])
    with pytest.raises(ValueError):
        ipd.IPyDriver(ipd.Device("d", []), ipd.Device("d", []))
    with pytest.raises(ValueError):
        ipd.IPyServer(ipd.IPyDriver(ipd.Device("d", [])), ipd.IPyDriver(ipd.Device("d", [])))
