"""What the engine does for the author, through the test client."""

from __future__ import annotations

import threading

import pytest

from indiflask import App, Number, Reject, State, Switch
from indiflask.protocol import events as ev


def make_app() -> App:
    app = App("Engine", device="dev")
    calls: list[dict[str, object]] = []
    app.hw.calls = calls

    @app.number("FOCUS", members=[Number("POS", min=0, max=100, value=10)])
    def focus(change):  # type: ignore[no-untyped-def]
        calls.append(dict(change))
        if change["POS"] == 13:
            raise Reject("unlucky position")
        if change["POS"] == 66:
            raise RuntimeError("motor jammed")

    app.number("TEMP", perm="ro", members=[Number("C", value=20)])

    @app.switch("MODE", rule="OneOfMany", members={"A": True, "B": False, "C": False})
    def mode(change):  # type: ignore[no-untyped-def]
        calls.append({"sent": dict(change.sent), "all": dict(change)})

    @app.switch("PICK", rule="AtMostOne", members=["X", "Y"])
    def pick(change):  # type: ignore[no-untyped-def]
        pass

    @app.switch("ANY", rule="AnyOfMany", members=["P", "Q"])
    def anything(change):  # type: ignore[no-untyped-def]
        pass

    @app.text("NAME", members={"T": "old"})
    def name(change):  # type: ignore[no-untyped-def]
        pass

    return app


def test_get_properties_answers_in_declaration_order() -> None:
    app = make_app()
    with app.test_client() as client:
        defs = [e.name for e in client.received if isinstance(e, ev.DefVector)]
        assert defs == ["FOCUS", "TEMP", "MODE", "PICK", "ANY", "NAME", "DRIVER_INFO"]
        client.received.clear()
        client.get_properties("dev", "MODE")
        assert [e.name for e in client.received] == ["MODE"]
        client.received.clear()
        client.get_properties("other")
        assert client.received == []
        client.send_xml(b"<getProperties/>")  # no version: answered too
        assert len(client.received) == 7


def test_accepted_change_applies_values_and_goes_ok() -> None:
    app = make_app()
    with app.test_client() as client:
        client.set("dev", "FOCUS", POS=42)
        prop = client["dev"]["FOCUS"]
        assert prop["POS"] == 42.0 and prop.state is State.OK
        assert app["dev"]["FOCUS"]["POS"] == 42.0
        assert app.hw.calls == [{"POS": 42.0}]


def test_out_of_range_is_alert_and_handler_not_called() -> None:
    app = make_app()
    with app.test_client() as client:
        client.set("dev", "FOCUS", POS=101)
        prop = client["dev"]["FOCUS"]
        assert prop.state is State.ALERT and prop["POS"] == 10.0
        assert "outside" in prop.message and "[0, 100]" in prop.message
        assert app.hw.calls == []


def test_unparsable_number_is_alert() -> None:
    app = make_app()
    with app.test_client() as client:
        client.send_xml(
            b'<newNumberVector device="dev" name="FOCUS"><oneNumber name="POS">bogus'
            b"</oneNumber></newNumberVector>"
        )
        prop = client["dev"]["FOCUS"]
        assert prop.state is State.ALERT and prop["POS"] == 10.0
        assert "bogus" in prop.message
        assert app.hw.calls == []


def test_sexagesimal_input() -> None:
    app = make_app()
    with app.test_client() as client:
        client.send_xml(
            b'<newNumberVector device="dev" name="FOCUS"><oneNumber name="POS">12:30:00'
            b"</oneNumber></newNumberVector>"
        )
        assert client["dev"]["FOCUS"]["POS"] == 12.5


def test_unknown_member_is_alert() -> None:
    app = make_app()
    with app.test_client() as client:
        client.send(ev.NewNumberVector(device="dev", name="FOCUS", values={"NOPE": 1.0}))
        prop = client["dev"]["FOCUS"]
        assert prop.state is State.ALERT and "NOPE" in prop.message
        assert app.hw.calls == []


def test_read_only_write_changes_nothing_not_even_state() -> None:
    app = make_app()
    with app.test_client() as client:
        client.received.clear()
        client.send(ev.NewNumberVector(device="dev", name="TEMP", values={"C": 99.0}))
        prop = client["dev"]["TEMP"]
        assert prop.state is State.IDLE and prop["C"] == 20.0
        assert not any(isinstance(e, ev.SetVector) for e in client.received)
        assert any("read-only" in m for m in client.messages)


def test_unknown_device_or_property_changes_nothing_and_connection_works(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = make_app()
    with app.test_client() as client:
        client.received.clear()
        stamp = "2026-01-02T03:04:05.000006"
        client.send(
            ev.NewNumberVector(device="dev", name="NOPE", timestamp=stamp, values={"X": 1.0})
        )
        client.send(ev.NewNumberVector(device="ghost", name="NOPE", values={"X": 1.0}))
        # the known device answers with a message carrying the change's timestamp
        assert client.received == [
            ev.Message(
                device="dev",
                timestamp=stamp,
                message="dev.NOPE: no such property; the change was ignored",
            )
        ]
        assert "dev.NOPE: no such property" in caplog.text
        assert "unknown device 'ghost'" in caplog.text
        client.set("dev", "FOCUS", POS=5)
        assert client["dev"]["FOCUS"]["POS"] == 5.0


def test_reject_keeps_values_and_alerts() -> None:
    app = make_app()
    with app.test_client() as client:
        client.set("dev", "FOCUS", POS=13)
        prop = client["dev"]["FOCUS"]
        assert prop.state is State.ALERT and prop.message == "unlucky position"
        assert prop["POS"] == 10.0


def test_exception_alerts_with_its_text_and_driver_keeps_running(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = make_app()
    with app.test_client() as client:
        client.set("dev", "FOCUS", POS=66)
        prop = client["dev"]["FOCUS"]
        assert prop.state is State.ALERT and "motor jammed" in prop.message
        assert prop["POS"] == 10.0
        assert "Traceback" in caplog.text or any(r.exc_info for r in caplog.records)
        client.set("dev", "FOCUS", POS=20)
        assert prop.state is State.OK and prop["POS"] == 20.0


def test_raise_handler_errors_option() -> None:
    app = make_app()
    with (
        app.test_client(raise_handler_errors=True) as client,
        pytest.raises(RuntimeError, match="jammed"),
    ):
        client.set("dev", "FOCUS", POS=66)


def test_one_of_many_turns_others_off_and_handler_sees_everything() -> None:
    app = make_app()
    with app.test_client() as client:
        client.set("dev", "MODE", B=True)
        assert dict(client["dev"]["MODE"]) == {"A": False, "B": True, "C": False}
        assert app.hw.calls[-1] == {"sent": {"B": True}, "all": {"A": False, "B": True, "C": False}}
        client.set("dev", "MODE", B=False)  # would leave none On
        assert client["dev"]["MODE"].state is State.ALERT
        assert dict(client["dev"]["MODE"]) == {"A": False, "B": True, "C": False}
        client.set("dev", "MODE", A=True, C=True)  # two On
        assert client["dev"]["MODE"].state is State.ALERT


def test_at_most_one_and_any_of_many() -> None:
    app = make_app()
    with app.test_client() as client:
        client.set("dev", "PICK", X=True)
        client.set("dev", "PICK", Y=True)
        assert dict(client["dev"]["PICK"]) == {"X": False, "Y": True}
        client.set("dev", "PICK", Y=False)
        assert dict(client["dev"]["PICK"]) == {"X": False, "Y": False}
        assert client["dev"]["PICK"].state is State.OK
        client.set("dev", "ANY", P=True)
        client.set("dev", "ANY", Q=True)
        assert dict(client["dev"]["ANY"]) == {"P": True, "Q": True}


def test_text_unicode_and_xml_specials_round_trip() -> None:
    app = make_app()
    text = "Åström <&> \"quoted\" 'single' 望遠鏡 ✨"
    with app.test_client() as client:
        client.set("dev", "NAME", T=text)
        assert client["dev"]["NAME"]["T"] == text
        assert app["dev"]["NAME"]["T"] == text


def test_number_full_precision_on_the_wire() -> None:
    app = App("P", device="p")
    value = 0.1 + 0.2
    n = app.number("N", perm="ro", members=[Number("V", format="%.1f", value=value)])
    with app.test_client() as client:
        assert client["p"]["N"]["V"] == value
        n["V"] = 1 / 3
        n.send()
        assert client["p"]["N"]["V"] == 1 / 3
        assert client["p"]["N"].formatted("V") == "0.3"


def test_every_send_sends_and_messages() -> None:
    app = App("P", device="p")
    n = app.number("N", perm="ro", members=["V"])
    with app.test_client() as client:
        client.received.clear()
        n.send()
        n.send()
        n.send("hello")
        sets = [e for e in client.received if isinstance(e, ev.SetNumberVector)]
        assert len(sets) == 3
        assert client["p"]["N"].message == "hello" and n.message == "hello"
        app.message("free text")
        assert client.messages[-1] == "free text"


def test_send_from_another_thread_is_delivered_in_order() -> None:
    app = App("P", device="p")
    n = app.number("N", perm="ro", members=["V"])
    with app.test_client() as client:
        client.received.clear()

        def worker() -> None:
            for i in range(50):
                n["V"] = i
                n.send()

        thread = threading.Thread(target=worker)
        thread.start()
        thread.join()
        client.advance(0)
        values = [e.values["V"] for e in client.received if isinstance(e, ev.SetNumberVector)]
        assert values == [float(i) for i in range(50)]


def test_delete_and_define() -> None:
    app = App("P", device="p")
    n = app.number("N", perm="ro", members=["V"])
    with app.test_client() as client:
        n.delete("gone for now")
        assert "N" not in client["p"]
        client.received.clear()
        client.get_properties()
        assert "N" not in [getattr(e, "name", None) for e in client.received]
        n.define()
        assert client["p"]["N"]["V"] == 0.0


def test_async_handler_busy_rejects_a_second_change() -> None:
    import asyncio

    app = App("A", device="a")
    gate: dict[str, object] = {}

    @app.number("MOVE", members=[Number("TO", min=0, max=10)])
    async def move(change):  # type: ignore[no-untyped-def]
        move.state = "Busy"
        move.send()
        gate["running"] = True
        await asyncio.sleep(0.05)

    with app.test_client() as client:
        client.set("a", "MOVE", TO=5)
        assert client["a"]["MOVE"].state is State.OK
        assert client["a"]["MOVE"]["TO"] == 5.0
        assert gate["running"] is True


def test_handler_can_return_state_or_real_values() -> None:
    app = App("A", device="a")

    @app.number("GOTO", members=[Number("TO", min=0, max=10)])
    def goto(change):  # type: ignore[no-untyped-def]
        if change["TO"] > 8:
            return {"TO": 8}  # clamped: the real value
        return "Busy"  # the move continues in a hardware job

    with app.test_client() as client:
        client.set("a", "GOTO", TO=9)
        assert client["a"]["GOTO"]["TO"] == 8.0 and client["a"]["GOTO"].state is State.OK
        client.set("a", "GOTO", TO=3)
        assert client["a"]["GOTO"]["TO"] == 3.0 and client["a"]["GOTO"].state is State.BUSY


def test_connection_property_runs_hooks() -> None:
    app = App("C", device="c")
    seen: list[str] = []

    @app.on_connect
    def up() -> None:
        seen.append("up")

    @app.on_disconnect
    async def down() -> None:
        seen.append("down")

    with app.test_client() as client:
        client.set("c", "CONNECTION", CONNECT=True)
        assert client["c"]["CONNECTION"].state is State.OK
        client.set("c", "CONNECTION", DISCONNECT=True)
        assert seen == ["up", "down"]


def test_switch_members_accept_on_off_words() -> None:
    app = App("S", device="s")
    app.switch("SW", members=[Switch("A"), Switch("B")])
    with app.test_client() as client:
        client.set("s", "SW", A="On")
        assert client["s"]["SW"]["A"] is True
