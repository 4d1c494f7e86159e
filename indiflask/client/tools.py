"""The logic behind ``indiflask get``, ``set`` and ``watch`` (the CLI only adds click).

``get`` follows libindi's ``indi_getprop`` exactly (``tools/getINDIproperty.c``),
so that its output can be compared line by line:

* a query is ``device.property.member``; each part may be ``*`` (or a glob
  such as ``CCD*``, an extension); the member may be a pseudo-member ``_LABEL``,
  ``_GROUP``, ``_STATE``, ``_PERM``, ``_TO`` or ``_TS`` for that attribute;
* values come from **definitions** only, printed as they arrive (a driver that
  sends a definition twice is printed twice), one ``device.property.member=value``
  line per member, with the value text exactly as it was on the wire;
* write-only properties are skipped unless asked for;
* without wildcards it exits as soon as every query matched; with wildcards it
  waits until ``timeout`` seconds pass without a matching definition;
* exit status 0 when every query matched, 1 when one did not (``No d.p.e from
  host:port`` on stderr), 2 on trouble (no server, connection lost).

``set`` parses ``indi_setprop`` specs (``dev.prop.m1;m2=v1;v2`` or
``dev.prop.m1=v1;m2=v2``), checks them against the definitions, sends only the
named members, and waits for the driver's answer. Once a device's definitions
have settled (:meth:`Client.wait_settled <indiflask.client.Client.wait_settled>`),
a property it does not have is an error at once, not after the timeout.
"""

from __future__ import annotations

import asyncio
import fnmatch
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ChangeRefused, InvalidValue
from ..protocol import events as ev
from ..protocol.values import State
from .client import Client
from .updates import Update

__all__ = [
    "Query",
    "getprop_lines",
    "parse_assignment",
    "parse_query",
    "run_get",
    "run_set",
]

_GLOB = frozenset("*?[")

#: Pseudo-members and the definition attribute each reports.
KEYWORDS = {
    "_LABEL": "label",
    "_GROUP": "group",
    "_STATE": "state",
    "_PERM": "perm",
    "_TO": "timeout",
    "_TS": "timestamp",
}


@dataclass
class Query:
    """One ``device.property.member`` pattern."""

    #: The three parts, each a name or a glob.
    device: str
    name: str
    member: str
    #: Whether something matched it.
    ok: bool = False

    @property
    def wildcard(self) -> bool:
        """Whether any part is a pattern (then the query can match many values)."""
        return any(_GLOB & set(part) for part in (self.device, self.name, self.member))

    def __str__(self) -> str:
        return f"{self.device}.{self.name}.{self.member}"


def _match(pattern: str, name: str) -> bool:
    if pattern == "*":
        return True
    return fnmatch.fnmatchcase(name, pattern) if _GLOB & set(pattern) else name == pattern


def parse_query(text: str) -> Query:
    """Parse ``device[.property[.member]]``; missing parts mean ``*``.

    :raises InvalidValue: for an empty part.
    """
    parts = text.split(".", 2)
    if any(not p for p in parts):
        raise InvalidValue(f"bad property spec {text!r}: use device.property.member")
    parts += ["*"] * (3 - len(parts))
    return Query(parts[0], parts[1], parts[2])


def parse_assignment(text: str) -> tuple[str, str, dict[str, str]]:
    """Parse an ``indi_setprop`` spec into (device, property, {member: text}).

    Both forms are accepted: ``dev.prop.m1;m2=v1;v2`` and ``dev.prop.m1=v1;m2=v2``.

    :raises InvalidValue: when the spec does not have that shape.
    """
    parts = text.split(".", 2)
    if len(parts) != 3 or not all(parts) or "=" not in parts[2]:
        raise InvalidValue(f"bad set spec {text!r}: use device.property.member=value")
    device, name, rest = parts
    names_text, _, values_text = rest.partition("=")
    if ";" in names_text or "=" not in values_text:
        names, values = names_text.split(";"), values_text.split(";")
        if len(names) != len(values):
            raise InvalidValue(f"bad set spec {text!r}: {len(names)} members, {len(values)} values")
        pairs = list(zip(names, values, strict=True))
    else:
        chunks = values_text.split(";")
        pairs = [(names_text, chunks[0])]
        for chunk in chunks[1:]:
            member, eq, value = chunk.partition("=")
            if not eq:
                raise InvalidValue(f"bad set spec {text!r}: {chunk!r} is not member=value")
            pairs.append((member, value))
    members = {m.strip(): v for m, v in pairs}
    if any(not m for m in members):
        raise InvalidValue(f"bad set spec {text!r}: a member name is empty")
    return device, name, members


def _attribute(event: ev.DefVector, keyword: str) -> str:
    attr = KEYWORDS[keyword]
    if attr == "state":
        return event.state.value
    if attr == "perm":
        perm = getattr(event, "perm", None)
        return perm.value if perm is not None else ""
    if attr == "timeout":
        return "" if isinstance(event, ev.DefLightVector) else f"{event.timeout:g}"
    value = getattr(event, attr)
    return "" if value is None else str(value)


def getprop_lines(
    update: Update, queries: list[Query], *, show_wo: bool = False, just_value: bool = False
) -> tuple[list[str], bool, list[str]]:
    """What ``indi_getprop`` prints for one definition.

    :returns: (lines, whether a query matched the property, BLOB property names
        matched, for which BLOBs should be enabled).
    """
    event = update.event
    lines: list[str] = []
    blobs: list[str] = []
    matched = False
    if not isinstance(event, ev.DefVector):
        return lines, matched, blobs
    onematch = len(queries) == 1 and not queries[0].wildcard
    for query in queries:
        if not (_match(query.device, event.device) and _match(query.name, event.name)):
            continue
        perm = getattr(event, "perm", None)
        if perm is not None and not show_wo and "r" not in perm.value:
            continue
        matched = True
        if isinstance(event, ev.DefBLOBVector):
            blobs.append(event.name)
        elif query.member in KEYWORDS:
            query.ok = True
            value = _attribute(event, query.member)
            where = f"{event.device}.{event.name}.{query.member}="
            lines.append(value if onematch and just_value else where + value)
        else:
            for member in event.members:
                if _match(query.member, member.name):
                    query.ok = True
                    text = update.wire.get(member.name)
                    if text is None:
                        text = update.property.wire_text(member.name) if update.property else ""
                    prefix = (
                        ""
                        if onematch and just_value
                        else (f"{event.device}.{event.name}.{member.name}=")
                    )
                    lines.append(prefix + text)
                    if onematch:
                        break
        if onematch:
            break
    return lines, matched, blobs


def _one_device(devices: list[str]) -> str | None:
    if devices and not any(_GLOB & set(d) for d in devices) and len(set(devices)) == 1:
        return devices[0]
    return None


async def run_get(
    host: str,
    port: int,
    queries: list[Query],
    emit: Callable[[str], None],
    error: Callable[[str], None],
    *,
    timeout: float = 2.0,
    show_wo: bool = False,
    just_value: bool = False,
    blob_dir: Path | None = None,
    values: dict[str, Any] | None = None,
) -> int:
    """Run ``get``: print matching values from definitions; return the exit status.

    :param emit: called with each output line.
    :param error: called with each error line.
    :param values: when given, filled with ``"dev.prop.member": typed value``.
    """
    client = Client(
        host,
        port,
        device=_one_device([q.device for q in queries]),
        reconnect=False,
        blob_dir=blob_dir,
    )
    sub = client.updates()
    try:
        await client.connect()
    except (OSError, TimeoutError) as exc:
        error(f"cannot connect to {host}:{port}: {exc}")
        return 2
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    try:
        while True:
            try:
                update = await sub.get(max(0.0, deadline - loop.time()))
            except TimeoutError:
                break
            if update.kind == "disconnected":
                error(f"INDI server {host}:{port} disconnected")
                return 2
            lines, matched, blobs = getprop_lines(
                update, queries, show_wo=show_wo, just_value=just_value
            )
            for line in lines:
                emit(line)
            if values is not None and update.kind == "def":
                _collect(update, queries, values)
            if blob_dir is not None and update.device is not None:
                for name in blobs:
                    await client.enable_blob(update.device, "Also", name)
            if matched and update.kind == "def":
                deadline = loop.time() + timeout
            if all(q.ok and not q.wildcard for q in queries):
                return 0
        for query in queries:
            if not query.ok:
                error(f"No {query} from {host}:{port}")
        return 0 if all(q.ok for q in queries) else 1
    finally:
        sub.close()
        await client.close()


async def _missing_properties(
    client: Client, specs: list[tuple[str, str, dict[str, str]]], timeout: float
) -> list[tuple[str, str]]:
    """The (device, property) pairs of ``specs`` that their settled device lacks.

    A device that does not show up in time is left to :meth:`Client.set`,
    which reports it.
    """
    missing = []
    for device in dict.fromkeys(d for d, _, _ in specs):
        try:
            await client.wait_settled(device, timeout)
        except TimeoutError:
            continue
        missing += [
            (d, p) for d, p, _ in specs if d == device and client.get_property(d, p) is None
        ]
    return list(dict.fromkeys(missing))


def _collect(update: Update, queries: list[Query], out: dict[str, Any]) -> None:
    event = update.event
    assert isinstance(event, ev.DefVector)
    for query in queries:
        if not (_match(query.device, event.device) and _match(query.name, event.name)):
            continue
        where = f"{event.device}.{event.name}"
        if query.member in KEYWORDS:
            out[f"{where}.{query.member}"] = _attribute(event, query.member)
            continue
        for member, value in update.values.items():
            if _match(query.member, member) and not isinstance(event, ev.DefBLOBVector):
                out[f"{where}.{member}"] = value.value if isinstance(value, State) else value


async def run_set(
    host: str,
    port: int,
    specs: list[tuple[str, str, dict[str, str]]],
    error: Callable[[str], None],
    *,
    timeout: float = 10.0,
    wait: str = "answer",
    results: list[dict[str, Any]] | None = None,
) -> int:
    """Run ``set``: send each change and wait for the driver's answer; return the exit status.

    0 when every change was answered without Alert, 1 when one was refused,
    invalid or not answered in time, 2 when the server cannot be reached.
    """
    client = Client(host, port, device=_one_device([d for d, _, _ in specs]), reconnect=False)
    try:
        await client.connect()
    except (OSError, TimeoutError) as exc:
        error(f"cannot connect to {host}:{port}: {exc}")
        return 2
    try:
        missing = await _missing_properties(client, specs, timeout)
        for device, name in missing:
            known = ", ".join(sorted(client[device])) if device in client else ""
            error(
                f"error: {device} has no property {name!r}"
                + (f" (it has {known})" if known else "")
            )
        if missing:
            return 1
        outcomes = await asyncio.gather(
            *(client.set(d, p, m, wait=wait, check=True, timeout=timeout) for d, p, m in specs),
            return_exceptions=True,
        )
        status = 0
        for (device, name, _), outcome in zip(specs, outcomes, strict=True):
            if isinstance(outcome, ChangeRefused | InvalidValue | TimeoutError):
                error(f"error: {outcome}")
                status = 1
            elif isinstance(outcome, ConnectionError):
                error(f"error: {device}.{name}: {outcome}")
                status = 2
            elif isinstance(outcome, BaseException):
                raise outcome
            elif results is not None:
                results.append(outcome.to_dict())
        return status
    finally:
        await client.close()
