"""State-dependent payoffs (issue 11, item 3), checked against computations written here.

The textbook inspection game: population 1 (firms) plays {comply, violate}, population 2
(inspectors) plays {inspect, skip}.  ``x`` is the share of COMPLYING firms, ``y`` the share
of INSPECTING inspectors.  Payoffs (firm ; inspector)::

                  inspect              skip
    comply        0 ; -c               0 ; 0
    violate       -P ; b - c           g ; 0

with gain g of an unpunished violation, penalty P, inspection cost c and benefit b of
catching a violation (0 < c < b).  Static penalty P = F; dynamic penalty P = F (1 - x),
which falls as more firms comply.  Replicator dynamics (by hand)::

    x' = x (1 - x) [y (g + P) - g],       y' = y (1 - y) [b (1 - x) - c]

Static: centre at x* = 1 - c/b, y* = g/(g + F) with eigenvalues +-i w,
w^2 = c (b - c) g F / (b (g + F)), and the conserved quantity
H = (b - c) ln x + c ln(1 - x) + g ln y + F ln(1 - y)  (dH/dt = 0 by direct substitution).
Dynamic: x* = 1 - c/b, y* = g b / (g b + F c); Jacobian [[-F x(1-x) y, x(1-x)(g + F(1-x))],
[-b y(1-y), 0]], so trace T = -F x(1-x) y < 0 and det D = x(1-x)(g + F(1-x)) b y(1-y) > 0:
eigenvalues T/2 +- sqrt(T^2/4 - D), a stable focus when T^2 < 4D.
"""

from __future__ import annotations

import itertools
import pickle

import numpy as np
import pytest
import sympy
from scipy.integrate import solve_ivp
from scipy.optimize import root as scipy_root

import gametheory as gt
from gametheory.analysis.certify import certify_final_states
from gametheory.analysis.interior import certify_interior_rest_point, interior_rest_points_exact
from gametheory.errors import AnalysisError, SpecificationError

FIRMS = {"firm": ["comply", "violate"], "inspector": ["inspect", "skip"]}
DEFAULTS = {"F": 2, "b": 2, "c": 1, "g": 1}
R = sympy.Rational


def inspection(dynamic: bool, **kw) -> gt.Game:
    penalty = "F*(1 - x)" if dynamic else "F"
    table = {
        "comply,inspect": (0, "-c"),
        "comply,skip": (0, 0),
        "violate,inspect": (f"-{penalty}", "b - c"),
        "violate,skip": ("g", 0),
    }
    return gt.Game.from_table(FIRMS, table, parameters=DEFAULTS, state_dependent=dynamic, **kw)


def hand_field(dynamic: bool, F: float, b: float, c: float, g: float):
    def field(_t, s):
        x, y = s
        P = F * (1 - x) if dynamic else F
        return [x * (1 - x) * (y * (g + P) - g), y * (1 - y) * (b * (1 - x) - c)]

    return field


# exact parameter sets (0 < c < b; floats are read as their shortest decimal, so finite decimals only)
PARAMS = [DEFAULTS, {"F": 3, "b": 5, "c": 2, "g": R(1, 2)}, {"F": R(5, 2), "b": 4, "c": 3, "g": 2}]


@pytest.mark.parametrize("p", PARAMS)
def test_static_penalty_centre_exact(p):
    F, b, c, g = (R(p[k]) for k in "Fbcg")
    (rp,) = interior_rest_points_exact(inspection(False), p)
    assert rp.point == (1 - c / b, g / (g + F))
    omega = sympy.sqrt(c * (b - c) * g * F / (b * (g + F)))
    assert [sympy.simplify(e - w) for e, w in zip(rp.eigenvalues, (-sympy.I * omega, sympy.I * omega))] == [
        0,
        0,
    ]
    assert rp.kind == "centre"


def test_static_penalty_conserved_quantity_along_simulate():
    game = inspection(False)
    F, b, c, g = 2.0, 2.0, 1.0, 1.0

    def H(x, y):
        return (b - c) * np.log(x) + c * np.log(1 - x) + g * np.log(y) + F * np.log(1 - y)

    traj = gt.simulate(game, [0.3, 0.6], (0.0, 60.0), rtol=1e-12, atol=1e-14)
    values = H(traj.y[0], traj.y[1])
    # H is O(1); DOP853 at rtol 1e-12 over ~4 periods drifts by ~1e-11: 1e-8 leaves margin
    assert np.max(np.abs(values - values[0])) < 1e-8
    assert np.ptp(traj.y[0]) > 0.2  # it does cycle (a neutral orbit, not a rest point)


@pytest.mark.parametrize("p", PARAMS)
def test_dynamic_penalty_stable_focus_exact(p):
    F, b, c, g = (R(p[k]) for k in "Fbcg")
    x, y = 1 - c / b, g * b / (g * b + F * c)
    T = -F * x * (1 - x) * y
    D = x * (1 - x) * (g + F * (1 - x)) * b * y * (1 - y)
    assert T**2 < 4 * D  # these parameter sets give a focus
    expected = (T / 2 - sympy.I * sympy.sqrt(D - T**2 / 4), T / 2 + sympy.I * sympy.sqrt(D - T**2 / 4))
    (rp,) = interior_rest_points_exact(inspection(True), p)
    assert rp.point == (x, y)
    assert [sympy.simplify(e - w) for e, w in zip(rp.eigenvalues, expected)] == [0, 0]
    assert all(sympy.re(e) < 0 and sympy.im(e) != 0 for e in rp.eigenvalues)
    assert rp.kind == "stable focus"
    # the package's symbolic Jacobian at the exact point is the hand Jacobian, exactly
    dyn = inspection(True).replicator()
    subs = {sympy.Symbol(k): R(v) for k, v in p.items()} | dict(zip(dyn.states, (x, y)))
    hand = sympy.Matrix([[T, x * (1 - x) * (g + F * (1 - x))], [-b * y * (1 - y), 0]])
    assert sympy.simplify(dyn.jacobian().xreplace(subs) - hand) == sympy.zeros(2, 2)


def test_dynamic_penalty_spirals_in():
    game = inspection(True)
    rest = np.array([0.5, 0.5])
    field = hand_field(True, 2.0, 2.0, 1.0, 1.0)
    t = np.linspace(0.0, 200.0, 2001)
    ref = solve_ivp(field, (0, 200), [0.2, 0.7], method="DOP853", rtol=1e-12, atol=1e-14, t_eval=t)
    traj = gt.simulate(game, [0.2, 0.7], (0.0, 200.0), t_eval=t, rtol=1e-12, atol=1e-14)
    # both at rtol 1e-12 on an O(1) contracting flow: agreement far below 1e-8
    assert np.max(np.abs(traj.y - ref.y)) < 1e-8
    dist = np.linalg.norm(ref.y - rest[:, None], axis=0)
    period = 2 * np.pi / (np.sqrt(15) / 8)  # Im(lambda) = sqrt(15)/8 at the defaults
    per_turn = [dist[(t >= k * period) & (t < (k + 1) * period)].max() for k in range(int(200 / period))]
    assert all(a > b for a, b in itertools.pairwise(per_turn))  # each turn ends closer in
    assert dist[-1] < 1e-3 * dist[0]
    # it turns around the rest point: the angle winds through several full turns
    angle = np.unwrap(np.arctan2(ref.y[1] - 0.5, ref.y[0] - 0.5))
    assert abs(angle[-1] - angle[0]) > 4 * 2 * np.pi


@pytest.mark.parametrize("backend", ["numpy", "numba"])
def test_simulate_many_both_backends(backend):
    game = inspection(True)
    starts = np.array([[0.2, 0.7], [0.8, 0.3], [0.5, 0.9]])
    t = np.linspace(0.0, 20.0, 11)
    ens = gt.simulate_many(
        game, starts, t_span=(0.0, 20.0), t_eval=t, rtol=1e-10, atol=1e-12, backend=backend
    )
    assert ens.backend == backend
    field = hand_field(True, 2.0, 2.0, 1.0, 1.0)
    for k, x0 in enumerate(starts):
        ref = solve_ivp(field, (0, 20), x0, method="DOP853", rtol=1e-12, atol=1e-14, t_eval=t)
        assert np.max(np.abs(ens.y[k] - ref.y)) < 1e-7  # rtol 1e-10 over 20 time units


# ------------------------------------------------------------ random state-dependent games
def random_game(seed: int):
    """Populations of 3 and 2 strategies (states x1, x2, y); payoffs a0 + a1 x1 + a2 y^2 + a3 x1 x2."""
    rng = np.random.default_rng(seed)
    coef = rng.integers(-4, 5, size=(3, 2, 2, 4))  # (strategy 1, strategy 2, population, term)
    table = {}
    for j, k in itertools.product(range(3), range(2)):
        row = [
            " + ".join(f"({a})*{m}" for a, m in zip(coef[j, k, i], ("1", "x1", "y**2", "x1*x2")))
            for i in range(2)
        ]
        table[(f"s{j}", f"t{k}")] = row
    game = gt.Game({"p": ["s0", "s1", "s2"], "q": ["t0", "t1"]}, table, state_dependent=True)

    def field(s):
        x1, x2, y = s
        terms = np.array([1.0, x1, y**2, x1 * x2])
        P = coef @ terms  # payoff tensor at this state, shape (3, 2, 2)
        p, q = np.array([x1, x2, 1 - x1 - x2]), np.array([y, 1 - y])
        f1 = P[:, :, 0] @ q  # expected payoff of each strategy of population 1
        f2 = p @ P[:, :, 1]
        return np.array([x1 * (f1[0] - p @ f1), x2 * (f1[1] - p @ f1), y * (f2[0] - q @ f2)])

    return game, field


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_field_and_jacobian_vs_hand_code(seed):
    game, field = random_game(seed)
    dyn = game.replicator()
    assert game.parameter_names == ()
    rng = np.random.default_rng(100 + seed)
    for _ in range(5):
        s = np.concatenate([rng.dirichlet(np.ones(3))[:2], rng.uniform(0, 1, 1)])
        # integer coefficients, O(1) states: the fields agree to rounding
        np.testing.assert_allclose(dyn.vector_field(s), field(s), rtol=1e-12, atol=1e-12)
        h = 1e-6
        fd = np.column_stack([(field(s + h * e) - field(s - h * e)) / (2 * h) for e in np.eye(3)])
        # central differences of a cubic: truncation O(h^2 * 10^2) ~ 1e-10, rounding ~1e-10 / h
        np.testing.assert_allclose(dyn.jacobian_at(s), fd, rtol=1e-7, atol=1e-7)


def test_state_dependent_opt_in_without_state_use_is_the_static_dynamics():
    static = inspection(False).replicator()
    table = {
        "comply,inspect": (0, "-c"),
        "comply,skip": (0, 0),
        "violate,inspect": ("-F", "b - c"),
        "violate,skip": ("g", 0),
    }
    game = gt.Game.from_table(FIRMS, table, parameters=DEFAULTS, state_dependent=True)
    assert game.replicator().equations == static.equations
    assert game.fingerprint != inspection(False).fingerprint  # the flag is part of the model


# ------------------------------------------------------------------------ analysis
def test_analyze_goes_numerical_and_finds_the_focus():
    report = gt.analyze(inspection(True))
    interior = [e for e in report.equilibria if np.all((e.point > 0) & (e.point < 1))]
    assert len(interior) == 1
    np.testing.assert_allclose(interior[0].point, [0.5, 0.5], atol=1e-9)
    assert interior[0].kind is gt.StabilityKind.SINK
    # analysis eigenvalues (double precision) match the exact ones
    np.testing.assert_allclose(
        sorted(interior[0].eigenvalues, key=lambda v: v.imag),
        [-1 / 8 - 1j * np.sqrt(15) / 8, -1 / 8 + 1j * np.sqrt(15) / 8],
        atol=1e-9,
    )
    assert report.complete is False
    assert any("state-dependent payoffs" in n for n in report.notes)
    assert "state-dependent payoffs" in inspection(True).summary().splitlines()[0]


@pytest.mark.parametrize(
    "call",
    [
        lambda g: gt.rest_points(g),
    ],
)
def test_exact_constant_payoff_theory_refuses(call):
    with pytest.raises(AnalysisError, match="state-dependent payoffs"):
        call(inspection(True))


def test_attractors_take_the_general_path():
    """No replicator vertex theory: the interior sink (1 - c / b, g / (g + F c / b)) is certified by an ellipsoid."""
    out = gt.attractors(inspection(True), starts=[[0.2, 0.7]]).outcomes[0]
    assert out.certified and "ellipsoid" in out.evidence
    np.testing.assert_allclose(out.point, [0.5, 0.5], atol=1e-9)
    np.testing.assert_allclose(
        sorted(out.eigenvalues, key=lambda v: v.imag),
        [-1 / 8 - 1j * np.sqrt(15) / 8, -1 / 8 + 1j * np.sqrt(15) / 8],
    )


def test_vertex_theory_still_holds_for_the_replicator():
    """Corner conditions, strict equilibria and certificates take the payoffs at the vertex's own
    state (the vertex linearisation holds; tests/test_state_dependent_studies.py checks them)."""
    game = inspection(True)
    # at (comply, skip) = (1, 0) the penalty F (1 - x) is 0: the firm's deviation gain is g, the inspector's -c
    entry = gt.corner_conditions(game)[(1, 0)]
    g, c = sympy.symbols("g c")
    assert [sympy.simplify(e - w) for e, w in zip(entry.eigenvalues, (g, -c))] == [0, 0]
    assert not gt.strict_equilibria(game).any()  # the inspection game has no pure sink
    assert certify_final_states(game, [[0.5, 0.5]]).labels == ("not certified",)


def test_interior_rest_points_exact_refuses_other_dynamics_and_large_systems():
    with pytest.raises(AnalysisError, match="replicator"):
        interior_rest_points_exact(inspection(True).dynamics("logit", eta=0.5))
    with pytest.raises(AnalysisError, match="max_bezout"):
        interior_rest_points_exact(inspection(True), max_bezout=1)


# ------------------------------------------------------------------------ bad input
def test_state_name_without_opt_in_names_state_and_option():
    with pytest.raises(SpecificationError, match=r"uses 'x'.*state_dependent=True"):
        gt.Game.from_table(
            FIRMS,
            {
                "comply,inspect": (0, "-c"),
                "comply,skip": (0, 0),
                "violate,inspect": ("-F*(1-x)", "b - c"),
                "violate,skip": ("g", 0),
            },
        )


def test_parameter_named_like_a_state_is_refused():
    table = {
        "comply,inspect": (0, "-c"),
        "comply,skip": (0, 0),
        "violate,inspect": ("-F*(1-x)", "b"),
        "violate,skip": ("g", 0),
    }
    with pytest.raises(SpecificationError, match="parameter 'y' has the name of a state"):
        gt.Game.from_table(FIRMS, table, parameters={**DEFAULTS, "y": 1}, state_dependent=True)


@pytest.mark.parametrize("payoff", ["exp(x)", "F/x", "sqrt(y)", "x**(1/2)"])
def test_non_polynomial_state_dependence_is_refused(payoff):
    table = {
        "comply,inspect": (0, "-c"),
        "comply,skip": (0, 0),
        "violate,inspect": (payoff, "b"),
        "violate,skip": ("g", 0),
    }
    with pytest.raises(SpecificationError, match="not a polynomial in the state"):
        gt.Game.from_table(FIRMS, table, state_dependent=True)


def test_bad_state_dependent_flag():
    with pytest.raises(SpecificationError, match="state_dependent must be True or False"):
        gt.Game.from_table(
            FIRMS, {p: (0, 0) for p in itertools.product(*FIRMS.values())}, state_dependent="yes"
        )
    text = inspection(True).to_toml().replace("state_dependent = true", 'state_dependent = "yes"')
    with pytest.raises(SpecificationError, match="state_dependent must be true or false"):
        gt.loads_game(text)
    # the file without the key: the payoff's state name is refused, naming the key
    with pytest.raises(SpecificationError, match="state_dependent = true"):
        gt.loads_game(inspection(True).to_toml().replace("state_dependent = true\n", ""))


# ------------------------------------------------------------------------ round trips
def test_round_trip_toml_json_pickle():
    game = inspection(True, name="Inspection with a falling penalty")
    for back in (
        gt.loads_game(game.to_toml()),
        gt.loads_game(game.to_json(), format="json"),
        pickle.loads(pickle.dumps(game)),
    ):
        assert back == game and back.state_dependent
        assert back.fingerprint == game.fingerprint
        assert back.replicator().equations == game.replicator().equations
    assert "state-dependent payoffs" in game.canonical_table()
    assert "state-dependent" not in inspection(False).canonical_table()


# ------------------------------------------------------------------------ other dynamics
def hand_payoffs(s, F=2.0, b=2.0, c=1.0, g=1.0):
    """Expected payoffs (f_comply, f_violate), (f_inspect, f_skip) of the dynamic-penalty game."""
    x, y = s
    return np.array([0.0, y * (-F * (1 - x)) + (1 - y) * g]), np.array([x * -c + (1 - x) * (b - c), 0.0])


def test_logit_and_bnn_of_a_state_dependent_game_vs_hand_code():
    game = inspection(True)
    eta = 0.5
    logit, bnn = game.dynamics("logit", eta=eta), game.dynamics("bnn")
    rng = np.random.default_rng(7)
    for s in rng.uniform(0.05, 0.95, size=(5, 2)):
        f = hand_payoffs(s)
        shares = [np.array([s[0], 1 - s[0]]), np.array([s[1], 1 - s[1]])]
        sigma = [np.exp(fi / eta) / np.exp(fi / eta).sum() for fi in f]
        np.testing.assert_allclose(
            logit.vector_field(s), [sigma[0][0] - s[0], sigma[1][0] - s[1]], rtol=1e-12
        )
        excess = [np.maximum(fi - sh @ fi, 0.0) for fi, sh in zip(f, shares)]
        hand = [excess[i][0] - s[i] * excess[i].sum() for i in range(2)]
        np.testing.assert_allclose(bnn.vector_field(s), hand, rtol=1e-12, atol=1e-15)


# ------------------------------------------------------------------------ certified numerics
def test_certified_interior_point_contains_the_exact_one():
    game = inspection(True)
    report = gt.analyze(game)
    (eq,) = [e for e in report.equilibria if np.all((e.point > 0) & (e.point < 1))]
    box = certify_interior_rest_point(game, eq.point)
    assert box is not None and all(lo < 0.5 < hi and hi - lo < 1e-6 for lo, hi in box)
    assert certify_interior_rest_point(game, [0.3, 0.3]) is None  # no rest point there: nothing proved


def test_high_degree_interior_point_certified_against_independent_root():
    # penalty F (1 - x)^4 and an inspection benefit b (1 - y)^3: degrees 5 and 4, Bezout 20 > 16
    table = {
        "comply,inspect": (0, "-c"),
        "comply,skip": (0, 0),
        "violate,inspect": ("-F*(1 - x)**4", "b*(1 - y)**3 - c"),
        "violate,skip": ("g", 0),
    }
    game = gt.Game.from_table(FIRMS, table, parameters={"F": 8, "b": 4, "c": 1, "g": 1}, state_dependent=True)
    with pytest.raises(AnalysisError, match="Bezout bound 20"):
        interior_rest_points_exact(game)

    def delta(s):  # hand-coded payoff differences
        x, y = s
        f_violate = y * (-8 * (1 - x) ** 4) + (1 - y) * 1  # f_comply = 0
        f_inspect = x * -1 + (1 - x) * (4 * (1 - y) ** 3 - 1)  # f_skip = 0
        return [0 - f_violate, f_inspect - 0]

    root = scipy_root(delta, [0.4, 0.4], method="hybr", tol=1e-14).x
    assert np.max(np.abs(delta(root))) < 1e-12 and np.all((root > 0) & (root < 1))
    report = gt.analyze(game)
    (eq,) = [e for e in report.equilibria if np.all((e.point > 0) & (e.point < 1))]
    box = certify_interior_rest_point(game, eq.point)
    assert box is not None
    assert all(lo <= r <= hi for (lo, hi), r in zip(box, root))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_faces_stay_invariant_with_state_dependent_payoffs(seed):
    game, field = random_game(seed)
    dyn = game.replicator()
    assert dyn.facts.faces_invariant and not dyn.facts.rest_points_equalize_payoffs
    rng = np.random.default_rng(200 + seed)
    for coordinate in range(3):
        s = np.concatenate([rng.dirichlet(np.ones(3))[:2], rng.uniform(0, 1, 1)])
        s[coordinate] = 0.0
        # a strategy with share 0 keeps share 0: its component vanishes (exactly: a factor x_ij)
        assert dyn.vector_field(s)[coordinate] == 0.0 == field(s)[coordinate]
