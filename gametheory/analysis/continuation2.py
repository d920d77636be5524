r"""Two-parameter continuation of codimension-one bifurcations: curves in a parameter plane.

Method
------
The bifurcations that :func:`~gametheory.analysis.continuation.continuation` finds
along :math:`p_1` (at :math:`p_2` its value in ``params``) are each followed in the
plane :math:`(p_1, p_2)`:

* a **fold** solves the augmented system :math:`F(x; p_1, p_2) = 0`,
  :math:`\det F_x = 0`;
* a **Hopf** point solves :math:`F = 0`, :math:`\det(2F_x \odot I) = 0`, the
  bialternate product whose eigenvalues are :math:`\lambda_i + \lambda_j`
  (:math:`i < j`), so the test function is :math:`\prod_{i<j}(\lambda_i + \lambda_j)`,
  :math:`\operatorname{tr} F_x` in the plane;
* a **transcritical** or pitchfork point at a *vertex* of the state space of a
  dynamics whose vertex eigenvalues are payoff differences keeps its state, and
  its eigenvalue :math:`\lambda(p_1, p_2) = \pi_i(j, s_{-i}) - \pi_i(s)` vanishes:
  the curve is the exact zero set, solved for :math:`p_2` (or :math:`p_1`) by
  :func:`~gametheory.analysis.thresholds.critical_values` and sampled, marked
  ``exact`` with the relation :math:`\lambda = 0`.

The augmented systems :math:`G(z) = 0`, :math:`z = (x, p_1, p_2)`, of :math:`d + 1`
equations in :math:`d + 2` unknowns are followed by pseudo-arclength continuation
(tangent: the null vector of :math:`G'`, Newton on :math:`[G; t\cdot(z - z_0) - h]`)
with :math:`G'` from the exact :math:`F_x`, :math:`F_p` and central differences of the
test function.  A curve stops at the edge of the box ``span1 x span2`` (the last
point is placed on the edge by Newton on :math:`[G; p_k - \text{edge}]`), when the
state leaves the state space by more than ``margin``, when it closes, or after
``max_steps``.  Transcritical points off the vertices are not continued (a note says so).
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
from ..errors import AnalysisError, SpecificationError
from ._text import _html, _pandas
from .continuation import _check_span, _inside, _positive, continuation
from .thresholds import _evaluate, critical_values

__all__ = ["BifurcationCurve", "BifurcationCurves", "bifurcation_curves"]


@dataclasses.dataclass(frozen=True)
class BifurcationCurve:
    """One curve of codimension-one points in the plane (immutable).

    Attributes
    ----------
    kind : str
        ``"fold"``, ``"hopf"``, ``"transcritical"`` or ``"pitchfork"``.
    p1, p2 : ndarray, shape (n,)
        Points of the curve, in arclength order (NaN where an exact curve leaves the box).
    states : ndarray, shape (n, d)
        The rest point at each point.
    exact : sympy.Expr or None
        An exact relation ``expr = 0`` in the two parameters, when known (vertex curves).
    origin : float
        The value of :math:`p_1` at which the one-parameter continuation found the point.

    Examples
    --------
    >>> from gametheory.models import classic
    >>> res = bifurcation_curves(classic.hawk_dove(), ("V", "C"), {"C": 3.0}, span1=(1, 5), span2=(1, 5))
    >>> c = res.curves[0]
    >>> import sympy
    >>> V, C = sympy.symbols("V C")
    >>> c.kind, c.exact in (V - C, C - V), round(float(c.p2[-1] - c.p1[-1]), 12)
    ('transcritical', True, 0.0)
    """

    kind: str
    p1: np.ndarray
    p2: np.ndarray
    states: np.ndarray
    exact: sympy.Expr | None
    origin: float

    def __post_init__(self) -> None:
        for name in ("p1", "p2", "states"):
            arr = np.array(getattr(self, name), dtype=float)
            arr.setflags(write=False)
            object.__setattr__(self, name, arr)

    def summary(self) -> str:
        """One line: kind, where it was found, number of points, the exact relation if any."""
        rel = f"; exact: {sympy.sstr(self.exact)} = 0" if self.exact is not None else ""
        n = int(np.sum(np.isfinite(self.p1)))
        return f"{self.kind} from p1 = {self.origin:.6g}: {n} points{rel}"

    def __len__(self) -> int:
        return len(self.p1)


@dataclasses.dataclass(frozen=True)
class BifurcationCurves:
    """Curves of codimension-one bifurcations in a parameter plane (immutable).

    Attributes
    ----------
    parameters : (str, str)
    spans : ((float, float), (float, float))
    curves : tuple of BifurcationCurve
    notes : tuple of str
        Points not continued, curves that stopped early.

    Examples
    --------
    >>> from gametheory.models import classic
    >>> res = bifurcation_curves(classic.hawk_dove(), ("V", "C"), {"C": 3.0}, span1=(1, 5), span2=(1, 5))
    >>> print(res.summary().splitlines()[0])
    Bifurcation curves in V in [1, 5] x C in [1, 5]: 1
    """

    parameters: tuple[str, str]
    spans: tuple[tuple[float, float], tuple[float, float]]
    curves: tuple[BifurcationCurve, ...]
    notes: tuple[str, ...] = ()

    def summary(self) -> str:
        """Plain text: the plane, one line per curve, then the notes."""
        (a, b), (c, d) = self.spans
        n1, n2 = self.parameters
        lines = [f"Bifurcation curves in {n1} in [{a:g}, {b:g}] x {n2} in [{c:g}, {d:g}]: {len(self.curves)}"]
        lines += ["  " + cv.summary() for cv in self.curves]
        lines += ["  note: " + n for n in self.notes]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        return _html("```\n" + self.summary() + "\n```")

    def to_frame(self) -> Any:
        """One row per point: ``curve``, ``kind``, ``p1``, ``p2`` (named by the parameters), ``exact``; needs pandas."""
        pd = _pandas()
        n1, n2 = self.parameters
        rows = [
            {
                "curve": i,
                "kind": c.kind,
                n1: a,
                n2: b,
                "exact": None if c.exact is None else sympy.sstr(c.exact),
            }
            for i, c in enumerate(self.curves)
            for a, b in zip(c.p1, c.p2)
        ]
        return pd.DataFrame.from_records(rows, columns=["curve", "kind", n1, n2, "exact"])

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Draw the curves (:func:`gametheory.plot.bifurcation_plane.bifurcation_curves`)."""
        from ..plot.bifurcation_plane import bifurcation_curves as draw

        return draw(self, ax=ax, **kwargs)


# ------------------------------------------------------------------ augmented systems
def _bialternate_basis(d: int) -> np.ndarray:
    cols = []
    for i in range(d):
        for j in range(i + 1, d):
            m = np.zeros((d, d))
            m[i, j], m[j, i] = 1.0, -1.0
            cols.append(m.reshape(-1) / np.sqrt(2.0))
    return np.array(cols).T


class _Augmented:
    r"""``G(z) = [F_free(x; p1, p2); test(F_x)]`` and its Jacobian, ``z = (x_free, p1, p2)``.

    ``fixed`` maps coordinates held on a face to their value (0 or 1); ``kind`` ``"face"``
    uses the transverse eigenvalue :math:`\partial F_i / \partial x_i` of coordinate ``face``.
    """

    def __init__(
        self, dyn: Dynamics, i1: int, i2: int, pvec: np.ndarray, kind: str,
        fixed: Mapping[int, float] | None = None, face: int | None = None,
    ) -> None:  # fmt: skip
        self.dyn, self.i1, self.i2, self.pvec, self.kind = dyn, i1, i2, pvec.astype(float), kind
        self.d = dyn.dimension
        self.fixed, self.face = dict(fixed or {}), face
        self.free = np.array([i for i in range(self.d) if i not in self.fixed], dtype=int)
        self.rhs, self.jac = dyn.compiled("rhs"), dyn.compiled("jac")
        self.dfp = [
            compile_expressions(
                "dfdp",
                sympy.ImmutableMatrix(dyn.equations.diff(dyn.parameters[i])),
                dyn.states,
                dyn.parameters,
            )  # fmt: skip
            for i in (i1, i2)
        ]
        self.B = _bialternate_basis(self.d) if self.d >= 2 else None

    def x(self, z: np.ndarray) -> np.ndarray:
        """The full reduced state of ``z``."""
        out = np.empty(self.d)
        out[self.free] = z[:-2]
        for i, v in self.fixed.items():
            out[i] = v
        return out

    def _p(self, z: np.ndarray) -> np.ndarray:
        q = self.pvec.copy()
        q[self.i1], q[self.i2] = z[-2], z[-1]
        return q[:, None]

    def Fx(self, z: np.ndarray) -> np.ndarray:
        return self.jac(self.x(z)[:, None], self._p(z))[..., 0].reshape(self.d, self.d)

    def test(self, z: np.ndarray) -> float:
        J = self.Fx(z)
        if self.kind == "face":
            return float(J[self.face, self.face])
        if self.kind == "fold":
            return float(np.linalg.det(J))
        eye = np.eye(self.d)
        M = np.kron(J, eye) + np.kron(eye, J)
        return float(np.linalg.det(self.B.T @ M @ self.B))

    def G(self, z: np.ndarray) -> np.ndarray:
        return np.append(self.rhs(self.x(z)[:, None], self._p(z))[self.free, 0], self.test(z))

    def DG(self, z: np.ndarray) -> np.ndarray:
        P, X = self._p(z), self.x(z)[:, None]
        cols = [self.Fx(z)[:, self.free]] + [f(X, P)[..., 0].reshape(self.d, 1) for f in self.dfp]
        top = np.hstack(cols)[self.free]
        n = len(z)
        row = np.empty(n)
        for k in range(n):  # central differences of the test function
            e = np.zeros(n)
            e[k] = 1e-6 * max(1.0, abs(z[k]))
            row[k] = (self.test(z + e) - self.test(z - e)) / (2 * e[k])
        return np.vstack([top, row])

    def tangent(self, z: np.ndarray, prev: np.ndarray | None) -> np.ndarray:
        t = np.linalg.svd(self.DG(z))[2][-1]
        return -t if prev is not None and t @ prev < 0 else t

    def correct(self, z0: np.ndarray, w: np.ndarray, s: float, tol: float) -> np.ndarray | None:
        """Newton on ``[G; w . (z - z0) - s]`` from ``z0 + s w``."""
        z, last = z0 + s * w, np.inf
        for it in range(1, 16):
            rhs = np.append(self.G(z), w @ (z - z0) - s)
            try:
                dz = np.linalg.solve(np.vstack([self.DG(z), w]), -rhs)
            except np.linalg.LinAlgError:
                return None
            step = float(np.linalg.norm(dz))
            if not np.isfinite(step) or (it > 2 and step > 0.5 * last):
                return None
            z = z + dz
            if step <= tol * (1.0 + np.linalg.norm(z)):
                return z
            last = step
        return None


def _follow(
    aug: _Augmented, z0: np.ndarray, box: np.ndarray, h0: float, hmax: float, max_steps: int, tol: float,
    margin: float,
) -> tuple[np.ndarray, str]:  # fmt: skip
    """Both directions from ``z0``; the points in arclength order and why each end stopped."""
    halves, why = [], []
    t0 = aug.tangent(z0, None)
    for sign in (1.0, -1.0):
        z, t, h, pts, reason = z0, sign * t0, h0, [], "max_steps"
        for _ in range(max_steps):
            new = aug.correct(z, t, h, tol)
            if new is None or np.linalg.norm(new - z) > 3 * h:
                h *= 0.5
                if h < 1e-9 * h0:
                    reason = "corrector failed"
                    break
                continue
            out = [(k, box[k][0] if new[k] < box[k][0] else box[k][1])
                   for k in (-2, -1) if not box[k][0] <= new[k] <= box[k][1]]  # fmt: skip
            if out:
                k, edge = out[0]
                w = np.zeros_like(z)
                w[k] = 1.0
                last = aug.correct(z, w, edge - z[k], tol)
                if last is not None:
                    pts.append(last)
                reason = "box edge"
                break
            if not _inside(aug.dyn, aug.x(new), margin):
                reason = "left the state space"
                break
            pts.append(new)
            if len(pts) > 10 and np.linalg.norm(new - z0) < 0.5 * h:
                reason = "closed"
                break
            t, z = aug.tangent(new, t), new
            h = min(1.5 * h, hmax)
        halves.append(pts)
        why.append(reason)
        if reason == "closed":
            halves.append([])
            break
    pts = np.array(halves[1][::-1] + [z0] + halves[0])
    return np.hstack([np.array([aug.x(z) for z in pts]), pts[:, -2:]]), " / ".join(why)


# ------------------------------------------------------------------ vertex (exact) curves
def _face(
    dyn: Dynamics, x: np.ndarray, J: np.ndarray, tol: float = 1e-7
) -> tuple[dict[int, float], int] | None:
    """Coordinates on a face (0 or 1, the row of ``J`` zero off the diagonal) and the one whose
    transverse eigenvalue :math:`J_{ii}` vanishes; ``None`` if there is none."""
    scale = max(1.0, float(np.abs(J).max()))
    fixed = {}
    for i, v in enumerate(x):
        near = 0.0 if abs(v) < tol else 1.0 if abs(v - 1) < tol else None
        off = np.delete(J[i], i)
        if near is not None and (np.abs(off) < 1e-7 * scale).all():
            fixed[i] = near
    if not fixed or len(fixed) == len(x):
        return None
    i = min(fixed, key=lambda k: abs(J[k, k]))
    return (fixed, i) if abs(J[i, i]) < 1e-6 * scale else None


def _profile(dyn: Dynamics, x: np.ndarray, tol: float = 1e-7) -> tuple[str, ...] | None:
    """The vertex profile of a reduced state, or ``None`` if it is not a vertex."""
    out = []
    for pop, sl in zip(dyn.game.populations, dyn.population_slices()):
        part = x[sl]
        if (np.abs(part) < tol).all():
            out.append(pop.strategies[-1])
        elif (np.abs(np.sort(part)[::-1] - np.eye(len(part))[0]) < tol).all():
            out.append(pop.strategies[int(np.argmax(part))])
        else:
            return None
    return tuple(out)


def _vertex_curve(
    dyn: Dynamics, names: tuple[str, str], base: dict[str, float], profile: tuple[str, ...], p1_star: float,
    box: np.ndarray, n_samples: int,
) -> tuple[np.ndarray, np.ndarray, sympy.Expr] | None:  # fmt: skip
    n1, n2 = names
    game = dyn.game
    cands = [c for c in critical_values(dyn, n1, base)
             if tuple(c.profile) == profile and c.value is not None and abs(c.value - p1_star) < 1e-6 * max(1, abs(p1_star))]  # fmt: skip
    if not cands:
        return None
    s1, s2 = game.parameter(n1).symbol, game.parameter(n2).symbol
    subs = {p.symbol: sympy.nsimplify(repr(base[p.name]), rational=True) for p in game.parameters
            if p.name not in names}  # fmt: skip
    eig = sympy.numer(sympy.together(sympy.sympify(cands[0].eigenvalue).xreplace(subs)))
    eig = sympy.factor(eig.as_content_primitive()[1])  # the relation without a constant factor
    try:  # the sign: a positive leading coefficient
        flip = sympy.Poly(eig, s1, s2).LC() < 0
    except (sympy.PolynomialError, sympy.GeneratorsNeeded, TypeError):
        flip = eig.could_extract_minus_sign()
    eig = -eig if flip else eig
    x = np.linspace(box[0][0], box[0][1], n_samples)
    y = np.linspace(box[1][0], box[1][1], n_samples)
    if s2 in eig.free_symbols:
        best = None
        for h in sympy.solve(eig, s2):
            at = _evaluate(h, s1, s2, np.array([p1_star]), np.array([0.0]))[0]
            if np.isfinite(at) and (best is None or abs(at - base[n2]) < best[0]):
                best = (abs(at - base[n2]), h)
        if best is None or best[0] > 1e-6 * max(1.0, abs(base[n2])):
            return None
        xs, ys = x, _evaluate(best[1], s1, s2, x, 0 * x)
    else:
        xs, ys = np.full(n_samples, p1_star), y
    keep = np.isfinite(ys) & (ys >= box[1][0]) & (ys <= box[1][1])
    return np.where(keep, xs, np.nan), np.where(keep, ys, np.nan), eig


def _exact_relation(
    dyn: Dynamics, names: tuple[str, str], base: Mapping[str, float], aug: _Augmented, pts: np.ndarray
) -> sympy.Expr | None:
    """For rational right-hand sides: the polynomial :math:`R(p_1, p_2)` left when the states are
    eliminated (lexicographic Groebner basis) from the factors of :math:`F` and of the test function
    that vanish on the curve; kept when it vanishes at every point to :math:`10^{-8}` (relative)."""
    from .bifurcations import _vanishing_factor

    game = dyn.game
    s1, s2 = game.parameter(names[0]).symbol, game.parameter(names[1]).symbol
    subs = {p.symbol: sympy.nsimplify(repr(base[p.name]), rational=True) for p in game.parameters
            if p.name not in names}  # fmt: skip
    states = list(dyn.states)
    fixed = {states[i]: sympy.Integer(int(v)) for i, v in aug.fixed.items()}
    try:
        F = [sympy.sympify(e).xreplace(subs) for e in dyn.equations]
        if not all(e.is_rational_function(*states, s1, s2) for e in F):
            return None
        J = sympy.Matrix(dyn.jacobian()).xreplace(subs)
        if aug.kind == "face":
            cond = J[aug.face, aug.face]
        elif aug.kind == "fold":
            cond = J.det()
        elif len(states) == 2:
            cond = J.trace()
        elif len(states) == 3:
            e2 = sum(J.extract([i, j], [i, j]).det() for i in range(3) for j in range(i + 1, 3))
            cond = J.trace() * e2 - J.det()
        else:
            return None
        mid = pts[len(pts) // 2]
        at = {s: float(v) for s, v in zip(states, mid[:-2])} | {s1: float(mid[-2]), s2: float(mid[-1])}
        eqs = [_vanishing_factor(e.xreplace(fixed), at) for i, e in enumerate(F) if i not in aug.fixed]
        cond_f = _vanishing_factor(sympy.together(cond.xreplace(fixed)), at)
        if cond_f is None or any(e is None for e in eqs):
            return None
        unknowns = [s for s in states if s not in fixed]
        if len(unknowns) > 3:
            return None
        basis = sympy.groebner([*eqs, cond_f], *unknowns, s1, s2, order="lex")
        relations = [g for g in basis.exprs if g.free_symbols <= {s1, s2} and g.free_symbols]
        if not relations:
            return None
        for fac, _ in sympy.factor_list(relations[0])[1]:
            if not fac.free_symbols:
                continue
            f = sympy.lambdify((s1, s2), fac)
            scale = sum(abs(float(c)) for c in sympy.Poly(fac, s1, s2).coeffs())
            vals = np.array([abs(float(f(a, b))) for a, b in pts[:, -2:]])
            if (
                vals <= 1e-8 * scale * max(1.0, float(np.abs(pts[:, -2:]).max()) ** sympy.total_degree(fac))
            ).all():
                return -fac if sympy.Poly(fac, s1, s2).LC() < 0 else fac
        return None
    except (sympy.PolificationFailed, sympy.PolynomialError, NotImplementedError, ValueError, TypeError,
            ZeroDivisionError):  # fmt: skip
        return None


@keywords_checked
def bifurcation_curves(
    model: Any,
    parameters: tuple[str, str],
    params: Mapping[str, Any] | None = None,
    *,
    span1: Sequence[float],
    span2: Sequence[float],
    start: float | None = None,
    h: float | None = None,
    h_max: float | None = None,
    max_steps: int = 2000,
    tol: float = 1e-12,
    margin: float = 0.05,
    n_samples: int = 400,
    exact: bool = True,
) -> BifurcationCurves:
    r"""Curves of folds, Hopf and vertex transcritical points in the plane ``(p1, p2)``.

    The codimension-one points that ``gt.continuation(model, p1, params, span=span1)``
    finds (with :math:`p_2` at its value in ``params``) are continued in both
    parameters (module docstring: fold :math:`\{F = 0, \det F_x = 0\}`, Hopf
    :math:`\{F = 0, \prod_{i<j}(\lambda_i + \lambda_j) = 0\}`, vertex transcritical
    :math:`\lambda(p_1, p_2) = 0` exactly).

    Parameters
    ----------
    model
        A Game (its replicator dynamics) or any Dynamics.
    parameters
        ``(p1, p2)``: the horizontal and the vertical parameter.
    params
        Values of the other parameters, and of ``p2`` at the start line (defaults fill the rest).
    span1, span2
        The box: curves stop at its edges.
    start
        Passed to :func:`~gametheory.analysis.continuation.continuation` (default: ``span1[0]``).
    h, h_max
        Initial and largest arclength step (defaults: 1/200 and 1/40 of the box's diagonal).
    max_steps
        Most steps per direction of each curve.
    tol
        Relative Newton tolerance.
    margin
        How far outside the state space a curve may go.
    n_samples
        Points of each exact (vertex) curve.
    exact
        For rational right-hand sides, find each continued curve's polynomial relation
        :math:`R(p_1, p_2) = 0` by eliminating the states (Groebner basis).

    Returns
    -------
    BifurcationCurves

    Raises
    ------
    SpecificationError
        Unknown or equal parameters, bad spans, a ``p2`` value outside ``span2``.

    Examples
    --------
    >>> from gametheory.models import classic
    >>> res = bifurcation_curves(classic.hawk_dove(), ("V", "C"), {"C": 3.0}, span1=(1, 5), span2=(2, 4))
    >>> import sympy
    >>> V, C = sympy.symbols("V C")
    >>> [(c.kind, c.exact in (V - C, C - V)) for c in res.curves]
    [('transcritical', True)]
    """
    dyn = as_dynamics(model)
    names = [p.name for p in dyn.game.parameters]
    try:
        n1, n2 = parameters
    except (TypeError, ValueError):
        raise SpecificationError(
            f"parameters must be a pair (p1, p2) of names, got {parameters!r:.60}"
        ) from None
    for n in (n1, n2):
        if not isinstance(n, str) or n not in names:
            raise SpecificationError(f"unknown parameter {n!r}; the game's parameters are {names}")
    if n1 == n2:
        raise SpecificationError(f"parameters must be two different names, got {n1!r} twice")
    box = np.array([_check_span(span1), _check_span(span2)])
    if not isinstance(max_steps, (int, np.integer)) or max_steps < 1:
        raise SpecificationError(f"max_steps must be a positive integer, got {max_steps!r}")
    diag = float(np.hypot(*(box[:, 1] - box[:, 0])))
    h0 = _positive("h", h) if h is not None else diag / 200
    hmax = _positive("h_max", h_max) if h_max is not None else max(h0, diag / 40)
    given = dict(params or {})
    base = dict(zip(names, map(float, dyn.parameter_vector(given))))
    if not box[1][0] <= base[n2] <= box[1][1]:
        raise SpecificationError(
            f"{n2} = {base[n2]:g} (its value in params) lies outside span2 {tuple(box[1])}"
        )
    i1, i2 = names.index(n1), names.index(n2)
    one = continuation(dyn, n1, base, span=tuple(box[0]), start=start, exact=False)
    curves, notes, seen, vertex_seen = [], [], [], []
    for f in one.bifurcations:
        x = np.asarray(f.state, dtype=float)
        key = (f.kind, round(float(f.parameter), 7), tuple(np.round(x, 7)))
        if key in seen:
            continue
        seen.append(key)
        where = f"{f.kind} at {n1} = {f.parameter:.6g}"
        if f.kind in ("transcritical", "pitchfork"):
            profile = _profile(dyn, x)
            made = None
            if profile is not None:
                try:  # critical_values refuses a dynamics whose vertex eigenvalues are not payoff differences
                    made = _vertex_curve(dyn, (n1, n2), {**base, n1: float(f.parameter)}, profile,
                                         float(f.parameter), box, n_samples)  # fmt: skip
                except AnalysisError:
                    made = None
            if made is not None:
                xs, ys, eig = made
                if (profile, eig) in vertex_seen or (profile, -eig) in vertex_seen:
                    continue
                vertex_seen.append((profile, eig))
                states = np.repeat(x[None], len(xs), 0)
                curves.append(BifurcationCurve(f.kind, xs, ys, states, eig, float(f.parameter)))
                continue
            J = _Augmented(dyn, i1, i2, dyn.parameter_vector({**base, n1: float(f.parameter)}), "fold").Fx(
                np.concatenate([x, [float(f.parameter), base[n2]]])
            )
            face = _face(dyn, x, J)
            if face is None:
                notes.append(f"{where}: not continued (neither at a vertex nor on a face)")
                continue
            aug = _Augmented(dyn, i1, i2, dyn.parameter_vector(base), "face", *face)
            z0 = np.concatenate([x[aug.free], [float(f.parameter), base[n2]]])
        elif f.kind == "hopf" and dyn.dimension < 2:
            continue
        else:
            aug = _Augmented(dyn, i1, i2, dyn.parameter_vector(base), f.kind)
            z0 = np.concatenate([x, [float(f.parameter), base[n2]]])
        fixed = aug.correct(z0, np.eye(len(z0))[-1], 0.0, tol)  # polish at the start line
        if fixed is None:
            notes.append(f"{where}: the augmented system has no solution nearby (degenerate point)")
            continue
        pts, why = _follow(aug, fixed, box, h0, hmax, max_steps, tol, margin)
        notes.append(f"{where}: ends: {why}")
        relation = _exact_relation(dyn, (n1, n2), base, aug, pts) if exact else None
        curves.append(
            BifurcationCurve(f.kind, pts[:, -2], pts[:, -1], pts[:, :-2], relation, float(f.parameter))
        )
    return BifurcationCurves((n1, n2), (tuple(box[0]), tuple(box[1])), tuple(curves), tuple(notes))
