"""The one way of reporting progress (gametheory.progress): a tqdm bar, or a plain stderr line."""

from __future__ import annotations

import sys

import numpy as np

import gametheory as gt
from gametheory.models import classic
from gametheory.progress import progress_reporter


def test_disabled_reporter_is_silent(capsys):
    with progress_reporter(10, "demo", False, unit="starts") as bar:
        for _ in range(10):
            bar.update()
    assert bar.n == 10
    assert capsys.readouterr().err == ""


def test_without_tqdm_a_plain_line_about_every_five_percent(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "tqdm", None)  # "import tqdm" now raises ImportError
    with progress_reporter(1000, "demo", True, unit="trajectories") as bar:
        for _ in range(1000):
            bar.update(1)
    err = capsys.readouterr().err
    lines = [part for part in err.split("\r") if part]
    assert len(lines) == 21  # the first item, then one line per twentieth
    assert lines[:2] == ["demo: 1 of 1,000 trajectories", "demo: 50 of 1,000 trajectories"]
    assert lines[-1] == "demo: 1,000 of 1,000 trajectories\n"


def test_with_tqdm_the_bar_reads_like_the_plain_line(capsys):
    with progress_reporter(30, "demo", True, unit="starts") as bar:
        bar.update(30)
    assert "demo: 30 of 30 starts" in capsys.readouterr().err


def test_attractors_and_simulate_many_report_the_same_way(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "tqdm", None)
    dyn = classic.matching_pennies_3().replicator()
    gt.attractors(dyn, starts=[[0.5, 0.5, 0.5], [1.0, 0.0, 1.0]], t_span=(0, 5), progress=True)
    gt.simulate_many(dyn, np.full((4, 3), 0.3), (0, 1), backend="numpy", progress=True)
    err = capsys.readouterr().err
    assert "attractors: 2 of 2 starts\n" in err
    assert "simulate_many: 4 of 4 trajectories\n" in err
