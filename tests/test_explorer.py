"""gt.explore: sliders from the parameters' bounds, live table / verdict / figure, errors."""

from __future__ import annotations

import html
import math
import sys

import numpy as np
import pandas as pd
import pytest

import gametheory as gt
from gametheory.explorer import MissingDependencyError
from gametheory.explorer_setup import slider_range
from gametheory.models import classic
from gametheory.models import crisis_governance as cg


def _ess(game, params):
    return sorted(e.state for e in gt.analyze(game, params).ess)


@pytest.fixture(scope="module")
def flagship():
    return cg.game()


@pytest.fixture
def explorer(flagship):
    return gt.explore(flagship, cg.STATUS_QUO)


def _assert_table_is_analysis(explorer, game, params):
    expected = gt.analyze(game, params).to_frame()
    pd.testing.assert_frame_equal(explorer.table, expected)


def test_sliders_for_every_parameter_with_the_bounds_as_range(explorer, flagship):
    assert list(explorer.sliders) == list(flagship.parameter_names)
    for p in flagship.parameters:
        slider = explorer.sliders[p.name]
        assert slider.value == cg.STATUS_QUO[p.name]
        lo, hi = p.bounds
        if math.isfinite(hi):
            assert (slider.min, slider.max) == (lo, hi), p.name
        else:  # (0, inf): the finite side is kept, the other from the default range [0, 2v]
            assert (slider.min, slider.max) == (lo, 2 * cg.STATUS_QUO[p.name]), p.name
    assert explorer.params == dict(cg.STATUS_QUO)
    unbounded = {p.name for p in flagship.parameters if not math.isfinite(p.bounds[1])}
    noted = {note.split(":")[0] for note in explorer.notes}
    assert noted == unbounded
    assert "default range" in explorer.notes_widget.value
    assert list(explorer.start_sliders) == ["x", "y", "z"]


def test_moving_a_slider_by_set_updates_table_verdict_and_figure(explorer, flagship):
    assert _ess(flagship, cg.STATUS_QUO) == [(0, 0, 0)]
    moved = dict(cg.STATUS_QUO, F_g=5.0)  # F_g above 4.3: (1, 1, 1) is an ESS too
    assert _ess(flagship, moved) == [(0, 0, 0), (1, 1, 1)]
    before = (explorer.table_widget.value, explorer.verdict, explorer.image.value)
    _assert_table_is_analysis(explorer, flagship, cg.STATUS_QUO)
    explorer.set(F_g=5.0)
    assert explorer.params == moved
    _assert_table_is_analysis(explorer, flagship, moved)
    assert explorer.table_widget.value != before[0]
    assert (
        explorer.verdict != before[1] and "(1, 1, 1)" in explorer.verdict and "(0, 0, 0)" in explorer.verdict
    )
    assert explorer.image.value != before[2] and explorer.image.value[:8] == b"\x89PNG\r\n\x1a\n"
    assert html.escape(explorer.verdict) in explorer.verdict_widget.value
    assert set(explorer.timings) == {"analysis", "integration", "drawing"}
    assert explorer.last_update_seconds == pytest.approx(sum(explorer.timings.values()), rel=1e-6)


def test_assigning_slider_value_as_a_user_does_updates_everything(explorer, flagship):
    moved = dict(
        cg.STATUS_QUO, C_g=8.0
    )  # below 8.6 (0,0,0) is lost; below 8.7 (1,1,1) and 7.1..8.6 (1,0,0) gained
    assert _ess(flagship, moved) == [(1, 0, 0), (1, 1, 1)]
    before = (explorer.verdict, explorer.image.value)
    explorer.sliders["C_g"].value = 8.0
    _assert_table_is_analysis(explorer, flagship, moved)
    assert explorer.verdict != before[0]
    assert "(1, 1, 1) = ('C', 'E', 'A')" in explorer.verdict and "(0, 0, 0)" not in explorer.verdict
    assert explorer.image.value != before[1]
    assert sorted(e.state for e in explorer.report.ess) == [(1, 0, 0), (1, 1, 1)]


def test_figure_is_reused_and_not_registered_with_pyplot(explorer):
    import matplotlib.pyplot as plt

    figure = explorer.figure
    opened = plt.get_fignums()
    for value in (2.0, 4.0, 5.5):
        explorer.set(F_g=value)
    assert explorer.figure is figure and plt.get_fignums() == opened
    assert len(figure.axes) == 1 and figure.axes[0].name == "3d"


def test_start_sliders_move_the_highlighted_trajectory_and_are_clipped(explorer):
    before = explorer.image.value
    explorer.set(x=0.9, y=0.9, z=0.9)
    np.testing.assert_allclose(explorer.start, [0.9, 0.9, 0.9])
    assert explorer.image.value != before
    highlighted = [line for line in explorer.figure.axes[0].lines if line.get_linewidth() == 2.0]
    xs, ys, zs = highlighted[0].get_data_3d()
    assert (xs[0], ys[0], zs[0]) == (0.9, 0.9, 0.9)


def test_set_rejects_unknown_names_and_values_outside_the_range(explorer):
    with pytest.raises(gt.ParameterError, match="F_gg.*did you mean 'F_g'"):
        explorer.set(F_gg=1.0)
    with pytest.raises(gt.ParameterError, match=r"F_g = 9.0 is outside the slider range \[0, 6\]"):
        explorer.set(F_g=9.0)


def test_parameter_without_bounds_gets_the_documented_default_range():
    game = gt.Game.from_table(
        {"row": ["H", "T"], "col": ["H", "T"]},
        {("H", "H"): ("a", "b"), ("H", "T"): ("-a", "a"), ("T", "H"): ("-a", "a"), ("T", "T"): ("a", "-a")},
        parameters={"a": 1.5, "b": -2.0},
    )
    ex = gt.explore(game, {"b": 0.0}, backend="numpy")
    assert (ex.sliders["a"].min, ex.sliders["a"].max) == (0.0, 3.0)
    assert (ex.sliders["b"].min, ex.sliders["b"].max) == (-1.0, 1.0)  # started at 0
    assert ex.notes == (
        "a: no finite bounds, slider range [0, 3] (default range)",
        "b: no finite bounds, slider range [-1, 1] (default range)",
    )
    assert slider_range(gt.Parameter("c", -2.0)) == (-4.0, 0.0, True)
    assert slider_range(gt.Parameter("d", 5.0, (2, float("inf"))), 1.0) == (2.0, 4.0, True)  # [2, 2] empty
    explicit = gt.explore(game, bounds={"a": (-2, 2), "b": (-5, 5)}, backend="numpy")
    assert explicit.notes == ()
    assert (explicit.sliders["a"].min, explicit.sliders["a"].max) == (-2.0, 2.0)


@pytest.mark.parametrize(
    ("bounds", "match"),
    [
        ({"F_gg": (0, 1)}, "'F_gg' is not a parameter of the game.*did you mean 'F_g'"),
        ({"F_g": (5, 1)}, r"bounds\['F_g'\].*lower end must be below"),
        ({"F_g": (0, float("inf"))}, r"bounds\['F_g'\].*finite"),
        ({"F_g": (0, float("nan"))}, r"bounds\['F_g'\].*finite"),
        ({"F_g": "ab"}, r"bounds\['F_g'\].*two numbers"),
        ({"F_g": (1, 2, 3)}, r"bounds\['F_g'\].*two numbers"),
    ],
)
def test_bad_bounds_are_game_errors_naming_the_item(flagship, bounds, match):
    with pytest.raises(gt.GameError, match=match):
        gt.explore(flagship, bounds=bounds)


def test_bad_params_are_game_errors(flagship):
    with pytest.raises(gt.ParameterError, match="'Fg' is not a parameter.*did you mean 'F_g'"):
        gt.explore(flagship, {"Fg": 1.0})
    with pytest.raises(gt.ParameterError, match=r"params\['F_g'\].*not finite"):
        gt.explore(flagship, {"F_g": float("inf")})
    with pytest.raises(
        gt.SpecificationError, match="unexpected keyword argument 'bound'.*did you mean 'bounds'"
    ):
        gt.explore(flagship, bound={"F_g": (0, 1)})
    with pytest.raises(gt.SpecificationError, match="either a dynamics object"):
        gt.explore(flagship.replicator(), dynamics="smith")


def test_one_population_game_on_the_simplex():
    rps = classic.rock_paper_scissors()
    ex = gt.explore(rps, backend="numpy")  # small games: no numba compilation in the tests
    assert ex.geometry == "simplex" and ex.figure.axes[0].name != "3d"
    assert ex.verdict.startswith("ESS (Maynard Smith") and "(1/3, 1/3)" in ex.verdict
    picture = ex.image.value
    ex.sliders["w"].value = 0.5  # w < l: the centre is no longer an ESS
    assert ex.verdict == "ESS: none"
    assert ex.image.value != picture
    pd.testing.assert_frame_equal(ex.table, gt.analyze(rps, {"w": 0.5, "l": 1.0}).to_frame())
    assert list(ex.start_sliders) == ["x1", "x2"]
    ex.set(x1=0.9, x2=0.9)  # outside the simplex: projected onto its edge
    np.testing.assert_allclose(ex.start, [0.5, 0.5])


def test_two_population_game_on_the_square():
    game = gt.Game.from_table(
        {"row": ["C", "D"], "col": ["C", "D"]},
        {
            ("C", "C"): ("b - c", "b - c"),
            ("C", "D"): ("-c", "b"),
            ("D", "C"): ("b", "-c"),
            ("D", "D"): (0, 0),
        },
        parameters={"b": 3.0, "c": 1.0},
    )
    ex = gt.explore(game, bounds={"c": (-2, 2)}, backend="numpy")
    assert ex.geometry == "square" and ex.notes == (
        "b: no finite bounds, slider range [0, 6] (default range)",
    )
    assert [e.state for e in ex.report.ess] == [(0, 0)] and "('D', 'D')" in ex.verdict
    picture = ex.image.value
    ex.sliders["c"].value = -1.0  # a negative cost: cooperating dominates
    assert [e.state for e in ex.report.ess] == [(1, 1)] and "('C', 'C')" in ex.verdict
    assert ex.image.value != picture
    pd.testing.assert_frame_equal(ex.table, gt.analyze(game, {"b": 3.0, "c": -1.0}).to_frame())


def test_analysis_refusal_is_shown_instead_of_raising(flagship, monkeypatch):
    import gametheory.explorer as module

    def refuse(model, params):
        raise gt.AnalysisError("this dynamics has no <exact> analysis")

    monkeypatch.setattr(module, "analyze", refuse)
    ex = gt.explore(flagship, cg.STATUS_QUO)
    assert ex.table is None and ex.report is None
    assert ex.verdict == "analysis not available: AnalysisError: this dynamics has no <exact> analysis"
    assert "no &lt;exact&gt; analysis" in ex.table_widget.value
    assert ex.integration_message == "" and len(ex.figure.axes) == 1  # the portrait is still drawn


def test_a_dynamics_refusing_the_parameters_shows_both_messages(flagship):
    ex = gt.explore(flagship, cg.STATUS_QUO, dynamics="adjusted_replicator")  # payoffs must be positive
    assert ex.table is None and ex.verdict.startswith("analysis not available: ParameterError")
    assert ex.integration_message.startswith("no trajectories: ParameterError")
    assert ex.figure.axes == [] and ex.image.value[:4] == b"\x89PNG"


def test_more_than_three_dimensions_draws_a_time_series():
    game = gt.Game.from_table(
        {"a": ["1", "2", "3"], "b": ["1", "2", "3"]},
        {(r, c): (f"u*{i + j}", f"-u*{i * j}") for i, r in enumerate("123") for j, c in enumerate("123")},
        parameters={"u": 1.0},
    )
    ex = gt.explore(game, backend="numpy")
    assert ex.geometry is None and len(ex.start_sliders) == 4
    assert ex.figure.axes[0].get_xlabel() != "" and ex.image.value[:4] == b"\x89PNG"


@pytest.mark.parametrize("module", ["ipywidgets", "pandas"])
def test_missing_ipywidgets_is_a_game_error_naming_the_extra(flagship, monkeypatch, module):
    monkeypatch.setitem(sys.modules, module, None)  # import <module> now raises ImportError
    with pytest.raises(
        MissingDependencyError, match=rf'{module} is missing.*pip install "gametheory-egt\[explore\]"'
    ):
        gt.explore(flagship)
    assert issubclass(MissingDependencyError, gt.GameError)


def test_a_slider_moved_back_reuses_the_analysis(explorer):
    first = explorer.report
    explorer.set(F_g=5.0)
    assert explorer.report is not first
    explorer.set(F_g=3.0)
    assert explorer.report is first and explorer.params == dict(cg.STATUS_QUO)


def test_notebook_display_delegates_to_the_widget(explorer):
    bundle = explorer._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == explorer.widget.model_id


def test_table_html_is_escaped(explorer):
    from gametheory.explorer import _table_html

    assert "<table" in explorer.table_widget.value and "sink" in explorer.table_widget.value
    frame = pd.DataFrame({"kind": ["<script>alert(1)</script>"], "eigenvalues": [(1 + 2j, -1 + 0j)]})
    text = _table_html(frame)
    assert "<script>" not in text and "&lt;script&gt;" in text and "1+2i, -1" in text
