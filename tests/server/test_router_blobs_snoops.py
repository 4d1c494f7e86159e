"""BLOB policy (spec semantics), snooping across link kinds, upstream enableBLOB."""

from __future__ import annotations

import pytest
from router_helpers import blob_def, blob_set, client, driver, num_def, to

from indiflask.core.blobpolicy import BlobPolicy, QueueBudget, QueueVerdict
from indiflask.core.links import LinkKind
from indiflask.core.router import Router
from indiflask.protocol.events import (
    DelProperty,
    EnableBLOB,
    GetProperties,
    SetNumberVector,
)
from indiflask.protocol.values import BlobMode


@pytest.fixture
def router() -> Router:
    return Router()


def test_policy_default_never_and_scopes() -> None:
    p = BlobPolicy()
    assert not p.allows_blob("CCD", "CCD1")
    p.enable("CCD", None, BlobMode.ALSO)
    assert p.allows_blob("CCD", "CCD1") and not p.allows_blob("Other", "CCD1")
    p.enable("CCD", "CCD2", BlobMode.NEVER)
    assert p.allows_blob("CCD", "CCD1") and not p.allows_blob("CCD", "CCD2")
    p.enable("CCD", None, BlobMode.NEVER)  # device-wide choice replaces property ones
    assert not p.allows_blob("CCD", "CCD1")
    p.enable("CCD", "CCD1", BlobMode.ONLY)  # per-property Only: like Also
    assert p.allows_blob("CCD", "CCD1") and p.allows_other("CCD")
    assert p.wanted_devices() == {"CCD"}
    p.enable("CCD", None, BlobMode.ONLY)
    assert not p.allows_other("CCD") and p.allows_other("Mount") and p.allows_other(None)


def test_queue_budget() -> None:
    b = QueueBudget(max_queue=100, max_stream_queue=10)
    assert b.verdict(0, 50, stream=False) is QueueVerdict.SEND
    assert b.verdict(60, 50, stream=False) is QueueVerdict.DISCONNECT
    assert b.verdict(11, 5, stream=True) is QueueVerdict.DROP
    assert b.verdict(11, 5, stream=False) is QueueVerdict.SEND
    assert QueueBudget(max_stream_queue=0).verdict(2**30, 1, stream=True) is QueueVerdict.DISCONNECT


def test_blob_filter_per_client_per_device(router: Router) -> None:
    ccd, mount = driver(router, "ccd"), driver(router, "mount")
    router.receive(ccd, blob_def("CCD"))
    router.receive(mount, blob_def("Mount", "GUIDE"))
    none, _ = client(router)
    also, _ = client(router)
    other, _ = client(router)
    router.receive(also, EnableBLOB(device="CCD", mode=BlobMode.ALSO))
    router.receive(other, EnableBLOB(device="Mount", mode=BlobMode.ALSO))  # libindi: global!
    out = router.receive(ccd, blob_set("CCD"))
    assert to(out, also) == [blob_set("CCD")]
    assert to(out, none) == [] and to(out, other) == []


def test_only_mutes_that_device_only(router: Router) -> None:
    ccd, mount = driver(router, "ccd"), driver(router, "mount")
    router.receive(ccd, blob_def("CCD"))
    router.receive(mount, num_def("Mount"))
    only, _ = client(router)
    router.receive(only, EnableBLOB(device="CCD", mode=BlobMode.ONLY))
    assert to(router.receive(ccd, blob_set("CCD")), only) == [blob_set("CCD")]
    upd = SetNumberVector(device="CCD", name="TEMP", values={})
    assert to(router.receive(ccd, upd), only) == []
    upd = SetNumberVector(device="Mount", name="VALUES", values={"X": 1.0})
    assert to(router.receive(mount, upd), only) == [upd]  # libindi would mute this too


def test_snoop_app_on_exdriver_from_cache_and_live(router: Router) -> None:
    ex = driver(router, "exdriver", LinkKind.EXEC)
    app = driver(router, "app", LinkKind.APP)
    router.receive(ex, num_def("Echo"))
    out = router.receive(app, GetProperties(device="Echo", name="VALUES"))
    assert to(out, app) == [num_def("Echo")]
    assert to(out, ex) == []
    assert router.snoops(app, "Echo", "VALUES")
    upd = SetNumberVector(device="Echo", name="VALUES", values={"X": 2.0})
    assert to(router.receive(ex, upd), app) == [upd]
    # the owner never gets its own traffic back
    router.receive(ex, GetProperties(device="Echo"))
    assert to(router.receive(ex, upd), ex) == []


def test_snoop_unknown_device_forwarded_then_delivered(router: Router) -> None:
    app = driver(router, "app", LinkKind.APP)
    remote = router.add_link(LinkKind.REMOTE, "remote")
    router.link_up(remote)
    out = router.receive(app, GetProperties(device="Far"))
    assert out == [(GetProperties(device="Far", version="1.7"), [remote])]
    out = router.receive(remote, num_def("Far"))
    assert to(out, app) == [num_def("Far")]


def test_remote_asks_for_everything_or_one_device(router: Router) -> None:
    everything = router.add_link(LinkKind.REMOTE, "all")
    one = router.add_link(LinkKind.REMOTE, "one", device="Telescope")
    assert router.link_up(everything) == [(GetProperties(device="*", version="1.7"), [everything])]
    assert router.link_up(one) == [(GetProperties(device="Telescope", version="1.7"), [one])]
    c, _ = client(router)
    assert router.receive(one, num_def("NotMine")) == []
    assert to(router.receive(one, num_def("Telescope")), c) == [num_def("Telescope")]


def test_snooped_blobs_only_after_enableblob(router: Router) -> None:
    ccd = driver(router, "ccd")
    app = driver(router, "app", LinkKind.APP)
    router.receive(ccd, blob_def("CCD"))
    router.receive(app, GetProperties(device="CCD"))
    assert to(router.receive(ccd, blob_set("CCD")), app) == []
    router.receive(app, EnableBLOB(device="CCD", mode=BlobMode.ALSO))
    assert to(router.receive(ccd, blob_set("CCD")), app) == [blob_set("CCD")]


def test_upstream_blob_kept_at_also_while_anyone_wants(router: Router) -> None:
    remote = router.add_link(LinkKind.REMOTE, "up")
    router.link_up(remote)
    router.receive(remote, blob_def("CCD"))
    x, _ = client(router)
    y, _ = client(router)
    out = router.receive(x, EnableBLOB(device="CCD", mode=BlobMode.ALSO))
    assert out == [(EnableBLOB(device="CCD", mode=BlobMode.ALSO), [remote])]
    assert router.receive(y, EnableBLOB(device="CCD", mode=BlobMode.NEVER)) == []
    out = router.receive(remote, blob_set("CCD"))
    assert to(out, x) == [blob_set("CCD")] and to(out, y) == []
    out = router.receive(x, EnableBLOB(device="CCD", mode=BlobMode.NEVER))
    assert out == [(EnableBLOB(device="CCD", mode=BlobMode.NEVER), [remote])]
    # a reconnect re-sends what is wanted
    router.receive(y, EnableBLOB(device="CCD", name="CCD1", mode=BlobMode.ALSO))
    router.link_down(remote)
    out = router.link_up(remote)
    assert out == [
        (GetProperties(device="*", version="1.7"), [remote]),
        (EnableBLOB(device="CCD", mode=BlobMode.ALSO), [remote]),
    ]


def test_chained_client_gets_snoop_requests_for_unknown_devices(router: Router) -> None:
    app = driver(router, "app", LinkKind.APP)
    chained = router.add_link(LinkKind.CLIENT, "downstream server")
    router.receive(chained, GetProperties(device="*"))
    out = router.receive(app, GetProperties(device="Below"))
    assert chained in out[0][1]
    # the downstream server answers with the snooped device's traffic
    out = router.receive(chained, num_def("Below"))
    assert to(out, app) == [num_def("Below")]


def test_driver_link_loss_tells_snoopers(router: Router) -> None:
    ex = driver(router, "ex")
    app = driver(router, "app", LinkKind.APP)
    router.receive(ex, num_def("Echo"))
    router.receive(app, GetProperties(device="Echo"))
    out = router.link_down(ex)
    assert to(out, app) == [DelProperty(device="Echo")]
