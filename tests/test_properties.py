"""Hypothesis property tests of the invariants of replicator dynamics (DESIGN.md).

Run on random games of N = 2..4 populations with 2..3 strategies each, drawn by
the public strategies of :mod:`gametheory.testing`.  The CI profile runs 200
examples per test (tests/conftest.py).
"""

from __future__ import annotations

import itertools

import numpy as np
import sympy
from hypothesis import given
from hypothesis import strategies as st

import gametheory as gt
from gametheory.testing import games, interior_states, parameter_values, states


@given(st.data())
def test_vertices_are_rest_points(data):
    game = data.draw(games(symbolic=True))
    dyn = game.replicator()
    params = data.draw(parameter_values(game))
    for _, v in dyn.vertices():
        assert np.all(dyn.vector_field(v, params) == 0)


@given(st.data())
def test_faces_are_invariant(data):
    """A zero share has zero velocity, and shares of each population keep summing to at most 1."""
    game = data.draw(games())
    dyn = game.replicator()
    x = data.draw(states(game))
    f = dyn.vector_field(x)
    for sl, full in zip(dyn.population_slices(), dyn.full_shares(x), strict=True):
        zero = full[:-1] == 0
        assert np.all(f[sl][zero] == 0)
        if full[-1] == 0:  # the last strategy's share moves by -sum of the others
            assert abs(f[sl].sum()) <= 1e-12 * (1 + np.abs(f[sl]).sum())


@given(st.data())
def test_trajectories_stay_in_the_state_space(data):
    game = data.draw(games(max_profiles=18))
    dyn = game.replicator()
    x0 = data.draw(interior_states(game))
    tr = dyn.simulate(x0, (0, 20), coordinates="shares", raise_on_failure=False)
    assert tr.success
    # Share coordinates do not keep the simplex invariant: the excursion is integration error.
    # The true solution stays in the state space, so a negative share is at most that share's
    # error and a population's excess sum over 1 at most the population's L1 error: the
    # excursion is bounded by the error against a tight reference (log-ratio chart, rtol 1e-12,
    # itself exactly in the state space) at the same times, plus that reference's own error.
    ref = dyn.simulate(x0, (0, 20), t_eval=tr.t, rtol=1e-12, atol=1e-14)
    error = max(np.abs(tr.y[sl] - ref.y[sl]).sum(axis=0).max() for sl in dyn.population_slices())
    assert tr.max_excursion <= error + 1e-9
    logit = dyn.simulate(x0, (0, 20))
    assert logit.max_excursion <= 1e-15


@given(st.data())
def test_adding_own_strategy_independent_terms_leaves_dynamics_unchanged(data):
    """Adding c(s_-i) to population i's payoff in every profile changes no equation."""
    game = data.draw(games(max_profiles=18))
    dyn = game.replicator()
    i = data.draw(st.integers(0, game.n_populations - 1))
    others = [range(p.size) for l, p in enumerate(game.populations) if l != i]
    shift = {prof: data.draw(st.integers(-5, 5)) for prof in itertools.product(*others)}
    payoffs = {}
    for profile, row in game.payoffs.items():
        idx = game.profile_indices(profile)
        key = tuple(s for l, s in enumerate(idx) if l != i)
        payoffs[profile] = tuple(e + shift[key] if l == i else e for l, e in enumerate(row))
    shifted = gt.Game(game.populations, payoffs).replicator()
    assert sympy.expand(shifted.equations - dyn.equations).is_zero_matrix


@given(st.data())
def test_relabelling_two_strategies_maps_x_to_one_minus_x(data):
    """Swapping a 2-strategy population's strategies maps x -> 1 - x and F_x -> -F_x."""
    game = data.draw(games(max_profiles=18))
    i = data.draw(st.sampled_from([k for k, p in enumerate(game.populations) if p.size == 2] or [None]))
    if i is None:
        return
    pops = list(game.populations)
    pops[i] = gt.Population(pops[i].name, tuple(reversed(pops[i].strategies)))
    swapped = gt.Game(pops, dict(game.payoffs))
    dyn, dyn2 = game.replicator(), swapped.replicator()
    x = data.draw(interior_states(game))
    c = dyn.population_slices()[i].start
    x2 = x.copy()
    x2[c] = 1 - x[c]
    f, f2 = dyn.vector_field(x), dyn2.vector_field(x2)
    expected = f.copy()
    expected[c] = -f[c]
    np.testing.assert_allclose(f2, expected, atol=1e-12)
    # the Jacobian is conjugated by the reflection: eigenvalues are unchanged
    J, J2 = dyn.jacobian_at(x), dyn2.jacobian_at(x2)
    R = np.eye(dyn.dimension)
    R[c, c] = -1
    np.testing.assert_allclose(J2, R @ J @ R, atol=1e-12)


@given(st.data())
def test_symbolic_jacobian_equals_finite_differences(data):
    game = data.draw(games(symbolic=True))
    dyn = game.replicator()
    params = data.draw(parameter_values(game))
    x = data.draw(interior_states(game, margin=0.05))
    J = dyn.jacobian_at(x, params)
    h = 1e-6
    scale = 1 + np.abs(J).max()
    for c in range(dyn.dimension):
        e = np.zeros(dyn.dimension)
        e[c] = h
        fd = (dyn.vector_field(x + e, params) - dyn.vector_field(x - e, params)) / (2 * h)
        # polynomial of degree <= N+1 with coefficients <= ~25: truncation ~h^2*1e3, rounding ~1e-16*|F|/h
        np.testing.assert_allclose(J[:, c], fd, atol=1e-6 * scale)


@given(st.data())
def test_corner_eigenvalues_are_payoff_differences(data):
    """At a vertex, the Jacobian has eigenvalues f_ij - f_i(played) for every unused strategy j."""
    game = data.draw(games(symbolic=True))
    dyn = game.replicator()
    params = data.draw(parameter_values(game))
    profile = tuple(data.draw(st.integers(0, p.size - 1)) for p in game.populations)
    v = dyn.vertex(profile)
    pay = dyn.compiled("payoffs")(v[:, None], dyn.parameter_vector(params)[:, None])[:, 0]
    expected, offset = [], 0
    for pop, played in zip(game.populations, profile, strict=True):
        expected += [pay[offset + j] - pay[offset + played] for j in range(pop.size) if j != played]
        offset += pop.size
    ev = np.linalg.eigvals(dyn.jacobian_at(v, params))
    assert np.allclose(np.sort(ev.imag), 0, atol=1e-9)
    np.testing.assert_allclose(np.sort(ev.real), np.sort(expected), atol=1e-9 * (1 + np.abs(expected).max()))


@given(st.data())
def test_trajectory_from_near_a_strict_equilibrium_converges_to_it(data):
    """A vertex with all payoff differences negative is asymptotically stable."""
    game = data.draw(games(max_profiles=18, payoff_range=(-3, 3)))
    dyn = game.replicator()
    for profile, v in dyn.vertices():
        ev = np.linalg.eigvals(dyn.jacobian_at(v))
        if np.all(ev.real < -0.5):
            # 1% of the way from the vertex towards the barycentre of the state space
            centre = np.concatenate([np.full(p.size - 1, 1 / p.size) for p in game.populations])
            x0 = 0.99 * v + 0.01 * centre
            tr = dyn.simulate(x0, (0, 60))
            # distance decays at least like exp(-0.5 t) from 0.01: far below 1e-6 at t = 60
            np.testing.assert_allclose(tr.final, v, atol=1e-6, err_msg=str(profile))
            return
