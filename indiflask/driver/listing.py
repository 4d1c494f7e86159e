"""The INDI driver list entry of an app: what KStars and INDI Web Manager offer to start.

Both read ``<driversList>`` files: one ``<devGroup group="Focusers">`` per family,
one ``<device label="...">`` per device with the ``<driver name="...">`` executable
and a ``<version>``. KStars reads only files called ``indi_*.xml`` (or
``drivers.xml``) from its drivers folder (``/usr/share/indi`` unless set in its
INDI settings); INDI Web Manager reads every ``*.xml`` of its ``--xmldir``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from lxml import etree

from .catalog.interfaces import Interface

__all__ = ["driver_listing"]


class ListedDevice(Protocol):
    """What the listing needs of a device."""

    @property
    def name(self) -> str:
        """The device name (the list's label)."""

    interfaces: Interface


def driver_listing(
    name: str, executable: str, version: str, devices: Iterable[ListedDevice]
) -> bytes:
    """The ``<driversList>`` XML listing ``executable`` for each of ``devices``.

    :param name: the driver's name (``DRIVER_INFO.DRIVER_NAME``).
    :param executable: the program the tools start (a launcher made by ``indiflask shim``).
    :param version: the driver version.
    """
    listed = list(devices)
    root = etree.Element("driversList")
    groups: dict[str, etree._Element] = {}
    for device in listed:
        family = device.interfaces.group
        group = groups.get(family)
        if group is None:
            group = groups[family] = etree.SubElement(root, "devGroup", group=family)
        entry = etree.SubElement(group, "device", label=device.name, manufacturer="indiflask")
        if len(listed) > 1:
            entry.set("mdpd", "true")  # one process, several devices: no -n name
        driver = etree.SubElement(entry, "driver", name=name)
        driver.text = executable
        etree.SubElement(entry, "version").text = version
    data: bytes = etree.tostring(root, pretty_print=True, xml_declaration=True, encoding="UTF-8")
    return data
