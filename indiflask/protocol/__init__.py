"""The sans-IO INDI wire layer: events, framing, codec and connection state.

Nothing here performs I/O: bytes go in, events come out, and events go in,
bytes come out. The runtime layer owns sockets, pipes and clocks.
"""

from __future__ import annotations
