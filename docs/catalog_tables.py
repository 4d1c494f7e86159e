"""Sphinx directives that render the standard-property catalogue as tables at build time.

``.. standard-properties:: focuser`` -- one row per entry of
``indiflask.driver.catalog.focuser``; ``.. interface-table::`` -- the interface
bits; ``.. interface-requirements::`` -- what KStars/Ekos needs per interface.
The tables come from the modules themselves, so they cannot drift from the code.
"""

from __future__ import annotations

import importlib
import re
from typing import Any

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

from indiflask.core.members import Number
from indiflask.driver.catalog import ALIASES, REQUIREMENTS, Interface, StandardProperty


def _member(entry: StandardProperty, index: int) -> str:
    member = entry.members[index]
    text = f"``{member.name}``"
    if isinstance(member, Number):
        limits = f" {member.min:g}..{member.max:g}" if member.min < member.max else ""
        text += f" ({member.format}{limits})"
    return text


def _members(entry: StandardProperty) -> str:
    if entry.variable_members:
        pattern = f"names matching ``{entry.member_pattern}``" if entry.member_pattern else "any"
        example = ", ".join(f"``{m}``" for m in entry.member_names[:3])
        return f"varies ({pattern}); e.g. {example}"
    return ", ".join(_member(entry, i) for i in range(len(entry.members)))


def _access(entry: StandardProperty) -> str:
    text = entry.perm.value if entry.kind != "Light" else "ro"
    if entry.rule is not None:
        text += f", {entry.rule.value}"
    if entry.ro_allowed:
        text += " (ro allowed)"
    return text


def _when(entry: StandardProperty) -> str:
    text = "at start" if entry.defined == "start" else "on connect"
    return text + (", saved" if entry.saved else "")


def _escape(text: str) -> str:
    """Plain text for a table cell: no inline markup or references by accident."""
    return re.sub(r"_(?=\W|$)", r"\\_", re.sub(r"([*`|\\])", r"\\\1", text))


def _row(cells: list[str]) -> list[str]:
    lines = [f"   * - {cells[0]}"]
    lines.extend(f"     - {cell}" for cell in cells[1:])
    return lines


class _TableDirective(SphinxDirective):
    """Shared: parse generated reST lines into nodes."""

    def render(self, lines: list[str]) -> list[nodes.Node]:
        container = nodes.container()
        source = StringList(lines, source="catalogue")
        self.state.nested_parse(source, self.content_offset, container)
        return list(container.children)


class StandardProperties(_TableDirective):
    """``.. standard-properties:: MODULE``: a table of that catalogue module."""

    required_arguments = 1

    def run(self) -> list[nodes.Node]:
        module = importlib.import_module(f"indiflask.driver.catalog.{self.arguments[0]}")
        lines = [
            ".. list-table::",
            "   :header-rows: 1",
            "   :widths: 22 8 14 34 12 30",
            "",
            *_row(["Property", "Kind", "Perm, rule", "Members, in order", "Defined", "For"]),
        ]
        for entry in module.PROPERTIES:
            lines.extend(
                _row(
                    [
                        f"``{entry.name}``",
                        entry.kind,
                        _access(entry),
                        _members(entry),
                        _when(entry),
                        _escape(entry.summary),
                    ]
                )
            )
        return self.render(lines)


class InterfaceTable(_TableDirective):
    """``.. interface-table::``: the interface bits, their aliases and driver-list groups."""

    def run(self) -> list[nodes.Node]:
        lines = [
            ".. list-table::",
            "   :header-rows: 1",
            "",
            *_row(["Interface", "Bit", "Also accepted", "KStars group"]),
        ]
        for bit in Interface:
            aliases = ", ".join(f"``{a}``" for a, value in ALIASES.items() if value is bit)
            lines.extend(_row([f"``{bit.name}``", str(int(bit)), aliases or "", bit.group]))
        return self.render(lines)


class InterfaceRequirements(_TableDirective):
    """``.. interface-requirements::``: what each interface needs, with the reasons."""

    def run(self) -> list[nodes.Node]:
        lines = [
            ".. list-table::",
            "   :header-rows: 1",
            "   :widths: 14 34 10 42",
            "",
            *_row(["Interface", "Needs", "If missing", "Why"]),
        ]
        for bit, needs in REQUIREMENTS.items():
            for need in needs:
                what = " or ".join(f"``{name}``" for name in need.any_of)
                if need.unless:
                    what += " (unless " + " or ".join(f"``{n}``" for n in need.unless) + ")"
                lines.extend(
                    _row([f"``{bit.name}``", what, need.severity, _escape(need.reason) + "."])
                )
        return self.render(lines)


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the directives."""
    app.add_directive("standard-properties", StandardProperties)
    app.add_directive("interface-table", InterfaceTable)
    app.add_directive("interface-requirements", InterfaceRequirements)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
