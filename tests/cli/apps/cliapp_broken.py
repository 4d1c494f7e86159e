"""A module whose import fails inside it (a missing dependency)."""

import indiflask_no_such_dependency  # noqa: F401

from indiflask import App

app = App("Broken")
