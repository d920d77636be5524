"""Hostile inputs to games, parameters, integration and studies: a GameError naming the culprit.

Each case was a raw traceback, a silent acceptance or an unclear message before
(issue 10); each asserts the exception type and a fragment of the message that
names the offending item.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy

import gametheory as gt
from gametheory import ParameterError, ParseError, SpecificationError, StoreError
from gametheory.models import classic, crisis_governance

GAME = crisis_governance.game()
PENNIES = classic.matching_pennies_3()
X0 = [0.5, 0.5, 0.5]
TWO = {"r": ["A", "B"], "c": ["A", "B"]}


def _table(**payoffs):
    full = {("A", "A"): (1, 1), ("A", "B"): (0, 0), ("B", "A"): (0, 0), ("B", "B"): (1, 1)}
    full.update(payoffs)
    return full


CASES = [
    # parameters given to computing functions
    (
        "params as a list",
        lambda: gt.simulate(GAME, X0, (0, 1), [1, 2, 3]),
        ParameterError,
        "params must be a mapping",
    ),
    ("params as text", lambda: gt.simulate(GAME, X0, (0, 1), "F_g=3"), ParameterError, "got str 'F_g=3'"),
    (
        "None as a value",
        lambda: gt.simulate(PENNIES, X0, (0, 1), {"a": None}),
        ParameterError,
        "'a': value None",
    ),
    (
        "boolean as a value",
        lambda: gt.simulate(PENNIES, X0, (0, 1), {"a": True}),
        ParameterError,
        "'a': value True",
    ),
    (
        "text as a value",
        lambda: gt.simulate(PENNIES, X0, (0, 1), {"a": "2"}),
        ParameterError,
        "'a': value '2'",
    ),
    (
        "boolean array",
        lambda: gt.simulate_many(PENNIES, [X0], (0, 1), {"a": np.array([True])}),
        ParameterError,
        "'a'",
    ),
    (
        "empty array",
        lambda: gt.simulate_many(PENNIES, [X0], (0, 1), {"a": np.array([])}),
        ParameterError,
        "'a': the array of values is empty",
    ),
    ("params to analyze", lambda: gt.analyze(PENNIES, [1.0]), ParameterError, "params must be a mapping"),
    # integration options
    (
        "rtol of 10",
        lambda: gt.simulate(GAME, X0, (0, 1), rtol=10),
        gt.IntegrationError,
        "rtol must be below 1",
    ),
    (
        "rtol of 1",
        lambda: gt.simulate_many(GAME, [X0], (0, 1), rtol=1.0),
        gt.IntegrationError,
        "rtol must be below 1",
    ),
    (
        "NaN in t_eval",
        lambda: gt.simulate(GAME, X0, (0, 1), t_eval=[0, math.nan]),
        gt.IntegrationError,
        "t_eval contains NaN",
    ),
    (
        "inf in t_eval",
        lambda: gt.simulate(GAME, X0, (0, 1), t_eval=[0, math.inf]),
        gt.IntegrationError,
        "t_eval contains NaN or infinite",
    ),
    # unknown keywords and wrong calls, every public entry point
    (
        "simulate rtoll",
        lambda: gt.simulate(GAME, X0, (0, 1), rtoll=1e-6),
        SpecificationError,
        "did you mean 'rtol'",
    ),
    (
        "simulate_many method typo",
        lambda: gt.simulate_many(GAME, [X0], (0, 1), methd="RK45"),
        SpecificationError,
        "'methd'",
    ),
    (
        "sweep unknown keyword",
        lambda: gt.sweep(GAME, {"S": [1.0]}, [X0], t_end=5),
        SpecificationError,
        "'t_end'",
    ),
    (
        "regime_map n_starts (old name)",
        lambda: gt.regime_map(GAME, {"S": [1.0]}, n_starts=0),
        SpecificationError,
        "'n_starts'",
    ),
    ("basins unknown keyword", lambda: gt.basins(PENNIES, samples=8), SpecificationError, "'samples'"),
    (
        "analyze unknown keyword",
        lambda: gt.analyze(PENNIES, parms={"a": 1}),
        SpecificationError,
        "did you mean 'params'",
    ),
    (
        "rest_points unknown keyword",
        lambda: gt.rest_points(PENNIES, tolerance=1),
        SpecificationError,
        "'tolerance'",
    ),
    ("attractors t_max (old name)", lambda: gt.attractors(PENNIES, t_max=5), SpecificationError, "'t_max'"),
    (
        "critical_values without the parameter",
        lambda: gt.critical_values(PENNIES),
        SpecificationError,
        "critical_values",
    ),
    (
        "corner_conditions extra argument",
        lambda: gt.corner_conditions(PENNIES, {"a": 1}),
        SpecificationError,
        "corner_conditions",
    ),
    (
        "strict_equilibria unknown keyword",
        lambda: gt.strict_equilibria(PENNIES, eps=1),
        SpecificationError,
        "'eps'",
    ),
    (
        "threshold_curves unknown keyword",
        lambda: gt.threshold_curves(GAME, ("S", "W"), bound=(0, 1)),
        SpecificationError,
        "did you mean 'bounds'",
    ),
    # studies: seeds and stores
    (
        "seed as text (basins)",
        lambda: gt.basins(PENNIES, n=8, seed="x"),
        SpecificationError,
        "seed must be an integer",
    ),
    (
        "negative seed (regime_map)",
        lambda: gt.regime_map(PENNIES, {"a": [1.0]}, seed=-1),
        SpecificationError,
        "seed",
    ),
    ("store not a path", lambda: gt.basins(PENNIES, n=8, store=5, backend="numpy"), StoreError, "got int 5"),
    (
        "store with a NUL byte",
        lambda: gt.basins(PENNIES, n=8, store="a\0b", backend="numpy"),
        StoreError,
        "NUL byte",
    ),
    # payoff expressions
    ("flat sum of 62 terms", None, None, None),
    ("internal keyword prefix", lambda: gt.parse_expression("kw__a - a"), ParseError, "'kw__' are reserved"),
    ("internal prefix inside a product", lambda: gt.parse_expression("2*kw__lambda"), ParseError, "reserved"),
    ("imaginary constant", lambda: gt.parse_expression("sqrt(-1)*a"), ParseError, "not a finite real number"),
    ("imaginary power", lambda: gt.parse_expression("2**sqrt(-1)"), ParseError, "not a finite real number"),
    (
        "log of zero",
        lambda: gt.parse_expression("log(0)"),
        ParseError,
        "'log(0)' is not a finite real number",
    ),
    ("log base one", lambda: gt.parse_expression("log(a, 1)"), ParseError, "'log(a, 1)'"),
    (
        "sympy infinity",
        lambda: gt.parse_expression(sympy.oo * sympy.Symbol("a")),
        ParseError,
        "is not finite",
    ),
    (
        "nested powers",
        lambda: gt.parse_expression("((((2**256)**256)**256)**256)*a"),
        ParseError,
        "digits, more than the limit",
    ),
    (
        "power of a fraction",
        lambda: gt.parse_expression("((1/3)**256)**256"),
        ParseError,
        "more than the limit of 1,000",
    ),
    # game specifications
    ("profile key an int", lambda: gt.Game.from_table(TWO, {1: (1, 2)}), SpecificationError, "profile key 1"),
    (
        "profile key None",
        lambda: gt.Game.from_table(TWO, {None: (1, 2)}),
        SpecificationError,
        "profile key None",
    ),
    (
        "bounds with NaN",
        lambda: gt.Parameter("a", 1.0, bounds=(math.nan, 2)),
        SpecificationError,
        "contain NaN",
    ),
    (
        "bounds as text",
        lambda: gt.Parameter("a", 1.0, bounds="01"),
        SpecificationError,
        "bounds '01' must be two numbers",
    ),
    (
        "bounds of booleans",
        lambda: gt.Parameter("a", 1.0, bounds=(False, True)),
        SpecificationError,
        "must be two numbers",
    ),
    (
        "bounds at +inf",
        lambda: gt.Parameter("a", None, bounds=(math.inf, math.inf)),
        SpecificationError,
        "admit no finite value",
    ),
    (
        "description a number",
        lambda: gt.Parameter("a", 1.0, description=5),
        SpecificationError,
        "description must be text",
    ),
    (
        "source a list",
        lambda: gt.Parameter("a", 1.0, source=["p. 3"]),
        SpecificationError,
        "source must be text",
    ),
]
CASES = [c for c in CASES if c[1] is not None]


@pytest.mark.parametrize(("label", "call", "error", "fragment"), CASES, ids=[c[0] for c in CASES])
def test_hostile_input_gets_a_game_error_naming_it(label, call, error, fragment):
    with pytest.raises(error) as info:
        call()
    assert isinstance(info.value, gt.GameError)
    assert fragment in str(info.value), f"{label}: {info.value}"


def test_there_are_many_cases():
    assert len(CASES) >= 40


def test_flat_sums_and_products_are_one_level_of_nesting():
    """Depth limits measure nesting, not length: 62 terms are accepted, 61 nested levels are not."""
    assert gt.parse_expression("+".join(["a"] * 62)) == 62 * sympy.Symbol("a")
    assert gt.parse_expression("*".join(["a"] * 62) + "/a") == sympy.Symbol("a") ** 61
    assert gt.parse_expression("a - b + c - d") == sympy.sympify("a - b + c - d")
    nested = "a*(" * 70 + "a" + ")" * 70
    with pytest.raises(ParseError, match="nested deeper"):
        gt.parse_expression(nested)
    with pytest.raises(ParseError, match="division by zero"):
        gt.parse_expression("a/2/0")


def test_decimals_keep_every_digit():
    assert gt.parse_expression("0.1000000000000000000001") == sympy.Rational(1000000000000000000001, 10**22)
    assert gt.parse_expression("0.1") == sympy.Rational(1, 10)
    assert gt.parse_expression("2.5e-3*a") == sympy.Rational(1, 400) * sympy.Symbol("a")
    game = gt.Game.from_table(TWO, {**_table(), ("A", "A"): ("1.0000000000000000000001", "1")})
    assert game.payoffs[("A", "A")][0] == sympy.Rational(10000000000000000000001, 10**22)


def test_store_under_a_file_is_refused(tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a directory")
    with pytest.raises(StoreError, match="which is a file, not a directory"):
        gt.basins(PENNIES, n=8, store=blocker / "store", backend="numpy")


def test_description_none_is_empty_text():
    assert gt.Parameter("a", 1.0, description=None).description == ""
