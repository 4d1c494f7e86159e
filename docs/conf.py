"""Sphinx configuration for the indiflask documentation."""

from __future__ import annotations

import sys
from pathlib import Path

# Document the source tree itself, installed or not; local extensions live beside this file.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

project = "indiflask"
author = "indiflask developers"
copyright = "2026, indiflask developers"
release = "0.1.0"

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.doctest",
    "sphinx_click",
    "catalog_tables",
]

autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"members": True, "undoc-members": True, "show-inheritance": True}

exclude_patterns = ["_build"]
html_theme = "alabaster"
html_title = "indiflask"

# Docstring examples (pulled in by autodoc) use the names of their own module.
doctest_global_setup = """
from indiflask.protocol.blobs import *
from indiflask.protocol.numbers import *
from indiflask.protocol.values import *
"""
