"""examples/two_devices.py: app.device() and a DeviceTemplate registered twice."""

from __future__ import annotations

from types import ModuleType

from indiflask import State
from indiflask.protocol import events as ev


def test_one_app_serves_four_devices(two_devices: ModuleType) -> None:
    with two_devices.app.test_client() as client:
        assert list(client) == ["Dome", "Roof Light", "Dew Heater 1", "Dew Heater 2"]
        assert list(client["Dome"]) == ["SHUTTER_STATUS", "SHUTTER", "DRIVER_INFO"]
        assert list(client["Roof Light"]) == ["LIGHT", "DRIVER_INFO"]
        for name in ("Dew Heater 1", "Dew Heater 2"):
            assert list(client[name]) == ["HEATER_POWER", "HEATER_TEMPERATURE", "DRIVER_INFO"]
        assert client["Roof Light"]["DRIVER_INFO"]["DRIVER_NAME"] == "Observatory"


def test_get_properties_for_one_device(two_devices: ModuleType) -> None:
    with two_devices.app.test_client() as client:
        client.received.clear()
        client.get_properties("Roof Light")
        assert {e.device for e in client.received} == {"Roof Light"}


def test_the_shutter_opens_slowly(two_devices: ModuleType) -> None:
    with two_devices.app.test_client() as client:
        client.received.clear()
        client.set("Dome", "SHUTTER", SHUTTER_OPEN=True)
        texts = [
            e.values["STATUS"]
            for e in client.received
            if isinstance(e, ev.SetTextVector) and e.name == "SHUTTER_STATUS"
        ]
        assert texts == ["opening", "open"]
        shutter = client["Dome"]["SHUTTER"]
        assert shutter.state is State.OK and shutter["SHUTTER_OPEN"] is True
        client.received.clear()
        client.set("Dome", "SHUTTER", SHUTTER_OPEN=True)  # already open: nothing to do
        assert not [e for e in client.received if getattr(e, "name", "") == "SHUTTER_STATUS"]
        client.set("Dome", "SHUTTER", SHUTTER_CLOSE=True)
        assert client["Dome"]["SHUTTER_STATUS"]["STATUS"] == "closed"


def test_the_roof_light_drives_a_gpio_pin(two_devices: ModuleType) -> None:
    app = two_devices.app
    with app.test_client() as client:
        client.set("Roof Light", "LIGHT", ON=True)
        assert app.hw.roof_led.is_lit
        assert client["Roof Light"]["LIGHT"].state is State.OK
        client.set("Roof Light", "LIGHT", OFF=True)
        assert not app.hw.roof_led.is_lit
        assert client["Dome"]["SHUTTER"].state is State.IDLE  # the other device is untouched


def test_template_devices_are_independent(two_devices: ModuleType) -> None:
    with two_devices.app.test_client() as client:
        client.set("Dew Heater 1", "HEATER_POWER", PERCENT=50)
        assert two_devices.app.hw.heat == {"Dew Heater 1": 50.0}
        client.advance(10.0)
        one = client["Dew Heater 1"]["HEATER_TEMPERATURE"]["CELSIUS"]
        two = client["Dew Heater 2"]["HEATER_TEMPERATURE"]["CELSIUS"]
        assert one == 10.0  # halfway from 5 C to 15 C
        assert two == 5.0
        client.set("Dew Heater 2", "HEATER_POWER", PERCENT=101)  # outside [0, 100]
        assert client["Dew Heater 2"]["HEATER_POWER"].state is State.ALERT
        assert client["Dew Heater 1"]["HEATER_POWER"].state is State.OK
