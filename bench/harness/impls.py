"""The three implementations under test, each started as its own server process.

* ``indiflask``: ``python -m indiflask run bench/drivers/indiflask_app.py``.
* ``indiserver``: libindi's ``indiserver`` running ``bench/drivers/bench_driver.c``
  (compiled here), kept on 127.0.0.1 by ``loopback_bind.c`` (LD_PRELOAD) and
  given a unique abstract socket name with ``-u``.
* ``indipydriver``: ``bench/drivers/indipy_bench.py`` (indipydriver 3.1.2 +
  indipyserver 0.0.6) in a venv created under ``bench/.envs/``.

Every server runs with its default settings, queue limits included (128 MiB
per client for indiflask and indiserver; indipyserver has none): a server that
drops a client reading at full speed fails the workload, as it would fail a
user. The only options given are the ones a workload cannot run without: the
port, indiserver's private ``-u`` socket name, and indipyserver's connection
slots (it allows at most 10 clients). indiflask runs exactly as a user starts
it (``--max-connections`` 1024 by default). Only processes started here are ever signalled.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent
ROOT = BENCH.parent
DRIVERS = BENCH / "drivers"
ENVS = BENCH / ".envs"
INDIPY_PINS = ("indipydriver==3.1.2", "indipyserver==0.0.6")
NAMES = ("indiflask", "indiserver", "indipydriver")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _children(pid: int) -> list[int]:
    found: list[int] = []
    with contextlib.suppress(OSError):
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as fh:
                found.extend(int(c) for c in fh.read().split())
    return found


def process_tree(pid: int) -> list[int]:
    """``pid`` and all its descendants (Linux /proc)."""
    tree, todo = [], [pid]
    while todo and len(tree) < 1000:
        current = todo.pop()
        tree.append(current)
        todo.extend(_children(current))
    return tree


def rss_bytes(pids: list[int], field: str = "VmRSS:") -> int:
    """Total resident memory of ``pids`` (``field``: ``VmHWM:`` for the peak)."""
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError), open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith(field):
                    total += int(line.split()[1]) * 1024
                    break
    return total


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) process ``pid`` has used so far, its children not
    included (``/proc/PID/stat``)."""
    with open(f"/proc/{pid}/stat") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def accepted(pids: list[int], port: int) -> int:
    """How many established TCP connections on local ``port`` the ``pids`` hold open.

    A client whose ``connect()`` returned may still wait in the listen
    backlog; this counts only the connections the server has accepted.
    """
    inodes: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError), open(table) as fh:
            next(fh, None)
            for line in fh:
                cols = line.split()
                if len(cols) > 9 and cols[3] == "01" and int(cols[1].rsplit(":", 1)[1], 16) == port:
                    inodes.add(cols[9])
    held = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            for fd in os.listdir(f"/proc/{pid}/fd"):
                with contextlib.suppress(OSError):
                    link = os.readlink(f"/proc/{pid}/fd/{fd}")
                    if link.startswith("socket:[") and link[8:-1] in inodes:
                        held += 1
    return held


@dataclass
class Running:
    """A started server: its process, port and log."""

    name: str
    proc: subprocess.Popen[bytes]
    port: int
    log: Path
    extra: list[int] = field(default_factory=list)
    #: In a chain (W6): the server this one connects to, which hosts the driver.
    upstream: Running | None = None

    @property
    def pids(self) -> list[int]:
        """The server process and its descendants (indiserver's driver), and the
        upstream server's in a chain."""
        pids = process_tree(self.proc.pid)
        return pids + self.upstream.pids if self.upstream is not None else pids

    def rss(self) -> int:
        """Resident memory of the whole server (driver processes included)."""
        return rss_bytes(self.pids)

    def peak_rss(self) -> int:
        """The peak resident memory so far (VmHWM), summed over the server's processes."""
        return rss_bytes(self.pids, field="VmHWM:")

    def alive(self) -> bool:
        """True while the server process runs (and its upstream, in a chain)."""
        up = self.upstream is None or self.upstream.alive()
        return self.proc.poll() is None and up

    def stop(self) -> None:
        """SIGTERM the server (then SIGKILL), and any of its children still alive;
        then the upstream server of a chain."""
        try:
            self._stop_own()
        finally:
            if self.upstream is not None:
                self.upstream.stop()

    def _stop_own(self) -> None:
        children = [p for p in process_tree(self.proc.pid) if p != self.proc.pid]
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        for pid in children:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGTERM)

    def log_tail(self, lines: int = 15) -> str:
        """The end of the server's log, for error reports."""
        try:
            own = "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            own = ""
        if self.upstream is not None:
            own += "\n(upstream server:)\n" + self.upstream.log_tail(lines)
        return own


class Impl:
    """One implementation: how to prepare it once and start a server for a workload."""

    name = ""

    def __init__(self, workdir: Path, *, install: bool = True) -> None:
        self.workdir = workdir
        #: May :meth:`prepare` download and install packages?
        self.install = install
        #: Why the implementation cannot run here ("" when it can).
        self.unavailable = ""
        #: Version text for the report.
        self.version = ""
        #: Package versions, for the saved record (name -> version).
        self.packages: dict[str, str] = {}

    def settings(self) -> str:
        """How the server is started (``PORT`` for the port), for the saved record."""
        if self.unavailable:
            return ""
        cmd, extra = self.command(0, 1)
        shown = []
        for c in cmd:
            if c == sys.executable:
                c = "python"
            elif c.startswith(str(self.workdir)):
                c = Path(c).name  # built here, e.g. the C driver
            elif c.startswith("indiflask-bench-"):
                c = "NAME"  # indiserver's private -u socket name
            shown.append("PORT" if c == "0" else c.replace(str(ROOT) + os.sep, ""))
        env = " ".join(f"{k}={Path(v).name}" for k, v in extra.items())
        return (env + " " if env else "") + " ".join(shown) + self.defaults_note

    #: Settings the command line leaves at their defaults, said in the record.
    defaults_note = ""

    def prepare(self) -> None:
        """Build or install what is needed; set :attr:`unavailable` on failure."""

    def command(self, port: int, clients: int) -> tuple[list[str], dict[str, str]]:
        """The server command line and extra environment."""
        raise NotImplementedError

    def chain_command(self, port: int, upstream: int) -> tuple[list[str], dict[str, str]]:
        """A server with no driver of its own that serves the devices of the server
        on ``upstream`` (W6); raises :class:`NotImplementedError` when it cannot."""
        raise NotImplementedError(f"{self.name} cannot chain servers")

    def driver_argv(self) -> list[str]:
        """The bench driver as an executable stdio driver (W7)."""
        raise NotImplementedError

    def many_command(
        self, port: int, clients: int, drivers: list[str]
    ) -> tuple[list[str], dict[str, str]]:
        """A server running the executables ``drivers`` (W7)."""
        raise NotImplementedError

    def start_many(
        self, env: dict[str, str], clients: int, devices: list[str], props: int
    ) -> Running:
        """Start a server with one executable bench driver per name in ``devices``
        (each with ``props`` vectors ``P00``...); every driver is a small shell
        script that sets its device name and runs :meth:`driver_argv`."""
        folder = Path(tempfile.mkdtemp(prefix="many-", dir=self.workdir))
        command = " ".join(shlex.quote(a) for a in self.driver_argv())
        scripts = []
        for device in devices:
            script = folder / f"drv_{device.lower()}"
            script.write_text(
                f"#!/bin/sh\nBENCH_DEVICE={device} BENCH_PROPS={props} exec {command}\n"
            )
            script.chmod(0o755)
            scripts.append(str(script))
        port = free_port()
        cmd, extra = self.many_command(port, clients, scripts)
        return self._spawn(cmd, extra, env, port)

    def start(self, env: dict[str, str], clients: int) -> Running:
        """Start a server for up to ``clients`` clients with the workload's ``env``."""
        port = free_port()
        cmd, extra = self.command(port, clients)
        return self._spawn(cmd, extra, env, port)

    def start_chain(self, env: dict[str, str], clients: int) -> Running:
        """Start server B with the driver, wait until it serves, then server A
        connected to B; clients talk to A (the returned server)."""
        upstream = self.start(env, clients)
        try:
            wait_ready(upstream)
            port = free_port()
            cmd, extra = self.chain_command(port, upstream.port)
            running = self._spawn(cmd, extra, env, port)
        except BaseException:
            upstream.stop()
            raise
        running.upstream = upstream
        return running

    def _spawn(
        self, cmd: list[str], extra: dict[str, str], env: dict[str, str], port: int
    ) -> Running:
        log = self.workdir / f"{self.name}-{port}.log"
        full_env = {**os.environ, **env, **extra}
        with open(log, "wb") as out:
            proc = subprocess.Popen(
                cmd,
                cwd=ROOT,
                env=full_env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        return Running(self.name, proc, port, log)


class Indiflask(Impl):
    """indiflask's own server, ``indiflask run``."""

    name = "indiflask"

    def prepare(self) -> None:
        """Check indiflask imports in this interpreter."""
        try:
            out = subprocess.run(
                [sys.executable, "-c", "import indiflask; print(indiflask.__version__)"],
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=60,
                check=True,
            )
            self.version = out.stdout.strip()
            self.packages = {"indiflask": self.version}
        except (subprocess.SubprocessError, OSError) as exc:
            self.unavailable = f"indiflask does not import: {exc}"

    defaults_note = (
        " (defaults: --max-connections 1024, --max-queue 128 MiB, --max-stream-queue 5 MiB)"
    )

    def command(self, port: int, clients: int) -> tuple[list[str], dict[str, str]]:
        """``python -m indiflask run bench/drivers/indiflask_app.py``."""
        return [
            sys.executable,
            "-m",
            "indiflask",
            "run",
            str(DRIVERS / "indiflask_app.py"),
            "--port",
            str(port),
        ], {}

    def chain_command(self, port: int, upstream: int) -> tuple[list[str], dict[str, str]]:
        """``indiflask run --remote 127.0.0.1:UPSTREAM``."""
        remote = f"127.0.0.1:{upstream}"
        return [
            sys.executable,
            "-m",
            "indiflask",
            "run",
            "--remote",
            remote,
            "--port",
            str(port),
        ], {}

    def driver_argv(self) -> list[str]:
        """``python -m indiflask run bench/drivers/indiflask_app.py --stdio``."""
        return [
            sys.executable,
            "-m",
            "indiflask",
            "run",
            str(DRIVERS / "indiflask_app.py"),
            "--stdio",
        ]

    def many_command(
        self, port: int, clients: int, drivers: list[str]
    ) -> tuple[list[str], dict[str, str]]:
        """``indiflask run --exdriver D1 --exdriver D2 ...``."""
        cmd = [sys.executable, "-m", "indiflask", "run", "--port", str(port)]
        for driver in drivers:
            cmd += ["--exdriver", driver]
        return cmd, {}


class Indiserver(Impl):
    """libindi's indiserver with the C bench driver."""

    name = "indiserver"

    def prepare(self) -> None:
        """Compile the driver and the loopback shim into the work directory."""
        server = shutil.which("indiserver")
        cc = shutil.which("cc")
        if server is None or cc is None:
            self.unavailable = "needs indiserver and cc on PATH"
            return
        self.server = server
        self.driver = self.workdir / "bench_driver"
        self.shim = self.workdir / "loopback_bind.so"
        try:
            subprocess.run(
                [cc, "-O2", "-o", str(self.driver), str(DRIVERS / "bench_driver.c")],
                check=True,
                capture_output=True,
                timeout=120,
            )
            subprocess.run(
                [
                    cc,
                    "-O2",
                    "-shared",
                    "-fPIC",
                    "-o",
                    str(self.shim),
                    str(DRIVERS / "loopback_bind.c"),
                    "-ldl",
                ],
                check=True,
                capture_output=True,
                timeout=120,
            )
        except (subprocess.SubprocessError, OSError) as exc:
            self.unavailable = f"cannot compile the C driver or shim: {exc}"
            return
        self.version = _deb_version("indi-bin") or "libindi"
        self.packages = {"indi-bin": self.version.removeprefix("indi-bin ")}

    defaults_note = " (defaults: -m 128 MB, -d 5 MB, -r 10)"

    def command(self, port: int, clients: int) -> tuple[list[str], dict[str, str]]:
        """indiserver on 127.0.0.1:port with a unique ``-u`` socket name."""
        unix = f"indiflask-bench-{os.getpid()}-{port}"
        return [
            self.server,
            "-p",
            str(port),
            "-u",
            unix,
            str(self.driver),
        ], {"LD_PRELOAD": str(self.shim)}

    def chain_command(self, port: int, upstream: int) -> tuple[list[str], dict[str, str]]:
        """indiserver with the remote driver ``Bench@127.0.0.1:UPSTREAM``."""
        unix = f"indiflask-bench-{os.getpid()}-{port}"
        remote = f"Bench@127.0.0.1:{upstream}"
        return [self.server, "-p", str(port), "-u", unix, remote], {"LD_PRELOAD": str(self.shim)}

    def driver_argv(self) -> list[str]:
        """The compiled C bench driver."""
        return [str(self.driver)]

    def many_command(
        self, port: int, clients: int, drivers: list[str]
    ) -> tuple[list[str], dict[str, str]]:
        """``indiserver -p PORT -u NAME D1 D2 ...``."""
        unix = f"indiflask-bench-{os.getpid()}-{port}"
        return [self.server, "-p", str(port), "-u", unix, *drivers], {"LD_PRELOAD": str(self.shim)}


class Indipy(Impl):
    """indipydriver + indipyserver from PyPI, in their own venv."""

    name = "indipydriver"

    def prepare(self) -> None:
        """Create ``bench/.envs/indipy`` with the pinned packages (once)."""
        env = ENVS / "indipy"
        self.python = env / "bin" / "python"
        marker = env / ("installed-" + "-".join(INDIPY_PINS))
        if not marker.exists() and not self.install:
            self.unavailable = f"{env} is not set up (run bench/run.py once)"
            return
        if not marker.exists():
            try:
                if env.exists():
                    shutil.rmtree(env)
                subprocess.run(
                    [sys.executable, "-m", "venv", str(env)],
                    check=True,
                    capture_output=True,
                    timeout=300,
                )
                subprocess.run(
                    [str(self.python), "-m", "pip", "install", "-q", *INDIPY_PINS],
                    check=True,
                    capture_output=True,
                    timeout=600,
                )
                marker.touch()
            except (subprocess.SubprocessError, OSError) as exc:
                self.unavailable = f"cannot install {' '.join(INDIPY_PINS)}: {exc}"
                return
        self.version = " + ".join(INDIPY_PINS)
        try:
            out = subprocess.run(
                [
                    str(self.python),
                    "-c",
                    "import importlib.metadata as m; "
                    "print(m.version('indipydriver'), m.version('indipyserver'))",
                ],
                capture_output=True,
                text=True,
                timeout=60,
                check=True,
            )
            driver, server = out.stdout.split()
            self.packages = {"indipydriver": driver, "indipyserver": server}
        except (subprocess.SubprocessError, OSError, ValueError):
            self.packages = dict(pin.split("==") for pin in INDIPY_PINS)

    defaults_note = " (IPyServer defaults; the slots beyond its 10 added by the script)"

    def command(self, port: int, clients: int) -> tuple[list[str], dict[str, str]]:
        """``indipy_bench.py PORT SLOTS``."""
        return [str(self.python), str(DRIVERS / "indipy_bench.py"), str(port), str(clients + 2)], {}

    def chain_command(self, port: int, upstream: int) -> tuple[list[str], dict[str, str]]:
        """``indipy_bench.py PORT 3 --remote UPSTREAM``: an IPyServer with ``add_remote``."""
        script = str(DRIVERS / "indipy_bench.py")
        return [str(self.python), script, str(port), "3", "--remote", str(upstream)], {}

    def driver_argv(self) -> list[str]:
        """``indipy_bench.py --stdio``: the IPyDriver on stdin/stdout."""
        return [str(self.python), str(DRIVERS / "indipy_bench.py"), "--stdio"]

    def many_command(
        self, port: int, clients: int, drivers: list[str]
    ) -> tuple[list[str], dict[str, str]]:
        """``indipy_bench.py PORT SLOTS --exdrivers D1 D2 ...`` (``add_exdriver``)."""
        script = str(DRIVERS / "indipy_bench.py")
        slots = str(clients + 2)
        return [str(self.python), script, str(port), slots, "--exdrivers", *drivers], {}


def _deb_version(package: str) -> str:
    try:
        out = subprocess.run(
            ["dpkg-query", "-W", "-f=${Version}", package],
            capture_output=True,
            text=True,
            timeout=30,
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return f"{package} {out.stdout.strip()}" if out.returncode == 0 else ""


def make_impls(
    names: list[str], workdir: Path | None = None, *, install: bool = True
) -> list[Impl]:
    """Prepared implementations, in the order given.

    :param workdir: where binaries and logs go (a new temporary directory by default).
    :param install: allow creating the indipydriver venv (needs PyPI).
    """
    workdir = workdir or Path(tempfile.mkdtemp(prefix="indiflask-bench-"))
    classes = {c.name: c for c in (Indiflask, Indiserver, Indipy)}
    impls = []
    for name in names:
        impl = classes[name](workdir, install=install)
        impl.prepare()
        impls.append(impl)
    return impls


def wait_ready(running: Running, timeout: float = 60.0, expect: int = 0) -> None:
    """Wait until the server answers getProperties with every definition
    (``expect`` number vectors; 0: the Bench device's)."""
    from .loadgen import DEF_NUMBERS, END_DEF_NUMBER, Counter, connect, wait_definitions

    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        if not running.alive():
            raise RuntimeError(f"{running.name} exited:\n{running.log_tail()}")
        try:
            with connect(running.port, 5) as sock:
                counter = Counter(END_DEF_NUMBER)
                want = expect or DEF_NUMBERS
                wait_definitions(sock, [counter], time.monotonic() + 10, want)
                if counter.count >= want:
                    return
        except (OSError, TimeoutError) as exc:
            last = exc
        time.sleep(0.1)
    raise RuntimeError(f"{running.name} not ready on port {running.port}: {last}")
