r"""Exact bifurcation values of polynomial systems (used by :mod:`~gametheory.analysis.continuation`).

A numerically located bifurcation :math:`(x^*, p^*)` of :math:`\dot x = F(x; p)`
solves :math:`F = 0` together with a condition: :math:`\det F_x = 0` for a fold or
a branch point, :math:`\prod_{i<j}(\lambda_i + \lambda_j) = 0` for a Hopf point
(:math:`\operatorname{tr} F_x` in the plane, :math:`e_1 e_2 - e_3` of the characteristic
polynomial's elementary symmetric functions in three dimensions).  When every right-hand side is polynomial (rational) in the states and
:math:`p` (the other parameters exact rationals), each equation is factored and
only the factor vanishing at the point is kept (so a replicator corner, where
:math:`F_i = x_i(1 - x_i)\Delta_i`, contributes :math:`x_i = 0` or :math:`1 - x_i = 0`
and the condition reduces to a vertex eigenvalue, a payoff difference, vanishing).
The states are eliminated with a lexicographic Groebner basis; the polynomial in
:math:`p` left over is factored and the real root of a factor nearest :math:`p^*`
is the exact value (radicals up to degree 2, else a :class:`sympy.CRootOf`),
accepted only when it agrees with :math:`p^*` to :math:`10^{-8}`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy

__all__ = ["exact_value"]

#: Largest number of unknowns eliminated (states left after the linear factors, plus p).
MAX_UNKNOWNS = 4
#: Agreement required between the exact and the numerical value.
AGREEMENT = 1e-8


def _vanishing_factor(expr: sympy.Expr, at: dict[sympy.Symbol, float]) -> sympy.Expr | None:
    num = sympy.numer(sympy.together(expr))
    if num == 0:
        return None
    vanishing = []
    for fac, _ in sympy.factor_list(num)[1]:
        if not fac.free_symbols:
            continue
        v = abs(complex(fac.evalf(30, subs=at)))
        if v < 1e-6:
            # a face (x = 0, 1 - x = 0) first: at a branch point on a face the payoff factor vanishes too
            face = len(fac.free_symbols) == 1 and sympy.degree(fac, *fac.free_symbols) == 1
            vanishing.append((not face, v, fac))
    return min(vanishing, key=lambda t: t[:2])[2] if vanishing else None


def exact_value(dyn: Any, index: int, pvec: np.ndarray, bif: Any) -> sympy.Expr | None:
    """The bifurcation's parameter value as an exact algebraic number, or ``None``.

    ``pvec`` holds the other parameters' values (made exact rationals as typed,
    ``0.1`` is ``1/10``), ``bif`` a :class:`~gametheory.analysis.continuation.Bifurcation`.

    Examples
    --------
    >>> from gametheory.models import classic
    >>> from gametheory.analysis.continuation import continuation
    >>> res = continuation(classic.hawk_dove(), "C", {"V": 2.0}, span=(1.0, 3.0), exact=False)
    >>> dyn = classic.hawk_dove().replicator()
    >>> exact_value(dyn, 1, dyn.parameter_vector({"V": 2.0}), res.bifurcations[0])
    2
    """
    p = dyn.parameters[index]
    states = list(dyn.states)
    subs = {
        s: sympy.nsimplify(repr(float(v)), rational=True)
        for i, (s, v) in enumerate(zip(dyn.parameters, pvec))
        if i != index
    }
    try:
        F = [sympy.sympify(e).xreplace(subs) for e in dyn.equations]
        if not all(e.is_rational_function(*states, p) for e in F):
            return None
        if bif.kind == "hopf":
            J = sympy.Matrix(dyn.jacobian()).xreplace(subs)
            if len(states) == 2:  # lambda_1 + lambda_2
                cond = J.trace()
            elif len(states) == 3:  # prod_{i<j} (lambda_i + lambda_j) = e1 e2 - e3
                e2 = sum(J.extract([i, j], [i, j]).det() for i in range(3) for j in range(i + 1, 3))
                cond = J.trace() * e2 - J.det()
            else:
                return None
        else:
            cond = sympy.Matrix(dyn.jacobian()).xreplace(subs).det()
        at = {s: float(v) for s, v in zip(states, bif.state)} | {p: float(bif.parameter)}
        eqs = [_vanishing_factor(e, at) for e in F]
        if any(e is None for e in eqs):
            return None
        # solve linear factors in one state (corners, faces) at once
        fixed: dict[sympy.Symbol, sympy.Expr] = {}
        rest = []
        for e in eqs:
            e = sympy.expand(e.xreplace(fixed))
            syms = e.free_symbols
            lin = [
                s for s in syms if s in states and s not in fixed and sympy.degree(e, s) == 1 and syms == {s}
            ]
            if lin:
                fixed[lin[0]] = sympy.solve(e, lin[0])[0]
            elif e != 0:
                rest.append(e)
        rest = [sympy.expand(e.xreplace(fixed)) for e in rest]
        cond_f = _vanishing_factor(sympy.together(cond.xreplace(fixed)), at)
        if cond_f is None:
            return None
        unknowns = [s for s in states if s not in fixed]
        if len(unknowns) + 1 > MAX_UNKNOWNS:
            return None
        system = [e for e in [*rest, cond_f] if e != 0]
        if unknowns:
            basis = sympy.groebner(system, *unknowns, p, order="lex")
            univariate = [g for g in basis.exprs if g.free_symbols <= {p} and g.free_symbols]
        else:
            univariate = [g for g in system if g.free_symbols == {p}]
        if not univariate:
            return None
        return _nearest_root(univariate[0], p, float(bif.parameter))
    except (sympy.PolificationFailed, NotImplementedError, ValueError, TypeError, ZeroDivisionError):
        return None


def _nearest_root(poly: sympy.Expr, p: sympy.Symbol, target: float) -> sympy.Expr | None:
    best, dist = None, np.inf
    for fac, _ in sympy.factor_list(poly, p)[1]:
        P = sympy.Poly(fac, p)
        if P.degree() < 1:
            continue
        roots = sympy.solve(fac, p) if P.degree() <= 2 else [sympy.CRootOf(P, i) for i in range(P.degree())]
        for r in roots:
            v = complex(sympy.N(r, 30))
            if abs(v.imag) < 1e-12 and abs(v.real - target) < dist:
                best, dist = sympy.nsimplify(r) if P.degree() == 1 else r, abs(v.real - target)
    return best if dist <= AGREEMENT * max(1.0, abs(target)) else None
