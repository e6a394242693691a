"""What changed in the lab while it trained, in words: change marks and restart notices.

A setting in :data:`~normviz.training.LIVE_FIELDS` changes the running model from the next
update on (:meth:`~normviz.training.Trainer.reconfigure` returns a
:class:`~normviz.training.ChangeMark`); any other setting builds a new run. The texts here are
built from those records and configs, never typed beside them.
"""

from __future__ import annotations

from collections.abc import Sequence

from normviz._config import TrainConfig
from normviz.training import LIVE_FIELDS, ChangeMark

SETTING_NAMES = {
    "dataset": "dataset",
    "n_samples": "points",
    "noise": "noise",
    "test_fraction": "test fraction",
    "seed": "seed",
    "hidden": "hidden layers",
    "activation": "activation",
    "norm": "normalization",
    "norm_position": "normalization position",
    "dropout": "dropout",
    "l1": "L1",
    "l1_method": "L1 method",
    "l2": "L2",
    "optimizer": "optimizer",
    "lr": "learning rate",
    "batch_size": "batch size",
    "early_stopping_patience": "early stopping patience",
    "augmentation": "input jitter",
    "max_epochs": "max epochs",
}
"""The lab's name for each :class:`~normviz.training.TrainConfig` field, as sentences use it."""


def shown(value: object) -> str:
    """Return a setting's value as the lab writes it: ``16-16``, ``0.001``, ``off`` for None.

    Examples
    --------
    >>> shown((16, 8)), shown(0.001), shown(None), shown("adam"), shown(32)
    ('16-8', '0.001', 'off', 'adam', '32')
    """
    if value is None:
        return "off"
    if isinstance(value, tuple):
        return "-".join(str(v) for v in value)
    return f"{value:g}" if isinstance(value, float) else str(value)


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


def restart_notice(old: TrainConfig, new: TrainConfig, label: str = "") -> str | None:
    """Return why a run restarted from epoch 0, naming each setting that forced it; None if
    only live settings changed (the run goes on with them).

    Parameters
    ----------
    old, new : TrainConfig
        The run's settings before and after the change.
    label : str
        The run's name when comparing ("A", "B"), "" for a single run.

    Examples
    --------
    >>> print(restart_notice(TrainConfig(), TrainConfig(hidden=(8, 8), lr=0.1)))
    Hidden layers (16-16 → 8-8) changed. A network in training cannot take this setting on, so the run restarted from epoch 0 with freshly initialized weights. The previous run's curves stay on the charts, faint, until the next restart.
    >>> restart_notice(TrainConfig(), TrainConfig(lr=0.1)) is None
    True
    """  # noqa: E501
    forced = [f for f in changed_fields(old, new) if f not in LIVE_FIELDS]
    if not forced:
        return None
    parts = [f"{SETTING_NAMES[f]} ({shown(getattr(old, f))} → {shown(getattr(new, f))})"
             for f in forced]  # fmt: skip
    what = _join(parts)
    who = f"Run {label}: " if label else ""
    return (
        f"{who}{what[0].upper()}{what[1:]} changed. A network in training cannot take "
        f"{'this setting' if len(forced) == 1 else 'these settings'} on, so the run restarted "
        "from epoch 0 with freshly initialized weights. The previous run's curves stay on the "
        "charts, faint, until the next restart."
    )


def _join(parts: Sequence[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return f"{', '.join(parts[:-1])} and {parts[-1]}"
