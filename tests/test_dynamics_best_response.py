"""Logit, smoothed best-response, BNN and Smith dynamics against independent numpy computations.

The references below are the textbook formulas (Sandholm 2010, sections 5.5, 5.6, 6.2)
written with numpy on payoff tensors read from the game's table: they share no code with
the package's sympy derivation.
"""

from __future__ import annotations

import importlib
import math

import numpy as np
import pytest
import sympy
from scipy.integrate import solve_ivp
from scipy.optimize import root

import gametheory as gt
from gametheory.dynamics import KINDS
from gametheory.dynamics.base import Dynamics
from gametheory.errors import ParameterError, SpecificationError
from gametheory.models import classic
from gametheory.numerics.kernel_numba import numba_available

NEW_KINDS = ("logit", "best_response", "bnn", "smith")
needs_numba = pytest.mark.skipif(not numba_available(), reason="numba (the 'fast' extra) is not installed")


# ------------------------------------------------------------------ independent references
def tensors(game: gt.Game, params: dict | None = None) -> list[np.ndarray]:
    """Each population's payoff tensor, shape ``(k_1, ..., k_N)``, straight from the table."""
    values = {p.name: p.default for p in game.parameters} | dict(params or {})
    subs = {sympy.Symbol(n): v for n, v in values.items()}
    out = [np.empty(game.strategy_counts) for _ in game.populations]
    for profile in game.profiles:
        idx = tuple(game.profile_indices(profile))
        for i, table in enumerate(out):
            table[idx] = float(sympy.sympify(game.payoff(profile, i)).subs(subs))
    return out


def split(x: np.ndarray, counts: tuple[int, ...]) -> list[np.ndarray]:
    """Reduced state -> each population's full share vector (last share = 1 - the others)."""
    out, start = [], 0
    for k in counts:
        own = np.asarray(x[start : start + k - 1], dtype=float)
        out.append(np.append(own, 1.0 - own.sum()))
        start += k - 1
    return out


def expected(T: list[np.ndarray], shares: list[np.ndarray]) -> list[np.ndarray]:
    """f_ij = sum over the opponents' profiles of T_i[j, s_-i] * prod_l x_{l s_l}."""
    out = []
    for i, table in enumerate(T):
        m = np.moveaxis(table, i, 0)
        for l in range(len(T)):
            if l != i:
                m = np.tensordot(m, shares[l], axes=([1], [0]))
        out.append(m)
    return out


def reduced(full: list[np.ndarray]) -> np.ndarray:
    return np.concatenate([v[:-1] for v in full])


def softmax(f: np.ndarray, eta: float) -> np.ndarray:
    z = np.exp((f - f.max()) / eta)
    return z / z.sum()


def field(kind: str, T: list[np.ndarray], x: np.ndarray, eta: float = 0.1) -> np.ndarray:
    """The textbook vector field of ``kind`` at the reduced state ``x``."""
    counts = T[0].shape
    shares = split(x, counts)
    out = []
    for f, s in zip(expected(T, shares), shares):
        if kind in ("logit", "best_response"):
            out.append(softmax(f, eta) - s)
        elif kind == "bnn":
            gain = np.maximum(f - s @ f, 0.0)
            out.append(gain - s * gain.sum())
        else:  # smith: D[j, l] = [f_j - f_l]_+
            D = np.maximum(f[:, None] - f[None, :], 0.0)
            out.append(D @ s - s * D.sum(axis=0))
    return reduced(out)


def kink_margin(kind: str, T: list[np.ndarray], x: np.ndarray) -> float:
    """Distance of the arguments of the positive parts from 0 (the kinks)."""
    shares = split(x, T[0].shape)
    args = []
    for f, s in zip(expected(T, shares), shares):
        args.append(f - s @ f if kind == "bnn" else (f[:, None] - f[None, :])[~np.eye(len(f), dtype=bool)])
    return float(np.abs(np.concatenate(args)).min())


def central_jacobian(fun, x: np.ndarray, h: float) -> np.ndarray:
    return np.column_stack([(fun(x + h * e) - fun(x - h * e)) / (2 * h) for e in np.eye(len(x))])


# ------------------------------------------------------------------ games
def matching_pennies() -> gt.Game:
    return gt.Game.from_table(
        {"row": ["H", "T"], "col": ["H", "T"]},
        {"H,H": (1, -1), "H,T": (-1, 1), "T,H": (-1, 1), "T,T": (1, -1)},
    )


def coordination(a: int = 2, b: int = 1) -> gt.Game:
    """A,A pays a, B,B pays b, miscoordination 0: Nash equilibria (1, 1), (0, 0), (b/(a+b), b/(a+b))."""
    return gt.Game.from_table(
        {"row": ["A", "B"], "col": ["A", "B"]},
        {"A,A": (a, a), "A,B": (0, 0), "B,A": (0, 0), "B,B": (b, b)},
        parameters={"mu": 0.2},
    )


def random_game(seed: int, counts: tuple[int, ...]) -> gt.Game:
    rng = np.random.default_rng(seed)
    pops = {f"p{i}": [f"s{j}" for j in range(k)] for i, k in enumerate(counts)}
    table = {}
    for idx in np.ndindex(*counts):
        table[",".join(f"s{j}" for j in idx)] = tuple(
            round(float(v), 3) for v in rng.uniform(-2, 2, len(counts))
        )
    return gt.Game.from_table(pops, table, name=f"random{seed}")


def random_states(counts: tuple[int, ...], n: int, seed: int, boundary: bool = True) -> np.ndarray:
    rng = np.random.default_rng(seed)
    rows = []
    for r in range(n):
        full = [rng.dirichlet(np.ones(k)) for k in counts]
        if boundary and r % 4 == 0:  # a face: one strategy of each population unused
            full = [np.where(np.arange(k) == r % k, 0.0, v) / (1 - v[r % k]) for k, v in zip(counts, full)]
        rows.append(reduced(full))
    return np.array(rows)


GAMES = {
    "random (3, 2)": (lambda: random_game(1, (3, 2)), {}),
    "random (2, 3, 2)": (lambda: random_game(2, (2, 3, 2)), {}),
    "matching pennies 3": (classic.matching_pennies_3, {"a": 1.3}),
}


def build(kind: str, game: gt.Game, eta: float = 0.1) -> Dynamics:
    return game.dynamics(kind, eta=eta) if kind in ("logit", "best_response") else game.dynamics(kind)


# ------------------------------------------------------------------ structure
@pytest.mark.parametrize("kind", NEW_KINDS)
def test_registered_with_no_theory_facts_and_the_shares_chart(kind):
    dyn = build(kind, matching_pennies())
    assert kind in KINDS and isinstance(dyn, Dynamics)
    # none of the replicator's theorems holds: faces are not invariant (unused strategies enter),
    # rest points are QRE (logit) or exactly the Nash equilibria (BNN, Smith), not every state
    # equalising payoffs on its support, and stable rest points need not be strict equilibria
    # BNN and Smith have one theorem of their own: Nash stationarity (rest points = Nash equilibria)
    nash_stationary = kind in ("bnn", "smith")
    assert dyn.facts == gt.dynamics.base.TheoryFacts(rest_points_are_nash=nash_stationary)
    assert dyn.chart == "shares"
    assert dyn.expected_payoffs is dyn.game.replicator().expected_payoffs  # one derivation
    latex = dyn.to_latex()
    assert latex.startswith("\\begin{align}") and latex.count("&=") == dyn.dimension


def test_best_response_is_logit_with_small_eta():
    game = coordination()
    assert game.dynamics("best_response").eta == sympy.Rational(1, 100)
    smooth, logit = game.dynamics("best_response"), game.dynamics("logit", eta=0.01)
    assert smooth.equations == logit.equations


# ------------------------------------------------------------------ vector fields
@pytest.mark.parametrize("kind", NEW_KINDS)
@pytest.mark.parametrize("name", GAMES)
def test_vector_field_matches_textbook_formula(kind, name):
    make, params = GAMES[name]
    game = make()
    T, eta = tensors(game, params), 0.05 if kind == "best_response" else 0.3
    dyn = build(kind, game, eta)
    X = random_states(game.strategy_counts, 24, seed=3)
    expected_field = np.array([field(kind, T, x, eta) for x in X])
    # payoffs are O(2); each entry is a few dozen rounded operations on O(1) numbers (the
    # logit's exponent f/eta carries a relative rounding of 1e-16 * |f|/eta <= 1e-14)
    np.testing.assert_allclose(dyn.vector_field(X, params), expected_field, rtol=0, atol=1e-12)
    # the scalar flavour (the numba kernels' source) computes the same
    p, out = dyn.parameter_vector(params), np.empty(dyn.dimension)
    for x, ref in zip(X[:5], expected_field):
        dyn.compiled("rhs", "scalar")(x, p, out)
        np.testing.assert_allclose(out, ref, rtol=0, atol=1e-12)


def test_logit_with_eta_a_parameter():
    game = coordination()
    dyn = game.dynamics("logit", eta="mu")
    assert dyn.eta == sympy.Symbol("mu")
    T, X = tensors(game), random_states((2, 2), 8, seed=4)
    for mu in (0.2, 0.05):
        got = dyn.vector_field(X, {"mu": mu})
        np.testing.assert_allclose(got, [field("logit", T, x, mu) for x in X], rtol=0, atol=1e-12)


def test_logit_softmax_does_not_overflow_at_tiny_eta():
    # f/eta = 2e6: a naive exp(f/eta) overflows; the max-shifted softmax gives the best response
    dyn = coordination().dynamics("logit", eta=1e-6)
    np.testing.assert_allclose(dyn.vector_field([0.9, 0.9]), [0.1, 0.1], atol=1e-15)
    np.testing.assert_allclose(dyn.jacobian_at([0.9, 0.9]), -np.eye(2), atol=1e-15)


# ------------------------------------------------------------------ Jacobians
@pytest.mark.parametrize("name", GAMES)
def test_logit_jacobian_matches_central_differences(name):
    make, params = GAMES[name]
    game = make()
    T, eta = tensors(game, params), 0.3
    dyn = game.dynamics("logit", eta=eta)
    # h = 1e-6: truncation h^2 |F'''| ~ 1e-12 * (1/eta)^3 ~ 4e-11, rounding 1e-16/h ~ 1e-10
    for x in random_states(game.strategy_counts, 10, seed=5):
        fd = central_jacobian(lambda v: field("logit", T, v, eta), x, 1e-6)
        np.testing.assert_allclose(dyn.jacobian_at(x, params), fd, rtol=0, atol=1e-7)


@pytest.mark.parametrize("kind", ["bnn", "smith"])
@pytest.mark.parametrize("name", GAMES)
def test_kinked_jacobian_matches_central_differences_away_from_kinks(kind, name):
    make, params = GAMES[name]
    game = make()
    T, dyn = tensors(game, params), game.dynamics(kind)
    checked = 0
    for x in random_states(game.strategy_counts, 30, seed=6, boundary=False):
        # a step h moves the kink arguments by at most ~10 h = 1e-5 < 1e-3: no kink is crossed,
        # the field is polynomial there, so central differences are exact up to rounding ~1e-10
        if kink_margin(kind, T, x) < 1e-3:
            continue
        fd = central_jacobian(lambda v: field(kind, T, v), x, 1e-6)
        np.testing.assert_allclose(dyn.jacobian_at(x, params), fd, rtol=0, atol=1e-7)
        checked += 1
    assert checked >= 10


@pytest.mark.parametrize("kind", ["bnn", "smith"])
def test_jacobian_on_a_kink_is_the_average_of_the_one_sided_derivatives(kind):
    game = coordination(1, 1)  # payoff difference 2y - 1 of the row population vanishes at y = 1/2
    T, dyn = tensors(game), game.dynamics(kind)
    x = np.array([0.25, 0.5])  # dyadic: the kink argument is exactly 0 in floating point
    one_side = [
        (field(kind, T, x + s * 1e-7 * np.eye(2)[1]) - field(kind, T, x)) / (s * 1e-7) for s in (1, -1)
    ]
    assert not np.allclose(one_side[0], one_side[1])  # a genuine kink
    # the field is piecewise polynomial (degree <= 2 in y on each side): the one-sided
    # differences are exact up to h |F''| ~ 1e-7 and rounding 1e-16/h ~ 1e-9
    np.testing.assert_allclose(dyn.jacobian_at(x)[:, 1], (one_side[0] + one_side[1]) / 2, atol=1e-6)
    np.testing.assert_allclose(
        dyn.jacobian_at(x)[:, 1], central_jacobian(lambda v: field(kind, T, v), x, 1e-7)[:, 1], atol=1e-6
    )


@needs_numba
@pytest.mark.parametrize("kind", NEW_KINDS)
def test_scalar_jacobian_compiles_under_numba(kind):
    import numba

    game, params = classic.matching_pennies_3(), {"a": 1.3}
    dyn = build(kind, game)
    jac = numba.njit(dyn.compiled("jac", "scalar")._func)
    p, out = dyn.parameter_vector(params), np.empty((3, 3))
    for x in random_states((2, 2, 2), 6, seed=7):
        jac(x, p, out)
        np.testing.assert_allclose(out, dyn.jacobian_at(x, params), rtol=0, atol=1e-13)


# ------------------------------------------------------------------ rest points
MP_NASH = [np.array([0.5, 0.5])]
COORDINATION_NASH = [np.array([1.0, 1.0]), np.array([0.0, 0.0]), np.array([1 / 3, 1 / 3])]


@pytest.mark.parametrize("kind", ["bnn", "smith"])
def test_nash_stationarity(kind):
    for game, nash in ((matching_pennies(), MP_NASH), (coordination(), COORDINATION_NASH)):
        dyn, T = game.dynamics(kind), tensors(game)
        for x in nash:
            # rounding of 1/3 leaves excess payoffs of ~1e-16
            np.testing.assert_allclose(dyn.vector_field(x), 0.0, atol=1e-14)
        for x in random_states((2, 2), 40, seed=8):
            shares = split(x, (2, 2))
            regret = max(float((f - s @ f).max()) for f, s in zip(expected(T, shares), shares))
            if regret > 1e-3:  # not a Nash equilibrium (by hand): the state moves
                assert np.abs(dyn.vector_field(x)).max() > 1e-8
    mp3 = classic.matching_pennies_3().dynamics(kind)
    np.testing.assert_allclose(mp3.vector_field([0.5, 0.5, 0.5], {"a": 2.0}), 0.0, atol=1e-15)
    assert np.abs(mp3.vector_field([1.0, 1.0, 1.0], {"a": 2.0})).max() > 1  # a vertex is no rest point


def test_logit_rest_points_are_not_nash_equilibria():
    dyn = coordination().dynamics("logit", eta=0.3)
    assert np.abs(dyn.vector_field([1.0, 1.0])).max() > 1e-4


def qre(dyn: Dynamics, x0, params=None) -> np.ndarray:
    """A rest point of the package's dynamics: integrate towards it, then polish with scipy.root."""
    start = dyn.simulate(x0, (0, 60), params, t_eval=[60]).y[:, -1]
    sol = root(
        lambda v: dyn.vector_field(np.clip(v, 0, 1), params),
        start,
        jac=lambda v: dyn.jacobian_at(np.clip(v, 0, 1), params),
        tol=1e-14,
    )
    # hybr may report "not making good progress" when it starts at the root already: judge the residual
    assert np.abs(dyn.vector_field(sol.x, params)).max() < 1e-12, sol.message
    return sol.x


@pytest.mark.parametrize(
    ("game", "x0", "eta"),
    [
        (matching_pennies(), [0.9, 0.2], 0.5),
        (coordination(), [0.9, 0.9], 0.3),
        (coordination(), [0.1, 0.2], 0.3),
        (random_game(11, (3, 2)), [0.3, 0.3, 0.5], 0.4),
        (random_game(12, (2, 3, 2)), [0.5, 0.2, 0.3, 0.5], 0.4),
    ],
)
def test_logit_rest_points_are_quantal_response_equilibria(game, x0, eta):
    dyn, T = game.dynamics("logit", eta=eta), tensors(game)
    x = qre(dyn, x0)
    shares = split(x, game.strategy_counts)
    fixed = reduced([softmax(f, eta) for f in expected(T, shares)])
    np.testing.assert_allclose(fixed, x, rtol=0, atol=1e-10)  # x = softmax(f(x) / eta), raw payoffs


def test_logit_rest_point_tends_to_the_strict_nash_equilibrium_as_eta_vanishes():
    dyn = coordination().dynamics("logit", eta="mu")
    distances = [np.linalg.norm(qre(dyn, [0.9, 0.9], {"mu": eta}) - 1.0) for eta in (1, 0.3, 0.1, 0.03)]
    assert all(b < a for a, b in zip(distances, distances[1:])), distances
    # at the strict equilibrium the payoff advantage is 2: the QRE share of B is ~ exp(-2/eta)
    assert distances[-1] < 1e-20 + 2 * math.exp(-2 / 0.03)


def test_smoothed_best_response_is_an_eta_ln_k_best_response():
    game = random_game(13, (3, 3))
    T, eta = tensors(game), 0.01
    dyn = game.dynamics("best_response")
    for x in random_states((3, 3), 20, seed=9):
        choice = split(x + dyn.vector_field(x), (3, 3))  # sigma = x + x_dot
        for f, sigma in zip(expected(T, split(x, (3, 3))), choice):
            assert sigma @ f >= f.max() - eta * math.log(3) - 1e-12


@pytest.mark.parametrize("kind", NEW_KINDS)
@pytest.mark.parametrize("seed", [21, 22, 23])
def test_state_space_is_forward_invariant_and_bnn_smith_correlate_positively(kind, seed):
    counts = (3, 2, 2)
    game = random_game(seed, counts)
    T, dyn = tensors(game), build(kind, game)
    for x in random_states(counts, 24, seed=seed):
        shares = split(x, counts)
        rates = split(dyn.vector_field(x), counts)  # full rates: the last is minus the sum of the others
        rates = [np.append(r[:-1], -r[:-1].sum()) for r in rates]
        for s, r, f in zip(shares, rates, expected(T, shares)):
            assert (r[s == 0] >= -1e-15).all()  # an unused strategy never falls below 0
            if kind in ("bnn", "smith"):
                # positive correlation (Sandholm 2010, ch. 5): payoffs and growth agree in sign
                assert r @ f >= -1e-13
                if np.abs(r).max() > 1e-9:
                    assert r @ f > 0


# ------------------------------------------------------------------ trajectories
def reference(kind, T, x0, t_eval, eta=0.3):
    sol = solve_ivp(
        lambda t, v: field(kind, T, v, eta),
        (0, t_eval[-1]),
        x0,
        method="DOP853",
        rtol=1e-12,
        atol=1e-14,
        t_eval=t_eval,
    )
    assert sol.success
    return sol.y


@pytest.mark.parametrize("kind", NEW_KINDS)
def test_simulate_agrees_with_solve_ivp_on_the_textbook_field(kind):
    game, params = random_game(2, (2, 3, 2)), {}
    eta = 0.05 if kind == "best_response" else 0.3
    T, dyn = tensors(game, params), build(kind, game, eta)
    t_eval = np.linspace(0, 8, 9)
    x0 = random_states(game.strategy_counts, 2, seed=10, boundary=False)[1]
    ref = reference(kind, T, x0, t_eval, eta)
    got = dyn.simulate(x0, (0, 8), params, t_eval=t_eval, rtol=1e-11, atol=1e-13).y
    # both runs control local errors at <= 1e-11; over t = 8 the field's Lipschitz constant
    # (<= ~4, or 1/eta) and the kinks (BNN, Smith: order drops to 1 in the step that crosses
    # one, still under error control) leave global errors well below 1e-7
    np.testing.assert_allclose(got, ref, rtol=0, atol=1e-7)


@pytest.mark.parametrize("backend", ["numpy", pytest.param("numba", marks=needs_numba)])
@pytest.mark.parametrize("kind", NEW_KINDS)
def test_simulate_many_agrees_with_solve_ivp(kind, backend):
    game, params = classic.matching_pennies_3(), {"a": 1.3}
    eta = 0.05 if kind == "best_response" else 0.3
    T, dyn = tensors(game, params), build(kind, game, eta)
    t_eval = np.linspace(0, 6, 7)
    starts = random_states((2, 2, 2), 4, seed=11)
    ens = dyn.simulate_many(starts, (0, 6), params, t_eval=t_eval, backend=backend, rtol=1e-11, atol=1e-13)
    assert ens.success and ens.backend == backend and ens.coordinates == "shares"
    for k, x0 in enumerate(starts):
        # as for simulate: local errors <= 1e-11, global well below 1e-7 over t = 6
        np.testing.assert_allclose(ens.y[k], reference(kind, T, x0, t_eval, eta), rtol=0, atol=1e-7)


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize(
    ("eta", "fragment"),
    [
        (0, "eta must be a positive finite number"),
        (-1.0, "eta must be a positive finite number"),
        (float("nan"), "eta must be a positive finite number"),
        (float("inf"), "eta must be a positive finite number"),
        (True, "eta must be a positive finite number"),
        (None, "eta must be a positive finite number"),
        ([0.1], "eta must be a positive finite number"),
        (1 + 2j, "eta must be a positive finite number"),
        ("m", "eta 'm' is not a parameter of the game (did you mean 'mu'?)"),
    ],
)
@pytest.mark.parametrize("kind", ["logit", "best_response"])
def test_bad_eta_is_refused_naming_it(kind, eta, fragment):
    with pytest.raises(SpecificationError) as info:
        coordination().dynamics(kind, eta=eta)
    assert fragment in str(info.value)


def test_logit_needs_eta():
    with pytest.raises(SpecificationError, match="required argument: 'eta'"):
        coordination().dynamics("logit")


def test_eta_parameter_must_be_positive_at_evaluation():
    dyn = coordination().dynamics("logit", eta="mu")
    for bad in (0.0, -0.5, np.array([0.1, -1.0])):
        with pytest.raises(ParameterError, match="'mu' is the logit noise level eta and must be > 0"):
            dyn.vector_field([0.5, 0.5], {"mu": bad})
    with pytest.raises(ParameterError, match="'mu' is the logit noise level eta"):
        dyn.simulate_many([[0.5, 0.5]], (0, 1), {"mu": -1.0}, backend="numpy")


@pytest.mark.parametrize("kind", ["bnn", "smith"])
def test_options_bnn_and_smith_do_not_take_are_refused(kind):
    with pytest.raises(SpecificationError, match="eta"):
        coordination().dynamics(kind, eta=0.1)


@pytest.mark.parametrize("kind", NEW_KINDS)
def test_not_a_game_is_refused(kind):
    module, name = KINDS[kind].split(":")
    cls = getattr(importlib.import_module(module), name)
    with pytest.raises(SpecificationError, match="needs a Game"):
        cls("not a game", **({"eta": 0.1} if kind == "logit" else {}))
