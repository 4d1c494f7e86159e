"""Golden rules of the sans-IO router, at the event level."""

from __future__ import annotations

import logging

import pytest
from router_helpers import client, driver, num_def, to

from indiflask.core.links import LinkKind
from indiflask.core.router import Router
from indiflask.protocol.events import (
    DefNumberVector,
    DelProperty,
    GetProperties,
    Invalid,
    Message,
    NewNumberVector,
    PingReply,
    PingRequest,
    SetNumberVector,
)
from indiflask.protocol.values import State


@pytest.fixture
def router() -> Router:
    return Router()


def test_definitions_reach_interested_clients_and_are_cached(router: Router) -> None:
    d = driver(router)
    early, _ = client(router)
    other, _ = client(router, device="Other")
    out = router.receive(d, num_def("Echo"))
    assert to(out, early) == [num_def("Echo")]
    assert to(out, other) == []
    router.receive(
        d, SetNumberVector(device="Echo", name="VALUES", state=State.OK, values={"X": 3})
    )
    late, out = client(router)
    (cached,) = to(out, late)
    assert isinstance(cached, DefNumberVector)
    assert cached.members[0].value == 3 and cached.state is State.OK
    assert to(out, early) == []  # no duplicate definitions for the others (libindi §4.5)
    assert to(out, d) == []  # drivers are not asked again


def test_unknown_device_request_goes_to_every_driver_with_version(router: Router) -> None:
    a, b = driver(router, "a"), driver(router, "b")
    _c, out = client(router, device="Nope")
    assert out == [(GetProperties(device="Nope", version="1.7"), [a, b])]


def test_uncached_property_of_known_device_goes_to_owner(router: Router) -> None:
    a, _b = driver(router, "a"), driver(router, "b")
    router.receive(a, num_def("Echo"))
    c, out = client(router, device="Echo")
    assert to(out, c) == [num_def("Echo")]
    link = router.add_link(LinkKind.CLIENT, "c2")
    out = router.receive(link, GetProperties(device="Echo", name="LATER"))
    assert out == [(GetProperties(device="Echo", name="LATER", version="1.7"), [a])]


def test_new_goes_to_owner_only(router: Router) -> None:
    a, _b = driver(router, "a"), driver(router, "b")
    router.receive(a, num_def("Echo"))
    c1, _ = client(router)
    _c2, _ = client(router)
    change = NewNumberVector(device="Echo", name="VALUES", values={"X": 1.0})
    assert router.receive(c1, change) == [(change, [a])]
    [(answer, [to_c1])] = router.receive(c1, NewNumberVector(device="Ghost", name="P"))
    assert to_c1 == c1 and isinstance(answer, Message)
    assert "no device 'Ghost'" in (answer.message or "")


def test_invalid_change_goes_to_owner_other_invalid_input_is_answered(router: Router) -> None:
    a = driver(router, "a")
    router.receive(a, num_def("Echo"))
    c1, _ = client(router, "Other")
    bad = Invalid(
        element_tag="newNumberVector",
        reason="member X: 'abc' is not a number",
        device="Echo",
        name="VALUES",
        element_xml=b'<newNumberVector device="Echo" name="VALUES">...',
    )
    assert router.receive(c1, bad) == [(bad, [a])]
    # the client now hears the owner's answer (an Alert of Echo.VALUES)
    update = SetNumberVector(device="Echo", name="VALUES", values={"X": 0.0})
    router.receive(a, update)  # first sight of the route
    assert to(router.receive(a, update), c1) == [update]
    for other in (
        Invalid(element_tag="newNumberVector", reason="r", device="Ghost", name="P"),
        Invalid(element_tag="enableBLOB", reason="mode 'Maybe'", device="Echo"),
        Invalid(element_tag="newTextVector", reason="no device attribute"),
    ):
        [(answer, [to_c1])] = router.receive(c1, other)
        assert to_c1 == c1 and isinstance(answer, Message)
        assert answer.message is not None and other.reason in answer.message


def test_second_claim_refused_and_logged(router: Router, caplog: pytest.LogCaptureFixture) -> None:
    a, b = driver(router, "a"), driver(router, "b")
    _c, _ = client(router)
    router.receive(a, num_def("Echo"))
    with caplog.at_level(logging.WARNING):
        assert router.receive(b, num_def("Echo", value=9)) == []
        assert router.receive(b, num_def("Echo", value=9)) == []
    assert router.owner("Echo") == a
    assert sum("loop" in r.getMessage() for r in caplog.records) == 1


def test_interest_narrow_by_name(router: Router) -> None:
    a = driver(router)
    router.receive(a, num_def("Echo", "P1"))
    router.receive(a, num_def("Echo", "P2"))
    c = router.add_link(LinkKind.CLIENT, "c")
    out = router.receive(c, GetProperties(device="Echo", name="P2"))
    assert to(out, c) == [num_def("Echo", "P2")]
    out = router.receive(a, SetNumberVector(device="Echo", name="P1", values={"X": 1}))
    assert to(out, c) == []
    out = router.receive(a, DelProperty(device="Echo"))
    assert len(to(out, c)) == 1


def test_global_message_to_all_clients(router: Router) -> None:
    a = driver(router)
    c1, _ = client(router, device="X")
    c2 = router.add_link(LinkKind.CLIENT, "silent")
    out = router.receive(a, Message(message="hello"))
    assert out == [(Message(message="hello"), [c1, c2])] or sorted(out[0][1]) == [c1, c2]


def test_ping_answered_on_same_link(router: Router) -> None:
    a = driver(router)
    c, _ = client(router)
    assert router.receive(a, PingRequest(uid="SetBLOB/1")) == [(PingReply(uid="SetBLOB/1"), [a])]
    assert router.receive(c, PingRequest(uid="x")) == [(PingReply(uid="x"), [c])]


def test_link_loss_sends_delproperty_and_restart_redefines(router: Router) -> None:
    a = driver(router)
    c, _ = client(router)
    router.receive(a, num_def("Echo"))
    router.receive(a, num_def("Echo2"))
    out = router.link_down(a)
    assert sorted(e.device for e in to(out, c)) == ["Echo", "Echo2"]  # type: ignore[attr-defined]
    assert all(isinstance(e, DelProperty) and e.name is None for e in to(out, c))
    assert router.owner("Echo") is None
    assert not router.cache.has("Echo")
    assert router.link_up(a) == [(GetProperties(version="1.7"), [a])]
    out = router.receive(a, num_def("Echo"))
    assert to(out, c) == [num_def("Echo")]


def test_client_loss_forgets_interest(router: Router) -> None:
    a = driver(router)
    c, _ = client(router)
    router.remove_link(c)
    assert router.receive(a, num_def("Echo")) == []


def test_cache_folds_libindi_number_limits_into_definitions() -> None:
    """libindi's setNumberVector may carry min/max/step; new clients see the new limits."""
    from indiflask.core.cache import DefinitionCache
    from indiflask.protocol.events import DefNumber, DefNumberVector, SetNumberVector

    cache = DefinitionCache()
    cache.define(
        DefNumberVector(
            device="CCD", name="FRAME", members=(DefNumber(name="W", min=0, max=100, value=10),)
        )
    )
    cache.update(
        SetNumberVector(
            device="CCD", name="FRAME", values={"W": 50.0}, limits={"W": (None, 1280.0, 1.0)}
        )
    )
    (definition,) = list(cache.definitions("CCD"))
    member = definition.members[0]
    assert (member.min, member.max, member.step, member.value) == (0, 1280.0, 1.0, 50.0)
