"""The lab's shared link: its query <-> the lab's state (config, mode, preset, curves' axis).

The config's part is :class:`~normviz.train_config.TrainConfig`'s (its field table,
:data:`~normviz.train_config.FIELDS`); this module adds the lab's other settings, the messages
a reader sees about a bad link (each ending with the default used instead) and the widgets'
state for a config. Pure: the page stores the results in its session state.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, NamedTuple

from normviz.presets import PRESETS, preset_settings
from normviz.train_config import FIELDS, TrainConfig
from normviz.training import X_AXES

__all__ = ["MODES", "LabLink", "config_from_controls", "control_values", "lab_query", "parse_link"]

MODES = {"one": "One network", "compare": "Compare A and B"}
"""The ``mode`` values of a link and the mode control's labels."""


class LabLink(NamedTuple):
    """The lab's state as a link describes it.

    Attributes
    ----------
    config : TrainConfig
        The controls' config (a named preset's settings when the link names only it).
    mode : {"one", "compare"}
    preset : str
        A key of :data:`~normviz.presets.PRESETS`.
    x_axis : str
        A key of :data:`~normviz.training.X_AXES`.
    notes : list of str
        One message per value of the link that was ignored, each naming the default used.
    """

    config: TrainConfig
    mode: str
    preset: str
    x_axis: str
    notes: list[str]


def _with_default(warning: str) -> str:
    """``TrainConfig.from_query``'s warning, ending as the other lessons' do: the default used."""
    name = warning.removeprefix("Ignored ").split("=", 1)[0]
    if name not in FIELDS:
        return warning
    return f"{warning}; using the default {FIELDS[name].format(FIELDS[name].default)}."


def _bad(name: str, text: str, choices: tuple[str, ...], default: str) -> str:
    listed = ", ".join(repr(c) for c in choices)
    return (
        f"Ignored {name}={text!r} from the URL: {name} must be one of {listed} (got {text!r}); "
        f"using the default {default!r}."
    )


def parse_link(query: Mapping[str, str]) -> LabLink:
    """Return the lab's state described by a link's ``query``; never raises on bad values.

    Unknown keys are skipped (other pages' state); a bad value keeps its default and adds a
    note. A preset applies only in compare mode; a link that names a preset (and at most a
    seed) gets the preset's settings on its controls.

    Examples
    --------
    >>> link = parse_link({"lr": "fast", "mode": "compare", "preset": "Batch size 8 vs 256"})
    >>> link.mode, link.preset, link.config.lr
    ('compare', 'Batch size 8 vs 256', 0.01)
    >>> print(link.notes[0])
    Ignored lr='fast' from the URL: lr must be a number in (0, 1e6] (got 'fast'); using the default 0.01.
    >>> parse_link({"mode": "compare", "preset": "Batch size 8 vs 256"}).config.hidden
    (32, 32)
    """  # noqa: E501
    config, warnings = TrainConfig.from_query(query)
    notes = [_with_default(text) for text in warnings]
    mode, preset, axis = query.get("mode"), query.get("preset"), query.get("x_axis")
    if mode is not None and mode not in MODES:
        notes.append(_bad("mode", mode, tuple(MODES), "one"))
    mode = "compare" if mode == "compare" else "one"
    first = next(iter(PRESETS))
    if preset is not None and preset not in PRESETS:
        notes.append(_bad("preset", preset, tuple(PRESETS), first))
    elif preset is not None and mode == "one":
        notes.append(
            f"Ignored preset={preset!r} from the URL: preset applies only when mode is "
            f"'compare' (here mode is 'one')."
        )
    preset = preset if preset in PRESETS else first
    named = mode == "compare" and preset != "Custom"
    if named and not (set(FIELDS) - {"seed"}) & set(query):  # only the preset (and a seed)
        config = dataclasses.replace(config, **preset_settings(preset))
    first_axis = next(iter(X_AXES))
    if axis is not None and axis not in X_AXES:
        notes.append(_bad("x_axis", axis, tuple(X_AXES), first_axis))
    return LabLink(config, mode, preset, axis if axis in X_AXES else first_axis, notes)


def lab_query(config: TrainConfig, mode: str, preset: str, x_axis: str) -> dict[str, str]:
    """Return the shortest query that reopens this state: only what differs from the defaults.

    Examples
    --------
    >>> lab_query(TrainConfig(seed=3), "compare", "L1 vs L2", "step")
    {'seed': '3', 'mode': 'compare', 'preset': 'L1 vs L2', 'x_axis': 'step'}
    >>> lab_query(TrainConfig(), "one", "L1 vs L2", "epoch")
    {}
    """
    params = config.to_query()
    if mode != "one":
        params["mode"] = mode
        params["preset"] = preset
    if x_axis != next(iter(X_AXES)):
        params["x_axis"] = x_axis
    return params


def control_values(config: TrainConfig, prefix: str = "lab_") -> dict[str, Any]:
    """Return the lab's controls' state for ``config``: widget key -> value.

    The hidden widths are text (``"16-16"``); early stopping is a toggle (``lab_es_on``) and a
    patience that shows its row's ``off_value`` while off.

    Examples
    --------
    >>> v = control_values(TrainConfig(hidden=(8, 4)))
    >>> v["lab_hidden"], v["lab_es_on"], v["lab_early_stopping_patience"], v["lab_lr"]
    ('8-4', False, 20, 0.01)
    """
    values = {}
    for name, f in FIELDS.items():
        value = getattr(config, name)
        if f.kind == "widths":
            value = f.format(value)
        elif f.kind == "patience" and value is None:
            value = f.off_value
        values[prefix + name] = value
    values[prefix + "es_on"] = config.early_stopping_patience is not None
    return values


def config_from_controls(state: Mapping[str, Any], prefix: str = "lab_") -> TrainConfig:
    """Return the config the controls' ``state`` shows (the inverse of :func:`control_values`).

    Raises
    ------
    TypeError, ValueError
        An invalid entry: :class:`TrainConfig`'s (or the hidden field's) message.

    Examples
    --------
    >>> c = TrainConfig(hidden=(8, 4), early_stopping_patience=5, lr=0.3)
    >>> config_from_controls(control_values(c)) == c
    True
    """
    values = {}
    for name, f in FIELDS.items():
        value = state[prefix + name]
        if f.kind == "widths":
            value = f.parse(str(value))
        elif f.kind == "patience":
            value = int(value) if state[prefix + "es_on"] else None
        values[name] = value
    return TrainConfig(**values)
