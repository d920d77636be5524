"""Symbolic blow-ups inside the parser's limits (issue 10 item 2): refused early, with the limit named.

``(a+b+c+d)**256`` passes the exponent limit but multiplies out to 2.9 million
terms; tables of 32,768 profiles or 2 x 300 strategies pass no sensible
derivation.  Each is refused by a limit of :mod:`gametheory.limits` with a
``GameError`` that names it, before any expensive work.  Below the limits the
(sparse-polynomial) derivation must agree with an independent numeric
computation of the replicator field.
"""

from __future__ import annotations

import itertools
import math
import random

import numpy as np
import pytest
import sympy

import gametheory as gt
from gametheory import ParseError, SpecificationError, limits
from gametheory.expressions import expanded_terms

a, b, c, d, e, f = sympy.symbols("a b c d e f")


def _random_game(counts, seed=0, symbolic=True):
    """Payoffs ``k*a + m`` (or integers) with k, m random in [-5, 5], one per population and profile."""
    rng = random.Random(seed)
    pops = {f"p{i}": [f"s{j}" for j in range(k)] for i, k in enumerate(counts)}
    table = {}
    for profile in itertools.product(*(range(k) for k in counts)):
        key = tuple(f"s{j}" for j in profile)
        table[key] = tuple(
            f"{rng.randint(-5, 5)}*a + {rng.randint(-5, 5)}" if symbolic else rng.randint(-5, 5)
            for _ in counts
        )
    return gt.Game.from_table(pops, table)


def _two_by_two(payoff):
    table = {("A", "A"): (payoff, 1), ("A", "B"): (0, 0), ("B", "A"): (0, 0), ("B", "B"): (1, 1)}
    return gt.Game.from_table({"r": ["A", "B"], "c": ["A", "B"]}, table)


EXPRESSIONS = [
    ("sum of 4 to the 256th", "(a+b+c+d)**256", "2,862,209 terms"),
    ("sum of 6 to the 256th", "(a+b+c+d+e+f)**256", "9,711,475,137 terms"),
    ("product of two powers", "(a+b)**256*(c+d)**256", "66,049 terms"),
    ("inside a function", "exp((a+b+c+d)**40)", "12,341 terms"),
    ("under a square root", "sqrt((a+b+c+d+e)**100)", "4,598,126 terms"),
    ("negative exponent", "1/(a+b+c+d)**60", "39,711 terms"),
    ("nested sums", "((a+b)**10 + (c+d)**10)**10", "terms"),
    ("as a sympy expression", sympy.Pow(a + b + c + d, 256, evaluate=False), "2,862,209 terms"),
    ("sympy product", (a + b + c) ** 100 * (d + e) ** 100, "terms"),
]


@pytest.mark.parametrize(("text", "fragment"), [x[1:] for x in EXPRESSIONS], ids=[x[0] for x in EXPRESSIONS])
def test_expression_that_multiplies_out_too_far_is_refused_when_parsed(text, fragment):
    with pytest.raises(ParseError, match="MAX_EXPANDED_TERMS|limit of 5,000") as info:
        gt.parse_expression(text, where="payoff of 'r' at ('A', 'A')")
    message = str(info.value)
    assert fragment in message and "payoff of 'r' at ('A', 'A')" in message


@pytest.mark.parametrize("text", ["(a+b+c+d)**256", sympy.Pow(a + b + c + d, 256, evaluate=False)])
def test_game_with_a_blown_up_payoff_is_refused_naming_the_profile(text):
    with pytest.raises(ParseError, match=r"\('A', 'A'\).*multiply out"):
        _two_by_two(text)


def test_expanded_terms_is_the_number_of_monomials():
    # C(n + k - 1, k) monomials of degree k in n variables: the bound is exact for a power of a sum
    for n, k in [(2, 5), (3, 4), (4, 6)]:
        syms = sympy.symbols(f"v0:{n}")
        expr = sympy.Add(*syms) ** k
        assert expanded_terms(expr) == math.comb(n + k - 1, k) == len(sympy.expand(expr).args)
    # products multiply, sums add; an upper bound when terms merge
    assert expanded_terms((a + b) * (c + d) + e) == 5 == len(sympy.expand((a + b) * (c + d) + e).args)
    assert expanded_terms((a + b) * (a - b)) == 4 >= len(sympy.expand((a + b) * (a - b)).args)
    assert expanded_terms(sympy.exp(a + b) * c) == 1


def test_payoff_just_under_the_limit_is_derived_exactly():
    # (a+b+c+d)**16 has 969 terms: accepted, and its advantage is the payoff itself at y = 1
    game = _two_by_two("(a+b+c+d)**16")
    dyn = game.replicator()
    x, y = dyn.states
    assert sympy.expand(dyn.payoff_differences[0].subs(y, 1) - (a + b + c + d) ** 16) == 0
    assert expanded_terms(game.payoff(("A", "A"), "r")) <= limits.MAX_EXPANDED_TERMS


@pytest.mark.parametrize(
    "counts",
    [(2,) * 15, (17,) * 4, (300, 300)],
    ids=["15 populations x 2", "4 populations x 17", "2 populations x 300"],
)
def test_table_over_the_profile_limit_is_refused_before_parsing(counts):
    pops = {f"p{i}": [f"s{j}" for j in range(k)] for i, k in enumerate(counts)}
    profiles = f"{math.prod(counts):,} strategy profiles"
    with pytest.raises(SpecificationError, match=f"{profiles}, more than the limit of 20,000"):
        gt.Game.from_table(pops, {})


def test_model_file_over_the_profile_limit_is_refused(tmp_path):
    path = tmp_path / "big.toml"
    strategies = ", ".join(f'"s{j}"' for j in range(300))
    path.write_text(
        f'[populations]\nrow = [{strategies}]\ncol = [{strategies}]\n[payoffs]\n"s0,s0" = [1, 1]\n'
    )
    with pytest.raises(SpecificationError, match="90,000 strategy profiles"):
        gt.load_game(path)


@pytest.mark.parametrize("counts", [(2,) * 11, (23, 23), (4, 4, 4, 4, 4)], ids=["11 x 2", "2 x 23", "5 x 4"])
def test_derivation_over_the_system_limit_is_refused_naming_the_limit(counts):
    game = _random_game(counts)
    shape = " x ".join(map(str, counts))
    with pytest.raises(SpecificationError, match=f"{shape} strategies.*MAX_SYSTEM_TERMS"):
        game.replicator()


def _independent_field(game, x, a_value):
    """The replicator field from payoff tensors with numpy (no sympy derivation)."""
    counts = game.strategy_counts
    shares, start = [], 0
    for k in counts:
        own = np.asarray(x[start : start + k - 1], dtype=float)
        shares.append(np.append(own, 1.0 - own.sum()))
        start += k - 1
    out = []
    for i in range(len(counts)):
        tensor = np.array(
            [float(game.payoff(p, game.populations[i].name).subs("a", a_value)) for p in game.profiles]
        ).reshape(counts)
        fitness = tensor
        for l in reversed(range(len(counts))):  # contract every opponent's shares, keep own axis
            if l != i:
                fitness = np.tensordot(fitness, shares[l], axes=([l], [0]))
        mean = shares[i] @ fitness
        out.extend(shares[i][:-1] * (fitness[:-1] - mean))
    return np.array(out)


@pytest.mark.parametrize("counts", [(2, 2, 2), (3, 2), (3, 3, 2), (4, 3), (2,) * 6])
def test_derived_field_and_jacobian_agree_with_independent_computation(counts):
    game = _random_game(counts, seed=sum(counts))
    dyn = game.replicator()
    rng = np.random.default_rng(1)
    params = {"a": 0.7}
    for _ in range(5):
        x = np.concatenate([rng.dirichlet(np.ones(k))[:-1] for k in counts])
        # exact polynomials evaluated in double precision: agreement to rounding (1e-12)
        np.testing.assert_allclose(dyn.vector_field(x, params), _independent_field(game, x, 0.7), atol=1e-12)
        # central differences of the independent field, step 1e-6: error O(h^2 * f''') ~ 1e-10
        h = 1e-6
        numeric = np.column_stack(
            [
                (_independent_field(game, x + h * np.eye(len(x))[j], 0.7)
                 - _independent_field(game, x - h * np.eye(len(x))[j], 0.7)) / (2 * h)
                for j in range(len(x))
            ]
        )  # fmt: skip
        np.testing.assert_allclose(dyn.jacobian_at(x, params), numeric, atol=1e-7)


def test_dynamics_pickles_without_polynomials():
    import pickle

    dyn = _random_game((3, 2)).replicator()
    again = pickle.loads(pickle.dumps(dyn))
    assert again.equations == dyn.equations and again.jacobian() == dyn.jacobian()


def test_limits_are_documented_in_one_table():
    table = limits.__doc__
    for name in limits.__all__:
        assert f"``{name}``" in table, name
