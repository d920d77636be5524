"""The shortcuts of the exact analysis (issue 15) against independent computations.

- pruning by dominance on a face: the payoff difference, evaluated with numpy from the payoff
  tensor at random points inside the face, keeps its sign; and the previous algorithm (Groebner
  bases everywhere, ``_without_shortcuts``) finds no rest point on a pruned face;
- the exact linear solve against :func:`sympy.linsolve`;
- the block-triangular deflation of eigenvalue problems against :func:`numpy.linalg.eigvals`;
- ``analyze`` with and without the shortcuts on seeded random games: the same report.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import sympy
from analysis_games import random_game
from sympy import QQ
from sympy.polys.rings import ring

import gametheory as gt
from gametheory.analysis import equilibria
from gametheory.analysis.eigen import _diagonal_blocks
from gametheory.analysis.shortcuts import (
    _without_shortcuts,
    dominated_on_face,
    linear_solution,
    rational_payoffs,
)


def _payoff_tensors(game):
    return [np.array(game.payoff_array(i), dtype=float) for i in range(game.n_populations)]


@pytest.mark.parametrize("sizes,seed", [((3, 3), 1), ((2, 3, 2), 2), ((3, 3, 3), 3), ((2, 2, 2, 2), 4)])
def test_pruned_faces_hold_no_rest_point(sizes, seed):
    game = random_game(sizes, seed)
    exact, _ = equilibria._exact_payoffs(game, {})
    pays = rational_payoffs(exact)
    tensors = _payoff_tensors(game)
    rng = np.random.default_rng(seed)
    pruned = [s for s in gt.analysis.algebra.support_patterns(game) if dominated_on_face(pays, s)]
    assert pruned  # random integer games have dominated strategies on some faces
    for support in pruned:
        # independent check: some population's payoff difference has one strict sign inside the face
        signs_found = False
        for _ in range(5):
            x = []
            for k, S in zip(sizes, support):
                share = np.zeros(k)
                share[list(S)] = rng.dirichlet(np.ones(len(S)))
                x.append(share)
            for i, S in enumerate(support):
                f = tensors[i]
                for l in reversed(range(len(sizes))):  # contract the other populations' shares
                    if l != i:
                        f = np.tensordot(f, x[l], axes=([l], [0]))
                if any(f[j] - f[k] > 0 for j, k in itertools.permutations(S, 2)):
                    signs_found = True
        assert signs_found
    with _without_shortcuts():
        equilibria._CACHE.clear()
        legacy = gt.rest_points(game)
    names = {gt.analysis.algebra._support_names(game, s) for s in pruned}
    assert not any(p.support in names for p in legacy) and not any(
        c.support in names for c in legacy.continua
    )


def test_linear_solution_against_linsolve():
    rng = np.random.default_rng(5)
    R, *gens = ring("a,b,c", QQ)
    syms = sympy.symbols("a b c")
    for _ in range(40):
        A = rng.integers(-2, 3, size=(3, 4))
        polys = [sum((int(A[r, k]) * gens[k] for k in range(3)), R.zero) + int(A[r, 3]) for r in range(3)]
        kind, values = linear_solution(polys, 3)
        sol = sympy.linsolve(
            [sum(int(A[r, k]) * syms[k] for k in range(3)) + int(A[r, 3]) for r in range(3)], syms
        )
        if not sol:
            assert kind == "none"
        elif any(s.free_symbols for s in next(iter(sol))):
            assert kind == "singular"
        else:
            assert kind == "unique" and [sympy.Rational(str(v)) for v in values] == list(next(iter(sol)))
    assert linear_solution([gens[0] * gens[1] - 1], 3) == ("nonlinear", None)


def test_diagonal_blocks_give_the_eigenvalues():
    rng = np.random.default_rng(6)
    for n in range(1, 8):
        for _ in range(5):
            sizes = rng.multinomial(n - 1, np.ones(n) / n) + 1
            sizes = sizes[np.cumsum(sizes) <= n]
            M = np.triu(rng.normal(size=(n, n)))
            start = 0
            for s in sizes:  # full diagonal blocks on a block-upper-triangular matrix
                M[start : start + s, start : start + s] = rng.normal(size=(s, s))
                start += s
            P = np.eye(n)[rng.permutation(n)]
            A = P @ M @ P.T  # hidden by a permutation
            blocks = _diagonal_blocks(A.tolist())
            assert sorted(i for b in blocks for i in b) == list(range(n))
            eig = np.concatenate([np.linalg.eigvals(A[np.ix_(b, b)]) for b in blocks])
            ref = np.linalg.eigvals(A)
            assert np.allclose(np.sort_complex(eig), np.sort_complex(ref), atol=1e-8)


@pytest.mark.parametrize(
    "sizes,seed,parametric",
    [
        ((2, 2, 2), 21, False),
        ((2, 2, 2), 22, True),
        ((3, 2), 23, True),
        ((2, 2, 3), 24, False),
        ((3, 3), 25, False),
    ],
)
def test_analyze_same_with_and_without_shortcuts(sizes, seed, parametric):
    game = random_game(sizes, seed, parametric=parametric)
    params = {p: 0.7 for p in game.parameter_names}
    equilibria._CACHE.clear()
    new = gt.analyze(game, params)
    with _without_shortcuts():
        equilibria._CACHE.clear()
        old = gt.analyze(game, params)
    assert (new.complete, new.consistent, len(new.continua)) == (
        old.complete,
        old.consistent,
        len(old.continua),
    )
    assert len(new.equilibria) == len(old.equilibria)
    for a, b in zip(new.equilibria, old.equilibria):
        assert (a.support, a.kind, a.is_ess, a.is_nash, a.precision) == (
            b.support,
            b.kind,
            b.is_ess,
            b.is_nash,
            b.precision,
        )
        assert a.exact == b.exact or all(sympy.simplify(u - v) == 0 for u, v in zip(a.exact, b.exact))
        np.testing.assert_allclose(a.point, b.point, rtol=0, atol=1e-14)  # the same exact point, rounded
        np.testing.assert_allclose(a.eigenvalues, b.eigenvalues, rtol=1e-12, atol=1e-12)  # 60-digit values


def test_polished_real_roots_against_polyroots():
    import mpmath

    from gametheory.analysis.algebra import _polished_real_roots
    from gametheory.analysis.shortcuts import precision_context

    mp = precision_context(50)
    rng = np.random.default_rng(7)
    for _ in range(20):
        coeffs = [mp.mpf(int(v)) for v in rng.integers(-9, 10, size=int(rng.integers(4, 8)))]
        if coeffs[0] == 0:
            continue
        ref = mp.polyroots(coeffs, maxsteps=400, extraprec=200)
        real = sorted(mpmath.re(z) for z in ref if abs(mpmath.im(z)) < mpmath.mpf(10) ** -25)
        got = _polished_real_roots(coeffs, len(real), mp)
        assert got is not None and all(abs(a - b) < mpmath.mpf(10) ** -45 for a, b in zip(got, real))
    # a wrong count of real roots is refused (the caller then uses polyroots)
    assert _polished_real_roots([mp.mpf(1), mp.mpf(0), mp.mpf(-2)], 1, mp) is None
