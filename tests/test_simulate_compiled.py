"""The compiled (numba) path of ``simulate``: scipy's RK45/DOP853 to round-off, fallbacks, bad input.

Reference: :func:`scipy.integrate.solve_ivp` run here, in the test, on the same chart
(log-ratio: the chart's own right-hand side; shares: a right-hand side written from the
payoff tensors for the replicator, the package's array flavour for the other dynamics)
at the same tolerances.  Both run the same algorithm, so they differ only by
round-off: the order of a few sums differs from BLAS's, and near-cancelling error
estimates can move a step size in its 7th digit, which moves a step's end by that much
but not the solution (the trajectory is the same function of t to ~1e-13).  Hence
``1e-9`` (the issue's bound) on states at ``t_eval`` and on the final state, a margin
of two orders or more over what we observe (3e-16 to 6e-12).
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import solve_ivp

import gametheory as gt
from gametheory import IntegrationError
from gametheory.models import classic, crisis_governance
from gametheory.numerics.charts import LogRatioChart, face_charts
from gametheory.numerics.kernel_numba import numba_available
from gametheory.numerics.single_numba import face_of

pytestmark = pytest.mark.skipif(not numba_available(), reason="the compiled path needs numba")

#: agreement with solve_ivp on the same chart and tolerances (see the module docstring)
AGREE = 1e-9
#: the same for right-hand sides with kinks (max(0, .) of BNN and Smith): a step moved by round-off
#: puts a kink elsewhere in it, and each solution keeps its own O(rtol) error (observed: 4e-9 at rtol 1e-8)
AGREE_KINKED = 1e-7


def _reference(dyn, x0, t_span, params, method, t_eval, rtol=1e-8, atol=1e-10, coordinates=None):
    """solve_ivp on the chart ``simulate`` uses, written here; returns states (d, n_t) and times."""
    p = dyn.parameter_vector(params)
    x0 = np.asarray(x0, dtype=float)
    if (coordinates or dyn.chart) == "log-ratio":
        chart = LogRatioChart.on_face_of(dyn, x0)
        rhs = chart.rhs(dyn.compiled("growth", "scalar"), p)
        sol = solve_ivp(rhs, t_span, chart.u0, method=method, rtol=rtol, atol=atol, t_eval=t_eval)
        return chart.states(sol.y), sol
    field = dyn.compiled("rhs")
    sol = solve_ivp(
        lambda t, x: field(x[:, None], p[:, None])[:, 0], t_span, x0, method=method, rtol=rtol, atol=atol,
        t_eval=t_eval,
    )  # fmt: skip
    return sol.y, sol


def _random_game(seed: int, counts=(2, 2, 2), low: int = -5):
    """A game with integer payoffs in ``[low, 5]`` drawn at random (one per population and profile)."""
    rng = np.random.default_rng(seed)
    pops = {f"P{i}": [f"s{i}{j}" for j in range(k)] for i, k in enumerate(counts)}
    profiles = np.array(np.meshgrid(*[range(k) for k in counts], indexing="ij")).reshape(len(counts), -1).T
    table = {
        tuple(pops[f"P{i}"][j] for i, j in enumerate(prof)): tuple(
            int(v) for v in rng.integers(low, 6, len(counts))
        )
        for prof in profiles
    }
    return gt.Game.from_table(pops, table)


@pytest.mark.parametrize("method", ["DOP853", "RK45"])
@pytest.mark.parametrize("preset", ["STATUS_QUO", "OPTIMIZED"])
def test_flagship_matches_solve_ivp(method, preset):
    dyn = crisis_governance.game().replicator()
    params = getattr(crisis_governance, preset)
    te = np.linspace(0, 50, 41)
    for x0 in ([0.3, 0.6, 0.2], [0.9, 0.05, 0.5], [0.0, 0.4, 0.7]):
        fast = gt.simulate(dyn, x0, (0, 50), params, method=method, t_eval=te)
        slow = gt.simulate(dyn, x0, (0, 50), params, method=method, t_eval=te, backend="scipy")
        ys, sol = _reference(dyn, x0, (0, 50), params, method, te)
        assert fast.backend == "numba" and slow.backend == "scipy"
        assert fast.method == method and fast.success and fast.message == sol.message
        np.testing.assert_allclose(fast.y, ys, rtol=0, atol=AGREE)
        np.testing.assert_allclose(fast.y, slow.y, rtol=0, atol=AGREE)
        # same steps, same dense-output stages (equal here; a BLAS summing in another order could
        # flip one accept/reject decision somewhere, hence the slack of a few steps)
        assert abs(fast.nfev - sol.nfev) <= 0.05 * sol.nfev
        # the solver's own steps: the final state (and the number of steps)
        own = gt.simulate(dyn, x0, (0, 50), params, method=method)
        ys_own, sol_own = _reference(dyn, x0, (0, 50), params, method, None)
        assert own.t[0] == 0 and own.t[-1] == 50 and abs(len(own.t) - len(sol_own.t)) <= 2
        np.testing.assert_allclose(own.final, ys_own[:, -1], rtol=0, atol=AGREE)


@pytest.mark.parametrize("seed", range(4))
def test_random_games_match_solve_ivp(seed):
    counts = ((2, 2), (3, 2), (2, 2, 2), (3, 3))[seed]
    dyn = _random_game(seed, counts).replicator()
    rng = np.random.default_rng(100 + seed)
    x0 = np.concatenate([rng.dirichlet(np.ones(k))[:-1] for k in counts])
    te = np.linspace(0, 20, 11)
    for method in ("DOP853", "RK45"):
        for coordinates in ("log-ratio", "shares"):
            fast = gt.simulate(dyn, x0, (0, 20), method=method, t_eval=te, coordinates=coordinates)
            ys, _ = _reference(dyn, x0, (0, 20), None, method, te, coordinates=coordinates)
            assert fast.backend == "numba"
            np.testing.assert_allclose(fast.y, ys, rtol=0, atol=AGREE)


def test_shares_chart_against_a_hand_written_replicator():
    """The shares kernel integrates the textbook replicator of the payoff table (written here)."""
    rng = np.random.default_rng(7)
    A, B = rng.integers(-5, 6, (2, 2)), rng.integers(-5, 6, (2, 2))  # row's and column's payoffs
    table = {(f"r{a}", f"c{b}"): (int(A[a, b]), int(B[a, b])) for a in range(2) for b in range(2)}
    dyn = gt.Game.from_table({"row": ["r0", "r1"], "col": ["c0", "c1"]}, table).replicator()

    def rhs(t, s):
        px, py = np.array([s[0], 1 - s[0]]), np.array([s[1], 1 - s[1]])
        f, g = A @ py, B.T @ px  # expected payoffs of each strategy
        return [s[0] * (f[0] - px @ f), s[1] * (g[0] - py @ g)]

    te = np.linspace(0, 10, 6)
    ref = solve_ivp(rhs, (0, 10), [0.3, 0.8], method="DOP853", rtol=1e-12, atol=1e-14, t_eval=te)
    fast = gt.simulate(dyn, [0.3, 0.8], (0, 10), t_eval=te, coordinates="shares", rtol=1e-12, atol=1e-14)
    assert fast.backend == "numba"
    np.testing.assert_allclose(fast.y, ref.y, rtol=0, atol=1e-10)  # two tight solutions of one ODE


@pytest.mark.parametrize(
    "kind, options",
    [
        ("replicator", {}),
        ("adjusted_replicator", {}),
        ("imitation", {"beta": 2.0}),
        ("replicator_mutator", {"mutation": 0.05}),
        ("logit", {"eta": 0.5}),
        ("bnn", {}),
        ("smith", {}),
    ],
)
def test_each_dynamics_matches_solve_ivp(kind, options):
    dyn = _random_game(11, (2, 2, 2), low=1).dynamics(kind, **options)  # payoffs > 0 (adjusted replicator)
    te = np.linspace(0, 15, 16)
    x0 = [0.2, 0.7, 0.45]
    agree = AGREE_KINKED if kind in ("bnn", "smith") else AGREE
    fast = gt.simulate(dyn, x0, (0, 15), t_eval=te)
    ys, sol = _reference(dyn, x0, (0, 15), None, "DOP853", te)
    assert fast.backend == "numba" and fast.method == "DOP853"
    np.testing.assert_allclose(fast.y, ys, rtol=0, atol=agree)
    final = gt.simulate(dyn, x0, (0, 15))
    ys_own, _ = _reference(dyn, x0, (0, 15), None, "DOP853", None)
    np.testing.assert_allclose(final.final, ys_own[:, -1], rtol=0, atol=agree)
    # and both near a tight solution (rtol 1e-12): the compiled one is as accurate as scipy's
    tight, _ = _reference(dyn, x0, (0, 15), None, "DOP853", te, rtol=1e-12, atol=1e-14)
    assert np.abs(fast.y - tight).max() <= 10 * np.abs(ys - tight).max() + 1e-12


def test_faces_and_vertices():
    """On a face the absent strategies stay exactly 0; a vertex is a rest point (no integration)."""
    dyn = classic.matching_pennies_3().replicator()
    tr = gt.simulate(dyn, [0.0, 0.5, 1.0], (0, 10), t_eval=[0, 5, 10])
    assert tr.backend == "numba" and (tr["x"] == 0).all() and (tr["z"] == 1).all()
    ys, _ = _reference(dyn, [0.0, 0.5, 1.0], (0, 10), None, "DOP853", [0, 5, 10])
    np.testing.assert_allclose(tr.y, ys, rtol=0, atol=AGREE)
    vertex = gt.simulate(dyn, [1.0, 0.0, 1.0], (0, 10))
    assert vertex.method.startswith("none") and vertex.final.tolist() == [1.0, 0.0, 1.0]


def test_face_of_matches_face_charts():
    rng = np.random.default_rng(3)
    counts = (2, 3, 4)
    for _ in range(200):
        x = []
        for k in counts:
            w = rng.dirichlet(np.ones(k))
            w[rng.random(k) < 0.3] = 0
            if w.sum() == 0:
                w[rng.integers(k)] = 1
            x += list(w[:-1] / w.sum())
        x = np.array(x)
        ref = face_charts(counts, x[None])
        u0, src, free, ref_ = face_of(counts, x)
        m = int(ref["m"][0])
        assert src == ref["src"][0].tolist()
        assert free == ref["free"][0, :m].tolist() and ref_ == ref["ref"][0, :m].tolist()
        np.testing.assert_allclose(u0, ref["u0"][0, :m], rtol=0, atol=1e-14)  # log differences, 1 ulp each


def test_bit_identical_repeats_and_longer_than_the_first_buffer():
    dyn = classic.matching_pennies_3().replicator()  # cycles: steps all the way
    a = gt.simulate(dyn, [0.3, 0.6, 0.2], (0, 200), rtol=1e-10, atol=1e-12)
    b = gt.simulate(dyn, [0.3, 0.6, 0.2], (0, 200), rtol=1e-10, atol=1e-12)
    ys, sol = _reference(dyn, [0.3, 0.6, 0.2], (0, 200), None, "DOP853", None, rtol=1e-10, atol=1e-12)
    assert len(a.t) > 128 and abs(len(a.t) - len(sol.t)) <= 3  # the step buffer (64) doubled twice
    np.testing.assert_allclose(a.final, ys[:, -1], rtol=0, atol=AGREE)
    assert a.y.tobytes() == b.y.tobytes() and a.t.tobytes() == b.t.tobytes()
    assert np.all(np.diff(a.t) > 0)


def test_stiff_auto_falls_back_to_radau():
    """A budget too small for DOP853: the compiled path hands over to scipy's Radau, as before."""
    dyn = crisis_governance.game().replicator()
    tr = gt.simulate(dyn, [0.3, 0.6, 0.2], (0, 50), crisis_governance.STATUS_QUO, stiff_budget=20)
    ref = gt.simulate(
        dyn, [0.3, 0.6, 0.2], (0, 50), crisis_governance.STATUS_QUO, stiff_budget=20, backend="scipy"
    )
    assert tr.method == ref.method == "Radau (stiff fallback)" and tr.backend == "scipy"
    assert tr.y.tobytes() == ref.y.tobytes()


def test_other_methods_use_scipy():
    dyn = classic.matching_pennies_3().replicator()
    tr = gt.simulate(dyn, [0.2, 0.7, 0.45], (0, 5), method="RK23")
    assert tr.backend == "scipy" and tr.method == "RK23"


def test_bad_backend_and_unsupported_method():
    dyn = classic.matching_pennies_3().replicator()
    with pytest.raises(IntegrationError, match="unknown backend 'numbaa'.*did you mean 'numba'"):
        gt.simulate(dyn, [0.2, 0.7, 0.45], (0, 5), backend="numbaa")
    with pytest.raises(IntegrationError, match="backend=\"numba\" runs method.*not 'Radau'"):
        gt.simulate(dyn, [0.2, 0.7, 0.45], (0, 5), method="Radau", backend="numba")


def test_remembered_parameter_vectors_keep_validation():
    """simulate remembers validated parameter vectors: same values, a copy each time, bad values refused."""
    from gametheory.numerics.integrate import _parameter_vector

    dyn = crisis_governance.game().replicator()
    p1 = _parameter_vector(dyn, crisis_governance.STATUS_QUO)
    p1[0] = 1e9  # a caller mutating its copy must not change what is remembered
    p2 = _parameter_vector(dyn, crisis_governance.STATUS_QUO)
    np.testing.assert_array_equal(p2, dyn.parameter_vector(crisis_governance.STATUS_QUO))
    name = dyn.game.parameter_names[0]
    assert _parameter_vector(dyn, {name: 1})[0] == 1.0
    with pytest.raises(gt.ParameterError, match=name):
        _parameter_vector(dyn, {name: True})  # a bool is not a number, though True == 1
    with pytest.raises(gt.ParameterError, match=name):
        _parameter_vector(dyn, {name: float("nan")})
    with pytest.raises(gt.ParameterError, match="did you mean"):
        gt.simulate(dyn, [0.3, 0.6, 0.2], (0, 1), {name + "x": 1.0})
    assert np.signbit(_parameter_vector(dyn, {name: -0.0})[0])
    assert not np.signbit(_parameter_vector(dyn, {name: 0.0})[0])


@pytest.mark.parametrize("method", ["DOP853", "auto"])
def test_failures_read_as_before(method):
    """A compiled integration that overflows is redone by solve_ivp: the same error as the scipy backend."""
    dyn = classic.matching_pennies_3().replicator()
    messages = []
    for backend in ("scipy", "numba"):
        with pytest.raises(IntegrationError, match="arithmetic overflow") as info:
            gt.simulate(
                dyn,
                [0.2, 0.7, 0.45],
                (0, 1),
                {"a": 1e306},
                method=method,
                coordinates="shares",
                backend=backend,
            )
        messages.append(str(info.value))
    assert messages[0] == messages[1]
    assert messages[0].startswith("DOP853" if method == "DOP853" else "Radau")
