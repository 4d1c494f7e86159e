"""Run KStars/Ekos headless against an INDI server and report what Ekos made of its devices.

KStars 3.6.2 (Debian 12) is scriptable over D-Bus (service ``org.kde.kstars``,
objects ``/KStars/Ekos``, ``/KStars/INDI``...), but its Ekos interface cannot
create a profile. So: KStars runs once to create its user database, a remote
profile (host, port, auto-connect, no port selector) is written into that
SQLite database while KStars is stopped, KStars is started again, and Ekos is
told over D-Bus to use the profile and start. Ekos then connects to the server,
connects every device and creates its modules.

Everything runs privately: its own HOME and XDG directories in a folder the
caller gives, its own D-Bus session bus (``dbus-daemon``), and no X server
(``QT_QPA_PLATFORM=offscreen``) unless ``xvfb=True``. Only processes started
here are stopped, by their own handles. Programs used: ``kstars``,
``dbus-daemon``, ``dbus-monitor``, ``qdbus`` (Debian: kstars, dbus-x11,
qdbus-qt5; ``Xvfb`` from xvfb).

What is read afterwards (:meth:`EkosRun.report`):

* the ``newModule`` and ``newDevice`` signals of ``org.kde.kstars.Ekos`` (the
  Observatory module has no D-Bus object in 3.6.2: the signal is the only way
  to see it), caught by ``dbus-monitor`` from before Ekos starts;
* the Focus and Capture modules' devices (``/KStars/Ekos/Focus``,
  ``/KStars/Ekos/Capture``);
* every ``/KStars/INDI/GenericDevice/N`` (connected?), ``/KStars/INDI/Dome/N``
  and ``/KStars/INDI/Weather/N``;
* Ekos' log.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import time
from pathlib import Path
from typing import IO, Any

SERVICE = "org.kde.kstars"
EKOS = "/KStars/Ekos"
PROGRAMS = ("kstars", "dbus-daemon", "dbus-monitor", "qdbus")

KSTARSRC = """[GUI]
RunStartupWizard=false

[TipOfDay]
RunOnStart=false

[View]
OrbitalElementsAutoUpdate=false

[Ekos]
AutoStartEkosLive=false
EkosLiveOnline=false
RememberCredentials=false
"""


def missing_programs(xvfb: bool = False) -> list[str]:
    """The programs this needs that are not installed."""
    wanted = (*PROGRAMS, "Xvfb") if xvfb else PROGRAMS
    return [name for name in wanted if shutil.which(name) is None]


class EkosRun:
    """KStars with Ekos on a remote INDI server, in a private folder; a context manager.

    :param folder: where KStars' HOME, XDG directories and logs go.
    :param port: the INDI server's port on 127.0.0.1.
    :param roles: Ekos profile roles (``CCD``, ``Focuser``, ``Filter``, ``Dome``,
        ``Weather``...) to device names; Ekos waits for as many devices as roles,
        and needs a ``CCD`` role.
    """

    def __init__(
        self, folder: Path, port: int, roles: dict[str, str], *, xvfb: bool = False
    ) -> None:
        self.folder = folder
        self.port = port
        self.roles = roles
        self.xvfb = xvfb
        self.timings: dict[str, float] = {}
        self._procs: list[tuple[str, subprocess.Popen[Any]]] = []
        self._files: list[IO[Any]] = []
        self._env: dict[str, str] = {}
        self._kstars: subprocess.Popen[Any] | None = None

    # ------------------------------------------------------------------ running
    def __enter__(self) -> EkosRun:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        """Start the bus (and Xvfb), create the database, add the profile, start Ekos."""
        began = time.monotonic()
        for sub in ("home", "config", "data/kstars", "cache", "runtime"):
            (self.folder / sub).mkdir(parents=True, exist_ok=True)
        (self.folder / "runtime").chmod(0o700)
        (self.folder / "config" / "kstarsrc").write_text(KSTARSRC)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DBUS_", "XDG_"))}
        env.pop("SESSION_MANAGER", None)
        env.update(
            HOME=str(self.folder / "home"),
            XDG_CONFIG_HOME=str(self.folder / "config"),
            XDG_DATA_HOME=str(self.folder / "data"),
            XDG_CACHE_HOME=str(self.folder / "cache"),
            XDG_RUNTIME_DIR=str(self.folder / "runtime"),
        )
        if self.xvfb:
            env["DISPLAY"] = self._start_xvfb()
            env.pop("QT_QPA_PLATFORM", None)
        else:
            env["QT_QPA_PLATFORM"] = "offscreen"
            env.pop("DISPLAY", None)
        env["DBUS_SESSION_BUS_ADDRESS"] = self._start_bus()
        self._env = env
        database = self.folder / "data" / "kstars" / "userdb.sqlite"
        self._kstars = self._start_kstars("first")  # creates the user database
        self._quit_kstars()
        if not database.exists():
            raise RuntimeError(f"KStars did not create {database}")
        self._add_profile(database)
        self._kstars = self._start_kstars("ekos")
        self._spawn(
            "dbus-monitor",
            ["dbus-monitor", "type='signal',interface='org.kde.kstars.Ekos'"],
            "signals.txt",
        )
        time.sleep(0.5)  # the monitor's match rule is in place before Ekos starts
        if self.qdbus(EKOS, "org.kde.kstars.Ekos.setProfile", "indiflask") != "true":
            raise RuntimeError("Ekos did not take the profile")
        self.timings["kstars_ready"] = round(time.monotonic() - began, 2)
        self.qdbus(EKOS, "org.kde.kstars.Ekos.start")
        self._started = time.monotonic()

    def wait_until_connected(self, timeout: float) -> None:
        """Wait until Ekos (ekosStatus) and every device (indiStatus) report Success."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self._kstars is not None
            if self._kstars.poll() is not None:
                raise RuntimeError(f"KStars exited with {self._kstars.returncode}")
            ekos = self.qdbus(EKOS, "org.kde.kstars.Ekos.ekosStatus")
            indi = self.qdbus(EKOS, "org.kde.kstars.Ekos.indiStatus")
            if ekos == "3":
                raise RuntimeError("Ekos reports an error: " + " | ".join(self.log()[-5:]))
            if ekos == indi == "2":
                self.timings["ekos_start_to_connected"] = round(time.monotonic() - self._started, 2)
                return
            time.sleep(0.25)
        raise TimeoutError(f"Ekos did not connect every device in {timeout} s: {self.log()}")

    def stop(self) -> None:
        """Stop Ekos, quit KStars, stop what was started (by handle), close the logs."""
        if self._kstars is not None and self._kstars.poll() is None:
            self.qdbus(EKOS, "org.kde.kstars.Ekos.stop")
            self._quit_kstars()
        for name, proc in reversed(self._procs):
            _stop(proc, name)
        self._procs.clear()
        for fh in self._files:
            fh.close()
        self._files.clear()

    # ------------------------------------------------------------------ reading
    def qdbus(self, path: str, member: str, *args: str) -> str | None:
        """``qdbus org.kde.kstars PATH MEMBER ARGS...`` on the private bus; None on failure."""
        done = subprocess.run(
            ["qdbus", SERVICE, path, member, *args],
            env=self._env,
            capture_output=True,
            text=True,
            timeout=30,
        )
        return done.stdout.rstrip("\n") if done.returncode == 0 else None

    def objects(self) -> list[str]:
        """Every KStars object path on the bus."""
        done = subprocess.run(
            ["qdbus", SERVICE], env=self._env, capture_output=True, text=True, timeout=30
        )
        return [line.strip() for line in done.stdout.splitlines() if line.strip()]

    def log(self) -> list[str]:
        """Ekos' log, oldest first."""
        return list(reversed((self.qdbus(EKOS, "org.kde.kstars.Ekos.logText") or "").splitlines()))

    def signals(self) -> list[tuple[str, list[str]]]:
        """The Ekos signals seen so far: (name, arguments)."""
        found: list[tuple[str, list[str]]] = []
        text = (self.folder / "signals.txt").read_text(errors="replace")
        for line in text.splitlines():
            head = re.match(r"signal time=\S+ .*member=(\w+)", line)
            if head:
                found.append((head.group(1), []))
                continue
            value = re.match(r'\s+(?:string "(.*)"|(?:u?int32|boolean) (\S+))$', line)
            if value and found:
                found[-1][1].append(
                    value.group(1) if value.group(1) is not None else value.group(2)
                )
        return found

    def report(self) -> dict[str, Any]:
        """What Ekos created and uses, as plain data."""
        objects = self.objects()
        signals = self.signals()

        def props(path: str, interface: str, names: tuple[str, ...]) -> dict[str, str | None]:
            return {name: self.qdbus(path, f"{interface}.{name}") for name in names}

        def each(kind: str, names: tuple[str, ...]) -> list[dict[str, str | None]]:
            paths = [o for o in objects if re.fullmatch(rf"/KStars/INDI/{kind}/\d+", o)]
            return [props(p, f"org.kde.kstars.INDI.{kind}", names) for p in paths]

        focus = ("camera", "focuser", "filterWheel")
        return {
            "modules": [args[0] for name, args in signals if name == "newModule" and args],
            "devices": {args[0]: int(args[1]) for name, args in signals if name == "newDevice"},
            "focus": props(f"{EKOS}/Focus", "org.kde.kstars.Ekos.Focus", focus),
            "capture": props(f"{EKOS}/Capture", "org.kde.kstars.Ekos.Capture", focus[::2]),
            "generic": each("GenericDevice", ("name", "connected")),
            "domes": each("Dome", ("name", "connected", "canPark", "canAbort", "parkStatus")),
            "weathers": each("Weather", ("name", "connected", "status")),
            "log": self.log(),
        }

    # ------------------------------------------------------------------ helpers
    def _spawn(
        self, name: str, cmd: list[str], logname: str, **options: Any
    ) -> subprocess.Popen[Any]:
        out = open(self.folder / logname, "w")  # noqa: SIM115 - closed in stop()
        self._files.append(out)
        proc = subprocess.Popen(
            cmd, env=options.pop("env", self._env), stdout=out, stderr=subprocess.STDOUT, **options
        )
        self._procs.append((name, proc))
        return proc

    def _start_xvfb(self) -> str:
        read, write = os.pipe()
        try:
            cmd = [
                "Xvfb",
                "-displayfd",
                str(write),
                "-nolisten",
                "tcp",
                "-screen",
                "0",
                "1400x1000x24",
            ]
            self._spawn("Xvfb", cmd, "xvfb.log", env=dict(os.environ), pass_fds=(write,))
        finally:
            os.close(write)
        with os.fdopen(read) as answer:
            display = answer.readline().strip()
        if not display:
            raise RuntimeError("Xvfb did not start")
        return f":{display}"

    def _start_bus(self) -> str:
        out = open(self.folder / "dbus.log", "w")  # noqa: SIM115 - closed in stop()
        self._files.append(out)
        cmd = ["dbus-daemon", "--session", "--nofork", "--print-address=1"]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=out, text=True)
        self._procs.append(("dbus-daemon", proc))
        assert proc.stdout is not None
        address = proc.stdout.readline().strip()
        if not address:
            raise RuntimeError("dbus-daemon did not start")
        return address

    def _start_kstars(self, tag: str, attempts: int = 3) -> subprocess.Popen[Any]:
        """Start KStars and wait until Ekos answers on D-Bus.

        KStars 3.6 itself sometimes crashes while it sets up its sky map on a
        loaded machine (SIGSEGV before it reaches D-Bus, with nothing of ours
        involved yet); such a start is tried again, up to ``attempts`` times.
        """
        for attempt in range(1, attempts + 1):
            log = f"kstars-{tag}.log" if attempt == 1 else f"kstars-{tag}-{attempt}.log"
            proc = self._spawn("kstars", ["kstars"], log, cwd=self._env["HOME"])
            deadline = time.monotonic() + 120
            while self.qdbus(EKOS, "org.kde.kstars.Ekos.getProfiles") is None:
                if proc.poll() is not None:
                    break
                if time.monotonic() > deadline:
                    raise TimeoutError("KStars did not appear on D-Bus within 120 s")
                time.sleep(0.3)
            else:
                return proc
            if proc.returncode >= 0 or attempt == attempts:  # an exit, not a crash: say so
                raise RuntimeError(f"KStars exited with {proc.returncode} (see {log})")
        raise AssertionError("unreachable")

    def _quit_kstars(self) -> None:
        proc, self._kstars = self._kstars, None
        if proc is None or proc.poll() is not None:
            return
        self.qdbus("/kstars/MainWindow_1/actions/quit", "trigger")
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            _stop(proc, "kstars")
        self._procs = [(n, p) for n, p in self._procs if p is not proc]

    def _add_profile(self, database: Path) -> None:
        """A remote profile 'indiflask': 127.0.0.1:port, auto-connect, no port selector."""
        with sqlite3.connect(database) as db:
            cursor = db.execute(
                "INSERT INTO profile (name, host, port, autoconnect, portselector, "
                "indiwebmanagerport) VALUES ('indiflask', '127.0.0.1', ?, 1, 0, 0)",
                (self.port,),
            )
            for role, label in self.roles.items():
                db.execute(
                    "INSERT INTO driver (label, role, profile) VALUES (?, ?, ?)",
                    (label, role, cursor.lastrowid),
                )
        db.close()


def _stop(proc: subprocess.Popen[Any], name: str) -> None:
    """Stop ``proc`` (SIGTERM, then SIGKILL after 15 s) and close its pipes."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    for pipe in (proc.stdout, proc.stderr):
        if pipe is not None:
            pipe.close()
