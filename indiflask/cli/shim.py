"""``indiflask shim``: a launcher for INDI servers, and the driver list entry that offers it."""

from __future__ import annotations

import os
import shlex
import stat
import sys

import click

from ..driver.listing import driver_listing
from .discovery import find_app

__all__ = ["shim_command"]


@click.command("shim")
@click.argument("app")
@click.argument("name")
@click.option(
    "--dir",
    "directory",
    default=".",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Where to write the launcher.",
)
@click.option(
    "--xml-dir",
    type=click.Path(file_okay=False),
    help="Where to write the driver list entry (default: beside the launcher). "
    "KStars reads the indi_NAME.xml files of its drivers folder; INDI Web Manager "
    "all the XML files of its --xmldir.",
)
@click.option("--no-xml", is_flag=True, help="Write the launcher only.")
def shim_command(app: str, name: str, directory: str, xml_dir: str | None, no_xml: bool) -> None:
    """Write NAME, a no-argument launcher that runs APP with --stdio, and its driver list entry.

    INDI servers start drivers without arguments, so give them this launcher:
    ``indiserver /abs/path/NAME`` (an absolute path), or put its folder on the
    server's PATH. The entry (``indi_NAME.xml``) lists NAME under the family of
    the app's interfaces (Focusers, Filter Wheels, Domes, ...), so KStars'
    driver list and INDI Web Manager offer it.
    """
    os.environ["INDIFLASK_RUN_FROM_CLI"] = "1"
    found = find_app(app)  # fail now, not under indiserver
    os.makedirs(directory, exist_ok=True)
    path = os.path.abspath(os.path.join(directory, name))
    target = app
    if ".py" in app:
        file_part, _, attr = app.partition(".py")
        target = os.path.abspath(file_part + ".py") + attr
    script = (
        "#!/bin/sh\n"
        "# indiflask launcher: runs an indiflask app as an INDI driver on stdin/stdout\n"
        f"cd {shlex.quote(os.getcwd())} || exit 1\n"
        f"INDIFLASK_DRIVER_EXEC={shlex.quote(name)}\n"
        "export INDIFLASK_DRIVER_EXEC\n"
        f'exec {shlex.quote(sys.executable)} -m indiflask run --stdio {shlex.quote(target)} "$@"\n'
    )
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(script)
    os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    click.echo(path)
    if no_xml:
        return
    found.finish_setup()
    listing = driver_listing(found.name, name, found.version, found.values())
    folder = xml_dir or directory
    os.makedirs(folder, exist_ok=True)
    filename = f"{name}.xml" if name.startswith("indi_") else f"indi_{name}.xml"
    xml_path = os.path.abspath(os.path.join(folder, filename))
    with open(xml_path, "wb") as fh:
        fh.write(listing)
    click.echo(xml_path)
