"""The client side of INDI: an asyncio :class:`Client`, and :class:`BlockingClient` for scripts.

::

    from indiflask.client import Client

    async with Client("127.0.0.1", 7624) as c:
        led = await c.wait_for("led", "LED", timeout=5)
        await c.set("led", "LED", ON=True)
        await c.wait_for_state("led", "LED", "Ok", timeout=5)
        assert led["ON"] is True

Without asyncio (scripts, notebooks)::

    from indiflask.client import BlockingClient

    with BlockingClient("127.0.0.1", 7624) as c:
        c.set("led", "LED", ON=True)
        print(c["led"]["TEMPERATURE"].formatted("TEMP"))
"""

from __future__ import annotations

from ..core.mirror import Mirror, RemoteDevice, RemoteProperty
from ..errors import ChangeRefused
from .blocking import BlockingClient
from .client import Client, Subscription
from .updates import Update

__all__ = [
    "BlockingClient",
    "ChangeRefused",
    "Client",
    "Mirror",
    "RemoteDevice",
    "RemoteProperty",
    "Subscription",
    "Update",
]
