"""Every dynamics of the family through the whole pipeline, and the cross-dynamics theorems (issue 11).

- ``analyze`` works for every kind (numerically where the replicator's theorems do not hold);
- Nash stationarity: the rest points of BNN and Smith are exactly the Nash equilibria, which the
  exact replicator analysis finds (its rest points marked ``is_nash``);
- ``simulate`` and ``simulate_many`` agree for every kind (same tolerance, both in shares).
"""

from __future__ import annotations

import itertools
import random

import numpy as np
import pytest

import gametheory as gt
from gametheory.analysis.general import analyze_numerically
from gametheory.dynamics import KINDS

OPTIONS = {"replicator_mutator": {"mutation": 0.05}, "logit": {"eta": 0.5}, "imitation": {"beta": 2.0}}


def _random_game(seed, counts=(2, 2, 2)):
    rng = random.Random(seed)
    pops = {f"p{i}": [f"s{j}" for j in range(k)] for i, k in enumerate(counts)}
    table = {
        tuple(f"s{j}" for j in prof): tuple(round(rng.uniform(1, 9), 3) for _ in counts)
        for prof in itertools.product(*(range(k) for k in counts))
    }
    return gt.Game.from_table(pops, table)


def _same_points(found, expected, tol=1e-6):
    """The same sets of points, each matched within ``tol`` (Newton at a kink converges linearly)."""
    assert len(found) == len(expected), (found, expected)
    for x in expected:
        assert min(np.max(np.abs(np.asarray(y) - x)) for y in found) <= tol, (x, found)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_dynamics_runs_the_pipeline(kind):
    game = _random_game(11)  # positive payoffs: the adjusted replicator and the mutator need them
    dyn = game.dynamics(kind, **OPTIONS.get(kind, {}))
    report = gt.analyze(dyn)
    assert len(report.equilibria) >= 1 and report.summary()
    for e in report.equilibria:  # every reported rest point is one: the field vanishes there
        assert np.max(np.abs(dyn.vector_field(e.point))) <= 1e-9
    x0 = [0.3, 0.6, 0.2]
    one = gt.simulate(dyn, x0, (0, 5), rtol=1e-10, atol=1e-12)
    many = gt.simulate_many(dyn, [x0], (0, 5), backend="numpy", rtol=1e-10, atol=1e-12)
    # two integrators at rtol 1e-10 (possibly different charts): endpoints agree to ~1e-8
    np.testing.assert_allclose(np.asarray(many.y)[0, :, -1], one.y[:, -1], atol=1e-7)


@pytest.mark.parametrize("kind", ["bnn", "smith"])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_rest_points_of_bnn_and_smith_are_the_nash_equilibria(kind, seed):
    # Nash stationarity (Sandholm 2010, ch. 5): F(x) = 0 exactly at the Nash equilibria.  The exact
    # replicator analysis lists every rest point and marks the Nash ones; BNN/Smith's numerically
    # found rest points must be those, and all of them Nash.
    game = _random_game(seed)
    exact = gt.analyze(game)
    assert not exact.continua  # continuous random payoffs: a generic game, isolated rest points
    report = gt.analyze(game.dynamics(kind))  # exact, through Nash stationarity
    assert report.complete and all(e.is_nash for e in report.equilibria)
    # the numerical search, which assumes no theorem, finds the same points
    numeric = analyze_numerically(game.dynamics(kind), n_starts=256)
    _same_points([e.point for e in numeric.equilibria], [e.point for e in report.equilibria])
    _same_points([e.point for e in report.equilibria], [e.point for e in exact.equilibria if e.is_nash])


def test_logit_rest_point_is_a_quantal_response_equilibrium():
    # x = softmax(f(x)/eta) per population, checked from the expected payoffs at the point
    game = _random_game(5)
    dyn = game.dynamics("logit", eta=0.7)
    report = gt.analyze(dyn)
    payoffs = game.replicator().compiled("payoffs")
    for e in report.equilibria:
        f = np.asarray(payoffs(e.point[:, None], np.zeros((0, 1)))[:, 0])
        for i, sl in enumerate(dyn.population_slices()):
            block = f[2 * i : 2 * i + 2] / 0.7
            soft = np.exp(block - block.max()) / np.exp(block - block.max()).sum()
            np.testing.assert_allclose(soft[:-1], e.point[sl], atol=1e-10)


def test_replicator_mutator_without_mutation_is_the_replicator():
    game = _random_game(7)
    a = gt.analyze(game.dynamics("replicator_mutator", mutation=0), n_starts=256)
    b = gt.analyze(game)
    assert not b.continua
    _same_points([e.point for e in a.equilibria], [e.point for e in b.equilibria])


def test_dynamics_panel_draws_one_portrait_per_kind():
    import matplotlib.pyplot as plt

    import gametheory.plot as gplot

    pennies = gt.Game.from_table(
        {"r": ["H", "T"], "c": ["H", "T"]},
        {("H", "H"): (3, 1), ("H", "T"): (1, 3), ("T", "H"): (1, 3), ("T", "T"): (3, 1)},
    )  # positive payoffs: the adjusted replicator divides by the mean payoff
    fig = gplot.dynamics_panel(pennies, n=2, t_span=(0, 5))
    assert [a.get_title().split(" ", 1)[1] for a in fig.axes] == sorted(KINDS)
    assert all(a.lines for a in fig.axes)  # trajectories drawn in every panel
    plt.close(fig)
    with pytest.raises(gt.SpecificationError, match="unknown dynamics \\['replicatr'\\]"):
        gplot.dynamics_panel(pennies, ["replicatr"])
    fig, axes = plt.subplots(1, 2)
    with pytest.raises(gt.SpecificationError, match="one axes per kind: 3 kinds, 2 axes"):
        gplot.dynamics_panel(pennies, ["replicator", "logit", "bnn"], ax=axes)
    plt.close(fig)
