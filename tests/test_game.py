"""Game construction, validation, TOML files, reference cases."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
import sympy

import gametheory as gt
from gametheory import Parameter, Population, SpecificationError
from gametheory.expressions import parameter_symbol
from gametheory.models import classic

DATA = Path(__file__).parent / "data"

PD = {"row": ["C", "D"], "col": ["C", "D"]}
PD_PAYOFFS = {("C", "C"): ("R", "R"), ("C", "D"): ("S", "T"), ("D", "C"): ("T", "S"), ("D", "D"): ("P", "P")}


def test_from_table_discovers_parameters_sorted():
    g = gt.Game.from_table(PD, PD_PAYOFFS)
    assert g.parameter_names == ("P", "R", "S", "T")
    assert g.strategy_counts == (2, 2)
    assert g.payoff(("C", "D"), "col") == parameter_symbol("T")
    assert g.payoff((1, 0), 0) == parameter_symbol("T")


def test_string_profiles_and_declared_parameters():
    g = gt.Game.from_table(
        PD, {",".join(k): v for k, v in PD_PAYOFFS.items()}, {"R": 3, "S": 0, "T": 5, "P": 1}
    )
    assert g.defaults == {"R": 3.0, "S": 0.0, "T": 5.0, "P": 1.0}
    assert g.parameter_names == ("R", "S", "T", "P")


def test_three_strategy_population():
    pops = {"a": ["r", "p", "s"], "b": ["r", "p", "s"]}
    beats = {("r", "s"), ("s", "p"), ("p", "r")}
    pay = {}
    for s in pops["a"]:
        for t in pops["b"]:
            v = 1 if (s, t) in beats else -1 if (t, s) in beats else 0
            pay[(s, t)] = (v, -v)
    g = gt.Game.from_table(pops, pay)
    assert g.strategy_counts == (3, 3)
    assert g.replicator().dimension == 4


@pytest.mark.parametrize(
    "populations, payoffs, parameters, fragment",
    [
        (PD, {k: v for k, v in list(PD_PAYOFFS.items())[:3]}, None, "misses 1 of 4"),
        (PD, {**PD_PAYOFFS, ("C", "X"): ("R", "R")}, None, "no strategy 'X'"),
        (PD, {**PD_PAYOFFS, ("C", "C"): ("R",)}, None, "have 1 entries, expected 2"),
        (PD, {**PD_PAYOFFS, ("C", "C"): "R"}, None, "must be a sequence"),
        ({"row": ["C", "C"], "col": ["C", "D"]}, PD_PAYOFFS, None, "repeats strategy"),
        ({"row": ["C"], "col": ["C", "D"]}, PD_PAYOFFS, None, "at least 2 strategies"),
        ({"row": ["C", "D"]}, {("C",): (1,), ("D",): (2,)}, None, "at least 2 populations"),
        (PD, PD_PAYOFFS, {"R": 1, "S": 0, "T": 5}, "'P', which is not declared"),
        (PD, PD_PAYOFFS, {"R": 1, "S": 0, "P": 1, "Q": 2}, "'Q' is declared but no payoff uses it"),
        (PD, PD_PAYOFFS, {"R": 1, "S": 0, "T": 5, "p": 1}, "did you mean 'p'"),
    ],
)
def test_specification_errors(populations, payoffs, parameters, fragment):
    with pytest.raises(SpecificationError, match=fragment):
        gt.Game.from_table(populations, payoffs, parameters)


def test_duplicate_population_names():
    with pytest.raises(SpecificationError, match="used more than once"):
        gt.Game([Population("a", ["x", "y"]), Population("a", ["x", "y"])], {})


def test_parameter_validation():
    with pytest.raises(SpecificationError, match="outside its bounds"):
        Parameter("a", 5, (0, 1))
    with pytest.raises(SpecificationError, match="reversed"):
        Parameter("a", None, (1, 0))
    with pytest.raises(SpecificationError, match="not finite"):
        Parameter("a", math.nan)
    with pytest.raises(SpecificationError, match="identifier"):
        Parameter("a b")


def test_game_is_immutable_and_fingerprinted():
    g = gt.Game.from_table(PD, PD_PAYOFFS)
    with pytest.raises(AttributeError):
        g.name = "x"
    with pytest.raises(TypeError):
        g.payoffs[("C", "C")] = (1, 1)
    same = gt.Game.from_table(PD, dict(reversed(list(PD_PAYOFFS.items()))))
    assert g.fingerprint == same.fingerprint and g == same
    other = gt.Game.from_table(PD, {**PD_PAYOFFS, ("D", "D"): ("P", "P + 1")})
    assert other.fingerprint != g.fingerprint


def test_toml_round_trip(tmp_path):
    g = classic.wang2023_air_pollution()
    path = tmp_path / "wang.toml"
    path.write_text(g.to_toml())
    back = gt.load_game(path)
    assert back == g
    assert back.defaults == g.defaults
    assert back.population_names == g.population_names


def test_toml_model_file(tmp_path):
    path = tmp_path / "pennies.toml"
    path.write_text(
        """
name = "Matching pennies"
[populations]
row = ["H", "T"]
col = ["H", "T"]
[parameters]
a = 1.0
[parameters.b]
default = 2.0
bounds = [0, inf]
description = "scale"
[payoffs]
"H,H" = ["a", "-a"]
"H,T" = ["-a", "b"]
"T,H" = ["-a", "a"]
"T,T" = ["a", "-a"]
"""
    )
    g = gt.load_game(path)
    assert g.name == "Matching pennies"
    assert g.parameter("b").bounds == (0.0, math.inf)
    assert g.payoff(("H", "T"), "col") == parameter_symbol("b")


@pytest.mark.parametrize(
    "text, error, fragment",
    [
        ("[populations]\nrow=['H','T']\n", SpecificationError, r"no \[payoffs\] table"),
        ("populations = 3\n[payoffs]\n", SpecificationError, "must be a table"),
        ("this is not toml", gt.ParseError, "not valid TOML"),
        ("nmae='x'\n[populations]\n[payoffs]\n", SpecificationError, "did you mean 'name'"),
        (
            "[populations]\nr=['H','T']\nc=['H','T']\n[parameters.a]\ndefalt=1\n[payoffs]\n",
            SpecificationError,
            "unknown field",
        ),
    ],
)
def test_bad_model_files(tmp_path, text, error, fragment):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(error, match=fragment):
        gt.load_game(path)


def test_missing_model_file(tmp_path):
    with pytest.raises(SpecificationError, match="cannot read model file"):
        gt.load_game(tmp_path / "nope.toml")


def test_reference_case_wang_payoff_differences(wang):
    """Wang et al. (2023): Ux = 4y - 3.15, Uy = 3x - 6.5, Uz = 1.5y - 10 (reference-cases README)."""
    game, params, _ = wang
    dyn = game.replicator()
    x, y, z = dyn.states
    values = {parameter_symbol(k): sympy.nsimplify(v) for k, v in params.items()}
    expected = [
        4 * y - sympy.Rational(315, 100),
        3 * x - sympy.Rational(13, 2),
        sympy.Rational(3, 2) * y - 10,
    ]
    for ours, theirs in zip(dyn.payoff_differences, expected, strict=True):
        assert sympy.simplify(ours.xreplace(values) - theirs) == 0


def test_reference_case_wang_symbolic_matches_model_library(wang):
    game, _, _ = wang
    lib = classic.wang2023_air_pollution()
    ours = game.replicator().payoff_differences
    theirs = lib.replicator().payoff_differences
    rename = dict(zip(lib.replicator().states, game.replicator().states, strict=True))
    for a, b in zip(ours, theirs, strict=True):
        assert sympy.expand(a - b.xreplace(rename)) == 0


def test_reference_case_jordan_payoff_differences(jordan):
    """Jordan (1993): player 1 matches 2, 2 matches 3, 3 mismatches 1 (Delta = +-2a(2s-1))."""
    game, _, _ = jordan
    dyn = game.replicator()
    x, y, z = dyn.states
    a = parameter_symbol("a")
    expected = [2 * a * (2 * y - 1), 2 * a * (2 * z - 1), -2 * a * (2 * x - 1)]
    for ours, theirs in zip(dyn.payoff_differences, expected, strict=True):
        assert sympy.simplify(ours - theirs) == 0


@pytest.mark.parametrize("name", ["wang2023_s1_to_000", "jordan1993_matching_pennies"])
def test_load_reference_case_json(name, request):
    """load_game reads the reference-case JSON format: same dynamics as the hand conversion in conftest."""
    game, params, doc = request.getfixturevalue("wang" if name.startswith("wang") else "jordan")
    loaded = gt.load_game(DATA / f"{name}.json")
    assert loaded.population_names == tuple(doc["players"])
    assert loaded.defaults == {k: v for k, v in params.items() if k in loaded.parameter_names}
    ours, theirs = game.replicator(), loaded.replicator()
    for a, b in zip(ours.payoff_differences, theirs.payoff_differences, strict=True):
        assert sympy.expand(a - b) == 0


def test_json_model_file_and_errors(tmp_path):
    good = tmp_path / "m.json"
    good.write_text(
        '{"populations": {"r": ["a", "b"], "c": ["a", "b"]}, "parameters": {"k": 2},'
        ' "payoffs": {"a,a": ["k", "1"], "a,b": ["0", "0"], "b,a": ["0", "0"], "b,b": ["1", "k"]}}'
    )
    assert gt.load_game(good).defaults == {"k": 2.0}
    bad = tmp_path / "bad.json"
    bad.write_text('{"players": ["p", "q"], "payoffs": {"(1,x)": [1, 2]}}')
    with pytest.raises(SpecificationError, match=r"payoff key '\(1,x\)' must look like"):
        gt.load_game(bad)
    bad.write_text("[1, 2]")
    with pytest.raises(SpecificationError, match="must be an object"):
        gt.load_game(bad)
    bad.write_text("{nope")
    with pytest.raises(gt.ParseError, match="not valid JSON"):
        gt.load_game(bad)


def test_game_pickles():
    import pickle

    g = classic.wang2023_air_pollution()
    g.replicator()  # caches must not travel
    back = pickle.loads(pickle.dumps(g))
    assert back == g and back.defaults == g.defaults and back.name == g.name
    assert back.replicator().payoff_differences == g.replicator().payoff_differences


# ------------------------------------------------------------ numpy payoffs (issue 9)
@pytest.mark.parametrize(
    "value, expected",
    [
        (np.float64(2.0), sympy.Integer(2)),
        (np.float64(0.1), sympy.Rational(1, 10)),
        (np.int64(3), sympy.Integer(3)),
        (np.int32(-4), sympy.Integer(-4)),
        (np.float32(0.5), sympy.Rational(1, 2)),
        (np.float32(0.1), sympy.Rational(repr(float(np.float32(0.1))))),  # its exact float value
        (np.array(2.5), sympy.Rational(5, 2)),
        (np.array(7), sympy.Integer(7)),
    ],
)
def test_numpy_scalar_payoffs_are_numbers(value, expected):
    """Regression: numpy scalars crashed with a raw TypeError (float64) or a ParseError (others)."""
    g = gt.Game.from_table(PD, {**PD_PAYOFFS, ("C", "C"): (value, "R")})
    assert g.payoff(("C", "C"), 0) == expected
    assert gt.parse_expression(value) == expected


def test_bimatrix_game_from_numpy_arrays():
    """Regression: the natural way to type a bimatrix game (two numpy arrays) failed."""
    A = np.array([[3, 0], [5, 1]])
    B = np.array([[3.0, 5.0], [0.0, 1.0]], dtype=np.float32)
    s = ("C", "D")
    by_entries = gt.Game.from_table(
        PD, {(s[i], s[j]): (A[i, j], B[i, j]) for i in range(2) for j in range(2)}
    )
    by_rows = gt.Game.from_table(
        PD, {(s[i], s[j]): np.array([A[i, j], B[i, j]]) for i in range(2) for j in range(2)}
    )
    plain = gt.Game.from_table(
        PD, {("C", "C"): (3, 3), ("C", "D"): (0, 5), ("D", "C"): (5, 0), ("D", "D"): (1, 1)}
    )
    assert by_entries == plain and by_rows == plain
    assert by_entries.parameter_names == ()


def test_numpy_parameter_defaults_and_bounds():
    g = gt.Game.from_table(
        PD, PD_PAYOFFS, {"R": np.float64(3), "S": np.int64(0), "T": np.float32(5.5), "P": np.array(1)}
    )
    assert g.defaults == {"R": 3.0, "S": 0.0, "T": 5.5, "P": 1.0}
    assert all(type(v) is float for v in g.defaults.values())
    p = Parameter("a", np.float32(0.5), (np.int64(0), np.float64(1)))
    assert p.default == 0.5 and p.bounds == (0.0, 1.0)
    with pytest.raises(SpecificationError, match="not a number"):
        Parameter("a", np.array([0.5, 1.0]))
    with pytest.raises(SpecificationError, match="not a number"):
        Parameter("a", np.True_)


@pytest.mark.parametrize("value", [np.True_, np.complex128(1 + 2j), np.array([1.0, 2.0])])
def test_numpy_non_numbers_are_rejected_clearly(value):
    with pytest.raises(gt.ParseError, match="payoff of 'row'"):
        gt.Game.from_table(PD, {**PD_PAYOFFS, ("C", "C"): (value, "R")})


def test_declared_but_unused_parameters_are_kept(tmp_path):
    """Regression (issue 9): a paper's full parameter dict declared for a table that uses only some
    of them was refused by from_table and load_game, and silently filtered by the reference-case reader."""
    full = {"R": 3, "S": 0, "T": 5, "P": 1, "Q": 2}
    g = gt.Game.from_table(PD, PD_PAYOFFS, full)
    assert g.parameter_names == ("R", "S", "T", "P", "Q") and g.defaults["Q"] == 2.0
    assert gt.loads_game(g.to_toml()) == g
    dyn = g.replicator()
    assert dyn.parameter_vector(full).tolist() == [3.0, 0.0, 5.0, 1.0, 2.0]
    wang = gt.load_game(DATA / "wang2023_s1_to_000.json")
    doc = json.loads((DATA / "wang2023_s1_to_000.json").read_text())
    assert set(wang.parameter_names) == set(doc["parameters"])
    wang.replicator().parameter_vector(doc["parameters"])  # the paper's whole dict is accepted


def test_unknown_parameters_are_reported_once_together():
    """Regression (issue 9): each unknown name got its own message, each repeating the whole list."""
    dyn = gt.Game.from_table(PD, PD_PAYOFFS, {"R": 3, "S": 0, "T": 5, "P": 1}).replicator()
    with pytest.raises(gt.ParameterError) as info:
        dyn.parameter_vector({"R": 1, "Rr": 1, "Z": 2, "TT": 3})
    message = str(info.value)
    assert message.count("the game's parameters are") == 1
    assert "unknown parameters 'Rr' (did you mean 'R'?), 'Z', 'TT' (did you mean 'T'?)" in message


def test_game_summary_and_notebook_reprs():
    g = gt.Game.from_table(
        PD,
        PD_PAYOFFS,
        [
            Parameter("R", 3, (0, 10), "reward", "Axelrod 1984"),
            Parameter("S"),
            Parameter("T", 5),
            Parameter("P", 1),
        ],
        name="PD <b>",
    )
    text = g.summary()
    assert text.splitlines()[0] == "Game 'PD <b>': 2 populations, 4 pure profiles"
    assert "  row: C, D  (x)" in text and "  col: C, D  (y)" in text
    assert "  R = 3 in [0, 10]: reward (Axelrod 1984)" in text and "  S (no default)" in text
    assert "  C,D: S ; T" in text
    md = g._repr_markdown_()
    assert "| row | col | payoff row | payoff col |" in md and "| C | D | S | T |" in md
    html = g._repr_html_()
    assert "PD &lt;b&gt;" in html and "<b>PD <b>" not in html
    assert html.count("<tr>") == 1 + len(g.profiles)
    assert g.parameter("R").summary() == "R = 3 in [0, 10]: reward (Axelrod 1984)"
    assert g.population("row").summary() == "row: C, D"
