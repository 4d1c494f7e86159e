"""The I/O layer: the asyncio driver engine, stdio and TCP launchers."""

from __future__ import annotations
