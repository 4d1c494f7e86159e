"""libindi's standard properties and device interfaces, for drivers KStars/Ekos understand."""

from __future__ import annotations

from .interfaces import Interface

__all__ = ["Interface"]
