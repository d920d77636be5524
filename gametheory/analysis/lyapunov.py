r"""Certified trapping ellipsoids at hyperbolic sinks of any smooth dynamics.

The trapping boxes of :mod:`gametheory.analysis.certify` rest on replicator theorems
(payoff advantages are the per-capita growth differences).  For any other dynamics
:math:`\dot x = F(x)` (logit, replicator-mutator, a one-population replicator with an
interior ESS, a system typed in from its equations...) a sink :math:`x^*` is certified here by a
quadratic Lyapunov function and interval bounds on the exact second derivative of :math:`F`.

Certificate
-----------
Let :math:`J = DF(x^*)` (all eigenvalues with negative real part), :math:`P` the solution of
the Lyapunov equation :math:`J^\top P + P J = -I` (``scipy.linalg.solve_continuous_lyapunov``),
:math:`Q = -(J^\top P + P J)` as computed (the identity up to rounding; :math:`q = \lambda_{\min}(Q)`
is used), :math:`F_0 = F(x^*)` (the residual of the numerically found rest point) and
:math:`V(x) = (x - x^*)^\top P (x - x^*)`.  For a radius :math:`\rho` let
:math:`C_\rho = [x^* - \rho, x^* + \rho]^d` and

.. math::  M_\rho = \Big(\sum_{k,i,j} \sup_{C_\rho} |\partial_i\partial_j F_k|^2\Big)^{1/2},

the supremum bounded by interval arithmetic (:mod:`mpmath` ``iv``) on the exact symbolic
second derivatives.  :math:`M_\rho` bounds the bilinear norm of :math:`D^2F` on the ball
:math:`|x - x^*| \le \rho`, so there :math:`\|DF(x) - J\|_2 \le M_\rho |x - x^*|` and the Taylor
remainder :math:`R = F(x) - F_0 - J(x - x^*)` obeys :math:`|R| \le \tfrac12 M_\rho |x - x^*|^2`.
The ellipsoid :math:`E = \{V \le c\}`, :math:`c = \lambda_{\min}(P)\rho^2`, lies in that ball,
and its boundary has :math:`|x - x^*| \ge r = \rho\sqrt{\lambda_{\min}(P)/\lambda_{\max}(P)}`.
The certificate holds when

1. :math:`2\|P\| M_\rho \rho \le q/2`: on the ball,
   :math:`P\,DF(x) + DF(x)^\top P \preceq -(q/2) I`, so the flow contracts the
   :math:`P`-norm on the convex set :math:`E`;
2. :math:`2\|P\|\,|F_0| / r \le q/4`: then on :math:`\partial E`,
   :math:`\dot V = 2(x - x^*)^\top P F(x) \le -q|e|^2 + 2\|P\||F_0||e| + \|P\| M_\rho |e|^3 < 0`,
   so :math:`E` (and its intersection with the state space) is forward invariant.

A forward-invariant compact convex set on which the flow contracts holds exactly one rest
point, and every trajectory entering it converges to that rest point exponentially.  The
largest :math:`\rho = 2^{-k}\rho_0` passing both tests is used; an end state certifies the sink
when :math:`V \le c/4` (margin against integration error).  The interval bounds are rigorous;
:math:`J`, :math:`P`, :math:`Q` and :math:`F_0` are double-precision evaluations (their rounding,
~1e-16 relative, is far inside the margins :math:`q/2` and :math:`q/4`).

No certificate is given (``reason`` says why) when :math:`J` is not Hurwitz, when the field
has a kink in :math:`C_\rho` for every tried :math:`\rho` (BNN, Smith: a :math:`[u]_+` term whose
argument vanishes at the rest point, where the Jacobian is not defined; the second derivative
holds a ``DiracDelta`` whose argument interval contains 0), or when an expression cannot be
bounded on the cube (a logarithm of an interval reaching 0, a ``Piecewise``...).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import sympy

if TYPE_CHECKING:
    from ..dynamics.base import Dynamics

__all__ = ["SinkCertificate", "certify_sink"]


class _Unbounded(Exception):
    """An expression cannot be bounded on the cube (the message says which part)."""


class _Unsupported(_Unbounded):
    """A function the interval evaluation does not know: no smaller cube helps."""


@dataclass(frozen=True)
class SinkCertificate:
    """A certified trapping ellipsoid :math:`\\{(x - x^*)^\\top P (x - x^*) \\le c\\}` at a sink (or why none).

    Attributes
    ----------
    point : ndarray, shape (d,)
    certified : bool
    P : ndarray, shape (d, d) or None
    level : float
        :math:`c` (0 when not certified).
    radius : float
        :math:`\\rho`, the ball radius of the bound (0 when not certified).
    bound : float
        :math:`M_\\rho`, the interval bound of the second derivative on the cube.
    reason : str
        What was proved, or why nothing was.

    Examples
    --------
    >>> import gametheory as gt
    >>> from gametheory.models import classic
    >>> dyn = classic.hawk_dove().replicator()
    >>> cert = certify_sink(dyn, [2 / 3], dyn.parameter_vector())
    >>> cert.certified, round(cert.radius, 4) > 0
    (True, True)
    >>> bool(cert.contains([[2 / 3 + 0.1 * cert.radius]])[0])
    True
    """

    point: np.ndarray
    certified: bool
    P: np.ndarray | None
    level: float
    radius: float
    bound: float
    reason: str

    def value(self, X: Any) -> np.ndarray:
        """:math:`V(x) = (x - x^*)^\\top P (x - x^*)` for each row of ``X``."""
        E = np.atleast_2d(np.asarray(X, dtype=float)) - self.point
        if self.P is None:
            return np.full(E.shape[0], np.inf)
        return np.einsum("ni,ij,nj->n", E, self.P, E)

    def contains(self, X: Any) -> np.ndarray:
        """Whether each row of ``X`` lies in the certified region :math:`V \\le c/4` (False when not certified)."""
        if not self.certified:
            return np.zeros(np.atleast_2d(X).shape[0], dtype=bool)
        with np.errstate(invalid="ignore"):
            return self.value(X) <= 0.25 * self.level


# ============================================================ interval bounds
def _iv() -> Any:
    from mpmath import iv

    return iv


def _interval(expr: sympy.Expr, env: dict[sympy.Symbol, Any]) -> Any:
    """An interval containing ``expr`` over the box ``env`` (symbol -> interval); raises _Unbounded."""
    iv = _iv()
    if expr.is_Symbol:
        return env[expr]
    if expr.is_Integer or expr.is_Float:
        return iv.mpf(str(expr)) if expr.is_Float else iv.mpf(int(expr))
    if expr.is_Rational:
        return iv.mpf(int(expr.p)) / int(expr.q)
    if expr.is_NumberSymbol:
        return iv.mpf([float(expr.evalf(20)) - 1e-15, float(expr.evalf(20)) + 1e-15])
    args = [_interval(a, env) for a in expr.args] if not isinstance(expr, sympy.Pow) else None
    if isinstance(expr, sympy.Add):
        return functools.reduce(lambda a, b: a + b, args)
    if isinstance(expr, sympy.Mul):
        return functools.reduce(lambda a, b: a * b, args)
    if isinstance(expr, sympy.Pow):
        base = _interval(expr.base, env)
        if expr.exp.is_Integer:
            n = int(expr.exp)
            if n < 0 and base.a <= 0 <= base.b:
                raise _Unbounded(f"division by an interval containing 0 in {expr}")
            return base**n
        if base.a <= 0:
            raise _Unbounded(f"non-integer power of an interval reaching 0 in {expr}")
        return iv.exp(_interval(expr.exp, env) * iv.log(base))
    if isinstance(expr, sympy.exp):
        return iv.exp(args[0])
    if isinstance(expr, (sympy.sin, sympy.cos)):
        return (iv.sin if isinstance(expr, sympy.sin) else iv.cos)(args[0])
    if isinstance(expr, sympy.tanh):  # increasing: tanh(u) = 1 - 2 / (exp(2u) + 1) at both ends
        lo, hi = (1 - 2 / (iv.exp(2 * iv.mpf(v)) + 1) for v in (args[0].a, args[0].b))
        return iv.mpf([lo.a, hi.b])
    if isinstance(expr, sympy.log):
        if args[0].a <= 0:
            raise _Unbounded(f"logarithm of an interval reaching 0 in {expr}")
        return iv.log(args[0])
    if isinstance(expr, (sympy.Max, sympy.Min)):
        pick = max if isinstance(expr, sympy.Max) else min
        return iv.mpf([pick(a.a for a in args), pick(a.b for a in args)])
    if isinstance(expr, sympy.Heaviside):
        u = args[0]
        if u.a > 0:
            return iv.mpf(1)
        if u.b < 0:
            return iv.mpf(0)
        return iv.mpf([0, 1])
    if isinstance(expr, sympy.DiracDelta):
        u = args[0]
        if u.a > 0 or u.b < 0:
            return iv.mpf(0)
        raise _Unbounded(f"a kink of the field (the argument of a positive part, {expr.args[0]}, vanishes)")
    if isinstance(expr, sympy.Abs):
        u = args[0]
        lo = 0 if u.a <= 0 <= u.b else min(abs(u.a), abs(u.b))
        return iv.mpf([lo, max(abs(u.a), abs(u.b))])
    raise _Unsupported(f"no interval bound for {type(expr).__name__}")


def _second_derivatives(dyn: Dynamics) -> tuple[sympy.Expr, ...]:
    """All :math:`\\partial_i\\partial_j F_k` (exact, cached on the dynamics object)."""
    cache = dyn.__dict__.setdefault("_general_hessians", {})
    if "h" not in cache:
        J = dyn.jacobian()
        xs = dyn.states
        cache["h"] = tuple(
            sympy.diff(J[k, i], xs[j])
            for k in range(J.shape[0])
            for i in range(len(xs))
            for j in range(i, len(xs))
        )
        cache["w"] = tuple(
            1.0 if i == j else 2.0
            for k in range(J.shape[0])
            for i in range(len(xs))
            for j in range(i, len(xs))
        )
    return cache["h"], cache["w"]


def _hessian_bound(dyn: Dynamics, centre: np.ndarray, rho: float, p: np.ndarray) -> float:
    """:math:`M_\\rho`: interval bound of the second derivatives on the cube of half-width ``rho``."""
    iv = _iv()
    hs, weights = _second_derivatives(dyn)
    env = {s: iv.mpf([float(c) - rho, float(c) + rho]) for s, c in zip(dyn.states, centre)}
    env |= {sym: iv.mpf(float(v)) for sym, v in zip(dyn.parameters, p)}  # exact point intervals
    total = 0.0
    for h, w in zip(hs, weights):
        if h == 0:
            continue
        value = _interval(h, env)
        big = max(abs(float(value.a)), abs(float(value.b)))
        if not np.isfinite(big):
            raise _Unbounded(f"an unbounded second derivative ({h})")
        total += w * big * big
    return float(np.sqrt(total)) * (1 + 1e-12)


# ============================================================ the certificate
def certify_sink(
    dyn: Dynamics, point: Any, p: np.ndarray, *, rho0: float = 0.5, halvings: int = 40
) -> SinkCertificate:
    """A certified trapping ellipsoid around the rest point ``point`` (see the module docstring).

    Parameters
    ----------
    dyn
        Any dynamics (its equations are differentiated exactly).
    point
        A (numerically found) rest point, reduced state.
    p
        The parameter vector (``dyn.parameter_vector(params)``).
    rho0, halvings
        The first radius tried and the number of halvings.

    Returns
    -------
    SinkCertificate

    Examples
    --------
    >>> from gametheory.models import classic
    >>> dyn = classic.rock_paper_scissors().replicator()
    >>> certify_sink(dyn, [1 / 3, 1 / 3], dyn.parameter_vector()).certified
    True
    """
    from scipy.linalg import solve_continuous_lyapunov

    x = np.asarray(point, dtype=float).reshape(-1)
    p = np.asarray(p, dtype=float)
    J = np.asarray(dyn.compiled("jac")(x[:, None], p[:, None]), dtype=float).reshape(len(x), len(x))
    F0 = np.asarray(dyn.compiled("rhs")(x[:, None], p[:, None]), dtype=float).reshape(-1)

    def none(reason: str, bound: float = float("nan")) -> SinkCertificate:
        return SinkCertificate(x, False, None, 0.0, 0.0, bound, reason)

    if not (np.isfinite(J).all() and np.isfinite(F0).all()):
        return none("the field or its Jacobian is not finite at the point")
    eig = np.linalg.eigvals(J)
    if not np.max(eig.real) < 0:
        return none(f"the Jacobian is not Hurwitz (largest real part {np.max(eig.real):.3g})")
    P = solve_continuous_lyapunov(J.T, -np.eye(len(x)))
    P = 0.5 * (P + P.T)
    lam = np.linalg.eigvalsh(P)
    q = float(np.linalg.eigvalsh(-(J.T @ P + P @ J))[0])
    if not (lam[0] > 0 and q > 0):
        return none("the Lyapunov equation gave no positive definite solution (ill-conditioned Jacobian)")
    norm_p = float(lam[-1])
    f0 = float(np.linalg.norm(F0)) + 1e-15 * (1 + float(np.abs(J).max()))
    rho, why = float(rho0), ""
    for _ in range(halvings):
        try:
            M = _hessian_bound(dyn, x, rho, p)
        except _Unsupported as exc:
            return none(f"no certificate: {exc}")
        except _Unbounded as exc:
            why = str(exc)
            rho *= 0.5
            continue
        r_in = rho * np.sqrt(lam[0] / lam[-1])
        if 2 * norm_p * M * rho <= 0.5 * q and 2 * norm_p * f0 / r_in <= 0.25 * q:
            return SinkCertificate(
                x, True, P, float(lam[0] * rho * rho), rho, M,
                f"trapping ellipsoid (x - x*)^T P (x - x*) <= {lam[0] * rho * rho:.3g} (P from J^T P + P J = -I; "
                f"interval bound {M:.3g} of the second derivative on the cube of half-width {rho:.3g}): forward "
                "invariant and contracting, so every trajectory entering it converges to the sink",
            )  # fmt: skip
        why = f"the bound {M:.3g} of the second derivative is too large for radius {rho:.3g}"
        rho *= 0.5
    return none(f"no certificate down to radius {rho * 2:.3g}: {why}")
