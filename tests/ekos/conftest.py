"""KStars/Ekos tests: skipped, with the reason, only when KStars or its D-Bus tools are missing."""

from __future__ import annotations

import pytest
from ekos_kit import missing_programs


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    missing = missing_programs()
    if not missing:
        return
    skip = pytest.mark.skip(
        reason=f"KStars/Ekos needs {', '.join(missing)}: apt-get install kstars dbus-x11 "
        "qdbus-qt5 (.ci/run installs them)"
    )
    for item in items:
        if "ekos" in item.keywords:
            item.add_marker(skip)
