"""The SIMD lane kernel of the numba backend (gametheory.numerics.kernel_lanes).

The lane kernel runs the per-trajectory algorithm on 16 trajectories in lockstep; it
must give what the per-trajectory numba solver (``lanes=False``) gives, to rounding
error, and what scipy gives on an independently hand-coded vector field.  The exp of
the lanes (:func:`vexp`) and FMA contraction differ from ``numpy.exp`` and separate
multiply-adds by an ulp; an ulp can flip one accept/reject decision near
``err = 1``, after which the two step sequences differ and the endpoints agree only
to the integration error (~rtol), which is why some comparisons below allow 1e-6.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy.integrate import solve_ivp

import gametheory as gt
from gametheory.models import classic
from gametheory.numerics import kernel_lanes, kernel_numba
from gametheory.numerics.system import EnsembleSystem

pytestmark = pytest.mark.skipif(not kernel_numba.numba_available(), reason="numba not installed")


def cube_game(seed: int) -> tuple[gt.Game, np.ndarray]:
    """A random 2x2x2 game and its payoff tensor A[i, s0, s1, s2] (payoff of population i)."""
    rng = np.random.default_rng(seed)
    A = np.round(rng.uniform(-1, 1, (3, 2, 2, 2)), 3)
    pops = {"A": ["a1", "a2"], "B": ["b1", "b2"], "C": ["c1", "c2"]}
    table = {
        tuple(pops[p][s] for p, s in zip(pops, profile)): tuple(float(A[(i, *profile)]) for i in range(3))
        for profile in itertools.product(range(2), repeat=3)
    }
    return gt.Game.from_table(pops, table, name=f"cube {seed}"), A


def replicator_field(A: np.ndarray):
    """x_i' = x_i (1 - x_i) (payoff of strategy 1 - payoff of strategy 2), from the tensor."""

    def f(t, x):
        shares = [np.array([xi, 1 - xi]) for xi in x]
        out = np.empty(3)
        for i in range(3):
            others = [shares[j] for j in range(3) if j != i]
            M = np.moveaxis(A[i], i, 0)  # own strategy first
            payoff = np.einsum("sab,a,b->s", M, *others)
            out[i] = x[i] * (1 - x[i]) * (payoff[0] - payoff[1])
        return out

    return f


#: Dynamics whose right-hand side has kinks (max, best responses).
NON_SMOOTH = ("best_response", "bnn", "smith")


def positive_rps() -> gt.Game:
    """Two-population rock-paper-scissors with payoffs 1 (loss), 2 (draw), 3 (win): all positive, as the
    adjusted replicator and the replicator-mutator need."""
    moves = ["R", "P", "S"]
    score = {
        (a, b): 2 + (0 if a == b else 1 if (moves.index(a) - moves.index(b)) % 3 == 1 else -1)
        for a in moves
        for b in moves
    }
    return gt.Game.from_table(
        {"A": moves, "B": moves}, {(a, b): (score[a, b], score[b, a]) for a in moves for b in moves}
    )


def integrate(dyn, X0, params=None, method="RK45", lanes=True, coordinates="log-ratio", **kw):
    system = EnsembleSystem.from_dynamics(dyn, "numba", coordinates)
    P = dyn.parameter_vector(params)
    t1 = kw.pop("t1", 20.0)
    return kernel_numba.integrate_numba(
        system,
        X0,
        P,
        0.0,
        t1,
        None,
        1e-8,
        1e-10,
        coordinates,
        kw.pop("max_steps", 50_000),
        method,
        2,
        lanes=lanes,
    )


@pytest.mark.parametrize("method", ["RK45", "DOP853"])
@pytest.mark.parametrize("seed", [1, 2])
def test_lanes_match_the_per_trajectory_solver_and_scipy(seed, method):
    game, A = cube_game(seed)
    dyn = game.replicator()
    X0 = np.random.default_rng(seed).uniform(0.01, 0.99, (53, 3))  # 53: lanes refilled, last group partial
    new = integrate(dyn, X0, method=method)
    old = integrate(dyn, X0, method=method, lanes=False)
    assert np.all(new.status == 0) and np.all(old.status == 0)
    # same algorithm: the step counts agree but for rare ulp-flipped decisions
    assert np.mean(new.n_steps == old.n_steps) >= 0.9
    close = np.abs(new.final - old.final).max(axis=1)
    assert np.all(close[new.nfev == old.nfev] < 1e-12)  # same steps: rounding error only
    assert np.all(close < 1e-6)  # different steps: the integration error, rtol 1e-8 over t in [0, 20]
    f = replicator_field(A)
    for k in range(0, 53, 13):
        ref = solve_ivp(f, (0, 20), X0[k], method="DOP853", rtol=1e-12, atol=1e-14).y[:, -1]
        assert np.abs(new.final[k] - ref).max() < 1e-6  # rtol 1e-8 global error, well within 1e-6


def test_lanes_with_boundary_starts_mixed_failures_and_parameter_arrays():
    """Refill with trajectories of mixed lengths: some fail early (max_steps), faces go to the old solver."""
    dyn = classic.matching_pennies_3().replicator()
    rng = np.random.default_rng(5)
    X0 = rng.uniform(0.05, 0.95, (41, 3))
    X0[3] = [0.0, 0.5, 0.5]  # on a face: the per-trajectory solver
    X0[17] = [1.0, 1.0, 0.0]  # a vertex
    kw = {"t1": 30.0, "max_steps": 60, "method": "RK45"}
    new = integrate(dyn, X0, **kw)
    old = integrate(dyn, X0, lanes=False, **kw)
    assert set(np.unique(new.status)) == {0, -2}  # both kinds of ending among the lanes
    np.testing.assert_array_equal(new.status, old.status)
    np.testing.assert_array_equal(new.n_steps, old.n_steps)
    np.testing.assert_array_equal(new.nfev, old.nfev)
    ok = new.status == 0
    np.testing.assert_allclose(new.final[ok], old.final[ok], rtol=0, atol=1e-12)
    assert np.all(np.isnan(new.final[~ok]))
    np.testing.assert_array_equal(new.final[[3, 17]], old.final[[3, 17]])  # the same solver ran them


def test_lanes_with_per_trajectory_parameters():
    pd_game = gt.Game.from_table(
        {"A": ["x", "y"], "B": ["x", "y"]},
        {("x", "x"): ("a", "a"), ("x", "y"): (0, 1), ("y", "x"): (1, 0), ("y", "y"): ("b", "b")},
    )
    dyn = pd_game.replicator()
    n = 35
    params = {"a": np.linspace(-2, 2, n), "b": np.linspace(1, -1, n)}
    X0 = np.random.default_rng(2).uniform(0.1, 0.9, (n, 2))
    new = gt.simulate_many(dyn, X0, (0, 10), params, backend="numba", method="RK45")
    old = gt.simulate_many(dyn, X0, (0, 10), params, backend="numpy", method="RK45")
    np.testing.assert_allclose(new.final, old.final, rtol=0, atol=1e-9)
    # hand-coded: x' = x (1 - x) (payoff of x - payoff of y), y' likewise, against scipy
    for k in (0, n // 2, n - 1):
        a, b = params["a"][k], params["b"][k]

        def f(t, z, a=a, b=b):
            x, y = z
            dx = y * a - (y + (1 - y) * b)
            dy = x * a - (x + (1 - x) * b)
            return [x * (1 - x) * dx, y * (1 - y) * dy]

        ref = solve_ivp(f, (0, 10), X0[k], method="DOP853", rtol=1e-12, atol=1e-14).y[:, -1]
        assert np.abs(new.final[k] - ref).max() < 1e-6


@pytest.mark.parametrize(
    "kind, options",
    [
        ("replicator", {}),
        ("replicator_mutator", {"mutation": 0.01}),
        ("adjusted_replicator", {}),
        ("imitation", {}),
        ("logit", {"eta": 0.5}),
        ("best_response", {}),
        ("bnn", {}),
        ("smith", {}),
    ],
)
def test_lanes_for_every_dynamics(kind, options):
    """Every dynamics with a numba kernel, on two 3-strategy populations (the softmax chart)."""
    game = positive_rps()
    dyn = game.dynamics(kind, **options)
    rng = np.random.default_rng(11)
    # interior starts: per population the shares of the first k - 1 strategies, sum below 1
    X0 = np.concatenate([rng.dirichlet(np.ones(k), 21)[:, : k - 1] for k in game.strategy_counts], axis=1)
    ens_new = gt.simulate_many(dyn, X0, (0, 5), backend="numba", method="DOP853")
    system = EnsembleSystem.from_dynamics(dyn, "numba", ens_new.coordinates)
    old = kernel_numba.integrate_numba(
        system, X0, dyn.parameter_vector(), 0.0, 5.0, None, 1e-8, 1e-10, ens_new.coordinates, 50_000, "DOP853", 1,
        lanes=False,
    )  # fmt: skip
    np.testing.assert_array_equal(ens_new.status, old.status)
    if kind not in NON_SMOOTH:
        np.testing.assert_allclose(ens_new.final, old.final, rtol=0, atol=1e-7)
        return
    # max(0, .) or argmax in the right-hand side: at a kink an ulp changes the step sequence, and the
    # error there is not controlled by rtol; the lanes must be as accurate as the per-trajectory solver
    rhs, P = dyn.compiled("rhs"), dyn.parameter_vector()[:, None]
    refs = np.array([
        solve_ivp(lambda t, x: rhs(x[:, None], P)[:, 0], (0, 5), x0, method="DOP853", rtol=1e-12, atol=1e-14).y[:, -1]
        for x0 in X0
    ])  # fmt: skip
    assert np.abs(ens_new.final - refs).max() <= 3 * np.abs(old.final - refs).max() + 1e-9


def test_vexp_within_one_ulp():
    x = np.concatenate([np.linspace(-700, 700, 2001), [-745.0, -744.0, -1e-300, 0.0, 1e-300]])
    got = np.array([kernel_lanes.vexp(v) for v in x])
    want = np.exp(x)
    normal = want > np.finfo(float).tiny
    assert np.all(np.abs(got[normal] - want[normal]) <= np.spacing(want[normal]))
    assert np.all(np.abs(got[~normal] - want[~normal]) <= 2 * np.spacing(0.0))


def test_interleaved_blocks_cover_every_trajectory_once():
    idx = np.arange(3, 40)
    order, bounds = kernel_lanes.interleaved(idx, 3)
    assert sorted(order.tolist()) == idx.tolist()
    assert bounds[0][0] == 0 and bounds[-1][1] == idx.size
    assert all(b[1] == c[0] for b, c in zip(bounds[:-1], bounds[1:]))


def test_lane_results_do_not_depend_on_threads_or_lane_position():
    """Every lane runs the same arithmetic: threads and order (which lane, which block) change nothing."""
    game, _ = cube_game(4)
    dyn = game.replicator()
    X0 = np.random.default_rng(4).uniform(0.01, 0.99, (101, 3))
    one = gt.simulate_many(dyn, X0, (0, 20), backend="numba", threads=1)
    three = gt.simulate_many(dyn, X0[::-1], (0, 20), backend="numba", threads=3)
    np.testing.assert_array_equal(one.final, three.final[::-1])
    np.testing.assert_array_equal(one.nfev, three.nfev[::-1])
