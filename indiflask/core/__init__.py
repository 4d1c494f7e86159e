"""The sans-IO semantic core: property specs and live objects, the driver engine, the router."""

from __future__ import annotations
