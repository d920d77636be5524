"""Regime maps (Agg backend): the plot draws gametheory.regime_map's cells and critical values, nothing of its own."""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
import sympy
from matplotlib.collections import QuadMesh

import gametheory as gt
from gametheory import plot
from gametheory.models import crisis_governance as cg
from gametheory.plot.theme import vertex_colour, vertex_label

matplotlib.use("Agg")

SQ, OPT = dict(cg.STATUS_QUO), dict(cg.OPTIMIZED)


@pytest.fixture(scope="module")
def flagship():
    return cg.game().replicator()


@pytest.fixture(autouse=True)
def _no_show_and_close(monkeypatch):
    """No plot function may open a window: plt.show raises; every figure is closed afterwards."""

    def forbidden(*args, **kwargs):
        raise AssertionError("plt.show() called by a plot function")

    monkeypatch.setattr(plt, "show", forbidden)
    yield
    plt.close("all")


def plotted_regimes(ax) -> np.ndarray:
    """The legend label of every cell of a drawn regime map, shape (n_vertical, n_horizontal)."""
    mesh = next(c for c in ax.collections if c.get_gid() == "regimes")
    labels = {
        int(c.get_gid().split()[-1]): c.get_label()
        for c in ax.collections
        if (c.get_gid() or "").startswith("regime ")
    }
    codes = np.asarray(mesh.get_array())
    n1, n2 = len(mesh.get_coordinates()[0]), len(mesh.get_coordinates())
    return np.vectorize(labels.get, otypes=[object])(codes.reshape(n2 - 1, n1 - 1))


def plotted_ess(ax, dyn) -> np.ndarray:
    """ess[k, b, a]: the cell's label names vertex k as an ESS."""
    cells = plotted_regimes(ax)
    return np.array(
        [[[vertex_label(dyn, k) in lab for lab in row] for row in cells] for k in range(len(dyn.vertices()))]
    )


def test_ess_grid_matches_jacobian_eigenvalues(flagship):
    ax = plot.regime_map(flagship, {"F_g": (0, 16), "S": (0, 6)}, SQ, resolution=9)
    ess = plotted_ess(ax, flagship)
    assert ess.shape == (8, 9, 9)
    values = np.linspace(0, 16, 9), np.linspace(0, 6, 9)
    for b, a in [(0, 0), (2, 5), (4, 8), (8, 3), (6, 6)]:
        params = {**SQ, "F_g": values[0][a], "S": values[1][b]}
        for k, (_, v) in enumerate(flagship.vertices()):
            ev = np.linalg.eigvals(flagship.jacobian_at(v, params))
            assert ess[k, b, a] == bool(np.all(ev.real < -1e-9)), (k, params)


def near_tie_game() -> gt.Game:
    """Row's deviation gain at (H, H) is ``a`` against payoffs of size 1000; col's is -1."""
    return gt.Game.from_table(
        {"row": ["H", "T"], "col": ["H", "T"]},
        {
            ("H", "H"): ("1000", "0"),
            ("T", "H"): ("1000 + a", "0"),
            ("H", "T"): ("0", "-1"),
            ("T", "T"): ("b", "0"),
        },
        {"a": 0.0, "b": 0.0},
    )


def test_plotted_regime_map_and_computed_regime_map_agree_at_ties():
    """Regression: the plot had its own ESS grid (tolerance relative to the gains, not the payoffs).

    At a = -5e-7 the row's deviation loses 5e-7, below 1e-9 of the payoff scale 1000: a tie for
    gametheory.regime_map (strict_equilibria), an ESS for the plot's old grid.  At a = 0 an exact tie.
    """
    game = near_tie_game()
    dyn = game.replicator()
    grid = {"a": np.array([-1e-3, -5e-7, 0.0, 1e-3]), "b": np.array([0.0, 1.0])}
    computed = gt.regime_map(game, grid, {}, n=0)
    ax = plot.regime_map(game, grid, {})
    by_label = {vertex_label(dyn, k): ",".join(p) for k, (p, _) in enumerate(dyn.vertices())}
    plotted = plotted_regimes(ax)  # (b, a)
    regime = np.asarray(computed.regime.values, dtype=object)  # (a, b)
    for a in range(4):
        for b in range(2):
            mine = {by_label[lab] for lab in by_label if lab in plotted[b, a]}
            theirs = set(regime[a, b].split(" ", 1)[1].split(" | ")) if regime[a, b] != "no ESS" else set()
            assert mine == theirs, (grid["a"][a], grid["b"][b], plotted[b, a], regime[a, b])
    assert "H,H" not in regime[1, 0] and "H,H" not in regime[2, 0]  # the two tie cells
    assert "H,H" in regime[0, 0]


def deviation_gains(game: gt.Game, profile) -> list:
    """pi_i(dev, s_-i) - pi_i(s) for every unilateral deviation from ``profile`` (from the payoff table)."""
    out = []
    for i, pop in enumerate(game.populations):
        for strategy in pop.strategies:
            if strategy == profile[i]:
                continue
            dev = list(profile)
            dev[i] = strategy
            out.append(sympy.expand(game.payoff(dev, i) - game.payoff(profile, i)))
    return out


def threshold_lines(dyn, values, params, vertex, n_samples):
    """The threshold lines the regime map draws for ``vertex`` (analysis.thresholds.threshold_curves)."""
    from gametheory.analysis.thresholds import threshold_curves
    from gametheory.plot import _results

    result = gt.regime_map(dyn, values, params, n=0)
    cells = _results.grid_values(result)
    (n1, x), (n2, y) = values.items()
    curves = threshold_curves(
        dyn, (n1, n2), params, bounds=((x[0], x[-1]), (y[0], y[-1])), n_samples=n_samples,
        critical=cells.thresholds,
    )  # fmt: skip
    return curves.segments(vertex), cells


def test_regime_map_colours_cells_and_draws_exact_thresholds(flagship):
    ax = plot.regime_map(
        flagship,
        {"theta": (0.05, 1.0), "F_g": (0, 16)},
        SQ,
        resolution=41,
        points={"STATUS_QUO": SQ, "OPTIMIZED": OPT},
    )
    assert any(isinstance(c, QuadMesh) for c in ax.collections)
    assert ax.get_xlim() == pytest.approx((0.05, 1.0)) and ax.get_ylim() == pytest.approx((0, 16))
    assert ax.get_xlabel() == "$\\theta$" and ax.get_ylabel() == "$F_{g}$"
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "ESS (0, 0, 0)" in labels and "STATUS_QUO" in labels and "boundary of ESS (0, 0, 0)" in labels
    marker = next(line for line in ax.lines if line.get_label() == "STATUS_QUO")
    assert (marker.get_xdata()[0], marker.get_ydata()[0]) == (SQ["theta"], SQ["F_g"])
    # (0, 0, 0) stops being an ESS where the government's deviation gain R_g - C_g + L_g + F_g theta
    # reaches 0, i.e. on the hyperbola F_g = (C_g - R_g - L_g) / theta = 2 / theta (hand-derived)
    colour = matplotlib.colors.to_hex(vertex_colour(7, 8))
    boundary = [line for line in ax.lines if line.get_label() == "boundary of ESS (0, 0, 0)"]
    assert boundary
    same_colour = [
        line
        for line in ax.lines
        if matplotlib.colors.to_hex(line.get_color()) == colour and line.get_linestyle() == "-"
    ]
    xs = np.concatenate([line.get_xdata() for line in same_colour])
    ys = np.concatenate([line.get_ydata() for line in same_colour])
    ok = np.isfinite(xs) & np.isfinite(ys)
    assert ok.sum() > 10
    np.testing.assert_allclose(xs[ok] * ys[ok], 2.0, rtol=1e-9)


def test_threshold_segments_bound_the_ess_region_exactly(flagship):
    game = flagship.game
    plane = {"F_g": np.linspace(0, 16, 11), "S": np.linspace(0, 6, 11)}
    for vertex in (0, 7):  # (1, 1, 1) and (0, 0, 0)
        segments, _ = threshold_lines(flagship, plane, OPT, vertex, n_samples=50)
        assert segments
        own = deviation_gains(game, game.profiles[vertex])
        for xs, ys in segments:
            for x, y in zip(xs, ys):
                if not np.isfinite(x):
                    continue
                subs = {p.symbol: sympy.Rational(str(OPT[p.name])) for p in game.parameters}
                subs[game.parameter("F_g").symbol] = x
                subs[game.parameter("S").symbol] = y
                values = [float(g.subs(subs)) for g in own]
                assert min(abs(v) for v in values) < 1e-9  # on a zero set of one deviation gain
                assert max(values) < 1e-9  # and no other deviation pays: the edge of the ESS region


def test_regime_map_input_errors(flagship):
    with pytest.raises(gt.ParameterError, match="exactly two parameters"):
        plot.regime_map(flagship, {"F_g": (0, 1)}, SQ)
    with pytest.raises(gt.ParameterError, match="'theta'.*leaves its bounds"):
        plot.regime_map(flagship, {"theta": (0, 2), "F_g": (0, 1)}, SQ)
    with pytest.raises(gt.ParameterError, match="unknown parameter 'Fg'"):
        plot.regime_map(flagship, {"Fg": (0, 1), "S": (0, 1)}, SQ)
    with pytest.raises(gt.ParameterError, match="needs axes"):
        plot.regime_map(flagship)


def test_regime_map_of_a_sweep_regime_map_agrees_with_the_exact_grid(flagship):
    from gametheory.studies.regimes import regime_map

    f_g, s = np.linspace(0, 16, 9), np.linspace(0, 6, 7)
    result = regime_map(flagship.game, {"F_g": f_g, "S": s}, SQ, n=0)
    ax = plot.regime_map(result, params=SQ, dynamics=flagship)
    mine = plot.regime_map(flagship, {"F_g": f_g, "S": s}, SQ)  # the convenience form computes the same
    np.testing.assert_array_equal(plotted_ess(ax, flagship), np.transpose(result.ess.values, (2, 1, 0)))
    np.testing.assert_array_equal(plotted_regimes(mine), plotted_regimes(ax))
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "boundary of ESS (1, 1, 1)" in labels and "bistable: (1, 1, 1) and (0, 0, 0)" in labels
    bare = plot.regime_map(result, legend=True)  # without params: no thresholds, labels from profiles
    assert not any(t.get_text().startswith("boundary") for t in bare.get_legend().get_texts())
    with pytest.raises(gt.SpecificationError, match="simulated starts"):
        plot.regime_map(result, colour_by="attractor")


def test_regime_map_coloured_by_the_simulated_attractor(flagship):
    from gametheory.studies.regimes import regime_map

    result = regime_map(flagship.game, {"F_g": [3.0, 12.0], "S": [1.0, 5.0]}, SQ, n=4, t_span=(0, 100))
    ax = plot.regime_map(result, params=SQ, dynamics=flagship, colour_by="attractor")
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    prevailing = {str(v) for v in np.asarray(result.prevailing.values).ravel()}
    names = {",".join(p): vertex_label(flagship, k) for k, (p, _) in enumerate(flagship.vertices())}
    assert {lab for lab in labels if lab.startswith("most starts")} == {
        "most starts → " + names.get(o, o) for o in prevailing
    }


def test_shared_legend_gathers_the_categories_of_every_panel(flagship):
    fig, axes = plt.subplots(1, 2, layout="constrained")
    for ax, base in zip(axes, (SQ, OPT)):
        plot.regime_map(flagship, {"theta": (0, 1), "F_g": (0, 16)}, base, ax=ax, resolution=31)
    per_panel = [set(ax.get_legend_handles_labels()[1]) for ax in axes]
    assert per_panel[0] != per_panel[1]  # the panels have different regimes
    legend = plot.shared_legend(fig)
    texts = [t.get_text() for t in legend.get_texts()]
    assert set(texts) == per_panel[0] | per_panel[1] and len(texts) == len(set(texts))
    assert all(ax.get_legend() is None for ax in axes)


def test_threshold_of_a_gain_nonlinear_in_both_parameters_is_the_zero_contour():
    """Row's deviation gain at (H, H) is a^2 + b^2 - 1: (H, H) is an ESS exactly inside the unit circle."""
    game = gt.Game.from_table(
        {"row": ["H", "T"], "col": ["H", "T"]},
        {
            ("H", "H"): ("0", "0"),
            ("T", "H"): ("a^2 + b^2 - 1", "0"),
            ("H", "T"): ("0", "-1"),
            ("T", "T"): ("0", "0"),
        },
        {"a": 0.0, "b": 0.0},
    )
    vertex = game.profiles.index(("H", "H"))
    values = {"a": np.linspace(-2, 2, 41), "b": np.linspace(-2, 2, 41)}
    (segment,), cells = threshold_lines(game.replicator(), values, {}, vertex, n_samples=400)
    xs, ys = segment
    ok = np.isfinite(xs)
    assert ok.sum() > 100
    # the critical values b = +-sqrt(1 - a^2) are exact: radius error far below the former contour's 1e-3
    np.testing.assert_allclose(np.hypot(xs[ok], ys[ok]), 1.0, atol=1e-3)
    centre = np.argmin(np.abs(cells.values[0])), np.argmin(np.abs(cells.values[1]))
    assert cells.ess[vertex, centre[1], centre[0]] and not cells.ess[vertex, 0, 0]
