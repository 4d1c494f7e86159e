"""``indiflask term``: a keyboard-first terminal UI for any INDI server, on textual.

textual is an optional dependency (``pip install 'indiflask[tui]'``), so this
package imports it only when the UI starts: :func:`run_tui` raises
:class:`ImportError` when it is missing, and ``import indiflask.tui`` always works.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["run_tui"]


def run_tui(host: str = "127.0.0.1", port: int = 7624, *, blob_dir: Path | None = None) -> None:
    """Run the terminal UI against ``host:port`` until the user quits.

    :param blob_dir: the folder proposed for downloaded BLOBs (default: the current folder).
    :raises ImportError: when textual is not installed.
    """
    from .app import IndiTerm

    IndiTerm(host, port, blob_dir=blob_dir or Path(".")).run()
