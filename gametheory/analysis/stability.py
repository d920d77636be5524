"""Stability of rest points: eigenvalues, classification, ESS, symbolic corner conditions, thresholds.

Theory
------
At a rest point :math:`x^*` the replicator dynamics are linearised with the
Jacobian in *reduced* coordinates (the shares of all strategies but the last of
each population), so there is no spurious eigenvalue transverse to the simplex.
With the eigenvalues :math:`\\lambda_1, \\dots, \\lambda_d` and a zero threshold
:math:`\\epsilon`, a rest point is

* a **sink** when every :math:`\\operatorname{Re}\\lambda < -\\epsilon` (asymptotically stable),
* a **source** when every :math:`\\operatorname{Re}\\lambda > \\epsilon`,
* a **saddle** when some are below :math:`-\\epsilon` and some above :math:`\\epsilon`
  (stable / unstable manifold dimensions are the counts),
* **non-hyperbolic** when some :math:`|\\operatorname{Re}\\lambda| \\le \\epsilon`:
  linearisation is inconclusive about asymptotic stability, and we say so
  (``decide_numerically=True`` simulates from perturbed starts, and says that
  it did).  If another eigenvalue has positive real part the point is still
  certainly unstable (Lyapunov's instability theorem), which is reported.

At a vertex (pure profile :math:`s`) the eigenvalues are exactly the payoff
differences :math:`f_{ij}(s) - f_{i s_i}(s)`, :math:`j \\ne s_i`; it is a sink
exactly when it is a *strict Nash equilibrium*.  In multi-population games
(Selten 1980, J. Theor. Biol. 84:93-101) an ESS is a strict Nash equilibrium,
hence pure, and (Ritzberger & Weibull 1995, Econometrica 63:1371-1399) the
asymptotically stable rest points of the replicator dynamics are exactly the
strict equilibria: no mixed rest point is an ESS or a sink.  With two strategies
per population the flow preserves volume in the coordinates
:math:`u_i = \\ln(x_i / (1 - x_i))`, so the Jacobian at an interior rest point has
zero trace.  :func:`analyze` checks all of this on every result and flags any
disagreement between the eigenvalue classification and the strict-Nash test.

Precision: every rest point known exactly (all vertices; mixed points found by
the exact solver, see :mod:`gametheory.equilibria`) gets its Jacobian from the
symbolic one with exact parameter values and its eigenvalues at 60 significant
digits (:func:`mpmath.eig`), and :math:`\\epsilon = 10^{-15}\\max(1, \\|J\\|_2)`:
zero eigenvalues, complex pairs and even defective (Jordan-block) eigenvalues
are classified correctly.  Points known only numerically use double-precision
eigenvalues and :math:`\\epsilon = \\mathrm{tol}\\cdot\\max(1, \\|J\\|_2)`.
"""

from __future__ import annotations

import enum
import functools
import itertools
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sympy

from ..analysis.equilibria import RestPoints, RestPointSet, Support, exact_parameter_values, rest_points
from ..dynamics.replicator import ReplicatorDynamics
from ..errors import AnalysisError, ParameterError, SpecificationError, suggest
from ..game import Game
from ..latex import latex_name as _latex_name

__all__ = [
    "StabilityKind",
    "Equilibrium",
    "StabilityReport",
    "analyze",
    "strict_equilibria",
    "CornerEntry",
    "CornerTable",
    "Feasibility",
    "corner_conditions",
    "CriticalValue",
    "critical_values",
]

#: Significant digits of the eigenvalue computation at exactly known rest points.
EIGEN_DIGITS = 60
#: Relative zero threshold for eigenvalues computed at :data:`EIGEN_DIGITS` digits.
EXACT_ZERO_TOLERANCE = 1e-15

_THEORY = (
    "Selten (1980): in multi-population games every ESS is a strict Nash equilibrium, hence a vertex. "
    "Ritzberger & Weibull (1995): a rest point of the multi-population replicator dynamics is "
    "asymptotically stable if and only if it is a strict Nash equilibrium; so no mixed rest point is a sink."
)


class StabilityKind(enum.Enum):
    """Classification of a rest point by the eigenvalues of its Jacobian."""

    SINK = "sink"
    SOURCE = "source"
    SADDLE = "saddle"
    NON_HYPERBOLIC = "non-hyperbolic"

    def __str__(self) -> str:
        return self.value


def _dynamics(game_or_dyn: Game | ReplicatorDynamics) -> ReplicatorDynamics:
    if isinstance(game_or_dyn, ReplicatorDynamics):
        return game_or_dyn
    if isinstance(game_or_dyn, Game):
        return game_or_dyn.replicator()
    raise TypeError(f"expected a Game or ReplicatorDynamics, got {type(game_or_dyn).__name__}")


# ------------------------------------------------------------ strict Nash
def _vertex_payoffs(dyn: ReplicatorDynamics, p: np.ndarray) -> np.ndarray:
    """Expected payoffs at every vertex: ``(K, V)`` for ``p`` of shape ``(q,)``, ``(K, V, n)`` for ``(q, n)``."""
    X = np.stack([v for _, v in dyn.vertices()], axis=1)  # (d, V)
    f = dyn.compiled("payoffs")
    if p.ndim == 1:
        return np.asarray(f(X, p[:, None]), dtype=float)
    return np.asarray(f(X[:, :, None], p[:, None, :]), dtype=float)


def _best_deviation_gain(dyn: ReplicatorDynamics, F: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Largest gain of a unilateral deviation at every vertex, and the payoff scale there.

    ``F`` holds the payoffs at the vertices, shape ``(K, V, ...)``.  Returns
    ``(gain, scale)`` of shape ``(V, ...)``: :math:`\\max_i \\max_{j \\ne s_i} (f_{ij} - f_{i s_i})`
    and :math:`\\max(1, \\max_{ij} |f_{ij}|)`.
    """
    game = dyn.game
    indices = np.array([game.profile_indices(p) for p in game.profiles])  # (V, N)
    gain = np.full(F.shape[1:], -np.inf)
    offset = 0
    extra = (1,) * (F.ndim - 2)
    for i, pop in enumerate(game.populations):
        block = F[offset : offset + pop.size]  # (k, V, ...)
        own_idx = indices[:, i].reshape((1, -1) + extra)
        own = np.take_along_axis(block, np.broadcast_to(own_idx, (1,) + block.shape[1:]), axis=0)
        rows = np.arange(pop.size).reshape((-1, 1) + extra)
        adv = np.where(rows == own_idx, -np.inf, block - own)
        gain = np.maximum(gain, adv.max(axis=0))
        offset += pop.size
    scale = np.maximum(1.0, np.abs(F).max(axis=0))
    return gain, scale


def strict_equilibria(
    dyn_or_game: Game | ReplicatorDynamics, params: Mapping[str, Any] | None = None, *, tol: float = 1e-9
) -> np.ndarray:
    """Which vertices (pure profiles) are strict Nash equilibria, vectorised over parameter sets.

    A pure profile :math:`s` is a strict Nash equilibrium when every unilateral
    deviation loses strictly:

    .. math::  f_{ij}(s) - f_{i s_i}(s) < -\\mathrm{tol}\\cdot\\max(1, \\max_{kl} |f_{kl}(s)|)
               \\quad\\text{for every population } i \\text{ and strategy } j \\ne s_i .

    In multi-population replicator dynamics these are exactly the
    asymptotically stable rest points and the (necessarily pure) ESS
    (Selten 1980; Ritzberger & Weibull 1995).  The payoff differences on the
    left are also the eigenvalues of the Jacobian at the vertex.

    Parameters
    ----------
    dyn_or_game
        A :class:`~gametheory.game.Game` or its :class:`~gametheory.dynamics.ReplicatorDynamics`.
    params
        Parameter values as accepted by
        :meth:`~gametheory.dynamics.ReplicatorDynamics.parameter_vector`: scalars,
        or 1-D arrays of one common length ``n`` (defaults fill the rest).
    tol
        Relative margin: a deviation that loses less than ``tol`` times the
        vertex's payoff scale counts as a tie (not strict).

    Returns
    -------
    ndarray of bool
        Shape ``(V,)`` for scalar parameters, ``(V, n)`` for arrays, in the
        vertex order of :meth:`~gametheory.dynamics.ReplicatorDynamics.vertices`
        (``game.profiles``).
    """
    dyn = _dynamics(dyn_or_game)
    if not (isinstance(tol, (int, float)) and np.isfinite(tol) and tol >= 0):
        raise AnalysisError(f"tol must be a non-negative finite number, got {tol!r}")
    p = dyn.parameter_vector(params)
    F = _vertex_payoffs(dyn, p)
    gain, scale = _best_deviation_gain(dyn, F)
    return gain < -tol * scale


# ----------------------------------------------------------- equilibria
def _sign(v: complex, eps: float) -> str:
    re = v.real
    return "0" if abs(re) <= eps else ("+" if re > 0 else "-")


def _fmt_number(v: float, digits: int = 4) -> str:
    if v == 0:
        return "0"
    return f"{v:.{digits}g}"


def _fmt_complex(v: complex, digits: int = 4) -> str:
    if v.imag == 0:
        return _fmt_number(v.real, digits)
    sign = "+" if v.imag > 0 else "-"
    return f"{_fmt_number(v.real, digits)} {sign} {_fmt_number(abs(v.imag), digits)}i"


@dataclass(frozen=True)
class Equilibrium:
    """One rest point with its linear stability and game-theoretic status (immutable).

    Attributes
    ----------
    point : ndarray, shape (d,)
        Reduced state (read-only).
    eigenvalues : ndarray of complex, shape (d,)
        Eigenvalues of the Jacobian at ``point`` (reduced coordinates).  At a
        vertex they are listed in the order of :attr:`deviations`; elsewhere by
        decreasing real part.
    kind : StabilityKind
        Sink, source, saddle or non-hyperbolic (see module docstring).
    is_ess : bool
        Whether the point is an ESS, i.e. a strict Nash equilibrium (exact test
        on the payoff table; only vertices can be).
    is_nash : bool
        Whether no strategy outside the support earns more than the support's
        payoff (a Nash equilibrium).
    support : tuple of tuple of str
        Strategies with positive share, per population.
    profile : tuple of str or None
        Strategy names for a vertex, ``None`` otherwise.
    exact : tuple of sympy.Expr or None
        The point as exact algebraic numbers when known.
    stable_dimension, unstable_dimension, center_dimension : int
        Numbers of eigenvalues with negative, positive and (within
        :attr:`zero_tolerance`) zero real part: the dimensions of the local
        stable, unstable and center manifolds.
    zero_tolerance : float
        The threshold :math:`\\epsilon` below which :math:`|\\operatorname{Re}\\lambda|` counts as zero.
    precision : str
        ``"exact"`` (60-digit eigenvalues of the exact Jacobian) or ``"double"``.
    deviations : tuple of (str, str) or None
        At a vertex: for each eigenvalue, the (population, strategy) of the
        unilateral deviation whose payoff difference it is.
    payoff_differences : ndarray or None
        At a vertex: :math:`f_{ij} - f_{i s_i}` for those deviations (exact
        rationals rounded to double).
    symbolic_eigenvalues : tuple of sympy.Expr or None
        At a vertex: the eigenvalues as expressions in the parameters.
    conditions : tuple of sympy relationals or None
        At a vertex: the conditions for it to be an ESS (every eigenvalue < 0).
    disagreement : str or None
        Set when the eigenvalue classification and the strict-Nash test (or
        the theory above) disagree: never hidden.
    numerical_verdict : str or None
        For non-hyperbolic points analysed with ``decide_numerically=True``:
        what simulations from perturbed starts did.
    """

    point: np.ndarray
    eigenvalues: np.ndarray
    kind: StabilityKind
    is_ess: bool
    is_nash: bool
    support: Support
    profile: tuple[str, ...] | None
    exact: tuple[sympy.Expr, ...] | None
    stable_dimension: int
    unstable_dimension: int
    center_dimension: int
    zero_tolerance: float
    precision: str
    deviations: tuple[tuple[str, str], ...] | None = None
    payoff_differences: np.ndarray | None = None
    symbolic_eigenvalues: tuple[sympy.Expr, ...] | None = None
    conditions: tuple[Any, ...] | None = None
    disagreement: str | None = None
    numerical_verdict: str | None = None

    def __post_init__(self) -> None:
        for name in ("point", "eigenvalues", "payoff_differences"):
            arr = getattr(self, name)
            if arr is not None:
                arr = np.array(arr, dtype=complex if name == "eigenvalues" else float)
                arr.setflags(write=False)
                object.__setattr__(self, name, arr)

    @property
    def location(self) -> str:
        """``"vertex"``, ``"edge"``, ``"face"`` or ``"interior"``."""
        m = sum(len(s) - 1 for s in self.support)
        d = self.point.shape[0]
        return "vertex" if m == 0 else "edge" if m == 1 else "interior" if m == d else "face"

    @property
    def is_vertex(self) -> bool:
        return self.profile is not None

    @property
    def is_hyperbolic(self) -> bool:
        return self.center_dimension == 0

    @property
    def is_asymptotically_stable(self) -> bool:
        """Linearisation says so (a sink); see also :attr:`numerical_verdict`."""
        return self.kind is StabilityKind.SINK

    @property
    def sign(self) -> str:
        """Signs of the real parts of the eigenvalues, e.g. ``"(-, -, +)"`` (``0`` within tolerance)."""
        return "(" + ", ".join(_sign(v, self.zero_tolerance) for v in self.eigenvalues) + ")"

    @property
    def label(self) -> str:
        """The point as a paper writes it: ``(0, 1, 1/2)`` with exact values when known."""
        if self.exact is not None:
            vals = [_short_exact(e) for e in self.exact]
        else:
            vals = [_fmt_number(float(v), 6) for v in self.point]
        return "(" + ", ".join(vals) + ")"

    @property
    def stability(self) -> str:
        """A readable verdict: ``"ESS (sink)"``, ``"saddle (2 stable, 1 unstable)"``, ..."""
        if self.is_ess and self.kind is StabilityKind.SINK:
            text = "ESS (sink)"
        elif self.kind is StabilityKind.SADDLE:
            text = f"saddle ({self.stable_dimension} stable, {self.unstable_dimension} unstable)"
        elif self.kind is StabilityKind.NON_HYPERBOLIC and self.unstable_dimension:
            text = (
                f"non-hyperbolic ({self.center_dimension} zero real part), unstable: "
                f"{self.unstable_dimension} eigenvalue(s) with positive real part"
            )
        elif self.kind is StabilityKind.NON_HYPERBOLIC:
            text = f"non-hyperbolic ({self.center_dimension} zero real part): linearisation inconclusive"
        else:
            text = str(self.kind)
        if self.numerical_verdict:
            text += f"; simulation: {self.numerical_verdict}"
        if self.disagreement:
            text += " [FLAG]"
        return text

    def __repr__(self) -> str:
        ev = ", ".join(_fmt_complex(complex(v)) for v in self.eigenvalues)
        return f"Equilibrium({self.label}, {self.kind.value}, ESS={self.is_ess}, eigenvalues [{ev}])"


def _short_exact(e: sympy.Expr) -> str:
    if e.is_Rational:
        return str(e)
    text = sympy.sstr(e)
    return text if len(text) <= 24 else _fmt_number(float(sympy.N(e, 20)), 6)


@dataclass(frozen=True)
class StabilityReport:
    """Stability analysis of every rest point at one parameter set (immutable).

    Attributes
    ----------
    game : Game
    params : dict
        Parameter values used (defaults filled in).
    equilibria : tuple of Equilibrium
        Every isolated rest point: vertices first (in ``game.profiles`` order),
        then edges, faces, interior.
    continua : tuple of RestPointSet
        Continua of rest points (degenerate games); their points are all
        non-hyperbolic and none is an ESS.
    complete : bool
        Whether the rest-point enumeration is certified complete.
    consistent : bool
        ``True`` when the classification agrees with the theory everywhere:
        sinks are exactly the strict Nash equilibria, no mixed point is a sink,
        and (2 strategies per population) interior Jacobians have zero trace.
    notes : tuple of str
        The theory checked, the method used, and anything flagged.
    """

    game: Game
    params: Mapping[str, float]
    equilibria: tuple[Equilibrium, ...]
    continua: tuple[RestPointSet, ...]
    complete: bool
    consistent: bool
    notes: tuple[str, ...] = field(default=())

    @property
    def ess(self) -> tuple[Equilibrium, ...]:
        """The ESS (strict Nash equilibria), as :class:`Equilibrium` objects (``.point``, ``.profile``)."""
        return tuple(e for e in self.equilibria if e.is_ess)

    @property
    def ess_points(self) -> np.ndarray:
        """The ESS as an array of reduced states, shape ``(n_ess, d)``."""
        d = len(self.game.replicator().states)
        return np.array([e.point for e in self.ess], dtype=float).reshape(-1, d)

    @property
    def sinks(self) -> tuple[Equilibrium, ...]:
        return tuple(e for e in self.equilibria if e.kind is StabilityKind.SINK)

    @property
    def flagged(self) -> tuple[Equilibrium, ...]:
        """Equilibria whose classification disagrees with the strict-Nash test or the theory."""
        return tuple(e for e in self.equilibria if e.disagreement)

    def __iter__(self) -> Iterator[Equilibrium]:
        return iter(self.equilibria)

    def __len__(self) -> int:
        return len(self.equilibria)

    # ------------------------------------------------------------ output
    def _rows(self, symbolic: bool, fmt: str) -> list[tuple[str, str, str, str, str]]:
        names = {p.symbol: _latex_name(p.name) for p in self.game.parameters}
        rows = []
        for k, e in enumerate(self.equilibria, start=1):
            if fmt == "latex":
                label = f"$E_{{{k}}}\\,{_latex_point(e)}$"
            else:
                label = f"E{k} {e.label}"
            if symbolic and e.symbolic_eigenvalues is not None:
                if fmt == "latex":
                    eig = ", ".join(f"${sympy.latex(v, symbol_names=names)}$" for v in e.symbolic_eigenvalues)
                else:
                    eig = ", ".join(sympy.sstr(v) for v in e.symbolic_eigenvalues)
            else:
                eig = ", ".join(_fmt_complex(complex(v)) for v in e.eigenvalues)
                if fmt == "latex":
                    eig = "$" + eig.replace("i", "\\mathrm{i}") + "$"
            sign = e.sign if fmt != "latex" else f"${e.sign}$"
            stab = e.stability
            if e.conditions is not None:
                violated = [
                    k2 for k2, v in enumerate(e.eigenvalues, start=1) if not v.real < -e.zero_tolerance
                ]
                if symbolic:
                    cond = _conditions_text(e.conditions, fmt, names)
                elif not violated:
                    cond = "all hold"
                else:
                    lam = "\\lambda" if fmt == "latex" else "λ"
                    parts = [f"{lam}_{{{k2}}}" if fmt == "latex" else f"{lam}{k2}" for k2 in violated]
                    cond = "violated: " + ", ".join(f"${p}$" if fmt == "latex" else p for p in parts)
            else:
                cond = "never an ESS (not a vertex)" if not e.is_vertex else ""
            rows.append((label, eig, sign, stab, cond))
        return rows

    def to_markdown(self, *, symbolic: bool = False) -> str:
        """A Markdown table: equilibrium, eigenvalues, sign, stability, ESS conditions.

        With ``symbolic=True`` vertices show their eigenvalues and conditions as
        expressions in the parameters (numbers otherwise).
        """
        header = "| Equilibrium | Eigenvalues | Sign | Stability | Conditions |\n|---|---|---|---|---|"
        lines = [header]
        for row in self._rows(symbolic, "markdown"):
            lines.append("| " + " | ".join(c.replace("|", "\\|") for c in row) + " |")
        lines.extend(f"\n{n}" for n in self._short_notes())
        return "\n".join(lines) + "\n"

    def to_latex(
        self, *, symbolic: bool = False, caption: str | None = None, label: str | None = None
    ) -> str:
        """A booktabs LaTeX table like those of tripartite-game papers.

        Columns: equilibrium, eigenvalues, sign of the real parts, stability,
        ESS conditions (symbolic with ``symbolic=True``).  Needs
        ``\\usepackage{booktabs}``.
        """
        cap = caption or f"Stability of the rest points of {self.game.name or 'the game'}"
        lines = [
            "\\begin{table}[htbp]",
            "\\centering",
            f"\\caption{{{_latex_escape(cap)}}}",
        ]
        if label:
            lines.append(f"\\label{{{label}}}")
        lines += [
            "\\begin{tabular}{lllll}",
            "\\toprule",
            "Equilibrium & Eigenvalues & Sign & Stability & Conditions \\\\",
            "\\midrule",
        ]
        for row in self._rows(symbolic, "latex"):
            cells = [row[0], row[1], row[2], _latex_escape(row[3]), row[4]]
            lines.append(" & ".join(cells) + " \\\\")
        lines += ["\\bottomrule", "\\end{tabular}", "\\end{table}"]
        return "\n".join(lines) + "\n"

    def _short_notes(self) -> list[str]:
        out = []
        if self.continua:
            out.append(
                f"{len(self.continua)} continua of rest points (non-hyperbolic, never ESS): "
                + "; ".join(c.describe() for c in self.continua)
            )
        for e in self.flagged:
            out.append(f"FLAG at {e.label}: {e.disagreement}")
        if not self.complete:
            out.append("The rest-point enumeration is not certified complete (numeric search).")
        return out

    def summary(self) -> str:
        """A plain-text summary: rest points, ESS, theory check, flags and notes."""
        counts: dict[str, int] = {}
        for e in self.equilibria:
            counts[e.location] = counts.get(e.location, 0) + 1
        where = ", ".join(f"{n} {loc}" for loc, n in counts.items())
        title = self.game.name or "game"
        lines = [
            f"Stability analysis: {title}",
            f"Rest points: {len(self.equilibria)} isolated ({where}); {len(self.continua)} continua; "
            f"enumeration {'complete (exact)' if self.complete else 'NOT certified complete'}",
        ]
        if self.ess:
            ess = "; ".join(f"{e.label} = {e.profile}" for e in self.ess)
            lines.append(f"ESS (strict Nash equilibria, asymptotically stable): {ess}")
        else:
            lines.append("ESS: none (no strict Nash equilibrium)")
        kinds = {k: [e.label for e in self.equilibria if e.kind is k] for k in StabilityKind}
        for k, pts in kinds.items():
            if pts:
                lines.append(f"{k.value}: {', '.join(pts)}")
        nh = [e for e in self.equilibria if e.kind is StabilityKind.NON_HYPERBOLIC]
        if nh:
            lines.append(
                "Non-hyperbolic points: linearisation is inconclusive there"
                + ("" if all(e.numerical_verdict for e in nh) else " (use decide_numerically=True)")
            )
        lines.append(f"Theory check ({'consistent' if self.consistent else 'INCONSISTENT'}): {_THEORY}")
        lines.extend(self._short_notes())
        lines.extend(n for n in self.notes if n not in lines and n != _THEORY)
        return "\n".join(lines)

    def to_frame(self) -> Any:
        """The equilibria as a :class:`pandas.DataFrame` (one row each); needs pandas."""
        try:
            import pandas as pd
        except ImportError as exc:  # pragma: no cover - pandas is in the "all" extra
            raise ImportError(
                'StabilityReport.to_frame needs pandas: pip install "gametheory-egt[all]" (or pandas)'
            ) from exc
        names = self.game.replicator().state_names
        records = []
        for e in self.equilibria:
            rec: dict[str, Any] = {n: float(v) for n, v in zip(names, e.point)}
            rec.update(
                location=e.location,
                support=e.support,
                profile=e.profile,
                eigenvalues=tuple(complex(v) for v in e.eigenvalues),
                sign=e.sign,
                kind=e.kind.value,
                is_ess=e.is_ess,
                is_nash=e.is_nash,
                stable_dimension=e.stable_dimension,
                unstable_dimension=e.unstable_dimension,
                center_dimension=e.center_dimension,
                disagreement=e.disagreement,
                numerical_verdict=e.numerical_verdict,
            )
            records.append(rec)
        return pd.DataFrame.from_records(records)

    def __repr__(self) -> str:
        ess = ", ".join(e.label for e in self.ess) or "none"
        return (
            f"StabilityReport({len(self.equilibria)} rest points, {len(self.continua)} continua, "
            f"ESS: {ess}, consistent={self.consistent})"
        )


def _latex_point(e: Equilibrium) -> str:
    if e.exact is not None:
        vals = [
            sympy.latex(v) if len(sympy.sstr(v)) <= 24 else _fmt_number(float(sympy.N(v, 20)), 6)
            for v in e.exact
        ]
    else:
        vals = [_fmt_number(float(v), 6) for v in e.point]
    return "(" + ", ".join(vals) + ")"


def _latex_escape(text: str) -> str:
    return text.replace("&", "\\&").replace("%", "\\%").replace("_", "\\_").replace("#", "\\#")


def _conditions_text(conditions: Sequence[Any], fmt: str, names: Mapping[sympy.Symbol, str]) -> str:
    parts = []
    for c in conditions:
        if c is sympy.true:
            continue
        if c is sympy.false:
            return "never (an eigenvalue is a positive constant or zero)"
        parts.append(f"${sympy.latex(c, symbol_names=names)}$" if fmt == "latex" else sympy.sstr(c))
    return ", ".join(parts) if parts else "always"


# ------------------------------------------------------------ analysis
def _jacobian_polynomials(
    dyn: ReplicatorDynamics, exact_params: Mapping[str, sympy.Rational]
) -> list[list[list[tuple[tuple[int, ...], sympy.Rational]]]]:
    """The Jacobian with exact parameter values substituted: per entry, its ``(monomial, coefficient)`` terms."""
    subs = {p.symbol: exact_params[p.name] for p in dyn.game.parameters}
    J = dyn.jacobian()
    d = dyn.dimension
    out = []
    for r in range(d):
        row = []
        for c in range(d):
            entry = sympy.expand(J[r, c].xreplace(subs))
            poly = sympy.Poly(entry, *dyn.states, domain=sympy.QQ) if entry != 0 else None
            row.append([] if poly is None else list(poly.terms()))
        out.append(row)
    return out


def _high_precision_eigenvalues(
    jac: list[list[list[tuple[tuple[int, ...], sympy.Rational]]]], digits: Sequence[str]
) -> tuple[np.ndarray, float]:
    """Eigenvalues of the Jacobian at a point given to 50 digits, computed at :data:`EIGEN_DIGITS` digits.

    Returns the eigenvalues (complex, double) and the spectral norm of the Jacobian.
    """
    import mpmath

    mp = mpmath.MPContext()
    mp.dps = EIGEN_DIGITS
    x = [mp.mpf(v) for v in digits]
    d = len(jac)
    entries = []
    for r in range(d):
        row = []
        for c in range(d):
            v = mp.mpf(0)
            for monom, coeff in jac[r][c]:
                term = mp.mpf(coeff.p) / coeff.q
                for xi, e in zip(x, monom):
                    if e:
                        term *= xi**e
                v += term
            row.append(v)
        entries.append(row)
    ev = mp.eig(mp.matrix(entries), left=False, right=False)
    vals = np.array([complex(float(mp.re(z)), float(mp.im(z))) for z in ev])
    norm = float(np.linalg.norm(np.array([[float(v) for v in row] for row in entries]), 2))
    return vals, norm


def _classify(eigenvalues: np.ndarray, eps: float) -> tuple[StabilityKind, int, int, int]:
    re = eigenvalues.real
    n_s = int(np.sum(re < -eps))
    n_u = int(np.sum(re > eps))
    n_c = len(re) - n_s - n_u
    if n_c:
        kind = StabilityKind.NON_HYPERBOLIC
    elif n_u == 0:
        kind = StabilityKind.SINK
    elif n_s == 0:
        kind = StabilityKind.SOURCE
    else:
        kind = StabilityKind.SADDLE
    return kind, n_s, n_u, n_c


def _match_order(eigenvalues: np.ndarray, targets: np.ndarray) -> tuple[np.ndarray, float]:
    """Reorder ``eigenvalues`` to best match ``targets``; return them and the largest mismatch."""
    from scipy.optimize import linear_sum_assignment

    cost = np.abs(targets[:, None] - eigenvalues[None, :])
    rows, cols = linear_sum_assignment(cost)
    out = eigenvalues[cols[np.argsort(rows)]]
    return out, float(np.max(np.abs(out - targets))) if len(targets) else 0.0


def analyze(
    game: Game | ReplicatorDynamics,
    params: Mapping[str, Any] | None = None,
    *,
    tol: float = 1e-9,
    decide_numerically: bool = False,
    simulation_time: float | None = None,
    n_perturbations: int = 8,
    seed: int = 0,
    **rest_point_options: Any,
) -> StabilityReport:
    """Find every rest point, classify it, and decide which are ESS.

    Parameters
    ----------
    game
        The game (or its replicator dynamics).
    params
        Scalar parameter values (the game's defaults fill the rest).
    tol
        Relative zero threshold for eigenvalues of numerically found rest
        points, :math:`|\\operatorname{Re}\\lambda| \\le \\mathrm{tol}\\,\\max(1, \\|J\\|_2)`;
        exactly known points use 60-digit eigenvalues and
        :data:`EXACT_ZERO_TOLERANCE` instead (see module docstring).
    decide_numerically
        For non-hyperbolic rest points, integrate from ``n_perturbations``
        seeded starts at distance ``1e-3`` from the point, in random directions
        into the state space, over ``simulation_time`` (default
        :math:`\\max(200, 50 / \\min(1, r))` with :math:`r` the largest nonzero
        :math:`|\\operatorname{Re}\\lambda|`), and record in ``numerical_verdict``
        whether they approach (distance ratio < 0.1), leave (> 10) or stay near
        the point.  The linear classification itself is never changed.
    simulation_time, n_perturbations, seed
        Options of ``decide_numerically``.
    rest_point_options
        Passed to :func:`gametheory.equilibria.rest_points` (``method``,
        ``max_exact_solutions``, ``n_starts``...).

    Returns
    -------
    StabilityReport
    """
    dyn = _dynamics(game)
    game = dyn.game
    exact_params = exact_parameter_values(dyn, params)
    rps: RestPoints = rest_points(dyn, params, **rest_point_options)
    pvec = np.array([float(v) for v in exact_params.values()], dtype=float)
    payoff_f = dyn.compiled("payoffs")
    table = corner_conditions(game)
    from ..analysis.equilibria import _exact_payoffs

    exact_payoffs, _ = _exact_payoffs(game, exact_params)
    equilibria = []
    notes = [f"Rest points: {rps.method}."]
    notes.extend(rps.notes)
    consistent = True
    two_strategy = all(pop.size == 2 for pop in game.populations)
    jac_polys = None
    for rp in rps:
        x = rp.point
        if rp.digits is not None:
            if jac_polys is None:
                jac_polys = _jacobian_polynomials(dyn, exact_params)
            eig, norm = _high_precision_eigenvalues(jac_polys, rp.digits)
            eps = EXACT_ZERO_TOLERANCE * max(1.0, norm)
            # at 60 digits, parts below eps are zero to ~45 digits: store them as exact zeros
            eig = np.where(np.abs(eig.real) <= eps, 0.0, eig.real) + 1j * np.where(
                np.abs(eig.imag) <= eps, 0.0, eig.imag
            )
            precision = "exact"
        else:
            J = dyn.jacobian_at(x, _float_params(exact_params))
            eig = np.linalg.eigvals(J)
            norm = float(np.linalg.norm(J, 2))
            eps = tol * max(1.0, norm)
            precision = "double"
        flags = []
        pay = np.asarray(payoff_f(x[:, None], pvec[:, None])[:, 0], dtype=float)
        deviations = diffs = sym_eigs = conds = None
        if rp.is_vertex:
            idx = game.profile_indices(rp.profile)
            dev_list, diff_exact = [], []
            for i, pop in enumerate(game.populations):
                own_key = tuple(idx)
                for j in range(pop.size):
                    if j == idx[i]:
                        continue
                    alt = list(idx)
                    alt[i] = j
                    diff_exact.append(exact_payoffs[i][tuple(alt)] - exact_payoffs[i][own_key])
                    dev_list.append((pop.name, pop.strategies[j]))
            deviations = tuple(dev_list)
            diffs = np.array([float(v) for v in diff_exact])
            is_ess = all(v < 0 for v in diff_exact)
            is_nash = all(v <= 0 for v in diff_exact)
            eig, mismatch = _match_order(eig.astype(complex), diffs.astype(complex))
            if mismatch > 1e-9 * max(1.0, norm):
                flags.append(
                    f"the Jacobian eigenvalues differ from the payoff differences by {mismatch:.3g} "
                    "(they must be equal at a vertex)"
                )
            entry = table[rp.profile]
            sym_eigs, conds = entry.eigenvalues, entry.conditions
        else:
            eig = eig.astype(complex)
            eig = eig[np.lexsort((-eig.imag, -eig.real))]
            is_ess = False
            is_nash = _is_nash_mixed(game, rp.support, pay, eps)
        kind, n_s, n_u, n_c = _classify(eig, eps)
        if kind is StabilityKind.SINK and not is_ess:
            flags.append(
                "classified as a sink but it is not a strict Nash equilibrium: this contradicts "
                "Ritzberger & Weibull (1995); likely a numerical problem"
            )
        if is_ess and kind is not StabilityKind.SINK:
            flags.append(
                f"a strict Nash equilibrium but the eigenvalues classify it as {kind.value}: this "
                "contradicts Ritzberger & Weibull (1995); likely a numerical problem"
            )
        if two_strategy and rp.location == "interior":
            trace = float(np.sum(eig.real))
            if abs(trace) > max(eps, 1e-9 * max(1.0, norm)) * len(eig):
                flags.append(
                    f"interior rest point with Jacobian trace {trace:.3g}, expected 0 (volume preservation)"
                )
        if flags:
            consistent = False
        equilibria.append(
            Equilibrium(
                point=x,
                eigenvalues=eig,
                kind=kind,
                is_ess=is_ess,
                is_nash=is_nash,
                support=rp.support,
                profile=rp.profile,
                exact=rp.exact,
                stable_dimension=n_s,
                unstable_dimension=n_u,
                center_dimension=n_c,
                zero_tolerance=eps,
                precision=precision,
                deviations=deviations,
                payoff_differences=diffs,
                symbolic_eigenvalues=sym_eigs,
                conditions=conds,
                disagreement="; ".join(flags) if flags else None,
            )
        )
    if decide_numerically:
        equilibria = [
            _decide(dyn, e, _float_params(exact_params), simulation_time, n_perturbations, seed)
            if e.kind is StabilityKind.NON_HYPERBOLIC
            else e
            for e in equilibria
        ]
    notes.append(_THEORY)
    if two_strategy:
        notes.append(
            "Two strategies per population: in u = ln(x/(1-x)) the flow preserves volume, so interior "
            "rest points have zero Jacobian trace and are never attractors (checked)."
        )
    if rps.continua:
        notes.append(
            "Continua of rest points: every point of them has a zero eigenvalue along the set; "
            "linearisation cannot decide their stability (Ritzberger & Weibull 1995: asymptotically "
            "stable sets are faces closed under weakly better replies)."
        )
    return StabilityReport(
        game=game,
        params=dict(rps.params),
        equilibria=tuple(equilibria),
        continua=rps.continua,
        complete=rps.complete,
        consistent=consistent,
        notes=tuple(notes),
    )


def _float_params(exact_params: Mapping[str, sympy.Rational]) -> dict[str, float]:
    """Exact parameter values as floats."""
    return {k: float(v) for k, v in exact_params.items()}


def _is_nash_mixed(game: Game, support: Support, pay: np.ndarray, eps: float) -> bool:
    offset = 0
    for pop, S in zip(game.populations, support):
        block = pay[offset : offset + pop.size]
        inside = max(block[pop.index(s)] for s in S)
        if block.max() > inside + eps:
            return False
        offset += pop.size
    return True


def _decide(
    dyn: ReplicatorDynamics,
    e: Equilibrium,
    params: Mapping[str, float],
    simulation_time: float | None,
    n: int,
    seed: int,
) -> Equilibrium:
    """Simulate from perturbed starts around a non-hyperbolic rest point and record what happens."""
    import dataclasses

    rng = np.random.default_rng(seed)
    radius = 1e-3
    scale = max((abs(v.real) for v in e.eigenvalues if abs(v.real) > e.zero_tolerance), default=1.0)
    t_end = simulation_time if simulation_time is not None else max(200.0, 50.0 / min(scale, 1.0))
    start_d, end_d = [], []
    sizes = [pop.size for pop in dyn.game.populations]
    for _ in range(n):
        q = np.concatenate([rng.dirichlet(np.ones(k))[:-1] for k in sizes])
        direction = q - e.point
        x0 = e.point + radius * direction / max(np.linalg.norm(direction), 1e-12)
        x0 = np.clip(x0, 0.0, 1.0)
        traj = dyn.simulate(x0, (0.0, t_end), params, rtol=1e-10, atol=1e-12, raise_on_failure=False)
        start_d.append(float(np.linalg.norm(x0 - e.point)))
        end_d.append(float(np.linalg.norm(traj.final - e.point)))
    ratios = np.array(end_d) / np.array(start_d)
    if np.all(ratios < 0.1):
        verdict = f"attracting: all {n} perturbed starts approached it (distance ratio <= {ratios.max():.2g})"
    elif np.all(ratios > 10):
        verdict = f"repelling: all {n} perturbed starts left it (distance ratio >= {ratios.min():.3g})"
    elif np.all((ratios >= 0.1) & (ratios <= 10)):
        verdict = f"neutral: all {n} perturbed starts stayed at a comparable distance over t = {t_end:g}"
    else:
        verdict = (
            f"unstable: {int(np.sum(ratios > 10))} of {n} perturbed starts left it, "
            f"{int(np.sum(ratios < 0.1))} approached"
        )
    return dataclasses.replace(e, numerical_verdict=verdict)


# --------------------------------------------------- symbolic corners
def _simplify(expr: sympy.Expr) -> sympy.Expr:
    return sympy.factor_terms(sympy.expand(expr))


@dataclass(frozen=True)
class CornerEntry:
    """Symbolic stability data of one vertex.

    Attributes
    ----------
    profile : tuple of str
        The pure profile.
    state : tuple of int
        Its reduced state (1 = first strategy for 2-strategy populations).
    deviations : tuple of (str, str)
        For each eigenvalue: the population and the strategy it deviates to.
    eigenvalues : tuple of sympy.Expr
        Exact eigenvalues of the Jacobian at the vertex, as expressions in the
        parameters: the payoff differences :math:`\\pi_i(j, s_{-i}) - \\pi_i(s)`.
    conditions : tuple of sympy Boolean
        ESS (strict Nash) conditions: ``eigenvalue < 0`` for each; ``True`` /
        ``False`` when an eigenvalue is a constant.
    """

    profile: tuple[str, ...]
    state: tuple[int, ...]
    deviations: tuple[tuple[str, str], ...]
    eigenvalues: tuple[sympy.Expr, ...]
    conditions: tuple[Any, ...]

    @property
    def never_ess(self) -> bool:
        """An eigenvalue is a non-negative constant: this vertex is an ESS for no parameters."""
        return any(c is sympy.false for c in self.conditions)


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
    """

    vertices: tuple[Any, ...]
    feasible: bool | None
    certified: bool
    method: str
    witness: Mapping[str, float] | None = None

    def __bool__(self) -> bool:
        return bool(self.feasible)


class CornerTable(Mapping):
    """Symbolic eigenvalues and ESS conditions at every vertex (immutable mapping).

    Keys: the vertices' reduced states ``(1, 0, 1)`` when every population has
    two strategies (1 = first strategy), otherwise profiles of strategy names.
    Both forms are accepted for lookup whenever they apply.
    """

    def __init__(self, game: Game, entries: Sequence[CornerEntry]) -> None:
        self._game = game
        self._binary = all(pop.size == 2 for pop in game.populations)
        self._entries = tuple(entries)
        self._by_profile = {e.profile: e for e in entries}
        self._by_state = {e.state: e for e in entries}

    @property
    def game(self) -> Game:
        return self._game

    def _key(self, e: CornerEntry) -> tuple[Any, ...]:
        return e.state if self._binary else e.profile

    def _lookup(self, key: Any) -> CornerEntry:
        if isinstance(key, CornerEntry):
            return key
        try:
            key = tuple(key)
        except TypeError:
            raise SpecificationError(f"a vertex key must be a tuple, got {key!r}") from None
        if key and all(isinstance(k, str) for k in key):
            if key in self._by_profile:
                return self._by_profile[key]
            self._game.profile_indices(key)  # raises a clear error
        else:
            try:
                state = tuple(int(v) for v in key)
            except (TypeError, ValueError):
                state = None
            if state is not None and state == tuple(key) and state in self._by_state:
                return self._by_state[state]
        examples = ", ".join(str(self._key(e)) for e in self._entries[:3])
        raise SpecificationError(
            f"{key!r} is not a vertex of the game; use reduced states or profiles of strategy names, "
            f"e.g. {examples}"
        )

    def __getitem__(self, key: Any) -> CornerEntry:
        return self._lookup(key)

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        return iter(self._key(e) for e in self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"CornerTable({len(self)} vertices of {self._game.name or 'a game'})"

    # --------------------------------------------------------- numbers
    def eigenvalues_at(self, key: Any, params: Mapping[str, Any] | None = None) -> np.ndarray:
        """The eigenvalues of one vertex at numeric parameters (defaults fill the rest)."""
        entry = self._lookup(key)
        subs = _float_subs(self._game, params)
        return np.array([float(sympy.sympify(v).xreplace(subs)) for v in entry.eigenvalues])

    def ess_at(self, params: Mapping[str, Any] | None = None) -> tuple[Any, ...]:
        """Keys of the vertices whose ESS conditions all hold at ``params`` (exact rational check)."""
        dyn = self._game.replicator()
        exact = exact_parameter_values(dyn, params)
        subs = {p.symbol: exact[p.name] for p in self._game.parameters}
        out = []
        for e in self._entries:
            if all(bool(sympy.sympify(v).xreplace(subs) < 0) for v in e.eigenvalues):
                out.append(self._key(e))
        return tuple(out)

    # ------------------------------------------------------ feasibility
    def can_be_ess_together(
        self,
        *keys: Any,
        bounds: Mapping[str, tuple[float, float]] | None = None,
        n_samples: int = 4000,
        seed: int = 0,
    ) -> Feasibility:
        """Decide whether the given vertices can all be ESS for one admissible parameter set.

        The conjunction of their conditions :math:`\\lambda_k(p) < 0` is tested
        within the parameters' declared bounds (or ``bounds``):

        * **linear** conditions: exact rational linear program (sympy's simplex)
          maximising a margin :math:`t` with :math:`\\lambda_k(p) + t \\le 0`,
          :math:`t \\le 1`: feasible iff :math:`t^* > 0`.  Exact both ways.
        * **nonlinear** conditions: first the linear relaxation (every monomial
          of degree > 1 replaced by a new variable bounded by interval
          arithmetic); if it is infeasible, so is the original (a proof).
          Otherwise a numeric search for a witness: ``n_samples`` seeded
          uniform samples in the box (declared bounds; an unbounded side is
          cut at ``default +- 10 max(1, |default|)``), then SLSQP from the best
          samples; a witness found is verified with exact rational arithmetic.
          No witness: ``feasible=None`` (undecided), never a silent "no".
        """
        entries = [self._lookup(k) for k in keys]
        vkeys = tuple(self._key(e) for e in entries)
        if not entries:
            raise SpecificationError("can_be_ess_together needs at least one vertex")
        exprs: list[sympy.Expr] = []
        for e in entries:
            for c, v in zip(e.conditions, e.eigenvalues):
                if c is sympy.false:
                    return Feasibility(
                        vkeys, False, True, f"vertex {self._key(e)} has a constant eigenvalue >= 0"
                    )
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
        game = self._game
        declared = _declared_bounds(game, bounds)
        symbols = sorted(set().union(*(e.free_symbols for e in exprs)) if exprs else set(), key=str)
        if not exprs:
            return Feasibility(
                vkeys, True, True, "every condition holds for all parameters", dict(game.defaults)
            )
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

    def ess_combinations(self, *, max_size: int | None = None, **options: Any) -> tuple[Feasibility, ...]:
        """Every set of vertices that can be ESS together (``feasible`` True or undecided).

        Sets are explored by increasing size; a set is tried only when all its
        subsets one smaller are possible (infeasibility is inherited by supersets).
        Vertices that differ in one population's strategy are never both strict
        (their conditions contradict), so they are skipped at once.
        """
        keys = [self._key(e) for e in self._entries]
        max_size = max_size or len(keys)
        possible: dict[frozenset[Any], Feasibility] = {}
        results = []
        level = [(k,) for k in keys]
        size = 1
        while level and size <= max_size:
            next_level = set()
            for combo in level:
                fs = frozenset(combo)
                if size > 1 and any(fs - {k} not in possible for k in combo):
                    continue
                if size > 1 and any(
                    _adjacent(self._lookup(a).profile, self._lookup(b).profile)
                    for a, b in itertools.combinations(combo, 2)
                ):
                    continue
                res = self.can_be_ess_together(*combo, **options)
                if res.feasible is not False:
                    possible[fs] = res
                    results.append(res)
                    for k in keys:
                        if k not in combo and keys.index(k) > max(keys.index(c) for c in combo):
                            next_level.add((*combo, k))
            level = sorted(next_level, key=lambda c: [keys.index(k) for k in c])
            size += 1
        return tuple(results)

    # ----------------------------------------------------------- output
    def _names(self) -> dict[sympy.Symbol, str]:
        return {p.symbol: _latex_name(p.name) for p in self._game.parameters}

    def to_markdown(self) -> str:
        """Markdown table: vertex, profile, eigenvalues (exact), ESS conditions."""
        lines = ["| Vertex | Profile | Eigenvalues | ESS conditions |", "|---|---|---|---|"]
        for e in self._entries:
            eig = "; ".join(f"λ{k} = {sympy.sstr(v)}" for k, v in enumerate(e.eigenvalues, start=1))
            cond = _conditions_text(e.conditions, "markdown", {})
            lines.append(f"| {_state_text(e.state)} | {', '.join(e.profile)} | {eig} | {cond} |")
        return "\n".join(lines) + "\n"

    def to_latex(self, *, caption: str | None = None, label: str | None = None) -> str:
        """Booktabs LaTeX table: vertex, eigenvalues (exact), ESS conditions."""
        names = self._names()
        cap = caption or f"Eigenvalues and ESS conditions at the vertices of {self._game.name or 'the game'}"
        lines = ["\\begin{table}[htbp]", "\\centering", f"\\caption{{{_latex_escape(cap)}}}"]
        if label:
            lines.append(f"\\label{{{label}}}")
        lines += [
            "\\begin{tabular}{lll}",
            "\\toprule",
            "Equilibrium & Eigenvalues & ESS conditions \\\\",
            "\\midrule",
        ]
        for k, e in enumerate(self._entries, start=1):
            eig = "; ".join(
                f"$\\lambda_{{{m}}} = {sympy.latex(v, symbol_names=names)}$"
                for m, v in enumerate(e.eigenvalues, start=1)
            )
            cond = _conditions_text(e.conditions, "latex", names)
            lines.append(f"$E_{{{k}}}\\,{_state_text(e.state)}$ & {eig} & {cond} \\\\")
        lines += ["\\bottomrule", "\\end{tabular}", "\\end{table}"]
        return "\n".join(lines) + "\n"


def _state_text(state: tuple[int, ...]) -> str:
    return "(" + ", ".join(str(v) for v in state) + ")"


def _adjacent(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    return sum(x != y for x, y in zip(a, b)) == 1


def _float_subs(game: Game, params: Mapping[str, Any] | None) -> dict[sympy.Symbol, sympy.Rational]:
    exact = exact_parameter_values(game.replicator(), params)
    return {p.symbol: exact[p.name] for p in game.parameters}


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
    f = sympy.lambdify([list(symbols)], exprs, modules="numpy")
    grad = sympy.lambdify(
        [list(symbols)], sympy.Matrix(exprs).jacobian(list(symbols)).tolist(), modules="numpy"
    )
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


@functools.lru_cache(maxsize=64)
def _corner_entries(game: Game) -> tuple[CornerEntry, ...]:
    dyn = game.replicator()
    entries = []
    for profile, x in dyn.vertices():
        idx = game.profile_indices(profile)
        eigs, devs, conds = [], [], []
        for i, pop in enumerate(game.populations):
            arr = game.payoff_array(i)
            for j in range(pop.size):
                if j == idx[i]:
                    continue
                alt = list(idx)
                alt[i] = j
                e = _simplify(arr[tuple(alt)] - arr[tuple(idx)])
                eigs.append(e)
                devs.append((pop.name, pop.strategies[j]))
                conds.append(sympy.StrictLessThan(e, 0))
        entries.append(
            CornerEntry(
                profile=tuple(profile),
                state=tuple(int(round(v)) for v in x),
                deviations=tuple(devs),
                eigenvalues=tuple(eigs),
                conditions=tuple(conds),
            )
        )
    return tuple(entries)


def corner_conditions(game: Game | ReplicatorDynamics) -> CornerTable:
    """Exact eigenvalues and ESS conditions at every vertex of the game.

    At the vertex of pure profile :math:`s` the Jacobian's eigenvalues are the
    payoff differences :math:`\\lambda = \\pi_i(j, s_{-i}) - \\pi_i(s)` for every
    population :math:`i` and strategy :math:`j \\ne s_i`, and the vertex is an
    ESS (strict Nash equilibrium, asymptotically stable) iff all are negative.

    Returns
    -------
    CornerTable
        Indexed by reduced state (``table[(1, 0, 1)]``) when every population
        has two strategies, by profile of strategy names in general.
    """
    g = _dynamics(game).game
    return CornerTable(g, _corner_entries(g))


# ---------------------------------------------------------- thresholds
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
    """

    vertex: tuple[Any, ...]
    profile: tuple[str, ...]
    deviation: tuple[str, str]
    parameter: str
    eigenvalue: sympy.Expr
    expression: sympy.Expr
    value: float | None
    negative_when: str | None

    def __repr__(self) -> str:
        v = "complex" if self.value is None else f"{self.value:.6g}"
        return (
            f"CriticalValue({self.vertex}, {self.deviation}: {self.parameter} = {sympy.sstr(self.expression)} "
            f"= {v}; eigenvalue negative {self.negative_when})"
        )


def critical_values(
    game: Game | ReplicatorDynamics, parameter: str, params: Mapping[str, Any] | None = None
) -> tuple[CriticalValue, ...]:
    """Thresholds of one parameter at which a vertex changes stability.

    For every vertex and every eigenvalue :math:`\\lambda(p)` that depends on
    ``parameter``, solves :math:`\\lambda = 0` for it (symbolic) and evaluates the
    solution at ``params`` (the game's defaults fill the rest).

    Returns
    -------
    tuple of CriticalValue
        Sorted by value (non-real ones last).
    """
    g = _dynamics(game).game
    if parameter not in g.parameter_names:
        raise ParameterError(
            f"game has no parameter {parameter!r}{suggest(parameter, g.parameter_names)}; "
            f"its parameters are {list(g.parameter_names)}"
        )
    symbol = g.parameter(parameter).symbol
    subs = _float_subs(g, params)
    table = corner_conditions(g)
    out = []
    for key in table:
        entry = table[key]
        for dev, eig in zip(entry.deviations, entry.eigenvalues):
            if symbol not in eig.free_symbols:
                continue
            for sol in sympy.solve(sympy.Eq(eig, 0), symbol):
                sol = _simplify(sol)
                num = sympy.N(sol.xreplace(subs), 30)
                value = float(num) if num.is_real else None
                side = None
                deriv = sympy.diff(eig, symbol).xreplace({**subs, symbol: sol.xreplace(subs)})
                dval = sympy.N(deriv, 30)
                if dval.is_real and dval != 0:
                    side = "above" if dval < 0 else "below"
                out.append(CriticalValue(key, entry.profile, dev, parameter, eig, sol, value, side))
    out.sort(key=lambda c: (c.value is None, c.value if c.value is not None else 0.0))
    return tuple(out)
