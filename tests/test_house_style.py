"""House-style rules that a reviewer should not have to check by hand.

* Rule 3, sans-IO: the modules of ``indiflask/protocol`` and ``indiflask/core``,
  and every indiflask module they import (transitively), import only the
  standard library, ``lxml`` and indiflask, never ``asyncio``, ``socket``,
  ``subprocess``, ``threading``, ``time``, ``os``, ``sys``, ``click`` or
  ``gpiozero``, and never call ``open()``. Imports under ``if TYPE_CHECKING:``
  never run, so they are not counted; nor is the root ``indiflask/__init__.py``,
  whose re-exports are the user-facing surface, not a dependency of the layers.
* Rule 2: no ``indiflask/**/*.py`` is longer than 600 lines.
* No import circles: modules that import each other (lazily, or only for type
  checking, counted too) outside ``indiflask/compat``, which keeps indipydriver's
  own structure. A package's ``__init__`` re-exports are not counted.
* Rule 5: every public module, class, function and method in ``indiflask/`` has
  a docstring. Public means: the name does not start with ``_`` (a name listed
  in ``__all__`` is public whatever its spelling); methods count when their
  class is public. ``@overload`` stubs and property setters/deleters share the
  docstring of their implementation or getter.
* The docs stand on their own: no file of the package, the docs, the examples,
  the benchmark or the tests points to a design or protocol document that is
  not in the repository.
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "indiflask"
SANS_IO_PACKAGES = ("protocol", "core")
FORBIDDEN = frozenset(
    {"asyncio", "socket", "subprocess", "threading", "time", "os", "sys", "click", "gpiozero"}
)
ALLOWED_THIRD_PARTY = frozenset({"lxml", "indiflask"})
MAX_LINES = 600


@dataclass(frozen=True)
class Module:
    """One indiflask source file."""

    name: str  # dotted, e.g. "indiflask.core.driver"
    path: Path

    @property
    def is_package(self) -> bool:
        return self.path.name == "__init__.py"

    def tree(self) -> ast.Module:
        return ast.parse(self.path.read_text(encoding="utf-8"), filename=str(self.path))


def all_modules() -> dict[str, Module]:
    modules = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        name = ".".join(parts)
        modules[name] = Module(name, path)
    return modules


MODULES = all_modules()


def _ids(modules: list[Module]) -> list[str]:
    return [m.name for m in modules]


# ------------------------------------------------------------------ imports


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _runtime_nodes(tree: ast.AST) -> list[ast.AST]:
    """All nodes except those inside ``if TYPE_CHECKING:`` bodies."""
    found: list[ast.AST] = []
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        found.append(node)
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            stack.extend(node.orelse)
            continue
        stack.extend(ast.iter_child_nodes(node))
    return found


def _imports(module: Module) -> list[tuple[int, str]]:
    """``(line, absolute dotted name)`` of everything the module imports at run time."""
    found: list[tuple[int, str]] = []
    package = module.name if module.is_package else module.name.rpartition(".")[0]
    for node in _runtime_nodes(module.tree()):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            found.append((node.lineno, target))
            # "from . import events" imports the submodule indiflask.protocol.events
            found.extend(
                (node.lineno, f"{target}.{alias.name}")
                for alias in node.names
                if f"{target}.{alias.name}" in MODULES
            )
    return found


def sans_io_closure() -> list[Module]:
    """protocol/ and core/ modules plus every indiflask module they import."""
    todo = [
        m
        for m in MODULES.values()
        if any(m.name.startswith(f"indiflask.{p}") for p in SANS_IO_PACKAGES)
    ]
    seen: dict[str, Module] = {}
    while todo:
        module = todo.pop()
        if module.name in seen:
            continue
        seen[module.name] = module
        for _, target in _imports(module):
            # importing a.b.c runs a and a.b too
            parts = target.split(".")
            for i in range(1, len(parts) + 1):
                dotted = ".".join(parts[:i])
                if dotted in MODULES and dotted != "indiflask":
                    todo.append(MODULES[dotted])
    return sorted(seen.values(), key=lambda m: m.name)


SANS_IO = sans_io_closure()


def test_sans_io_set_is_not_empty() -> None:
    assert "indiflask.protocol.events" in _ids(SANS_IO)


@pytest.mark.parametrize("module", SANS_IO, ids=_ids(SANS_IO))
def test_sans_io_imports(module: Module) -> None:
    problems = []
    for line, target in _imports(module):
        top = target.split(".")[0]
        if top in FORBIDDEN:
            problems.append(f"line {line}: imports {target} (I/O belongs in the runtime layer)")
        elif top not in sys.stdlib_module_names and top not in ALLOWED_THIRD_PARTY:
            problems.append(f"line {line}: imports third-party {target} (only lxml allowed)")
    assert problems == [], f"{module.path}: " + "; ".join(problems)


_OPENERS = {("io", "open"), ("builtins", "open"), ("codecs", "open")}


@pytest.mark.parametrize("module", SANS_IO, ids=_ids(SANS_IO))
def test_sans_io_never_opens_files(module: Module) -> None:
    calls = []
    for node in _runtime_nodes(module.tree()):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        plain_open = isinstance(func, ast.Name) and func.id == "open"
        module_open = (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and ((func.value.id, func.attr) in _OPENERS or func.attr in ("read_text", "read_bytes"))
        )
        if plain_open or module_open:
            calls.append(node.lineno)
    assert calls == [], f"{module.path} opens files at lines {calls}"


# ------------------------------------------------------------------ circles


def _all_imports(module: Module, known: dict[str, Module]) -> set[str]:
    """Indiflask modules ``module`` imports, however (type-checking and lazy ones too)."""
    package = module.name if module.is_package else module.name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(module.tree()):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name in known)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            for alias in node.names:
                name = f"{target}.{alias.name}"
                if name in known:
                    found.add(name)
                elif target in known:
                    found.add(target)
    found.discard(module.name)
    return {name for name in found if not known[name].is_package}


def import_circles(modules: dict[str, Module]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan's algorithm)."""
    graph = {name: _all_imports(m, modules) for name, m in modules.items() if not m.is_package}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in graph:
                continue
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                item = stack.pop()
                on_stack.discard(item)
                group.append(item)
                if item == node:
                    break
            if len(group) > 1:
                circles.append(sorted(group))

    for name in graph:
        if name not in index:
            visit(name)
    return circles


def test_no_import_circles_outside_compat() -> None:
    circles = [
        group
        for group in import_circles(MODULES)
        if not all(name.startswith("indiflask.compat") for name in group)
    ]
    assert circles == [], f"modules that import each other: {circles}"


# ------------------------------------------------------------------ size

ALL = sorted(MODULES.values(), key=lambda m: m.name)


@pytest.mark.parametrize("module", ALL, ids=_ids(ALL))
def test_module_size(module: Module) -> None:
    lines = len(module.path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{module.path} has {lines} lines; split it (limit {MAX_LINES})"


# ------------------------------------------------------------------ docstrings


def _exported(tree: ast.Module) -> set[str]:
    for node in tree.body:
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
                value = node.value
                if isinstance(value, ast.List | ast.Tuple):
                    return {
                        e.value
                        for e in value.elts
                        if isinstance(e, ast.Constant) and isinstance(e.value, str)
                    }
    return set()


def _decorator_names(node: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    names = set()
    for deco in node.decorator_list:
        if isinstance(deco, ast.Name):
            names.add(deco.id)
        elif isinstance(deco, ast.Attribute):
            names.add(deco.attr)
    return names


def _needs_docstring(node: ast.AST, exported: set[str]) -> bool:
    if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return False
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and _decorator_names(node) & {
        "overload",
        "setter",
        "deleter",
    }:
        return False
    return not node.name.startswith("_") or node.name in exported


def missing_docstrings(module: Module) -> list[str]:
    tree = module.tree()
    missing = [] if ast.get_docstring(tree) else ["module"]
    exported = _exported(tree)
    for node in tree.body:
        if not _needs_docstring(node, exported):
            continue
        assert isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
        if not ast.get_docstring(node):
            missing.append(f"{node.name} (line {node.lineno})")
        if isinstance(node, ast.ClassDef):
            missing.extend(
                f"{node.name}.{item.name} (line {item.lineno})"
                for item in node.body
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
                and _needs_docstring(item, set())
                and not ast.get_docstring(item)
            )
    return missing


PUBLIC = [m for m in ALL if not m.path.name.startswith("_") or m.is_package]


@pytest.mark.parametrize("module", PUBLIC, ids=_ids(PUBLIC))
def test_public_docstrings(module: Module) -> None:
    assert missing_docstrings(module) == [], f"{module.path}: missing docstrings"


# ------------------------------------------------------------------ the checker checks


def _fake(tmp_path: Path, source: str, name: str = "indiflask.core.fake") -> Module:
    path = tmp_path / "fake.py"
    path.write_text(source, encoding="utf-8")
    return Module(name, path)


def test_checker_catches_forbidden_and_third_party_imports(tmp_path: Path) -> None:
    module = _fake(
        tmp_path,
        "import os.path\nfrom time import monotonic\nimport numpy\nimport json\n"
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import asyncio\n",
    )
    with pytest.raises(AssertionError) as info:
        test_sans_io_imports(module)
    text = str(info.value)
    assert "imports os.path" in text and "imports time" in text and "third-party numpy" in text
    assert "json" not in text and "asyncio" not in text


def test_checker_resolves_relative_imports(tmp_path: Path) -> None:
    module = _fake(tmp_path, "from ..values import State\nfrom . import driver\n")
    targets = [t for _, t in _imports(module)]
    assert "indiflask.values" in targets and "indiflask.core" in targets


def test_checker_catches_open(tmp_path: Path) -> None:
    module = _fake(tmp_path, "def f(p):\n    return open(p).read() + io.open(p).read()\n")
    with pytest.raises(AssertionError, match=r"lines \[2, 2\]"):
        test_sans_io_never_opens_files(module)


def test_checker_catches_missing_docstrings(tmp_path: Path) -> None:
    module = _fake(
        tmp_path,
        '"""Doc."""\n__all__ = ["_exported"]\n'
        "def public(): pass\n"
        "def _private(): pass\n"
        "def _exported(): pass\n"
        'class Thing:\n    """Doc."""\n    def method(self): pass\n    def _hidden(self): pass\n'
        "    @property\n    def value(self):\n        '''Doc.'''\n"
        "    @value.setter\n    def value(self, v): pass\n",
    )
    assert missing_docstrings(module) == [
        "public (line 3)",
        "_exported (line 5)",
        "Thing.method (line 8)",
    ]


def test_checker_finds_circles_through_type_checking_imports(tmp_path: Path) -> None:
    a = tmp_path / "a.py"
    b = tmp_path / "b.py"
    c = tmp_path / "c.py"
    a.write_text("from .b import B\n")
    b.write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .a import A\n")
    c.write_text("from .a import A\n")
    modules = {
        "indiflask.x.a": Module("indiflask.x.a", a),
        "indiflask.x.b": Module("indiflask.x.b", b),
        "indiflask.x.c": Module("indiflask.x.c", c),
    }
    assert import_circles(modules) == [["indiflask.x.a", "indiflask.x.b"]]


# The names of the working notes the project was started from; users do not have them.
_OUTSIDE_DOCUMENTS = ("API.md", "ARCHITECTURE.md", "INDI-PROTOCOL.md", "../shared")
_OWN_TEXT = (".py", ".rst", ".md", ".txt", ".dtd", ".js", ".html", ".css", ".toml", ".c")


def test_docs_and_code_cite_nothing_outside_the_repository() -> None:
    root = PACKAGE.parent
    folders = ("indiflask", "docs", "examples", "bench", "tests")
    offenders = []
    for folder in folders:
        for path in sorted((root / folder).rglob("*")):
            if not path.is_file() or path.suffix not in _OWN_TEXT or ".envs" in path.parts:
                continue
            if path.resolve() == Path(__file__).resolve() or "_build" in path.parts:
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
            offenders += [
                f"{path.relative_to(root)}: {name}" for name in _OUTSIDE_DOCUMENTS if name in text
            ]
    for top in ("README.md", "pyproject.toml"):
        text = (root / top).read_text(encoding="utf-8")
        offenders += [f"{top}: {name}" for name in _OUTSIDE_DOCUMENTS if name in text]
    assert offenders == []
