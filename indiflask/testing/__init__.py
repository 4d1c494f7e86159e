"""Testing drivers without a socket: :class:`TestClient` on a virtual clock.

``app.test_client()`` returns a :class:`TestClient`; see its documentation and
the testing guide.
"""

from __future__ import annotations

from .client import TestClient
from .clock import VirtualClockLoop

__all__ = ["TestClient", "VirtualClockLoop"]
