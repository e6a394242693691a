"""What changed in the lab while it trained, in words: change marks and restart notices.

A setting in :data:`~normviz.training.LIVE_FIELDS` changes the running model from the next
update on (:meth:`~normviz.training.Trainer.reconfigure` returns a
:class:`~normviz.training.ChangeMark`); any other setting builds a new run. The texts here are
built from those records and configs, never typed beside them.
"""

from __future__ import annotations

from collections.abc import Sequence

from normviz.presets import PRESETS, drift_note
from normviz.train_config import FIELDS, TrainConfig, shown
from normviz.training import LIVE_FIELDS, ChangeMark

SETTING_NAMES = {name: f.noun for name, f in FIELDS.items()}
"""The lab's name for each :class:`~normviz.training.TrainConfig` field, as sentences use it
(the ``noun`` of its row of :data:`~normviz.train_config.FIELDS`)."""


def changed_fields(old: TrainConfig, new: TrainConfig) -> list[str]:
    """Return the fields whose value differs, in the config's order.

    Examples
    --------
    >>> changed_fields(TrainConfig(), TrainConfig(lr=0.1, hidden=(8,)))
    ['hidden', 'lr']
    """
    return [f for f in TrainConfig.__dataclass_fields__ if getattr(old, f) != getattr(new, f)]


def change_text(mark: ChangeMark) -> str:
    """Return a change mark's label: each changed setting with its old and new value.

    Examples
    --------
    >>> print(change_text(ChangeMark(12, 40, 1200, (("lr", "0.01", "0.1"), ("dropout", "0", "0.2")))))
    learning rate 0.01 → 0.1, dropout 0 → 0.2
    """  # noqa: E501
    return ", ".join(f"{SETTING_NAMES[f]} {old} → {new}" for f, old, new in mark.changes)


def restart_notice(
    old: TrainConfig,
    new: TrainConfig,
    label: str = "",
    *,
    stopped: bool = False,
    data_changed: bool = False,
) -> str | None:
    """Return why a run restarted from epoch 0, naming what forced it; None when nothing did.

    Nothing forces a restart when only live settings changed on a running trainer: it goes on
    with them.

    Parameters
    ----------
    old, new : TrainConfig
        The run's settings before and after the change.
    label : str
        The run's name when comparing ("A", "B"), "" for a single run.
    stopped : bool
        The old run had stopped (a stopped run takes no change: any change starts a new one).
    data_changed : bool
        The training points changed (an uploaded file, or back to the generated dataset).

    Examples
    --------
    >>> print(restart_notice(TrainConfig(), TrainConfig(hidden=(8, 8), lr=0.1)))
    Hidden layers (16-16 → 8-8) changed. A network in training cannot take this change on, so the run restarted from epoch 0 with freshly initialized weights. The previous run's curves stay on the charts, faint, until the next restart.
    >>> restart_notice(TrainConfig(), TrainConfig(lr=0.1)) is None
    True
    >>> print(restart_notice(TrainConfig(), TrainConfig(lr=0.1), "A", stopped=True))
    Run A: Learning rate (0.01 → 0.1) changed after the run had stopped, so a new run started from epoch 0 with freshly initialized weights. The previous run's curves stay on the charts, faint, until the next restart.
    """  # noqa: E501
    changed = changed_fields(old, new)
    forced = [f for f in changed if f not in LIVE_FIELDS]
    parts = [_change(f, old, new) for f in (forced or changed if stopped else forced)]
    if data_changed:
        parts.insert(0, "the training points")
    if not parts:
        return None
    what = _join(parts)
    who = f"Run {label}: " if label else ""
    if forced or data_changed:
        why = (
            f"changed. A network in training cannot take "
            f"{'this change' if len(parts) == 1 else 'these changes'} on, so the run restarted"
        )
    else:
        why = "changed after the run had stopped, so a new run started"
    return (
        f"{who}{what[0].upper()}{what[1:]} {why} from epoch 0 with freshly initialized "
        "weights. The previous run's curves stay on the charts, faint, until the next restart."
    )


def ghost_note(old: TrainConfig, new: TrainConfig) -> str:
    """Return the legend of a previous run drawn faint: what differed from the new one.

    Examples
    --------
    >>> ghost_note(TrainConfig(), TrainConfig(hidden=(8,), lr=0.1))
    'previous run (hidden layers 16-16, learning rate 0.01)'
    >>> ghost_note(TrainConfig(), TrainConfig())
    'previous run'
    """
    changed = changed_fields(old, new)
    if not changed:
        return "previous run"
    was = ", ".join(f"{SETTING_NAMES[f]} {shown(getattr(old, f))}" for f in changed)
    return f"previous run ({was})"


def run_differences_text(a: TrainConfig, b: TrainConfig) -> str:
    """Return what runs A and B differ in, with each run's value.

    Examples
    --------
    >>> print(run_differences_text(TrainConfig(), TrainConfig(dropout=0.4)))
    A and B differ only in dropout: A 0, B 0.4.
    >>> print(run_differences_text(TrainConfig(), TrainConfig()))
    A and B are the same run.
    """
    fields = changed_fields(a, b)
    if not fields:
        return "A and B are the same run."
    parts = [
        f"{SETTING_NAMES[f]}: A {shown(getattr(a, f))}, B {shown(getattr(b, f))}" for f in fields
    ]
    return f"A and B differ only in {'; '.join(parts)}."


def compare_caption(preset: str, a: TrainConfig, b: TrainConfig, base: TrainConfig) -> str:
    """Return the caption above a comparison: how A and B differ and what to look for.

    Markdown paragraphs, with a warning when the controls left the preset's checked settings.

    Examples
    --------
    >>> import dataclasses
    >>> from normviz.presets import applied_configs, preset_settings
    >>> base = dataclasses.replace(TrainConfig(), **preset_settings("Batch size 8 vs 256"))
    >>> (_, a), (_, b) = applied_configs("Batch size 8 vs 256", base)
    >>> compare_caption("Batch size 8 vs 256", a, b, base).splitlines()[0]
    '**A and B differ only in batch size: A 8, B 256.**'
    """
    look_for = PRESETS[preset].describe(a, b)
    notes = [f"**{run_differences_text(a, b)}**", f"**What to look for.** {look_for}"]
    drifted = drift_note(preset, base)
    return "\n\n".join([*notes, *([drifted] if drifted else [])])


def _change(field: str, old: TrainConfig, new: TrainConfig) -> str:
    return f"{SETTING_NAMES[field]} ({shown(getattr(old, field))} → {shown(getattr(new, field))})"


def _join(parts: Sequence[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return f"{', '.join(parts[:-1])} and {parts[-1]}"
