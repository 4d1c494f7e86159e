"""libindi's standard properties, per interface: names, kinds, perms, rules, groups and members."""

from __future__ import annotations

from .interfaces import Interface

__all__ = ["Interface"]
