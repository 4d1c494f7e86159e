"""Sending a change for the API and waiting for the driver's outcome.

:func:`apply_change` is ``Client.set(..., wait="done", check=True)`` plus one
refusal the client does not report by itself: an indiflask driver answers a
change to a property whose previous change is still running with an INDI
message naming the property (``led.EXPOSURE is busy with the previous change;
try again when it is done``) and leaves the property as it is. Without
watching for that message, the *previous* change's final answer would be
taken for the answer to this one.

INDI does not say which change a message answers, and the message reaches
every client, so a busy message counts as the refusal of this change only
while no answer to it can have arrived yet: when the property was not Busy as
the change was sent, until its first update; when it was Busy, until it
leaves Busy (a driver that accepts changes while Busy, such as a mount that
takes new coordinates during a slew, answers with updates instead).
"""

from __future__ import annotations

import asyncio
from typing import Any

from ..client import Client, RemoteProperty, Subscription

__all__ = ["ChangeBusy", "apply_change"]


class ChangeBusy(Exception):
    """The driver refused a change because the property is busy with a previous one."""

    def __init__(self, prop: RemoteProperty, reason: str) -> None:
        super().__init__(reason)
        #: The property, as it is now.
        self.property = prop


async def apply_change(
    client: Client, device: str, name: str, values: dict[str, Any], timeout: float
) -> RemoteProperty:
    """Send a change and wait until the property is no longer Busy.

    :raises InvalidValue: the values do not fit (nothing was sent).
    :raises ChangeRefused: the driver answered ``Alert``.
    :raises ChangeBusy: the driver refused because the property is busy.
    :raises TimeoutError: no final answer within ``timeout`` seconds.
    :raises ConnectionError: the INDI server is not connected.
    :raises LookupError: the property was deleted meanwhile.
    """
    current = client.get_property(device, name)
    was_busy = current is not None and current.state == "Busy"
    with client.updates(device) as updates:
        # the change is written before either task waits, so the subscription sees every
        # answer to it and nothing queued earlier is mistaken for one
        change = asyncio.ensure_future(
            client.set(device, name, values, wait="done", check=True, timeout=timeout)
        )
        busy = asyncio.ensure_future(_busy_refusal(updates, device, name, was_busy))
        try:
            await asyncio.wait({change, busy}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (change, busy):
                if not task.done():
                    task.cancel()
            await asyncio.gather(change, busy, return_exceptions=True)
    if not change.cancelled():
        return change.result()
    prop = client.get_property(device, name)
    if prop is None:
        raise LookupError(f"{device}.{name} was deleted")
    raise ChangeBusy(prop, busy.result())


async def _busy_refusal(updates: Subscription, device: str, name: str, was_busy: bool) -> str:
    """The text of the message by which the driver refused this change as busy.

    Never returns once an answer to the change may have arrived (see the module's notes).
    """
    where = f"{device}.{name}"
    while True:
        update = await updates.get()
        ours = update.kind in ("def", "set") and (update.device, update.name) == (device, name)
        if ours and (not was_busy or update.state != "Busy"):
            await asyncio.Event().wait()  # answered: only the change itself decides now
        text = update.message or ""
        mine = update.kind == "message" and update.device == device and where in text
        if mine and "busy" in text.lower():
            return text
