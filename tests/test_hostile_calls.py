"""Calls a public object cannot take, and payoffs that are not finite at the given parameters.

Every public constructor and method raises a ``SpecificationError`` naming itself
and the argument when called wrongly (Python's raw ``TypeError`` is not a
``GameError``); a payoff such as ``1/(a - 1)`` at ``a = 1`` is refused before
integration, naming the payoff and the parameter values, instead of a raw
``ZeroDivisionError`` (or a trajectory of NaN).
"""

from __future__ import annotations

import numpy as np
import pytest

import gametheory as gt
from gametheory import ParameterError, ParseError, SpecificationError
from gametheory.models import classic

PENNIES = classic.matching_pennies_3()
X0 = [0.4, 0.5, 0.5]
POPS = {"r": ["A", "B"], "c": ["A", "B"]}


def _game(payoff, **defaults):
    table = {("A", "A"): (payoff, 1), ("A", "B"): (0, 0), ("B", "A"): (0, 0), ("B", "B"): (1, 1)}
    return gt.Game.from_table(POPS, table, parameters=defaults or None)


def _report():
    return gt.analyze(PENNIES)


CALLS = [
    (
        "Game keyword",
        lambda: gt.Game(POPS, {}, colour=1),
        "Game(): got an unexpected keyword argument 'colour'",
    ),
    ("Game.from_table keyword", lambda: gt.Game.from_table(POPS, {}, colour=1), "Game.from_table(): got an"),
    ("Game name a number", lambda: gt.Game.from_table(POPS, {}, name=5), "name must be text, got int 5"),
    ("Parameter keyword", lambda: gt.Parameter("a", colour=1), "Parameter(): got an unexpected keyword"),
    ("Parameter misspelt", lambda: gt.Parameter("a", defualt=1), "(did you mean 'default'?)"),
    ("Parameter without a name", lambda: gt.Parameter(), "Parameter(): missing a required argument: 'name'"),
    ("Population keyword", lambda: gt.Population("p", ["x", "y"], z=1), "Population(): got an unexpected"),
    ("Game.payoff keyword", lambda: PENNIES.payoff(("H", "H", "H"), "p1", zz=1), "Game.payoff(): got an"),
    ("Game.to_toml argument", lambda: PENNIES.to_toml("x"), "Game.to_toml(): too many positional"),
    ("Game.replicator keyword", lambda: PENNIES.replicator(kind="logit"), "Game.replicator(): got an"),
    ("dynamics vector_field", lambda: PENNIES.replicator().vector_field(X0, zz=1), "vector_field(): got an"),
    ("dynamics jacobian", lambda: PENNIES.replicator().jacobian(1), "jacobian(): too many positional"),
    ("dynamics simulate", lambda: PENNIES.replicator().simulate(X0), "simulate(): missing a required"),
    ("trajectory summary", lambda: gt.simulate(PENNIES, X0, (0, 1)).summary(digits=3), "summary(): got an"),
    ("report to_latex", lambda: _report().to_latex(booktabs=False), "to_latex(): got an unexpected"),
    ("report plot", lambda: _report().plot(colour="red"), "rest_points(): got an unexpected keyword"),
    ("plot function", lambda: gt.plot.time_series(None, colour="red"), "time_series(): got an unexpected"),
    ("parse_expression keyword", lambda: gt.parse_expression("a", context="x"), "parse_expression(): got an"),
    ("load_game keyword", lambda: gt.load_game("model.toml", fmt="json"), "load_game(): got an unexpected"),
    ("loads_game bytes", lambda: gt.loads_game(b"[populations]"), "must be a str, got bytes (decode bytes"),
    ("loads_game None", lambda: gt.loads_game(None), "must be a str, got NoneType"),
]


@pytest.mark.parametrize(("call", "fragment"), [c[1:] for c in CALLS], ids=[c[0] for c in CALLS])
def test_a_call_that_cannot_be_taken_is_a_specification_error(call, fragment):
    with pytest.raises(gt.GameError) as info:
        call()
    assert isinstance(info.value, (SpecificationError, ParseError))
    assert fragment in str(info.value), str(info.value)


PAYOFFS = [
    ("pole", lambda: gt.simulate(_game("1/(a - 1)"), [0.5, 0.5], (0, 1), {"a": 1.0}), "1/(a - 1) is inf"),
    ("log of zero", lambda: gt.simulate(_game("log(a)"), [0.5, 0.5], (0, 1), {"a": 0.0}), "log(a) is -inf"),
    (
        "root of a negative number in an array",
        lambda: gt.simulate_many(
            _game("sqrt(a)"), [[0.5, 0.5]] * 3, t_span=(0, 1), params={"a": np.array([1.0, 4.0, -2.0])}
        ),
        "sqrt(a) is 1.41421*I, not a finite real number, at {'a': -2.0}",
    ),
    (
        "overflowing constant",
        lambda: gt.simulate(_game("exp(exp(exp(5)))*a", a=1.0), [0.5, 0.5], (0, 1)),
        "is inf",
    ),
    (
        "overflow at the values",
        lambda: gt.simulate(_game("exp(a)", a=1.0), [0.5, 0.5], (0, 1), {"a": 800.0}),
        "exp(a) is inf",
    ),
    (
        "vector field at a pole",
        lambda: _game("1/a").replicator().vector_field([0.5, 0.5], {"a": 0.0}),
        "1/a is inf",
    ),
    ("analysis at a pole", lambda: gt.analyze(_game("1/(a - 1)"), {"a": 1.0}), "1/(a - 1)"),
    (
        "sweep through a pole",
        lambda: gt.sweep(
            _game("1/(a - 1)"), {"a": [0.0, 1.0, 2.0]}, starts=[[0.5, 0.5]], t_span=(0, 1), backend="numpy"
        ),
        "at {'a': 1.0}",
    ),
]


@pytest.mark.parametrize(("call", "fragment"), [c[1:] for c in PAYOFFS], ids=[c[0] for c in PAYOFFS])
def test_payoff_not_finite_at_the_parameters_is_refused_naming_it(call, fragment):
    with pytest.raises(ParameterError) as info:
        call()
    message = str(info.value)
    assert fragment in message and "payoff of 'r' at ('A', 'A')" in message, message


def test_finite_payoffs_with_divisions_still_integrate():
    # the check refuses only where a payoff is not finite: 1/(a - 1) at a = 3 is 1/2, so
    # dx/dt = x(1-x)(y/2 - (1-y)) and dy/dt = y(1-y)(x - (1-x)); reference: DOP853 at rtol 1e-12
    from scipy.integrate import solve_ivp

    traj = gt.simulate(_game("1/(a - 1)"), [0.3, 0.6], (0, 5), {"a": 3.0}, rtol=1e-10, atol=1e-12)
    ref = solve_ivp(
        lambda t, s: [s[0] * (1 - s[0]) * (1.5 * s[1] - 1), s[1] * (1 - s[1]) * (2 * s[0] - 1)],
        (0, 5), [0.3, 0.6], method="DOP853", rtol=1e-12, atol=1e-14,
    )  # fmt: skip
    assert traj.success
    np.testing.assert_allclose(traj.y[:, -1], ref.y[:, -1], rtol=1e-8)


def test_polynomial_payoffs_are_not_checked_at_each_call():
    # payoffs polynomial in the parameters with rational coefficients are finite wherever they are
    assert PENNIES.replicator()._fragile_payoffs == ()
    assert len(_game("1/(a - 1)").replicator()._fragile_payoffs) == 1
