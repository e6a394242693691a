"""Shared validation with uniform wording.

Every user-facing problem with an uploaded file is an :class:`ImageError`, whose message a page
can show as is: it names the problem and says what to do. Programming errors (bad shapes, bad
arguments) are ``ValueError`` / ``TypeError`` with messages that say what was expected and what
was received.
"""

from __future__ import annotations

from collections.abc import Iterable


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
