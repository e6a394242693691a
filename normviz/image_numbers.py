"""How the image lesson writes a number: one format for formulas, captions and alt texts."""

from __future__ import annotations

import numpy as np

__all__ = ["num"]


def num(v: float) -> str:
    """Return ``v`` as shown on the page, never in exponent notation (LaTeX-safe).

    Integers exactly, ``|v| >= 1000`` rounded to an integer, else 4 significant digits.

    Examples
    --------
    >>> num(255.0), num(74.0805), num(12345.67), num(0.000123456), num(-0.5)
    ('255', '74.08', '12346', '0.0001235', '-0.5')
    """
    v = float(v)
    if v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    if abs(v) >= 1000:
        return str(round(v))
    return np.format_float_positional(v, precision=4, unique=False, fractional=False, trim="-")
