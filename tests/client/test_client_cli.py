"""``indiflask get``, ``set`` and ``watch`` against ``indiflask run examples/led.py``."""

from __future__ import annotations

import json

from click.testing import CliRunner

from indiflask.cli import main


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_get_lines(led_server: int) -> None:
    code, out, _ = run("get", "-p", str(led_server), "led.LED.*")
    assert code == 0
    assert out.splitlines() == ["led.LED.ON=Off", "led.LED.OFF=On"] or out.splitlines() == [
        "led.LED.ON=On",
        "led.LED.OFF=Off",
    ]


def test_get_attributes_and_just_value(led_server: int) -> None:
    code, out, _ = run("get", "-p", str(led_server), "led.EXPOSURE._PERM", "led.LED._LABEL")
    assert code == 0
    assert out.splitlines() == ["led.LED._LABEL=LED", "led.EXPOSURE._PERM=rw"]  # arrival order
    code, out, _ = run("get", "-p", str(led_server), "-1", "led.EXPOSURE._PERM")
    assert (code, out) == (0, "rw\n")


def test_get_nothing_matched(led_server: int) -> None:
    code, out, err = run("get", "-p", str(led_server), "-t", "0.5", "led.NOPE.*")
    assert code == 1
    assert out == ""
    assert f"No led.NOPE.* from 127.0.0.1:{led_server}" in err


def test_get_json(led_server: int) -> None:
    code, out, _ = run("get", "--host", f"127.0.0.1:{led_server}", "--json", "led.TEMPERATURE.*")
    assert code == 0
    assert isinstance(json.loads(out)["led.TEMPERATURE.TEMP"], float)


def test_get_no_server() -> None:
    code, _, err = run("get", "-p", "1", "led.LED.ON")
    assert code == 2
    assert "cannot connect" in err


def test_set_ok_and_refused(led_server: int) -> None:
    port = str(led_server)
    assert run("set", "-p", port, "led.LED.ON=On")[0] == 0
    assert run("get", "-p", port, "-1", "led.LED.ON")[1] == "On\n"
    code, _, err = run("set", "-p", port, "led.EXPOSURE.SECONDS=900")
    assert code == 1
    assert "Alert" in err and "dark slide" in err
    code, _, err = run("set", "-p", port, "led.EXPOSURE.SECONDS=9000")
    assert code == 1 and "outside [0, 3600]" in err
    code, _, err = run("set", "-p", port, "led.NOPE.X=1")
    assert code == 1 and "led has no property 'NOPE'" in err
    code, out, _ = run("set", "-p", port, "--json", "--wait", "done", "led.LED.OFF;ON=On;Off")
    assert code == 0
    assert json.loads(out)[0]["values"] == {"ON": False, "OFF": True}


def test_set_usage_error() -> None:
    code, _, err = run("set", "led.LED")
    assert code == 2 and "device.property.member=value" in err


def test_watch(led_server: int) -> None:
    code, out, _ = run("watch", "-p", str(led_server), "led.TEMPERATURE", "-n", "3")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].endswith("connected: 127.0.0.1:" + str(led_server))
    assert "def led.TEMPERATURE" in lines[1]
    assert "led.TEMPERATURE" in lines[2] and "TEMP=" in lines[2]
    code, out, _ = run("watch", "-p", str(led_server), "led", "--json", "--no-defs", "-n", "2")
    assert code == 0
    records = [json.loads(line) for line in out.splitlines()]
    assert records[1]["kind"] == "set"


def test_term_help() -> None:
    code, out, _ = run("term", "--help")
    assert code == 0 and "terminal UI" in out
