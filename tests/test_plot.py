"""Figures (Agg backend): each plot function draws what it claims, checked against independent computation."""

from __future__ import annotations

import dataclasses
import itertools
import math

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.collections import PathCollection, QuadMesh
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Rectangle
from matplotlib.quiver import Quiver

import gametheory as gt
from gametheory import plot
from gametheory.analysis.attractors import attractors
from gametheory.figures import FLAGSHIP_RELATIONS
from gametheory.models import crisis_governance as cg
from gametheory.plot.theme import vertex_colour

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


def pennies_2() -> gt.Game:
    """Two-player matching pennies: corners are saddles (eigenvalues +-2a), the centre is a neutral centre."""
    return gt.Game.from_table(
        {"row": ["H", "T"], "col": ["H", "T"]},
        {("H", "H"): ("a", "-a"), ("H", "T"): ("-a", "a"), ("T", "H"): ("-a", "a"), ("T", "T"): ("a", "-a")},
        {"a": 1.0},
    )


def rps_vs_two() -> gt.Game:
    """A 3-strategy population against a 2-strategy one (for the ternary portrait)."""
    return gt.Game.from_table(
        {"p": ["R", "P", "S"], "q": ["A", "B"]},
        {
            ("R", "A"): ("0", "1"), ("R", "B"): ("0", "0"), ("P", "A"): ("1", "0"),
            ("P", "B"): ("-1", "1"), ("S", "A"): ("-1", "0"), ("S", "B"): ("1", "1"),
        },
    )  # fmt: skip


def vertex_kinds_by_hand(game: gt.Game, params: dict) -> dict[tuple[str, ...], str]:
    """Kinds of the vertices of a game of 2-strategy populations from the payoff table alone.

    At vertex s the Jacobian is diagonal with entries pi_i(other strategy, s_-i) - pi_i(s): the sign
    pattern of these payoff differences decides the kind (independent of dynamics.py and plot.py).
    """
    subs = {p.symbol: params.get(p.name, p.default) for p in game.parameters}
    out = {}
    for profile in game.profiles:
        gains = []
        for i, pop in enumerate(game.populations):
            dev = list(profile)
            dev[i] = pop.strategies[1 - pop.strategies.index(profile[i])]
            gains.append(float((game.payoff(dev, i) - game.payoff(profile, i)).subs(subs)))
        gains = np.array(gains)
        out[profile] = (
            "non-hyperbolic"
            if np.any(gains == 0)
            else "sink"
            if np.all(gains < 0)
            else "source"
            if np.all(gains > 0)
            else "saddle"
        )
    return out


# ------------------------------------------------------------------ labels and style
def test_labels_use_the_parameters_latex_symbols(flagship):
    assert plot.parameter_label("lam") == "$\\lambda$"
    assert plot.parameter_label("F_g") == "$F_{g}$"
    assert plot.parameter_label("theta", 0.5) == "$\\theta = 0.5$"
    assert plot.state_label(flagship, 0) == "$x$: government C"
    assert plot.state_label(flagship, 2, long=False) == "$z$"


def test_style_is_okabe_ito_and_restored_after_use(flagship):
    before = matplotlib.rcParams["font.size"]
    ax = plot.time_series(flagship.simulate([0.5] * 3, (0, 5), SQ))
    assert matplotlib.rcParams["font.size"] == before  # the style is a context, not a global change
    colours = {matplotlib.colors.to_hex(line.get_color()).upper() for line in ax.lines}
    assert colours <= set(plot.OKABE_ITO)
    assert ax.figure.get_figwidth() == pytest.approx(plot.COLUMN_WIDTH)


# ----------------------------------------------------------------------- time series
def test_time_series_draws_every_coordinate_of_every_run(flagship):
    t_eval = np.linspace(0, 20, 101)
    runs = [flagship.simulate(x0, (0, 20), OPT, t_eval=t_eval) for x0 in ([0.2] * 3, [0.7] * 3)]
    ax = plot.time_series(runs, dynamics=flagship, title="OPTIMIZED")
    assert len(ax.lines) == 2 * 3
    for k, run in enumerate(runs):
        for r in range(3):
            line = ax.lines[r * 2 + k]
            np.testing.assert_array_equal(line.get_xdata(), run.t)
            np.testing.assert_array_equal(line.get_ydata(), run.y[r])
    assert ax.get_ylim() == pytest.approx((-0.02, 1.02))
    assert ax.get_xlim() == pytest.approx((0, 20))
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "$x$: government C",
        "$y$: ngo E",
        "$z$: citizen A",
    ]
    assert ax.get_title() == "OPTIMIZED"


def test_time_series_tells_runs_apart(flagship):
    """Regression: with several runs every run of a coordinate was drawn in the same colour and style."""
    runs = [flagship.simulate(x0, (0, 10), OPT) for x0 in ([0.2] * 3, [0.5] * 3, [0.7] * 3)]
    ax = plot.time_series(runs, dynamics=flagship)
    for r in range(3):
        looks = [
            (matplotlib.colors.to_hex(line.get_color()), line.get_linestyle())
            for line in ax.lines[r * 3 : r * 3 + 3]
        ]
        assert len(set(looks)) == 3, looks  # three runs, three looks
    # the coordinates keep their own colours; a second legend names each run by its start
    first = {matplotlib.colors.to_hex(ax.lines[r * 3].get_color()) for r in range(3)}
    assert len(first) == 3
    runs_legend = [a for a in ax.artists + ax.get_children() if isinstance(a, matplotlib.legend.Legend)]
    texts = {t.get_text() for legend in runs_legend for t in legend.get_texts()}
    assert {"start (0.2, 0.2, 0.2)", "start (0.5, 0.5, 0.5)", "start (0.7, 0.7, 0.7)"} <= texts
    many = [flagship.simulate([0.1 + 0.08 * k] * 3, (0, 2), OPT) for k in range(10)]
    ax = plot.time_series(many, coordinates=["x"])
    looks = {(matplotlib.colors.to_hex(line.get_color()), line.get_linestyle()) for line in ax.lines}
    assert len(looks) == 10


def test_time_series_selects_coordinates_and_accepts_ensemble_arrays(flagship):
    run = flagship.simulate([0.5] * 3, (0, 10), SQ, t_eval=np.linspace(0, 10, 11))
    ax = plot.time_series(run, coordinates=["z"])
    assert len(ax.lines) == 1
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), run["z"])

    class EnsembleLike:  # t (n_t,), y (n_runs, d, n_t), as an ensemble result stores them
        t = run.t
        y = np.stack([run.y, run.y * 0.5])

    ax = plot.time_series(EnsembleLike())
    assert len(ax.lines) == 2 * 3
    np.testing.assert_array_equal(ax.lines[1].get_ydata(), run.y[0] * 0.5)


def test_time_series_rejects_unknown_coordinates_and_objects(flagship):
    run = flagship.simulate([0.5] * 3, (0, 1), SQ)
    with pytest.raises(gt.SpecificationError, match="no coordinate 'zz'.*did you mean 'z'"):
        plot.time_series(run, coordinates=["zz"])
    with pytest.raises(gt.SpecificationError, match="out of range"):
        plot.time_series(run, coordinates=[5])
    with pytest.raises(TypeError, match="Trajectory"):
        plot.time_series(42)


# -------------------------------------------------------------------- rest points
def drawn_kinds(ax) -> list[tuple[np.ndarray, str]]:
    """(point, kind) of every rest point drawn on ``ax`` (scatter collections ``gid="rest points: <kind>"``)."""
    out = []
    for coll in ax.collections:
        gid = coll.get_gid() or ""
        if gid.startswith("rest points: "):
            if hasattr(coll, "_offsets3d"):
                pts = np.column_stack([np.asarray(c, dtype=float) for c in coll._offsets3d])
            else:
                pts = np.asarray(coll.get_offsets(), dtype=float)
            out.extend((p, gid[len("rest points: ") :]) for p in pts)
    return out


def kind_at(ax, point) -> str:
    (kind,) = [k for p, k in drawn_kinds(ax) if np.allclose(p, point)]
    return kind


@pytest.mark.parametrize("params", [SQ, OPT], ids=["STATUS_QUO", "OPTIMIZED"])
def test_vertex_kinds_match_the_payoff_table(flagship, params):
    report = gt.analyze(flagship.game, params)
    ax = plot.rest_points(report)
    by_hand = vertex_kinds_by_hand(flagship.game, params)
    drawn = drawn_kinds(ax)
    assert len(drawn) == len(report.equilibria)
    for profile, v in flagship.vertices():
        assert kind_at(ax, v) == by_hand[profile], profile


def test_flagship_sinks_are_the_calibrated_ess(flagship):
    sinks_sq = [p for p, k in drawn_kinds(plot.rest_points(gt.analyze(flagship.game, SQ))) if k == "sink"]
    sinks_opt = [p for p, k in drawn_kinds(plot.rest_points(gt.analyze(flagship.game, OPT))) if k == "sink"]
    np.testing.assert_array_equal(sinks_sq, [[0, 0, 0]])
    np.testing.assert_array_equal(sinks_opt, [[1, 1, 1]])


def test_rest_points_are_drawn_with_the_kinds_of_the_analysis(flagship):
    """The plot holds no classifier of its own: every marker has the kind of gametheory.analyze."""
    report = gt.analyze(flagship.game, SQ)
    ax = plot.rest_points(report)
    for eq in report.equilibria:
        assert kind_at(ax, eq.point) == eq.kind.value
    assert not hasattr(plot, "_classify")
    with pytest.raises(TypeError, match="StabilityReport"):
        plot.rest_points(flagship)


def test_classification_treats_zero_and_complex_eigenvalues_honestly():
    """The one classifier (analysis.stability, which the plots draw), at the plot's former zero threshold 1e-9."""
    from gametheory.analysis.stability import StabilityKind, _classify

    def kind(eigenvalues):
        return _classify(np.asarray(eigenvalues, dtype=complex), 1e-9)[0]

    assert kind([-1.0, 0.0]) is StabilityKind.NON_HYPERBOLIC
    assert kind([1e-12j, -1e-12j]) is StabilityKind.NON_HYPERBOLIC
    assert kind([-1 + 2j, -1 - 2j]) is StabilityKind.SINK
    assert kind([0.5 + 1j, 0.5 - 1j, -1.0]) is StabilityKind.SADDLE
    assert kind([2.0, 3.0]) is StabilityKind.SOURCE


# ---------------------------------------------------------------- phase portraits
def _scatter_offsets(ax) -> list[np.ndarray]:
    out = []
    for coll in ax.collections:
        if isinstance(coll, PathCollection):
            if hasattr(coll, "_offsets3d"):
                out.append(np.column_stack([np.asarray(c, dtype=float) for c in coll._offsets3d]))
            else:
                out.append(np.asarray(coll.get_offsets(), dtype=float))
    return out


def test_cube_portrait_draws_trajectories_rest_points_and_arrows(flagship):
    ax = plot.phase_portrait(flagship, SQ, n=2, t_span=(0, 40))
    assert ax.name == "3d"
    assert ax.get_xlim() == pytest.approx((0, 1)) and ax.get_zlim() == pytest.approx((0, 1))
    paths = [line for line in ax.lines if len(line.get_xdata()) > 2]
    assert len(paths) == 2**3  # one per start of the 2 x 2 x 2 grid
    dest = matplotlib.colors.to_hex(vertex_colour(7, 8))  # (B, P, I) = (0, 0, 0), the unique ESS
    for line in paths:
        xs, ys, zs = line.get_data_3d()
        assert max(xs[-1], ys[-1], zs[-1]) < 1e-3  # every start ends at the origin
        assert matplotlib.colors.to_hex(line.get_color()) == dest
    # all 8 vertices are marked; the filled (sink) marker sits at the origin only
    marked = np.vstack(_scatter_offsets(ax))
    for _, v in flagship.vertices():
        assert np.any(np.all(np.isclose(marked, v), axis=1))
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "stable (sink)" in legend and "saddle" in legend and "ends near (0, 0, 0)" in legend
    assert (
        sum(type(c).__name__ == "Quiver" or "Line3DCollection" in type(c).__name__ for c in ax.collections)
        >= 8
    )
    assert "x" in ax.get_xlabel() and "government" in ax.get_xlabel()


def test_cube_portrait_needs_a_3d_axes(flagship):
    _, ax = plt.subplots()
    with pytest.raises(gt.SpecificationError, match="3-D axes"):
        plot.phase_portrait(flagship, SQ, ax=ax, n=1)


def test_square_portrait_of_matching_pennies():
    game = pennies_2()
    ax = plot.phase_portrait(game, {"a": 1.0}, starts=[[0.3, 0.5]], t_span=(0, 12))
    assert ax.get_aspect() == 1.0
    assert ax.get_xlim() == pytest.approx((-0.02, 1.02))
    assert any(isinstance(c, Quiver) for c in ax.collections)
    orbit = next(line for line in ax.lines if len(line.get_xdata()) > 2)
    x, y = orbit.get_xdata(), orbit.get_ydata()
    # the orbit is closed: H = ln x + ln(1-x) + ln y + ln(1-y) is conserved by this game's replicator flow
    h = np.log(x) + np.log1p(-x) + np.log(y) + np.log1p(-y)
    assert np.ptp(h) < 1e-6
    assert "ends near no vertex" in [t.get_text() for t in ax.get_legend().get_texts()]
    dyn = game.replicator()
    assert [kind_at(ax, v) for _, v in dyn.vertices()] == ["saddle"] * 4  # eigenvalues +-2 at every corner
    assert kind_at(ax, [0.5, 0.5]) == "non-hyperbolic"  # the neutral centre


def test_simplex_portrait_stays_in_the_triangle():
    game = rps_vs_two()
    ax = plot.phase_portrait(game, {}, n=2, t_span=(0, 20), analysis=False)
    assert not ax.axison and ax.get_aspect() == 1.0
    assert {t.get_text() for t in ax.texts} >= {"R", "P", "S"}
    h = math.sqrt(3) / 2
    paths = [line for line in ax.lines if len(line.get_xdata()) > 4][1:]  # the first is the triangle
    assert paths
    for line in paths:
        x, y = np.asarray(line.get_xdata()), np.asarray(line.get_ydata())
        # inside the triangle (0,0), (1,0), (1/2, sqrt 3/2): y >= 0, y <= sqrt3 x, y <= sqrt3 (1 - x)
        assert np.all(y >= -1e-9) and np.all(y <= math.sqrt(3) * x + 1e-9)
        assert np.all(y <= math.sqrt(3) * (1 - x) + 1e-9) and np.all(y <= h + 1e-9)


def test_portrait_geometry_errors_name_the_problem():
    with pytest.raises(gt.SpecificationError, match="population 'q' has 2 strategies"):
        plot.phase_portrait(rps_vs_two(), {}, population="q")
    four = gt.Game.from_table(
        {f"P{i}": ["a", "b"] for i in range(4)}, {p: ("0",) * 4 for p in itertools.product("ab", repeat=4)}
    )
    with pytest.raises(gt.SpecificationError, match="no phase-portrait geometry"):
        plot.phase_portrait(four, {})


# ---------------------------------------------------------------------- sensitivity
def test_sensitivity_panels_hold_one_independent_run_per_value(flagship):
    values = [3.0, 8.0]
    fig = plot.sensitivity(flagship, "F_g", values, OPT, t_span=(0, 30), baseline=8.0, n_eval=61)
    axes = fig.axes
    assert len(axes) == 3
    t_eval = np.linspace(0, 30, 61)
    for k, v in enumerate(values):
        run = flagship.simulate([0.5] * 3, (0, 30), {**OPT, "F_g": v}, t_eval=t_eval)
        for r, ax in enumerate(axes):
            np.testing.assert_allclose(ax.lines[k].get_ydata(), run.y[r], atol=1e-12)
    # F_g = 3 (STATUS_QUO's value) alone breaks the optimized system: x ends at 0; F_g = 8 reaches 1
    assert axes[0].lines[0].get_ydata()[-1] < 1e-3 and axes[0].lines[1].get_ydata()[-1] > 1 - 1e-3
    assert axes[0].lines[1].get_linestyle() == "--"  # the baseline is emphasised
    labels = [t.get_text() for t in axes[-1].get_legend().get_texts()]
    assert labels == ["$F_{g} = 3$", "$F_{g} = 8$ (baseline)"]
    assert [ax.get_title(loc="left") for ax in axes] == [
        "(a) $x$: government C",
        "(b) $y$: ngo E",
        "(c) $z$: citizen A",
    ]


def test_sensitivity_adds_a_missing_baseline_and_checks_its_input(flagship):
    fig = plot.sensitivity(flagship, "S", [1.0, 2.0], SQ, baseline=1.5, t_span=(0, 5), n_eval=11)
    assert len(fig.axes[0].lines) == 3
    with pytest.raises(gt.ParameterError, match="unknown parameter 'F_q'.*did you mean"):
        plot.sensitivity(flagship, "F_q", [1.0], SQ)
    with pytest.raises(gt.ParameterError, match="non-empty list of finite"):
        plot.sensitivity(flagship, "S", [], SQ)
    with pytest.raises(gt.ParameterError, match="finite"):
        plot.sensitivity(flagship, "S", [1.0, float("nan")], SQ)
    _, axes = plt.subplots(1, 2)
    with pytest.raises(gt.SpecificationError, match="needs 3 axes"):
        plot.sensitivity(flagship, "S", [1.0], SQ, ax=axes)


# ---------------------------------------------------------------------------- basins
def test_basin_bars_stack_to_one_per_scenario():
    shares = {"A": {"(0, 0, 0)": 0.25, "(1, 1, 1)": 0.75}, "B": {"(1, 1, 1)": 1.0}}
    ax = plot.basins(shares)
    bars = [p for p in ax.patches if isinstance(p, Rectangle) and p.get_width() > 0]
    for row, total in ((0, 1.0), (1, 1.0)):
        widths = [b.get_width() for b in bars if abs(b.get_y() + b.get_height() / 2 - row) < 1e-9]
        assert sum(widths) == pytest.approx(total)
    assert {t.get_text() for t in ax.texts} == {"25%", "75%", "100%"}
    assert ax.get_xlim() == (0, 1)


def test_basins_of_an_attractor_report_use_vertex_colours(flagship):
    bistable = {**SQ, "F_g": 8.0}  # both (0, 0, 0) and (1, 1, 1) are ESS here (see the regime maps)
    report = attractors(flagship.game, bistable, n=16, seed=0)
    ax = plot.basins({"F_g = 8": report}, dynamics=flagship)
    colours = {
        matplotlib.colors.to_hex(p.get_facecolor())
        for p in ax.patches
        if isinstance(p, Rectangle) and p.get_width()
    }
    expected = {matplotlib.colors.to_hex(vertex_colour(k, 8)) for k in (0, 7)}
    assert colours == expected
    widths = sorted(p.get_width() for p in ax.patches if isinstance(p, Rectangle) and p.get_width())
    assert widths == pytest.approx(sorted(a.share for a in report.attractors))


def test_basin_slices_place_every_start(wang):
    game, params, _ = wang
    levels = (np.arange(3) + 0.5) / 3
    starts = np.array([(a, b, c) for c in (0.25, 0.75) for b in levels for a in levels])
    report = attractors(game, params, starts=starts)
    fig = plot.basins(report, kind="slices")
    assert len(fig.axes) == 2
    assert [ax.get_title() for ax in fig.axes] == ["$z = 0.25$", "$z = 0.75$"]
    for ax in fig.axes:
        mesh = next(c for c in ax.collections if isinstance(c, QuadMesh))
        assert mesh.get_array().size == 9
    with pytest.raises(gt.SpecificationError, match="unknown basin plot kind"):
        plot.basins(report, kind="pie")


# ---------------------------------------------------------------------- model diagram
#: Couplings of the flagship derived by hand from the payoff formulas in crisis_governance's docstring.
HAND_COUPLINGS = {
    ("ngo", "government"): {"V_n", "lam", "S", "s_g", "L_g"},
    ("citizen", "government"): {"V_c", "lam", "W", "s_g", "F_g", "theta", "L_g"},
    ("government", "ngo"): {"S", "C_n", "tau", "s_n", "F_n"},
    ("citizen", "ngo"): {"R_n", "mu", "s_n", "K_n"},
    ("government", "citizen"): {"W", "R_c", "b_g", "D_c", "s_c"},
    ("ngo", "citizen"): {"R_c", "b_n", "D_c", "s_c"},
}


def test_coupling_parameters_match_the_hand_derivation(flagship):
    found = {k: set(v) for k, v in plot.coupling_parameters(flagship.game).items()}
    assert found == HAND_COUPLINGS


def test_model_diagram_draws_boxes_and_labelled_arrows(flagship):
    game = flagship.game
    ax = plot.model_diagram(game, relations=FLAGSHIP_RELATIONS, titles={"ngo": "NGOs"})
    boxes = [p for p in ax.patches if isinstance(p, FancyBboxPatch)]
    arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    assert len(boxes) == 3
    assert len(arrows) == len({(a, b) for a, b, _, _ in FLAGSHIP_RELATIONS})
    text = "\n".join(t.get_text() for t in ax.texts)
    for _, _, verb, params in FLAGSHIP_RELATIONS:
        assert verb in text
        for p in params:
            assert plot.parameter_label(p) in text
    assert "NGOs" in text and "government" in text
    assert not ax.axison


def test_model_diagram_rejects_relations_the_payoffs_do_not_carry(flagship):
    with pytest.raises(
        gt.SpecificationError, match="'K_n' does not carry an influence of 'government' on 'ngo'"
    ):
        plot.model_diagram(flagship.game, relations=[("government", "ngo", "x", ["K_n"])])
    with pytest.raises(gt.SpecificationError, match="no population 'ngos'"):
        plot.model_diagram(flagship.game, relations=[("government", "ngos", "x", ["S"])])
    default = plot.model_diagram(flagship.game)
    assert len([p for p in default.patches if isinstance(p, FancyArrowPatch)]) == len(HAND_COUPLINGS)


# ------------------------------------------------------ results of gametheory.studies.sweeps
def test_sensitivity_and_time_series_draw_a_sweep_result(flagship):
    from gametheory.studies.sweeps import sweep

    result = sweep(flagship, {"F_g": [3.0, 8.0]}, [[0.5] * 3, [0.2] * 3], (0, 20), OPT, n_times=41)
    fig = plot.sensitivity(flagship, "F_g", trajectories=result, start=1, baseline=8.0)
    for k, v in enumerate([3.0, 8.0]):
        run = flagship.simulate([0.2] * 3, (0, 20), {**OPT, "F_g": v}, t_eval=result.t)
        for r, ax in enumerate(fig.axes):
            line = ax.lines[k]
            np.testing.assert_array_equal(line.get_ydata(), result.y.values[k, 1, r])
            # two independent integrators (ensemble DP5 and solve_ivp DOP853), both at rtol 1e-8 / atol 1e-10
            np.testing.assert_allclose(line.get_ydata(), run.y[r], atol=1e-5)
    ax = plot.time_series(result)
    assert len(ax.lines) == 2 * 2 * 3
    with pytest.raises(gt.SpecificationError, match="sweep varies \\['F_g'\\]"):
        plot.sensitivity(flagship, "S", trajectories=result)
    with pytest.raises(gt.ParameterError, match="no run at F_g = 5"):
        plot.sensitivity(flagship, "F_g", [5.0], trajectories=result)


def test_basins_of_sweep_results(flagship):
    from gametheory.figures import PENALTY_ONLY
    from gametheory.studies.basins import basins

    sample = basins(flagship, PENALTY_ONLY, n=64, seed=0)
    ax = plot.basins({"penalty only": sample}, dynamics=flagship)
    widths = [p.get_width() for p in ax.patches if isinstance(p, Rectangle) and p.get_width() > 0]
    expected = np.asarray(sample.share.values)
    assert sorted(widths) == pytest.approx(sorted(expected[expected > 0]))
    assert any("±" in t.get_text() for t in ax.texts)  # shares carry their standard error
    grid = basins(flagship, PENALTY_ONLY, resolution=4)
    fig = plot.basins(grid, dynamics=flagship, kind="slices", levels=(0.1, 0.9))
    assert [ax.get_title() for ax in fig.axes] == ["$z = 0.125$", "$z = 0.875$"]
    for ax, layer in zip(fig.axes, (0, 3)):
        mesh = next(c for c in ax.collections if isinstance(c, QuadMesh))
        assert mesh.get_array().size == 16
        # the mesh holds one outcome code per (y, x) cell of the layer; compare the partition
        codes = np.asarray(mesh.get_array()).reshape(4, 4)
        outcomes = np.asarray(grid.grid.values)[:, :, layer].T  # (y, x)
        for a, b in itertools.combinations(range(16), 2):
            assert (codes.flat[a] == codes.flat[b]) == (outcomes.flat[a] == outcomes.flat[b])


def test_tick_labels_keep_the_style_after_the_context(flagship):
    ax = plot.time_series(flagship.simulate([0.5] * 3, (0, 5), SQ))
    ax.figure.canvas.draw()  # drawn outside the style context, as Jupyter does
    sizes = {t.get_fontsize() for t in ax.get_xticklabels() + ax.get_yticklabels()}
    assert sizes == {plot.RC_PARAMS["xtick.labelsize"]}


def test_rest_points_draws_a_rest_points_result_without_kinds(flagship):
    """plot.rest_points draws gt.rest_points (points, no kinds) as well as gt.analyze (points and kinds)."""
    from gametheory.analysis.equilibria import rest_points

    found = rest_points(flagship.game, SQ)
    ax = plot.rest_points(found, dynamics=flagship)
    drawn = drawn_kinds(ax)
    assert {k for _, k in drawn} == {"unclassified"} and len(drawn) == len(found)
    for p in found:
        assert kind_at(ax, p.point) == "unclassified"
    # a RestPoints result carries its dynamics (so found.plot() works); one without it needs dynamics=
    bare = dataclasses.replace(found, dynamics=None)
    with pytest.raises(gt.SpecificationError, match="needs dynamics="):
        plot.rest_points(bare)
