"""The analysis layer's contract: theory facts asked of the dynamics, one vertex naming, clear text.

Regression tests for the architecture issue's analysis defects and for the
result protocol (immutable, ``summary``, ``_repr_markdown_``/``_repr_html_``,
``to_frame``) of the analysis results.
"""

from __future__ import annotations

import dataclasses
import functools

import numpy as np
import pytest

import gametheory as gt
from gametheory.analysis.corners import corner_conditions
from gametheory.analysis.equilibria import rest_points
from gametheory.analysis.ess import strict_equilibria
from gametheory.analysis.stability import analyze
from gametheory.analysis.thresholds import critical_values
from gametheory.dynamics.base import TheoryFacts
from gametheory.dynamics.replicator import ReplicatorDynamics
from gametheory.errors import AnalysisError, SpecificationError
from gametheory.models import classic, crisis_governance


class _NoTheorems(ReplicatorDynamics):
    """The replicator's equations, but claiming none of its theorems (a stand-in for a new dynamics)."""

    facts = TheoryFacts()


@pytest.mark.parametrize(
    ("call", "name", "fact"),
    [
        (lambda d: rest_points(d), "rest_points", "rest points equalize payoffs"),
        (lambda d: corner_conditions(d), "corner_conditions", "vertex eigenvalues are payoff differences"),
        (
            lambda d: critical_values(d, "F_g"),
            "corner_conditions",
            "vertex eigenvalues are payoff differences",
        ),
        (lambda d: strict_equilibria(d), "strict_equilibria", "sinks are strict nash"),
    ],
)
def test_analysis_refuses_a_dynamics_without_the_theorem_it_needs(call, name, fact):
    dyn = _NoTheorems(crisis_governance.game())
    with pytest.raises(AnalysisError, match=name) as info:
        call(dyn)
    assert fact in str(info.value) and "_NoTheorems" in str(info.value)


def test_analyze_without_the_theorems_falls_back_to_numerical_analysis():
    # the replicator's equations without its theorems: analyze finds the same rest points and
    # kinds numerically (issue 11: analyze works for every dynamics), marked not certified
    game = classic.matching_pennies_3()
    exact, numeric = analyze(game), analyze(_NoTheorems(game))
    assert not numeric.complete and "not certified complete" in " ".join(numeric.notes)
    assert numeric.ess == () and all(not e.is_ess for e in numeric.equilibria)

    def key(report):
        return sorted((tuple(np.round(e.point, 9)), e.kind.value, e.is_nash) for e in report.equilibria)

    assert key(exact) == key(numeric)


@pytest.mark.parametrize("fn", [rest_points, analyze, corner_conditions, strict_equilibria])
def test_public_entries_refuse_non_models_with_a_game_error(fn):
    with pytest.raises(SpecificationError, match="Game or a Dynamics"):
        fn("not a game")


def test_entries_accept_a_game_or_its_dynamics_alike():
    game = classic.matching_pennies_3()
    dyn = game.replicator()
    assert len(rest_points(game)) == len(rest_points(dyn))
    assert analyze(game).summary() == analyze(dyn).summary()
    assert (strict_equilibria(game) == strict_equilibria(dyn)).all()
    assert corner_conditions(game).to_markdown() == corner_conditions(dyn).to_markdown()


# ---------------------------------------------------------------- defects of the issue
def test_one_vertex_convention_in_corner_tables_and_stability_reports():
    """Both name a vertex by .state (0/1 ints) and .profile (strategy names): was tuples vs objects."""
    game = crisis_governance.game()
    for params in (crisis_governance.STATUS_QUO, crisis_governance.OPTIMIZED):
        from_table = corner_conditions(game).ess_at(params)
        from_report = analyze(game, params).ess
        assert [(e.state, e.profile) for e in from_table] == [(e.state, e.profile) for e in from_report]
        assert all(isinstance(v, int) for e in from_table + from_report for v in e.state)
    assert [e.state for e in corner_conditions(game).ess_at(crisis_governance.STATUS_QUO)] == [(0, 0, 0)]


def _one_continuum_game() -> gt.Game:
    """Population a is indifferent exactly when b plays its first strategy, which b always prefers."""
    table = {("1", "1"): (1, 1), ("2", "1"): (1, 1), ("1", "2"): (2, 0), ("2", "2"): (0, 0)}
    return gt.Game.from_table({"a": ["1", "2"], "b": ["1", "2"]}, table, name="one continuum")


def test_counts_are_singular_or_plural_as_english_wants():
    game = _one_continuum_game()
    res = rest_points(game)
    assert len(res.continua) == 1 and "1 continuum," in repr(res)
    report = analyze(game)
    text = report.summary()
    assert "1 continuum;" in text and "1 continua" not in text
    assert "4 isolated (4 vertices)" in text and "4 vertex)" not in text
    assert "1 continuum of rest points" in report.to_markdown()
    assert "1 continuum," in repr(report)
    flagship = repr(rest_points(crisis_governance.game(), crisis_governance.STATUS_QUO))
    assert "8 vertices, 1 other isolated point, 0 continua" in flagship


def test_continua_are_described_without_sympy_internals():
    report = analyze(_one_continuum_game())
    (c,) = report.continua
    assert c.describe() == "0 < x < 1, y = 1"
    for text in (report.summary(), report.to_markdown(), c.describe(), repr(c)):
        assert "Interval" not in text and "Union" not in text


def test_a_printed_point_is_all_exact_or_all_decimal():
    """A short rational beside a long algebraic number printed as a decimal was a mixed tuple."""
    import numpy as np
    import sympy

    from gametheory.analysis.stability_report import Equilibrium, StabilityKind, _latex_point

    long = sympy.sqrt(3) / 11 + sympy.Rational(1, 7) + sympy.sqrt(5) / 7
    e = Equilibrium(
        point=np.array([0.5, float(long)]),
        eigenvalues=np.array([1.0, -1.0]),
        kind=StabilityKind.SADDLE,
        is_ess=False,
        is_nash=False,
        support=(("a", "b"), ("c", "d")),
        profile=None,
        exact=(sympy.Rational(1, 2), long),
        stable_dimension=1,
        unstable_dimension=1,
        center_dimension=0,
        zero_tolerance=1e-15,
        precision="exact",
    )
    assert e.label == f"(0.5, {float(long):.6g})"
    assert _latex_point(e) == f"(0.5, {float(long):.6g})"
    short = dataclasses.replace(e, exact=(sympy.Rational(1, 2), sympy.Rational(1, 3)))
    assert short.label == "(1/2, 1/3)"


# ---------------------------------------------------------------- result protocol
@functools.lru_cache(maxsize=1)
def _results():
    game = crisis_governance.game()
    params = crisis_governance.STATUS_QUO
    report = analyze(game, params)
    table = corner_conditions(game)
    return {
        "RestPoints": rest_points(game, params),
        "RestPointSet": rest_points(_one_continuum_game()).continua[0],
        "RestPoint": rest_points(game, params)[0],
        "StabilityReport": report,
        "Equilibrium": report.equilibria[0],
        "CornerTable": table,
        "CornerEntry": table[(0, 0, 0)],
        "Feasibility": table.can_be_ess_together((0, 0, 0), (1, 1, 1)),
        "CriticalValues": critical_values(game, "F_g", params),
        "CriticalValue": critical_values(game, "F_g", params)[0],
    }


@pytest.mark.parametrize("name", list(_results()))
def test_results_have_text_and_notebook_reprs(name):
    result = _results()[name]
    text = result.summary()
    assert isinstance(text, str) and text.strip()
    assert result._repr_markdown_().strip()
    html = result._repr_html_()
    assert html.startswith("<") and "Interval" not in html


@pytest.mark.parametrize("name", ["RestPoints", "StabilityReport", "CornerTable", "CriticalValues"])
def test_tabular_results_give_data_frames(name):
    pytest.importorskip("pandas")
    result = _results()[name]
    frame = result.to_frame()
    assert len(frame) == len(result)


def test_stability_report_html_is_a_table():
    html = _results()["StabilityReport"]._repr_html_()
    assert html.count("<tr>") == 1 + 9 and "<th>Equilibrium</th>" in html


@pytest.mark.parametrize(
    "name", ["RestPoints", "RestPointSet", "StabilityReport", "Equilibrium", "CornerEntry"]
)
def test_dataclass_results_are_frozen(name):
    result = _results()[name]
    field = dataclasses.fields(result)[0].name
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(result, field, None)


def test_corner_table_is_immutable():
    table = _results()["CornerTable"]
    with pytest.raises(AttributeError, match="immutable"):
        table._entries = ()
    with pytest.raises(TypeError):
        table[(0, 0, 0)] = None  # type: ignore[index]


def test_critical_values_stay_a_tuple():
    values = _results()["CriticalValues"]
    assert isinstance(values, tuple) and values == tuple(values)
    assert "F_g" in values.to_markdown()


def test_frames_need_pandas_and_say_so(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_pandas(name, *args, **kwargs):
        if name == "pandas":
            raise ImportError("no pandas here")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pandas)
    with pytest.raises(ImportError, match="gametheory-egt\\[all\\]"):
        _results()["CornerTable"].to_frame()


def test_indexed_roots_are_printed_as_decimals():
    """A CRootOf coordinate is sympy internals: the whole point is printed in decimals instead."""
    import sympy

    from gametheory.analysis.restpoints import RestPoint

    z = sympy.Symbol("z")
    root = sympy.CRootOf(z**5 - z - 1, 0)
    p = RestPoint(
        point=[float(root) / 2, 0.5],
        support=(("a", "b"), ("c", "d")),
        exact=(root / 2, sympy.Rational(1, 2)),
        profile=None,
    )
    assert "CRootOf" not in p.label and p.label == f"({float(root) / 2:.6g}, 0.5)"
