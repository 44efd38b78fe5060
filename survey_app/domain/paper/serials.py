"""Paper-sheet serials: 8 digits, the last a Damm check digit, so typos are caught on entry.

The Damm algorithm detects every single-digit error and every swap of two adjacent
digits (H. M. Damm, "Total anti-symmetrische Quasigruppen", 2004). Digits only, because
sheets are typed back on a numeric keypad.
"""

from __future__ import annotations

import secrets

# The order-10 weakly totally anti-symmetric quasigroup from Damm's thesis.
_DAMM = (
    (0, 3, 1, 7, 5, 9, 8, 6, 4, 2),
    (7, 0, 9, 2, 1, 5, 4, 8, 6, 3),
    (4, 2, 0, 6, 8, 7, 1, 3, 5, 9),
    (1, 7, 5, 0, 9, 8, 3, 4, 2, 6),
    (6, 1, 2, 3, 0, 4, 5, 9, 7, 8),
    (3, 6, 7, 4, 2, 0, 9, 5, 8, 1),
    (5, 8, 6, 9, 7, 2, 0, 1, 3, 4),
    (8, 9, 4, 5, 3, 6, 2, 0, 1, 7),
    (9, 4, 3, 8, 6, 1, 7, 2, 0, 5),
    (2, 5, 8, 1, 4, 3, 6, 7, 9, 0),
)
SERIAL_LENGTH = 8


def damm_digit(digits: str) -> str:
    """The check digit that makes ``digits`` + it validate."""
    interim = 0
    for digit in digits:
        interim = _DAMM[interim][int(digit)]
    return str(interim)


def new_serial() -> str:
    """A random serial (7 random digits + check digit); uniqueness is the database's job."""
    body = f"{secrets.randbelow(10**7):07d}"
    return body + damm_digit(body)


def normalise_serial(typed: str) -> str:
    """What was typed, without spaces or dashes ("1234-5678" → "12345678")."""
    return "".join(ch for ch in typed if ch not in " -.\t")


def is_valid_serial(serial: str) -> bool:
    """Eight ASCII digits whose Damm check passes."""
    return (len(serial) == SERIAL_LENGTH and serial.isascii() and serial.isdigit()
            and damm_digit(serial) == "0")


def display_serial(serial: str) -> str:
    """How a serial is printed: "1234-5678"."""
    return f"{serial[:4]}-{serial[4:]}"
