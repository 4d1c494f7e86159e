"""The property declaration methods shared by :class:`~indiflask.App` and devices.

``app.switch(...)`` declares on the app's default device, ``dev.switch(...)`` on
``dev``; both are these methods, so they take the same keywords everywhere.
"""

from __future__ import annotations

from typing import Any

from ..protocol.values import Perm, Rule, State
from .property import Property

__all__ = ["Declarations"]


class Declarations:
    """Mixin: ``switch``, ``number``, ``text``, ``light`` and ``blob`` declarations.

    Each declares a property, registers it and returns it; used as a decorator,
    the property takes the function as its change handler.
    """

    __slots__ = ()

    def _declare(self, kind: str, name: str, members: object, **common: Any) -> Property:
        """Build and register a property of ``kind`` (each class says where it goes)."""
        raise NotImplementedError

    def switch(
        self,
        name: str,
        *,
        members: object = None,
        label: str | None = None,
        group: str = "",
        state: State | str = State.IDLE,
        perm: Perm | str = Perm.RW,
        rule: Rule | str = Rule.ONE_OF_MANY,
        timeout: float = 0,
    ) -> Property:
        """Declare a switch property; use as a decorator to attach its change handler.

        ``members`` is a list of :class:`~indiflask.Switch`, a list of names, or
        a dict ``{name: bool}``.
        """
        return self._declare(
            "Switch",
            name,
            members,
            label=label,
            group=group,
            state=state,
            perm=perm,
            rule=rule,
            timeout=timeout,
        )

    def number(
        self,
        name: str,
        *,
        members: object = None,
        label: str | None = None,
        group: str = "",
        state: State | str = State.IDLE,
        perm: Perm | str = Perm.RW,
        timeout: float = 0,
    ) -> Property:
        """Declare a number property; use as a decorator to attach its change handler."""
        return self._declare(
            "Number",
            name,
            members,
            label=label,
            group=group,
            state=state,
            perm=perm,
            timeout=timeout,
        )

    def text(
        self,
        name: str,
        *,
        members: object = None,
        label: str | None = None,
        group: str = "",
        state: State | str = State.IDLE,
        perm: Perm | str = Perm.RW,
        timeout: float = 0,
    ) -> Property:
        """Declare a text property; use as a decorator to attach its change handler."""
        return self._declare(
            "Text",
            name,
            members,
            label=label,
            group=group,
            state=state,
            perm=perm,
            timeout=timeout,
        )

    def light(
        self,
        name: str,
        *,
        members: object = None,
        label: str | None = None,
        group: str = "",
        state: State | str = State.IDLE,
        timeout: float = 0,
    ) -> Property:
        """Declare a light property (always read-only: lights have no handler)."""
        return self._declare(
            "Light",
            name,
            members,
            label=label,
            group=group,
            state=state,
            perm=Perm.RO,
            timeout=timeout,
        )

    def blob(
        self,
        name: str,
        *,
        members: object = None,
        label: str | None = None,
        group: str = "",
        state: State | str = State.IDLE,
        perm: Perm | str = Perm.RO,
        timeout: float = 0,
    ) -> Property:
        """Declare a BLOB property (read-only by default; ``perm="rw"`` accepts uploads)."""
        return self._declare(
            "BLOB",
            name,
            members,
            label=label,
            group=group,
            state=state,
            perm=perm,
            timeout=timeout,
        )
