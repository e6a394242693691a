"""Every view is a link: a lesson's settings as a declared table of URL parameters.

A lesson declares one :class:`LinkTable`: its settings, each a :class:`Param` with a type, the
allowed range or choices and a default, in the order a reader would set them. The table turns a
URL query into values plus human warnings (:meth:`LinkTable.parse`, never raises on a bad link)
and values back into the shortest query that reopens the same view (:meth:`LinkTable.to_query`:
only non-defaults, in the table's order, exact round trip). Pages also take their widgets' ranges
from the same :class:`Param`, so each range has one home.

A parameter may apply only under a condition on earlier ones (``when``: a CLAHE parameter only
when ``technique`` is ``"clahe"``); two parameters may share a name under disjoint conditions
(``per_channel`` with a default per technique). A parameter of the URL that does not apply, or
that no parameter declares, is reported and ignored.

Text formats: numbers with ``repr`` (exact), pairs as ``"lo,hi"``, booleans as ``on``/``off``.

Examples
--------
>>> table = LinkTable("demo", (
...     Param("kind", "choice", "batch", choices=("batch", "layer", "group")),
...     Param("groups", "int", 2, lo=1, hi=8, when={"kind": ("group",)}),
...     Param("momentum", "float", 0.1, lo=0.0, hi=1.0),
... ))
>>> values, warnings = table.parse({"kind": "group", "groups": "4", "momentum": "2"})
>>> values
{'kind': 'group', 'groups': 4, 'momentum': 0.1}
>>> print(warnings[0])
Ignored momentum='2' from the URL: momentum must be a number in [0.0, 1.0] (got '2'); using the default 0.1.
>>> table.to_query(values)
{'kind': 'group', 'groups': '4'}
"""  # noqa: E501

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

__all__ = ["KINDS", "RESERVED", "LinkTable", "Param", "Parsed"]

KINDS = ("choice", "bool", "int", "float", "pair")
"""Parameter types: one of ``choices``; on/off; an int or a float in ``[lo, hi]``; an ordered
pair of floats ``lo <= a <= b <= hi``."""

RESERVED = frozenset({"embed", "embed_options"})
"""Query keys the web framework itself reads (Streamlit's); never reported as unknown."""

_TRUE = ("on", "true", "1", "yes")
_FALSE = ("off", "false", "0", "no")


@dataclass(frozen=True)
class Param:
    """One URL parameter of a lesson.

    Attributes
    ----------
    name : str
        The query key, e.g. ``"tiles"``.
    kind : {"choice", "bool", "int", "float", "pair"}
    default : Any
        The value when the URL does not set it (None for "the page decides", see
        ``default_text``). Ignored when ``default_from`` is given.
    lo, hi : float, optional
        Inclusive bounds of an int, float or pair (None: unbounded, but finite).
    choices : tuple of str (or of int)
        Allowed values of a "choice"; for an "int", if given, the only allowed values (e.g. the
        options of a select slider) besides ``[lo, hi]``.
    step : float, optional
        The widget's step (the URL accepts any value in range).
    when : mapping of str to tuple
        Applies only if each named earlier parameter has one of the listed values.
    default_from : callable, optional
        ``default_from(values)``: a default computed from the earlier parameters' values.
    default_text : str
        How to name a None default in a warning, e.g. "the image's minimum".
    key : str
        The session-state key of the widget that shows it (for pages; not used here).
    label : str
        The widget's label.
    """

    name: str
    kind: str
    default: Any = None
    lo: float | None = None
    hi: float | None = None
    choices: tuple[Any, ...] = ()
    step: float | None = None
    when: Mapping[str, tuple[Any, ...]] = field(default_factory=dict)
    default_from: Callable[[Mapping[str, Any]], Any] | None = None
    default_text: str = ""
    key: str = ""
    label: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            listed = ", ".join(repr(k) for k in KINDS)
            raise ValueError(f"kind must be one of {listed} (got {self.kind!r})")
        if self.kind == "choice" and not self.choices:
            raise ValueError(f"choice parameter {self.name!r} needs choices")
        if self.default is not None and self.default_from is None:
            self.check(self.default)

    # -- what is allowed --------------------------------------------------------------------

    def expected(self) -> str:
        """Return what a valid value is, in words (the middle of every warning).

        Examples
        --------
        >>> Param("tiles", "int", 8, lo=2, hi=16).expected()
        'an integer in [2, 16]'
        >>> Param("q", "pair", (1.0, 99.0), lo=0.0, hi=100.0).expected()
        "two numbers 'a,b' with 0.0 <= a <= b <= 100.0"
        >>> Param("c", "int", 6, lo=1, hi=16, choices=(1, 2, 3, 4, 6, 8)).expected()
        'one of 1, 2, 3, 4, 6, 8'
        """
        if self.kind == "choice":
            return "one of " + ", ".join(repr(c) for c in self.choices)
        if self.kind == "int" and self.choices:
            return "one of " + ", ".join(str(c) for c in self.choices)
        if self.kind == "bool":
            return "'on' or 'off'"
        if self.kind == "pair":
            lo = "" if self.lo is None else f"{_num(self.lo)} <= "
            hi = "" if self.hi is None else f" <= {_num(self.hi)}"
            return f"two numbers 'a,b' with {lo}a <= b{hi}"
        noun = "an integer" if self.kind == "int" else "a number"
        if self.lo is None and self.hi is None:
            return f"{noun}" if self.kind == "int" else "a finite number"
        if self.hi is None:
            return f"{noun} >= {_num(self.lo)}"
        if self.lo is None:
            return f"{noun} <= {_num(self.hi)}"
        return f"{noun} in [{_num(self.lo)}, {_num(self.hi)}]"

    def _in_range(self, v: float) -> bool:
        return (self.lo is None or v >= self.lo) and (self.hi is None or v <= self.hi)

    def check(self, value: Any) -> Any:
        """Return ``value`` (ints as int, floats as float, pairs as tuples) or raise ValueError.

        Examples
        --------
        >>> Param("k", "float", 2.0, lo=0.5, hi=5.0).check(7)
        Traceback (most recent call last):
        ...
        ValueError: k must be a number in [0.5, 5.0] (got 7)
        """
        ok = False
        if self.kind == "choice":
            ok = isinstance(value, str) and value in self.choices
        elif self.kind == "bool":
            ok = isinstance(value, bool)
        elif self.kind == "int":
            ok = _is_int(value) and self._in_range(value)
            ok = ok and (not self.choices or value in self.choices)
            value = int(value) if ok else value
        elif self.kind == "float":
            ok = _is_real(value) and math.isfinite(value) and self._in_range(value)
            value = float(value) if ok else value
        else:
            ok = (
                isinstance(value, tuple | list)
                and len(value) == 2
                and all(_is_real(v) and math.isfinite(v) for v in value)
                and self._in_range(value[0])
                and value[0] <= value[1]
                and self._in_range(value[1])
            )
            value = (float(value[0]), float(value[1])) if ok else value
        if not ok:
            raise ValueError(f"{self.name} must be {self.expected()} (got {value!r})")
        return value

    # -- text <-> value -----------------------------------------------------------------------

    def parse(self, text: str) -> Any:
        """Return the value written ``text`` in a URL, or raise ValueError quoting it.

        Examples
        --------
        >>> Param("cutoff", "pair", (1.0, 99.0), lo=0.0, hi=100.0).parse("2,98.5")
        (2.0, 98.5)
        >>> Param("tiles", "int", 8, lo=2, hi=16).parse("40")
        Traceback (most recent call last):
        ...
        ValueError: tiles must be an integer in [2, 16] (got '40')
        """
        fail = ValueError(f"{self.name} must be {self.expected()} (got {text!r})")
        if not isinstance(text, str):
            raise fail
        t = text.strip()
        try:
            if self.kind == "choice":
                value: Any = t
            elif self.kind == "bool":
                if t.lower() not in _TRUE + _FALSE:
                    raise fail
                value = t.lower() in _TRUE
            elif self.kind == "int":
                value = int(t)
            elif self.kind == "float":
                value = float(t)
            else:
                parts = t.split(",")
                if len(parts) != 2:
                    raise fail
                value = (float(parts[0]), float(parts[1]))
            return self.check(value)
        except ValueError:
            raise fail from None

    def format(self, value: Any) -> str:
        """Return ``value`` as URL text; ``parse(format(v)) == v`` for every valid ``v``.

        Examples
        --------
        >>> Param("q", "pair", (1.0, 99.0), lo=0.0, hi=100.0).format((0.5, 99.5))
        '0.5,99.5'
        >>> Param("per_channel", "bool", False).format(True)
        'on'
        """
        value = self.check(value)
        if self.kind == "bool":
            return "on" if value else "off"
        if self.kind == "pair":
            return f"{value[0]!r},{value[1]!r}"
        if self.kind == "float":
            return repr(value)
        return str(value)

    # -- conditions and defaults --------------------------------------------------------------

    def applies(self, values: Mapping[str, Any]) -> bool:
        """Return True if every condition of ``when`` holds in ``values``."""
        return all(values.get(name) in allowed for name, allowed in self.when.items())

    def default_for(self, values: Mapping[str, Any]) -> Any:
        """Return the default, given the earlier parameters' ``values``."""
        return self.default if self.default_from is None else self.default_from(values)

    def describe_default(self, values: Mapping[str, Any]) -> str:
        """Return the default as a warning names it: ``8``, ``'scale'``, ``on``, or its text."""
        d = self.default_for(values)
        if d is None:
            return self.default_text or "the page's choice"
        if self.kind == "choice":
            return repr(d)
        if self.kind == "pair":
            return f"{_num(d[0])},{_num(d[1])}"
        return "on" if d is True else "off" if d is False else _num(d)


class Parsed(NamedTuple):
    """What :meth:`LinkTable.parse` found in a URL.

    Attributes
    ----------
    values : dict
        Every parameter that applies, in table order: the URL's value or the default.
    warnings : list of str
        One sentence per ignored query key: what it was, what was expected, what is used.
    """

    values: dict[str, Any]
    warnings: list[str]


@dataclass(frozen=True)
class LinkTable:
    """A lesson's URL parameters, in the order they are read.

    Attributes
    ----------
    lesson : str
        Name used in warnings ("the image lesson").
    params : tuple of Param
        A ``when`` may only name parameters listed before it; a name may repeat only under
        conditions that never hold together.
    """

    lesson: str
    params: tuple[Param, ...]

    def __post_init__(self) -> None:
        seen: set[str] = set()
        for p in self.params:
            for name in p.when:
                if name not in seen:
                    raise ValueError(f"{p.name}: 'when' names {name!r}, not an earlier parameter")
            seen.add(p.name)

    @property
    def names(self) -> tuple[str, ...]:
        """The distinct parameter names, in table order."""
        return tuple(dict.fromkeys(p.name for p in self.params))

    def active(self, values: Mapping[str, Any]) -> list[Param]:
        """Return the parameters that apply to ``values`` (first match per name)."""
        out: dict[str, Param] = {}
        for p in self.params:
            if p.name not in out and p.applies(values):
                out[p.name] = p
        return list(out.values())

    def param(self, name: str, values: Mapping[str, Any]) -> Param:
        """Return the parameter ``name`` that applies to ``values`` (KeyError if none does)."""
        for p in self.active(values):
            if p.name == name:
                return p
        raise KeyError(name)

    def defaults(self, values: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Return the values of an empty URL (``values`` fix some parameters first)."""
        fixed = dict(values or {})
        out: dict[str, Any] = {}
        for p in self.params:
            if p.name not in out and p.applies(out):
                out[p.name] = fixed.get(p.name, p.default_for(out))
        return out

    def parse(self, query: Mapping[str, str | Sequence[str]], *, unknown: str = "warn") -> Parsed:
        """Return the values a URL query describes and a warning for each thing ignored.

        Never raises on bad input: a value that cannot be parsed or is out of range is replaced
        by its default; a key that does not apply to the other values (stale) or that no
        parameter declares (with ``unknown="warn"``; ``"ignore"`` skips it) is ignored. A
        repeated key counts with its last value.

        Parameters
        ----------
        query : mapping of str to str (or list of str)
            E.g. ``st.query_params.to_dict()``.
        unknown : {"warn", "ignore"}
        """
        q = {
            k: (v[-1] if isinstance(v, list | tuple) and v else v)
            for k, v in query.items()
            if k not in RESERVED
        }
        values: dict[str, Any] = {}
        warnings: list[str] = []
        for p in self.params:
            if p.name in values or not p.applies(values):
                continue
            if p.name in q:
                try:
                    values[p.name] = p.parse(q[p.name])
                    continue
                except ValueError as err:
                    warnings.append(
                        f"Ignored {p.name}={q[p.name]!r} from the URL: {err}; "
                        f"using the default {p.describe_default(values)}."
                    )
            values[p.name] = p.default_for(values)
        for k, text in q.items():
            if k in values:
                continue
            if k in self.names:
                warnings.append(f"Ignored {k}={text!r} from the URL: {self._stale(k, values)}.")
            elif unknown == "warn":
                listed = ", ".join(self.names)
                warnings.append(
                    f"Ignored {k}={text!r} from the URL: {self.lesson} has no setting {k!r} "
                    f"(its settings: {listed})."
                )
        return Parsed(values, warnings)

    def _stale(self, name: str, values: Mapping[str, Any]) -> str:
        """Why ``name`` does not apply to ``values``: the first condition that fails."""
        for p in self.params:
            if p.name != name:
                continue
            for cond, allowed in p.when.items():
                if values.get(cond) not in allowed:
                    listed = " or ".join(repr(a) for a in allowed)
                    return (
                        f"{name} applies only when {cond} is {listed} "
                        f"(here {cond} is {values.get(cond)!r})"
                    )
        return f"{name} does not apply here"

    def to_query(self, values: Mapping[str, Any]) -> dict[str, str]:
        """Return the query of ``values``: the parameters that apply and differ from defaults.

        Keys come in table order; ``parse(to_query(v)).values == v`` for every complete,
        valid ``v`` (as returned by :meth:`parse` or :meth:`defaults`). A value that is None
        (the page's default) is not written.

        Raises
        ------
        ValueError
            If a value that applies is out of range (the message names it).
        """
        out: dict[str, str] = {}
        seen: dict[str, Any] = {}
        for p in self.params:
            if p.name in seen or not p.applies(seen):
                continue
            value = values.get(p.name, p.default_for(seen))
            seen[p.name] = value
            default = p.default_for(seen)
            if value is not None and not _same(value, default):
                out[p.name] = p.format(value)
        return out


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, tuple | list) and isinstance(b, tuple | list):
        return len(a) == len(b) and all(x == y for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b if isinstance(a, bool) or isinstance(b, bool) else a == b


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_real(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _num(v: float) -> str:
    """Return a number as a reader writes it: ``8``, ``0.01``, ``1e-06``."""
    return repr(v)
