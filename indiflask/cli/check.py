"""``indiflask check``: lint apps against their interfaces (:mod:`indiflask.driver.lint`)."""

from __future__ import annotations

import os
import sys

import click

from ..driver.lint import ERROR, WARNING, lint
from .discovery import find_app

__all__ = ["check_command"]


@click.command("check")
@click.argument("apps", nargs=-1, required=True)
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
def check_command(apps: tuple[str, ...], strict: bool) -> None:
    """Check APPS (module:attr or file.py[:attr]) against libindi's standard properties.

    Prints one line per finding and a summary; exits 1 when there is an error
    (or, with --strict, a warning). Loading an app runs its module, not its
    hooks: no hardware is touched.

    \b
      indiflask check examples/focuser.py
      indiflask check --strict app.py other_app.py
    """
    os.environ["INDIFLASK_RUN_FROM_CLI"] = "1"
    devices = errors = warnings = 0
    for spec in apps:
        app = find_app(spec)
        findings = lint(app)
        devices += len(app)
        for finding in findings:
            click.echo(f"{spec}: {finding.severity}: {finding}")
        errors += sum(f.severity == ERROR for f in findings)
        warnings += sum(f.severity == WARNING for f in findings)
    click.echo(
        f"{_count(devices, 'device')} checked: {_count(errors, 'error')}, "
        f"{_count(warnings, 'warning')}"
    )
    if errors or (strict and warnings):
        sys.exit(1)


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"
