"""indiserver's FIFO language: the pure line parser and the reader's line handling."""

from __future__ import annotations

import asyncio
import logging
import os
from pathlib import Path

import pytest

import indiflask.server.fifo as fifo_module
from indiflask.server.fifo import (
    MAX_LINE,
    FifoCommand,
    FifoReader,
    FifoSyntaxError,
    parse_fifo_line,
)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("start indi_simulator_ccd", FifoCommand("start", "indi_simulator_ccd")),
        (
            'start indi_simulator_ccd -n "CCD Simulator"',
            FifoCommand("start", "indi_simulator_ccd", name="CCD Simulator"),
        ),
        (
            'start /opt/drv -n "A" -c "/tmp/a.xml" -s "/usr/share/indi/sk.xml" -p "/opt/indi"',
            FifoCommand(
                "start",
                "/opt/drv",
                name="A",
                config="/tmp/a.xml",
                skeleton="/usr/share/indi/sk.xml",
                prefix="/opt/indi",
            ),
        ),
        # options in any order; values may be single words without quotes
        ("start drv -p /opt -n Two", FifoCommand("start", "drv", name="Two", prefix="/opt")),
        ("stop indi_simulator_ccd", FifoCommand("stop", "indi_simulator_ccd")),
        (
            'stop indi_simulator_ccd -n "CCD Simulator"',
            FifoCommand("stop", "indi_simulator_ccd", name="CCD Simulator"),
        ),
        # remote servers: quotes are removed, spaces kept, as indiserver does
        (
            'start "Telescope Simulator"@127.0.0.1:7624',
            FifoCommand("start", "Telescope Simulator@127.0.0.1:7624", remote=True),
        ),
        (
            "start Telescope Simulator@10.0.0.5",
            FifoCommand("start", "Telescope Simulator@10.0.0.5", remote=True),
        ),
        ("start @10.0.0.5:7625", FifoCommand("start", "@10.0.0.5:7625", remote=True)),
        ("stop @10.0.0.5:7625", FifoCommand("stop", "@10.0.0.5:7625", remote=True)),
        # an @ in an option value does not make a remote driver
        ('start drv -n "me@home"', FifoCommand("start", "drv", name="me@home")),
        ("  start\tdrv  ", FifoCommand("start", "drv")),
    ],
)
def test_commands(line: str, expected: FifoCommand) -> None:
    assert parse_fifo_line(line) == expected


@pytest.mark.parametrize("line", ["", "   ", "# a comment"])
def test_blank_lines_and_comments_are_nothing(line: str) -> None:
    assert parse_fifo_line(line) is None


@pytest.mark.parametrize(
    ("line", "why"),
    [
        ("restart drv", "unknown command 'restart'"),
        ("start", "start needs a driver"),
        ("stop ", "stop needs a driver"),
        ("start drv -x 1", "unknown option '-x'"),
        ("start drv -n", "option -n needs a value"),
        ('start drv -n "unclosed', "No closing quotation"),
        ("start dev@host:port", "not a port number"),
        ("start dev@host extra -n x", "takes no options"),
    ],
)
def test_bad_lines_raise(line: str, why: str) -> None:
    with pytest.raises(FifoSyntaxError, match=why):
        parse_fifo_line(line)


def test_str_gives_the_line_back() -> None:
    line = 'start drv -n "CCD Simulator" -c "/tmp/c.xml"'
    command = parse_fifo_line(line)
    assert command is not None and str(command) == line


def test_reader_lines_partial_writes_bad_lines_and_eof(
    caplog: pytest.LogCaptureFixture,
) -> None:
    got: list[FifoCommand] = []
    reader = FifoReader("/nonexistent", got.append)
    caplog.set_level(logging.INFO, "indiflask.server")
    reader.feed(b"start a\nsto")
    reader.feed(b"p a\nfrobnicate\n\n")
    assert [str(c) for c in got] == ["start a", "stop a"]
    assert reader.errors == 1
    assert "ignored unknown command 'frobnicate'" in caplog.text
    # the writer closed without a final newline: the last line still counts
    reader.feed(b'start b -n "B"')
    reader.finish()
    assert str(got[-1]) == 'start b -n "B"'
    # a line that is far too long is refused whole, and the next one works
    reader.feed(b"start " + b"x" * (MAX_LINE + 10))
    reader.feed(b"yyy\nstart c\n")
    assert [str(c) for c in got][-1] == "start c"
    assert reader.errors == 2
    assert reader.commands == 4


def test_a_failing_command_is_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    def boom(command: FifoCommand) -> None:
        raise RuntimeError("no")

    reader = FifoReader("/nonexistent", boom)
    reader.feed(b"start a\n")
    assert "FIFO: start a failed" in caplog.text


def test_a_writer_between_end_of_input_and_reopening_is_not_lost(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The next writer may come and go right after the reader saw the previous one's end
    (a busy machine makes that likely): its line must still be read."""
    path = tmp_path / "fifo"
    count = 20
    drain = fifo_module._drain
    written = [0]

    def drain_then_write(fd: int) -> tuple[bytes, bool]:
        data, eof = drain(fd)
        if eof and written[0] < count:  # a writer comes and goes right now
            writer = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
            os.write(writer, f"start driver{written[0]}\n".encode())
            os.close(writer)
            written[0] += 1
        return data, eof

    monkeypatch.setattr(fifo_module, "_drain", drain_then_write)

    async def main() -> list[str]:
        got: list[str] = []
        reader = FifoReader(str(path), lambda c: got.append(c.driver))
        reader.prepare()
        task = asyncio.create_task(reader.run())
        await asyncio.to_thread(fifo_write, path, "start first\n")
        async with asyncio.timeout(60):
            while len(got) < count + 1:
                await asyncio.sleep(0.01)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        return got

    assert asyncio.run(main()) == ["first", *(f"driver{n}" for n in range(count))]


def fifo_write(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)
