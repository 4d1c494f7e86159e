"""indiserver's control FIFO: its command language, and a reader for the named pipe.

Each line written to the FIFO is one command, in libindi's syntax::

    start DRIVER [-n "device name"] [-c "config file"] [-s "skeleton file"] [-p "prefix"]
    start [DEVICE]@HOST[:PORT]              (quotes are removed: "Telescope Simulator"@h:7624)
    stop DRIVER [-n "device name"]
    stop [DEVICE]@HOST[:PORT]

:func:`parse_fifo_line` turns one line into a :class:`FifoCommand` (pure: no
I/O). Unlike libindi, which treats any first word other than ``start`` as
``stop`` and ignores what it cannot read, a line that does not parse raises
:class:`FifoSyntaxError` so that the caller can log it. Option values may be
double-quoted (libindi requires it) or single words.

:class:`FifoReader` reads a named pipe the way indiserver does: opened without
blocking, and reopened whenever the last writer closes it, so each
``echo ... > fifo`` is read; a final line without a newline still counts.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import os
import shlex
import stat
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from ..errors import SetupError
from .specs import parse_remote

__all__ = ["MAX_LINE", "FifoCommand", "FifoReader", "FifoSyntaxError", "parse_fifo_line"]

log = logging.getLogger("indiflask.server")

#: Longest accepted command line, in bytes (longer ones are logged and skipped).
MAX_LINE = 4096

_OPTIONS = {"-n": "name", "-c": "config", "-s": "skeleton", "-p": "prefix"}


class FifoSyntaxError(ValueError):
    """A FIFO line that is not a command."""


@dataclass(frozen=True, slots=True)
class FifoCommand:
    """One parsed FIFO command.

    ``driver`` is the program as written (``indi_simulator_ccd``) or, for a
    remote server, the ``[DEVICE]@HOST[:PORT]`` text without quotes.
    """

    #: ``"start"`` or ``"stop"``.
    action: Literal["start", "stop"]
    #: The driver program, or the remote server's spec.
    driver: str
    #: True for ``[DEVICE]@HOST[:PORT]``.
    remote: bool = False
    #: ``-n``: the device name (``INDIDEV``).
    name: str | None = None
    #: ``-c``: the configuration file (``INDICONFIG``).
    config: str | None = None
    #: ``-s``: the skeleton file (``INDISKEL``).
    skeleton: str | None = None
    #: ``-p``: the installation prefix (``INDIPREFIX``; runs ``PREFIX/bin/DRIVER``).
    prefix: str | None = None

    def __str__(self) -> str:
        parts = [self.action, self.driver]
        for flag, field in _OPTIONS.items():
            value = getattr(self, field)
            if value is not None:
                parts.append(f'{flag} "{value}"')
        return " ".join(parts)


def parse_fifo_line(line: str) -> FifoCommand | None:
    """Parse one FIFO line; ``None`` for a blank line or a ``#`` comment.

    :raises FifoSyntaxError: when the line is not a valid command.
    """
    text = line.strip()
    if not text or text.startswith("#"):
        return None
    word, _, rest = text.partition(" ")
    if "\t" in word:
        word, _, more = word.partition("\t")
        rest = f"{more} {rest}"
    rest = rest.strip()
    if word not in ("start", "stop"):
        raise FifoSyntaxError(f"unknown command {word!r} (use start or stop)")
    action: Literal["start", "stop"] = "start" if word == "start" else "stop"
    if not rest:
        raise FifoSyntaxError(f"{word} needs a driver")
    try:
        tokens = shlex.split(rest)
    except ValueError as exc:
        raise FifoSyntaxError(f"{exc} in {rest!r}") from None
    if _is_remote(rest, tokens):
        spec = rest.replace('"', "").strip()
        try:
            _, host, _ = parse_remote(spec)
        except SetupError as exc:
            raise FifoSyntaxError(str(exc).replace("--remote ", "")) from None
        if any(c.isspace() for c in host):
            raise FifoSyntaxError(f"{spec!r}: a remote server takes no options")
        return FifoCommand(action, spec, remote=True)
    values: dict[str, str] = {}
    options = tokens[1:]
    while options:
        flag = options.pop(0)
        field = _OPTIONS.get(flag)
        if field is None:
            raise FifoSyntaxError(f"unknown option {flag!r} (use -n, -c, -s or -p)")
        if not options:
            raise FifoSyntaxError(f"option {flag} needs a value")
        values[field] = options.pop(0)
    return FifoCommand(
        action,
        tokens[0],
        name=values.get("name"),
        config=values.get("config"),
        skeleton=values.get("skeleton"),
        prefix=values.get("prefix"),
    )


def _is_remote(rest: str, tokens: list[str]) -> bool:
    """``Dev@host``, ``"A Device"@host`` or ``A Device@host`` (no options), not ``-n "a@b"``."""
    if "@" in tokens[0]:
        return True
    return "@" in rest and not any(t.startswith("-") for t in tokens[1:])


class FifoReader:
    """Reads commands from a named pipe, reopening it after each writer.

    :param path: the FIFO (created with ``mkfifo`` when missing).
    :param on_command: called with each parsed command.

    Lines that do not parse are logged as warnings and skipped.
    """

    def __init__(self, path: str, on_command: Callable[[FifoCommand], None]) -> None:
        self.path = path
        self._on_command = on_command
        self._buffer = b""
        self._skipping = False
        #: Commands read so far, and lines refused.
        self.commands = 0
        self.errors = 0

    def prepare(self) -> None:
        """Create the FIFO if it is missing; fail if the path is something else.

        :raises SetupError: when the path exists and is not a FIFO, or cannot be made.
        """
        try:
            mode = os.stat(self.path).st_mode
        except FileNotFoundError:
            try:
                os.mkfifo(self.path, 0o600)
            except OSError as exc:
                raise SetupError(f"cannot create FIFO {self.path}: {exc}") from None
            log.info("created FIFO %s", self.path)
            return
        if not stat.S_ISFIFO(mode):
            raise SetupError(f"{self.path} exists and is not a FIFO")

    async def run(self) -> None:
        """Read until cancelled.

        At the end of each writer the FIFO is opened again *before* the old
        descriptor is closed: a writer that came and went in between left its
        line in the pipe, which would be lost if no reader held it open.
        """
        loop = asyncio.get_running_loop()
        fd = await self._open()
        try:
            got = False
            while True:
                readable: asyncio.Future[None] = loop.create_future()
                loop.add_reader(fd, _wake, readable)
                try:
                    await readable
                finally:
                    loop.remove_reader(fd)
                data, eof = _drain(fd)
                got = got or bool(data)
                self.feed(data)
                if eof:
                    self.finish()
                    old, fd = fd, await self._open()
                    os.close(old)
                    if not got:  # no writer came and went: do not spin where EOF repeats
                        await asyncio.sleep(0.1)
                    got = False
        finally:
            os.close(fd)

    async def _open(self) -> int:
        while True:
            try:
                return os.open(self.path, os.O_RDONLY | os.O_NONBLOCK)
            except OSError as exc:
                log.error("FIFO %s: cannot open (%s), retrying", self.path, exc)
                await asyncio.sleep(1.0)

    def feed(self, data: bytes) -> None:
        """Take bytes from the pipe; complete lines are executed."""
        self._buffer += data
        while True:
            line, sep, rest = self._buffer.partition(b"\n")
            if not sep:
                if len(self._buffer) > MAX_LINE:
                    self._refuse(f"a line longer than {MAX_LINE} bytes")
                    self._buffer = b""
                    self._skipping = True
                return
            self._buffer = rest
            if self._skipping:
                self._skipping = False
                continue
            if len(line) > MAX_LINE:
                self._refuse(f"a line longer than {MAX_LINE} bytes")
                continue
            self._line(line)

    def finish(self) -> None:
        """The writer closed the pipe: a last line without newline still counts."""
        line, self._buffer = self._buffer, b""
        skipping, self._skipping = self._skipping, False
        if line.strip() and not skipping:
            self._line(line)

    def _line(self, raw: bytes) -> None:
        text = raw.decode("utf-8", "replace").rstrip("\r")
        try:
            command = parse_fifo_line(text)
        except FifoSyntaxError as exc:
            self._refuse(f"{exc}: {text!r}")
            return
        if command is None:
            return
        self.commands += 1
        log.info("FIFO: %s", text.strip())
        try:
            self._on_command(command)
        except Exception:
            log.exception("FIFO: %s failed", text.strip())

    def _refuse(self, why: str) -> None:
        self.errors += 1
        log.warning("FIFO %s: ignored %s", self.path, why)


def _wake(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


def _drain(fd: int) -> tuple[bytes, bool]:
    """Read what the pipe holds now: ``(data, eof)``."""
    chunks: list[bytes] = []
    while True:
        try:
            chunk = os.read(fd, 65536)
        except BlockingIOError:
            return b"".join(chunks), False
        except OSError as exc:
            if exc.errno == errno.EINTR:
                continue
            log.error("FIFO read failed: %s", exc)
            return b"".join(chunks), True
        if not chunk:
            return b"".join(chunks), True
        chunks.append(chunk)
