"""The variants' figures and tables (issue 11, items 1 and 6): the numbers paper_figures/README.md
states about them, checked against computations written here."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.image  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from scipy.integrate import solve_ivp  # noqa: E402
from scipy.special import expit  # noqa: E402
from scipy.stats import qmc  # noqa: E402

import gametheory as gt  # noqa: E402
from gametheory import figures  # noqa: E402
from gametheory.figures_variants import LOGIT_TABLE_ETAS, logit_branch, variant_manifest  # noqa: E402
from gametheory.models import crisis_governance as cg  # noqa: E402

ODE = {"method": "DOP853", "rtol": 1e-12, "atol": 1e-14}


def hand_advantages(x, params):
    """Payoff advantage of C, E, A over B, P, I at the state x, from the model's payoff templates."""
    game = cg.game()
    out = []
    for i, pop in enumerate(game.populations):
        total = np.zeros(2)
        for profile in game.profiles:
            weight = np.prod(
                [
                    x[k] if s == game.populations[k].strategies[0] else 1 - x[k]
                    for k, s in enumerate(profile)
                    if k != i
                ]
            )
            j = pop.strategies.index(profile[i])
            total[j] += weight * float(game.payoff(profile, pop.name).subs(params))
        out.append(total[0] - total[1])
    return np.array(out)


def test_manifest_appends_the_variants_and_keeps_the_flagship_order():
    names = [a.name for a in figures.manifest()]
    new = [row[0] for row in variant_manifest()]
    # later extensions (finite populations, bifurcation diagrams, sensitivity) come after the variants
    after = sum(len(manifest()) for manifest, _ in figures._EXTENSIONS[1:])
    assert names[-len(new) - after : len(names) - after] == new and len(names) == len(set(names))
    assert {"accountability_phase", "logit_noise", "dynamics_panel"} <= set(new)


@pytest.mark.parametrize("key, start", [("status_quo", (0, 0, 0)), ("optimized", (1, 1, 1))])
def test_logit_branch_solves_the_logit_fixed_point_and_matches_analyze(key, start):
    params = cg.STATUS_QUO if key == "status_quo" else cg.OPTIMIZED
    etas = np.concatenate([np.geomspace(0.02, 0.09, 6), LOGIT_TABLE_ETAS])
    points, growth = logit_branch(cg.game(), params, start, etas)
    assert (growth < 0).all()
    for eta, x in zip(etas, points):
        # the fixed point x = sigma(Delta(x)/eta) with Delta from the payoff templates (1e-10: the
        # residual of the solver is < 1e-12, the templates are evaluated in double precision)
        assert np.abs(x - expit(hand_advantages(x, params) / eta)).max() < 1e-10
    for eta, x in zip(etas[-4:], points[-4:]):
        report = gt.analyze(cg.game().dynamics("logit", eta=float(eta)), dict(params))
        sinks = [e.point for e in report.equilibria if e.kind is gt.StabilityKind.SINK]
        assert any(np.abs(s - x).max() < 1e-6 for s in sinks), (eta, x, sinks)


def test_logit_distance_from_the_corner_follows_the_payoff_advantage():
    # README: 1 - x_i ~ exp(-Delta_i / eta) for governments (3.2) and citizens (3) as eta -> 0
    advantage = hand_advantages(np.ones(3), cg.OPTIMIZED)
    assert advantage == pytest.approx([3.2, 12.0, 3.0])
    points, _ = logit_branch(cg.game(), cg.OPTIMIZED, (1, 1, 1), [0.5, 0.4, 0.3])
    for eta, x in zip([0.5, 0.4, 0.3], points):
        ratio = (1 - x[[0, 2]]) / np.exp(-advantage[[0, 2]] / eta)
        assert np.all((ratio > 0.5) & (ratio < 2))


def test_accountability_optimized_has_two_sinks():
    dyn = cg.dynamic_accountability_game().replicator()
    p = dict(cg.OPTIMIZED)
    for point in ([0.4, 1.0, 1.0], [0.4, 4 / 49, 0.0]):
        assert np.abs(dyn.vector_field(point, p)).max() < 1e-12
        # the Jacobian by differences of the field, one-sided on the cube's faces (a polynomial:
        # h = 1e-7 gives errors ~1e-6, far below the margin 0.1 of the eigenvalue test)
        h, x = 1e-7, np.array(point)
        cols = []
        for e in np.eye(3):
            lo = x - h * e if (x @ e) > 0 else x
            hi = x + h * e if (x @ e) < 1 else x
            cols.append((dyn.vector_field(hi, p) - dyn.vector_field(lo, p)) / ((hi - lo) @ e))
        J = np.column_stack(cols)
        assert (np.linalg.eigvals(J).real < -0.1).all()
    report = gt.analyze(cg.dynamic_accountability_game(), p, n_starts=256)
    sinks = sorted(tuple(np.round(e.point, 4)) for e in report.equilibria if e.kind is gt.StabilityKind.SINK)
    assert sinks == [(0.4, 0.0816, 0.0), (0.4, 1.0, 1.0)]
    # (1, 1, 1): the government's eigenvalue +4.8 (the penalty is gone at x = 1)
    assert dyn.jacobian_at([1.0, 1.0, 1.0], p)[0, 0] == pytest.approx(4.8)


def test_accountability_basin_split_and_paths():
    dyn = cg.dynamic_accountability_game().replicator()
    p = dict(cg.OPTIMIZED)
    starts = qmc.Sobol(3, scramble=True, seed=0).random(512)
    finals = np.asarray(gt.simulate_many(dyn, starts, t_span=(0, 400), params=p, backend="numpy").final)
    focus = np.abs(finals - [0.4, 4 / 49, 0.0]).max(axis=1) < 1e-3
    edge = np.abs(finals - [0.4, 1.0, 1.0]).max(axis=1) < 1e-3
    assert (focus | edge).all()
    assert 0.6 < focus.mean() < 0.72  # README: 66.5 % of 4096 starts (512 here: +- 2 standard errors)
    # the five path starts at t = 60 (README): x = 0.4 everywhere; only (0.8, 0.8, 0.8) keeps y = z = 1
    field = lambda _t, s: dyn.vector_field(np.clip(s, 0, 1), p)  # noqa: E731
    for x0 in figures.PATH_STARTS:
        end = solve_ivp(field, (0, 60), x0, **ODE).y[:, -1]
        expected = [0.4, 1.0, 1.0] if x0 == (0.8, 0.8, 0.8) else [0.4, 4 / 49, 0.0]
        assert np.abs(end - expected).max() < 2e-2, (x0, end)
        sq = solve_ivp(lambda _t, s: dyn.vector_field(np.clip(s, 0, 1), cg.STATUS_QUO), (0, 10), x0, **ODE)
        assert sq.y[:, -1].max() < 0.02  # STATUS_QUO: collapsed within about ten time units


def test_small_build_of_the_variants(tmp_path):
    names = [row[0] for row in variant_manifest()]
    result = figures.build_flagship(tmp_path, small=True, only=names, formats=("png",))
    expected = [f for a in figures.manifest() if a.name in names for f in a.files if not f.endswith(".pdf")]
    assert [p.name for p in result.files] == expected
    for path in tmp_path.glob("*.png"):
        assert np.ptp(matplotlib.image.imread(path)[..., :3]) > 0.5, path.name
    table = (tmp_path / "accountability_stability_optimized.md").read_text()
    assert table.count("| sink |") == 2
    assert (
        "| 0.5 | (0.040, 0.000, 0.123) sink | (0.998, 1.000, 0.997) sink |"
        in (tmp_path / "logit_noise_table.md").read_text()
    )
    assert "\\begin{tabular}" in (tmp_path / "logit_noise_table.tex").read_text()
