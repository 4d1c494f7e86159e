"""Live property objects: what ``app.switch(...)`` and friends return.

A :class:`Property` holds its members' current values, its state, message and
metadata. Item access reads and sets member values (nothing is sent);
:meth:`Property.send` sends a ``set*Vector`` to every client that should have
it, and is safe to call from any thread. Used as a decorator, a property takes
the decorated function as the handler of clients' changes and returns itself::

    @app.switch("LED", members={"ON": False, "OFF": True})
    def led(change):
        ...

    led["ON"]          # -> False (the module-level name is the property)
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from ..core.members import MEMBER_CLASSES, Member
from ..core.model import PropertyModel
from ..core.transaction import Change
from ..errors import InvalidValue, SetupError
from ..protocol import events as ev
from ..protocol.blobs import BlobValue
from ..protocol.values import Perm, Rule, State

__all__ = ["Change", "Handler", "Property", "make_members"]

#: A change handler: ``fn(change)``, plain or ``async def``; it may return a
#: state, a mapping of real values, or nothing.
Handler = Callable[[Change], Any]


class PropertyDevice(Protocol):
    """What a property needs of its device: a name, timestamps and a way to send."""

    @property
    def name(self) -> str:
        """The device name."""

    def timestamp(self) -> str:
        """The current INDI timestamp text."""

    def emit(self, event: ev.Event) -> None:
        """Hand an event to the running driver (dropped when not running)."""


class Property(PropertyModel):
    """A live INDI property (vector): members' values, state, message and metadata.

    Created by the declaration methods of :class:`~indiflask.App` and
    :class:`~indiflask.Device`; not usually instantiated directly. A property
    is a mapping of member name to value (``prop["TEMP"]``); assigning a member
    (``prop["TEMP"] = 21.5``), :attr:`state` or :attr:`message` changes what the
    next update says, and :meth:`send` sends it.
    """

    device: PropertyDevice

    def __init__(
        self,
        device: PropertyDevice,
        kind: str,
        name: str,
        members: list[Member],
        *,
        label: str | None = None,
        group: str = "",
        state: State | str = State.IDLE,
        perm: Perm | str = Perm.RW,
        rule: Rule | str = Rule.ONE_OF_MANY,
        timeout: float = 0.0,
        persist: bool = False,
        after_connect: bool | None = None,
    ) -> None:
        #: Saved in the device's configuration file, and loaded from it.
        self.persist = persist
        #: Defined only while the device is connected (``None``: decided when setup ends).
        self.after_connect = after_connect
        super().__init__(
            device,
            kind,
            name,
            members,
            label=label,
            group=group,
            state=state,
            perm=perm,
            rule=rule,
            timeout=timeout,
        )

    # ------------------------------------------------------------- decorator
    def __call__(self, handler: Handler) -> Property:
        """Attach ``handler`` as this property's change handler and return the property."""
        if not callable(handler):
            raise SetupError(f"{self.name}: a handler must be callable, not {handler!r}")
        if self.perm is Perm.RO:
            raise SetupError(
                f"property {self.name!r} is read-only (perm='ro'), so clients cannot change "
                f"it and {getattr(handler, '__name__', 'the function')} would never run; "
                "declare it with perm='rw' or 'wo', or drop the decorator"
            )
        if self.handler is not None:
            raise SetupError(f"property {self.name!r} already has a handler")
        self.handler = handler
        return self

    # ---------------------------------------------------------------- values
    def update(self, values: Mapping[str, Any] | None = None, /, **members: Any) -> None:
        """Set several members at once, like ``dict.update``; nothing is sent yet.

        ``prop.update({"RA": 5.5, "DEC": 20})`` or ``prop.update(RA=5.5, DEC=20)``;
        then :meth:`send`. Unknown members raise :class:`KeyError` and leave
        every value as it was.
        """
        given = {**(values or {}), **members}
        unknown = [name for name in given if name not in self.members]
        if unknown:
            raise KeyError(
                f"{self.device.name}.{self.name} has no member {', '.join(map(repr, unknown))}"
            )
        for name, value in given.items():
            self[name] = value

    def set_blob(self, member: str, data: bytes | str | os.PathLike[str], format: str = "") -> None:
        """Set a BLOB member's data and (optionally) its format, e.g. ``".fits"``."""
        self[member] = data
        if format:
            self.formats[member] = format

    def blob_value(self, member: str, data: Any) -> BlobValue:
        """Encode a BLOB member's value for the wire; a path is read now."""
        if isinstance(data, str) or hasattr(data, "__fspath__"):
            path = os.fspath(data)
            fmt = self.formats.get(member, "") or os.path.splitext(path)[1]
            with open(path, "rb") as fh:
                return BlobValue.from_bytes(fh.read(), fmt)
        return super().blob_value(member, data)

    # ------------------------------------------------------------- sending
    def send(self, message: str | None = None) -> None:
        """Send ``set*Vector`` with the current values to every client that should have it.

        Every call sends (no change suppression). Safe to call from handlers,
        hardware functions and other threads.

        :param message: the update's message (otherwise the one set with
            ``prop.message = ...`` since the last update, if any).
        """
        if not self.defined:
            raise InvalidValue(
                f"{self.device.name}.{self.name} is deleted; call define() before send()"
            )
        self.device.emit(self.update_event(message))

    def define(self) -> None:
        """Define (or redefine) this property at run time: clients get ``def*Vector``."""
        self.defined = True
        self.device.emit(self.definition())

    def delete(self, message: str | None = None) -> None:
        """Send ``delProperty``; the property is left out of ``getProperties`` answers."""
        self.defined = False
        self.device.emit(
            ev.DelProperty(
                device=self.device.name,
                name=self.name,
                timestamp=self.device.timestamp(),
                message=message,
            )
        )


def make_members(kind: str, members: object) -> list[Member]:
    """Build member declarations from a list of members, a list of names, or a dict."""
    cls = MEMBER_CLASSES[kind]
    if isinstance(members, Mapping):
        return [cls(name=str(n), value=v) for n, v in members.items()]
    if isinstance(members, list | tuple):
        built: list[Member] = []
        for item in members:
            if isinstance(item, Member):
                if item.kind != kind:
                    raise SetupError(
                        f"a {type(item).__name__} member cannot belong to a {kind} property"
                    )
                built.append(item)
            elif isinstance(item, str):
                built.append(cls(name=item))
            else:
                raise SetupError(f"members= takes {cls.__name__} objects or names, not {item!r}")
        if not built:
            raise SetupError("a property needs at least one member")
        return built
    raise SetupError(
        f"members= takes a list of members, a list of names or a dict, not {members!r}"
    )
