"""INDI numbers: parsing (decimal and sexagesimal), wire text, display formats and limits.

Three texts exist for every number member, and they must not be confused:

* the **wire text**, written by :func:`number_to_wire` at full precision: it
  parses back to exactly the same float;
* the **display text**, written by :func:`format_number` with the member's
  ``format`` (a printf conversion or INDI's sexagesimal ``%<w>.<f>m``);
* any **incoming text**, read by :func:`parse_number`, which accepts decimals,
  exponents and every sexagesimal form the protocol allows.

Sexagesimal parsing follows the INDI 1.7 text, not libindi's ``f_scansexa``:
``"-10 30.3"`` is -10.505 here (libindi deletes the space and reads -1030.3),
and ``"12h30m45s"`` is rejected (libindi reads 12.5125). ``nan`` and ``inf`` are
rejected: INDI has no spelling for them that every peer reads back.

``%m`` display follows libindi's ``numberFormat``/``fs_sexa`` byte for byte,
quirks included: a precision other than 9, 8, 6 or 5 selects the ``:mm``
layout; the ``0`` flag is read as part of the width; values in (-1, 0) print as
``-0``; nothing wraps at 24 h or 360°; when the width is smaller than the
precision the whole part is left-justified, as C's ``%*d`` does with a negative
width. Deliberate differences, all for formats or values where libindi's output
is undefined or useless:

* ``%.6m`` (no width) prints the whole part unpadded (``"1:30:00"``), where
  libindi prints the C library's ``strerror`` text;
* ``nan``/``inf`` print as ``nan``/``inf``/``-inf`` right-aligned in the width;
* whole parts beyond ±2\\ :sup:`31` print correctly (libindi's ``int`` wraps).

.. versionadded:: 0.1
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from functools import lru_cache

from ..errors import InvalidValue

__all__ = [
    "check_format",
    "check_range",
    "clamp",
    "format_number",
    "in_range",
    "number_to_wire",
    "parse_number",
]

#: The widest field (and largest precision) a format may ask for; libindi's buffer is 64 bytes.
MAX_FORMAT_WIDTH = 64

_SEPARATORS = re.compile(r"[ :;]+")
_COMPONENT = re.compile(r"[0-9]+(?:\.[0-9]*)?|\.[0-9]+")
_NONFINITE_WORDS = ("nan", "inf")


def parse_number(text: str) -> float:
    """Parse an INDI number: a decimal, an exponent form, or sexagesimal.

    Sexagesimal components are separated by runs of space, ``:`` or ``;``; each
    is a plain decimal (no sign, no exponent); missing trailing components are
    zero, and a leading ``+`` or ``-`` applies to the whole value. The result is
    the float nearest to the exact sum ``Σ component_i / 60**i``.

    >>> parse_number("12:30:15")
    12.504166666666666
    >>> parse_number("-0 30"), parse_number("12;30"), parse_number("5:30:")
    (-0.5, 12.5, 5.5)
    >>> parse_number("1e-06")
    1e-06

    :param text: the text, surrounding whitespace allowed.
    :returns: a finite float.
    :raises InvalidValue: for empty text, junk such as ``"abc"`` or
        ``"12h30m45s"``, ``nan``/``inf`` (INDI cannot carry them), and decimals
        too large for a float.

    .. versionadded:: 0.1
    """
    try:
        value = float(text)
    except (ValueError, TypeError):
        pass
    else:
        if math.isfinite(value) and "_" not in text and text.isascii():
            return value
        return _reject_decimal(text, value)
    return _parse_sexagesimal(text)


def _shown(text: object) -> str:
    """``text`` quoted for an error message, cut to its ends when it is long."""
    if isinstance(text, str) and len(text) > 40:
        return f"{text[:16]!r}...{text[-8:]!r} ({len(text)} characters)"
    return repr(text)


def _reject_decimal(text: str, value: float) -> float:
    """Raise the :class:`InvalidValue` for text ``float()`` accepted but INDI does not."""
    if math.isnan(value) or any(w in text.lower() for w in _NONFINITE_WORDS):
        raise InvalidValue(
            f"number {_shown(text)} is not finite; INDI numbers cannot be nan or inf"
        )
    if math.isinf(value):
        raise InvalidValue(f"number {_shown(text)} is too large for a float")
    raise InvalidValue(f"number {_shown(text)} is not a plain decimal (use ASCII digits, no '_')")


def _parse_sexagesimal(text: str) -> float:
    """Parse the sexagesimal forms (and report junk); see :func:`parse_number`."""
    if not isinstance(text, str):
        raise InvalidValue(f"number {text!r} is not text")
    body = text.strip()
    negative = body.startswith("-")
    if body[:1] in ("+", "-"):
        body = body[1:]
    parts = _SEPARATORS.split(body)
    if parts and parts[-1] == "":
        parts.pop()  # "5:30:" - a trailing separator adds nothing
    if not parts or not all(_COMPONENT.fullmatch(p) for p in parts):
        raise InvalidValue(
            f"{_shown(text)} is not a number "
            "(expected a decimal or sexagesimal such as '-10:30:18')"
        )
    # Exact sum as one fraction num/den; int / int rounds correctly to the nearest float.
    num, den = 0, 1
    try:
        for i, part in enumerate(parts):
            whole, _, frac = part.partition(".")
            scale = 10 ** len(frac) * 60**i
            num, den = num * scale + int(whole + frac) * den, den * scale
        value = num / den
    except (OverflowError, ValueError):  # ValueError: more digits than int() allows
        raise InvalidValue(f"number {_shown(text)} is too large for a float") from None
    return -value if negative else value


def number_to_wire(value: float) -> str:
    """Return the full-precision wire text for ``value``.

    The text is Python's shortest round-tripping ``repr``, with a trailing
    ``.0`` removed (``5.0`` is written ``"5"``, ``-0.0`` is ``"-0"``), so
    ``float(number_to_wire(v)) == v`` bit for bit. Exponent forms such as
    ``"1e-06"`` are valid INDI numbers and libindi reads them.

    >>> number_to_wire(5.0), number_to_wire(0.1), number_to_wire(1e-06)
    ('5', '0.1', '1e-06')

    :raises InvalidValue: for ``nan`` and ``inf``, which INDI cannot carry
        (libindi's parser would accept the text, but most clients would not).

    .. versionadded:: 0.1
    """
    value = float(value)
    if not math.isfinite(value):
        raise InvalidValue(f"cannot send {value!r}: INDI numbers must be finite")
    text = repr(value)
    return text[:-2] if text.endswith(".0") else text


# ---------------------------------------------------------------- display formats

_Formatter = Callable[[float], str]

_SEXA_FORMAT = re.compile(r"%(?P<width>[0-9]*)\.(?P<prec>[0-9]+)m")
_PRINTF_SPEC = re.compile(
    r"%(?:%|(?P<flags>[-+ #0']*)(?P<width>[0-9]*)(?:\.(?P<prec>[0-9]*))?"
    r"(?P<length>hh|ll|[hlLqjzt])?(?P<conv>[A-Za-z]))"
)
_FLOAT_CONVERSIONS = frozenset("eEfFgG")
_INT_CONVERSIONS = frozenset("di")

#: ``%<w>.<f>m`` precision -> units per whole (libindi's "fracbase"); others mean 60.
_FRACBASES = {9: 360000, 8: 36000, 6: 3600, 5: 600}


def format_number(value: float, fmt: str) -> str:
    """Format ``value`` for display with an INDI number format.

    ``fmt`` is either a printf conversion for a double (``%g``, ``%.3f``,
    ``%8.2f``, ``%e``, ``%E``, ``%G``, ``%F``, with flags ``-+ #0`` and literal
    text around it, ``%%`` for a percent sign) or INDI's sexagesimal
    ``%<w>.<f>m``. ``%d``/``%i`` (length modifiers such as ``%ld`` allowed)
    print the value rounded to the nearest integer, ties to even (C's printf
    would read garbage); ``nan``/``inf`` print as with ``%f``.

    >>> format_number(5.5034076, "%9.6m")
    '  5:30:12'
    >>> format_number(-0.5, "%6.3m"), format_number(12.5, "%.3f"), format_number(2.5, "%d")
    (' -0:30', '12.500', '2')

    The ``%m`` rules and where they differ from libindi are in the module
    documentation.

    :raises InvalidValue: when :func:`check_format` rejects ``fmt``.

    .. versionadded:: 0.1
    """
    return _compile(fmt)(float(value))


def check_format(fmt: str) -> None:
    """Check that :func:`format_number` can display numbers with ``fmt``.

    Use it at setup time: it accepts exactly the formats :func:`format_number`
    accepts.

    :raises InvalidValue: naming the problem, for example ``%s`` (not a number
        conversion), ``%m`` or ``%10m`` (no precision), ``%-10.6m`` (libindi
        prints garbage), text after ``%m`` (libindi drops it silently), a
        dangling ``%``, more than one conversion, or a field wider than 64.

    .. versionadded:: 0.1
    """
    _compile(fmt)


@lru_cache(maxsize=512)
def _compile(fmt: str) -> _Formatter:
    """Turn a format into a formatting function (cached; formats repeat)."""
    if not isinstance(fmt, str):
        raise InvalidValue(f"number format {fmt!r} is not a string")
    stripped = fmt.strip()
    sexa = _SEXA_FORMAT.match(stripped)
    if sexa is not None:
        if sexa.end() != len(stripped):
            raise InvalidValue(
                f"number format {fmt!r}: text after %m is dropped by libindi; remove it"
            )
        return _compile_sexa(fmt, sexa.group("width"), int(sexa.group("prec")))
    if re.match(r"%[-+ #0-9.]*m", stripped):
        raise InvalidValue(
            f"number format {fmt!r} is not a sexagesimal format; write %<width>.<precision>m,"
            " e.g. %10.6m"
        )
    return _compile_printf(fmt)


def _compile_sexa(fmt: str, width_text: str, prec: int) -> _Formatter:
    """Build the ``%<w>.<f>m`` formatter (``width_text`` empty for ``%.<f>m``)."""
    _check_width(fmt, int(width_text or 0), prec)
    fracbase = _FRACBASES.get(prec, 60)
    if not width_text:
        return lambda v: _sexa(v, None, fracbase, 0)
    width = int(width_text)
    return lambda v: _sexa(v, width - prec, fracbase, width)


def _sexa(value: float, whole_width: int | None, fracbase: int, width: int) -> str:
    """libindi's ``fs_sexa``: the whole part in ``whole_width`` columns, then the fraction."""
    if not math.isfinite(value):
        return f"{value!r:>{width}}"
    negative = value < 0
    n = int(abs(value) * fracbase + 0.5)  # the same double arithmetic as libindi
    whole, frac = divmod(n, fracbase)
    if whole_width is None:
        head = f"{'-' if negative else ''}{whole}"
    elif negative and whole == 0:
        head = " " * abs(whole_width - 2) + "-0"  # C: "%*s-0" with width w - 2
    else:
        digits = str(-whole if negative else whole)  # C: "%*d"; a negative width left-justifies
        head = digits.rjust(whole_width) if whole_width >= 0 else digits.ljust(-whole_width)
    if fracbase == 60:
        return f"{head}:{frac:02d}"
    if fracbase == 600:
        return f"{head}:{frac // 10:02d}.{frac % 10}"
    minutes, seconds = divmod(frac, fracbase // 60)
    if fracbase == 3600:
        return f"{head}:{minutes:02d}:{seconds:02d}"
    if fracbase == 36000:
        return f"{head}:{minutes:02d}:{seconds // 10:02d}.{seconds % 10}"
    return f"{head}:{minutes:02d}:{seconds // 100:02d}.{seconds % 100:02d}"


def _compile_printf(fmt: str) -> _Formatter:
    """Build a formatter for a printf format with exactly one number conversion."""
    found: list[re.Match[str]] = []
    pos = fmt.find("%")
    while pos != -1:
        spec = _PRINTF_SPEC.match(fmt, pos)
        if spec is None:
            raise InvalidValue(f"number format {fmt!r} has a '%' without a conversion")
        if spec.group("conv") is not None:
            found.append(spec)
        pos = fmt.find("%", spec.end())
    if len(found) != 1:
        raise InvalidValue(
            f"number format {fmt!r} must contain exactly one conversion such as %g or %.3f"
            f" (found {len(found)})"
        )
    spec = found[0]
    conv, flags = spec.group("conv"), spec.group("flags")
    if conv == "m":
        raise InvalidValue(f"number format {fmt!r}: %m must be the whole format, e.g. '%10.6m'")
    if conv not in _FLOAT_CONVERSIONS and conv not in _INT_CONVERSIONS:
        raise InvalidValue(
            f"number format {fmt!r}: %{conv} is not a number conversion (use %g, %f, %e or %m)"
        )
    if "'" in flags:
        raise InvalidValue(f"number format {fmt!r}: the ' (grouping) flag is not supported")
    width = int(spec.group("width") or 0)
    prec_text = spec.group("prec")
    _check_width(fmt, width, int(prec_text or 0))
    dot = "" if prec_text is None else "." + prec_text
    head, tail = fmt[: spec.start()], fmt[spec.end() :]
    pattern = f"{head}%{flags}{spec.group('width')}{dot}{conv}{tail}"
    if conv in _FLOAT_CONVERSIONS:
        return lambda v: pattern % v
    fallback = f"{head}%{flags}{spec.group('width')}f{tail}"

    def integer(v: float) -> str:
        return pattern % round(v) if math.isfinite(v) else fallback % v

    return integer


def _check_width(fmt: str, width: int, prec: int) -> None:
    """Reject fields wider (or more precise) than :data:`MAX_FORMAT_WIDTH`."""
    if width > MAX_FORMAT_WIDTH or prec > MAX_FORMAT_WIDTH:
        raise InvalidValue(
            f"number format {fmt!r} asks for more than {MAX_FORMAT_WIDTH} characters"
        )


# ---------------------------------------------------------------- limits


def in_range(value: float, minimum: float, maximum: float) -> bool:
    """Return whether ``value`` respects a number member's limits.

    INDI limits apply only when ``minimum < maximum``; otherwise (the usual
    ``min == max == 0``) every value is in range.

    >>> in_range(5, 0, 10), in_range(11, 0, 10), in_range(11, 0, 0)
    (True, False, True)

    .. versionadded:: 0.1
    """
    return not minimum < maximum or minimum <= value <= maximum


def check_range(value: float, minimum: float, maximum: float, *, name: str = "value") -> float:
    """Return ``value`` if :func:`in_range`, else raise.

    :param name: the member name used in the error message.
    :raises InvalidValue: ``"<name> = <value> is outside [<min>, <max>]"``.

    .. versionadded:: 0.1
    """
    if not in_range(value, minimum, maximum):
        raise InvalidValue(f"{name} = {value:g} is outside [{minimum:g}, {maximum:g}]")
    return value


def clamp(value: float, minimum: float, maximum: float) -> float:
    """Return ``value`` limited to ``[minimum, maximum]`` when ``minimum < maximum``.

    >>> clamp(12.0, 0.0, 10.0), clamp(-1.0, 0.0, 10.0), clamp(12.0, 0.0, 0.0)
    (10.0, 0.0, 12.0)

    .. versionadded:: 0.1
    """
    if not minimum < maximum:
        return value
    return min(max(value, minimum), maximum)
