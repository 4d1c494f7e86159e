"""Finding the App in what the user typed, the way ``flask run`` does.

Accepted forms: ``module``, ``module:attr``, ``module:factory()``,
``path/to/file.py`` and ``path/to/file.py:attr``. Without an attribute, the
module's ``app``, then ``application``, then its only :class:`~indiflask.App`
instance, then a ``create_app``/``make_app`` factory is used.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
import traceback
from types import ModuleType

import click

from ..driver.app import App

__all__ = ["NoAppError", "find_app", "load_module"]


class NoAppError(click.UsageError):
    """The given APP names no module, or the module holds no usable App."""


def load_module(target: str) -> ModuleType:
    """Import ``target`` (a dotted module name or a path to a ``.py`` file)."""
    if target.endswith(".py") or os.sep in target or target.startswith("."):
        path = os.path.abspath(target)
        if not os.path.isfile(path):
            raise NoAppError(f"no such file: {target}")
        directory, filename = os.path.split(path)
        name = os.path.splitext(filename)[0]
        if directory not in sys.path:
            sys.path.insert(0, directory)
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None:
            raise NoAppError(f"cannot load {target} as a Python module")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        except Exception as exc:
            sys.modules.pop(name, None)
            raise NoAppError(f"importing {target} failed:\n{_short_traceback()}") from exc
        return module
    cwd = os.getcwd()
    if cwd not in sys.path:
        sys.path.insert(0, cwd)
    try:
        return importlib.import_module(target)
    except ImportError as exc:
        if exc.name is not None and target.startswith(exc.name) and _is_top_frame():
            raise NoAppError(f"could not import {target!r}: no such module") from exc
        raise NoAppError(f"importing {target!r} failed:\n{_short_traceback()}") from exc
    except Exception as exc:
        raise NoAppError(f"importing {target!r} failed:\n{_short_traceback()}") from exc


def _is_top_frame() -> bool:
    tb = sys.exc_info()[2]
    depth = 0
    while tb is not None:
        depth += 1
        tb = tb.tb_next
    return depth <= 6


def _short_traceback() -> str:
    return "".join(traceback.format_exc(limit=-3))


def find_app(spec: str) -> App:
    """Return the App that ``spec`` names.

    :raises NoAppError: with a message saying what was found instead.
    """
    target, _, attr = _split(spec)
    module = load_module(target)
    if attr:
        return _from_attribute(module, attr, spec)
    for name in ("app", "application"):
        value = getattr(module, name, None)
        if isinstance(value, App):
            return value
    apps = [v for v in vars(module).values() if isinstance(v, App)]
    if len(apps) == 1:
        return apps[0]
    if len(apps) > 1:
        names = ", ".join(sorted(k for k, v in vars(module).items() if isinstance(v, App)))
        raise NoAppError(f"{target} holds several apps ({names}); name one as {target}:NAME")
    for name in ("create_app", "make_app"):
        factory = getattr(module, name, None)
        if callable(factory):
            app = factory()
            if isinstance(app, App):
                return app
            raise NoAppError(f"{target}:{name}() returned {app!r}, not an indiflask App")
    raise NoAppError(f"{target} holds no indiflask App; define app = App(...) in it")


def _split(spec: str) -> tuple[str, str, str]:
    # a Windows drive letter or a path may hold ':' too; split on the last one after '.py'
    if ".py:" in spec:
        target, _, attr = spec.rpartition(":")
        return target, ":", attr
    if spec.endswith(".py"):
        return spec, "", ""
    return spec.partition(":")


def _from_attribute(module: ModuleType, attr: str, spec: str) -> App:
    call = attr.endswith("()")
    name = attr[:-2] if call else attr
    if not name.isidentifier():
        raise NoAppError(f"{attr!r} in {spec!r} is not an attribute name or a factory call")
    value = getattr(module, name, None)
    if value is None:
        raise NoAppError(f"{module.__name__} has no attribute {name!r}")
    if call:
        if not callable(value):
            raise NoAppError(f"{module.__name__}.{name} is not callable")
        value = value()
    if not isinstance(value, App):
        raise NoAppError(f"{spec} is {type(value).__name__}, not an indiflask App")
    return value
