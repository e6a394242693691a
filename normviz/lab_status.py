"""The lab's status line, and the number formats it shares with the charts' text alternatives.

One home for how the lab writes a run's numbers: the status line above the charts and the
alternative texts of the charts (:mod:`normviz.figures.lab`) both format a loss with
:func:`loss_text` and a count of epochs with :func:`epochs_text`, so a reader (or a screen
reader) sees the same digits in both places.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the figures import this module; it must not pull in torch
    from normviz.training import EpochRecord

__all__ = ["busy_text", "epochs_text", "loss_text", "status_line", "stop_text"]


def loss_text(loss: float) -> str:
    """Return ``loss`` with three decimals, as the status line and the alt texts show it.

    Examples
    --------
    >>> loss_text(0.22), loss_text(1.23456), loss_text(float("nan"))
    ('0.220', '1.235', 'nan')
    """
    return f"{loss:.3f}"


def epochs_text(n: int) -> str:
    """Return ``"1 epoch"`` or ``"n epochs"``.

    Examples
    --------
    >>> epochs_text(0), epochs_text(1), epochs_text(12)
    ('0 epochs', '1 epoch', '12 epochs')
    """
    return f"{n} epoch" if n == 1 else f"{n} epochs"


def status_line(record: EpochRecord, label: str = "") -> str:
    """Return the Markdown status line of one run at ``record`` (its latest history entry).

    Parameters
    ----------
    record : EpochRecord
        The run's last record: epoch, optimizer updates, losses and accuracies.
    label : str
        ``"A"`` or ``"B"`` in compare mode, ``""`` for a single run.

    Examples
    --------
    >>> from normviz.training import EpochRecord
    >>> r = EpochRecord(3, 1200, 0.22, 0.3, 0.9, 0.875, 0.0, 4.0, 0.0)
    >>> print(status_line(r))
    epoch **3** · 1,200 updates · train loss 0.220 · test loss 0.300 · test accuracy 88% · gap +0.080
    >>> print(status_line(r, "A")[:12])
    **A** · epoc
    """  # noqa: E501
    name = f"**{label}** · " if label else ""
    return (
        f"{name}epoch **{record.epoch}** · {record.step:,} updates · "
        f"train loss {loss_text(record.train_loss)} · test loss {loss_text(record.test_loss)} · "
        f"test accuracy {record.test_acc:.0%} · gap {record.test_loss - record.train_loss:+.3f}"
    )


def busy_text(active: int, retry: bool = True) -> str:
    """Return why training cannot start (or go on): the server's places are all taken.

    Examples
    --------
    >>> busy_text(32)
    'The server is busy: 32 trainings are running; try again in a minute.'
    >>> busy_text(1, retry=False)
    'The server is busy: 1 training is running.'
    """
    running = "1 training is running" if active == 1 else f"{active} trainings are running"
    return f"The server is busy: {running}" + ("; try again in a minute." if retry else ".")


def stop_text(message: str, label: str = "") -> str:
    """Return a stopped run's message, prefixed with its run (``label``) in compare mode.

    Examples
    --------
    >>> stop_text("Stopped early at epoch 40.", "B")
    'Run B: Stopped early at epoch 40.'
    """
    return f"Run {label}: {message}" if label else message
