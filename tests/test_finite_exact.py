"""Exact results of the finite-population processes against independent computations.

Every reference here is written in the test: closed forms, the textbook product
formula over hand-coded self-excluded payoffs, dense absorbing chains built from
the process definitions with numpy, and mpmath at 60 digits.
"""

from __future__ import annotations

import itertools
import math

import mpmath
import numpy as np
import pytest

import gametheory as gt
from gametheory.finite.chain import compositions
from gametheory.models import classic
from gametheory.models import crisis_governance as cg


def _matrix_game(a):
    k = len(a)
    return gt.Game.symmetric([f"s{i}" for i in range(k)], [[float(v) for v in row] for row in a])


# ----------------------------------------------------------------- two types: closed forms
@pytest.mark.parametrize("z", [2, 7, 50])
def test_neutral_fixation_is_one_over_z(z):
    game = classic.hawk_dove()
    # sums of Z equal terms: rounding ~ Z * 1e-16, far below 1e-12
    assert abs(gt.moran(game, z, w=0.0).fixation_probability("H", "D") - 1 / z) < 1e-12
    assert abs(gt.pairwise_comparison(game, z, beta=0.0).fixation_probability("D", "H") - 1 / z) < 1e-12


@pytest.mark.parametrize(("r", "z"), [(1.1, 10), (2.0, 25), (0.7, 12)])
def test_moran_constant_fitness(r, z):
    # rows constant: the mutant earns r, the resident 1, whoever they meet (self-excluded or not)
    game = _matrix_game([[r, r], [1.0, 1.0]])
    rho = gt.moran(game, z, w=1.0).fixation_probability("s1", "s0")
    expected = (1 - 1 / r) / (1 - 1 / r**z)
    assert abs(rho - expected) < 1e-12 * max(1.0, expected)


def _hand_rho(a, z, log_gamma_of):
    """Textbook rho of one s0 mutant among s1, with payoffs excluding self-interaction."""
    (a00, a01), (a10, a11) = a
    total, prod = 1.0, 1.0
    for k in range(1, z):
        j = k  # mutants
        pi_m = (a00 * (j - 1) + a01 * (z - j)) / (z - 1)
        pi_r = (a10 * j + a11 * (z - j - 1)) / (z - 1)
        prod *= math.exp(log_gamma_of(pi_m, pi_r))
        total += prod
    return 1.0 / total


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_two_by_two_by_hand(seed):
    rng = np.random.default_rng(seed)
    a = rng.uniform(0.5, 3.0, (2, 2)).round(3).tolist()
    game = _matrix_game(a)
    z, beta, w = 15, 0.8, 0.4
    fermi = gt.pairwise_comparison(game, z, beta=beta).fixation_probability("s1", "s0")
    moran = gt.moran(game, z, w=w).fixation_probability("s1", "s0")
    hand_fermi = _hand_rho(a, z, lambda pm, pr: -beta * (pm - pr))
    hand_moran = _hand_rho(a, z, lambda pm, pr: math.log((1 - w + w * pr) / (1 - w + w * pm)))
    # both are sums of 15 positive terms of moderate size: relative error ~ 1e-15
    assert abs(fermi - hand_fermi) < 1e-12
    assert abs(moran - hand_moran) < 1e-12


def test_group_game_payoffs_are_hypergeometric():
    z, d, r = 7, 4, 3.0
    pgg = classic.public_goods(players=d, r=r, c=1.0)
    n_c = 3
    pi = gt.moran(pgg, z, w=0.1).payoffs([n_c, z - n_c])
    # co-player cooperators: hypergeometric, mean (d - 1) * (others cooperating) / (Z - 1)
    mean_c = (d - 1) * (n_c - 1) / (z - 1)
    mean_d = (d - 1) * n_c / (z - 1)
    assert abs(pi[0] - (r * (mean_c + 1) / d - 1)) < 1e-12
    assert abs(pi[1] - r * mean_d / d) < 1e-12


# ----------------------------------------------------------------- three types: dense chain
def _dense_chain(a, z, kind, s, mu=0.0):
    """The full chain of one population with k strategies, from the process definitions."""
    a = np.asarray(a, dtype=float)
    k = len(a)
    states = [tuple(c) for c in itertools.product(range(z + 1), repeat=k) if sum(c) == z]
    where = {c: i for i, c in enumerate(states)}
    p = np.zeros((len(states), len(states)))
    for c in states:
        n = np.array(c, dtype=float)
        pi = np.array([(a[i] @ n - a[i, i]) / (z - 1) for i in range(k)])
        phi = 1 - s + s * pi
        for x in range(k):
            for y in range(k):
                if x == y or c[x] == 0:
                    continue
                if kind == "moran":
                    fit = n * phi / (n @ phi)
                    prob = c[x] / z * ((1 - mu) * fit[y] + mu / (k - 1) * (1 - fit[y]))
                else:
                    adopt = 1 / (1 + math.exp(-s * (pi[y] - pi[x])))
                    prob = c[x] / z * ((1 - mu) * c[y] / (z - 1) * adopt + mu / (k - 1))
                target = list(c)
                target[x] -= 1
                target[y] += 1
                p[where[c], where[tuple(target)]] += prob
        p[where[c], where[c]] = 1 - p[where[c]].sum()
    return states, p


def _dense_absorption(states, p, z):
    absorbing = [i for i, c in enumerate(states) if max(c) == z]
    transient = [i for i in range(len(states)) if i not in absorbing]
    q = p[np.ix_(transient, transient)]
    r = p[np.ix_(transient, absorbing)]
    b = np.linalg.solve(np.eye(len(transient)) - q, r)
    return absorbing, transient, b


@pytest.mark.parametrize(("kind", "s"), [("pairwise comparison", 1.3), ("moran", 0.3)])
@pytest.mark.parametrize("seed", [0, 1])
def test_three_types_against_dense_absorbing_chain(kind, s, seed):
    rng = np.random.default_rng(seed)
    a = rng.uniform(0.5, 2.5, (3, 3)).round(2).tolist()
    z = 7
    game = _matrix_game(a)
    proc = gt.moran(game, z, w=s) if kind == "moran" else gt.pairwise_comparison(game, z, beta=s)
    states, p = _dense_chain(a, z, "moran" if kind == "moran" else "fermi", s)
    absorbing, transient, b = _dense_absorption(states, p, z)
    corner = {states[i].index(z): col for col, i in enumerate(absorbing)}
    # a dense solve of a 33-state M-matrix system: errors ~ 1e-14; 1e-12 leaves room
    for start in [(2, 2, 3), (1, 5, 1), (6, 0, 1)]:
        got = proc.absorption_probabilities(list(start))
        row = b[transient.index(states.index(start))]
        for i in range(3):
            assert abs(got[(f"s{i}",)] - row[corner[i]]) < 1e-12
    for res, mut in itertools.permutations(range(3), 2):
        start = [0, 0, 0]
        start[res], start[mut] = z - 1, 1
        row = b[transient.index(states.index(tuple(start)))]
        assert abs(proc.fixation_probability(f"s{res}", f"s{mut}") - row[corner[mut]]) < 1e-12


def test_full_chain_matches_dense_definition():
    a = [[0, -1, 2], [2, 0, -1], [-1, 2, 0]]
    z, mu = 5, 0.05
    for kind, s in [("fermi", 0.7), ("moran", 0.2)]:
        proc = (gt.pairwise_comparison if kind == "fermi" else gt.moran)(
            _matrix_game(a), z, mu=mu, **({"beta": s} if kind == "fermi" else {"w": s})
        )
        states, dense = _dense_chain(a, z, kind, s, mu)
        order = [states.index(tuple(c)) for c in compositions(z, 3).tolist()]
        sparse = proc.transition_matrix().toarray()
        assert np.abs(sparse - dense[np.ix_(order, order)]).max() < 1e-15


# ----------------------------------------------------------------- stationary distributions
@pytest.mark.parametrize(
    "proc",
    [
        gt.pairwise_comparison(classic.rock_paper_scissors(), 6, beta=2.0, mu=0.01),
        gt.moran(classic.hawk_dove(value=4.0, cost=2.0), 9, w=0.5, mu=0.1),
        gt.pairwise_comparison(classic.matching_pennies_3(), [3, 4, 3], beta=1.0, mu=0.02),
    ],
)
def test_stationary_distributions_are_stationary(proc):
    for mutation in ("small", proc.mu):
        sd = proc.stationary_distribution(mutation)
        p = proc.transition_matrix(mutation)
        pi = sd.probabilities
        # pi P is a sum of a few products of numbers <= 1: rounding ~ 1e-16
        assert abs(pi.sum() - 1) < 1e-12
        assert np.abs(pi @ p - pi).max() < 1e-12
        assert (pi >= 0).all()


def _small_mutation_gap(proc, mus):
    small = proc.stationary_distribution("small").probabilities
    gaps = []
    for mu in mus:
        sd = proc.stationary_distribution(mu)
        mono = np.array([sd.probabilities[sd.labels.index(_mono_label(proc, c))] for c in _monos(proc)])
        gaps.append(np.abs(mono / mono.sum() - small).max())
    return gaps


def _monos(proc):
    return list(itertools.product(*(range(k) for k in proc.game.strategy_counts)))


def _mono_label(proc, profile):
    parts = []
    for pop, s, z in zip(proc.game.populations, profile, proc.sizes):
        parts.append(" ".join(f"{name}={z if j == s else 0}" for j, name in enumerate(pop.strategies)))
    return " | ".join(parts)


@pytest.mark.parametrize(
    "proc",
    [
        gt.pairwise_comparison(_matrix_game([[0, -1, 3], [2, 0, -1], [-2, 1, 0.5]]), 5, beta=1.0),
        gt.moran(classic.hawk_dove(), 6, w=0.2),
        gt.pairwise_comparison(cg.game(), [3, 3, 3], beta=0.5, params=cg.OPTIMIZED),
    ],
)
def test_small_mutation_limit_is_the_limit_of_the_full_chain(proc):
    gaps = _small_mutation_gap(proc, [1e-3, 1e-4, 1e-5])
    # the gap is O(mu): it shrinks about tenfold per decade
    assert gaps[0] > gaps[1] > gaps[2]
    assert gaps[2] < 1e-3 and gaps[2] < gaps[0] / 30


# ----------------------------------------------------------------- strong selection, large Z
@pytest.mark.parametrize(("z", "beta"), [(10_000, 100.0), (2_000, 100.0), (500, 5.0)])
def test_large_population_strong_selection_against_mpmath(z, beta):
    a = [[1.0, 3.0], [2.0, 1.5]]  # coexistence game: both invasions are long shots
    proc = gt.pairwise_comparison(_matrix_game(a), z, beta=beta)
    log_rho = proc.fixation_probability("s1", "s0", log=True)
    mpmath.mp.dps = 60
    (a00, a01), (a10, a11) = [[mpmath.mpf(v) for v in row] for row in a]
    s, total = mpmath.mpf(0), mpmath.mpf(1)
    for j in range(1, z):
        pi_m = (a00 * (j - 1) + a01 * (z - j)) / (z - 1)
        pi_r = (a10 * j + a11 * (z - j - 1)) / (z - 1)
        s += -beta * (pi_m - pi_r)
        total += mpmath.exp(s)
    reference = -mpmath.log(total)
    assert math.isfinite(log_rho)
    # cumulative sums of Z terms in doubles: relative error ~ Z * 1e-16 of |log rho|
    assert abs(log_rho - float(reference)) <= 1e-10 * max(1.0, abs(float(reference)))


# ----------------------------------------------------------------- times
def test_times_against_dense_solve_and_neutral_closed_form():
    z = 12
    neutral = gt.moran(classic.hawk_dove(), z, w=0.0)
    # neutral Moran: conditional fixation time Z(Z-1) events = Z - 1 units
    assert abs(neutral.fixation_time("H", "D") - (z - 1)) < 1e-10
    a = [[1.0, 2.0], [1.5, 1.2]]
    proc = gt.pairwise_comparison(_matrix_game(a), z, beta=2.0)
    j = np.arange(1, z)
    pi_m = (a[0][0] * (j - 1) + a[0][1] * (z - j)) / (z - 1)
    pi_r = (a[1][0] * j + a[1][1] * (z - j - 1)) / (z - 1)
    up = (z - j) / z * j / (z - 1) / (1 + np.exp(-2.0 * (pi_m - pi_r)))
    down = j / z * (z - j) / (z - 1) / (1 + np.exp(-2.0 * (pi_r - pi_m)))
    m = np.diag(up + down) - np.diag(up[:-1], 1) - np.diag(down[1:], -1)
    t = np.linalg.solve(m, np.ones(z - 1))
    assert abs(proc.fixation_time("s1", "s0", conditional=False) - t[0] / z) < 1e-10
    gamma = np.cumprod(down / up)
    phi = np.concatenate([[1.0], 1 + np.cumsum(gamma[:-1])]) / (1 + gamma.sum())
    u = np.linalg.solve(m, phi)
    assert abs(proc.fixation_time("s1", "s0") - u[0] / phi[0] / z) < 1e-10


# ----------------------------------------------------------------- N populations
def test_three_populations_fixation_and_embedded_chain():
    game = cg.game()
    z, beta = 20, 0.7
    proc = gt.pairwise_comparison(game, [z] * 3, beta=beta, params=cg.OPTIMIZED)
    vals = {k: float(v) for k, v in game.replicator().exact_parameter_values(cg.OPTIMIZED).items()}
    res, mut = ("B", "P", "I"), ("C", "P", "I")
    payoffs = {p: float(game.payoff(p, 0).subs(vals)) for p in (res, mut)}
    delta = payoffs[mut] - payoffs[res]  # the others monomorphic: a constant payoff difference
    expected = (1 - math.exp(-beta * delta)) / (1 - math.exp(-beta * delta * z))
    assert abs(proc.fixation_probability(res, mut) - expected) < 1e-12
    p = proc.transition_matrix("small")
    labels = proc.fixation_matrix().states
    i, j = labels.index("(B, P, I)"), labels.index("(C, P, I)")
    assert abs(p[i, j] - expected / 3) < 1e-12  # (1/N) (1/(k_i - 1)) rho
    assert np.count_nonzero(p - np.diag(np.diag(p))) == 8 * 3
    sd = proc.stationary_distribution()
    assert sd.labels == labels and abs(sd.probabilities.sum() - 1) < 1e-12


def test_three_populations_absorption_against_dense_chain():
    game = classic.matching_pennies_3()
    z = 3
    proc = gt.pairwise_comparison(game, [z] * 3, beta=1.5)
    from gametheory.finite import chain

    p = chain.full_matrix(proc, 0.0).toarray()
    states = chain._States(proc).counts
    absorbing = [k for k, c in enumerate(states) if all(max(c[2 * i : 2 * i + 2]) == z for i in range(3))]
    transient = [k for k in range(len(states)) if k not in absorbing]
    b = np.linalg.solve(
        np.eye(len(transient)) - p[np.ix_(transient, transient)], p[np.ix_(transient, absorbing)]
    )
    start = [1, 2, 2, 1, 3, 0]
    got = proc.absorption_probabilities(start)
    row = b[transient.index(next(k for k, c in enumerate(states) if list(c) == start))]
    profile_of = {
        k: tuple(
            game.populations[i].strategies[int(np.argmax(states[k][2 * i : 2 * i + 2]))] for i in range(3)
        )
        for k in absorbing
    }
    for col, k in enumerate(absorbing):
        assert abs(got[profile_of[k]] - row[col]) < 1e-12


# ----------------------------------------------------------------- results and plots
def test_results_read_and_draw():
    proc = gt.pairwise_comparison(classic.hawk_dove(), 8, beta=1.0, mu=0.05)
    sd = proc.stationary_distribution()
    assert "Stationary distribution" in sd.summary() and len(sd.to_frame()) == 9
    fm = proc.fixation_matrix()
    assert len(fm.to_frame()) == 2 and "x neutral" in fm.summary()
    st = proc.stochastic_stability([0.5, 2.0])
    assert st.to_frame().shape == (2, 3)
    for result in (sd, fm, st):
        assert result.plot() is not None
    with pytest.raises(ValueError, match="read-only"):
        sd.probabilities[0] = 1.0
    assert "Pairwise comparison" in proc.summary()


# ----------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    ("call", "error", "fragment"),
    [
        (lambda: gt.moran(classic.hawk_dove(), 1), gt.SpecificationError, "size Z = 1"),
        (lambda: gt.moran(classic.hawk_dove(), 10, mu=1.5), gt.ParameterError, "mu"),
        (lambda: gt.pairwise_comparison(classic.hawk_dove(), 10, beta=-1), gt.ParameterError, "beta"),
        (lambda: gt.moran(classic.hawk_dove(), 10, w=2), gt.ParameterError, "w (the intensity"),
        (lambda: gt.moran(classic.public_goods(players=5), 4), gt.SpecificationError, "players = 5"),
        (lambda: gt.moran(cg.game(), 10), gt.SpecificationError, "one integer per population"),
        (
            lambda: gt.pairwise_comparison(classic.hawk_dove(), 10).fixation_probability("H", "Hawk"),
            gt.SpecificationError,
            "Hawk",
        ),
        (
            lambda: gt.pairwise_comparison(classic.hawk_dove(), 10).fixation_probability("H", "H"),
            gt.SpecificationError,
            "the same",
        ),
        (
            lambda: gt.pairwise_comparison(cg.game(), [5] * 3).fixation_probability(
                ("C", "E", "A"), ("B", "P", "A")
            ),
            gt.SpecificationError,
            "differ in populations",
        ),
        (
            lambda: gt.pairwise_comparison(cg.game(), [60] * 3, mu=0.1).stationary_distribution(),
            gt.SpecificationError,
            "226,981 compositions",
        ),
        (
            lambda: gt.moran(_matrix_game([[-1, 2], [0, 1]]), 5, w=1.0).fixation_probability("s1", "s0"),
            gt.StateError,
            "<= 0",
        ),
        (
            lambda: gt.pairwise_comparison(classic.hawk_dove(), 5).stationary_distribution(mutation=0),
            gt.ParameterError,
            "mutation = 0",
        ),
    ],
)
def test_bad_input(call, error, fragment):
    with pytest.raises(error, match=None) as info:
        call()
    assert fragment in str(info.value)


def test_state_dependent_payoffs_are_the_expected_payoffs_at_the_shares():
    game = cg.dynamic_accountability_game()
    proc = gt.pairwise_comparison(game, [10, 8, 5], beta=1.0)
    dyn = game.replicator()
    values = dyn.exact_parameter_values()
    counts = [3, 7, 6, 2, 1, 4]
    x = {s: v for s, v in zip(dyn.states, [3 / 10, 6 / 8, 1 / 5])}
    expected = [
        float(f.subs(dict(zip(dyn.parameters, values.values()))).subs(x))
        for row in dyn.expected_payoffs
        for f in row
    ]
    # float evaluation of the same polynomials: agreement to rounding
    assert np.allclose(proc.payoffs(counts), expected, rtol=0, atol=1e-12)
