"""Hostile input to the analysis (issue 10 items 1, 2, 3, 4, 7): clear errors or correct results, fast."""

from __future__ import annotations

import itertools
import math
import time

import numpy as np
import pytest

import gametheory as gt
from gametheory import AnalysisError, IntegrationError, ParameterError
from gametheory.analysis.equilibria import rest_points
from gametheory.analysis.thresholds import critical_values
from gametheory.models import crisis_governance

P2 = {"row": ["C", "D"], "col": ["C", "D"]}
E = math.e


def two_by_two(cc, cd, dc, dd, parameters=None):
    table = {("C", "C"): cc, ("C", "D"): cd, ("D", "C"): dc, ("D", "D"): dd}
    return gt.Game.from_table(P2, table, parameters=parameters)


def irrational_coordination():
    """Row: 3 exp(-r) at (C, C), sqrt(2) at (D, D); col: exp(1) at (C, C), 1 at (D, D); 0 elsewhere."""
    return two_by_two(
        ("3*exp(-r)", "exp(1)"), ("0", "0"), ("0", "0"), ("sqrt(2)", "1"), parameters={"r": 1.0}
    )


def complex_payoff():
    # sqrt(-1)*a is refused when parsed; sqrt(a) at a = -1 is complex only at the parameter values
    return two_by_two(("sqrt(a)", "1"), ("0", "1"), ("1", "0"), ("0", "0"), parameters={"a": -1.0})


def max_payoff(b):
    return two_by_two(("Max(a, b)", "1"), ("0", "1"), ("1", "0"), ("0", "0"), parameters={"a": 1.0, "b": b})


def unsolvable_payoff():
    return two_by_two(("exp(a) - a**3", "1"), ("0", "1"), ("1", "0"), ("0", "0"), parameters={"a": 1.0})


def random_game(n_pops, n_strats, seed):
    rng = np.random.default_rng(seed)
    pops = {f"p{i}": [f"s{j}" for j in range(n_strats)] for i in range(n_pops)}
    table = {
        prof: tuple(int(v) for v in rng.integers(-5, 6, size=n_pops))
        for prof in itertools.product(*pops.values())
    }
    return gt.Game.from_table(pops, table)


def strict_nash_profiles(game, payoffs):
    """Profiles where every unilateral deviation loses, by comparing numeric payoffs (``payoffs[profile]``)."""
    out = set()
    for prof in game.profiles:
        strict = True
        for i, pop in enumerate(game.populations):
            for s in pop.strategies:
                if s == prof[i]:
                    continue
                dev = tuple(s if k == i else v for k, v in enumerate(prof))
                if not payoffs[dev][i] < payoffs[prof][i]:
                    strict = False
        if strict:
            out.add(tuple(prof))
    return out


FLAGSHIP = crisis_governance.game()

# (id, callable, exception type, regex the message must match)
CASES = [
    (
        "complex payoff in analyze",
        lambda: gt.analyze(complex_payoff()),
        ParameterError,
        r"payoff of 'row'.*I",
    ),
    (
        "complex payoff in rest_points",
        lambda: rest_points(complex_payoff()),
        ParameterError,
        "not a finite real",
    ),
    (
        "complex payoff in critical_values",
        lambda: critical_values(complex_payoff(), "a"),
        ParameterError,
        r"payoff of 'row' at \('C', 'C'\)",
    ),
    (
        "unsolvable eigenvalue equation",
        lambda: critical_values(unsolvable_payoff(), "a"),
        AnalysisError,
        r"cannot solve the eigenvalue .* for 'a'",
    ),
    (
        "attractors horizon 1e-300",
        lambda: gt.attractors(FLAGSHIP, crisis_governance.STATUS_QUO, n=2, t_span=(0, 1e-300)),
        IntegrationError,
        r"t_span \(0, 1e-300\) is too short.*at least",
    ),
    (
        "attractors horizon 1e-6",
        lambda: gt.attractors(irrational_coordination(), n=2, t_span=(0, 1e-6)),
        IntegrationError,
        r"t_span .* too short",
    ),
    (
        "negative work budget",
        lambda: rest_points(FLAGSHIP, work_budget=-1),
        AnalysisError,
        "work_budget must be a number of seconds >= 0, got -1",
    ),
    ("nan work budget", lambda: rest_points(FLAGSHIP, work_budget=math.nan), AnalysisError, "work_budget"),
    (
        "string work budget",
        lambda: rest_points(FLAGSHIP, work_budget="10"),
        AnalysisError,
        "work_budget.*'10'",
    ),
    ("bool work budget", lambda: rest_points(FLAGSHIP, work_budget=True), AnalysisError, "work_budget.*True"),
    ("analyze bad work budget", lambda: gt.analyze(FLAGSHIP, work_budget=-2.5), AnalysisError, "work_budget"),
    ("bad progress flag", lambda: rest_points(FLAGSHIP, progress="yes"), AnalysisError, "progress"),
]


@pytest.mark.parametrize(("fn", "exc", "pattern"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_hostile_analysis_input(fn, exc, pattern):
    with pytest.raises(exc, match=pattern):
        fn()


def test_complex_payoffs_already_refused_by_rest_points():  # regression guard: already a clear error
    with pytest.raises(ParameterError, match=r"payoff of 'row'.*I"):
        gt.analyze(complex_payoff())
    with pytest.raises(ParameterError, match="not a finite real"):
        rest_points(complex_payoff())


# ------------------------------------------------------------ item 1: transcendental constants
def test_analyze_irrational_2x2_matches_hand_computation():
    report = gt.analyze(irrational_coordination())
    pay = {
        ("C", "C"): (3 * math.exp(-1), E),
        ("C", "D"): (0.0, 0.0),
        ("D", "C"): (0.0, 0.0),
        ("D", "D"): (math.sqrt(2), 1.0),
    }
    game = irrational_coordination()
    assert {e.profile for e in report.ess} == strict_nash_profiles(game, pay) == {("C", "C"), ("D", "D")}
    (interior,) = [e for e in report.equilibria if e.profile is None]
    # row indifferent: y * 3 exp(-1) = (1 - y) sqrt(2); col indifferent: x * e = (1 - x)
    y = math.sqrt(2) / (3 * math.exp(-1) + math.sqrt(2))
    x = 1 / (E + 1)
    np.testing.assert_allclose(interior.point, [x, y], rtol=1e-12)
    assert interior.kind is gt.StabilityKind.SADDLE and interior.precision == "rounded"
    assert report.consistent
    assert any("rounded to 40 significant digits" in n for n in report.notes)


def test_rest_points_irrational_are_numeric_not_exact():
    res = rest_points(irrational_coordination())
    assert res.complete
    (mixed,) = res.mixed
    assert mixed.exact is None and mixed.digits is not None
    assert float(mixed.digits[0]) == pytest.approx(1 / (E + 1), rel=1e-14)


def test_analyze_irrational_2x2x2_ess_is_strict_nash():
    pops = {"a": ["0", "1"], "b": ["0", "1"], "c": ["0", "1"]}
    rng = np.random.default_rng(3)
    consts = ["exp(-r)", "sqrt(2)", "exp(1)", "2*exp(-r)", "-sqrt(2)", "1", "0", "-exp(1)"]
    values = {
        "exp(-r)": math.exp(-0.5),
        "sqrt(2)": math.sqrt(2),
        "exp(1)": E,
        "2*exp(-r)": 2 * math.exp(-0.5),
        "-sqrt(2)": -math.sqrt(2),
        "1": 1.0,
        "0": 0.0,
        "-exp(1)": -E,
    }
    table, numeric = {}, {}
    for prof in itertools.product("01", repeat=3):
        picks = [consts[k] for k in rng.integers(0, len(consts), size=3)]
        table[prof] = tuple(picks)
        numeric[prof] = tuple(values[p] for p in picks)
    game = gt.Game.from_table(pops, table, parameters={"r": 0.5})
    report = gt.analyze(game)
    assert {e.profile for e in report.ess} == strict_nash_profiles(game, numeric)
    assert len([e for e in report.equilibria if e.profile is not None]) == 8
    assert report.consistent


# ------------------------------------------------------------ item 7: piecewise payoffs
def test_critical_values_max_payoff():
    (low, high) = critical_values(max_payoff(0.5), "a")
    assert low.value == pytest.approx(1.0) and high.value == pytest.approx(1.0)
    assert critical_values(max_payoff(2.0), "a") == ()  # Max(a, 2) > 1: no threshold in a


# ------------------------------------------------------------ item 2: work budget
def test_random_3x4_game_respects_work_budget():
    game = random_game(3, 4, seed=1)
    t0 = time.perf_counter()
    res = rest_points(game, work_budget=0.5)
    elapsed = time.perf_counter() - t0
    assert elapsed < 20
    assert not res.complete
    assert len(res.vertices) == 64
    assert any("work budget of 0.5 s" in n and "p0" not in n for n in res.notes)
    assert any("support(s)" in n and "('s" in n for n in res.notes)  # names the supports left


def test_zero_work_budget_keeps_vertices_and_names_supports():
    res = rest_points(FLAGSHIP, crisis_governance.STATUS_QUO, work_budget=0)
    assert not res.complete and len(res) == len(res.vertices) == 8
    (note,) = [n for n in res.notes if n.startswith("INCOMPLETE")]
    assert "were not solved at all" in note and "(('C', 'B'), ('E', 'P'), ('A', 'I'))" in note


def test_default_budget_leaves_flagship_unchanged():
    res = rest_points(FLAGSHIP, crisis_governance.STATUS_QUO)
    assert res.complete and [p.label for p in res.mixed] == ["(1, 1/4, 11/24)"]
    assert not any("budget" in n for n in res.notes)


def test_rest_points_progress(capsys):
    rest_points(FLAGSHIP, {"F_g": 0.123}, progress=True)
    assert "rest_points: 27 of 27 supports" in capsys.readouterr().err
