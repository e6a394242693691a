"""A Plotly figure held as its finished JSON-ready dict: built in microseconds, sent as is.

Plotly's object model (``go.Figure`` and its validators) costs far more than the numbers of a
small figure: building the lab's four figures and turning them into JSON the way
``st.plotly_chart`` does took ~10 ms of pure Python a tick, 40 % of a live tick's server time,
and a server runs one Python thread at a time. :class:`FigureSpec` skips all of it. It is a
``go.Figure`` subclass (so ``st.plotly_chart`` accepts it and reads it through :meth:`to_dict`,
with no validation pass) that stores the plain dict Plotly's ``to_dict`` would have returned,
with NumPy arrays already in plotly.js's base64 typed-array form.

The price is that nothing checks the dict while it is built. The tests do: every builder's
output is rebuilt through ``go.Figure(spec.to_dict())`` (full validation) and must serialize to
exactly the same JSON. Reading ``data``, ``layout`` or ``frames`` (or any other public attribute)
is refused with a clear error (:class:`FigureSpecError`): a ``go.Figure``'s ``update_layout`` or
``layout.title = ...`` would change a copy while Streamlit sends the old dict. Read the dict with
:meth:`~FigureSpec.to_dict`, or ask :meth:`~FigureSpec.full` for a new, validated ``go.Figure``.

Use it only where it pays: a figure rebuilt many times a second, or a large animated one that
is cached and sent again on every rerun (sending the layers lesson's running-statistics
animation costs ~1 ms as a spec and ~140 ms as a ``go.Figure``, which Streamlit deep-copies
through ``to_dict`` each time). Everywhere else a plain ``go.Figure`` is simpler.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import numpy as np
import plotly.graph_objects as go

_TYPED = {
    np.dtype(name): short
    for name, short in [
        ("int8", "i1"),
        ("uint8", "u1"),
        ("int16", "i2"),
        ("uint16", "u2"),
        ("int32", "i4"),
        ("uint32", "u4"),
        ("float32", "f4"),
        ("float64", "f8"),
    ]
}
"""NumPy dtypes that plotly.js reads as typed arrays, and their plotly.js names."""

_NARROWER_INTS = [(t, np.iinfo(t)) for t in (np.int8, np.int16, np.int32)]
"""Where Plotly narrows an int64 array (plotly.js has no 64-bit integer arrays)."""

_SKIPPED_KEYS = frozenset({"geojson", "layer", "layers", "range"})
"""Keys whose arrays Plotly itself never encodes as typed arrays (axis ranges among them)."""


def typed_array(values: np.ndarray) -> dict[str, str] | list:
    """Return ``values`` the way Plotly's ``to_dict`` sends an array to plotly.js.

    A numeric array becomes ``{"dtype", "bdata"[, "shape"]}`` with its bytes in base64 (int64
    narrowed to the smallest int type that holds it, as Plotly does); anything else, and an
    empty array, becomes a list.

    Examples
    --------
    >>> typed_array(np.array([1, 2], dtype=np.uint8))
    {'dtype': 'u1', 'bdata': 'AQI='}
    >>> typed_array(np.zeros((2, 3), dtype=np.float32))["shape"]
    '2, 3'
    >>> typed_array(np.array([300, -1]))["dtype"]
    'i2'
    >>> typed_array(np.array(["a", "b"]))
    ['a', 'b']
    """
    values = np.asarray(values)
    if values.dtype == np.int64 and values.size:
        low, high = values.min(), values.max()
        for narrow, info in _NARROWER_INTS:
            if info.min <= low and high <= info.max:
                values = values.astype(narrow)
                break
    name = _TYPED.get(values.dtype)
    if name is None or values.size == 0:
        return values.tolist()
    spec = {"dtype": name, "bdata": base64.b64encode(np.ascontiguousarray(values)).decode("ascii")}
    if values.ndim > 1:
        spec["shape"] = str(values.shape)[1:-1]
    return spec


_CONTAINERS = (dict, list, tuple, np.ndarray)
"""Item types that make :func:`_encode` walk a list (its first item decides)."""


def _encode(value: Any, key: str = "") -> Any:
    """Copy ``value`` with every NumPy array in typed-array form (Plotly's own rules).

    Lists are walked only when they hold containers (traces, annotations, frames): a list of
    plain numbers or strings is sent as it is, without a Python loop over its items.
    """
    if isinstance(value, dict):
        return {k: _encode(v, k) for k, v in value.items()}
    if isinstance(value, np.ndarray):
        return value.tolist() if key in _SKIPPED_KEYS else typed_array(value)
    if isinstance(value, list | tuple):
        if value and isinstance(value[0], _CONTAINERS):
            return [_encode(v) for v in value]
        return [v.item() if isinstance(v, np.generic) else v for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def _decode(value: Any) -> Any:
    """Copy ``value`` with every typed-array dict back as a NumPy array (inverse of _encode)."""
    if isinstance(value, dict):
        if "bdata" in value and "dtype" in value:
            flat = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
            shape = value.get("shape")
            return flat.reshape([int(n) for n in shape.split(",")]) if shape else flat
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


_SAFE = frozenset({"to_dict", "to_plotly_json", "full", "from_dict", "from_figure", "_spec"})
"""The only names a :class:`FigureSpec` answers (besides Python's own ``__dunder__`` names)."""


class FigureSpecError(AttributeError):
    """Raised on any use of a :class:`FigureSpec` that could change it or read Plotly's objects.

    An ``AttributeError``, as for a name an object does not have; its message says what to use.
    """


def _refuse(name: str) -> FigureSpecError:
    return FigureSpecError(
        f"a FigureSpec is a finished, read-only figure: it has no {name!r}. Use .to_dict() to "
        "read its JSON-ready dict, or .full() for a new, validated go.Figure to read or modify "
        "(changing that figure does not change this spec)"
    )


class FigureSpec(go.Figure):
    """A finished, read-only Plotly figure: ``{"data": [...], "layout": {...}[, "frames"]}``.

    It answers only :meth:`to_dict` (what ``st.plotly_chart`` reads), :meth:`to_plotly_json` and
    :meth:`full`; every other attribute or item of ``go.Figure`` (``update_layout``,
    ``add_trace``, ``layout``, ``data``, ``fig["layout"]``, assignment...) raises
    :class:`FigureSpecError`, so no change can be lost silently while the old dict is sent.

    Parameters
    ----------
    data : list of dict
        Traces as Plotly dicts (``{"type": "scatter", "x": array, ...}``); NumPy arrays are
        encoded once, here.
    layout : dict
        The layout dict. Set ``"template": {}`` for Plotly's ``template="none"`` (a validated
        figure would otherwise pull in the default template).
    frames : list of dict, optional
        Animation frames (``{"name": ..., "data": [...], "layout": {...}}``).

    Examples
    --------
    >>> spec = FigureSpec([{"type": "scatter", "x": [0, 1], "y": [1, 2]}], {"height": 200})
    >>> spec.to_dict()["layout"]["height"]
    200
    >>> spec.full().layout.height
    200
    >>> spec.update_layout(height=300)
    Traceback (most recent call last):
    ...
    normviz.figures._spec.FigureSpecError: a FigureSpec is a finished, read-only figure: it has no 'update_layout'. Use .to_dict() to read its JSON-ready dict, or .full() for a new, validated go.Figure to read or modify (changing that figure does not change this spec)
    """  # noqa: E501

    def __init__(
        self,
        data: list[dict[str, Any]],
        layout: dict[str, Any],
        frames: list[dict[str, Any]] | None = None,
    ) -> None:
        # No super().__init__(): Plotly's object tree is exactly what this class avoids.
        spec: dict[str, Any] = {"data": _encode(data), "layout": _encode(layout)}
        if frames:
            spec["frames"] = _encode(frames)
        object.__setattr__(self, "_spec", spec)

    @classmethod
    def from_dict(cls, spec: dict[str, Any]) -> FigureSpec:
        """Wrap a dict already in :meth:`to_dict` form (no copy, no encoding)."""
        fig = cls.__new__(cls)
        object.__setattr__(fig, "_spec", spec)
        return fig

    @classmethod
    def from_figure(cls, figure: go.Figure) -> FigureSpec:
        """Freeze a finished ``go.Figure`` (validated once, here) into a spec.

        For figures that are built once and sent many times (cached animations): Streamlit
        then skips Plotly's deep copy and array conversion of the whole figure on every rerun.
        """
        return cls.from_dict(figure.to_dict())

    def __getattribute__(self, name: str) -> Any:
        # Every name of go.Figure (update_layout, layout, data, add_trace...) would act on an
        # object this class does not have, or on a copy Streamlit never sends: refuse them all.
        if name in _SAFE or name.startswith("__"):
            return object.__getattribute__(self, name)
        raise _refuse(name)

    def __setattr__(self, name: str, value: Any) -> None:
        raise _refuse(name)

    def __delattr__(self, name: str) -> None:
        raise _refuse(name)

    def __getitem__(self, prop: str) -> Any:
        raise _refuse(f"[{prop!r}]")

    def __setitem__(self, prop: str, value: Any) -> None:
        raise _refuse(f"[{prop!r}]")

    def __contains__(self, prop: str) -> bool:
        raise _refuse("__contains__")

    def __iter__(self) -> Any:
        raise _refuse("__iter__")

    def __reduce__(self) -> tuple:
        # Pickling and deepcopy: Plotly's own __reduce__ reads state this class does not have.
        return (FigureSpec.from_dict, (self._spec,))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FigureSpec):
            return NotImplemented
        return _json(self._spec) == _json(other._spec)

    __hash__ = None  # type: ignore[assignment]  # equal by content, like go.Figure

    def to_dict(self) -> dict[str, Any]:
        """Return the figure as Plotly's ``to_dict`` returns it (shared, do not modify)."""
        return self._spec

    def to_plotly_json(self) -> dict[str, Any]:
        """Return the same as :meth:`to_dict` (what Plotly's JSON encoder asks a figure for)."""
        return self._spec

    def full(self) -> go.Figure:
        """Return the same figure as a new, validated ``go.Figure`` (built on every call).

        Arrays are NumPy arrays again (``full().data[0].z``), as in a figure built by hand. The
        figure is the caller's: changing it leaves this spec (and what it sends) as it was.
        """
        return go.Figure(_decode(self._spec))

    def __repr__(self) -> str:
        names = [t.get("type", "scatter") for t in self._spec["data"]]
        return f"FigureSpec(traces={names}, frames={len(self._spec.get('frames', []))})"


def _json(spec: dict[str, Any]) -> str:
    return json.dumps(spec, sort_keys=True, default=str)
