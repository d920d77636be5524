"""Replicator-mutator, adjusted replicator and pairwise imitation dynamics, against independent computations.

Every reference here is computed from the payoff *tensors* of the test games with
numpy (expected payoffs by tensor contraction, the textbook formula of each
field), never from the package's sympy expressions.
"""

from __future__ import annotations

import itertools
import warnings
from fractions import Fraction

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import solve_ivp

import gametheory as gt
from gametheory.dynamics import KINDS
from gametheory.dynamics.adjusted_replicator import AdjustedReplicatorDynamics
from gametheory.dynamics.imitation import ImitationDynamics
from gametheory.dynamics.replicator_mutator import NegativePayoffWarning, ReplicatorMutatorDynamics
from gametheory.models import classic
from gametheory.testing import games, parameter_values, states

SHAPES = [(2, 2), (3, 2), (2, 2, 3)]


# ------------------------------------------------------------------ independent references
def random_game(seed: int, counts: tuple[int, ...], low: int = 1, high: int = 9):
    """A game with integer payoffs in [low, high] and its payoff tensors ``A[i][s_1, ..., s_n]``."""
    rng = np.random.default_rng(seed)
    tensors = [rng.integers(low, high + 1, size=counts).astype(float) for _ in counts]
    pops = {f"p{i}": [f"s{j}" for j in range(k)] for i, k in enumerate(counts)}
    table = {
        tuple(f"s{j}" for j in profile): tuple(int(A[profile]) for A in tensors)
        for profile in itertools.product(*(range(k) for k in counts))
    }
    return gt.Game.from_table(pops, table), tensors


def full_shares(x, counts):
    out, start = [], 0
    for k in counts:
        own = np.asarray(x[start : start + k - 1], dtype=float)
        out.append(np.append(own, 1.0 - own.sum()))
        start += k - 1
    return out


def payoffs(tensors, shares):
    """``f[i][j]``: contract every axis of ``A_i`` but ``i`` with the other populations' shares."""
    out = []
    for i, A in enumerate(tensors):
        T = A
        for l in reversed(range(len(tensors))):
            if l != i:
                T = np.tensordot(T, shares[l], axes=([l], [0]))
        out.append(T)
    return out


def hand_field(kind, tensors, x, beta=1.0, Q=None):
    """The textbook field in reduced coordinates, from the tensors."""
    counts = tensors[0].shape
    xs = full_shares(x, counts)
    fs = payoffs(tensors, xs)
    out = []
    for i, (s, f) in enumerate(zip(xs, fs)):
        phi = s @ f
        if kind == "replicator":
            dot = s * (f - phi)
        elif kind == "adjusted_replicator":
            dot = s * (f - phi) / phi
        elif kind == "imitation":
            dot = s * (np.tanh(beta * (f[:, None] - f[None, :]) / 2) @ s)
        elif kind == "replicator_mutator":
            dot = (s * f) @ Q[i] - phi * s
        out.append(dot[:-1])
    return np.concatenate(out)


def uniform(mu, k):
    return (1 - mu) * np.eye(k) + mu / (k - 1) * (np.ones((k, k)) - np.eye(k))


def interior_states(rng, counts, n):
    return np.array([np.concatenate([rng.dirichlet(np.ones(k))[:-1] for k in counts]) for _ in range(n)])


def build(kind, game, counts):
    """The package's dynamics and the keyword options of the hand-coded field."""
    if kind == "replicator_mutator":
        Q = [uniform(0.05, k) for k in counts]
        Q[0] = np.array(Q[0])
        Q[0][0] = np.append(0.7, np.full(counts[0] - 1, 0.3 / (counts[0] - 1)))  # not uniform
        mutation = {f"p{i}": q for i, q in enumerate(Q)}
        return game.dynamics(kind, mutation=mutation), {"Q": Q}
    if kind == "imitation":
        return game.dynamics(kind, beta=0.7), {"beta": 0.7}
    return game.dynamics(kind), {}


NEW = ["replicator_mutator", "adjusted_replicator", "imitation"]


# ------------------------------------------------------------------ common to the three
def test_registered():
    game, _ = random_game(0, (2, 2))
    assert isinstance(game.dynamics("replicator_mutator", mutation=0.1), ReplicatorMutatorDynamics)
    assert isinstance(game.dynamics("adjusted_replicator"), AdjustedReplicatorDynamics)
    assert isinstance(game.dynamics("imitation"), ImitationDynamics)
    assert set(NEW) <= set(KINDS)
    with pytest.raises(gt.SpecificationError, match="rate"):
        game.dynamics("imitation", rate=2)
    with pytest.raises(gt.SpecificationError, match="missing a required argument: 'mutation'"):
        game.dynamics("replicator_mutator")


@pytest.mark.parametrize("kind", NEW)
@pytest.mark.parametrize("counts", SHAPES)
def test_field_and_jacobian_match_hand_coded(kind, counts):
    rng = np.random.default_rng(sum(counts))
    game, tensors = random_game(7 * len(counts) + counts[0], counts)
    dyn, opts = build(kind, game, counts)
    X = interior_states(rng, counts, 6)
    # vertices and a face too (the formula is the same there)
    X = np.vstack([X, dyn.vertex([p.strategies[0] for p in game.populations])])
    expected = np.array([hand_field(kind, tensors, x, **opts) for x in X])
    # payoffs <= 9, shares <= 1: values O(10); only rounding differs (~1e-15 relative)
    np.testing.assert_allclose(dyn.vector_field(X), expected, rtol=1e-12, atol=1e-12)
    # both code-generation flavours (the scalar one is numba's)
    scalar = dyn.compiled("rhs", "scalar")
    out = np.empty(dyn.dimension)
    scalar(X[0], np.zeros(0), out)
    np.testing.assert_allclose(out, expected[0], rtol=1e-12, atol=1e-12)
    # Jacobian vs central differences of the hand-coded field: h = 1e-5 gives
    # truncation ~h^2 |F'''| ~ 1e-9 and rounding ~eps |F| / h ~ 1e-10
    h = 1e-5
    for x in X[:3]:
        fd = np.column_stack(
            [
                (hand_field(kind, tensors, x + h * e, **opts) - hand_field(kind, tensors, x - h * e, **opts))
                / (2 * h)
                for e in np.eye(dyn.dimension)
            ]
        )
        np.testing.assert_allclose(dyn.jacobian_at(x), fd, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("kind", NEW)
def test_trajectories_match_solve_ivp(kind):
    counts = (3, 2)
    game, tensors = random_game(11, counts)
    dyn, opts = build(kind, game, counts)
    x0 = np.array([0.2, 0.5, 0.3])
    T = 4.0
    ref = solve_ivp(
        lambda t, x: hand_field(kind, tensors, x, **opts), (0, T), x0, method="DOP853", rtol=1e-12, atol=1e-14
    )
    assert ref.success
    # the package integrates with rtol 1e-10 / atol 1e-12 over a short horizon of a
    # non-chaotic field: global error well below 1e-8
    traj = dyn.simulate(x0, (0, T), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(traj.y[:, -1], ref.y[:, -1], atol=1e-8)
    starts = np.array([x0, [0.6, 0.1, 0.8]])
    refs = [
        solve_ivp(
            lambda t, x: hand_field(kind, tensors, x, **opts),
            (0, T),
            s,
            method="DOP853",
            rtol=1e-12,
            atol=1e-14,
        ).y[:, -1]
        for s in starts
    ]
    for backend in ("numpy", "numba"):
        ens = dyn.simulate_many(starts, t_span=(0, T), backend=backend, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(ens.final, np.array(refs), atol=1e-8, err_msg=backend)


@pytest.mark.parametrize("kind", NEW)
def test_latex(kind):
    game, _ = random_game(3, (3, 2))
    dyn, _ = build(kind, game, (3, 2))
    text = dyn.to_latex()
    assert text.startswith("\\begin{align}") and text.count("&=") == dyn.dimension


@settings(max_examples=15, deadline=None, database=None, derandomize=True)
@given(st.data())
def test_property_random_symbolic_games(data):
    """Random games with parameters: each field equals the formula on tensors of the table at the values."""
    game = data.draw(games(max_populations=3, max_profiles=12, symbolic=True))
    params = data.draw(parameter_values(game))
    x = data.draw(states(game))
    exact = {sympy.Symbol(k): sympy.Float(v, 30) for k, v in params.items()}
    tensors = [
        np.array(sympy.Array(game.payoff_array(i)).subs(exact).tolist(), dtype=float)
        for i in range(game.n_populations)
    ]
    # payoffs up to ~10^2 (parameters in [-10, 10]); both sides only round: 1e-10 absolute
    field = game.dynamics("imitation", beta=0.3).vector_field(x, params)
    np.testing.assert_allclose(field, hand_field("imitation", tensors, x, beta=0.3), rtol=1e-10, atol=1e-10)
    Q = [uniform(0.2, p.size) for p in game.populations]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NegativePayoffWarning)  # these payoffs may be negative
        field = game.dynamics("replicator_mutator", mutation=0.2).vector_field(x, params)
    np.testing.assert_allclose(
        field, hand_field("replicator_mutator", tensors, x, Q=Q), rtol=1e-10, atol=1e-10
    )


# ------------------------------------------------------------------ replicator-mutator
def test_zero_mutation_is_the_replicator_exactly():
    """Q = I (as a rate 0 or as identity matrices) gives the replicator's equations, equal after expansion."""
    for counts in SHAPES:
        game, _ = random_game(5, counts)
        rep = game.replicator().equations
        identities = {p.name: np.eye(p.size, dtype=int) for p in game.populations}
        for mutation in (0, identities):
            eq = game.dynamics("replicator_mutator", mutation=mutation).equations
            assert all(sympy.expand(a - b) == 0 for a, b in zip(eq, rep))
    game = classic.matching_pennies_3()  # symbolic payoffs
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # building the equations does not evaluate payoffs: no warning
        eq = game.dynamics("replicator_mutator", mutation=0).equations
    assert all(sympy.expand(a - b) == 0 for a, b in zip(eq, game.replicator().equations))


def test_mutation_forms():
    game, tensors = random_game(2, (3, 2))
    dyn = game.dynamics("replicator_mutator", mutation=0.3)
    np.testing.assert_allclose(np.array(dyn.mutation_matrices[0], dtype=float), uniform(0.3, 3))
    assert dyn.mutation_matrices[0][0, 1] == sympy.Rational(3, 20)  # exact
    # one matrix for every population of its size needs all sizes equal
    with pytest.raises(gt.SpecificationError, match="population 'p1'.*2 x 2"):
        game.dynamics("replicator_mutator", mutation=uniform(0.1, 3))
    same, _ = random_game(2, (2, 2))
    q = sympy.Matrix([[sympy.Rational(9, 10), sympy.Rational(1, 10)], [0, 1]])
    assert same.dynamics("replicator_mutator", mutation=q).mutation_matrices == (q, q)
    # faces are not invariant: mutation leaves every vertex
    assert np.abs(dyn.vector_field(dyn.vertex(("s0", "s0")))).max() > 0
    assert dyn.facts == gt.dynamics.base.TheoryFacts() and dyn.chart == "shares"


def test_simplex_is_invariant():
    """The full-share derivatives of a population sum to zero: the last share's is minus the others'."""
    game, tensors = random_game(4, (3, 3))
    Q = [np.array([[0.8, 0.1, 0.1], [0.0, 0.5, 0.5], [0.2, 0.2, 0.6]])] * 2
    dyn = game.dynamics("replicator_mutator", mutation=Q[0])
    x = np.array([0.2, 0.3, 0.5, 0.1])
    xs, fs = full_shares(x, (3, 3)), payoffs(tensors, full_shares(x, (3, 3)))
    for i in range(2):
        full = (xs[i] * fs[i]) @ Q[i] - (xs[i] @ fs[i]) * xs[i]
        assert abs(full.sum()) < 1e-13
        np.testing.assert_allclose(dyn.vector_field(x)[2 * i : 2 * i + 2], full[:2], atol=1e-13)


@pytest.mark.parametrize(
    ("mutation", "fragment"),
    [
        ([[1, 0], [0.5, 0.4]], "population 'p0': row 1 \\(strategy 's1'\\) sums to 9/10, not 1"),
        ([["a", "1 - a"], ["a", "1 - 2*a"]], "row 1 .* sums to 1 - a, not 1"),
        ([[1.5, -0.5], [0, 1]], "row 0 \\(strategy 's0'\\) has the negative entry -1/2"),
        ([[1, 0]], "must be 2 x 2"),
        ([[1, 0, 0], [0, 1, 0], [0, 0, 1]], "must be 2 x 2"),
        (1.2, "mutation rate of population 'p0' must lie in \\[0, 1\\], got 6/5"),
        (-0.1, "must lie in \\[0, 1\\]"),
        (float("nan"), "not finite"),
        (True, "not a number"),
        ("b", "\\['b'\\] are not parameters"),
        ({"p0": 0.1, "q1": 0.1}, "unknown population 'q1'; the populations are"),
        ({"p0": 0.1}, "no mutation matrix or rate given for population\\(s\\) \\['p1'\\]"),
        ("__import__('os')", "mutation rate of population 'p0'"),
        (np.full((2, 2), 0.5) + [[1e-17, 0], [0, 0]], None),  # rounds to 0.5: fine
        ([[0.7, 0.3], [1 / 3, 2 / 3]], "sums to 9999999999999999/10000000000000000, not 1 \\(floats"),
        ([[{}, 1], [0, 1]], "row 0 column 0: \\{\\} is not a number"),
    ],
)
def test_bad_mutation(mutation, fragment):
    game = gt.Game.from_table(
        {"p0": ["s0", "s1"], "p1": ["s0", "s1"]},
        {("s0", "s0"): (1, 2), ("s0", "s1"): (3, 1), ("s1", "s0"): ("a", 1), ("s1", "s1"): (2, 2)},
        {"a": 1.0},
    )
    if fragment is None:
        game.dynamics("replicator_mutator", mutation=mutation)
        return
    with pytest.raises(gt.SpecificationError, match=fragment):
        game.dynamics("replicator_mutator", mutation=mutation)


def test_exact_fractions_accepted():
    game, tensors = random_game(6, (3, 2))
    third = [[Fraction(1, 3)] * 3] * 3
    dyn = game.dynamics("replicator_mutator", mutation={"p0": third, "p1": [["1/4", "3/4"], [0, 1]]})
    Q = [np.full((3, 3), 1 / 3), np.array([[0.25, 0.75], [0.0, 1.0]])]
    x = np.array([0.2, 0.3, 0.6])
    np.testing.assert_allclose(
        dyn.vector_field(x), hand_field("replicator_mutator", tensors, x, Q=Q), atol=1e-13
    )


def test_symbolic_mutation_checked_at_parameter_values():
    game = gt.Game.from_table(
        {"p0": ["s0", "s1"], "p1": ["s0", "s1"]},
        {("s0", "s0"): (1, 2), ("s0", "s1"): (3, 1), ("s1", "s0"): (2, 1), ("s1", "s1"): (2, 2)},
        {"mu": 0.1},
    )
    dyn = game.dynamics("replicator_mutator", mutation="mu")
    _, tensors = None, [np.array([[1.0, 3.0], [2.0, 2.0]]), np.array([[2.0, 1.0], [1.0, 2.0]])]
    x = np.array([0.3, 0.6])
    expected = hand_field("replicator_mutator", tensors, x, Q=[uniform(0.25, 2)] * 2)
    np.testing.assert_allclose(dyn.vector_field(x, {"mu": 0.25}), expected, atol=1e-14)
    with pytest.raises(
        gt.ParameterError, match="population 'p0': entry \\(row 0 's0', column 1 's1'\\) = mu"
    ):
        dyn.vector_field(x, {"mu": -0.1})
    with pytest.raises(gt.ParameterError, match="1 - mu is -0.5"):
        dyn.vector_field(x, {"mu": np.array([0.1, 1.5])})


def test_negative_payoff_warns():
    dyn = classic.matching_pennies_3().dynamics("replicator_mutator", mutation=0.1)
    with pytest.warns(NegativePayoffWarning, match="not invariant under payoff shifts.*player"):
        dyn.vector_field([0.5, 0.5, 0.5])
    game, _ = random_game(1, (2, 2))  # positive payoffs: silent
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        game.dynamics("replicator_mutator", mutation=0.1).vector_field([0.5, 0.5])


def test_not_invariant_under_payoff_shift():
    game, tensors = random_game(8, (2, 2))
    shifted, _ = random_game(8, (2, 2), low=1, high=9)
    table = {p: tuple(v + 5 for v in row) for p, row in game.payoffs.items()}
    shifted = gt.Game.from_table({p.name: list(p.strategies) for p in game.populations}, table)
    x = [0.3, 0.6]
    a = game.dynamics("replicator_mutator", mutation=0.1).vector_field(x)
    b = shifted.dynamics("replicator_mutator", mutation=0.1).vector_field(x)
    assert np.abs(a - b).max() > 1e-3
    np.testing.assert_allclose(
        game.replicator().vector_field(x), shifted.replicator().vector_field(x), atol=1e-13
    )


# ------------------------------------------------------------------ adjusted replicator
@pytest.mark.parametrize("counts", SHAPES)
def test_adjusted_is_replicator_over_mean_payoff(counts):
    """Per population the field is the replicator's divided by phi_i: same orbits, another clock."""
    game, tensors = random_game(13 + len(counts), counts)
    dyn = game.dynamics("adjusted_replicator")
    rng = np.random.default_rng(1)
    for x in interior_states(rng, counts, 5):
        phi = [s @ f for s, f in zip(full_shares(x, counts), payoffs(tensors, full_shares(x, counts)))]
        scale = np.concatenate([np.full(k - 1, 1 / p) for k, p in zip(counts, phi)])
        rep = game.replicator().vector_field(x)
        np.testing.assert_allclose(dyn.vector_field(x), scale * rep, rtol=1e-12, atol=1e-14)


def test_adjusted_one_moving_population_same_orbit():
    """With one population moving, the adjusted orbit is the replicator's with the clock d tau = phi dt."""
    counts = (3, 2)
    game, tensors = random_game(21, counts)
    x0 = np.array([0.3, 0.2, 0.0])  # p1 sits on a vertex: only p0 moves
    T = 3.0
    adj = game.dynamics("adjusted_replicator").simulate(x0, (0, T), rtol=1e-11, atol=1e-13)
    assert np.all(adj.y[2] == 0)

    def augmented(t, z):  # the replicator, plus tau' = phi_0
        xs = full_shares(z[:3], counts)
        return np.append(hand_field("replicator", tensors, z[:3]), xs[0] @ payoffs(tensors, xs)[0])

    # run the replicator until its clock tau reaches T: it must be at the adjusted state
    event = lambda t, z: z[3] - T  # noqa: E731
    event.terminal = True
    ref = solve_ivp(
        augmented, (0, 100), np.append(x0, 0.0), method="DOP853", rtol=1e-12, atol=1e-14, events=event
    )
    assert ref.status == 1
    # both integrations at tight tolerances over a short horizon: agreement to ~1e-9
    np.testing.assert_allclose(ref.y_events[0][0][:3], adj.y[:, -1], atol=1e-8)


def test_adjusted_refuses_nonpositive_payoffs():
    game = gt.Game.from_table(
        {"row": ["A", "B"], "col": ["A", "B"]},
        {("A", "A"): (3, 1), ("A", "B"): (1, 2), ("B", "A"): (2, "c"), ("B", "B"): ("a", 1)},
        {"a": 1.0, "c": 1.0},
    )
    dyn = game.dynamics("adjusted_replicator")
    dyn.vector_field([0.5, 0.5])
    with pytest.raises(
        gt.ParameterError, match="population 'row'.*profile \\('B', 'B'\\) = a is 0 at \\{'a': 0.0"
    ):
        dyn.vector_field([0.5, 0.5], {"a": 0.0})
    with pytest.raises(gt.ParameterError, match="population 'col'.*\\('B', 'A'\\) = c is -2"):
        dyn.simulate([0.5, 0.5], (0, 1), {"c": -2.0})
    with pytest.raises(gt.ParameterError, match="'a': 0.0, 'c': 1.0"):  # arrays: the offending set
        dyn.parameter_vector({"a": np.array([1.0, 0.0])})
    with pytest.raises(gt.ParameterError, match="population 'player3'.*= -a is -1"):
        classic.matching_pennies_3().dynamics("adjusted_replicator").vector_field([0.5, 0.5, 0.5])


def test_adjusted_facts_and_chart():
    game, _ = random_game(0, (3, 2))
    dyn = game.dynamics("adjusted_replicator")
    assert dyn.facts.faces_invariant and not dyn.facts.sinks_are_strict_nash and dyn.chart == "log-ratio"
    for _, v in dyn.vertices():
        np.testing.assert_array_equal(dyn.vector_field(v), 0.0)


# ------------------------------------------------------------------ imitation
def test_imitation_small_beta_is_half_beta_replicator():
    """tanh(u) = u + O(u^3): |F_beta - (beta/2) R| <= (beta^3/24) x_ij sum_l x_il |f_ij - f_il|^3."""
    counts = (3, 2)
    game, tensors = random_game(17, counts)
    x = np.array([0.2, 0.5, 0.4])
    xs = full_shares(x, counts)
    fs = payoffs(tensors, xs)
    cube = np.concatenate([(s * (np.abs(f[:, None] - f[None, :]) ** 3 @ s))[:-1] for s, f in zip(xs, fs)])
    rep = hand_field("replicator", tensors, x)
    errors = []
    for beta in (1e-1, 1e-2, 1e-3):
        field = game.dynamics("imitation", beta=beta).vector_field(x)
        err = np.abs(field - beta / 2 * rep)
        assert np.all(err <= beta**3 / 24 * cube + 1e-16)  # |tanh u - u| <= |u|^3/3, u = beta*Delta/2
        errors.append(np.max(np.abs(field / (beta / 2 * rep) - 1)))
    # the ratio tends to 1 at rate beta^2
    assert errors[1] < errors[0] / 50 and errors[2] < errors[1] / 50 and errors[2] < 1e-5


@pytest.mark.parametrize("beta", [0, -1.0, float("nan"), float("inf"), "a", True, None, [1.0]])
def test_imitation_bad_beta(beta):
    with pytest.raises(gt.SpecificationError, match="beta"):
        classic.matching_pennies_3().dynamics("imitation", beta=beta)


def test_imitation_facts_and_rest_points():
    game, tensors = random_game(5, (3, 2))
    dyn = game.dynamics("imitation", beta=2)
    assert dyn.facts.faces_invariant and dyn.facts.rest_points_equalize_payoffs and dyn.chart == "log-ratio"
    for _, v in dyn.vertices():
        np.testing.assert_array_equal(dyn.vector_field(v), 0.0)
    # exact beta
    assert game.dynamics("imitation", beta=0.1).beta == sympy.Rational(1, 10)
