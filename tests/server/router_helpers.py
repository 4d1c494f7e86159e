"""Helpers for the router tests."""

from __future__ import annotations

from indiflask.core.links import LinkKind
from indiflask.core.router import Deliveries, Router
from indiflask.protocol.blobs import BlobValue
from indiflask.protocol.events import (
    DefBLOB,
    DefBLOBVector,
    DefNumber,
    DefNumberVector,
    Event,
    GetProperties,
    SetBLOBVector,
)


def num_def(device: str, name: str = "VALUES", value: float = 0.0) -> DefNumberVector:
    return DefNumberVector(device=device, name=name, members=(DefNumber(name="X", value=value),))


def blob_def(device: str, name: str = "CCD1") -> DefBLOBVector:
    return DefBLOBVector(device=device, name=name, members=(DefBLOB(name="IMG"),))


def blob_set(device: str, name: str = "CCD1", fmt: str = ".fits") -> SetBLOBVector:
    return SetBLOBVector(
        device=device, name=name, values={"IMG": BlobValue(format=fmt, size=3, b64=b"YWJj")}
    )


def to(out: Deliveries, link: int) -> list[Event]:
    return [event for event, links in out if link in links]


def driver(router: Router, name: str = "drv", kind: LinkKind = LinkKind.EXEC) -> int:
    link = router.add_link(kind, name)
    out = router.link_up(link)
    assert out == [(GetProperties(version="1.7"), [link])]
    return link


def client(router: Router, device: str | None = None) -> tuple[int, Deliveries]:
    link = router.add_link(LinkKind.CLIENT, "client")
    return link, router.receive(link, GetProperties(device=device))
