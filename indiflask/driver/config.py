"""Saved configuration: the device's file, written safely, and loaded through the handlers.

Properties declared with ``persist=True`` are saved in libindi's configuration
file and loaded from it:

* the file is ``$INDICONFIG`` when set (libindi's indiserver sets it for a
  driver started with ``-c``; one file then holds every device of the driver),
  else ``~/.indi/<device>_config.xml``;
* a save rewrites this device's entries and keeps everything else the file holds
  (other devices', and properties this driver does not know); it writes a new
  file beside the old one and renames it over, so a crash mid-save never leaves
  a truncated file; the first save of an existing file keeps a copy of it as
  ``<file>.default`` (never overwritten afterwards), as libindi does;
* a load replays the saved values of the device's persisted properties as if a
  client had written them: through the same checks and handlers. Other entries
  are left alone;
* a file that is not a configuration file, or not readable, is reported and left
  alone; nothing is applied from it, and it is not overwritten by the next save
  unless the user asks to (``CONFIG_PURGE``, then ``CONFIG_SAVE``).
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

from ..core.config import ConfigDocument, ConfigError, parse_config, render_config
from ..protocol import events as ev

__all__ = ["ConfigFile", "ConfigProblem", "config_path"]

log = logging.getLogger(__name__)


class ConfigProblem(Exception):
    """The configuration file cannot be used: missing, unreadable or not a configuration."""


def config_path(device: str) -> Path:
    """Where ``device``'s configuration lives.

    ``$INDICONFIG`` when set, else ``~/.indi/<device>_config.xml``.
    """
    named = os.environ.get("INDICONFIG")
    if named:
        return Path(named).expanduser()
    return Path.home() / ".indi" / f"{device}_config.xml"


class ConfigFile:
    """One device's configuration file.

    :param device: the device name.
    :param path: the file (default: :func:`config_path`, looked up at each use).
    """

    def __init__(self, device: str, path: Path | None = None) -> None:
        self.device = device
        self._path = path

    @property
    def path(self) -> Path:
        """The file."""
        return self._path if self._path is not None else config_path(self.device)

    @property
    def default_path(self) -> Path:
        """The snapshot of the file as it was first found (``<file>.default``)."""
        path = self.path
        return path.with_name(path.name + ".default")

    def exists(self) -> bool:
        """Whether the file exists."""
        return self.path.is_file()

    # ------------------------------------------------------------------ reading
    def read(self, default: bool = False) -> ConfigDocument:
        """Read the file (or its ``.default`` copy).

        :raises ConfigProblem: when it is missing, unreadable or not a configuration file.
        """
        path = self.default_path if default else self.path
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise ConfigProblem(f"no saved configuration at {path}") from None
        except OSError as exc:
            raise ConfigProblem(f"cannot read {path}: {exc.strerror or exc}") from None
        try:
            document = parse_config(data)
        except ConfigError as exc:
            raise ConfigProblem(f"{path} is not usable ({exc}); it was left as it is") from None
        for problem in document.problems:
            log.warning("%s: %s", path, problem)
        return document

    def load(self, default: bool = False) -> list[ev.NewVector]:
        """This device's saved changes, in file order.

        :raises ConfigProblem: as :meth:`read`.
        """
        return self.read(default).for_device(self.device)

    # ------------------------------------------------------------------ writing
    def save(self, entries: Iterable[ev.NewVector]) -> Path:
        """Replace this device's entries (same device and name) with ``entries``; keep the rest.

        :returns: the file written.
        :raises ConfigProblem: when the existing file cannot be read as a
            configuration (it is not overwritten) or the new one cannot be written.
        """
        path = self.path
        mine = list(entries)
        kept: list[ev.NewVector] = []
        if path.exists():
            replaced = {(e.device, e.name) for e in mine}
            kept = [e for e in self.read().entries if (e.device, e.name) not in replaced]
            if not self.default_path.exists():
                self._copy_default(path)
        ordered = [e for e in kept if e.device != self.device]
        ordered += [e for e in kept if e.device == self.device] + mine
        _write_atomically(path, render_config(ordered))
        return path

    def purge(self) -> Path:
        """Delete the file (never its ``.default`` copy).

        :raises ConfigProblem: when there is no file to delete.
        """
        path = self.path
        try:
            path.unlink()
        except FileNotFoundError:
            raise ConfigProblem(f"no saved configuration at {path} to purge") from None
        except OSError as exc:
            raise ConfigProblem(f"cannot delete {path}: {exc.strerror or exc}") from None
        return path

    def _copy_default(self, path: Path) -> None:
        try:
            shutil.copyfile(path, self.default_path)
        except OSError as exc:
            log.warning("could not keep a default copy of %s: %s", path, exc)


def _write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to a new file beside ``path``, flush it to disk, and rename it over."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise ConfigProblem(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except OSError as exc:
        Path(temp).unlink(missing_ok=True)
        raise ConfigProblem(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        directory = os.open(path.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(directory)
    except OSError:
        pass
    finally:
        os.close(directory)
