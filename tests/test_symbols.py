"""A user's sympy.Symbol(name) is the package's symbol (issue 9, item 6)."""

from __future__ import annotations

import pytest
import sympy

import gametheory as gt
from gametheory.models import crisis_governance


@pytest.fixture(scope="module")
def dyn():
    return crisis_governance.game().replicator()


def test_user_symbols_substitute(dyn):
    """Regression: the package's symbols carried real=True, so these substitutions did nothing."""
    F_g = sympy.Symbol("F_g")
    assert F_g in dyn.equations.free_symbols
    assert F_g not in dyn.equations.subs({F_g: 3}).free_symbols
    assert F_g not in dyn.equations.subs({"F_g": 3}).free_symbols
    x, y, z = sympy.symbols("x y z")
    assert dyn.states == (x, y, z)
    assert dyn.game.parameter("F_g").symbol == F_g


def test_equations_at_is_the_numeric_system(dyn):
    params = dict(crisis_governance.STATUS_QUO)
    system = dyn.equations_at(params)
    assert system.shape == (3, 1)
    assert system.free_symbols <= set(dyn.states)
    f = sympy.lambdify(dyn.states, list(system), "math")
    for state in ([0.2, 0.5, 0.7], [0.9, 0.1, 0.4]):
        numeric = [float(v) for v in f(*state)]
        assert numeric == pytest.approx(dyn.vector_field(state, params).tolist(), rel=1e-12, abs=1e-14)
    by_symbol = dyn.equations_at({sympy.Symbol(k): v for k, v in params.items()})
    assert by_symbol == system


def test_equations_at_defaults_and_errors(dyn):
    assert dyn.equations_at() == dyn.equations_at(dict(dyn.game.defaults))
    with pytest.raises(gt.ParameterError, match="unknown parameter 'F_x'.*did you mean"):
        dyn.equations_at({"F_x": 1})
    with pytest.raises(gt.ParameterError, match="must be finite"):
        dyn.equations_at({"F_g": float("nan")})
    with pytest.raises(gt.ParameterError, match="one parameter set at a time"):
        dyn.equations_at({"F_g": [1.0, 2.0]})
