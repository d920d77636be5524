"""Every legend of gametheory.plot shows each label once (issue 11, item 4)."""

from __future__ import annotations

import collections

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

import gametheory as gt  # noqa: E402
from gametheory import plot  # noqa: E402
from gametheory.models import crisis_governance as cg  # noqa: E402
from gametheory.plot.theme import legend_entries  # noqa: E402

COORDINATION = gt.Game.from_table(
    {"row": ["s0", "s1"], "col": ["s0", "s1"]},
    {("s0", "s0"): (1, 1), ("s0", "s1"): (0, 0), ("s1", "s0"): (0, 0), ("s1", "s1"): (1, 1)},
)


def legend_labels(fig) -> list[list[str]]:
    legends = list(fig.legends) + [a.get_legend() for a in fig.axes if a.get_legend() is not None]
    return [[t.get_text() for t in legend.get_texts()] for legend in legends]


def assert_unique(fig) -> list[list[str]]:
    found = legend_labels(fig)
    assert found, "no legend drawn"
    for labels in found:
        repeated = {k: v for k, v in collections.Counter(labels).items() if v > 1}
        assert not repeated, f"labels shown twice: {repeated} in {labels}"
    plt.close(fig)
    return found


def test_legend_entries_keep_one_entry_per_label():
    assert legend_entries([(1, "a"), (2, "b"), (3, "a"), (4, "_x")]) == ([1, 2], ["a", "b"])


def test_phase_portraits_square_and_cube():
    report = gt.analyze(COORDINATION)
    ax = plot.phase_portrait(COORDINATION.replicator(), n=4, t_span=(0, 20), report=report)
    (labels,) = assert_unique(ax.figure)
    # two sinks, one saddle; trajectories end near both sinks or at the saddle's stable manifold
    assert labels.count("stable (sink)") == 1 and "saddle" in labels
    game = cg.game()
    ax = plot.phase_portrait(
        game.replicator(), dict(cg.OPTIMIZED), n=2, t_span=(0, 40), report=gt.analyze(game, cg.OPTIMIZED)
    )
    assert_unique(ax.figure)
    ax = plot.rest_points(gt.analyze(game, cg.OPTIMIZED))
    assert_unique(ax.figure)


def test_outcome_figures():
    dyn = cg.game().replicator()
    scenarios = {
        label: gt.basins(dyn, params, n=32, replicate_size=16, t_span=(0, 60), backend="numpy")
        for label, params in (("a", cg.STATUS_QUO), ("b", {**cg.STATUS_QUO, "F_g": 8.0}), ("c", cg.OPTIMIZED))
    }
    # three scenarios draw the same outcomes: each outcome is listed once
    (labels,) = assert_unique(plot.basins(scenarios, dynamics=dyn).figure)
    assert len(labels) == 2
    grid = gt.basins(dyn, {**cg.STATUS_QUO, "F_g": 8.0}, resolution=4, t_span=(0, 60), backend="numpy")
    assert_unique(plot.basins(grid, dynamics=dyn, kind="slices"))
    report = gt.attractors(cg.game(), {**cg.STATUS_QUO, "F_g": 8.0}, n=8, seed=0)
    assert_unique(plot.attractors(report).figure)


@pytest.mark.parametrize("kinds", [["replicator", "logit", "smith"]])
def test_dynamics_panel_shared_legend(kinds):
    fig = plot.dynamics_panel(COORDINATION, kinds, n=3, t_span=(0, 10))
    for a in fig.axes:  # panels draw no legend of their own; a shared one gathers them once
        a.plot([0, 1], [0, 1], label="diagonal")
    plot.shared_legend(fig)
    (labels,) = assert_unique(fig)
    assert labels == ["diagonal"]
