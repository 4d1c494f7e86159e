"""Client processes of the load generator (stdlib only, raw sockets, no XML parsing).

Each public function here is the body of one client process started by
:mod:`bench.harness.workloads`. Clients count complete messages with
:class:`Counter` (``bytes.count`` of a closing tag, safe across ``recv``
boundaries) and report timestamps from :func:`time.perf_counter`, which is
the system-wide monotonic clock on Linux and so comparable between processes.
"""

from __future__ import annotations

import base64
import binascii
import re
import selectors
import socket
import time
from typing import Any

#: Number vectors the Bench device defines (FLOODED, ECHO and P00..P49).
DEF_NUMBERS = 52
GET_PROPERTIES = b'<getProperties version="1.7"/>\n'
FLOOD = (
    b'<newSwitchVector device="Bench" name="FLOOD">'
    b'<oneSwitch name="GO">On</oneSwitch></newSwitchVector>\n'
)
BLOB_GO = (
    b'<newSwitchVector device="Bench" name="BLOB_GO">'
    b'<oneSwitch name="GO">On</oneSwitch></newSwitchVector>\n'
)
ENABLE_BLOB = b'<enableBLOB device="Bench">Also</enableBLOB>\n'
END_DEF_NUMBER = b"</defNumberVector>"
END_SET_NUMBER = b"</setNumberVector>"
END_SET_BLOB = b"</setBLOBVector>"
RECV = 1 << 18


def echo(value: int) -> bytes:
    """A client's change of ECHO.X."""
    return (
        b'<newNumberVector device="Bench" name="ECHO"><oneNumber name="X">%d'
        b"</oneNumber></newNumberVector>\n" % value
    )


class Counter:
    """Counts a closing tag in a byte stream that arrives in arbitrary chunks."""

    __slots__ = ("count", "keep", "needle", "tail")

    def __init__(self, needle: bytes) -> None:
        self.needle = needle
        self.keep = len(needle) - 1
        self.tail = b""
        #: Occurrences seen so far.
        self.count = 0

    def feed(self, data: bytes) -> int:
        """Count occurrences completed by ``data``; returns the running total."""
        window = self.tail + data if self.tail else data
        self.count += window.count(self.needle)
        self.tail = window[-self.keep :]
        return self.count


def connect(port: int, timeout: float) -> socket.socket:
    """A blocking TCP connection to 127.0.0.1:port with Nagle off."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def wait_definitions(
    sock: socket.socket, counters: list[Counter], deadline: float, expect: int = DEF_NUMBERS
) -> None:
    """Send getProperties and read until ``expect`` number vectors are defined.

    ``counters[0]`` must count ``</defNumberVector>``; the others see the same
    bytes (so nothing that arrives with the last definitions is lost).
    """
    sock.sendall(GET_PROPERTIES)
    while counters[0].count < expect:
        if time.monotonic() > deadline:
            raise TimeoutError(f"only {counters[0].count} of {expect} definitions arrived")
        data = sock.recv(RECV)
        if not data:
            raise ConnectionError("the server closed the connection during getProperties")
        for counter in counters:
            counter.feed(data)


def flood_client(
    port: int, n: int, index: int, ready: Any, go: Any, results: Any, timeout: float, cap: float
) -> None:
    """W1: wait for definitions, then count ``n`` FLOODED updates.

    Client 0 sends the trigger when ``go`` is set. Counting stops after ``n``
    updates or ``cap`` seconds after ``go``, whichever comes first.
    Reports ``(index, t_go, t_last, count, nbytes, error)``.
    """
    deadline = time.monotonic() + timeout
    t0 = None
    sets = Counter(END_SET_NUMBER)
    nbytes = 0
    t_end = 0.0
    error = ""
    try:
        with connect(port, timeout) as sock:
            wait_definitions(sock, [Counter(END_DEF_NUMBER), sets], deadline)
            ready.put(index)
            if not go.wait(timeout):
                raise TimeoutError("no go signal")
            t0 = time.perf_counter()
            if index == 0:
                sock.sendall(FLOOD)
            stop = t0 + cap
            sock.settimeout(0.2)
            while sets.count < n and time.perf_counter() < stop:
                try:
                    data = sock.recv(RECV)
                except TimeoutError:
                    continue
                if not data:
                    error = "connection closed"
                    break
                nbytes += len(data)
                sets.feed(data)
                t_end = time.perf_counter()
    except (OSError, TimeoutError) as exc:
        error = f"{type(exc).__name__}: {exc}"
    results.put((index, t0, t_end, sets.count, nbytes, error))


def flood_all(devices: list[str]) -> bytes:
    """Switch ``FLOOD`` of every device (W7)."""
    return b"".join(FLOOD.replace(b'"Bench"', b'"%s"' % d.encode()) for d in devices)


def roundtrip_client(port: int, count: int, warmup: int, results: Any, timeout: float) -> None:
    """W2: ``count`` sequential newNumberVector -> setNumberVector round trips.

    Reports ``(latencies_in_seconds, error)``.
    """
    deadline = time.monotonic() + timeout
    latencies: list[float] = []
    error = ""
    try:
        with connect(port, timeout) as sock:
            sets = Counter(END_SET_NUMBER)
            wait_definitions(sock, [Counter(END_DEF_NUMBER), sets], deadline)
            clock = time.perf_counter
            for i in range(warmup + count):
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{len(latencies)} round trips before the deadline")
                want = sets.count + 1
                message = echo(i)
                t0 = clock()
                sock.sendall(message)
                while sets.count < want:
                    data = sock.recv(RECV)
                    if not data:
                        raise ConnectionError("the server closed the connection")
                    sets.feed(data)
                if i >= warmup:
                    latencies.append(clock() - t0)
    except (OSError, TimeoutError) as exc:
        error = f"{type(exc).__name__}: {exc}"
    results.put((latencies, error))


_ONE_BLOB = re.compile(rb"<oneBLOB[^>]*>([^<]*)</oneBLOB>")


def blob_client(port: int, count: int, verify: bool, results: Any, timeout: float) -> None:
    """W3: enableBLOB Also, trigger, and count ``count`` setBLOBVector messages.

    With ``verify`` everything is kept and decoded (smoke tests only).
    Reports ``(t_trigger, t_last, count, nbytes, decoded_sizes, error)``.
    """
    deadline = time.monotonic() + timeout
    blobs = Counter(END_SET_BLOB)
    kept: list[bytes] = []
    nbytes = 0
    t0 = t_end = 0.0
    sizes: list[int] = []
    error = ""
    try:
        with connect(port, timeout) as sock:
            wait_definitions(sock, [Counter(END_DEF_NUMBER)], deadline)
            sock.sendall(ENABLE_BLOB)
            t0 = time.perf_counter()
            sock.sendall(BLOB_GO)
            sock.settimeout(0.5)
            while blobs.count < count and time.monotonic() < deadline:
                try:
                    data = sock.recv(1 << 20)
                except TimeoutError:
                    continue
                if not data:
                    error = "connection closed"
                    break
                nbytes += len(data)
                blobs.feed(data)
                if verify:
                    kept.append(data)
                t_end = time.perf_counter()
        if verify:
            for match in _ONE_BLOB.finditer(b"".join(kept)):
                sizes.append(len(base64.b64decode(b"".join(match.group(1).split()))))
    except (OSError, TimeoutError, binascii.Error) as exc:
        error = f"{type(exc).__name__}: {exc}"
    results.put((t0, t_end, blobs.count, nbytes, sizes, error))


def storm_worker(
    port: int,
    clients: int,
    fetch: bool,
    go: Any,
    done: Any,
    stop: Any,
    results: Any,
    timeout: float,
    pause: float = 0.0,
    expect: int = DEF_NUMBERS,
) -> None:
    """W4/W5/W7: open ``clients`` connections from one process.

    With ``fetch`` each client sends getProperties and is done once every
    number vector is defined (W4, all connections opened at once); without,
    once connected (W5, idle clients, opened in groups of 4 ``pause`` seconds
    apart so that a small listen backlog does not lose handshakes). A fetching
    client waits for ``expect`` number vectors.
    Reports ``(t_last_done, done_count, error, reconnects)`` when all are done, then keeps
    the connections open, reading whatever arrives, until ``stop`` is set.
    """
    sel = selectors.DefaultSelector()
    socks: list[socket.socket] = []
    counters: dict[int, Counter] = {}
    pending = clients
    retries = 0
    t_last = 0.0
    error = ""

    def reopen(old: socket.socket, retries: int) -> int:
        # A server with a tiny listen backlog may reset a handshake it dropped;
        # a real client reconnects, and so do we (at most once per client).
        if retries >= clients:
            raise ConnectionError("too many connections reset by the server")
        old.close()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        sock.connect_ex(("127.0.0.1", port))
        socks.append(sock)
        sel.register(sock, selectors.EVENT_WRITE)
        return retries + 1

    if not go.wait(timeout):
        results.put((0.0, 0, "no go signal", 0))
        return
    deadline = time.monotonic() + timeout
    try:
        for i in range(clients):
            if pause and i % 4 == 3:
                time.sleep(pause)
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setblocking(False)
            sock.connect_ex(("127.0.0.1", port))
            socks.append(sock)
            sel.register(sock, selectors.EVENT_WRITE)
        while pending and time.monotonic() < deadline:
            for key, mask in sel.select(0.5):
                sock = key.fileobj  # type: ignore[assignment]
                fd = sock.fileno()
                if mask & selectors.EVENT_WRITE:
                    err = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                    if err and not fetch:
                        raise ConnectionError(f"connect failed: errno {err}")
                    if err:
                        sel.unregister(sock)
                        retries = reopen(sock, retries)
                        continue
                    if fetch:
                        sock.send(GET_PROPERTIES)
                        counters[fd] = Counter(END_DEF_NUMBER)
                        sel.modify(sock, selectors.EVENT_READ)
                    else:
                        # One harmless byte: an idle client whose handshake the server
                        # dropped (full listen backlog, SYN cookies) then retransmits
                        # until it is accepted, instead of waiting forever unseen.
                        sock.send(b"\n")
                        sel.modify(sock, selectors.EVENT_READ)
                        pending -= 1
                        t_last = time.perf_counter()
                    continue
                try:
                    data = sock.recv(RECV)
                except ConnectionResetError:
                    data = b""
                if not data and not fetch:
                    raise ConnectionError("the server closed an idle connection")
                if not data:
                    sel.unregister(sock)
                    if counters.pop(fd, None) is not None:
                        retries = reopen(sock, retries)
                    continue
                counter = counters.get(fd)
                if counter is not None and counter.feed(data) >= expect:
                    del counters[fd]
                    pending -= 1
                    t_last = time.perf_counter()
        if pending:
            error = f"{pending} of {clients} clients not done before the deadline"
    except OSError as exc:
        error = f"{type(exc).__name__}: {exc}"
    results.put((t_last, clients - pending, error, retries))
    done.put(1)
    stop_deadline = time.monotonic() + timeout
    while not stop.is_set() and time.monotonic() < stop_deadline:
        for key, _mask in sel.select(0.2):
            sock = key.fileobj  # type: ignore[assignment]
            try:
                if not sock.recv(RECV):
                    sel.unregister(sock)
            except OSError:
                sel.unregister(sock)
    for sock in socks:
        sock.close()
