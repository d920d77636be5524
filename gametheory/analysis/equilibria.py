"""All rest points of the replicator dynamics: vertices, edges, faces, interior, and continua.

Method
------
A state :math:`x` is a rest point of :math:`\\dot x_{ij} = x_{ij}(f_{ij}(x) - \\bar f_i(x))`
exactly when, in every population, all strategies with positive share earn the
same expected payoff.  So the rest points are found *support by support*: for
every choice of a non-empty support :math:`S_i` per population (there are
:math:`\\prod_i (2^{k_i} - 1)` choices; 27 for three 2-strategy populations),
the shares off the support are zero, the shares on it are positive and sum to
one, and

.. math::  f_{ij}(x) - f_{i r_i}(x) = 0 \\qquad j \\in S_i \\setminus \\{r_i\\},

with :math:`r_i` the last strategy of :math:`S_i`.  This is a square polynomial
system (multilinear: :math:`f_{ij}` does not depend on population ``i``'s own
shares) in :math:`m = \\sum_i (|S_i| - 1)` unknowns.

Exact solution (the default for small systems).  Parameter values are turned
into exact rationals (their shortest decimal representation: ``0.1`` is
:math:`1/10`), the payoffs evaluated exactly, and the system solved over
:math:`\\mathbb{Q}`:

1. a Groebner basis (grevlex) decides whether there is no complex solution
   (basis ``[1]``), finitely many (zero-dimensional ideal), or a
   positive-dimensional set;
2. zero-dimensional: the basis is converted to lex order (FGLM).  In shape
   position (:math:`x_k = g_k(x_m)`, :math:`p(x_m) = 0`) the real roots of
   :math:`p` are isolated exactly and every rest point has an exact algebraic
   expression (``RestPoint.exact``); otherwise the triangular lex basis is
   solved variable by variable at 50 significant digits;
3. positive-dimensional: :func:`sympy.solve` decomposes the solution set into
   parametrised components; isolated components are rest points, the others
   are reported as :class:`RestPointSet` (a continuum), with the exact range of
   the free coordinate for one-dimensional sets and a sampled description
   otherwise.  An arbitrary point of a continuum is never reported as a rest point.

Only real solutions with every support share strictly positive are kept.
For a game with 2 strategies per population this enumerates every rest point:
the answer is certified complete (``RestPoints.complete``).

Numeric fallback.  The number of isolated complex solutions of a support
system is at most its multi-homogeneous Bezout number (:func:`bezout_bound`;
2 for the interior of a 2x2x2 game, 10 for 3x3x3, 44 for 2x2x2x2x2, the
McKelvey-McLennan bounds).  Above ``max_exact_solutions`` (default 12) sympy's
Groebner bases become slow (minutes), so those supports are solved by
multi-start Newton (``scipy.optimize.root`` from seeded random starts in the
face, then Newton polishing and de-duplication).  Such points carry
``certified=False`` and the result ``complete=False``: a numeric search can
miss rest points.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import mpmath
import numpy as np
import sympy

from ..dynamics.replicator import ReplicatorDynamics
from ..errors import AnalysisError, ParameterError
from ..game import Game

__all__ = [
    "RestPoint",
    "RestPointSet",
    "RestPoints",
    "rest_points",
    "support_patterns",
    "bezout_bound",
    "exact_parameter_values",
    "state_support",
]

#: A support: for each population, the names of its strategies with positive share.
Support = tuple[tuple[str, ...], ...]

_DIGITS = 50  # working precision (significant digits) of high-precision root finding
_POSITIVE = 1e-30  # a share computed at 50 digits counts as positive above this
_CACHE: dict[tuple[Any, ...], RestPoints] = {}
_CACHE_SIZE = 256


def _readonly(a: np.ndarray) -> np.ndarray:
    a = np.array(a, dtype=float)
    a.setflags(write=False)
    return a


def _face_location(m: int, d: int) -> str:
    if m == 0:
        return "vertex"
    if m == 1:
        return "edge"
    return "interior" if m == d else "face"


@dataclass(frozen=True)
class RestPoint:
    """An isolated rest point of the replicator dynamics.

    Attributes
    ----------
    point : ndarray, shape (d,)
        Reduced state (read-only).
    support : tuple of tuple of str
        For each population, the strategies with positive share.
    exact : tuple of sympy.Expr or None
        The reduced state as exact algebraic numbers when known (vertices,
        and zero-dimensional supports in shape position; see module docstring).
    profile : tuple of str or None
        The pure profile for a vertex, ``None`` otherwise.
    certified : bool
        Found by exact algebra (``True``) or by the numeric multi-start search.
    digits : tuple of str or None
        The point to 50 significant digits (decimal strings) when found by exact
        algebra: what :func:`gametheory.stability.analyze` linearises at.
    residual : float
        :math:`\\max_r |\\dot x_r|` at ``point`` (double precision).
    """

    point: np.ndarray
    support: Support
    exact: tuple[sympy.Expr, ...] | None
    profile: tuple[str, ...] | None
    certified: bool = True
    residual: float = 0.0
    digits: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "point", _readonly(self.point))

    @property
    def face_dimension(self) -> int:
        """Dimension of the face whose relative interior holds the point: :math:`\\sum_i (|S_i| - 1)`."""
        return sum(len(s) - 1 for s in self.support)

    @property
    def location(self) -> str:
        """``"vertex"``, ``"edge"``, ``"face"`` or ``"interior"``."""
        return _face_location(self.face_dimension, self.point.shape[0])

    @property
    def is_vertex(self) -> bool:
        return self.profile is not None

    def __repr__(self) -> str:
        pt = ", ".join(f"{v:.6g}" for v in self.point)
        return f"RestPoint(({pt}), {self.location}, support={self.support})"


@dataclass(frozen=True)
class RestPointSet:
    """A continuum (positive-dimensional set) of rest points inside one face.

    Every point of the set is a rest point, and every one is non-hyperbolic (a
    zero eigenvalue along the set).  When known exactly, the set is
    ``{x : x = parametrization(free), free coordinates in region}``.

    Attributes
    ----------
    support : tuple of tuple of str
        The face (support per population) whose relative interior holds the set.
    dimension : int
        Dimension of the set (number of free coordinates; for a numeric set,
        the nullity of the support system's Jacobian at the sampled points).
    equations : tuple of sympy.Expr
        The support system: polynomials in the state symbols (parameters
        substituted) that vanish on the set.
    states : tuple of sympy.Symbol
        The state symbols of ``equations`` and ``parametrization``.
    free : tuple of sympy.Symbol
        The free state coordinates (empty for a numeric set).
    parametrization : tuple of sympy.Expr or None
        The reduced state, coordinate by coordinate, as expressions in ``free``;
        ``None`` for a set found by the numeric search.
    region : tuple of sympy.Set or None
        When the admissible values of the free coordinates form a product of
        intervals (always for one-dimensional sets), the exact range of each;
        ``None`` when the range was only explored by sampling.
    samples : ndarray, shape (n_samples, d)
        Points of the set in the open face (read-only).
    strategies : tuple of tuple of str
        All strategies of each population (to read supports off states).
    certified : bool
        ``True`` when the set and its range were obtained exactly.
    """

    support: Support
    dimension: int
    equations: tuple[sympy.Expr, ...]
    states: tuple[sympy.Symbol, ...]
    strategies: tuple[tuple[str, ...], ...]
    free: tuple[sympy.Symbol, ...]
    parametrization: tuple[sympy.Expr, ...] | None
    region: tuple[sympy.Set, ...] | None
    samples: np.ndarray
    certified: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "samples", _readonly(self.samples))

    @property
    def location(self) -> str:
        """``"edge"``, ``"face"`` or ``"interior"``: where the continuum lies."""
        m = sum(len(s) - 1 for s in self.support)
        return _face_location(m, len(self.states))

    def describe(self) -> str:
        """A one-line description, e.g. ``x = 1/2, y in Interval.open(0, 1), z = 1``."""
        if self.parametrization is None:
            eqs = ", ".join(f"{sympy.sstr(e)} = 0" for e in self.equations)
            return f"numeric set of dimension {self.dimension} on support {self.support}: {eqs}"
        parts = []
        for expr, sym in zip(self.parametrization, self.states):
            if expr == sym and sym in self.free:
                rng = self.region[self.free.index(sym)] if self.region is not None else "(sampled range)"
                parts.append(f"{sym} in {rng}")
            else:
                parts.append(f"{sym} = {sympy.sstr(expr)}")
        return ", ".join(parts)

    def contains(self, x: Sequence[float], tol: float = 1e-8) -> bool:
        """Whether the reduced state ``x`` lies on the set, within ``tol``.

        ``x`` must have exactly this support (shares above ``tol`` on it, at most
        ``tol`` off it), satisfy the support equations within ``tol``, and, for
        an exact set, match its parametrization within ``tol``.
        """
        x = np.asarray(x, dtype=float)
        if x.shape != (len(self.states),):
            return False
        if state_support(self.strategies, x, tol) != self.support:
            return False
        values = dict(zip(self.states, x.tolist()))
        for e in self.equations:
            if abs(float(e.xreplace(values))) > tol:
                return False
        if self.parametrization is not None:
            free_values = {s: values[s] for s in self.free}
            for expr, v in zip(self.parametrization, x):
                try:
                    target = float(expr.xreplace(free_values))
                except (TypeError, ZeroDivisionError):
                    return False
                if not math.isfinite(target) or abs(target - v) > tol:
                    return False
        return True

    def __repr__(self) -> str:
        return f"RestPointSet(dimension {self.dimension}, {self.location}: {self.describe()})"


@dataclass(frozen=True)
class RestPoints:
    """All rest points found for one parameter set (immutable).

    Iterating over it, indexing it and ``len`` give the isolated
    :class:`RestPoint` objects; continua are in :attr:`continua`.

    Attributes
    ----------
    points : tuple of RestPoint
        Isolated rest points: the vertices first (in ``game.profiles`` order),
        then by face dimension.
    continua : tuple of RestPointSet
        Positive-dimensional sets of rest points (degenerate games).
    complete : bool
        ``True`` when every support system was solved exactly: then the points
        and continua are all the rest points there are.
    params : dict
        The parameter values used (defaults filled in).
    exact_parameters : dict
        The exact rationals the parameters were converted to.
    method : str
        How the support systems were solved.
    notes : tuple of str
        Anything the reader should know (numeric supports, rounded payoffs...).
    """

    points: tuple[RestPoint, ...]
    continua: tuple[RestPointSet, ...]
    complete: bool
    params: Mapping[str, float]
    exact_parameters: Mapping[str, sympy.Rational]
    method: str
    notes: tuple[str, ...] = field(default=())

    def __iter__(self) -> Iterator[RestPoint]:
        return iter(self.points)

    def __len__(self) -> int:
        return len(self.points)

    def __getitem__(self, k: int) -> RestPoint:
        return self.points[k]

    @property
    def vertices(self) -> tuple[RestPoint, ...]:
        return tuple(p for p in self.points if p.is_vertex)

    @property
    def mixed(self) -> tuple[RestPoint, ...]:
        """Isolated rest points that are not vertices."""
        return tuple(p for p in self.points if not p.is_vertex)

    @property
    def array(self) -> np.ndarray:
        """The isolated rest points as an array of shape ``(n, d)``."""
        if not self.points:
            return np.zeros((0, 0))
        return np.stack([p.point for p in self.points])

    def __repr__(self) -> str:
        return (
            f"RestPoints({len(self.vertices)} vertices, {len(self.mixed)} other isolated points, "
            f"{len(self.continua)} continua, complete={self.complete})"
        )


# ---------------------------------------------------------------- supports
def state_support(strategies: Sequence[Sequence[str]], x: Sequence[float], tol: float = 1e-8) -> Support:
    """The support of a reduced state: per population, the strategies with share above ``tol``.

    ``strategies`` lists every population's strategies (``[p.strategies for p in game.populations]``).
    """
    x = np.asarray(x, dtype=float)
    out, pos = [], 0
    for names in strategies:
        k = len(names)
        part = x[pos : pos + k - 1]
        shares = [*part.tolist(), 1.0 - float(part.sum())]
        out.append(tuple(n for n, v in zip(names, shares) if v > tol))
        pos += k - 1
    return tuple(out)


def support_patterns(game: Game) -> tuple[tuple[tuple[int, ...], ...], ...]:
    """All support patterns: per population a non-empty tuple of strategy indices.

    Ordered by face dimension :math:`\\sum_i (|S_i| - 1)` (vertices first), then
    lexicographically.  There are :math:`\\prod_i (2^{k_i} - 1)` of them.
    """
    per_pop = []
    for pop in game.populations:
        subsets = [s for r in range(1, pop.size + 1) for s in itertools.combinations(range(pop.size), r)]
        per_pop.append(subsets)
    patterns = list(itertools.product(*per_pop))
    patterns.sort(key=lambda sup: sum(len(s) - 1 for s in sup))
    return tuple(patterns)


def bezout_bound(support_sizes: Sequence[int]) -> int:
    """Multi-homogeneous Bezout number of a support system with support sizes ``|S_i|``.

    Population ``i`` contributes :math:`m_i = |S_i| - 1` equations of degree one
    in the shares of every *other* mixing population, so the number of isolated
    complex solutions is at most the coefficient of :math:`\\prod_l a_l^{m_l}` in
    :math:`\\prod_i (\\sum_{l \\ne i, m_l > 0} a_l)^{m_i}` (McKelvey & McLennan 1997).
    """
    m = [int(s) - 1 for s in support_sizes]
    if any(v < 0 for v in m):
        raise ValueError("support sizes must be >= 1")
    n = len(m)
    # polynomial in variables a_0..a_{n-1} as dict exponent-tuple -> coefficient
    poly: dict[tuple[int, ...], int] = {(0,) * n: 1}
    for i in range(n):
        for _ in range(m[i]):
            new: dict[tuple[int, ...], int] = {}
            for exps, c in poly.items():
                for l in range(n):
                    if l == i or m[l] == 0 or exps[l] >= m[l]:
                        continue  # higher powers cannot reach the target monomial
                    e = list(exps)
                    e[l] += 1
                    key = tuple(e)
                    new[key] = new.get(key, 0) + c
            poly = new
    return int(poly.get(tuple(m), 0))


# ---------------------------------------------------------- exact numbers
def _rational(value: float) -> sympy.Rational:
    """The exact rational of a float's shortest decimal representation (``0.1`` -> ``1/10``)."""
    return sympy.Rational(repr(float(value)))


def exact_parameter_values(dyn: ReplicatorDynamics, params: Mapping[str, Any] | None) -> dict[str, Any]:
    """Validated scalar parameter values as exact rationals (shortest decimal of each float)."""
    p = dyn.parameter_vector(params)
    if p.ndim != 1:
        raise ParameterError(
            "rest points and stability are computed for one parameter set at a time; got arrays of "
            f"{p.shape[1]} values (use strict_equilibria or a sweep for many parameter sets)"
        )
    return {name: _rational(v) for name, v in zip(dyn.game.parameter_names, p.tolist())}


def _exact_payoffs(game: Game, exact: Mapping[str, sympy.Rational]) -> tuple[list[np.ndarray], list[str]]:
    """Payoff arrays (object arrays of sympy Rationals) per population, and notes on rounding."""
    subs = {p.symbol: exact[p.name] for p in game.parameters}
    notes = []
    arrays = []
    for i in range(game.n_populations):
        arr = game.payoff_array(i)
        out = np.empty(game.strategy_counts, dtype=object)
        for idx in itertools.product(*(range(k) for k in game.strategy_counts)):
            value = sympy.sympify(arr[idx]).xreplace(subs)
            if isinstance(value, sympy.Float):
                value = _rational(float(value))
            elif not value.is_Rational:
                approx = value.evalf(30)
                if not approx.is_real or not approx.is_finite:
                    profile = tuple(game.populations[l].strategies[j] for l, j in enumerate(idx))
                    raise ParameterError(
                        f"the payoff of {game.populations[i].name!r} at {profile} is {approx}, not a finite "
                        "real number, at these parameter values"
                    )
                value = _rational(float(approx))
                notes.append(
                    f"the payoff of {game.populations[i].name!r} at index {idx} is irrational at these "
                    "parameters and was rounded to double precision for the exact solve"
                )
            out[idx] = value
        arrays.append(out)
    return arrays, notes


# ------------------------------------------------------- support systems
class _SupportSystem:
    """The polynomial system of one support (see module docstring).

    ``polys`` are elements of a sympy ``PolyRing`` over QQ in the unknowns
    (grevlex order); ``equations`` the same as expressions.
    """

    def __init__(
        self, dyn: ReplicatorDynamics, payoffs: list[np.ndarray], support: tuple[tuple[int, ...], ...]
    ):
        from sympy.polys.orderings import grevlex
        from sympy.polys.rings import ring

        game = dyn.game
        self.dyn = dyn
        self.support = support
        slices = dyn.population_slices()
        self.unknowns: list[sympy.Symbol] = []
        self.own: list[list[int]] = []  # positions (in unknowns) of each population's unknowns
        for i, S in enumerate(support):
            own = [dyn.states[slices[i].start + j] for j in S[:-1]]
            self.own.append(list(range(len(self.unknowns), len(self.unknowns) + len(own))))
            self.unknowns.extend(own)
        self.m = len(self.unknowns)
        shares: list[list[sympy.Expr]] = []
        for i, (pop, S) in enumerate(zip(game.populations, support)):
            own = [self.unknowns[k] for k in self.own[i]]
            sh: list[sympy.Expr] = [sympy.Integer(0)] * pop.size
            for j, sym in zip(S[:-1], own):
                sh[j] = sym
            sh[S[-1]] = 1 - sympy.Add(*own)
            shares.append(sh)
        self.shares = shares
        reduced = []
        for i, pop in enumerate(game.populations):
            reduced.extend(shares[i][: pop.size - 1])
        self.reduced: tuple[sympy.Expr, ...] = tuple(reduced)
        self.polys: list[Any] = []
        self.equations: list[sympy.Expr] = []
        self.ring = None
        if self.m == 0:
            return
        R, *gens = ring(self.unknowns, sympy.QQ, grevlex)
        self.ring = R
        one = R.one
        share_polys = []
        for i, (pop, S) in enumerate(zip(game.populations, support)):
            row = [R.zero] * pop.size
            own = [gens[k] for k in self.own[i]]
            for j, g in zip(S[:-1], own):
                row[j] = g
            row[S[-1]] = one - sum(own, R.zero)
            share_polys.append(row)
        dom = R.domain
        for i, S in enumerate(support):
            if len(S) < 2:
                continue
            f = {}
            others = [support[l] if l != i else (None,) for l in range(game.n_populations)]
            for j in S:
                total = R.zero
                for prof in itertools.product(*others):
                    idx = tuple(j if l == i else s for l, s in enumerate(prof))
                    c = payoffs[i][idx]
                    if c == 0:
                        continue
                    term = one * dom.from_sympy(c)
                    for l, s in enumerate(prof):
                        if l != i:
                            term = term * share_polys[l][s]
                    total = total + term
                f[j] = total
            for j in S[:-1]:
                self.polys.append(f[j] - f[S[-1]])
        self.equations = [R.to_sympy(q) if hasattr(R, "to_sympy") else q.as_expr() for q in self.polys]

    def positivity(self) -> list[sympy.Expr]:
        """Expressions that must be positive: every support share."""
        return [self.shares[i][j] for i, S in enumerate(self.support) for j in S]

    def support_shares(self, values: Sequence[Any]) -> list[Any]:
        """The support shares (unknowns, then each population's reference share) at numeric ``values``."""
        out = []
        for own in self.own:
            part = [values[k] for k in own]
            out.extend(part)
            out.append(1 - sum(part))
        return out

    def reduced_values(self, values: Sequence[Any]) -> list[Any]:
        """The reduced state at unknown ``values`` (numbers of any type supporting arithmetic)."""
        game = self.dyn.game
        out: list[Any] = []
        for i, (pop, S) in enumerate(zip(game.populations, self.support)):
            full: list[Any] = [0] * pop.size
            part = [values[k] for k in self.own[i]]
            for j, v in zip(S[:-1], part):
                full[j] = v
            full[S[-1]] = 1 - sum(part)
            out.extend(full[: pop.size - 1])
        return out


def _support_names(game: Game, support: tuple[tuple[int, ...], ...]) -> Support:
    return tuple(tuple(pop.strategies[j] for j in S) for pop, S in zip(game.populations, support))


# ----------------------------------------------------------- exact solve
def _is_zero_dimensional(G: list[Any], m: int) -> bool:
    """A Groebner basis spans a zero-dimensional ideal iff every variable has a pure power as a leading monomial."""
    pure = set()
    for g in G:
        lm = g.LM
        nz = [k for k, e in enumerate(lm) if e]
        if len(nz) == 1:
            pure.add(nz[0])
    return len(pure) == m


def _shape_position(polys: list[dict], m: int) -> list[dict] | None:
    """For a lex basis in shape position return ``[g_0, ..., g_{m-2}, p]`` as ``{exponent: coeff}`` dicts
    (``x_k = g_k(x_m)``, ``p(x_m) = 0``, univariate in the last unknown), else ``None``."""
    if len(polys) != m:
        return None
    uni = [p for p in polys if all(all(e == 0 for e in mon[:-1]) for mon in p)]
    if len(uni) != 1:
        return None
    out: list[dict | None] = [None] * (m - 1)
    for p in polys:
        if p is uni[0]:
            continue
        lead = None
        rest: dict[int, Any] = {}
        for monom, coeff in p.items():
            nz = [k for k, e in enumerate(monom) if e]
            if len(nz) == 1 and nz[0] < m - 1 and monom[nz[0]] == 1 and coeff == 1 and lead is None:
                lead = nz[0]
            elif all(e == 0 for e in monom[:-1]):
                rest[monom[-1]] = -coeff
            else:
                return None
        if lead is None or out[lead] is not None:
            return None
        out[lead] = rest
    if any(o is None for o in out):
        return None
    return [*out, {mon[-1]: c for mon, c in uni[0].items()}]  # type: ignore[list-item]


def _triangular_numeric(polys: list[dict], m: int, to_sympy: Any) -> list[list[Any]]:
    """Real solutions in (0, 1)^m of a zero-dimensional lex Groebner basis, at high precision."""
    import mpmath

    mp = mpmath.MPContext()
    mp.dps = _DIGITS
    terms = []
    for p in polys:
        row = []
        for monom, c in p.items():
            q = to_sympy(c)
            row.append((monom, mp.mpf(q.p) / q.q))
        terms.append(row)
    involved = [{k for monom, _ in t for k, e in enumerate(monom) if e} for t in terms]
    partial: list[dict[int, Any]] = [{}]
    eps = mp.mpf(10) ** (-(_DIGITS // 2))
    for k in reversed(range(m)):
        group = [t for t, inv in zip(terms, involved) if inv and min(inv) == k]
        new: list[dict[int, Any]] = []
        for assign in partial:
            unis = []
            for t in group:
                coeffs: dict[int, Any] = {}
                for monom, c in t:
                    v = c
                    for j in range(k + 1, m):
                        if monom[j]:
                            v *= assign[j] ** monom[j]
                    coeffs[monom[k]] = coeffs.get(monom[k], mp.mpf(0)) + v
                deg = max(coeffs)
                scale = max(abs(c) for c in coeffs.values())
                while deg > 0 and abs(coeffs.get(deg, 0)) <= eps * max(scale, 1):
                    deg -= 1
                unis.append(([coeffs.get(e, mp.mpf(0)) for e in range(deg, -1, -1)], scale))
            nontrivial = [u for u in unis if len(u[0]) > 1]
            if not nontrivial:
                raise AnalysisError("lex basis is not triangular as expected (internal error)")
            pick = min(nontrivial, key=lambda u: len(u[0]))
            try:
                roots = mp.polyroots(pick[0], maxsteps=400, extraprec=4 * _DIGITS)
            except mpmath.libmp.libhyper.NoConvergence:  # multiple roots: retry with more effort
                roots = mp.polyroots(pick[0], maxsteps=4000, extraprec=20 * _DIGITS, error=False)
            for r in roots:
                if abs(mp.im(r)) > eps * (1 + abs(r)):
                    continue
                r = mp.re(r)
                if r <= -eps or r >= 1 + eps:
                    continue
                ok = all(abs(mp.polyval(c, r)) <= eps * max(s, 1) * max(1, abs(r)) ** len(c) for c, s in unis)
                if ok and not any(
                    abs(r - a[k]) <= eps for a in new if all(a[j] == assign[j] for j in assign)
                ):
                    new.append({**assign, k: r})
        partial = new
    return [[a[k] for k in range(m)] for a in partial]


def _solve_zero_dimensional(
    G: list[Any], system: _SupportSystem
) -> list[tuple[tuple[sympy.Expr, ...] | None, list[Any]]]:
    """Real solutions of a zero-dimensional support system with every unknown in (0, 1).

    Returns ``(exact unknown values or None, values at 50 digits)`` per solution.
    """
    import mpmath
    from sympy.polys.fglmtools import matrix_fglm
    from sympy.polys.orderings import lex

    R = system.ring
    m = system.m
    to_sympy = R.domain.to_sympy
    basis = matrix_fglm(G, R, lex) if m > 1 else G
    polys = [dict(g) for g in basis]
    shape = _shape_position(polys, m)
    out: list[tuple[tuple[sympy.Expr, ...] | None, list[Any]]] = []
    if shape is None:
        return [(None, sol) for sol in _triangular_numeric(polys, m, to_sympy)]
    mp = mpmath.MPContext()
    mp.dps = _DIGITS
    last = system.unknowns[-1]
    uni = sympy.Poly.from_dict({(e,): to_sympy(c) for e, c in shape[-1].items()}, last, domain=sympy.QQ)
    for factor, _ in uni.factor_list()[1]:
        low_degree = factor.degree() <= 2
        if factor.degree() >= 2 and _coefficient_bits(factor) > _MAX_EXACT_ROOT_BITS:
            # sympy's real_roots factors integers (radicals, integer bases): hopeless for huge ones
            # (e.g. parameters like 1e-168 as exact rationals).  Roots to 50 digits instead.
            coeffs = [mp.mpf(c.p) / c.q for c in (sympy.Rational(v) for v in factor.all_coeffs())]
            found = mp.polyroots(coeffs, maxsteps=400, extraprec=4 * _DIGITS)
            eps = mp.mpf(10) ** (-(_DIGITS // 2))
            for r_mp in sorted(mp.re(z) for z in found if abs(mp.im(z)) <= eps * (1 + abs(z))):
                if 0 < r_mp < 1:
                    out.append((None, [*(_evaluate_mp(g, r_mp, to_sympy, mp) for g in shape[:-1]), r_mp]))
            continue
        exact_roots = factor.real_roots()
        if low_degree:
            numeric_roots = [
                mp.mpf(r.p) / r.q if r.is_Rational else mp.mpmathify(str(sympy.N(r, _DIGITS + 10)))
                for r in exact_roots
            ]
        else:  # CRootOf: its k-th real root in increasing order, computed by mpmath (faster than evalf)
            coeffs = [mp.mpf(c.p) / c.q for c in (sympy.Rational(v) for v in factor.all_coeffs())]
            found = mp.polyroots(coeffs, maxsteps=400, extraprec=4 * _DIGITS)
            eps = mp.mpf(10) ** (-(_DIGITS // 2))
            numeric_roots = sorted(mp.re(z) for z in found if abs(mp.im(z)) <= eps * (1 + abs(z)))
            if len(numeric_roots) != len(exact_roots):  # pragma: no cover - fall back to sympy's evalf
                numeric_roots = [mp.mpmathify(str(sympy.N(r, _DIGITS + 10))) for r in exact_roots]
        for r, r_mp in zip(exact_roots, numeric_roots):
            if not 0 < r_mp < 1:
                continue
            values_mp = []
            exact = []
            for g in shape[:-1]:
                values_mp.append(_evaluate_mp(g, r_mp, to_sympy, mp))
                expr = sympy.Add(*(to_sympy(c) * r**e for e, c in g.items()))
                exact.append(sympy.expand(expr) if low_degree else expr)
            out.append(((*exact, r), [*values_mp, r_mp]))
    return out


#: Largest coefficient size (bits of numerator or denominator) for exact real roots of degree >= 2;
#: beyond it roots are computed to 50 digits (mpmath) and the point has no closed form.
_MAX_EXACT_ROOT_BITS = 256


def _coefficient_bits(poly: sympy.Poly) -> int:
    return max(max(abs(c.p).bit_length(), c.q.bit_length()) for c in map(sympy.Rational, poly.all_coeffs()))


def _evaluate_mp(g: dict, r_mp: Any, to_sympy: Any, mp: Any) -> Any:
    """Value at ``r_mp`` of a univariate shape-basis polynomial ``g`` (exponent -> coefficient)."""
    v = mp.mpf(0)
    for e, c in g.items():
        q = to_sympy(c)
        v += (mp.mpf(q.p) / q.q) * r_mp**e
    return v


def _exact_positive(value: sympy.Expr) -> bool:
    v = sympy.N(value, 40)
    return bool(v > sympy.Float(10) ** -30)


def _components(
    system: _SupportSystem,
) -> tuple[list[tuple[dict[sympy.Symbol, sympy.Expr], tuple[sympy.Symbol, ...]]], bool]:
    """Components of a positive-dimensional support system via :func:`sympy.solve`.

    Returns ``([(solution dict, free symbols)], verified)``.
    """
    gens = system.unknowns
    eqs = [e for e in system.equations if e != 0]
    if not eqs:
        return [({}, tuple(gens))], True
    sols = sympy.solve(eqs, gens, dict=True)
    verified = True
    out = []
    for sol in sols:
        for e in eqs:
            if sympy.cancel(sympy.together(e.xreplace(sol))) != 0:
                verified = False
        free = tuple(g for g in gens if g not in sol)
        full = {g: sol.get(g, g) for g in gens}
        out.append((full, free))
    return out, verified


# --------------------------------------------------------- numeric solve
def _numeric_support(
    system: _SupportSystem, rng: np.random.Generator, n_starts: int, tol: float
) -> list[tuple[np.ndarray, bool]]:
    """Multi-start Newton for one support system: ``[(unknown values, isolated)]``."""
    from scipy.optimize import root

    gens = system.unknowns
    eqs = sympy.Matrix(system.equations)
    jac = eqs.jacobian(gens)
    f = sympy.lambdify([gens], list(eqs), modules="numpy")
    jf = sympy.lambdify([gens], jac.tolist(), modules="numpy")

    def F(v: np.ndarray) -> np.ndarray:
        return np.asarray(f(v), dtype=float).reshape(-1)

    def J(v: np.ndarray) -> np.ndarray:
        return np.asarray(jf(v), dtype=float).reshape(len(gens), len(gens))

    game = system.dyn.game
    sizes = [len(S) for S in system.support]
    found: list[tuple[np.ndarray, bool]] = []
    starts = []
    for _ in range(n_starts):
        v = []
        for k in sizes:
            if k > 1:
                v.extend(rng.dirichlet(np.ones(k))[:-1])
        starts.append(np.array(v))
    del game
    with np.errstate(all="ignore"):
        for v0 in starts:
            sol = root(F, v0, jac=J, method="hybr", options={"xtol": 1e-14})
            v = sol.x
            if not np.all(np.isfinite(v)):
                continue
            for _ in range(5):  # Newton polish
                try:
                    step = np.linalg.solve(J(v), -F(v))
                except np.linalg.LinAlgError:
                    break
                v = v + step
                if np.max(np.abs(step)) < 1e-16:
                    break
            res = F(v)
            if not np.all(np.isfinite(res)) or np.max(np.abs(res)) > 1e-11:
                continue
            shares = _shares_from_unknowns(sizes, v)
            if np.min(shares) <= tol:
                continue
            if any(np.max(np.abs(v - w)) < 1e-8 for w, _ in found):
                continue
            sv = np.linalg.svd(J(v), compute_uv=False)
            isolated = bool(sv.min() > 1e-8 * max(1.0, sv.max()))
            found.append((v, isolated))
    return found


def _shares_from_unknowns(sizes: list[int], v: np.ndarray) -> np.ndarray:
    out, pos = [], 0
    for k in sizes:
        part = v[pos : pos + k - 1]
        out.extend(part)
        out.append(1.0 - part.sum())
        pos += k - 1
    return np.array(out)


# ------------------------------------------------------------- driver
def _dynamics(game_or_dyn: Game | ReplicatorDynamics) -> ReplicatorDynamics:
    if isinstance(game_or_dyn, ReplicatorDynamics):
        return game_or_dyn
    if isinstance(game_or_dyn, Game):
        return game_or_dyn.replicator()
    raise TypeError(f"expected a Game or ReplicatorDynamics, got {type(game_or_dyn).__name__}")


def rest_points(
    game_or_dyn: Game | ReplicatorDynamics,
    params: Mapping[str, Any] | None = None,
    *,
    tol: float = 1e-10,
    method: str = "auto",
    max_exact_solutions: int = 12,
    n_starts: int = 64,
    seed: int = 0,
) -> RestPoints:
    """Every rest point of the replicator dynamics at one parameter set.

    Solves, for every support pattern, the equal-payoff conditions (see the
    module docstring for the method and its guarantees).

    Parameters
    ----------
    game_or_dyn
        The game or its replicator dynamics.
    params
        Scalar parameter values (the game's defaults fill the rest).
    tol
        Numeric solutions are accepted only with every support share above
        ``tol`` (smaller ones belong to a smaller face, which is solved on its own).
    method
        ``"auto"``: exact where the support's Bezout bound is at most
        ``max_exact_solutions``, numeric otherwise; ``"exact"``: exact everywhere
        (may be very slow for large games); ``"numeric"``: multi-start Newton
        for every non-vertex support (for testing and very large games).
    max_exact_solutions
        Largest Bezout bound solved exactly by ``"auto"``.
    n_starts, seed
        Random starts per support for the numeric search, and their seed.

    Returns
    -------
    RestPoints
        Iterable over the isolated :class:`RestPoint` objects; continua in
        ``.continua``; ``.complete`` says whether the enumeration is certified.

    Raises
    ------
    ParameterError
        On missing, unknown or non-finite parameters, or array-valued ones.
    """
    dyn = _dynamics(game_or_dyn)
    if method not in ("auto", "exact", "numeric"):
        raise AnalysisError(f"unknown method {method!r}; use 'auto', 'exact' or 'numeric'")
    if not (isinstance(tol, (int, float)) and 0 < tol < 1e-2):
        raise AnalysisError(f"tol must be a small positive number, got {tol!r}")
    exact_params = exact_parameter_values(dyn, params)
    key = (
        id(dyn),
        dyn.game.fingerprint,
        tuple(exact_params.items()),
        tol,
        method,
        max_exact_solutions,
        n_starts,
        seed,
    )
    cached = _CACHE.get(key)
    if cached is not None:
        return cached
    result = _rest_points(dyn, exact_params, tol, method, max_exact_solutions, n_starts, seed)
    if len(_CACHE) >= _CACHE_SIZE:
        _CACHE.pop(next(iter(_CACHE)))
    _CACHE[key] = result
    return result


def _rest_points(
    dyn: ReplicatorDynamics,
    exact_params: dict[str, sympy.Rational],
    tol: float,
    method: str,
    max_exact_solutions: int,
    n_starts: int,
    seed: int,
) -> RestPoints:
    game = dyn.game
    payoffs, notes = _exact_payoffs(game, exact_params)
    pvec = np.array([float(v) for v in exact_params.values()], dtype=float)
    rhs = dyn.compiled("rhs")
    rng = np.random.default_rng(seed)
    d = dyn.dimension
    points: list[RestPoint] = []
    continua: list[RestPointSet] = []
    complete = True
    numeric_supports = 0

    def residual(x: np.ndarray) -> float:
        return float(np.max(np.abs(rhs(x[:, None], pvec[:, None])[:, 0]))) if d else 0.0

    for support in support_patterns(game):
        names = _support_names(game, support)
        system = _SupportSystem(dyn, payoffs, support)
        if system.m == 0:
            x = np.array([float(v) for v in system.reduced])
            profile = tuple(S[0] for S in names)
            exact = tuple(sympy.Integer(int(v)) for v in system.reduced)
            digits = tuple(str(int(v)) for v in system.reduced)
            points.append(RestPoint(x, names, exact, profile, True, residual(x), digits))
            continue
        gens = system.unknowns
        eqs = system.equations
        if any(e.is_number and e != 0 for e in eqs):
            continue  # a payoff difference that is a nonzero constant on this face: no rest point
        bound = bezout_bound([len(S) for S in support])
        use_exact = method == "exact" or (method == "auto" and bound <= max_exact_solutions)
        if not use_exact:
            numeric_supports += 1
            complete = False
            singular = []
            for v, isolated in _numeric_support(system, rng, n_starts, tol):
                values = dict(zip(gens, v.tolist()))
                x = np.array([float(sympy.sympify(e).xreplace(values)) for e in system.reduced])
                if isolated:
                    points.append(RestPoint(x, names, None, None, False, residual(x)))
                else:
                    singular.append((x, v))
            if singular:
                continua.append(_numeric_continuum(dyn, names, system, singular))
                notes.append(
                    f"support {names}: numeric solutions with a singular Jacobian, reported as a "
                    "(numeric, uncertified) continuum of rest points"
                )
            continue
        nonzero = [q for q in system.polys if q]
        if nonzero:
            from sympy.polys.groebnertools import groebner as _groebner

            G = _groebner(nonzero, system.ring)
            if len(G) == 1 and G[0].is_ground:
                continue  # the basis is [1]: no complex solution at all
            zero_dim = _is_zero_dimensional(G, system.m)
        else:
            zero_dim = False
        positivity = system.positivity()
        if zero_dim:
            for exact_vals, values_mp in _solve_zero_dimensional(G, system):
                if not all(v > _POSITIVE for v in system.support_shares(values_mp)):
                    continue
                reduced_mp = system.reduced_values(values_mp)
                x = np.array([float(v) for v in reduced_mp])
                digits = tuple(mpmath.nstr(v, _DIGITS) for v in reduced_mp)
                exact = None
                if exact_vals is not None:
                    exact = tuple(sympy.sympify(v) for v in system.reduced_values(list(exact_vals)))
                points.append(RestPoint(x, names, exact, None, True, residual(x), digits))
            continue
        comps, verified = _components(system)
        if not verified:
            complete = False
            notes.append(f"support {names}: sympy.solve returned a solution that did not verify")
        for full, free in comps:
            exprs = [sympy.cancel(e.xreplace(full)) for e in positivity]
            reduced = tuple(sympy.cancel(e.xreplace(full)) for e in system.reduced)
            if not free:
                if all(_exact_positive(e) for e in exprs):
                    digits = tuple(str(sympy.N(e, _DIGITS)) for e in reduced)
                    x = np.array([float(v) for v in digits])
                    points.append(RestPoint(x, names, reduced, None, True, residual(x), digits))
                continue
            cset = _continuum(dyn, names, system, free, exprs, reduced, rng)
            if cset is None:
                continue
            if not cset.certified:
                complete = False
                notes.append(
                    f"support {names}: a {len(free)}-dimensional solution set whose range in the face was "
                    "explored by sampling only"
                )
            if cset.samples.shape[0] == 0:
                notes.append(
                    f"support {names}: a {len(free)}-dimensional solution set; no point of it inside the "
                    "face was found by sampling (not a proof that there is none)"
                )
                continue
            continua.append(cset)
    method_text = {
        "auto": f"exact (Groebner bases over Q) where the Bezout bound is <= {max_exact_solutions}, "
        "multi-start Newton otherwise",
        "exact": "exact (Groebner bases over Q) for every support",
        "numeric": "multi-start Newton for every non-vertex support (not certified)",
    }[method]
    if numeric_supports:
        notes.append(
            f"{numeric_supports} support system(s) were solved numerically ({n_starts} seeded starts each): "
            "the enumeration is not certified complete"
        )
    points.sort(key=lambda p: (p.face_dimension,))
    return RestPoints(
        points=tuple(points),
        continua=tuple(continua),
        complete=complete,
        params=dict(zip(game.parameter_names, map(float, pvec))),
        exact_parameters=dict(exact_params),
        method=method_text,
        notes=tuple(notes),
    )


def _continuum(
    dyn: ReplicatorDynamics,
    names: Support,
    system: _SupportSystem,
    free: tuple[sympy.Symbol, ...],
    positive: list[sympy.Expr],
    reduced: tuple[sympy.Expr, ...],
    rng: np.random.Generator,
) -> RestPointSet | None:
    """The part of one parametrised solution component inside the open face, or ``None`` if empty."""
    conditions = [e for e in positive if not (e.is_number and e > 0)]
    if any(e.is_number and not e > 0 for e in conditions):
        return None
    by_symbol: dict[sympy.Symbol, list[sympy.Expr]] = {s: [] for s in free}
    product_form = True
    for e in conditions:
        syms = e.free_symbols & set(free)
        if len(syms) != 1:
            product_form = False
            break
        by_symbol[next(iter(syms))].append(e)
    region: tuple[sympy.Set, ...] | None = None
    if product_form:
        sets = []
        for s in free:
            r: sympy.Set = sympy.Interval.open(0, 1)
            for e in by_symbol[s]:
                r = r.intersect(_positive_set(e, s))
            if r.is_empty:
                return None
            sets.append(r)
        region = tuple(sets)
    samples = _sample_region(free, region, conditions, reduced, rng)
    return RestPointSet(
        support=names,
        dimension=len(free),
        equations=tuple(system.equations),
        states=dyn.states,
        strategies=tuple(p.strategies for p in dyn.game.populations),
        free=free,
        parametrization=reduced,
        region=region,
        samples=samples,
        certified=region is not None,
    )


def _numeric_continuum(
    dyn: ReplicatorDynamics,
    names: Support,
    system: _SupportSystem,
    found: list[tuple[np.ndarray, np.ndarray]],
) -> RestPointSet:
    """A continuum known only through numeric solutions with a singular Jacobian."""
    gens = system.unknowns
    jac = sympy.lambdify([gens], sympy.Matrix(system.equations).jacobian(gens).tolist(), modules="numpy")
    nullity = 0
    for _, v in found:
        sv = np.linalg.svd(np.asarray(jac(v), dtype=float).reshape(len(gens), len(gens)), compute_uv=False)
        nullity = max(nullity, int(np.sum(sv <= 1e-8 * max(1.0, sv.max()))))
    return RestPointSet(
        support=names,
        dimension=max(nullity, 1),
        equations=tuple(system.equations),
        states=dyn.states,
        strategies=tuple(p.strategies for p in dyn.game.populations),
        free=(),
        parametrization=None,
        region=None,
        samples=np.stack([x for x, _ in found[:9]]),
        certified=False,
    )


def _positive_set(expr: sympy.Expr, s: sympy.Symbol) -> sympy.Set:
    """The exact set ``{s in (0, 1) : expr(s) > 0}`` for a rational function ``expr`` of ``s``.

    The real roots of numerator and denominator in (0, 1) cut the interval into
    pieces on which the sign is constant; it is read exactly at a rational point of each.
    """
    num, den = sympy.fraction(sympy.cancel(sympy.together(expr)))
    cuts: list[sympy.Expr] = []
    for q in (num, den):
        poly = sympy.Poly(q, s)
        if poly.degree() > 0:
            for r in poly.sqf_part().real_roots():
                if 0 < r < 1 and all(r != c for c in cuts):
                    cuts.append(r)
    cuts.sort(key=lambda r: sympy.N(r, 30))
    edges: list[sympy.Expr] = [sympy.Integer(0), *cuts, sympy.Integer(1)]
    pieces = []
    for a, b in zip(edges, edges[1:]):
        mid = sympy.Rational(str(sympy.N((a + b) / 2, 30)))
        if bool(expr.xreplace({s: mid}) > 0):
            pieces.append(sympy.Interval.open(a, b))
    return sympy.Union(*pieces) if pieces else sympy.S.EmptySet


def _interval_points(s: sympy.Set) -> list[float]:
    parts = s.args if isinstance(s, sympy.Union) else (s,)
    pts = []
    for part in parts:
        if isinstance(part, sympy.Interval):
            lo, hi = float(part.start), float(part.end)
            pts.extend(lo + (hi - lo) * q for q in (0.25, 0.5, 0.75))
    return pts


def _sample_region(
    free: tuple[sympy.Symbol, ...],
    region: tuple[sympy.Set, ...] | None,
    conditions: list[sympy.Expr],
    reduced: tuple[sympy.Expr, ...],
    rng: np.random.Generator,
) -> np.ndarray:
    f = sympy.lambdify([free], list(reduced), modules="numpy")
    if region is not None:
        grids = [_interval_points(r) for r in region]
        combos = list(itertools.product(*grids))[:27]
        candidates = [np.array(c, dtype=float) for c in combos]
    else:
        candidates = list(rng.uniform(0, 1, size=(2000, len(free))))
    cond = sympy.lambdify([free], conditions, modules="numpy") if conditions else None
    out = []
    with np.errstate(all="ignore"):
        for c in candidates:
            if cond is not None and region is None:
                vals = np.asarray(cond(c), dtype=float)
                if not np.all(vals > 0):
                    continue
            x = np.asarray(f(c), dtype=float).reshape(-1)
            if np.all(np.isfinite(x)):
                out.append(x)
            if len(out) >= 9:
                break
    return np.array(out, dtype=float).reshape(-1, len(reduced))
