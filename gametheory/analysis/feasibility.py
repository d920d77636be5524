"""Can vertices be ESS together? Exact LP, McCormick relaxations and a verified witness search."""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy

from ..errors import AnalysisError, ParameterError, calls_checked, suggest
from ..game import Game
from ._text import _html
from .algebra import _numeric_function

__all__ = ["Feasibility", "ess_feasibility"]


@calls_checked
@dataclass(frozen=True)
class Feasibility:
    """Whether a set of vertices can be ESS simultaneously (for some admissible parameters).

    Attributes
    ----------
    vertices : tuple
        The keys of the vertices (as in the :class:`CornerTable`).
    feasible : bool or None
        ``True``: a witness parameter set exists (checked exactly); ``False``:
        proven impossible; ``None``: undecided (nonlinear conditions and the
        numeric search found no witness).
    certified : bool
        Whether the answer is a proof (exact LP, exact witness check, or
        infeasible linear relaxation) rather than a failed search.
    method : str
        How it was decided.
    witness : dict or None
        Parameter values (all of the game's) at which every condition holds.

    Examples
    --------
    >>> from gametheory.models import crisis_governance
    >>> from gametheory.analysis.corners import corner_conditions
    >>> table = corner_conditions(crisis_governance.game())
    >>> verdict = table.can_be_ess_together((0, 0, 0), (1, 0, 0))
    >>> bool(verdict), verdict.certified
    (False, True)
    >>> verdict.summary().split(" (proof")[0]
    '(0, 0, 0), (1, 0, 0): impossible'
    """

    vertices: tuple[Any, ...]
    feasible: bool | None
    certified: bool
    method: str
    witness: Mapping[str, float] | None = None

    def __bool__(self) -> bool:
        return bool(self.feasible)

    def summary(self) -> str:
        """One line: the vertices, the verdict, how it was reached, and a witness if any."""
        verdict = {True: "possible", False: "impossible", None: "undecided"}[self.feasible]
        how = f"proof: {self.method}" if self.certified else self.method
        text = f"{', '.join(str(v) for v in self.vertices)}: {verdict} ({how})"
        if self.witness is not None:
            text += "; witness " + ", ".join(f"{k} = {v:.6g}" for k, v in self.witness.items())
        return text

    def _repr_markdown_(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        return _html(self.summary())


def _declared_bounds(
    game: Game, bounds: Mapping[str, tuple[float, float]] | None
) -> dict[str, tuple[float, float]]:
    out = {}
    for p in game.parameters:
        out[p.name] = p.bounds if p.bounds is not None else (-math.inf, math.inf)
    for name, b in (bounds or {}).items():
        if name not in out:
            raise ParameterError(f"bounds given for unknown parameter {name!r}{suggest(name, list(out))}")
        lo, hi = (float(v) for v in b)
        if not lo <= hi:
            raise ParameterError(f"bounds for {name!r} are reversed: ({lo}, {hi})")
        out[name] = (lo, hi)
    return out


def _mid(b: tuple[float, float]) -> float:
    lo, hi = b
    if math.isfinite(lo) and math.isfinite(hi):
        return (lo + hi) / 2
    if math.isfinite(lo):
        return lo + 1.0
    if math.isfinite(hi):
        return hi - 1.0
    return 0.0


def _lp_margin(
    exprs: list[sympy.Expr],
    symbols: Sequence[sympy.Symbol],
    bounds: Mapping[sympy.Symbol, tuple[float, float]],
    extra: Sequence[sympy.Expr] = (),
) -> tuple[sympy.Rational | None, dict[sympy.Symbol, sympy.Rational]]:
    """Exact rational LP: maximise ``t`` s.t. ``e + t <= 0`` (every ``e`` in ``exprs``), ``g <= 0``
    (every ``g`` in ``extra``), ``t <= 1`` and the bounds.  Returns ``(t*, point)``, ``(None, {})`` if infeasible.

    Solved with sympy's exact simplex on non-negative variables (every bounded or
    free variable is shifted, reflected or split first).
    """
    from sympy.solvers.simplex import InfeasibleLPError, UnboundedLPError, linprog

    substitution: dict[sympy.Symbol, sympy.Expr] = {}
    nonneg: list[sympy.Symbol] = []
    rows: list[sympy.Expr] = []
    for k, v in enumerate(symbols):
        lo, hi = bounds[v]
        p = sympy.Dummy(f"p{k}")
        nonneg.append(p)
        if math.isfinite(lo):
            substitution[v] = _rational_bound(lo) + p
            if math.isfinite(hi):
                rows.append(p - (_rational_bound(hi) - _rational_bound(lo)))
        elif math.isfinite(hi):
            substitution[v] = _rational_bound(hi) - p
        else:
            q = sympy.Dummy(f"q{k}")
            nonneg.append(q)
            substitution[v] = p - q
    slack = sympy.Dummy("s")  # t = 1 - s, s >= 0
    nonneg.append(slack)
    t = 1 - slack
    for e in exprs:
        rows.append(sympy.expand(e.xreplace(substitution) + t))
    for g in extra:
        rows.append(sympy.expand(g.xreplace(substitution)))
    A, b = sympy.linear_eq_to_matrix(rows, nonneg)
    c = sympy.Matrix([0] * (len(nonneg) - 1) + [1])
    try:
        value, point = linprog(c, A, b)
    except InfeasibleLPError:
        return None, {}
    except UnboundedLPError:  # pragma: no cover - impossible: s >= 0 is minimised
        return sympy.Integer(1), {}
    values = dict(zip(nonneg, point))
    return 1 - value, {v: sympy.expand(substitution[v].xreplace(values)) for v in symbols}


def _exact(v: Any) -> sympy.Rational:
    v = sympy.sympify(v)
    if v.is_Rational:
        return v
    return _rational_bound(float(v))


def _rational_bound(v: float) -> sympy.Rational:
    return sympy.Rational(repr(float(v)))


def _relax(
    exprs: list[sympy.Expr], symbols: Sequence[sympy.Symbol], bounds: Mapping[str, tuple[float, float]]
) -> tuple[list[sympy.Expr], list[sympy.Symbol], dict[sympy.Symbol, tuple[float, float]], list[sympy.Expr]]:
    r"""Linear relaxation: every monomial of degree > 1 becomes a new variable.

    Its bounds come from interval arithmetic; a product of two parameters
    :math:`w = ab` also gets the McCormick inequalities whose constants are
    finite, e.g. :math:`w \le a_U b + a b_L - a_U b_L`.  Returns the relaxed
    expressions, all variables, their bounds, and the extra constraints ``g <= 0``.
    """
    monomials: dict[tuple[int, ...], sympy.Symbol] = {}
    var_bounds: dict[sympy.Symbol, tuple[float, float]] = {s: bounds[str(s)] for s in symbols}
    extra: list[sympy.Expr] = []
    relaxed = []
    for e in exprs:
        poly = sympy.Poly(e, *symbols)
        total = sympy.Integer(0)
        for monom, coeff in poly.terms():
            if sum(monom) <= 1:
                total += coeff * sympy.Mul(*(s**k for s, k in zip(symbols, monom)))
                continue
            if monom not in monomials:
                w = sympy.Symbol(f"_m{len(monomials)}", real=True)
                monomials[monom] = w
                factors = [s for s, k in zip(symbols, monom) for _ in range(k)]
                lo, hi = 1.0, 1.0
                for f in factors:
                    lo, hi = _interval_mul((lo, hi), bounds[str(f)])
                var_bounds[w] = (lo, hi)
                if len(factors) == 2 and factors[0] != factors[1]:
                    extra.extend(_mccormick(w, factors[0], factors[1], bounds))
            total += coeff * monomials[monom]
        relaxed.append(total)
    return relaxed, list(var_bounds), var_bounds, extra


def _mccormick(
    w: sympy.Symbol, a: sympy.Symbol, b: sympy.Symbol, bounds: Mapping[str, tuple[float, float]]
) -> list[sympy.Expr]:
    """McCormick envelope of ``w = a b`` as expressions ``g <= 0``, keeping those with finite constants."""
    (aL, aU), (bL, bU) = bounds[str(a)], bounds[str(b)]
    out = []
    # w >= aL b + a bL - aL bL ;  w >= aU b + a bU - aU bU
    for x, y in ((aL, bL), (aU, bU)):
        if math.isfinite(x) and math.isfinite(y):
            X, Y = _rational_bound(x), _rational_bound(y)
            out.append(X * b + a * Y - X * Y - w)
    # w <= aU b + a bL - aU bL ;  w <= aL b + a bU - aL bU
    for x, y in ((aU, bL), (aL, bU)):
        if math.isfinite(x) and math.isfinite(y):
            X, Y = _rational_bound(x), _rational_bound(y)
            out.append(w - (X * b + a * Y - X * Y))
    return out


def _interval_mul(a: tuple[float, float], b: tuple[float, float]) -> tuple[float, float]:
    prods = []
    for x in a:
        for y in b:
            if (x == 0 and math.isinf(y)) or (y == 0 and math.isinf(x)):
                prods.append(0.0)
            else:
                prods.append(x * y)
    return min(prods), max(prods)


def _search_box(game: Game, declared: Mapping[str, tuple[float, float]]) -> dict[str, tuple[float, float]]:
    box = {}
    for p in game.parameters:
        lo, hi = declared[p.name]
        center = p.default if p.default is not None else 0.0
        width = 10.0 * max(1.0, abs(center))
        box[p.name] = (
            lo if math.isfinite(lo) else center - width,
            hi if math.isfinite(hi) else center + width,
        )
    return box


def _search_witness(
    game: Game,
    exprs: list[sympy.Expr],
    symbols: Sequence[sympy.Symbol],
    declared: Mapping[str, tuple[float, float]],
    bounds: Mapping[str, tuple[float, float]] | None,
    n_samples: int,
    seed: int,
) -> dict[str, float] | None:
    """Seeded search for parameters with every ``e < 0``; a witness is verified exactly."""
    from scipy.optimize import minimize

    box = _search_box(game, declared)
    names = [str(s) for s in symbols]
    lo = np.array([box[n][0] for n in names])
    hi = np.array([box[n][1] for n in names])
    k = len(symbols)
    f = _numeric_function("ess_conditions", list(exprs), symbols)
    grad = _numeric_function("ess_conditions_gradient", sympy.Matrix(exprs).jacobian(list(symbols)), symbols)
    rng = np.random.default_rng(seed)
    samples = lo + (hi - lo) * rng.uniform(size=(n_samples, k))
    with np.errstate(all="ignore"):
        values = np.stack([np.broadcast_to(np.asarray(v, dtype=float), (n_samples,)) for v in f(samples.T)])
    margin = -values.max(axis=0)  # > 0 where every condition holds
    order = np.argsort(-margin)

    def check(z: np.ndarray) -> dict[str, float] | None:
        point = {s: _rational_bound(float(v)) for s, v in zip(symbols, z)}
        if all(bool(e.xreplace(point) < 0) for e in exprs):
            return _complete_witness(game, point)
        return None

    # maximise t subject to -e_k(z) - t >= 0, z in the box: variables (z, t)
    constraints = {
        "type": "ineq",
        "fun": lambda v: -np.asarray(f(v[:-1]), dtype=float) - v[-1],
        "jac": lambda v: np.hstack(
            [-np.asarray(grad(v[:-1]), dtype=float).reshape(len(exprs), k), -np.ones((len(exprs), 1))]
        ),
    }
    scale = float(np.max(hi - lo)) if k else 1.0
    for idx in order[:3]:
        z0 = samples[idx]
        if margin[idx] > 0 and (w := check(z0)) is not None:
            return w
        v0 = np.append(z0, margin[idx])
        with np.errstate(all="ignore"):
            res = minimize(
                lambda v: -v[-1],
                v0,
                jac=lambda v: np.append(np.zeros(k), -1.0),
                method="SLSQP",
                bounds=[*zip(lo, hi), (None, scale)],
                constraints=[constraints],
                options={"maxiter": 300, "ftol": 1e-12},
            )
        z = np.clip(res.x[:-1], lo, hi)
        if np.all(np.isfinite(z)) and (w := check(z)) is not None:
            return w
    return None


def _complete_witness(game: Game, point: Mapping[sympy.Symbol, Any]) -> dict[str, float]:
    out = {}
    by_name = {str(s): v for s, v in point.items()}
    for p in game.parameters:
        if p.name in by_name:
            out[p.name] = float(by_name[p.name])
        elif p.default is not None:
            out[p.name] = float(p.default)
        else:
            out[p.name] = _mid(p.bounds) if p.bounds is not None else 0.0
    return out


def ess_feasibility(
    game: Game,
    vertices: Sequence[tuple[Any, Sequence[Any], Sequence[sympy.Expr]]],
    *,
    bounds: Mapping[str, tuple[float, float]] | None = None,
    n_samples: int = 4000,
    seed: int = 0,
) -> Feasibility:
    """Whether the ESS conditions of several vertices can hold for one admissible parameter set.

    ``vertices`` holds, per vertex, its key, its conditions and its eigenvalues
    (as in :class:`~gametheory.analysis.corners.CornerEntry`); see
    :meth:`~gametheory.analysis.corners.CornerTable.can_be_ess_together` for the
    method (exact LP, McCormick relaxation, verified witness search).

    Examples
    --------
    >>> from gametheory.models import crisis_governance
    >>> from gametheory.analysis.corners import corner_conditions
    >>> game = crisis_governance.game()
    >>> entry = corner_conditions(game)[(0, 0, 0)]
    >>> ess_feasibility(game, [(entry.state, entry.conditions, entry.eigenvalues)]).feasible
    True
    """
    vkeys = tuple(key for key, _, _ in vertices)
    exprs: list[sympy.Expr] = []
    for key, conditions, eigenvalues in vertices:
        for c, v in zip(conditions, eigenvalues):
            if c is sympy.false:
                return Feasibility(vkeys, False, True, f"vertex {key} has a constant eigenvalue >= 0")
            if c is not sympy.true:
                exprs.append(sympy.expand(v))
    # two conditions that are exact negatives of each other (adjacent vertices) cannot both hold
    for a, b in itertools.combinations(exprs, 2):
        if sympy.expand(a + b) == 0:
            return Feasibility(
                vkeys,
                False,
                True,
                "two conditions are exact negatives of each other (lambda < 0 and -lambda < 0)",
            )
    declared = _declared_bounds(game, bounds)
    symbols = sorted(set().union(*(e.free_symbols for e in exprs)) if exprs else set(), key=str)
    if not exprs:
        return Feasibility(vkeys, True, True, "every condition holds for all parameters", dict(game.defaults))
    linear = all(sympy.Poly(e, *symbols).total_degree() <= 1 for e in exprs)
    if linear:
        opt, point = _lp_margin(exprs, symbols, {s: declared[str(s)] for s in symbols})
        if opt is None or opt <= 0:
            return Feasibility(
                vkeys, False, True, "exact linear program: the conditions cannot hold together"
            )
        exact_point = {s: point[s] for s in symbols}
        if not all(bool(e.xreplace(exact_point) < 0) for e in exprs):  # pragma: no cover
            raise AnalysisError("the LP witness does not satisfy the conditions (internal error)")
        return Feasibility(
            vkeys,
            True,
            True,
            "exact linear program (rational simplex), witness checked",
            _complete_witness(game, exact_point),
        )
    # nonlinear: linear relaxation (with McCormick envelopes of bilinear terms)
    relaxed, variables, var_bounds, extra = _relax(exprs, symbols, declared)
    opt, _ = _lp_margin(relaxed, variables, var_bounds, extra)
    if opt is None or opt <= 0:
        return Feasibility(
            vkeys,
            False,
            True,
            "infeasible linear relaxation (monomials as bounded variables, McCormick envelopes): a proof",
        )
    witness = _search_witness(game, exprs, symbols, declared, bounds, n_samples, seed)
    if witness is not None:
        return Feasibility(
            vkeys, True, True, "numeric search found a witness, verified with exact arithmetic", witness
        )
    return Feasibility(
        vkeys,
        None,
        False,
        f"undecided: nonlinear conditions, the relaxation is feasible, and {n_samples} samples plus local "
        "search found no witness (not a proof of infeasibility)",
    )
