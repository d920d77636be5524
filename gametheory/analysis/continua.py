"""Continua (positive-dimensional sets) of rest points inside one face."""

from __future__ import annotations

import itertools

import numpy as np
import sympy

from ..dynamics.base import Dynamics
from .algebra import _numeric_function, _SupportSystem
from .restpoints import RestPointSet, Support


def _continuum(
    dyn: Dynamics,
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
    dyn: Dynamics,
    names: Support,
    system: _SupportSystem,
    found: list[tuple[np.ndarray, np.ndarray]],
) -> RestPointSet:
    """A continuum known only through numeric solutions with a singular Jacobian."""
    gens = system.unknowns
    jac = _numeric_function("support_jacobian", sympy.Matrix(system.equations).jacobian(gens), gens)
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
    f = _numeric_function("continuum_state", list(reduced), free)
    if region is not None:
        grids = [_interval_points(r) for r in region]
        combos = list(itertools.product(*grids))[:27]
        candidates = [np.array(c, dtype=float) for c in combos]
    else:
        candidates = list(rng.uniform(0, 1, size=(2000, len(free))))
    cond = _numeric_function("continuum_conditions", list(conditions), free) if conditions else None
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
