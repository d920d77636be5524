"""Shortcuts of the support enumeration: faces pruned by sign conditions, linear systems solved linearly.

Both give exactly the answer of the general method (Groebner bases, see
:mod:`gametheory.analysis.equilibria`), only faster.

Pruning by dominance on the face.  On the face with supports :math:`S_1, \\dots, S_N`
the payoff difference of two strategies :math:`j, k \\in S_i` is the multilinear form

.. math::  f_{ij}(x) - f_{ik}(x) = \\sum_{s_{-i} \\in S_{-i}} \\Big(\\prod_{l \\ne i} x_{l s_l}\\Big)
           \\big(a^i_{j s_{-i}} - a^i_{k s_{-i}}\\big),

whose weights :math:`\\prod_l x_{l s_l}` are all strictly positive inside the face.  If
every difference :math:`a^i_{j s_{-i}} - a^i_{k s_{-i}}` is :math:`\\ge 0` and one is
:math:`> 0` (:math:`j` weakly dominates :math:`k` on the face, strictly somewhere), the
payoff difference is positive everywhere inside the face: the face holds no rest point
with both :math:`j` and :math:`k` in use (no isolated one and no continuum), and its
system need not be solved.  The signs are decided exactly (rational payoffs).

Grevlex keys memoised.  Buchberger's algorithm in :mod:`sympy.polys.groebnertools` spends most
of its time computing the sort key of a monomial under the grevlex order (a new tuple per call,
about a million calls for a 3x3x3 game); :data:`GREVLEX` is the same order with the keys kept in
a dictionary, so the bases (and everything computed from them) are identical, about twice as fast.

Linear systems.  When every equation of a support system has degree at most one (at
most one population other than ``i`` mixes where population ``i`` does, e.g. every face
of a two-population game), Gaussian elimination over :math:`\\mathbb{Q}` replaces the
Groebner basis: a unique solution is the rest point candidate, an inconsistent system
has none, and a singular consistent one (a continuum) goes to the general method.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
from sympy.polys.orderings import ReversedGradedLexOrder

__all__: list[str] = []

_ENABLED = [True]


def enabled() -> bool:
    """Whether the shortcuts are used (they are, except inside :func:`_without_shortcuts`)."""
    return _ENABLED[0]


@contextlib.contextmanager
def _without_shortcuts() -> Iterator[None]:
    """The analysis as before the shortcuts (every face solved by Groebner bases, full eigenvalue
    problems): the same-run baseline of benchmarks/bench_analyze.py and of the regression test."""
    _ENABLED[0] = False
    try:
        yield
    finally:
        _ENABLED[0] = True


class _MemoGrevlex(ReversedGradedLexOrder):
    """sympy's grevlex order, its keys memoised (the same order: equal keys, equal bases)."""

    alias = "grevlex"

    def __init__(self) -> None:
        self.keys: dict[tuple[int, ...], tuple[int, tuple[int, ...]]] = {}

    def __call__(self, monomial: tuple[int, ...]) -> tuple[int, tuple[int, ...]]:
        key = self.keys.get(monomial)
        if key is None:
            if len(self.keys) > 1_000_000:  # bounded memory
                self.keys.clear()
            key = self.keys[monomial] = (sum(monomial), tuple(reversed([-m for m in monomial])))
        return key

    def __eq__(self, other: object) -> bool:
        return self is other

    def __hash__(self) -> int:
        return id(self)


#: The grevlex monomial order of the support systems' polynomial rings (see the module docstring).
GREVLEX = _MemoGrevlex()


def grevlex_order() -> ReversedGradedLexOrder:
    """:data:`GREVLEX`, or sympy's own grevlex inside :func:`_without_shortcuts`.

    Examples
    --------
    >>> grevlex_order()((1, 0, 2)) == (3, (-2, 0, -1))
    True
    """
    if enabled():
        return GREVLEX
    from sympy.polys.orderings import grevlex

    return grevlex


_CONTEXTS: dict[int, Any] = {}


def precision_context(dps: int) -> Any:
    """A shared :class:`mpmath.MPContext` at ``dps`` digits (creating one costs about a millisecond).

    Callers must not change its precision (``extraprec`` and ``workdps`` restore it).  Inside
    :func:`_without_shortcuts` a new context each call, as before.

    Examples
    --------
    >>> precision_context(50).dps, precision_context(50) is precision_context(50)
    (50, True)
    """
    import mpmath

    ctx = _CONTEXTS.get(dps) if enabled() else None
    if ctx is None or ctx.dps != dps:
        ctx = mpmath.MPContext()
        ctx.dps = dps
        if enabled():
            _CONTEXTS[dps] = ctx
    return ctx


def rational_payoffs(payoffs: list[np.ndarray]) -> list[dict[tuple[int, ...], Any]]:
    """The exact payoff arrays as ``{profile index: gmpy2/python rational}`` (fast exact comparisons)."""
    from sympy import QQ

    return [{idx: QQ.from_sympy(arr[idx]) for idx in np.ndindex(arr.shape)} for arr in payoffs]


def dominated_on_face(
    payoffs: list[dict[tuple[int, ...], Any]], support: tuple[tuple[int, ...], ...]
) -> bool:
    """Whether some population has, on this face, a strategy of its support weakly dominated (strictly
    somewhere) by another of its support: then the face holds no rest point inside it.

    Examples
    --------
    >>> import numpy as np, sympy
    >>> a = np.array([[sympy.Integer(1), sympy.Integer(2)], [sympy.Integer(0), sympy.Integer(2)]], dtype=object)
    >>> pays = rational_payoffs([a, -a])
    >>> dominated_on_face(pays, ((0, 1), (0, 1))), dominated_on_face(pays, ((0, 1), (1,)))
    (True, False)
    """
    n = len(support)
    for i, S in enumerate(support):
        if len(S) < 2:
            continue
        others = [support[l] if l != i else (None,) for l in range(n)]
        rows = {j: [] for j in S}
        for prof in itertools.product(*others):
            for j in S:
                rows[j].append(payoffs[i][tuple(j if l == i else s for l, s in enumerate(prof))])
        for j, k in itertools.permutations(S, 2):
            diffs = [a - b for a, b in zip(rows[j], rows[k])]
            if all(d >= 0 for d in diffs) and any(d > 0 for d in diffs):
                return True
    return False


def linear_solution(polys: Sequence[Any], m: int) -> tuple[str, list[Any] | None]:
    """Solve a support system whose equations all have degree <= 1, exactly over Q.

    ``polys`` are elements of a sympy ``PolyRing`` over QQ in ``m`` unknowns.  Returns
    ``("nonlinear", None)`` when some equation has a higher degree, ``("none", None)`` for an
    inconsistent system, ``("singular", None)`` for a consistent one with a solution set of
    positive dimension, and ``("unique", values)`` with the rational values of the unknowns.

    Examples
    --------
    >>> from sympy import QQ
    >>> from sympy.polys.rings import ring
    >>> R, x, y = ring("x,y", QQ)
    >>> linear_solution([2*x - 1, x + y - 1], 2)
    ('unique', [mpq(1,2), mpq(1,2)])
    >>> linear_solution([x - y, 2*x - 2*y + 1], 2)[0], linear_solution([x*y - 1, x], 2)[0]
    ('none', 'nonlinear')
    """
    rows = []
    for q in polys:
        row = [0] * (m + 1)
        for monom, c in q.items():
            deg = sum(monom)
            if deg > 1:
                return "nonlinear", None
            if deg == 0:
                row[m] = -c
            else:
                row[monom.index(1)] = c
        rows.append(row)
    # Gauss-Jordan elimination over Q
    pivots: list[int] = []
    r = 0
    for col in range(m):
        piv = next((k for k in range(r, len(rows)) if rows[k][col] != 0), None)
        if piv is None:
            continue
        rows[r], rows[piv] = rows[piv], rows[r]
        p = rows[r][col]
        rows[r] = [v / p for v in rows[r]]
        for k in range(len(rows)):
            if k != r and rows[k][col] != 0:
                f = rows[k][col]
                rows[k] = [a - f * b for a, b in zip(rows[k], rows[r])]
        pivots.append(col)
        r += 1
    if any(row[m] != 0 for row in rows[r:]):
        return "none", None
    if r < m:
        return "singular", None
    values = [0] * m
    for k, col in enumerate(pivots):
        values[col] = rows[k][m]
    return "unique", values
