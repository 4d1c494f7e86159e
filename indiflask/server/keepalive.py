"""Liveness of a long-lived connection: ping a quiet peer, give up on a silent one.

A TCP connection whose cable was pulled (or whose Wi-Fi dropped) reports
nothing: reads simply never complete. :class:`Keepalive` watches the time since
the peer last sent anything; after ``interval`` seconds of quiet it asks for a
sign of life (an INDI ``pingRequest``, which both libindi's indiserver and ours
answer), and after ``timeout`` seconds of silence it gives the connection up so
that the owner can reconnect.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

__all__ = ["Keepalive", "ping_request"]


def ping_request(serial: int) -> bytes:
    """The bytes of a keepalive ``pingRequest`` with a recognisable uid."""
    return b'<pingRequest uid="indiflask-keepalive-%d"/>\n' % serial


class Keepalive:
    """Watches one connection.

    :param interval: seconds of quiet before a ping is sent.
    :param timeout: seconds of silence before ``give_up`` is called.
    :param ping: sends a ping to the peer.
    :param give_up: closes the connection (called once).
    """

    def __init__(
        self,
        interval: float,
        timeout: float,
        ping: Callable[[bytes], None],
        give_up: Callable[[], None],
    ) -> None:
        self.interval = max(0.05, interval)
        self.timeout = max(self.interval, timeout)
        self._ping = ping
        self._give_up = give_up
        self._loop = asyncio.get_running_loop()
        self._last = self._loop.time()
        self._serial = 0
        self._held = False
        #: True once the peer was declared silent.
        self.expired = False

    def touch(self) -> None:
        """The peer sent something."""
        self._last = self._loop.time()

    def hold(self, held: bool) -> None:
        """We stopped reading the peer (``True``: its silence means nothing), or read on.

        The quiet time starts again from now when reading resumes.
        """
        self._held = held
        self._last = self._loop.time()

    async def run(self) -> None:
        """Watch until the connection is given up (or the task is cancelled)."""
        step = self.interval / 2
        while True:
            await asyncio.sleep(step)
            if self._held:
                continue
            quiet = self._loop.time() - self._last
            if quiet >= self.timeout:
                self.expired = True
                self._give_up()
                return
            if quiet >= self.interval:
                self._serial += 1
                self._ping(ping_request(self._serial))
