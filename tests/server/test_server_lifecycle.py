"""Starting and stopping in order: listen after every app started, fail clearly, stop quietly."""

from __future__ import annotations

import asyncio
import socket
import sys
from pathlib import Path

import pytest
from serverkit import running, until

from indiflask import App, Number
from indiflask.errors import SetupError, StartupError
from indiflask.server import Server

DRIVER = str(Path(__file__).parent / "drivers" / "stdio_echo.py")


def test_a_port_in_use_is_one_clear_error() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        started: list[str] = []
        app = App("Quiet", device="Quiet")
        app.on_start(lambda: started.append("on_start"))
        with pytest.raises(StartupError) as info:
            asyncio.run(Server(app, port=port).serve())
    text = str(info.value)
    assert f"127.0.0.1:{port}" in text and "in use" in text and "--port" in text
    assert started == [], "the port is checked before any hardware is touched"


def test_clients_are_accepted_only_after_every_app_started() -> None:
    seen: dict[str, object] = {}
    server: Server

    first = App("First", device="First")

    @first.on_start
    async def try_to_connect() -> None:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", server.port)
        except OSError as exc:
            seen["connect"] = exc
        else:
            seen["connect"] = "accepted"
            writer.close()

    second = App("Second", device="Second")
    second.on_start(lambda: seen.setdefault("second", "started"))

    async def main() -> None:
        async with running(server):
            seen["listening"] = True

    server = Server(first, second, port=0)
    asyncio.run(main())
    assert isinstance(seen["connect"], ConnectionRefusedError)
    assert seen["second"] == "started" and seen["listening"]


def test_a_failing_start_stops_the_apps_started_before_it_and_nothing_else() -> None:
    calls: list[str] = []

    def app(name: str, fail: bool = False) -> App:
        made = App(name, device=name)

        @made.on_start
        def start() -> None:
            calls.append(f"{name} start")
            if fail:
                raise RuntimeError("no pin factory")
            made.hw.pin = object()

        @made.on_stop
        def stop() -> None:
            calls.append(f"{name} stop")
            del made.hw.pin  # an AttributeError if start never ran

        return made

    server = Server(app("A"), app("B", fail=True), app("C"), port=0)
    with pytest.raises(StartupError) as info:
        asyncio.run(server.serve())
    assert str(info.value).startswith("app 'B' did not start: RuntimeError: no pin factory")
    assert isinstance(info.value.__cause__, RuntimeError)
    assert calls == ["A start", "B start", "A stop"]


def test_two_apps_with_one_device_are_a_setup_error() -> None:
    a = App("Left Mount", device="Mount")
    b = App("Right Mount", device="Mount")
    with pytest.raises(
        SetupError, match="'Mount' is defined by two apps, 'Left Mount' and 'Right Mount'"
    ):
        Server(a, b, port=0)


def test_nothing_reaches_an_app_once_its_stop_began(monkeypatch: pytest.MonkeyPatch) -> None:
    """An app snooping a busy executable driver: no snoop after (or during) on_stop."""
    monkeypatch.setenv("ECHO_TICK", "0.005")
    for key in ("ECHO_BLOB", "ECHO_SNOOP", "ECHO_RAW", "ECHO_DEVICE"):
        monkeypatch.delenv(key, raising=False)
    app = App("Dome", device="Dome")
    app.number("FOLLOW", perm="ro", members=[Number("X")])
    events: list[str] = []

    @app.snoop("StdioEcho", "VALUES")
    def followed(event):  # type: ignore[no-untyped-def]
        events.append("snoop")

    @app.on_stop
    async def close_hardware() -> None:
        events.append("stop begins")
        await asyncio.sleep(0.05)  # snooped updates keep coming meanwhile
        events.append("stop ends")

    async def main() -> None:
        server = Server(app, port=0)
        server.add_exdriver(sys.executable, DRIVER)
        async with running(server):
            await until(lambda: events.count("snoop") >= 3)

    asyncio.run(main())
    assert events[-2:] == ["stop begins", "stop ends"], events[-5:]
