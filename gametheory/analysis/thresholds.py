"""Critical parameter values at which a vertex changes stability."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy

from .._checks import as_dynamics, keywords_checked
from ..codegen import compile_expressions
from ..dynamics.base import Dynamics
from ..errors import AnalysisError, ParameterError, calls_checked, suggest
from ..game import Game
from ._text import _html, _pandas
from .corners import _float_subs, _simplify, corner_conditions
from .equilibria import _exact_payoffs, exact_parameter_values

__all__ = [
    "CriticalValue",
    "CriticalValues",
    "critical_values",
    "ThresholdCurve",
    "ThresholdCurves",
    "threshold_curves",
]


@calls_checked
@dataclass(frozen=True)
class CriticalValue:
    """A value of one parameter at which an eigenvalue of a vertex changes sign.

    Attributes
    ----------
    vertex : tuple
        The vertex key (reduced state for 2-strategy games, profile otherwise).
    profile : tuple of str
    deviation : (str, str)
        Population and strategy of the eigenvalue's deviation.
    parameter : str
    eigenvalue : sympy.Expr
        The eigenvalue, an expression in the parameters.
    expression : sympy.Expr
        The threshold: the solution of ``eigenvalue = 0`` for the parameter.
    value : float or None
        The threshold with the other parameters at the given values (``None`` if not real).
    negative_when : str or None
        ``"above"`` / ``"below"``: on which side of the threshold the eigenvalue
        is negative (the vertex's condition holds), from the sign of its
        derivative there; ``None`` if that is zero.

    Examples
    --------
    >>> from gametheory.models import crisis_governance
    >>> values = critical_values(crisis_governance.game(), "F_g", crisis_governance.STATUS_QUO)
    >>> c = values[0]
    >>> c.parameter, c.negative_when in ("above", "below")
    ('F_g', True)
    """

    vertex: tuple[Any, ...]
    profile: tuple[str, ...]
    deviation: tuple[str, str]
    parameter: str
    eigenvalue: sympy.Expr
    expression: sympy.Expr
    value: float | None
    negative_when: str | None

    def summary(self) -> str:
        """One line: the vertex, the deviation, the threshold and on which side the vertex's condition holds."""
        v = "not real" if self.value is None else f"{self.value:.6g}"
        side = f"; the eigenvalue is negative {self.negative_when} it" if self.negative_when else ""
        return (
            f"{self.vertex} {self.profile}, deviation {self.deviation}: "
            f"{self.parameter} = {sympy.sstr(self.expression)} = {v}{side}"
        )

    def _repr_markdown_(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        return _html(self.summary())

    def __repr__(self) -> str:
        v = "complex" if self.value is None else f"{self.value:.6g}"
        return (
            f"CriticalValue({self.vertex}, {self.deviation}: {self.parameter} = {sympy.sstr(self.expression)} "
            f"= {v}; eigenvalue negative {self.negative_when})"
        )


@calls_checked
class CriticalValues(tuple):
    """The critical values of one parameter (an immutable tuple of :class:`CriticalValue`).

    A tuple, so indexing, iteration and ``len`` work as before; it adds the
    result protocol (``summary``, ``to_markdown``, ``to_frame``, notebook reprs).

    Examples
    --------
    >>> from gametheory.models import crisis_governance
    >>> values = critical_values(crisis_governance.game(), "F_g", crisis_governance.STATUS_QUO)
    >>> isinstance(values, tuple), len(values) == len(values.to_frame())
    (True, True)
    """

    __slots__ = ()

    def summary(self) -> str:
        """Plain text: one line per critical value, sorted by value."""
        if not self:
            return "No critical values (no vertex eigenvalue depends on the parameter)."
        return "\n".join(c.summary() for c in self)

    def to_markdown(self) -> str:
        """A Markdown table: vertex, profile, deviation, threshold, value, side."""
        lines = [
            "| Vertex | Profile | Deviation | Threshold | Value | Eigenvalue negative |",
            "|---|---|---|---|---|---|",
        ]
        for c in self:
            v = "not real" if c.value is None else f"{c.value:.6g}"
            lines.append(
                f"| {c.vertex} | {', '.join(c.profile)} | {', '.join(c.deviation)} | "
                f"{c.parameter} = {sympy.sstr(c.expression)} | {v} | {c.negative_when or ''} |"
            )
        return "\n".join(lines) + "\n"

    def _repr_markdown_(self) -> str:
        return self.to_markdown()

    def _repr_html_(self) -> str:
        return _html(self.to_markdown())

    def to_frame(self) -> Any:
        """One row per critical value as a :class:`pandas.DataFrame`; needs pandas.

        Columns: ``vertex``, ``profile``, ``deviation``, ``parameter``,
        ``expression`` (text), ``value``, ``negative_when``.
        """
        pd = _pandas()
        columns = ["vertex", "profile", "deviation", "parameter", "expression", "value", "negative_when"]
        records = [
            {
                "vertex": c.vertex,
                "profile": c.profile,
                "deviation": c.deviation,
                "parameter": c.parameter,
                "expression": sympy.sstr(c.expression),
                "value": c.value,
                "negative_when": c.negative_when,
            }
            for c in self
        ]
        return pd.DataFrame.from_records(records, columns=columns)


def _solve_eigenvalue(
    eig: sympy.Expr, symbol: sympy.Symbol, parameter: str, profile: Any, dev: Any
) -> list[sympy.Expr]:
    """The solutions of ``eig = 0`` for ``symbol``; piecewise payoffs (Max, Min, Abs) as Piecewise.

    Raises :class:`~gametheory.errors.AnalysisError` naming the eigenvalue, vertex and
    parameter when sympy has no method for the equation.
    """
    try:
        return list(sympy.solve(sympy.Eq(eig, 0), symbol))
    except NotImplementedError:
        pass
    try:
        return list(sympy.solve(sympy.Eq(eig.rewrite(sympy.Piecewise), 0), symbol))
    except (NotImplementedError, TypeError, ValueError) as exc:
        raise AnalysisError(
            f"critical_values cannot solve the eigenvalue {eig} = 0 of vertex {profile} (deviation {dev}) "
            f"for {parameter!r}: sympy has no method for this equation (piecewise or transcendental "
            f"payoff); scan {parameter!r} numerically instead (gametheory.sweep)"
        ) from exc


@keywords_checked
def critical_values(
    model: Game | Dynamics, parameter: str, params: Mapping[str, Any] | None = None
) -> CriticalValues:
    """Thresholds of one parameter at which a vertex changes stability.

    For every vertex and every eigenvalue :math:`\\lambda(p)` that depends on
    ``parameter``, solves :math:`\\lambda = 0` for it (symbolic) and evaluates the
    solution at ``params`` (the game's defaults fill the rest).

    Parameters
    ----------
    model
        A :class:`~gametheory.game.Game` or any :class:`~gametheory.dynamics.base.Dynamics`
        whose vertex eigenvalues are the payoff differences.
    parameter
        The parameter whose thresholds are wanted.
    params
        Values of the other parameters (the game's defaults fill the rest).

    Returns
    -------
    CriticalValues
        A tuple of :class:`CriticalValue`, sorted by value (non-real ones last).

    Examples
    --------
    >>> from gametheory.models import crisis_governance
    >>> values = critical_values(crisis_governance.game(), "lam", crisis_governance.STATUS_QUO)
    >>> sorted({c.parameter for c in values})
    ['lam']
    """
    dyn = as_dynamics(model)
    g = dyn.game
    unknown = g.unknown_parameters([parameter])
    if unknown:
        raise ParameterError(unknown)
    symbol = g.parameter(parameter).symbol
    subs = _float_subs(g, params)
    table = corner_conditions(dyn)  # first: it refuses dynamics without the vertex theorem
    if g.state_dependent:  # polynomial payoffs: finite coefficients are checked coefficient by coefficient
        dyn.parameter_vector(params)
    else:
        _exact_payoffs(g, exact_parameter_values(dyn, params))  # a complex or infinite payoff: ParameterError
    out = []
    for key in table:
        entry = table[key]
        for dev, eig in zip(entry.deviations, entry.eigenvalues):
            if symbol not in eig.free_symbols:
                continue
            for sol in _solve_eigenvalue(eig, symbol, parameter, entry.profile, dev):
                sol = _simplify(sol)
                num = sympy.N(sol.xreplace(subs), 30)
                if num is sympy.nan:
                    continue  # a branch of a piecewise (Max/Min/Abs) payoff that does not apply here
                value = float(num) if num.is_real else None
                side = None
                deriv = sympy.diff(eig, symbol).xreplace({**subs, symbol: sol.xreplace(subs)})
                dval = sympy.N(deriv, 30)
                if dval.is_real and dval != 0:
                    side = "above" if dval < 0 else "below"
                out.append(CriticalValue(key, entry.profile, dev, parameter, eig, sol, value, side))
    out.sort(key=lambda c: (c.value is None, c.value if c.value is not None else 0.0))
    return CriticalValues(out)


# ------------------------------------------------------------ threshold curves in a parameter plane
@calls_checked
@dataclass(frozen=True)
class ThresholdCurve:
    """The part of one zero set :math:`\\lambda = 0` of a vertex eigenvalue that bounds its ESS region.

    Attributes
    ----------
    vertex : int
        Index of the vertex in ``game.profiles``.
    profile : tuple of str
    deviation : (str, str)
        Population and strategy of the eigenvalue's deviation.
    solved_for : str
        The plane parameter the branch is solved for (the vertical one,
        :math:`p_2 = h(p_1)`, when the eigenvalue involves it, else the horizontal one).
    expression : sympy.Expr
        :math:`h`, with the other parameters substituted.
    x, y : ndarray, shape (n_samples,)
        Points of the branch in the plane (read-only); NaN where it leaves the
        plane or where another eigenvalue of the vertex is positive.

    Examples
    --------
    >>> from gametheory.models import crisis_governance as cg
    >>> tc = threshold_curves(cg.game(), ("theta", "F_g"), cg.STATUS_QUO, bounds=((0.05, 1), (0, 16)),
    ...                       vertices=[7], n_samples=5)
    >>> curve = tc.curves[0]
    >>> curve.profile, curve.solved_for
    (('B', 'P', 'I'), 'F_g')
    """

    vertex: int
    profile: tuple[str, ...]
    deviation: tuple[str, str]
    solved_for: str
    expression: sympy.Expr
    x: np.ndarray
    y: np.ndarray

    def __post_init__(self) -> None:
        for name in ("x", "y"):
            arr = np.array(getattr(self, name), dtype=float)
            arr.setflags(write=False)
            object.__setattr__(self, name, arr)

    def summary(self) -> str:
        """One line: vertex, deviation, the branch and how many of its points bound the ESS region."""
        n = int(np.sum(np.isfinite(self.x) & np.isfinite(self.y)))
        return (
            f"({', '.join(self.profile)}), deviation {self.deviation}: {self.solved_for} = "
            f"{sympy.sstr(self.expression)} ({n} points on the boundary)"
        )


@calls_checked
@dataclass(frozen=True)
class ThresholdCurves:
    """Boundaries of the ESS regions of vertices in a two-parameter plane (immutable).

    Attributes
    ----------
    parameters : (str, str)
        Horizontal and vertical parameter.
    bounds : ((float, float), (float, float))
        The plane: ``(p1_low, p1_high), (p2_low, p2_high)``.
    curves : tuple of ThresholdCurve
        Every branch with at least one point on a boundary, by vertex.

    Examples
    --------
    >>> from gametheory.models import crisis_governance as cg
    >>> tc = threshold_curves(cg.game(), ("theta", "F_g"), cg.STATUS_QUO, bounds=((0.05, 1), (0, 16)),
    ...                       vertices=[7], n_samples=5)
    >>> [c.deviation for c in tc.curves]
    [('government', 'C')]
    >>> [(round(float(x), 4), round(float(y), 4)) for x, y in zip(*tc.segments(7)[0]) if y == y]
    [(0.2875, 6.9565), (0.525, 3.8095), (0.7625, 2.623), (1.0, 2.0)]
    """

    parameters: tuple[str, str]
    bounds: tuple[tuple[float, float], tuple[float, float]]
    curves: tuple[ThresholdCurve, ...]

    def segments(self, vertex: int | Sequence[str]) -> list[tuple[np.ndarray, np.ndarray]]:
        """The boundary of ``vertex`` (index or profile) as one ``[(xs, ys)]`` with NaN between branches.

        Empty when the vertex has no boundary in the plane.
        """
        if isinstance(vertex, (int, np.integer)):
            mine = [c for c in self.curves if c.vertex == int(vertex)]
        else:
            mine = [c for c in self.curves if c.profile == tuple(vertex)]
        if not mine:
            return []
        gap = np.array([np.nan])
        xs = np.concatenate([np.concatenate([c.x, gap]) for c in mine])[:-1]
        ys = np.concatenate([np.concatenate([c.y, gap]) for c in mine])[:-1]
        return [(xs, ys)]

    def summary(self) -> str:
        """Plain text: the plane, then one line per branch."""
        (a, b), (c, d) = self.bounds
        head = f"Threshold curves in {self.parameters[0]} in [{a:g}, {b:g}] x {self.parameters[1]} in [{c:g}, {d:g}]"
        if not self.curves:
            return head + ": none."
        return head + ":\n" + "\n".join("  " + c.summary() for c in self.curves)

    def __repr__(self) -> str:
        return self.summary()

    def _repr_markdown_(self) -> str:
        return "```\n" + self.summary() + "\n```"

    def _repr_html_(self) -> str:
        return _html(self._repr_markdown_())

    def to_frame(self) -> Any:
        """One row per branch: vertex, profile, deviation, solved_for, expression (text), points; needs pandas."""
        pd = _pandas()
        return pd.DataFrame.from_records(
            [
                {
                    "vertex": c.vertex,
                    "profile": c.profile,
                    "deviation": c.deviation,
                    "solved_for": c.solved_for,
                    "expression": sympy.sstr(c.expression),
                    "points": int(np.sum(np.isfinite(c.x) & np.isfinite(c.y))),
                }
                for c in self.curves
            ],
            columns=["vertex", "profile", "deviation", "solved_for", "expression", "points"],
        )


def _evaluate(
    expr: sympy.Expr, s1: sympy.Symbol, s2: sympy.Symbol, a: np.ndarray, b: np.ndarray
) -> np.ndarray:
    """Real values of an expression in the two plane parameters on arrays (through :mod:`gametheory.codegen`)."""
    f = compile_expressions("_threshold_plane", [sympy.sympify(expr)], (), (s1, s2))
    P = np.stack([np.asarray(a, dtype=float), np.asarray(b, dtype=float)])
    with np.errstate(all="ignore"):
        out = np.asarray(f(np.empty((0, *P.shape[1:])), P))
    if np.iscomplexobj(out):
        out = np.where(np.abs(out.imag) <= 1e-12 * np.maximum(1.0, np.abs(out.real)), out.real, np.nan)
    return np.asarray(out, dtype=float)[0]


@keywords_checked
def threshold_curves(
    model: Game | Dynamics,
    parameters: tuple[str, str],
    params: Mapping[str, Any] | None = None,
    *,
    bounds: tuple[tuple[float, float], tuple[float, float]],
    vertices: Sequence[int] | None = None,
    n_samples: int = 600,
    critical: Mapping[str, Sequence[CriticalValue]] | None = None,
) -> ThresholdCurves:
    """Boundaries of the ESS regions of the vertices in the plane of two parameters.

    Each eigenvalue :math:`\\lambda(p_1, p_2) = \\pi_i(j, s_{-i}) - \\pi_i(s)` of a
    vertex :math:`s` that depends on the plane has critical values
    (:func:`critical_values`): the solutions of :math:`\\lambda = 0` for
    :math:`p_2`, giving curves :math:`p_2 = h(p_1)`, or, if there are none, for
    :math:`p_1`, giving :math:`p_1 = h(p_2)`.  Each branch :math:`h` is sampled
    at ``n_samples`` evenly spaced values of the other parameter over
    ``bounds``.  A point of a zero set bounds the ESS region (where every
    eigenvalue is negative) when every other such eigenvalue of the vertex is
    :math:`\\le 0` there (to :math:`10^{-9}` relative); the other points, and
    those outside the plane, are NaN.

    Parameters
    ----------
    model
        A :class:`~gametheory.game.Game` or a Dynamics whose vertex eigenvalues
        are the payoff differences.
    parameters
        ``(p1, p2)``: the horizontal and the vertical parameter.
    params
        Values of the other parameters (the game's defaults fill the rest).
    bounds
        ``((p1_low, p1_high), (p2_low, p2_high))``.
    vertices
        Indices (in ``game.profiles``) of the vertices wanted; default all.
    n_samples
        Points per branch.
    critical
        ``{p: critical_values(model, p, params)}`` for both parameters when
        already computed (e.g. :attr:`gametheory.studies.regimes.RegimeMap.thresholds`).

    Returns
    -------
    ThresholdCurves
        Branches with ``x``, ``y`` of shape ``(n_samples,)``.

    Examples
    --------
    >>> import gametheory as gt
    >>> game = gt.Game.from_table({"row": ["H", "T"], "col": ["H", "T"]},
    ...     {("H", "H"): ("0", "0"), ("T", "H"): ("a + b - 1", "0"), ("H", "T"): ("0", "-1"),
    ...      ("T", "T"): ("0", "0")}, {"a": 0.0, "b": 0.0})
    >>> tc = threshold_curves(game, ("a", "b"), bounds=((0, 1), (0, 1)), vertices=[0], n_samples=3)
    >>> tc.curves[0].solved_for, str(tc.curves[0].expression), tc.curves[0].y.tolist()
    ('b', '1 - a', [1.0, 0.5, 0.0])
    """
    dyn = as_dynamics(model)
    game = dyn.game
    n1, n2 = parameters
    for name in (n1, n2):
        if name not in game.parameter_names:
            raise ParameterError(
                f"game has no parameter {name!r}{suggest(name, game.parameter_names)}; "
                f"its parameters are {list(game.parameter_names)}"
            )
    (x_lo, x_hi), (y_lo, y_hi) = ((float(a), float(b)) for a, b in bounds)
    filled = {**dict(params or {}), n1: x_lo, n2: y_lo}
    base = dict(zip(game.parameter_names, map(float, dyn.parameter_vector(filled))))
    if critical is None:
        critical = {name: critical_values(dyn, name, base) for name in (n1, n2)}
    s1, s2 = game.parameter(n1).symbol, game.parameter(n2).symbol
    subs = {
        p.symbol: sympy.nsimplify(base[p.name], rational=True)
        for p in game.parameters
        if p.name not in (n1, n2)
    }
    wanted = range(len(game.profiles)) if vertices is None else [int(v) for v in vertices]
    x = np.linspace(x_lo, x_hi, n_samples)
    y = np.linspace(y_lo, y_hi, n_samples)
    curves = []
    for vertex in wanted:
        by_deviation: dict[Any, dict[str, Any]] = {}
        for name in (n1, n2):
            for cv in critical.get(name, ()):
                if game.profiles.index(tuple(cv.profile)) != vertex:
                    continue
                entry = by_deviation.setdefault(
                    tuple(cv.deviation), {"eigenvalue": cv.eigenvalue, n1: [], n2: []}
                )
                entry[name].append(sympy.sympify(cv.expression).xreplace(subs))
        eigenvalues = {dev: sympy.sympify(e["eigenvalue"]).xreplace(subs) for dev, e in by_deviation.items()}
        for dev, entry in by_deviation.items():
            if entry[n2]:  # p2 = h(p1)
                branches = [(n2, h, x, _evaluate(h, s1, s2, x, 0 * x)) for h in entry[n2]]
            else:  # p1 = h(p2) (a constant when the eigenvalue does not involve p2)
                branches = [
                    (n1, h, np.broadcast_to(_evaluate(h, s1, s2, 0 * y, y), y.shape), y) for h in entry[n1]
                ]
            for solved, h, xs, ys in branches:
                xs, ys = np.array(xs, dtype=float), np.array(ys, dtype=float)
                inside = (
                    np.isfinite(xs) & np.isfinite(ys)
                    & (ys >= y_lo) & (ys <= y_hi) & (xs >= x_lo) & (xs <= x_hi)
                )  # fmt: skip
                if not inside.any():
                    continue
                binding = inside.copy()
                for other, g in eigenvalues.items():
                    if other == dev:
                        continue
                    gv = _evaluate(g, s1, s2, np.where(inside, xs, 0.0), np.where(inside, ys, 0.0))
                    with np.errstate(invalid="ignore"):
                        binding &= gv <= 1e-9 * np.maximum(1.0, np.abs(gv))
                if binding.any():
                    curves.append(
                        ThresholdCurve(
                            vertex,
                            tuple(game.profiles[vertex]),
                            tuple(dev),
                            solved,
                            h,
                            np.where(binding, xs, np.nan),
                            np.where(binding, ys, np.nan),
                        )  # fmt: skip
                    )
    return ThresholdCurves((n1, n2), ((x_lo, x_hi), (y_lo, y_hi)), tuple(curves))
