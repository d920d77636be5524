"""Symbolic replicator dynamics, Jacobian and generated numerics."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import sympy

import gametheory as gt
from gametheory import ParameterError, StateError
from gametheory.codegen import compile_expressions
from gametheory.models import classic, crisis_governance


@pytest.fixture(scope="module")
def flagship():
    return crisis_governance.game().replicator()


def test_states_follow_the_convention(flagship):
    assert flagship.state_names == ("x", "y", "z")
    assert flagship.coordinates == ((0, 0), (1, 0), (2, 0))


def test_two_strategy_equations_are_factored(flagship):
    for s, delta, eq in zip(flagship.states, flagship.payoff_differences, flagship.equations, strict=True):
        assert eq == s * (1 - s) * delta
        assert not delta.has(s)  # own share never enters the payoff difference


def test_equations_equal_definition(flagship):
    """x_dot = x (f_1 - mean f) recomputed by hand from the payoff table."""
    game = flagship.game
    x, y, z = flagship.states
    share = {0: (x, 1 - x), 1: (y, 1 - y), 2: (z, 1 - z)}
    for i in range(3):
        f = []
        for j in range(2):
            total = 0
            for profile in game.profiles:
                idx = game.profile_indices(profile)
                if idx[i] != j:
                    continue
                w = 1
                for l in range(3):
                    if l != i:
                        w *= share[l][idx[l]]
                total += game.payoff(profile, i) * w
            f.append(total)
        s = share[i][0]
        mean = s * f[0] + (1 - s) * f[1]
        assert sympy.expand(s * (f[0] - mean) - flagship.equations[i]) == 0


def test_symbolic_jacobian_equals_derivative_of_equations(flagship):
    direct = flagship.equations.jacobian(flagship.states)
    assert (sympy.expand(flagship.jacobian() - direct)).is_zero_matrix


def test_three_strategy_jacobian_equals_derivative():
    g = gt.Game.from_table(
        {"a": ["r", "p", "s"], "b": ["u", "v"]},
        {(s, t): (f"{i}*k + {j}", f"{i - j}*m") for i, s in enumerate("rps") for j, t in enumerate("uv")},
    )
    dyn = g.replicator()
    direct = dyn.equations.jacobian(dyn.states)
    assert sympy.expand(dyn.jacobian() - direct).is_zero_matrix
    assert dyn.state_names == ("x1", "x2", "y")


def test_numeric_jacobian_matches_finite_differences(flagship):
    params = crisis_governance.STATUS_QUO
    rng = np.random.default_rng(1)
    h = 1e-6
    for x in rng.uniform(0.05, 0.95, size=(5, 3)):
        J = flagship.jacobian_at(x, params)
        fd = np.empty((3, 3))
        for c in range(3):
            e = np.zeros(3)
            e[c] = h
            fd[:, c] = (flagship.vector_field(x + e, params) - flagship.vector_field(x - e, params)) / (2 * h)
        # central differences of a cubic polynomial: error O(h^2 * |F'''|) ~ 1e-11, rounding ~ 1e-10
        np.testing.assert_allclose(J, fd, atol=1e-8, rtol=0)


def test_vector_field_matches_symbolic_substitution(flagship):
    params = crisis_governance.OPTIMIZED
    x = np.array([0.2, 0.7, 0.4])
    subs = {p.symbol: params[p.name] for p in flagship.game.parameters}
    subs |= dict(zip(flagship.states, x, strict=True))
    exact = np.array([float(e.xreplace(subs)) for e in flagship.equations])
    np.testing.assert_allclose(flagship.vector_field(x, params), exact, rtol=1e-13, atol=1e-14)


def test_batch_evaluation_and_constant_entries():
    """Constant Jacobian entries must broadcast over a batch (sympy lambdify returns scalars)."""
    g = classic.matching_pennies_3()
    dyn = g.replicator()
    xs = np.random.default_rng(0).uniform(size=(7, 3))
    F = dyn.vector_field(xs)
    J = dyn.jacobian_at(xs)
    assert F.shape == (7, 3) and J.shape == (7, 3, 3)
    for k in range(7):
        np.testing.assert_allclose(F[k], dyn.vector_field(xs[k]))
        np.testing.assert_allclose(J[k], dyn.jacobian_at(xs[k]))


def test_compiled_functions_pickle_and_have_scalar_flavour(flagship):
    rhs = flagship.compiled("rhs")
    back = pickle.loads(pickle.dumps(rhs))
    p = flagship.parameter_vector(crisis_governance.STATUS_QUO)
    X = np.array([[0.3], [0.4], [0.5]])
    np.testing.assert_array_equal(back(X, p[:, None]), rhs(X, p[:, None]))
    scalar = flagship.compiled("rhs", "scalar")
    out = np.empty(3)
    scalar(X[:, 0], p, out)
    np.testing.assert_allclose(out, rhs(X, p[:, None])[:, 0], rtol=1e-15)


def test_codegen_rejects_foreign_symbols():
    a, b = sympy.symbols("a b")
    with pytest.raises(ValueError, match="neither states nor parameters"):
        compile_expressions("f", [a + b], [a], [])


def test_parameter_errors(flagship):
    with pytest.raises(ParameterError, match="unknown parameter 'F_x'.*did you mean"):
        flagship.parameter_vector({"F_x": 1.0})
    with pytest.raises(ParameterError, match="must be finite"):
        flagship.parameter_vector({"F_g": float("nan")})
    with pytest.raises(ParameterError, match="outside its bounds"):
        flagship.parameter_vector({"theta": 1.5})
    with pytest.raises(ParameterError, match="not a number"):
        flagship.parameter_vector({"theta": "high"})
    g = gt.Game.from_table(
        {"r": ["a", "b"], "c": ["a", "b"]}, {(s, t): ("u", "v") for s in "ab" for t in "ab"}
    )
    with pytest.raises(ParameterError, match=r"no value given for parameter\(s\) \['u', 'v'\]"):
        g.replicator().parameter_vector({})


def test_array_parameters_broadcast(flagship):
    p = flagship.parameter_vector({"F_g": [1.0, 2.0, 3.0]})
    assert p.shape == (len(flagship.parameters), 3)
    with pytest.raises(ParameterError, match="has 3 values, other parameters have 2"):
        flagship.parameter_vector({"F_g": [1.0, 2.0, 3.0], "S": [1.0, 2.0]})


@pytest.mark.parametrize(
    "state, fragment",
    [
        ([0.5, 0.5], "must have shape"),
        ([0.5, -0.1, 0.5], "is negative"),
        ([0.5, 1.2, 0.5], "is negative"),  # 1 - y < 0 is the second strategy's share
        ([0.5, float("nan"), 0.5], "NaN"),
        ("abc", "not a vector"),
    ],
)
def test_state_errors(flagship, state, fragment):
    if fragment == "is negative" and state[1] > 1:
        fragment = "sum to"
    with pytest.raises(StateError, match=fragment):
        flagship.check_state(state)


def test_vertices_are_rest_points(flagship):
    for profile, v in flagship.vertices():
        assert np.all(flagship.vector_field(v, crisis_governance.STATUS_QUO) == 0), profile


def test_latex_output(flagship):
    tex = flagship.to_latex()
    assert tex.startswith("\\begin{align}") and tex.count("\\\\") == 2
    assert "\\lambda" in tex and "\\theta" in tex and "x\\left(1 - x\\right)" in tex


def test_payoffs_may_not_name_state_variables():
    """Regression (issue 9): a payoff naming a state variable silently became a parameter and the
    states were renamed (s_x, s_y); now it is refused, naming the profile and the symbol."""
    with pytest.raises(
        gt.SpecificationError, match=r"payoff of 'r' at \('a', 'a'\) uses 'x'.*state variable"
    ):
        gt.Game.from_table(
            {"r": ["a", "b"], "c": ["a", "b"]}, {(s, t): ("x", "y") for s in "ab" for t in "ab"}
        )
    with pytest.raises(gt.SpecificationError, match="uses 'y'"):  # also when parameters are declared
        gt.Game.from_table(
            {"r": ["a", "b"], "c": ["a", "b"]},
            {(s, t): ("1 - F*(1-y)", "0") for s in "ab" for t in "ab"},
            {"F": 1},
        )
    pops3 = {"r": ["a", "b", "c"], "c": ["a", "b"]}  # states x1, x2, y
    for name in ("x1", "y"):
        with pytest.raises(gt.SpecificationError, match=f"uses '{name}'.*rename it"):
            gt.Game.from_table(pops3, {(s, t): (f"1 - F*(1-{name})", "0") for s in "abc" for t in "ab"})
    with pytest.raises(gt.SpecificationError, match="parameter 'y' has the name of a state variable"):
        gt.Game.from_table(pops3, {(s, t): ("F", "0") for s in "abc" for t in "ab"}, {"F": 1, "y": 2})
    g = gt.Game.from_table(pops3, {(s, t): ("x", "0") for s in "abc" for t in "ab"})
    assert g.replicator().state_names == ("x1", "x2", "y") and g.parameter_names == ("x",)
