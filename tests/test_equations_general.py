"""General systems typed in from their equations (issue 11, item 4b): ``from_equations(form="general")``.

Every check compares with an independent computation written here: vector fields and
Jacobians coded by hand in numpy, trajectories from ``scipy.integrate.solve_ivp`` (DOP853,
rtol 1e-12) on the hand-coded field, rest points in closed form, and the package's own
logit/BNN/Smith dynamics for the same game typed in by hand.
"""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from scipy.integrate import solve_ivp

import gametheory as gt
from gametheory import AnalysisError, ParameterError, SpecificationError
from gametheory.dynamics.given import GameShape, GivenDynamics

# ---------------------------------------------------------------- predator-prey in shares
PREDATOR_PREY = ["p' = p*(1 - p)*(a - q)", "q' = q*(1 - q)*(p - b) - m*q"]
PP = {"a": 0.5, "b": 0.3, "m": 0.1}


def pp_field(x, a=0.5, b=0.3, m=0.1):
    p, q = x
    return np.array([p * (1 - p) * (a - q), q * (1 - q) * (p - b) - m * q])


def pp_jacobian(x, a=0.5, b=0.3, m=0.1):
    p, q = x
    return np.array([[(1 - 2 * p) * (a - q), -p * (1 - p)], [q * (1 - q), (1 - 2 * q) * (p - b) - m]])


def pp_rest_points(a=0.5, b=0.3, m=0.1):
    """By hand: q' = 0 on q = 0 or (1 - q)(p - b) = m; p' = 0 on p in {0, 1} or q = a (q = 1 never: q' = -m)."""
    return sorted([(0.0, 0.0), (1.0, 0.0), (1.0, 1 - m / (1 - b)), (b + m / (1 - a), a)])


@pytest.fixture(scope="module")
def pp():
    return gt.from_equations(PREDATOR_PREY, parameters=PP, form="general")


def test_predator_prey_is_the_typed_field(pp):
    assert isinstance(pp, GivenDynamics) and pp.form == "general" and pp.state_names == ("x", "y")
    assert pp.given_names == ("p", "q") and pp.expected_payoffs is None
    rng = np.random.default_rng(1)
    xs = rng.uniform(0, 1, (50, 2))
    # the same arithmetic in another order: agreement to a few ulps of the O(1) terms
    np.testing.assert_allclose(pp.vector_field(xs), np.array([pp_field(x) for x in xs]), atol=1e-15)
    other = {"a": 0.7, "b": 0.2, "m": 0.05}
    np.testing.assert_allclose(pp.vector_field(xs[0], other), pp_field(xs[0], **other), atol=1e-15)


def test_jacobian_is_exact_and_matches_central_differences(pp):
    rng = np.random.default_rng(2)
    h = 1e-6
    for x in rng.uniform(0.05, 0.95, (10, 2)):
        np.testing.assert_allclose(pp.jacobian_at(x), pp_jacobian(x), atol=1e-14)
        central = np.column_stack([(pp_field(x + h * e) - pp_field(x - h * e)) / (2 * h) for e in np.eye(2)])
        # central differences: truncation O(h^2 |F'''|) ~ 1e-12, rounding ~ 1e-16 / h = 1e-10
        np.testing.assert_allclose(pp.jacobian_at(x), central, atol=1e-8)


def test_trajectories_match_dop853_on_the_hand_coded_field(pp):
    x0, t1 = np.array([0.2, 0.3]), 40.0
    ref = solve_ivp(lambda t, x: pp_field(x), (0, t1), x0, method="DOP853", rtol=1e-12, atol=1e-14)
    traj = gt.simulate(pp, x0, (0, t1), rtol=1e-12, atol=1e-14)
    # both at rtol 1e-12 over a contracting spiral: global errors of order 1e-11
    np.testing.assert_allclose(traj.y[:, -1], ref.y[:, -1], atol=1e-9)
    starts = np.array([[0.2, 0.3], [0.9, 0.05], [0.5, 0.9]])
    refs = [solve_ivp(lambda t, x: pp_field(x), (0, t1), s, method="DOP853", rtol=1e-12, atol=1e-14).y[:, -1]
            for s in starts]  # fmt: skip
    for backend in ("numpy", "numba"):
        ens = gt.simulate_many(pp, starts, t_span=(0, t1), backend=backend, rtol=1e-10, atol=1e-12)
        assert ens.success
        # rtol 1e-10 against 1e-12: the looser one dominates, 1e-8 with margin for accumulation
        np.testing.assert_allclose(ens.final, np.array(refs), atol=1e-7)


def test_analyze_finds_the_closed_form_rest_points(pp):
    report = gt.analyze(pp)
    assert not report.complete
    found = sorted(tuple(map(float, e.point)) for e in report.equilibria)
    np.testing.assert_allclose(found, pp_rest_points(), atol=1e-10)
    for e in report.equilibria:
        assert e.is_nash is None and not e.is_ess  # no payoffs: Nash status unknown
        hand = np.linalg.eigvals(pp_jacobian(e.point))
        np.testing.assert_allclose(sorted(e.eigenvalues.real), sorted(hand.real), atol=1e-10)
    kinds = {tuple(np.round(e.point, 6)): e.kind.value for e in report.equilibria}
    assert kinds[(0.5, 0.5)] == "sink" and kinds[(0.0, 0.0)] == "saddle"
    assert "no payoffs" in report.summary() and "Nash status unknown" in report.summary()
    assert report.to_frame()["is_nash"].isna().all()


def test_sweep_runs_on_a_general_system(pp):
    result = gt.sweep(pp, {"m": [0.05, 0.1]}, np.array([[0.2, 0.3]]), t_span=(0.0, 100.0))
    final = np.asarray(result.final)[:, 0, :]
    refs = [solve_ivp(lambda t, x, m=m: pp_field(x, m=m), (0, 100), [0.2, 0.3], method="DOP853", rtol=1e-12,
                      atol=1e-14).y[:, -1] for m in (0.05, 0.1)]  # fmt: skip
    np.testing.assert_allclose(final, refs, atol=1e-6)  # the sweep's default rtol 1e-8, with margin
    # spiralling into the interior sink (b + m / (1 - a), a) of the closed form (slowly for m = 0.05)
    np.testing.assert_allclose(final, [[0.4, 0.5], [0.5, 0.5]], atol=5e-2)


def test_there_are_no_payoffs_anywhere(pp):
    with pytest.raises(AnalysisError, match="no payoffs"):
        pp.compiled("payoffs")
    for call in (lambda g: g.payoff(("1", "1"), "p"), lambda g: g.replicator(), lambda g: g.to_toml(),
                 lambda g: g.dynamics("logit")):  # fmt: skip
        with pytest.raises(SpecificationError, match="no payoffs"):
            call(pp.game)
    assert dict(pp.game.payoffs) == {} and "payoffs: none" in pp.game.summary()
    # attractors needs no payoffs: the general path certifies the interior sink (b + m / (1 - a), a)
    out = gt.attractors(pp, starts=[[0.2, 0.3]]).outcomes[0]
    assert out.certified and "ellipsoid" in out.evidence
    np.testing.assert_allclose(out.point, pp_rest_points()[1], atol=1e-9)
    # a GivenDynamics built directly carries its own equations in its game's fingerprint
    shape = GameShape({"p": ["1", "2"], "q": ["1", "2"]})
    one, two = GivenDynamics(shape, ["x*(1 - x)", "-y"]), GivenDynamics(shape, ["-x", "y*(1 - y)"])
    assert one.game.fingerprint != two.game.fingerprint and one.game.equations == ("x*(1 - x)", "-y")


def test_abs_is_differentiated_as_max_and_basins_take_the_general_path():
    dyn = gt.from_equations(
        ["x' = x*(1 - x)*(Abs(y - 1/2) - 1/4)", "y' = y*(1 - y)*(x - 1/2)"], form="general"
    )
    for x, y in np.random.default_rng(6).uniform(0, 1, (10, 2)):
        s = np.sign(y - 0.5)  # d|u|/du, away from u = 0
        hand = [
            [(1 - 2 * x) * (abs(y - 0.5) - 0.25), x * (1 - x) * s],
            [y * (1 - y), (1 - 2 * y) * (x - 0.5)],
        ]
        np.testing.assert_allclose(dyn.jacobian_at([x, y]), hand, atol=1e-15)
    # at the kink u = 0 the derivative of Max(u, -u) is H(0) - H(0) = 0: the average of the one-sided ones
    assert dyn.jacobian_at([0.3, 0.5])[0, 1] == 0.0
    # basins take the general path: the sink (1, 1) (eigenvalues -1/4, -1/2, away from the kink y = 1/2)
    # is certified by an ellipsoid; starts circling the non-hyperbolic centre (1/2, 1/4) (listed, never
    # certified) are not certified
    res = gt.basins(dyn, n=16, backend="numpy")
    assert res.outcomes == (
        "rest point (x, y) = (1, 1)",
        "rest point (x, y) = (0.5, 0.25)",
        "not certified",
        "failed",
    )
    assert 0 < float(res.share[0]) < 1 and float(res.share[1]) == 0 and float(res.share[-1]) == 0
    assert res.ess.values.tolist() == [True, False]


def test_pickles_and_is_told_apart_from_another_system_of_its_shape(pp):
    back = pickle.loads(pickle.dumps(pp))
    np.testing.assert_array_equal(back.vector_field([0.3, 0.4]), pp.vector_field([0.3, 0.4]))
    assert back.game == pp.game and isinstance(back.game, GameShape)
    other = gt.from_equations(["p' = p*(1 - p)*(a - q)", "q' = q*(1 - q)*(p - b) - 2*m*q"], parameters=PP,
                              form="general")  # fmt: skip
    assert other.game.fingerprint != pp.game.fingerprint


# ---------------------------------------------------------------- forms
def test_form_auto_and_replicator_and_general_agree_on_a_replicator_system():
    eqs = ["x' = x*(1 - x)*(2*y - 1)", "y' = y*(1 - y)*(1 - 3*x)"]
    rep = gt.from_equations(eqs, form="auto")
    gen = gt.from_equations(eqs, form="general")
    assert rep.form == "game" and type(rep).__name__ == "ReplicatorDynamics" and gen.form == "general"
    xs = np.random.default_rng(3).uniform(0, 1, (20, 2))
    np.testing.assert_allclose(gen.vector_field(xs), rep.vector_field(xs), atol=1e-15)
    exact = sorted(tuple(e.point) for e in gt.analyze(rep).equilibria)
    numeric = sorted(tuple(e.point) for e in gt.analyze(gen).equilibria)
    np.testing.assert_allclose(numeric, exact, atol=1e-10)  # (1/3, 1/2) and the 4 vertices


def test_default_form_refuses_non_replicator_equations_with_a_hint():
    with pytest.raises(SpecificationError, match="form='general'"):
        gt.from_equations(PREDATOR_PREY)
    assert isinstance(gt.from_equations(PREDATOR_PREY, form="auto"), GivenDynamics)
    with pytest.raises(SpecificationError, match="form"):
        gt.from_equations(PREDATOR_PREY, form="generall")


# ---------------------------------------------------------------- the package's dynamics typed in by hand
A = np.array([[3.0, 0.0], [0.0, 1.0]])  # row's payoffs, A[row strategy, col strategy]
B = np.array([[0.0, 2.0], [1.0, 0.0]])  # col's payoffs, B[row strategy, col strategy]


def _game():
    table = {(r, c): (A[i, j], B[i, j]) for i, r in enumerate("AB") for j, c in enumerate("AB")}
    return gt.Game.from_table({"row": ["A", "B"], "col": ["A", "B"]}, table)


def _typed(kind):
    """The textbook equations of ``kind`` for the 2x2 game above, written out as text."""
    f1, f2 = f"({A[0, 0]}*y + {A[0, 1]}*(1 - y))", f"({A[1, 0]}*y + {A[1, 1]}*(1 - y))"
    g1, g2 = f"({B[0, 0]}*x + {B[1, 0]}*(1 - x))", f"({B[0, 1]}*x + {B[1, 1]}*(1 - x))"
    eqs = []
    for s, u1, u2 in (("x", f1, f2), ("y", g1, g2)):
        if kind == "logit":
            eqs.append(f"{s}' = 1/(1 + exp(({u2} - {u1})/eta)) - {s}")
        elif kind == "bnn":
            mean = f"({s}*{u1} + (1 - {s})*{u2})"
            e1, e2 = f"Max(0, {u1} - {mean})", f"Max(0, {u2} - {mean})"
            eqs.append(f"{s}' = {e1} - {s}*({e1} + {e2})")
        else:  # smith
            eqs.append(f"{s}' = (1 - {s})*Max(0, {u1} - {u2}) - {s}*Max(0, {u2} - {u1})")
    return eqs


@pytest.mark.parametrize(("kind", "options"), [("logit", {"eta": 0.4}), ("bnn", {}), ("smith", {})])
def test_typed_logit_bnn_smith_are_the_packages(kind, options):
    ours = _game().dynamics(kind, **options)
    typed = gt.from_equations(_typed(kind), parameters={"eta": 0.4} if options else None, form="general")
    xs = np.random.default_rng(4).uniform(0, 1, (40, 2))
    np.testing.assert_allclose(typed.vector_field(xs), ours.vector_field(xs), atol=1e-14)
    np.testing.assert_allclose(typed.jacobian_at(xs[:5]), ours.jacobian_at(xs[:5]), atol=1e-13)
    theirs = sorted(tuple(e.point) for e in gt.analyze(ours).equilibria)
    found = sorted(tuple(e.point) for e in gt.analyze(typed).equilibria)
    # Newton on a smooth field converges to ~1e-15; at the kinks of BNN/Smith only linearly (merge 1e-6)
    np.testing.assert_allclose(found, theirs, atol=1e-10 if kind == "logit" else 1e-6)
    if kind != "logit":  # Nash stationarity: the unique Nash equilibrium (1/3, 1/4), by hand
        np.testing.assert_allclose(found, [(1 / 3, 1 / 4)], atol=1e-6)
    if kind != "bnn":  # exp and Max compiled in the numba (scalar) flavour agree with the package's numpy
        starts, span = np.array([[0.9, 0.1], [0.1, 0.8]]), (0.0, 10.0)
        a = gt.simulate_many(typed, starts, span, backend="numba", rtol=1e-10, atol=1e-12).final
        b = gt.simulate_many(ours, starts, span, backend="numpy", rtol=1e-10, atol=1e-12).final
        np.testing.assert_allclose(a, b, atol=1e-8)  # the same method at rtol 1e-10 on equal fields


def test_a_three_strategy_population_bound_by_name():
    # row: 3 strategies a, b, c against col: L, R; logit typed with the states named like strategies
    P = np.array([[1.0, 0.0], [0.0, 2.0], [0.5, 0.5]])  # row's payoffs
    Q = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 0.5]])  # col's payoffs
    f = [f"({P[k, 0]}*L + {P[k, 1]}*(1 - L))" for k in range(3)]
    g = [f"({Q[0, j]}*a + {Q[1, j]}*b + {Q[2, j]}*(1 - a - b))" for j in range(2)]
    eqs = {
        "L": f"1/(1 + exp(({g[1]} - {g[0]})/eta)) - L",  # given first: bound by name, not order
        "a": f"1/(1 + exp(({f[1]} - {f[0]})/eta) + exp(({f[2]} - {f[0]})/eta)) - a",
        "b": f"1/(1 + exp(({f[0]} - {f[1]})/eta) + exp(({f[2]} - {f[1]})/eta)) - b",
    }
    typed = gt.from_equations(eqs, populations={"row": ["a", "b", "c"], "col": ["L", "R"]},
                              parameters={"eta": 0.5}, form="auto")  # fmt: skip
    assert typed.state_names == ("x1", "x2", "y") and typed.given_names == ("a", "b", "L")
    game = gt.Game.from_table(
        {"row": ["a", "b", "c"], "col": ["L", "R"]},
        {(r, c): (P[i, j], Q[i, j]) for i, r in enumerate("abc") for j, c in enumerate("LR")},
    )
    ours = game.dynamics("logit", eta=0.5)
    rng = np.random.default_rng(5)
    xs = np.column_stack([rng.dirichlet(np.ones(3), 30)[:, :2], rng.uniform(0, 1, 30)])
    np.testing.assert_allclose(typed.vector_field(xs), ours.vector_field(xs), atol=1e-14)
    x, h = xs[0], 1e-6
    central = np.column_stack(
        [(typed.vector_field(x + h * e) - typed.vector_field(x - h * e)) / (2 * h) for e in np.eye(3)]
    )
    np.testing.assert_allclose(typed.jacobian_at(x), central, atol=1e-8)  # as above: O(h^2) + O(1e-16/h)
    found = sorted(tuple(e.point) for e in gt.analyze(typed).equilibria)
    theirs = sorted(tuple(e.point) for e in gt.analyze(ours).equilibria)
    np.testing.assert_allclose(found, theirs, atol=1e-10)


# ---------------------------------------------------------------- the state space
def test_a_field_leaving_the_state_space_is_refused_naming_the_equation():
    # q' = a - q leaves [0, 1] at q = 1 exactly when a > 1
    dyn = gt.from_equations(["p' = p*(1 - p)", "q' = a - q"], form="general")
    assert dyn.simulate([0.5, 0.5], (0, 5), {"a": 0.5}).success
    with pytest.raises(
        ParameterError, match=r"the equation of 'q' points out of the state space at \{'a': 2.0\}"
    ):
        dyn.simulate([0.5, 0.5], (0, 5), {"a": 2.0})
    with pytest.raises(ParameterError, match="the equation of 'q'"):
        dyn.simulate_many([[0.5, 0.5]], (0, 5), {"a": [0.5, 2.0]}, backend="numpy")
    with pytest.raises(SpecificationError, match="at the parameters' defaults: the equation of 'q'"):
        gt.from_equations(["p' = p*(1 - p)", "q' = a - q"], parameters={"a": 3.0}, form="general")
    with pytest.raises(
        SpecificationError, match="the equation of 'q' points out .* for every parameter value"
    ):
        gt.from_equations(["p' = p*(1 - p)", "q' = q - 1"], form="general")
    # two states of one population: their sum 1/2 + (1/2 - b) > 0 where a + b = 1
    with pytest.raises(SpecificationError, match=r"the equations of \['a', 'b'\] point out"):
        gt.from_equations(["a' = 1/2", "b' = 1/2 - b", "c' = c*(1 - c)"],
                          populations={"one": ["a", "b", "rest"], "two": ["c", "d"]}, form="general")  # fmt: skip


@pytest.mark.parametrize(
    ("equations", "options", "fragment"),
    [
        (["x' = 1/3 - x", "y' = 1/3 - y", "z' = z*(1 - z)"], {"populations": {"A": ["x", "y", "r"], "B": ["u", "v"]}},
         "the equation of 'z': 'z' is not a state"),
        (["r' = 1/3 - r", "x' = 1/3 - x", "u' = u*(1 - u)"], {"populations": {"A": ["x", "y", "r"], "B": ["u", "v"]}},
         "the equation of 'r' names the last strategy"),
        (["x' = x*(1 - x)", "y' = y*(1 - y)"], {"populations": {"A": ["1", "2", "3"], "B": ["1", "2"]}},
         "the populations have 3 states"),
        (["x' = x*(1 - x)*a", "x' = x*(1 - x)*b"], {}, "two equations"),
        (["x' = x*(1 - x)*a", "y' = y*(1 - y)"], {"parameters": {"a": 1, "x": 2}}, "parameter 'x' is named like a state"),
        (["p' = p*(1 - p)*y", "q' = q*(1 - q)"], {}, "the equation of 'p' uses 'y' as a parameter"),
        (["x' = x*(1 - x)*a", "y' = y*(1 - y)*b"], {"parameters": {"a": 1}}, "uses 'b', which is not a declared"),
        (["x' = x*(1 - x)*__import__('os')", "y' = y"], {}, "__import__"),
    ],
    ids=["unknown state", "last strategy", "count", "duplicated", "parameter named like a state",
         "state name as parameter", "undeclared", "injection"],
)  # fmt: skip
def test_bad_general_input_names_the_culprit(equations, options, fragment):
    with pytest.raises(gt.GameError) as info:
        gt.from_equations(equations, form="general", **options)
    assert fragment in str(info.value), str(info.value)
