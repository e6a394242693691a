"""The lab's status line and its charts' alternative texts state the same digits."""

import re

import pytest

from normviz import figures
from normviz.lab_status import status_line
from normviz.training import EpochRecord, TrainConfig, Trainer


def _record(epoch: int, train: float, test: float) -> EpochRecord:
    return EpochRecord(epoch, 10 * epoch, train, test, 0.9, 0.89, 0.0, 3.0, 0.0)


@pytest.mark.parametrize(
    ("train", "test"), [(0.22, 0.241), (0.1, 1.0), (1.23456, 0.0049), (12.5, 0.2)]
)
def test_status_line_and_alt_text_state_the_same_losses(train, test):
    """CI caught "train loss 0.220" in the status line beside "0.22" in the alt text."""
    records = [_record(e, train, test) for e in range(3)]
    line = status_line(records[-1])
    m = re.search(r"epoch \*\*(\d+)\*\* · .* train loss ([\d.]+) · test loss ([\d.]+)", line)
    assert m, line
    epoch, train_text, test_text = m.groups()
    assert float(train_text) == pytest.approx(train, abs=5e-4)
    assert float(test_text) == pytest.approx(test, abs=5e-4)
    alt = figures.lab.curves_alt([figures.lab.curves_info(records)])
    assert f"after {epoch} epochs train loss {train_text}, test loss {test_text}," in alt


def test_a_real_run_reads_the_same_in_both():
    t = Trainer(TrainConfig(n_samples=100, hidden=(8,), max_epochs=5))
    t.step(15)
    h = t.history[-1]
    line = status_line(h, "A")
    assert line.startswith(f"**A** · epoch **{h.epoch}** · {h.step:,} updates")
    assert f"train loss {h.train_loss:.3f} · test loss {h.test_loss:.3f}" in line
    assert f"test accuracy {h.test_acc:.0%} · gap {h.test_loss - h.train_loss:+.3f}" in line
    alt = figures.lab.curves_alt([figures.lab.curves_info(t.history, "A")])
    assert f"train loss {h.train_loss:.3f}, test loss {h.test_loss:.3f}" in alt


def test_one_epoch_is_singular():
    alt = figures.lab.curves_alt(
        [figures.lab.curves_info([_record(0, 0.5, 0.5), _record(1, 0.4, 0.5)])]
    )
    assert "after 1 epoch train loss 0.400" in alt


def test_busy_and_stop_texts_count_and_name_the_run():
    from normviz.lab_status import busy_text, stop_text

    assert busy_text(1) == "The server is busy: 1 training is running; try again in a minute."
    assert busy_text(30, retry=False) == "The server is busy: 30 trainings are running."
    assert stop_text("Diverged.", "") == "Diverged." and stop_text("Diverged.", "A").startswith(
        "Run A: "
    )
