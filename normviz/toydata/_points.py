"""Parse a user's CSV of labelled 2D points (re-exported by :mod:`normviz.toydata`)."""

from __future__ import annotations

import csv
import io
import math

import numpy as np

from normviz.toydata._dataset import MAX_SAMPLES, MIN_SAMPLES, Dataset

MIN_ROWS = MIN_SAMPLES  # a CSV's rows are a dataset's points: the same limits
MAX_ROWS = MAX_SAMPLES
MAX_BYTES = 1_000_000


class PointsError(ValueError):
    """A points file the lab cannot use, with a message fit to show a user as is."""


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _columns(header: list[str], line: int) -> tuple[int, int, int]:
    names = [h.strip().lower() for h in header]
    if all(n in names for n in ("x", "y", "label")):
        return names.index("x"), names.index("y"), names.index("label")
    if len(names) == 3:
        return 0, 1, 2
    raise PointsError(
        f"line {line}: the header must name the columns x, y, label "
        f"(got {', '.join(h.strip() for h in header)})"
    )


def _number(text: str, what: str, line: int) -> float:
    try:
        value = float(text)
    except ValueError:
        raise PointsError(f"line {line}: {what} is not a number (got {text.strip()!r})") from None
    if not math.isfinite(value):
        raise PointsError(f"line {line}: {what} must be a finite number (got {text.strip()!r})")
    return value


def _label_order(labels: list[str]) -> list[str]:
    if all(_is_number(v) for v in labels):
        return sorted(labels, key=float)
    return sorted(labels)


def _scale(values: np.ndarray) -> np.ndarray:
    lo, hi = values.min(axis=0), values.max(axis=0)
    half = (hi - lo) / 2.0
    safe = np.where(half > 0, half, 1.0)
    return ((values - (lo + hi) / 2.0) / safe).astype(np.float32)


def parse_points_csv(data: bytes | str) -> Dataset:
    r"""Return the labelled points of a CSV file, scaled into ``[-1, 1]`` per axis.

    The file has three comma-separated columns ``x, y, label``; a header line is optional (it
    is recognised when its first two fields are not numbers; if it names ``x``, ``y`` and
    ``label`` those columns are used in any order, otherwise a 3-column header is read
    positionally). Blank lines are skipped. Labels may be any two distinct strings; they map to
    0 and 1 in sorted order (numeric order when both are numbers, so ``"2" -> 0, "10" -> 1``).

    Each axis is min-max scaled independently onto ``[-1, 1]``: ``(v - mid) / half_range``; an
    axis whose values are all equal maps to 0. This matches the range of the generators in
    :mod:`normviz.toydata`, so the lab's boundary grid and learning rates behave the same.

    Parameters
    ----------
    data : bytes or str
        The file's content (bytes are decoded as UTF-8, a BOM is allowed), at most 1 MB.

    Returns
    -------
    Dataset
        ``x`` (N, 2) float32 in ``[-1, 1]``, ``y`` (N,) int64 in ``{0, 1}``, name ``"uploaded"``.

    Raises
    ------
    PointsError
        Not text, fewer than 10 or more than 5000 rows, a non-number or non-finite coordinate,
        a wrong number of columns, more or fewer than two classes, a class of a single point;
        each message gives the line where there is one.
    TypeError
        ``data`` neither bytes nor str.

    Examples
    --------
    >>> text = "x,y,label\n" + "".join(f"{i},{i % 3},{'ab'[i % 2]}\n" for i in range(10))
    >>> d = parse_points_csv(text)
    >>> d.x[:, 0].min(), d.x[:, 0].max(), d.y[:4].tolist()
    (np.float32(-1.0), np.float32(1.0), [0, 1, 0, 1])
    >>> parse_points_csv("x,y,label\n1,2,a\n1,oops,b")
    Traceback (most recent call last):
    ...
    normviz.toydata._points.PointsError: line 3: y is not a number (got 'oops')
    """
    if isinstance(data, bytes | bytearray):
        if len(data) > MAX_BYTES:
            raise PointsError(f"the file is too large: at most 1 MB (got {len(data):,} bytes)")
        try:
            data = bytes(data).decode("utf-8-sig")
        except UnicodeDecodeError:
            raise PointsError("the file is not UTF-8 text: upload a .csv text file") from None
    elif not isinstance(data, str):
        raise TypeError(f"data must be bytes or str (got {type(data).__name__})")
    elif len(data) > MAX_BYTES:
        raise PointsError(f"the file is too large: at most 1 MB (got {len(data):,} characters)")

    cols: tuple[int, int, int] | None = None
    width = 3
    xs: list[tuple[float, float]] = []
    raw_labels: list[str] = []
    seen: dict[str, int] = {}
    for line, row in enumerate(csv.reader(io.StringIO(data.lstrip("\ufeff"))), start=1):
        if not row or all(not f.strip() for f in row):
            continue
        if cols is None:
            if len(row) >= 2 and not (_is_number(row[0]) and _is_number(row[1])):
                cols, width = _columns(row, line), len(row)
                continue
            cols = (0, 1, 2)
        if len(row) != width:
            raise PointsError(
                f"line {line}: expected {width} comma-separated values (got {len(row)})"
            )
        if len(xs) >= MAX_ROWS:
            raise PointsError(f"line {line}: too many points, at most {MAX_ROWS} rows allowed")
        ix, iy, il = cols
        xs.append((_number(row[ix], "x", line), _number(row[iy], "y", line)))
        label = row[il].strip()
        if not label:
            raise PointsError(f"line {line}: the label is empty")
        if label not in seen:
            if len(seen) == 2:
                raise PointsError(
                    f"line {line}: a third class {label!r}; the lab needs exactly two "
                    f"(already have {', '.join(repr(k) for k in seen)})"
                )
            seen[label] = line
        raw_labels.append(label)

    if len(xs) < MIN_ROWS:
        raise PointsError(f"too few points: at least {MIN_ROWS} rows needed (got {len(xs)})")
    if len(seen) < 2:
        raise PointsError(
            f"only one class ({next(iter(seen))!r}): the lab needs points of two classes"
        )
    order = _label_order(list(seen))
    y = np.array([order.index(v) for v in raw_labels], dtype=np.int64)
    for label, name in enumerate(order):
        if (y == label).sum() < 2:
            raise PointsError(
                f"class {name!r} has only 1 point (line {seen[name]}): each class needs at least "
                "2, one to train on and one to test on"
            )
    return Dataset(_scale(np.array(xs, dtype=np.float64)), y, "uploaded")
