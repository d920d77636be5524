r"""Continuation of rest points in one parameter, with their bifurcations.

Method
------
The rest points of :math:`\dot x = F(x; p)` form curves in :math:`(x, p)`-space.
From each rest point that :func:`~gametheory.analysis.stability.analyze` finds at
the start, the curve is followed by *pseudo-arclength continuation*: with the unit
tangent :math:`t` (the null vector of :math:`[F_x \mid F_p]`, oriented along the
direction of travel) and a step :math:`h`, predict :math:`z_0 + h t` and correct
with Newton's method on

.. math::  G(z) = \begin{pmatrix} F(x; p) \\ t \cdot (z - z_0) - h \end{pmatrix} = 0,
           \qquad G'(z) = \begin{pmatrix} F_x & F_p \\ t^{\mathsf T} \end{pmatrix},

using the exact Jacobians (``dyn.jacobian()`` and :math:`\partial F/\partial p`,
derived with sympy and compiled by :mod:`gametheory.codegen`).  The step adapts:
it grows after an easy correction and halves when Newton fails, when the tangent
turns by more than ~25 degrees, or when the corrector lands farther from the
predictor than half the estimated distance to the nearest *other* rest point,
:math:`r \approx 2\sigma_{\min}(G') / \lVert G''[v, v] \rVert` (:math:`v` the
singular vector of :math:`\sigma_{\min}`; exact for a quadratic), so a branch never
jumps onto a nearby one.

Stability at every point comes from the eigenvalues of :math:`F_x` (stable: every
real part below :math:`-10^{-9}\max(1,\lVert F_x\rVert)`).  Test functions between
consecutive points detect

* a **fold** (limit point): the :math:`p`-component of the tangent changes sign;
* a **branch point** (transcritical or pitchfork): :math:`\det G'` changes sign (an
  eigenvalue of :math:`F_x` crosses zero without a fold); the branch is switched
  along the second kernel direction of :math:`[F_x \mid F_p]` and the new branch
  followed; it is a *pitchfork* when both halves of the new branch lie on the same
  side of the bifurcation value, *transcritical* when they cross it;
* a **Hopf** point: :math:`\prod_{i<j} (\lambda_i + \lambda_j)` changes sign and
  a complex pair lies on the imaginary axis there (a real pair
  :math:`\pm\mu`, a neutral saddle, is not reported).

Each is located by Brent's method on the arclength inside the step (the
corrector at each trial point), to :math:`10^{-13}` in arclength.  For polynomial
systems the value is then found exactly (:mod:`gametheory.analysis.bifurcations`):
the factors of the equations that vanish at the point, with the bifurcation's
condition, are eliminated to one polynomial in :math:`p` (Groebner basis) and its
root nearest the numerical value is kept as ``exact`` when the two agree to
:math:`10^{-8}`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import sympy

from .._checks import as_dynamics, keywords_checked
from ..codegen import compile_expressions
from ..dynamics.base import Dynamics
from ..errors import SpecificationError, StateError
from .branches import Bifurcation, Branch, ContinuationResult

__all__ = ["continuation"]


class _System:
    """Compiled F, F_x, F_p at a fixed vector of the other parameters."""

    def __init__(self, dyn: Dynamics, index: int, pvec: np.ndarray) -> None:
        self.dyn, self.index, self.pvec = dyn, index, pvec.astype(float)
        self.d = dyn.dimension
        self.rhs = dyn.compiled("rhs")
        self.jac = dyn.compiled("jac")
        dp = sympy.ImmutableMatrix(dyn.equations.diff(dyn.parameters[index]))
        self.dfp = compile_expressions("dfdp", dp, dyn.states, dyn.parameters)

    def _p(self, p: float) -> np.ndarray:
        q = self.pvec.copy()
        q[self.index] = p
        return q[:, None]

    def F(self, z: np.ndarray) -> np.ndarray:
        return self.rhs(z[:-1, None], self._p(z[-1]))[:, 0]

    def Fx(self, z: np.ndarray) -> np.ndarray:
        return self.jac(z[:-1, None], self._p(z[-1]))[..., 0].reshape(self.d, self.d)

    def A(self, z: np.ndarray) -> np.ndarray:
        """``[F_x | F_p]``, shape (d, d + 1)."""
        P = self._p(z[-1])
        J = self.jac(z[:-1, None], P)[..., 0].reshape(self.d, self.d)
        return np.hstack([J, self.dfp(z[:-1, None], P)[..., 0].reshape(self.d, 1)])

    def tangent(self, z: np.ndarray, prev: np.ndarray | None) -> np.ndarray:
        _, _, vt = np.linalg.svd(self.A(z))
        t = vt[-1]
        if prev is not None and t @ prev < 0:
            t = -t
        return t

    def correct(
        self, z0: np.ndarray, w: np.ndarray, s: float, tol: float, max_iter: int = 12
    ) -> tuple[np.ndarray, int] | None:
        """Newton on ``[F; w . (z - z0) - s]`` from ``z0 + s w``; ``None`` unless it converges contractively."""
        z = z0 + s * w
        last = np.inf
        for it in range(1, max_iter + 1):
            G = np.append(self.F(z), w @ (z - z0) - s)
            M = np.vstack([self.A(z), w])
            try:
                dz = np.linalg.solve(M, -G)
            except np.linalg.LinAlgError:  # exactly singular (a bifurcation hit exactly): least squares
                dz = np.linalg.lstsq(M, -G, rcond=None)[0]
            step = float(np.linalg.norm(dz))
            if not np.isfinite(step) or (it > 2 and step > 0.5 * last):
                return None
            z = z + dz
            if step <= tol * (1.0 + np.linalg.norm(z)):
                return z, it
            last = step
        return None

    def separation(self, z: np.ndarray, t: np.ndarray) -> float:
        """Estimated distance to the nearest other solution of the corrector system."""
        M = np.vstack([self.A(z), t])
        _, sv, vt = np.linalg.svd(M)
        v, eps = vt[-1], 1e-6
        second = (self.A(z + eps * v) - self.A(z - eps * v)) @ v / (2 * eps)
        curv = float(np.linalg.norm(second))
        return np.inf if curv < 1e-12 else 2.0 * float(sv[-1]) / curv


def _stability(eig: np.ndarray, J: np.ndarray) -> str:
    eps = 1e-9 * max(1.0, float(np.linalg.norm(J, 2)))
    re = eig.real
    return "stable" if (re < -eps).all() else "unstable" if (re > eps).any() else "neutral"


def _eig(J: np.ndarray) -> np.ndarray:
    e = np.linalg.eigvals(J)
    return e[np.lexsort((-e.imag, -e.real))]


def _hopf_test(eig: np.ndarray) -> float:
    """:math:`\\prod_{i<j} (\\lambda_i + \\lambda_j)`, each factor scaled by :math:`|\\lambda_i| + |\\lambda_j|`
    (so a centre that stays a centre, where a factor is rounding noise, gives ~1e-16, not a sign)."""
    d = len(eig)
    out = 1.0 + 0j
    for i in range(d):
        for j in range(i + 1, d):
            out *= (eig[i] + eig[j]) / max(abs(eig[i]) + abs(eig[j]), 1e-300)
    return float(out.real)


def _tests(sys: _System, z: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Fold, branch-point and Hopf test functions at ``z`` (tangent ``t``), each scaled to [-1, 1]."""
    M = np.vstack([sys.A(z), t])
    det = float(np.linalg.det(M)) / max(float(np.prod(np.linalg.norm(M, axis=1))), 1e-300)  # Hadamard
    return np.array([t[-1], det, _hopf_test(_eig(sys.Fx(z)))])


def _inside(dyn: Dynamics, x: np.ndarray, margin: float) -> bool:
    for sl in dyn.population_slices():
        part = x[sl]
        if (part < -margin).any() or part.sum() > 1 + margin:
            return False
    return True


def _check_span(span: Any) -> tuple[float, float]:
    try:
        lo, hi = (float(v) for v in span)
    except (TypeError, ValueError):
        raise SpecificationError(f"span must be a pair (lo, hi) of numbers, got {span!r:.60}") from None
    if not (np.isfinite(lo) and np.isfinite(hi)) or not lo < hi:
        raise SpecificationError(f"span must be increasing and finite, lo < hi; got ({lo:g}, {hi:g})")
    return lo, hi


def _positive(name: str, value: Any) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise SpecificationError(f"{name} must be a positive number, got {value!r:.40}") from None
    if not np.isfinite(v) or v <= 0:
        raise SpecificationError(f"{name} must be a positive number, got {value!r:.40}")
    return v


@keywords_checked
def continuation(
    model: Any,
    parameter: str,
    params: Mapping[str, Any] | None = None,
    *,
    span: Sequence[float] = (0.0, 1.0),
    start: float | Sequence[float] | None = None,
    h: float | None = None,
    h_max: float | None = None,
    max_steps: int = 4000,
    tol: float = 1e-12,
    margin: float = 0.05,
    switch: bool = True,
    exact: bool = True,
) -> ContinuationResult:
    r"""Follow the rest points of a dynamics as ``parameter`` moves over ``span``; locate bifurcations.

    Parameters
    ----------
    model
        A :class:`~gametheory.game.Game` (its replicator dynamics) or any
        :class:`~gametheory.dynamics.base.Dynamics`.
    parameter
        Name of the continuation parameter (a parameter of the game).
    params
        Values of the other parameters (defaults fill the rest); a value given for
        ``parameter`` itself is replaced along the branch.
    span
        ``(lo, hi)``, increasing: branches are followed while ``lo <= p <= hi``.
    start
        ``None`` (default): every rest point that ``gt.analyze`` finds at ``p = lo``.
        A number: the same, at that parameter value.  A state (sequence of length
        ``d``): that rest point only, at ``p = lo``; it must be a rest point.
    h, h_max
        Initial and largest arclength step (defaults ``(hi - lo) / 200`` capped at
        0.02, and ``(hi - lo) / 50``); steps adapt in between (down to ``1e-9 h``).
    max_steps
        Most steps per direction of each branch.
    tol
        Relative Newton tolerance of the corrector.
    margin
        A branch stops once it leaves the state space by more than this (shares
        below ``-margin`` or a population summing above ``1 + margin``); points
        outside are kept, marked in :attr:`Branch.inside`.
    switch
        Follow the second branch through each branch point.
    exact
        Try to find each bifurcation value exactly (polynomial systems, see module docstring).

    Returns
    -------
    ContinuationResult

    Raises
    ------
    SpecificationError
        Span not increasing, ``h <= 0``, unknown parameter.
    StateError
        A ``start`` state that is not a rest point, or of the wrong length.

    Examples
    --------
    >>> from gametheory.models import classic
    >>> res = continuation(classic.hawk_dove(), "V", {"C": 3.0}, span=(1.0, 5.0))
    >>> (f,) = res.bifurcations
    >>> f.kind, round(f.parameter, 10), f.exact, f.state.tolist()
    ('transcritical', 3.0, 3, [1.0])
    """
    from .bifurcations import exact_value
    from .stability import analyze

    dyn = as_dynamics(model)
    names = [p.name for p in dyn.game.parameters]
    if not isinstance(parameter, str) or parameter not in names:
        raise SpecificationError(f"unknown parameter {parameter!r}; the game's parameters are {names}")
    lo, hi = _check_span(span)
    h0 = _positive("h", h) if h is not None else min(0.02, (hi - lo) / 200)
    hmax = _positive("h_max", h_max) if h_max is not None else max(h0, (hi - lo) / 50)
    if not isinstance(max_steps, (int, np.integer)) or max_steps < 1:
        raise SpecificationError(f"max_steps must be a positive integer, got {max_steps!r}")
    index = names.index(parameter)
    given = dict(params or {})
    given.pop(parameter, None)
    p_start = lo
    start_state = None
    if start is not None:
        if np.ndim(start) == 0:
            p_start = float(start)
            if not lo <= p_start <= hi:
                raise SpecificationError(f"start {p_start:g} lies outside the span [{lo:g}, {hi:g}]")
        else:
            start_state = np.asarray(start, dtype=float)
            if start_state.shape != (dyn.dimension,):
                raise StateError(
                    f"start state must have {dyn.dimension} coordinates, got shape {start_state.shape}"
                )
    pvec = dyn.parameter_vector({**given, parameter: p_start})
    sys = _System(dyn, index, pvec)
    if start_state is not None:
        z = np.append(start_state, p_start)
        res = float(np.linalg.norm(sys.F(z)))
        scale = max(1.0, float(np.linalg.norm(sys.Fx(z))))
        if res > 1e-8 * scale:
            raise StateError(
                f"start {tuple(start_state.tolist())} is not a rest point at {parameter} = {p_start:g} "
                f"(|F| = {res:.3g}); give a rest point or a parameter value"
            )
        seeds = [start_state]
    else:
        seeds = [np.asarray(e.point, dtype=float) for e in analyze(dyn, {**given, parameter: p_start})]
    tracer = _Tracer(sys, dyn, lo, hi, h0, hmax, max_steps, tol, margin)
    for x in seeds:
        tracer.trace(np.append(x, p_start), f"rest point at {parameter} = {p_start:g}")
    if switch:
        tracer.switch_all()
    bifurcations = []
    for f in tracer.found:
        value = exact_value(dyn, index, pvec, f) if exact else None
        bifurcations.append(dataclasses.replace(f, exact=value))
    bifurcations.sort(key=lambda f: f.parameter)
    return ContinuationResult(
        parameter,
        (lo, hi),
        tuple(tracer.branches),
        tuple(bifurcations),
        dyn.state_names,
        tuple(tracer.notes),
        dyn,
    )


class _Tracer:
    """Follows branches, records located bifurcations, switches at branch points."""

    def __init__(
        self,
        sys: _System,
        dyn: Dynamics,
        lo: float,
        hi: float,
        h0: float,
        hmax: float,
        max_steps: int,
        tol: float,
        margin: float,
    ) -> None:
        self.sys, self.dyn, self.lo, self.hi = sys, dyn, lo, hi
        self.h0, self.hmax, self.max_steps, self.tol, self.margin = h0, hmax, max_steps, tol, margin
        self.branches: list[Branch] = []
        self.found: list[Bifurcation] = []
        self.pending: list[tuple[Bifurcation, np.ndarray, np.ndarray]] = []  # branch points, state, tangent
        self.notes: list[str] = []

    # ------------------------------------------------------------------ tracing
    def trace(
        self,
        z0: np.ndarray,
        origin: str,
        direction: np.ndarray | None = None,
        prefix: np.ndarray | None = None,
    ) -> None:
        if self._known(z0):
            return
        t0 = self.sys.tangent(z0, None)
        if direction is not None and t0 @ direction < 0:
            t0 = -t0
        if direction is None and t0[-1] < 0:
            t0 = -t0
        halves = [self._walk(z0, t0)]
        if direction is None:
            halves.insert(0, self._walk(z0, -t0)[::-1])
        points = halves[0] + (halves[1][1:] if len(halves) > 1 else [])
        if prefix is not None:
            points.insert(0, prefix)
        if len(points) < 2:
            return
        Z = np.array(points)
        k = len(self.branches)
        eig, stab = [], []
        for z in Z:
            J = self.sys.Fx(z)
            e = _eig(J)
            eig.append(e)
            stab.append(_stability(e, J))
        inside = np.array([_inside(self.dyn, z[:-1], 1e-9) for z in Z])
        self.branches.append(Branch(Z[:, -1], Z[:, :-1], np.array(eig), tuple(stab), inside, origin))
        for f in self._new:
            self._record(dataclasses.replace(f, branch=k))
        self._new = []

    def _walk(self, z: np.ndarray, t: np.ndarray) -> list[np.ndarray]:
        sys, points, h = self.sys, [z], self.h0
        if not hasattr(self, "_new"):
            self._new: list[Bifurcation] = []
        tests = _tests(sys, z, t)
        for _ in range(self.max_steps):
            if not (self.lo - 1e-12 <= z[-1] <= self.hi + 1e-12) or not _inside(
                self.dyn, z[:-1], self.margin
            ):
                break
            sep = sys.separation(z, t)
            accepted = None
            while h >= 1e-9 * self.h0:
                got = sys.correct(z, t, h, self.tol)
                if got is not None:
                    zn, iters = got
                    tn = sys.tangent(zn, t)
                    if tn @ t >= 0.9 and np.linalg.norm(zn - (z + h * t)) <= 0.5 * sep:
                        accepted = (zn, tn, iters)
                        break
                h *= 0.5
            if accepted is None:
                if min(z[-1] - self.lo, self.hi - z[-1]) > 1e-9 * (self.hi - self.lo):
                    self.notes.append(
                        f"a branch stopped at {self._name()} = {z[-1]:.6g}: no step down to {1e-9 * self.h0:.1e} "
                        "passed the corrector's checks (a singular point, or rest points too close to tell apart)"
                    )
                break
            zn, tn, iters = accepted
            if not self.lo <= zn[-1] <= self.hi:  # land on the end of the span instead
                bound = self.hi if zn[-1] > self.hi else self.lo
                e_p = np.zeros_like(z)
                e_p[-1] = 1.0
                if abs(t[-1]) < 1e-3:
                    break
                zp = z + t * (bound - z[-1]) / t[-1]  # the predictor on the tangent, at p = bound
                got = sys.correct(zp, e_p, 0.0, self.tol)
                if got is None or np.linalg.norm(got[0] - zp) > 0.5 * sep:
                    break
                zn, tn = got[0], sys.tangent(got[0], t)
                self._step_tests(z, t, zn, tn, tests, h)
                points.append(zn)
                break
            new_tests = self._step_tests(z, t, zn, tn, tests, h)
            edge = self._edge_point(z, t, zn)
            if edge is not None:  # the branch leaves the state space: keep the point on its edge
                points.append(edge)
            z, t, tests = zn, tn, new_tests
            points.append(z)
            h = min(self.hmax, h * 1.5) if iters <= 3 else h
        else:
            self.notes.append(
                f"a branch reached max_steps = {self.max_steps} at {self._name()} = {z[-1]:.6g}"
            )
        return points

    def _edge_point(self, z: np.ndarray, t: np.ndarray, zn: np.ndarray) -> np.ndarray | None:
        """Where the step ``z -> zn`` crosses the edge of the state space (``None`` if it does not)."""
        from scipy.optimize import brentq

        def depth(x: np.ndarray) -> float:  # >= 0 inside: the smallest share of any strategy
            return min(
                min(float(x[sl].min()), 1.0 - float(x[sl].sum())) for sl in self.dyn.population_slices()
            )

        if not (depth(z[:-1]) > 1e-12 and depth(zn[:-1]) < -1e-12):
            return None

        def g(s: float) -> float:
            got = self.sys.correct(z, t, s, self.tol, max_iter=30)
            if got is None:
                raise ArithmeticError
            return depth(got[0][:-1])

        try:
            s = brentq(g, 0.0, float(t @ (zn - z)), xtol=1e-14)
            got = self.sys.correct(z, t, s, self.tol, max_iter=30)
        except (ArithmeticError, ValueError, RuntimeError):
            return None
        return None if got is None else got[0]

    def _step_tests(
        self, z: np.ndarray, t: np.ndarray, zn: np.ndarray, tn: np.ndarray, tests: np.ndarray, h: float
    ) -> np.ndarray:
        new_tests = _tests(self.sys, zn, tn)

        # a value within rounding of zero has no sign: on a vertical segment (a line of rest points
        # at one parameter value) the tangent's p-component is rounding noise, not a fold
        def sign(v: np.ndarray) -> np.ndarray:
            return np.where(np.abs(v) < 1e-10, 0.0, np.sign(v))

        for kind_index in np.flatnonzero(sign(new_tests) * sign(tests) < 0):
            self._locate(int(kind_index), z, t, float(t @ (zn - z)))
        return new_tests

    def _locate(self, which: int, za: np.ndarray, ta: np.ndarray, h: float) -> None:
        from scipy.optimize import brentq

        sys = self.sys

        def point(s: float) -> tuple[np.ndarray, np.ndarray]:
            got = sys.correct(za, ta, s, self.tol, max_iter=30)
            if got is None:
                raise ArithmeticError
            z = got[0]
            return z, sys.tangent(z, ta)

        def g(s: float) -> float:
            z, t = point(s)
            return float(_tests(sys, z, t)[which])

        try:
            s = brentq(g, 0.0, h, xtol=1e-13, rtol=4 * np.finfo(float).eps, maxiter=200)
            z, t = point(s)
        except (ArithmeticError, ValueError, RuntimeError):
            return
        if min(z[-1] - self.lo, self.hi - z[-1]) <= 1e-9 * (self.hi - self.lo):
            return  # at an end of the span: the tangent there may be that of a point beyond it
        if not _inside(self.dyn, z[:-1], 1e-7):
            return  # beyond the state space
        eig = _eig(sys.Fx(z))
        if which == 2:  # Hopf: a complex pair on the imaginary axis, not a neutral saddle
            scale = max(1.0, float(np.abs(eig).max()))
            on_axis = [e for e in eig if abs(e.real) < 1e-6 * scale and abs(e.imag) > 1e-6 * scale]
            if not on_axis:
                return
        kind = ("fold", "branch", "hopf")[which]
        f = Bifurcation(kind, float(z[-1]), z[:-1], None, eig, -1)
        self._new.append(f)
        if which == 1:
            self.pending.append((f, z, t))

    def _record(self, f: Bifurcation) -> None:
        for g in self.found:
            if abs(g.parameter - f.parameter) < 1e-7 and np.linalg.norm(g.state - f.state) < 1e-6:
                return
        if f.kind == "branch":
            f = dataclasses.replace(f, kind="transcritical")
        self.found.append(f)

    def _known(self, z: np.ndarray, tol: float = 1e-6) -> bool:
        """Whether ``z`` lies on a branch already traced (within ``tol`` of a segment)."""
        for b in self.branches:
            Z = np.column_stack([b.states, b.parameter])
            a, c = Z[:-1], Z[1:]
            seg = c - a
            lam = np.clip(
                np.einsum("ij,ij->i", z - a, seg) / np.maximum(np.einsum("ij,ij->i", seg, seg), 1e-300), 0, 1
            )
            if (
                np.linalg.norm(a + lam[:, None] * seg - z, axis=1) < tol + 1e-3 * np.linalg.norm(seg, axis=1)
            ).any():
                return True
        return False

    # ---------------------------------------------------------- branch switching
    def switch_all(self) -> None:
        done = 0
        while done < len(self.pending) and done < 50:
            f, z, t = self.pending[done]
            done += 1
            self._switch(f, z, t)

    def _switch(self, f: Bifurcation, z: np.ndarray, t: np.ndarray) -> None:
        sys = self.sys
        _, sv, vt = np.linalg.svd(sys.A(z))
        kernel = vt[-2:]  # the two smallest right singular vectors span the kernel at a branch point
        phi = kernel[0] - (kernel[0] @ t) * t
        if np.linalg.norm(phi) < 0.5:
            phi = kernel[1] - (kernel[1] @ t) * t
        phi /= np.linalg.norm(phi)
        eps = max(1e-4, 10 * self.h0 * 1e-2)
        sides = []
        for sign in (1.0, -1.0):
            got = sys.correct(z, sign * phi, eps, self.tol, max_iter=30)
            if got is not None and np.linalg.norm(got[0] - z) < 3 * eps:
                sides.append(got[0])
        if len(sides) == 2:
            d1, d2 = sides[0][-1] - z[-1], sides[1][-1] - z[-1]
            # a transcritical branch crosses p* (|d| ~ eps on both sides), a pitchfork's halves both
            # lie on one side (|d| ~ eps^2)
            noise = 1e-13 * max(1.0, abs(z[-1]))
            kind = "pitchfork" if d1 * d2 > 0 and min(abs(d1), abs(d2)) > noise else "transcritical"
            for i, g in enumerate(self.found):
                if abs(g.parameter - f.parameter) < 1e-7 and np.linalg.norm(g.state - f.state) < 1e-6:
                    self.found[i] = dataclasses.replace(g, kind=kind)
        self._new = []
        for zs in sides:
            self.trace(zs, f"branch switch at {self._name()} = {f.parameter:.6g}", direction=zs - z, prefix=z)
        self._new = []

    def _name(self) -> str:
        return self.dyn.parameters[self.sys.index].name
