"""The web control panel and its JSON/WebSocket API (``pip install 'indiflask[web]'``).

::

    indiflask web --indi 127.0.0.1:7624 --port 7680   # a panel for any INDI server
    indiflask run examples/led.py --web 7680          # a panel beside an app's INDI port

The panel is one page (``static/``) that shows every device, property and
message of an INDI server live, edits them, previews images and plots
numbers; the same server answers a JSON API. Modules, one job each:

==============  ==============================================================
``app``         :class:`WebPanel`: the aiohttp application, start/stop, run helpers
``routes``      the JSON API's handlers
``pages``       the page, its static files, the login form
``changes``     a change sent for the API, and the driver's outcome
``hub``         WebSocket fan-out, number history for plots, BLOB counters
``model``       the JSON shapes of properties, messages and changes
``images``      FITS/JPEG/PNG previews (astropy, numpy, Pillow)
``security``    the loopback and token rule
``middleware``  the rule, security headers and body limits as aiohttp middlewares
==============  ==============================================================
"""

from __future__ import annotations

from .app import DEFAULT_MAX_UPLOAD, DEFAULT_WEB_PORT, WebPanel, run_beside, run_panel
from .hub import Hub, Peer
from .model import property_json

__all__ = [
    "DEFAULT_MAX_UPLOAD",
    "DEFAULT_WEB_PORT",
    "Hub",
    "Peer",
    "WebPanel",
    "property_json",
    "run_beside",
    "run_panel",
]
