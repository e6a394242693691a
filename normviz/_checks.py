"""Shared validation with uniform wording.

Every user-facing problem with an uploaded file is an :class:`ImageError`, whose message a page
can show as is: it names the problem and says what to do. Programming errors (bad shapes, bad
arguments) are ``ValueError`` / ``TypeError`` with messages that say what was expected and what
was received.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np


class ImageError(ValueError):
    """An image the app cannot take, with a message fit to show a user as is."""


def check_ndim(x_ndim: int, allowed: Iterable[int], what: str) -> None:
    """Raise ``ValueError`` unless ``x_ndim`` is one of ``allowed``.

    Examples
    --------
    >>> check_ndim(3, (2, 3), "image")
    >>> check_ndim(4, (2, 3), "image")
    Traceback (most recent call last):
    ...
    ValueError: expected a 2D or 3D image (got 4D)
    """
    allowed = tuple(allowed)
    if x_ndim not in allowed:
        names = " or ".join(f"{n}D" for n in allowed)
        raise ValueError(f"expected a {names} {what} (got {x_ndim}D)")


def check_range(value: float, lo: float, hi: float, name: str) -> None:
    """Raise ``ValueError`` unless ``lo <= value <= hi``.

    Examples
    --------
    >>> check_range(0.5, 0.0, 1.0, "dropout")
    >>> check_range(1.5, 0.0, 1.0, "dropout")
    Traceback (most recent call last):
    ...
    ValueError: dropout must be in [0.0, 1.0] (got 1.5)
    """
    if not (lo <= value <= hi):
        raise ValueError(f"{name} must be in [{lo}, {hi}] (got {value})")


def check_choice(value: str, choices: Iterable[str], name: str) -> None:
    """Raise ``ValueError`` unless ``value`` is one of ``choices``.

    Examples
    --------
    >>> check_choice("batch", ("batch", "layer"), "kind")
    >>> check_choice("bath", ("batch", "layer"), "kind")
    Traceback (most recent call last):
    ...
    ValueError: kind must be one of 'batch', 'layer' (got 'bath')
    """
    choices = tuple(choices)
    if value not in choices:
        listed = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{name} must be one of {listed} (got {value!r})")


def is_int(value: object) -> bool:
    """Return True for a Python or NumPy integer, False for ``bool`` and everything else.

    Examples
    --------
    >>> import numpy as np
    >>> is_int(3), is_int(np.int64(3)), is_int(True), is_int(3.0)
    (True, True, False, False)
    """
    return isinstance(value, int | np.integer) and not isinstance(value, bool | np.bool_)


def is_real(value: object) -> bool:
    """Return True for an int or float (Python or NumPy), False for ``bool`` and everything else.

    Examples
    --------
    >>> import numpy as np
    >>> is_real(0.5), is_real(2), is_real(np.float32(1)), is_real(False), is_real("1")
    (True, True, True, False, False)
    """
    return is_int(value) or isinstance(value, float | np.floating)


def check_int(value: object, name: str, lo: int | None = None, hi: int | None = None) -> None:
    """Raise ``TypeError`` unless ``value`` is an integer, ``ValueError`` unless in [lo, hi].

    Either bound may be ``None`` (unbounded on that side).

    Examples
    --------
    >>> check_int(4, "batch_size", 1)
    >>> check_int(True, "batch_size", 1)
    Traceback (most recent call last):
    ...
    TypeError: batch_size must be an int (got bool)
    >>> check_int(0, "batch_size", 1)
    Traceback (most recent call last):
    ...
    ValueError: batch_size must be >= 1 (got 0)
    >>> check_int(9, "groups", 1, 8)
    Traceback (most recent call last):
    ...
    ValueError: groups must be in [1, 8] (got 9)
    """
    if not is_int(value):
        raise TypeError(f"{name} must be an int (got {type(value).__name__})")
    _check_bounds(value, name, lo, hi)  # type: ignore[arg-type]


def check_real(value: object, name: str, lo: float | None = None, hi: float | None = None) -> None:
    """Raise ``TypeError`` unless ``value`` is a finite real, ``ValueError`` unless in [lo, hi].

    Examples
    --------
    >>> check_real(0.15, "noise", 0.0, 1.0)
    >>> check_real("0.1", "noise", 0.0, 1.0)
    Traceback (most recent call last):
    ...
    TypeError: noise must be a number (got str)
    >>> check_real(float("nan"), "noise", 0.0, 1.0)
    Traceback (most recent call last):
    ...
    ValueError: noise must be a finite number (got nan)
    """
    if not is_real(value):
        raise TypeError(f"{name} must be a number (got {type(value).__name__})")
    if not math.isfinite(value):  # type: ignore[arg-type]
        raise ValueError(f"{name} must be a finite number (got {value})")
    _check_bounds(value, name, lo, hi)  # type: ignore[arg-type]


def _check_bounds(value: float, name: str, lo: float | None, hi: float | None) -> None:
    if lo is not None and hi is not None:
        check_range(value, lo, hi, name)
    elif lo is not None and value < lo:
        raise ValueError(f"{name} must be >= {lo} (got {value})")
    elif hi is not None and value > hi:
        raise ValueError(f"{name} must be <= {hi} (got {value})")
