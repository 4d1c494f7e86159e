"""The sans-IO pacer: who waits for whom, what is held, in which order."""

from __future__ import annotations

import asyncio
import logging

import pytest
from serverkit import RawClient, running, until

from indiflask import App, Blob, Switch
from indiflask.core.blobpolicy import QueueBudget
from indiflask.core.pacing import Pacer, event_size
from indiflask.protocol.blobs import BlobValue
from indiflask.protocol.events import Message, PingRequest, SetBLOBVector
from indiflask.server import Server

MiB = 2**20
DRIVER, FAST, SLOW, APP = 1, 2, 3, 4


def blob(size: int) -> SetBLOBVector:
    value = BlobValue(format=".bin", size=size, b64=b"A" * size)
    return SetBLOBVector(device="Cam", name="IMAGE", values={"DATA": value})


@pytest.fixture
def pacer() -> Pacer:
    p = Pacer(held_limit=10 * MiB)
    p.add_driver(DRIVER)
    return p


def test_a_driver_waits_only_when_every_reader_of_its_last_message_is_behind(
    pacer: Pacer,
) -> None:
    pacer.last_sent[DRIVER] = [FAST, SLOW]
    pacer.set_behind(SLOW, True)
    assert not pacer.must_wait(DRIVER) and not pacer.hold(DRIVER, Message(message="x"))
    pacer.set_behind(FAST, True)
    assert pacer.must_wait(DRIVER) and pacer.blockers(DRIVER) == [FAST, SLOW]
    pacer.last_sent[DRIVER] = [FAST, SLOW, APP]  # an app is never behind
    assert not pacer.must_wait(DRIVER)
    pacer.last_sent[DRIVER] = []  # nobody received it
    assert not pacer.must_wait(DRIVER)


def test_held_events_keep_their_order_and_move_on_when_a_reader_has_room(
    pacer: Pacer,
) -> None:
    pacer.last_sent[DRIVER] = [FAST]
    pacer.set_behind(FAST, True)
    first, second, ping = blob(100), blob(200), PingRequest(uid="SetBLOB/1")
    assert pacer.hold(DRIVER, first) and pacer.hold(DRIVER, second) and pacer.hold(DRIVER, ping)
    assert not pacer.idle and pacer.held_bytes(DRIVER) == sum(
        map(event_size, (first, second, ping))
    )
    assert pacer.release(DRIVER) is None  # still behind
    pacer.set_behind(FAST, False)
    assert pacer.release(DRIVER) is first
    pacer.set_behind(FAST, True)  # the first filled it again
    assert pacer.release(DRIVER) is None
    pacer.set_behind(FAST, False)
    assert [pacer.release(DRIVER), pacer.release(DRIVER)] == [second, ping]
    assert pacer.release(DRIVER) is None and not pacer.holds(DRIVER) and pacer.idle


def test_a_reader_that_takes_nothing_is_ignored_until_it_catches_up(pacer: Pacer) -> None:
    pacer.last_sent[DRIVER] = [SLOW]
    pacer.set_behind(SLOW, True)
    assert pacer.hold(DRIVER, blob(10))
    pacer.ignore(SLOW)
    assert not pacer.must_wait(DRIVER) and pacer.blockers(DRIVER) == []
    pacer.set_behind(SLOW, False)
    pacer.set_behind(SLOW, True)  # behind again later: counts again
    assert pacer.must_wait(DRIVER)


def test_the_held_bytes_are_bounded(pacer: Pacer) -> None:
    pacer.last_sent[DRIVER] = [SLOW]
    pacer.set_behind(SLOW, True)
    for _ in range(3):
        pacer.hold(DRIVER, blob(4 * MiB))
    assert pacer.over_limit(DRIVER)
    assert pacer.release(DRIVER) is None
    assert pacer.release(DRIVER, force=True) is not None
    assert not pacer.over_limit(DRIVER)


def test_forgetting_a_link_returns_what_it_held(pacer: Pacer) -> None:
    pacer.last_sent[DRIVER] = [SLOW]
    pacer.set_behind(SLOW, True)
    events = [blob(1), blob(2)]
    for event in events:
        pacer.hold(DRIVER, event)
    assert pacer.forget(DRIVER) == events
    pacer.forget(SLOW)
    assert pacer.idle


def test_clients_are_never_held(pacer: Pacer) -> None:
    pacer.last_sent[FAST] = [DRIVER]
    pacer.set_behind(DRIVER, True)
    assert not pacer.hold(FAST, Message(message="a client's event"))


def test_an_app_far_ahead_of_its_only_reader_is_let_go_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Past twice max_queue of held output the app is no longer held back; its
    stuck reader is then cut at max_queue."""
    caplog.set_level(logging.WARNING, "indiflask.server")
    app = App("Flood Camera", device="Camera")
    image = app.blob("IMAGE", members=[Blob("DATA")])

    @app.switch("EXPOSE", rule="AtMostOne", members=[Switch("GO", value=False)])
    def expose(change):  # type: ignore[no-untyped-def]
        for index in range(12):
            image.set_blob("DATA", bytes([index]) * MiB, ".bin")
            image.send()

    async def main() -> None:
        server = Server(app, port=0, max_queue=2 * MiB)  # held at most 4 MiB
        server.budget = QueueBudget(max_queue=2 * MiB, low_water=256 * 1024)
        server.stall_timeout = 3600.0
        async with running(server):
            stuck = await RawClient.connect(server.port)
            stuck.writer.transport.pause_reading()  # type: ignore[attr-defined]
            await stuck.send(
                '<getProperties version="1.7"/><enableBLOB device="Camera">Also</enableBLOB>'
                '<newSwitchVector device="Camera" name="EXPOSE">'
                '<oneSwitch name="GO">On</oneSwitch></newSwitchVector>'
            )
            await until(lambda: server.client_count == 0, timeout=60)
            await stuck.close()

    asyncio.run(main())
    said = [r.getMessage() for r in caplog.records]
    assert any(
        "app Flood Camera: " in m and "wait for slow readers (limit 4 MiB)" in m for m in said
    )
    assert any("disconnecting" in m for m in said)
