"""Plots of result objects (Agg backend): every result's plot() draws it; names read from study Datasets."""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.legend import Legend

import gametheory as gt
from gametheory import plot
from gametheory.analysis.attractors import attractors
from gametheory.analysis.equilibria import rest_points
from gametheory.analysis.thresholds import ThresholdCurves, critical_values, threshold_curves
from gametheory.models import classic
from gametheory.models import crisis_governance as cg
from gametheory.plot.theme import UNCERTIFIED_FILL, UNCERTIFIED_HATCH, symbol_label
from gametheory.studies.basins import Basins, basins
from gametheory.studies.regimes import RegimeMap, regime_map
from gametheory.studies.sweeps import sweep

matplotlib.use("Agg")

SQ = dict(cg.STATUS_QUO)


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def flagship():
    return cg.game().replicator()


def pd_game() -> gt.Game:
    return gt.Game.from_table(
        {"row": ["C", "D"], "col": ["C", "D"]},
        {("C", "C"): (3, 3), ("C", "D"): (0, 4), ("D", "C"): (4, 0), ("D", "D"): (1, 1)},
    )


# ------------------------------------------------ names read from the Dataset (regressions)
def test_time_series_legend_of_a_sweep_names_the_coordinates(flagship):
    """Regression: the names were built from 0-d DataArrays (legend "<xarray.DataArray ...>")."""
    result = sweep(flagship, {"F_g": [3.0, 8.0]}, [[0.5] * 3], (0, 5), SQ, n_times=11, backend="numpy")
    ax = plot.time_series(result)
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert texts == [symbol_label(n) for n in flagship.state_names] == ["$x$", "$y$", "$z$"]
    assert not any("DataArray" in t for t in texts)
    runs_legend = next(a for a in ax.artists if isinstance(a, Legend))  # runs named by the swept value
    assert [t.get_text() for t in runs_legend.get_texts()] == [
        "$F_{g} = 3$, start (0.5, 0.5, 0.5)",
        "$F_{g} = 8$, start (0.5, 0.5, 0.5)",
    ]


def test_regime_map_legend_names_the_vertices_of_the_result(flagship):
    """Regression: vertex names were built from 0-d DataArrays ("ESS (<xarray.DataArray ...)")."""
    result = regime_map(flagship.game, {"F_g": np.linspace(0, 16, 5), "S": np.linspace(0, 6, 4)}, SQ, n=0)
    ax = plot.regime_map(result)  # no dynamics: labels from the result's own vertex names
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    names = {"(" + ", ".join(p) + ")" for p in flagship.game.profiles}
    assert texts and not any("DataArray" in t for t in texts)
    for text in texts:
        assert text == "no ESS" or any(name in text for name in names), text
    assert "ESS (B, P, I)" in texts  # (0, 0, 0) at the status quo for low F_g


def test_regime_map_coloured_by_attractor_names_the_prevailing_vertices(flagship):
    result = regime_map(flagship.game, {"F_g": [3.0, 12.0], "S": [1.0, 5.0]}, SQ, n=4, t_span=(0, 50))
    ax = plot.regime_map(result, colour_by="attractor")
    texts = {t.get_text() for t in ax.get_legend().get_texts()}
    expected = {str(v) for v in np.asarray(result.data["prevailing"].values).ravel()}
    assert texts == {"most starts → (" + v.replace(",", ", ") + ")" for v in expected}


# ------------------------------------------------ uncertified outcomes
def _with_prevailing(result: RegimeMap, labels: np.ndarray) -> RegimeMap:
    data = result.data.copy(deep=True)
    data["prevailing"] = (data["prevailing"].dims, labels.astype(object))
    return RegimeMap(data, result.chunks, result.thresholds)


def test_uncertified_outcomes_are_grey_and_hatched_in_regime_maps(flagship):
    result = regime_map(flagship.game, {"F_g": [3.0, 12.0], "S": [1.0, 5.0]}, SQ, n=4, t_span=(0, 50))
    near = "near C,E,A at t = 200, not certified"
    labels = np.array([["C,E,A", near], ["not certified at t = 200", near]], dtype=object)
    ax = plot.regime_map(_with_prevailing(result, labels), dynamics=flagship, colour_by="attractor")
    proxies = {  # long legend texts are wrapped onto lines
        c.get_label().replace("\n", " "): c for c in ax.collections if c.get_label().startswith("most starts")
    }
    assert set(proxies) == {
        "most starts → (1, 1, 1)",
        "most starts → " + near,
        "most starts → not certified at t = 200",
    }
    for label, proxy in proxies.items():
        uncertified = "not certified" in label
        assert (proxy.get_hatch() == UNCERTIFIED_HATCH) == uncertified, label
        if uncertified:
            assert matplotlib.colors.to_hex(proxy.get_facecolor()[0]) == UNCERTIFIED_FILL.lower()
    legend = [t.get_text().replace("\n", " ") for t in ax.get_legend().get_texts()]
    assert "most starts → " + near in legend


def test_uncertified_outcomes_are_grey_and_hatched_in_basin_bars(flagship):
    result = basins(flagship, {**SQ, "F_g": 8.0}, n=32, replicate_size=16, t_span=(0, 20), backend="numpy")
    outcomes = list(result.outcomes)
    renamed = ["near " + o + " at t = 20, not certified" if "," in o else o for o in outcomes]
    data = result.data.assign_coords(outcome=renamed)
    ax = plot.basins(Basins(data, result.chunks), dynamics=flagship)
    bars = [p for p in ax.patches if p.get_width() > 0]
    shares = np.asarray(result.data["share"].values)
    uncertified = [s for o, s in zip(renamed, shares) if "not certified" in o and s > 0]
    hatched = [p for p in bars if p.get_hatch() == UNCERTIFIED_HATCH]
    # the two renamed vertices that starts reach, plus the sample's own "not certified" ends at t = 20
    reached = [o for o, s in zip(outcomes, shares) if s > 0 and ("," in o or "not certified" in o)]
    assert len(uncertified) == len(reached) >= 2 and sorted(p.get_width() for p in hatched) == pytest.approx(
        sorted(uncertified)
    )
    assert all(matplotlib.colors.to_hex(p.get_facecolor()) == UNCERTIFIED_FILL.lower() for p in hatched)
    texts = [t.get_text() for t in ax.figure.legends[0].get_texts()]
    assert all(t in renamed for t in texts)  # legend keeps the labels
    plain = plot.basins(
        result, dynamics=flagship
    )  # certified vertices plain, its own uncertified share hatched
    plain_uncertified = [s for o, s in zip(outcomes, shares) if "not certified" in o and s > 0]
    assert sorted(p.get_width() for p in plain.patches if p.get_hatch()) == pytest.approx(
        sorted(plain_uncertified)
    )


# ------------------------------------------------ every result's plot()
def test_every_result_plot_draws_that_result(flagship):
    game = classic.matching_pennies_3()
    dyn = game.replicator()
    trajectory = dyn.simulate([0.2, 0.3, 0.4], (0, 2))
    ensemble = dyn.simulate_many([[0.2, 0.3, 0.4], [0.6, 0.5, 0.4]], (0, 2), backend="numpy")
    swept = sweep(game, {"a": [1.0, 2.0]}, [[0.2, 0.3, 0.4]], (0, 1), n_times=5, backend="numpy")
    regimes = regime_map(flagship.game, {"F_g": [3.0, 12.0], "S": [1.0, 5.0]}, SQ, n=0)
    sample = basins(game, n=32, replicate_size=16, t_span=(0, 5), backend="numpy")
    report = attractors(pd_game(), starts=[[0.9, 0.8], [0.2, 0.5]])
    found = rest_points(game)
    results = {
        "Trajectory": trajectory,
        "Ensemble": ensemble,
        "SweepResult": swept,
        "RegimeMap": regimes,
        "Basins": sample,
        "AttractorReport": report,
        "RestPoints": found,
    }
    for name, result in results.items():
        assert type(result).__name__ == name
        drawn = result.plot()
        assert isinstance(drawn, (Axes, Figure)), name
        axes = drawn.axes if isinstance(drawn, Figure) else [drawn]
        assert any(a.lines or a.collections or a.patches for a in axes), name
        fig, ax = plt.subplots(subplot_kw={"projection": "3d"} if name == "RestPoints" else None)
        assert result.plot(ax=ax) is ax, name


def test_attractors_plot_labels_each_bar_with_its_attractor():
    report = attractors(pd_game(), starts=[[0.9, 0.8], [0.2, 0.5]])
    ax = plot.attractors(report)
    assert [t.get_text() for t in ax.get_yticklabels()] == [a.label for a in report.attractors]
    assert [p.get_width() for p in ax.patches] == pytest.approx([a.share for a in report.attractors])


# ------------------------------------------------ threshold curves are computed in analysis
def test_threshold_curves_compute_their_own_critical_values(flagship):
    bounds = ((0.05, 1.0), (0.0, 16.0))
    own = threshold_curves(flagship, ("theta", "F_g"), SQ, bounds=bounds, n_samples=40)
    given = threshold_curves(
        flagship, ("theta", "F_g"), SQ, bounds=bounds, n_samples=40,
        critical={p: critical_values(flagship, p, SQ) for p in ("theta", "F_g")},
    )  # fmt: skip
    assert isinstance(own, ThresholdCurves) and own.curves
    for v in range(8):
        a, b = own.segments(v), given.segments(v)
        assert len(a) == len(b)
        for (xa, ya), (xb, yb) in zip(a, b):
            np.testing.assert_array_equal(xa, xb)
            np.testing.assert_array_equal(ya, yb)
    ((xs, ys),) = own.segments(("B", "P", "I"))  # (0, 0, 0): F_g theta = 2
    ok = np.isfinite(xs)
    np.testing.assert_allclose(xs[ok] * ys[ok], 2.0, rtol=1e-9)
    with pytest.raises(ValueError):
        own.curves[0].x[0] = 1.0  # read-only
    assert "F_g" in own.summary() and len(own.to_frame()) == len(own.curves)
    with pytest.raises(gt.ParameterError, match="no parameter 'Fg'"):
        threshold_curves(flagship, ("theta", "Fg"), SQ, bounds=bounds)


def test_regime_map_draws_given_threshold_curves(flagship):
    result = regime_map(
        flagship.game, {"theta": np.linspace(0.05, 1, 5), "F_g": np.linspace(0, 16, 5)}, SQ, n=0
    )
    curves = threshold_curves(flagship, ("theta", "F_g"), SQ, bounds=((0.05, 1.0), (0.0, 16.0)), n_samples=30)
    ax = plot.regime_map(result, dynamics=flagship, thresholds=curves)
    boundary = [line for line in ax.lines if line.get_label() == "boundary of ESS (0, 0, 0)"]
    assert boundary and len(boundary[0].get_xdata()) == len(curves.segments(7)[0][0])
