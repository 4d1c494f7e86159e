"""Numbers: INDI's number rules (decimal, sexagesimal, libindi's %m formats), reference vectors."""

from __future__ import annotations

import ctypes
import math
import random
import struct
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from indiflask.errors import InvalidValue
from indiflask.protocol.numbers import (
    check_format,
    check_range,
    clamp,
    format_number,
    in_range,
    number_to_wire,
    parse_number,
)

# §8.1, every cell (plus the %010.6m, %9.5m and %4.0m columns of libindi_sexa_vectors.py).
FORMATS = ["%12.9m", "%11.8m", "%9.6m", "%8.5m", "%6.3m", "%10.6m", "%010.6m", "%9.5m", "%7.3m"]
TABLE_8_1 = {
    0.0: ["  0:00:00.00", "  0:00:00.0", "  0:00:00", "  0:00.0", "  0:00", "   0:00:00",
          "   0:00:00", "   0:00.0", "   0:00"],
    5.5034076: ["  5:30:12.27", "  5:30:12.3", "  5:30:12", "  5:30.2", "  5:30", "   5:30:12",
                "   5:30:12", "   5:30.2", "   5:30"],
    12.5: [" 12:30:00.00", " 12:30:00.0", " 12:30:00", " 12:30.0", " 12:30", "  12:30:00",
           "  12:30:00", "  12:30.0", "  12:30"],
    -10.505: ["-10:30:18.00", "-10:30:18.0", "-10:30:18", "-10:30.3", "-10:30", " -10:30:18",
              " -10:30:18", " -10:30.3", " -10:30"],
    -0.5: [" -0:30:00.00", " -0:30:00.0", " -0:30:00", " -0:30.0", " -0:30", "  -0:30:00",
           "  -0:30:00", "  -0:30.0", "  -0:30"],
    23.9999999: [" 24:00:00.00", " 24:00:00.0", " 24:00:00", " 24:00.0", " 24:00", "  24:00:00",
                 "  24:00:00", "  24:00.0", "  24:00"],
    359.999999: ["360:00:00.00", "360:00:00.0", "360:00:00", "360:00.0", "360:00", " 360:00:00",
                 " 360:00:00", " 360:00.0", " 360:00"],
    1234.5: ["1234:30:00.00", "1234:30:00.0", "1234:30:00", "1234:30.0", "1234:30", "1234:30:00",
             "1234:30:00", "1234:30.0", "1234:30"],
    0.0083333333: ["  0:00:30.00", "  0:00:30.0", "  0:00:30", "  0:00.5", "  0:00", "   0:00:30",
                   "   0:00:30", "   0:00.5", "   0:00"],
}  # fmt: skip
CELLS = [
    (value, fmt, text)
    for value, row in TABLE_8_1.items()
    for fmt, text in zip(FORMATS, row, strict=True)
]


@pytest.mark.parametrize(("value", "fmt", "expected"), CELLS)
def test_table_8_1(value: float, fmt: str, expected: str) -> None:
    assert format_number(value, fmt) == expected


@pytest.mark.parametrize("value", list(TABLE_8_1))
def test_zero_flag_is_width_and_unknown_precision_is_minutes(value: float) -> None:
    assert format_number(value, "%010.6m") == format_number(value, "%10.6m")
    # %4.0m: precision 0 -> ":mm", whole part in 4 - 0 columns, like %7.3m.
    assert format_number(value, "%4.0m") == format_number(value, "%7.3m")
    assert format_number(value, "%10.7m") == format_number(value, "%6.3m")


@pytest.mark.parametrize(
    ("value", "fmt", "expected"),
    [
        (-123.75, "%7.3m", "-123:45"),
        (-0.0001, "%6.3m", " -0:00"),  # (-1, 0) prints -0 even when it rounds to zero
        (-0.0, "%6.3m", "  0:00"),  # negative zero is not < 0 in C either
        (1.5, "%3.9m", "1     :30:00.00"),  # width < precision: C's %*d left-justifies
        (-0.5, "%3.9m", "        -0:30:00.00"),  # and "%*s-0" pads |w - 2|
        (-1.5, "%1.6m", "-1   :30:00"),
        (1.5, "%.6m", "1:30:00"),  # our choice: no width means no padding
        (-0.5, "%.3m", "-0:30"),
        (1.5, " %10.6m ", "   1:30:00"),  # libindi skips surrounding blanks
        (0.5 / 3600, "%9.6m", "  0:00:01"),  # round half up at the last digit
        (float("nan"), "%9.6m", "      nan"),
        (float("-inf"), "%6.3m", "  -inf"),
    ],
)
def test_sexagesimal_edges(value: float, fmt: str, expected: str) -> None:
    assert format_number(value, fmt) == expected


@pytest.mark.parametrize(
    ("value", "fmt", "expected"),
    [
        (12.5, "%g", "12.5"),
        (12.5, "%.3f", "12.500"),
        (12.5, "%8.2f", "   12.50"),
        (1234567.0, "%e", "1.234567e+06"),
        (1234567.0, "%E", "1.234567E+06"),
        (1e-10, "%G", "1E-10"),
        (41.27, "%6.2f C", " 41.27 C"),
        (50.0, "%.0f%%", "50%"),
        (2.5, "%d", "2"),  # nearest integer, ties to even
        (2.6, "%i", "3"),
        (-7.4, "%ld", "-7"),
        (5.0, "%05d", "00005"),
        (1.0, "%lf", "1.000000"),
        (float("nan"), "%5d", "  nan"),
        (0.1, "%.20g", "0.10000000000000000555"),
    ],
)
def test_printf_formats(value: float, fmt: str, expected: str) -> None:
    assert format_number(value, fmt) == expected


@pytest.mark.parametrize(
    ("fmt", "reason"),
    [
        ("%s", "not a number conversion"),
        ("%m", "not a sexagesimal format"),
        ("%10m", "not a sexagesimal format"),
        ("%-10.6m", "not a sexagesimal format"),
        ("%10.6m deg", "text after %m"),
        ("RA %10.6m", "%m must be the whole format"),
        ("abc", "exactly one conversion"),
        ("", "exactly one conversion"),
        ("%g and %g", "exactly one conversion"),
        ("%", "without a conversion"),
        ("%*d", "without a conversion"),
        ("%a", "not a number conversion"),
        ("%'.2f", "grouping"),
        ("%100f", "more than 64"),
        ("%.65m", "more than 64"),
    ],
)
def test_check_format_rejects(fmt: str, reason: str) -> None:
    with pytest.raises(InvalidValue, match=reason):
        check_format(fmt)
    with pytest.raises(InvalidValue):
        format_number(1.0, fmt)


@pytest.mark.parametrize("fmt", ["%g", "%.6f", "%010.6m", "%.6m", "T=%+.2e K", "%4.0m", "%5.d"])
def test_check_format_accepts(fmt: str) -> None:
    check_format(fmt)


# §8.2 "spec value" column, plus the brief's extra forms.
PARSE_OK = [
    ("12:30:00", 12.5),
    ("12:30", 12.5),
    ("12:30:00.5", float(Fraction(12) + Fraction(30, 60) + Fraction(1, 7200))),
    ("-10:30:18", -10.505),
    ("-10:30.3", -10.505),
    ("-10;30;18", -10.505),
    ("-10 30.3", -10.505),  # spec, not libindi (-1030.3)
    ("10 30 18", 10.505),  # spec, not libindi (103018)
    ("-10.505", -10.505),
    ("1e-06", 1e-06),
    ("-0:30", -0.5),
    ("-0 30", -0.5),
    ("+5:30", 5.5),
    ("12:60", 13.0),
    ("5:30:", 5.5),
    ("12:30:15", 12.504166666666666),
    ("12;30", 12.5),
    ("12::30", 12.5),  # a run of separators is one separator
    ("  7\n", 7.0),
    ("\n  -1:30:00  \n", -1.5),
    ("42", 42.0),
    (".5", 0.5),
]


@pytest.mark.parametrize(("text", "expected"), PARSE_OK)
def test_parse_spec_values(text: str, expected: float) -> None:
    assert parse_number(text) == expected


@pytest.mark.parametrize(
    "text",
    ["abc", "", "   ", "12h30m45s", ":30", "- 10", "1:-30", "12.5.3", "1e3:30", "0x10", "1_000",
     "١٢", "1,5", "+", "-", "12:ab"],
)  # fmt: skip
def test_parse_rejects_junk_naming_the_text(text: str) -> None:
    with pytest.raises(InvalidValue) as info:
        parse_number(text)
    assert repr(text) in str(info.value)


@pytest.mark.parametrize("text", ["nan", "NaN", "-nan", "inf", "-inf", "Infinity", "+INF"])
def test_parse_rejects_nan_and_inf(text: str) -> None:
    with pytest.raises(InvalidValue, match="cannot be nan or inf"):
        parse_number(text)


def test_parse_rejects_overflow() -> None:
    with pytest.raises(InvalidValue, match="too large"):
        parse_number("1e400")
    with pytest.raises(InvalidValue, match="too large"):
        parse_number("1" + "0" * 400 + ":30")


def test_parse_negative_zero_keeps_sign() -> None:
    assert math.copysign(1.0, parse_number("-0:00")) == -1.0


@pytest.mark.parametrize(
    ("value", "text"),
    [(5.0, "5"), (-0.0, "-0"), (0.1, "0.1"), (1e-06, "1e-06"), (1e16, "1e+16"), (-2.5, "-2.5")],
)
def test_number_to_wire_examples(value: float, text: str) -> None:
    assert number_to_wire(value) == text


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_number_to_wire_rejects_non_finite(value: float) -> None:
    with pytest.raises(InvalidValue, match="finite"):
        number_to_wire(value)


def _bits(value: float) -> bytes:
    return struct.pack("<d", value)


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_number_to_wire_round_trips_every_finite_float(value: float) -> None:
    text = number_to_wire(value)
    assert _bits(float(text)) == _bits(value)
    assert _bits(parse_number(text)) == _bits(value)


_FRACBASE = {9: 360000, 8: 36000, 6: 3600, 5: 600}


def _independent_sexa(value: float, width: int, prec: int, n: int) -> str:
    """fs_sexa written from the spec's table, for a given count ``n`` of smallest units."""
    base = _FRACBASE.get(prec, 60)
    degrees, rest = n // base, n % base
    sign = "-" if value < 0 else ""
    head = (sign + str(degrees)).rjust(width - prec)
    if base == 60:
        return f"{head}:{rest:02d}"
    if base == 600:
        return f"{head}:{rest // 10:02d}.{rest % 10:d}"
    minutes, seconds = divmod(rest, base // 60)
    digits = {3600: 0, 36000: 1, 360000: 2}[base]
    if digits == 0:
        return f"{head}:{minutes:02d}:{seconds:02d}"
    scale = 10**digits
    return f"{head}:{minutes:02d}:{seconds // scale:02d}.{seconds % scale:0{digits}d}"


@given(
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
    st.sampled_from([3, 5, 6, 8, 9, 0, 2, 7]),
    st.integers(min_value=0, max_value=8),
)
def test_sexagesimal_matches_independent_computation(value: float, prec: int, extra: int) -> None:
    width = prec + 2 + extra
    base = _FRACBASE.get(prec, 60)
    exact = Fraction(abs(value)) * base + Fraction(1, 2)  # round half up, in exact arithmetic
    n = math.floor(exact)
    allowed = {_independent_sexa(value, width, prec, n)}
    if abs(exact - round(exact)) <= exact * Fraction(1, 2**50):  # a tie blurred by doubles
        allowed.add(_independent_sexa(value, width, prec, round(exact) - 1))
        allowed.add(_independent_sexa(value, width, prec, round(exact)))
    assert format_number(value, f"%{width}.{prec}m") in allowed


@given(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False))
def test_parse_of_12_9m_is_within_one_unit(value: float) -> None:
    back = parse_number(format_number(value, "%12.9m"))
    assert abs(back - value) <= 1 / 360000


@given(
    st.booleans(),
    st.integers(min_value=0, max_value=400),
    st.integers(min_value=0, max_value=59),
    st.decimals(min_value=0, max_value=Decimal("59.999"), places=3),
)
def test_sexagesimal_parse_is_exact_sum(negative: bool, d: int, m: int, s: Decimal) -> None:
    text = f"{'-' if negative else ''}{d}:{m:02d}:{s}"
    exact = Fraction(d) + Fraction(m, 60) + Fraction(str(s)) / 3600
    assert parse_number(text) == float(-exact if negative else exact)


def test_limits() -> None:
    assert in_range(5.0, 0.0, 10.0)
    assert in_range(0.0, 0.0, 10.0) and in_range(10.0, 0.0, 10.0)
    assert not in_range(10.5, 0.0, 10.0)
    assert not in_range(-0.1, 0.0, 10.0)
    assert in_range(1e9, 0.0, 0.0)  # min == max: no limits
    assert in_range(1e9, 5.0, 5.0)
    assert clamp(11.0, 0.0, 10.0) == 10.0
    assert clamp(-1.0, 0.0, 10.0) == 0.0
    assert clamp(3.0, 0.0, 10.0) == 3.0
    assert clamp(11.0, 0.0, 0.0) == 11.0
    assert check_range(3.0, 0.0, 10.0, name="X") == 3.0
    with pytest.raises(InvalidValue, match=r"X = 11 is outside \[0, 10\]"):
        check_range(11.0, 0.0, 10.0, name="X")


# -------------------------------------------------------------- interop with libindi


def _libindi() -> ctypes.CDLL:
    try:
        lib = ctypes.CDLL("libindidriver.so.1")
    except OSError:
        pytest.skip("libindidriver.so.1 not installed (apt install indi-bin)")
    lib.numberFormat.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_double]
    lib.numberFormat.restype = ctypes.c_int
    lib.f_scansexa.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_double)]
    lib.f_scansexa.restype = ctypes.c_int
    return lib


def _libindi_format(lib: ctypes.CDLL, fmt: str, value: float) -> str:
    buf = ctypes.create_string_buffer(256)
    lib.numberFormat(buf, fmt.encode(), value)
    return buf.value.decode()


INTEROP_FORMATS = [
    *FORMATS, "%4.0m", "%6.2m", "%12.7m", "%3.9m", "%1.6m", "%20.12m", "%13.9m",
    "%g", "%.3f", "%8.2f", "%e", "%E", "%G", "%.20g", "%+.4e", "%#g", "%-10.3f", "%010.4f",
    "%.0f", "% .2f", "%6.2f C", "%.1f%%", "%.15g",
]  # fmt: skip


def _interesting_values(rng: random.Random) -> list[float]:
    values = [0.0, -0.0, 0.5, -0.5, 1e-9, -1e-9, 23.9999999, 359.999999, -89.99999]
    for _ in range(400):
        values.append(rng.uniform(-400.0, 400.0))
        values.append(rng.uniform(-1.0, 1.0))
        values.append(rng.uniform(-1e6, 1e6))
        # exactly half a unit of some layout: the rounding edge
        base = rng.choice([60, 600, 3600, 36000, 360000])
        values.append(rng.choice([-1, 1]) * (rng.randrange(0, 400 * base) + 0.5) / base)
    return values


@pytest.mark.interop
def test_format_number_matches_libindi_number_format() -> None:
    lib = _libindi()
    rng = random.Random(20261124)
    mismatches = []
    for value in _interesting_values(rng):
        for fmt in INTEROP_FORMATS:
            ours, theirs = format_number(value, fmt), _libindi_format(lib, fmt, value)
            if ours != theirs:
                mismatches.append((value, fmt, ours, theirs))
    assert mismatches == []


@pytest.mark.interop
def test_parse_number_matches_libindi_where_the_spec_agrees() -> None:
    lib = _libindi()
    rng = random.Random(7)
    for _ in range(2000):
        sign = rng.choice(["", "-", "+"])
        sep = rng.choice([":", ";"])
        d, m = rng.randrange(0, 360), rng.randrange(0, 60)
        s = round(rng.uniform(0, 60), rng.randrange(0, 4))
        text = f"{sign}{d}{sep}{m}{sep}{s}"
        result = ctypes.c_double()
        assert lib.f_scansexa(text.encode(), ctypes.byref(result)) == 0
        assert parse_number(text) == pytest.approx(result.value, rel=1e-15, abs=1e-15), text
