"""Developer sessions: ``nox`` runs the default set, ``nox -s NAME`` one of them.

============  ==========================================================
session       what it checks
============  ==========================================================
``tests``     the whole pytest suite (interop tests included; they skip
              themselves when libindi is not installed), Python 3.11-3.13
``lint``      ``ruff check`` and ``ruff format --check``
``typing``    ``mypy --strict`` on the package (and ``tests/typing``)
``docs``      Sphinx with warnings as errors, then the docs' doctests
``style``     house rules: sans-IO imports, module size, docstrings
``fuzz``      the fuzz tests (``tests/fuzz``, or tests marked ``fuzz``)
``interop``   only the tests marked ``interop`` (real libindi peers)
============  ==========================================================

Arguments after ``--`` go to the tool, e.g. ``nox -s tests -- -k numbers -x``.
"""

from __future__ import annotations

from pathlib import Path

import nox

nox.options.sessions = ["tests", "lint", "typing", "docs", "style"]
nox.options.reuse_existing_virtualenvs = True

ROOT = Path(__file__).parent
PYTHONS = ["3.11", "3.12", "3.13"]


def _install(session: nox.Session) -> None:
    """Install indiflask in editable mode with the development extras."""
    session.install("-e", ".[dev]")


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """Run the whole test suite."""
    _install(session)
    session.run("pytest", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """Lint and check formatting with ruff."""
    _install(session)
    session.run("ruff", "check", *session.posargs)
    session.run("ruff", "format", "--check", *session.posargs)


@nox.session
def typing(session: nox.Session) -> None:
    """Type-check the package (and the user-style files in tests/typing) strictly."""
    _install(session)
    targets = ["indiflask"]
    if (ROOT / "tests" / "typing").is_dir():
        targets.append("tests/typing")
    session.run("mypy", "--strict", *targets, *session.posargs)


@nox.session
def docs(session: nox.Session) -> None:
    """Build the HTML docs with warnings as errors, then run their doctest snippets."""
    _install(session)
    session.run("sphinx-build", "-W", "-b", "html", "docs", "docs/_build/html", *session.posargs)
    session.run("sphinx-build", "-W", "-b", "doctest", "docs", "docs/_build/doctest")


@nox.session
def style(session: nox.Session) -> None:
    """Check the house rules that are enforced by tests/test_house_style.py."""
    _install(session)
    session.run("pytest", "tests/test_house_style.py", *session.posargs)


@nox.session
def fuzz(session: nox.Session) -> None:
    """Run the (short) fuzz tests."""
    _install(session)
    if (ROOT / "tests" / "fuzz").is_dir():
        session.run("pytest", "tests/fuzz", *session.posargs)
    else:
        # exit code 5 means "no tests collected": nothing is marked fuzz yet
        session.run("pytest", "-m", "fuzz", *session.posargs, success_codes=[0, 5])


@nox.session
def interop(session: nox.Session) -> None:
    """Run only the tests that talk to the real libindi (Debian's indi-bin)."""
    _install(session)
    session.run("pytest", "-m", "interop", *session.posargs)
