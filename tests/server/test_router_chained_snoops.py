"""Snoops across a chain: a chained server that arrives (or comes back) after the
snooper is sent the snoop requests for devices nobody here owns."""

from __future__ import annotations

from router_helpers import driver, num_def, to

from indiflask.core.links import LinkKind
from indiflask.core.router import Router
from indiflask.protocol.events import GetProperties


def test_a_chained_server_gets_pending_snoops_when_it_arrives_and_again_after_a_reconnect() -> None:
    router = Router()
    snooper = driver(router, "snooper")
    local = driver(router, "local")
    router.receive(local, num_def("Here"))
    router.receive(snooper, GetProperties(device="Far", name="VALUES"))
    router.receive(snooper, GetProperties(device="Here"))  # owned here: not replayed
    router.receive(snooper, GetProperties(device="Other"))
    router.receive(snooper, GetProperties())  # everything: nothing to replay

    plain = router.add_link(LinkKind.CLIENT, "gui")
    assert not any(
        isinstance(e, GetProperties) for e in to(router.receive(plain, GetProperties()), plain)
    )

    for _ in range(2):  # the chained server, then the same after it reconnected
        chained = router.add_link(LinkKind.CLIENT, "downstream server")
        out = to(router.receive(chained, GetProperties(device="*")), chained)
        requests = [e for e in out if isinstance(e, GetProperties)]
        assert requests == [
            GetProperties(device="Far", name="VALUES", version="1.7"),
            GetProperties(device="Other", version="1.7"),
        ]
        # asking again on the same link does not repeat them
        again = to(router.receive(chained, GetProperties(device="*")), chained)
        assert not any(isinstance(e, GetProperties) for e in again)
        router.remove_link(chained)


def test_snooped_traffic_from_the_chained_server_reaches_the_snooper() -> None:
    router = Router()
    snooper = driver(router, "snooper")
    router.receive(snooper, GetProperties(device="Far"))
    chained = router.add_link(LinkKind.CLIENT, "downstream server")
    router.receive(chained, GetProperties(device="*"))
    out = router.receive(chained, num_def("Far", value=3.0))
    assert to(out, snooper) == [num_def("Far", value=3.0)]
