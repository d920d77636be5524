"""The flagship crisis-governance model and the model library."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import sympy

from gametheory.expressions import parameter_symbol
from gametheory.models import classic, crisis_governance

GRID = np.linspace(0.1, 0.9, 5)


@pytest.fixture(scope="module")
def dyn():
    return crisis_governance.game().replicator()


@pytest.mark.parametrize(
    "params, end",
    [(crisis_governance.STATUS_QUO, [0, 0, 0]), (crisis_governance.OPTIMIZED, [1, 1, 1])],
    ids=["STATUS_QUO->000", "OPTIMIZED->111"],
)
def test_calibrations_end_where_the_docstring_says(dyn, params, end):
    for x0 in itertools.product(GRID, GRID, GRID):
        tr = dyn.simulate(x0, (0, 300), params)
        np.testing.assert_allclose(tr.final, end, atol=1e-6, err_msg=f"from {x0}")


def test_docstring_payoff_differences(dyn):
    """The closed forms printed in the module docstring equal the derived ones."""
    s = {name: parameter_symbol(name) for name in crisis_governance.STATUS_QUO}
    x, y, z = dyn.states
    dx = (
        s["R_g"]
        - s["C_g"]
        + s["F_g"] * s["theta"]
        + s["L_g"]
        + (1 - s["lam"]) * (s["V_n"] * y + s["V_c"] * z)
        - s["S"] * y
        - s["W"] * z
        + (1 - s["theta"]) * s["F_g"] * z
        - s["L_g"] * (y + z - y * z)
        + s["s_g"] * y * z
    )
    dy = (
        s["R_n"] * s["mu"]
        - s["C_n"]
        + (s["C_n"] * s["tau"] + s["S"] + s["F_n"]) * x
        + ((1 - s["mu"]) * s["R_n"] + s["K_n"]) * z
        + s["s_n"] * x * z
    )
    dz = (
        s["R_c"]
        - s["C_c"]
        + s["D_c"]
        + (s["R_c"] * s["b_g"] + s["W"] - s["D_c"]) * x
        + (s["R_c"] * s["b_n"] - s["D_c"]) * y
        + (s["s_c"] + s["D_c"]) * x * y
    )
    for ours, doc in zip(dyn.payoff_differences, (dx, dy, dz), strict=True):
        assert sympy.expand(ours - doc) == 0


def test_every_parameter_is_documented():
    game = crisis_governance.game()
    doc = crisis_governance.__doc__
    for p in game.parameters:
        assert p.description and p.source.startswith("Zeng, section")
        assert f"``{p.name}``" in doc
    assert set(crisis_governance.LEVERS) == {"lam", "S", "W", "F_g", "theta", "mu", "tau", "F_n", "K_n"}


def test_corner_eigenvalues_are_the_payoff_differences(dyn):
    """At a vertex the Jacobian is diagonal with entries (1 - 2 x_i) Delta_i."""
    for params in (crisis_governance.STATUS_QUO, crisis_governance.OPTIMIZED):
        for _, v in dyn.vertices():
            J = dyn.jacobian_at(v, params)
            assert np.count_nonzero(J - np.diag(np.diag(J))) == 0
            subs = {parameter_symbol(k): val for k, val in params.items()} | dict(
                zip(dyn.states, v, strict=True)
            )
            deltas = [float(d.xreplace(subs)) for d in dyn.payoff_differences]
            np.testing.assert_allclose(np.diag(J), (1 - 2 * v) * deltas, rtol=1e-14)


def test_matching_pennies_library_game():
    g = classic.matching_pennies_3()
    dyn = g.replicator()
    J = dyn.jacobian_at([0.5, 0.5, 0.5])
    np.testing.assert_allclose(J, [[0, 1, 0], [0, 0, 1], [-1, 0, 0]], atol=1e-15)
    ev = np.sort_complex(np.linalg.eigvals(J))
    np.testing.assert_allclose(ev, np.sort_complex([-1, 0.5 - 0.5j * np.sqrt(3), 0.5 + 0.5j * np.sqrt(3)]))
