"""The driver author's classes: App, devices, properties, templates, standard properties, snoops.

Everything here is also importable from :mod:`indiflask` itself
(``from indiflask import App, Number``).
"""

from __future__ import annotations
