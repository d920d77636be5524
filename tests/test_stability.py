"""Stability analysis: classification, ESS, theory checks, symbolic corners, thresholds, tables.

Checks use independent computations: payoff differences read off the payoff
table, eigenvalues of ``dyn.jacobian_at`` computed here with numpy, simulation
with ``dyn.simulate``, brute-force parameter sampling with the vectorised
strict-Nash test, and published results.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

import gametheory as gt
from gametheory.analysis.corners import CornerTable, corner_conditions
from gametheory.analysis.ess import strict_equilibria
from gametheory.analysis.stability import analyze
from gametheory.analysis.stability_report import Equilibrium, StabilityKind, StabilityReport
from gametheory.analysis.thresholds import critical_values
from gametheory.errors import ParameterError, SpecificationError
from gametheory.models import classic, crisis_governance
from gametheory.testing import games, parameter_values


def _payoff_value(game: gt.Game, profile: tuple[int, ...], i: int, params: dict) -> float:
    subs = {p.symbol: params.get(p.name, p.default) for p in game.parameters}
    return float(sympy.sympify(game.payoff_array(i)[profile]).xreplace(subs))


def _deviation_gains(game: gt.Game, profile: tuple[str, ...], params: dict) -> list[float]:
    """pi_i(j, s_-i) - pi_i(s) for every population i and j != s_i, straight from the payoff table."""
    idx = game.profile_indices(profile)
    out = []
    for i, pop in enumerate(game.populations):
        for j in range(pop.size):
            if j != idx[i]:
                alt = list(idx)
                alt[i] = j
                out.append(_payoff_value(game, tuple(alt), i, params) - _payoff_value(game, idx, i, params))
    return out


# --------------------------------------------------------- strict Nash first
@settings(max_examples=60)
@given(st.data())
def test_strict_equilibria_equals_the_definition(data):
    game = data.draw(games(symbolic=True))
    params = data.draw(parameter_values(game))
    strict = strict_equilibria(game, params)
    assert strict.shape == (len(game.profiles),) and strict.dtype == bool
    for k, profile in enumerate(game.profiles):
        gains = _deviation_gains(game, profile, params)
        scale = max(
            1.0, *(abs(_payoff_value(game, game.profile_indices(profile), i, params)) for i in range(2))
        )
        if max(gains) < -1e-6 * scale:
            assert strict[k]
        elif max(gains) > -1e-12:
            assert not strict[k]


@settings(max_examples=30)
@given(st.data())
def test_strict_equilibria_vectorised_over_parameter_sets(data):
    game = data.draw(games(symbolic=True))
    sets = [data.draw(parameter_values(game)) for _ in range(4)]
    arrays = {p.name: np.array([s[p.name] for s in sets]) for p in game.parameters}
    batch = strict_equilibria(game.replicator(), arrays)
    if game.parameters:
        assert batch.shape == (len(game.profiles), 4)
        for n, s in enumerate(sets):
            assert np.array_equal(batch[:, n], strict_equilibria(game, s))
    else:
        assert np.array_equal(batch, strict_equilibria(game, {}))


def test_strict_equilibria_flagship_levers():
    game = crisis_governance.game()
    assert strict_equilibria(game, crisis_governance.STATUS_QUO).tolist() == [
        profile == ("B", "P", "I") for profile in game.profiles
    ]
    assert strict_equilibria(game, crisis_governance.OPTIMIZED).tolist() == [
        profile == ("C", "E", "A") for profile in game.profiles
    ]


# -------------------------------------------------------------- published
def test_flagship_status_quo_unique_ess_000_and_simulation_agrees():
    game = crisis_governance.game()
    report = analyze(game, crisis_governance.STATUS_QUO)
    assert report.consistent and report.complete and not report.flagged
    assert [e.profile for e in report.ess] == [("B", "P", "I")]
    assert np.array_equal(report.ess_points, [[0.0, 0.0, 0.0]])
    assert [e.profile for e in report.sinks] == [("B", "P", "I")]
    dyn = game.replicator()
    rng = np.random.default_rng(7)
    for x0 in rng.uniform(0.05, 0.95, size=(4, 3)):
        final = dyn.simulate(x0, (0, 400), crisis_governance.STATUS_QUO).final
        assert np.max(np.abs(final)) < 1e-4  # the slowest eigenvalue is -1: e^-400 leaves nothing


def test_flagship_optimized_unique_ess_111_and_simulation_agrees():
    game = crisis_governance.game()
    report = analyze(game, crisis_governance.OPTIMIZED)
    assert report.consistent and not report.flagged
    assert [e.profile for e in report.ess] == [("C", "E", "A")]
    dyn = game.replicator()
    rng = np.random.default_rng(8)
    for x0 in rng.uniform(0.05, 0.95, size=(4, 3)):
        final = dyn.simulate(x0, (0, 400), crisis_governance.OPTIMIZED).final
        assert np.max(np.abs(final - 1)) < 1e-4


def test_wang2023_unique_ess_and_corner_eigenvalues(wang):
    game, params, doc = wang
    report = analyze(game, params)
    assert doc["expected"]["ess"] == ["(0,0,0)"]
    assert [e.profile for e in report.ess] == [("s2", "s2", "s2")]  # (0,0,0): everyone's second strategy
    (ess,) = report.ess
    assert np.allclose(sorted(ess.eigenvalues.real), [-10, -6.5, -3.15], atol=1e-12)
    assert np.all(ess.eigenvalues.imag == 0)
    others = [e for e in report.equilibria if not e.is_ess]
    assert all(e.unstable_dimension >= 1 for e in others)  # 'all other corners have >= 1 positive eigenvalue'


def test_jordan1993_no_ess_unstable_interior_spiral(jordan):
    game, params, _ = jordan
    report = analyze(game, params)
    assert report.ess == () and report.consistent
    interior = [e for e in report.equilibria if e.location == "interior"]
    (center,) = interior
    expected = np.array([-1.0, 0.5 + 0.5j * np.sqrt(3), 0.5 - 0.5j * np.sqrt(3)])
    assert np.allclose(
        sorted(center.eigenvalues, key=lambda v: (v.real, v.imag)),
        sorted(expected, key=lambda v: (v.real, v.imag)),
    )
    assert center.kind is StabilityKind.SADDLE and (center.stable_dimension, center.unstable_dimension) == (
        1,
        2,
    )
    assert abs(center.eigenvalues.sum()) < 1e-14  # zero trace
    sources = sorted(
        tuple(int(v) for v in e.point) for e in report.equilibria if e.kind is StabilityKind.SOURCE
    )
    assert sources == [(0, 1, 0), (1, 0, 1)]
    saddles = [e for e in report.equilibria if e.is_vertex and e.kind is StabilityKind.SADDLE]
    assert len(saddles) == 6 and all(e.unstable_dimension == 1 for e in saddles)


# ------------------------------------------------------------- theory
@settings(max_examples=25)
@given(games(max_profiles=16))
def test_vertex_eigenvalues_are_payoff_differences_and_sinks_are_strict_nash(game):
    """Eigenvalues at each vertex (numpy, from jacobian_at) equal the payoff differences of the table;
    sinks are exactly the strict Nash equilibria (Ritzberger & Weibull 1995); no mixed point is a sink."""
    dyn = game.replicator()
    report = analyze(game)
    assert report.consistent and not report.flagged
    strict = strict_equilibria(game)
    for k, (profile, x) in enumerate(dyn.vertices()):
        e = report.equilibria[k]
        assert e.profile == profile
        gains = np.array(_deviation_gains(game, profile, {}))
        eig = np.linalg.eigvals(dyn.jacobian_at(x))
        # payoffs are integers up to 5: Jacobian entries are exact and eigenvalues accurate to 1e-12
        assert np.allclose(
            np.sort_complex(eig.astype(complex)), np.sort_complex(gains.astype(complex)), atol=1e-9
        )
        assert np.allclose(e.eigenvalues, gains, atol=1e-9)
        assert e.is_ess == bool(strict[k]) == bool(np.all(gains < 0)) == (e.kind is StabilityKind.SINK)
    for e in report.equilibria:
        if not e.is_vertex:
            assert not e.is_ess and e.kind is not StabilityKind.SINK


@settings(max_examples=40)
@given(st.data())
def test_interior_rest_points_of_2x2x2_games_have_zero_trace(data):
    """u_i = ln(x_i/(1-x_i)) makes the flow volume preserving: trace J = 0 at interior rest points."""
    from gametheory.testing import payoff_tables

    pops, payoffs = data.draw(payoff_tables((2, 2, 2)))
    game = gt.Game.from_table(pops, payoffs)
    dyn = game.replicator()
    report = analyze(game)
    for e in report.equilibria:
        if e.location == "interior":
            assert abs(np.trace(dyn.jacobian_at(e.point))) < 1e-9
            assert abs(e.eigenvalues.sum()) < 1e-9
            assert e.kind is not StabilityKind.SINK


def test_non_hyperbolic_center_is_not_guessed_and_simulation_decides():
    """Two-population matching pennies: the interior rest point is a center (eigenvalues +-i)."""
    game = gt.Game.from_table(
        {"row": ["H", "T"], "col": ["H", "T"]},
        {("H", "H"): (1, -1), ("H", "T"): (-1, 1), ("T", "H"): (-1, 1), ("T", "T"): (1, -1)},
    )
    report = analyze(game)
    (center,) = [e for e in report.equilibria if e.location == "interior"]
    assert center.kind is StabilityKind.NON_HYPERBOLIC and center.center_dimension == 2
    assert np.allclose(sorted(center.eigenvalues.imag), [-1, 1]) and np.all(center.eigenvalues.real == 0)
    assert "inconclusive" in center.stability and center.numerical_verdict is None
    decided = analyze(game, decide_numerically=True, n_perturbations=4)
    (center,) = [e for e in decided.equilibria if e.location == "interior"]
    assert center.numerical_verdict.startswith("neutral")  # closed orbits: neither approach nor escape
    assert center.kind is StabilityKind.NON_HYPERBOLIC  # the linear classification is left as it is


def test_zero_payoff_difference_at_a_vertex_is_non_hyperbolic_not_ess():
    game = gt.Game.from_table(
        {"a": ["1", "2"], "b": ["1", "2"]},
        {("1", "1"): (1, 1), ("1", "2"): (0, 0), ("2", "1"): (1, 0), ("2", "2"): (0, 1)},
    )
    report = analyze(game)
    e = report.equilibria[0]  # (1, 1): population a is indifferent there
    assert e.profile == ("1", "1") and e.kind is StabilityKind.NON_HYPERBOLIC
    assert not e.is_ess and e.is_nash and e.disagreement is None
    assert "0" in e.sign


def test_three_strategy_game_uses_profiles_and_reduced_coordinates():
    """Rock-paper-scissors against a 2-strategy population; the Jacobian is in reduced coordinates."""
    payoffs = {}
    for r, s in itertools.product("RPS", "LM"):
        beats = {"R": "S", "P": "R", "S": "P"}
        payoffs[(r, s)] = (
            {"L": 1, "M": 2}[s] * (1 if r == "R" else 0) - (1 if r == "S" else 0),
            (1 if s == "L" else -1) * (1 if r in beats else 0),
        )
    game = gt.Game.from_table({"a": ["R", "P", "S"], "b": ["L", "M"]}, payoffs)
    report = analyze(game)
    assert report.consistent
    dyn = game.replicator()
    for e in report.equilibria:
        assert e.eigenvalues.shape == (dyn.dimension,)
    table = corner_conditions(game)
    assert set(table) == set(game.profiles)
    assert len(table[("P", "M")].eigenvalues) == 3


# ------------------------------------------------------- symbolic corners
def test_corner_table_equals_payoff_differences_of_the_dynamics():
    game = crisis_governance.game()
    dyn = game.replicator()
    table = corner_conditions(game)
    assert isinstance(table, CornerTable) and len(table) == 8
    assert list(table) == [tuple(int(v) for v in x) for _, x in dyn.vertices()]
    for key in table:
        entry = table[key]
        assert table[entry.profile] is entry
        at = dict(zip(dyn.states, key))
        for c, delta in enumerate(dyn.payoff_differences):
            # at x_c = 1 the eigenvalue is -Delta_c (switching away), at x_c = 0 it is +Delta_c
            expected = -delta.xreplace(at) if key[c] == 1 else delta.xreplace(at)
            assert sympy.expand(entry.eigenvalues[c] - expected) == 0
        assert all(isinstance(c, sympy.StrictLessThan) for c in entry.conditions)


def test_corner_conditions_decide_the_flagship_calibrations():
    table = corner_conditions(crisis_governance.game())
    # ess_at returns CornerEntry objects (one vertex convention: .state and .profile)
    assert tuple(e.state for e in table.ess_at(crisis_governance.STATUS_QUO)) == ((0, 0, 0),)
    assert tuple(e.state for e in table.ess_at(crisis_governance.OPTIMIZED)) == ((1, 1, 1),)
    assert np.allclose(table.eigenvalues_at((0, 0, 0), crisis_governance.STATUS_QUO), [-1.4, -4.8, -1.0])
    with pytest.raises(SpecificationError, match="not a vertex"):
        table[(0, 0, 2)]
    with pytest.raises(SpecificationError, match="no strategy .Inactive."):
        table[("B", "P", "Inactive")]


def test_joint_ess_decisions_are_proven_or_witnessed():
    table = corner_conditions(crisis_governance.game())
    game = table.game
    both = table.can_be_ess_together((0, 0, 0), (1, 1, 1))
    assert both.feasible is True and both.certified
    assert strict_equilibria(game, both.witness)[[0, 7]].all()  # the witness really makes both strict
    adjacent = table.can_be_ess_together((0, 0, 0), (1, 0, 0))
    assert adjacent.feasible is False and adjacent.certified
    # C_n(1 - tau) > F_n + K_n + R_n + S + s_n >= R_n mu > C_n is impossible with tau in [0, 1]:
    # proven by the McCormick relaxation of C_n*tau and R_n*mu
    proven = table.can_be_ess_together((1, 0, 1), (0, 1, 0))
    assert proven.feasible is False and proven.certified and "relaxation" in proven.method


@settings(max_examples=25)
@given(st.data())
def test_linear_joint_ess_decisions_agree_with_sampling(data):
    """Exact LP verdicts against 4000 random parameter sets checked by the vectorised strict-Nash test."""
    from gametheory.testing import payoff_tables

    pops, payoffs = data.draw(payoff_tables((2, 2, 2), symbolic=True))
    used = sorted({n for row in payoffs.values() for e in row for n in "abc" if n in e})
    game = gt.Game.from_table(pops, payoffs, [gt.Parameter(n, 1.0, (-10.0, 10.0)) for n in used])
    table = corner_conditions(game)
    keys = list(table)
    a, b = data.draw(st.sampled_from([(k1, k2) for k1, k2 in itertools.combinations(keys, 2)]))
    verdict = table.can_be_ess_together(a, b)
    assert verdict.certified  # linear conditions: always decided exactly
    ia, ib = keys.index(a), keys.index(b)
    if verdict.feasible:
        assert strict_equilibria(game, verdict.witness)[[ia, ib]].all()
    elif used:
        rng = np.random.default_rng(0)
        sample = {n: rng.uniform(-10, 10, 4000) for n in used}
        strict = strict_equilibria(game, sample)
        assert not np.any(strict[ia] & strict[ib])
    else:
        assert not (strict_equilibria(game)[ia] and strict_equilibria(game)[ib])


def test_ess_combinations_of_the_flagship():
    table = corner_conditions(crisis_governance.game())
    combos = table.ess_combinations(max_size=2)
    singles = [c.vertices for c in combos if len(c.vertices) == 1]
    assert len(singles) == 8  # every corner is an ESS for some admissible parameters
    pairs = {frozenset(c.vertices) for c in combos if len(c.vertices) == 2}
    assert frozenset({(0, 0, 0), (1, 1, 1)}) in pairs  # bistability is possible
    assert all(sum(u != v for u, v in zip(*p)) >= 2 for p in pairs)  # adjacent corners never both ESS
    assert frozenset({(1, 0, 1), (0, 1, 0)}) not in pairs


def test_critical_values_of_the_accountability_penalty():
    game = crisis_governance.game()
    params = dict(crisis_governance.STATUS_QUO)
    table = corner_conditions(game)
    crits = critical_values(game, "F_g", params)
    at_000 = [c for c in crits if c.vertex == (0, 0, 0)]
    assert len(at_000) == 1 and at_000[0].value == pytest.approx(10.0)  # (C_g - L_g - R_g)/theta
    assert at_000[0].negative_when == "below"
    for c in crits:
        assert c.value is not None
        k = c.profile and table[c.vertex].deviations.index(c.deviation)
        for step, side in ((-1e-3, "below"), (1e-3, "above")):
            eig = table.eigenvalues_at(c.vertex, {**params, "F_g": c.value + step})[k]
            assert (eig < 0) == (c.negative_when == side)
    # independent check: sweep F_g with the vectorised strict-Nash test; (0,0,0) stops being an ESS at 10
    grid = np.linspace(0, 20, 2001)
    strict = strict_equilibria(game, {**params, "F_g": grid})[game.profiles.index(("B", "P", "I"))]
    assert grid[strict].max() == pytest.approx(10.0, abs=0.01) and not strict[grid > 10.005].any()


def test_critical_values_reject_unknown_parameters():
    with pytest.raises(ParameterError, match="did you mean 'F_g'"):
        critical_values(crisis_governance.game(), "F_gg")


# ------------------------------------------------------------- reports
def test_report_tables_and_summary():
    report = analyze(crisis_governance.game(), crisis_governance.STATUS_QUO)
    assert isinstance(report, StabilityReport) and isinstance(report.equilibria[0], Equilibrium)
    latex = report.to_latex()
    for token in ("\\toprule", "\\midrule", "\\bottomrule", "Equilibrium & Eigenvalues & Sign & Stability"):
        assert token in latex
    body = latex.split("\\midrule")[1].split("\\bottomrule")[0]
    assert body.count("\\\\") == len(report.equilibria) == 9
    assert "ESS (sink)" in latex
    md = report.to_markdown()
    assert (
        md.count("\n| E") == 9
        and "| E8 (0, 0, 0) | -1.4, -4.8, -1 | (-, -, -) | ESS (sink) | all hold |" in md
    )
    symbolic = report.to_latex(symbolic=True)
    assert "\\theta" in symbolic and "< 0" in symbolic
    text = report.summary()
    assert "ESS (strict Nash equilibria, asymptotically stable): (0, 0, 0)" in text
    assert "Ritzberger & Weibull" in text and "consistent" in text
    frame = report.to_frame()
    assert list(frame["is_ess"]) == [e.is_ess for e in report.equilibria]
    assert {"x", "y", "z", "kind", "sign", "eigenvalues"} <= set(frame.columns)


def test_corner_table_output_is_paper_ready():
    table = corner_conditions(crisis_governance.game())
    latex = table.to_latex()
    assert latex.count("$E_{") == 8 and "\\toprule" in latex and "\\lambda_{1}" in latex
    assert "\\theta" in latex and "\\lambda" in latex
    md = table.to_markdown()
    assert md.count("\n| (") == 8 and "| (0, 0, 0) | B, P, I |" in md


def test_report_is_frozen_and_rejects_parameter_arrays():
    report = analyze(classic.matching_pennies_3())
    with pytest.raises(AttributeError):
        report.consistent = False  # type: ignore[misc]
    with pytest.raises(ValueError):
        report.equilibria[0].eigenvalues[0] = 0
    with pytest.raises(ParameterError, match="one parameter set at a time"):
        analyze(classic.matching_pennies_3(), {"a": np.array([1.0, 2.0])})


def test_lazy_exports():
    assert gt.analyze is analyze and gt.StabilityKind is StabilityKind
    assert gt.strict_equilibria is strict_equilibria and gt.corner_conditions is corner_conditions
    assert str(StabilityKind.NON_HYPERBOLIC) == "non-hyperbolic"


def test_vertex_with_a_tiny_exact_payoff_difference_is_classified_by_its_exact_sign():
    """A payoff difference of about -1e-124 is negative, not a zero under the eigenvalue tolerance.

    Flagship at (B, E, A) = (0, 1, 1): the citizens' gain from leaving A is
    -(R_c (1 + b_n) - C_c), here -(7e-125 * 1.5 - 5e-200) (exact value of the doubles).
    """
    from fractions import Fraction

    from gametheory.models import crisis_governance as cg

    params = dict(cg.STATUS_QUO, R_c=7e-125, C_c=5e-200, K_n=3.0, D_c=0.0)
    report = gt.analyze(cg.game(), params)
    (bea,) = [e for e in report.equilibria if e.profile == ("B", "E", "A")]
    expected = -(Fraction(7e-125) * (1 + Fraction(0.5)) - Fraction(5e-200))
    assert bea.is_ess and bea.kind is gt.StabilityKind.SINK
    assert (bea.stable_dimension, bea.unstable_dimension, bea.center_dimension) == (3, 0, 0)
    assert min(bea.eigenvalues.real, key=abs) == pytest.approx(float(expected), rel=1e-12)
    assert bea.disagreement is None and report.consistent
