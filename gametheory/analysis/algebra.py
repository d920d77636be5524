"""Exact and high-precision solving of support systems (Groebner bases, triangular solving, roots)."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import mpmath
import numpy as np
import sympy

from ..codegen import compile_expressions
from ..dynamics.base import Dynamics
from ..errors import AnalysisError
from ..game import Game
from .restpoints import Support
from .shortcuts import enabled, precision_context

__all__ = ["support_patterns", "bezout_bound"]

_DIGITS = 50  # working precision (significant digits) of high-precision root finding
_POSITIVE = 1e-30  # a share computed at 50 digits counts as positive above this


def support_patterns(game: Game) -> tuple[tuple[tuple[int, ...], ...], ...]:
    """All support patterns: per population a non-empty tuple of strategy indices.

    Ordered by face dimension :math:`\\sum_i (|S_i| - 1)` (vertices first), then
    lexicographically.  There are :math:`\\prod_i (2^{k_i} - 1)` of them.

    Examples
    --------
    >>> from gametheory.models import classic
    >>> patterns = support_patterns(classic.matching_pennies_3())
    >>> len(patterns), patterns[0], patterns[-1]
    (27, ((0,), (0,), (0,)), ((0, 1), (0, 1), (0, 1)))
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

    Examples
    --------
    >>> bezout_bound([2, 2, 2]), bezout_bound([3, 3, 3]), bezout_bound([1, 2])
    (2, 10, 0)
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


# ------------------------------------------------------- support systems
class _SupportSystem:
    """The polynomial system of one support (see module docstring).

    ``polys`` are elements of a sympy ``PolyRing`` over QQ in the unknowns
    (grevlex order); ``equations`` the same as expressions.
    """

    def __init__(self, dyn: Dynamics, payoffs: list[np.ndarray], support: tuple[tuple[int, ...], ...]):
        from sympy.polys.rings import ring

        from .shortcuts import grevlex_order

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
        R, *gens = ring(self.unknowns, sympy.QQ, grevlex_order())
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

    mp = precision_context(_DIGITS)
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
    mp = precision_context(_DIGITS)
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
        if factor.degree() == 1:  # the rational root, as real_roots() gives it, without its root isolation
            c1, c0 = factor.all_coeffs()
            exact_roots = [sympy.Rational(-c0, c1)]
        else:
            exact_roots = factor.real_roots()
        if low_degree:
            numeric_roots = [
                mp.mpf(r.p) / r.q if r.is_Rational else mp.mpmathify(str(sympy.N(r, _DIGITS + 10)))
                for r in exact_roots
            ]
        else:  # CRootOf: its k-th real root in increasing order, computed by mpmath (faster than evalf)
            coeffs = [mp.mpf(c.p) / c.q for c in (sympy.Rational(v) for v in factor.all_coeffs())]
            numeric_roots = _polished_real_roots(coeffs, len(exact_roots), mp) if enabled() else None
            if numeric_roots is None:
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


def _polished_real_roots(coeffs: list[Any], count: int, mp: Any) -> list[Any] | None:
    """The ``count`` real roots of a squarefree polynomial, increasing, at ``mp``'s precision, or ``None``.

    Double-precision roots (:func:`numpy.roots`) polished by Newton's method at full precision.
    Accepted only when exactly ``count`` (the number of real roots, known exactly) distinct real
    roots come out, each converged; otherwise ``None`` and the caller uses :func:`mpmath.polyroots`.
    Much faster than ``polyroots`` at 50 digits with 200 extra bits, and as accurate.
    """
    with np.errstate(all="ignore"):
        approx = np.roots([float(c) for c in coeffs])
    real = sorted(z.real for z in approx if abs(z.imag) <= 1e-7 * (1 + abs(z)))
    if len(real) != count or not all(np.isfinite(real)):
        return None
    deriv = [c * (len(coeffs) - 1 - k) for k, c in enumerate(coeffs[:-1])]
    tol = mp.mpf(10) ** (-(mp.dps - 5))
    out = []
    for r0 in real:
        r = mp.mpf(r0)
        for _ in range(30):
            step = mp.polyval(coeffs, r) / mp.polyval(deriv, r) if mp.polyval(deriv, r) else None
            if step is None:
                return None
            r -= step
            if abs(step) <= tol * (1 + abs(r)):
                break
        else:
            return None
        out.append(r)
    gap = mp.mpf(10) ** (-(mp.dps // 2))
    if any(b - a <= gap * (1 + abs(a)) for a, b in zip(out, out[1:])):
        return None  # two starts converged to one root: let polyroots decide
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
    from .shortcuts import enabled

    if enabled() and system.ring is not None and len(system.polys) == len(gens):
        # the same derivatives, taken on the ring's polynomials (sympy's Matrix.jacobian is slow)
        to_expr = system.ring.to_sympy if hasattr(system.ring, "to_sympy") else (lambda q: q.as_expr())
        ring_gens = system.ring.gens
        jac = sympy.Matrix([[to_expr(q.diff(g)) for g in ring_gens] for q in system.polys])
    else:
        jac = eqs.jacobian(gens)
    f = _numeric_function("support_equations", list(eqs), gens)
    jf = _numeric_function("support_jacobian", jac, gens)

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


def _numeric_function(name: str, exprs: Any, symbols: Sequence[sympy.Symbol]) -> Any:
    """``v -> array`` evaluating ``exprs`` (a list or a matrix) at values of ``symbols``, through :mod:`codegen`.

    ``v`` has shape ``(len(symbols),)`` or ``(len(symbols), n)``; the result has the
    shape of ``exprs`` (then ``n``).
    """
    fn = compile_expressions(name, exprs, list(symbols), [], "array")
    no_parameters = np.zeros(0)
    return lambda v: fn(np.asarray(v, dtype=float), no_parameters)


def _shares_from_unknowns(sizes: list[int], v: np.ndarray) -> np.ndarray:
    out, pos = [], 0
    for k in sizes:
        part = v[pos : pos + k - 1]
        out.extend(part)
        out.append(1.0 - part.sum())
        pos += k - 1
    return np.array(out)
