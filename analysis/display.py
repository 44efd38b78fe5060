"""Rounding and Vietnamese number formatting for display (METHODOLOGY §3, "Rounding").

Numbers are computed at full precision and rounded only here, half-up (83.945 → 83.95),
not with Python's round-half-to-even and not on the binary float's exact value.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

#: Shown for an undefined value (METHODOLOGY §3: "—", never 0).
MISSING = "—"


def _decimal(value: float) -> Decimal | None:
    """The decimal a person reads for ``value``; None for NaN/None/inf.

    ``repr`` gives the shortest decimal that round-trips (83.945, not
    83.9449999999999932…); fixing it to 9 decimals first absorbs arithmetic noise such
    as 83.94499999999999 from ``100 * s / n`` so that half-up acts on the intended value.
    """
    if value is None:
        return None
    number = float(value)
    if not math.isfinite(number):
        return None
    return Decimal(repr(number)).quantize(Decimal("1e-9"), rounding=ROUND_HALF_EVEN)


def round_half_up(value: float, decimals: int = 2) -> float:
    """Round half away from zero at ``decimals`` places: 83.945 → 83.95, 2.5 → 3; NaN stays NaN.

    Examples
    --------
    >>> round_half_up(83.945)
    83.95
    >>> round_half_up(0.125)
    0.13
    """
    exact = _decimal(value)
    if exact is None:
        return math.nan
    return float(exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP))


def format_number(value: float, decimals: int = 2, thousands: bool = True) -> str:
    """Vietnamese format: decimal comma, dot between thousands; "—" when undefined.

    Examples
    --------
    >>> format_number(83.945)
    '83,95'
    >>> format_number(1234567.891)
    '1.234.567,89'
    >>> format_number(float("nan"))
    '—'
    """
    exact = _decimal(value)
    if exact is None:
        return MISSING
    rounded = exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    text = f"{abs(rounded):,.{decimals}f}" if thousands else f"{abs(rounded):.{decimals}f}"
    text = text.replace(",", " ").replace(".", ",").replace(" ", ".")
    return f"-{text}" if rounded < 0 else text


def format_percent(value: float, decimals: int = 2) -> str:
    """An index in percent for display: 83.94 → "83,94%"; "—" when undefined."""
    text = format_number(value, decimals)
    return text if text == MISSING else f"{text}%"
