"""Results of stability analysis: StabilityKind, Equilibrium, StabilityReport.

Naming a vertex.  Every analysis result names a vertex (pure profile) the same
way, with two attributes: ``profile``, the strategy names per population
(``('B', 'P', 'I')``), and ``state``, the reduced state as a tuple of ints
(``(0, 0, 0)``; for two strategies per population 1 means the first).
:class:`Equilibrium` (in :attr:`StabilityReport.ess`),
:class:`~gametheory.analysis.corners.CornerEntry` (in
:meth:`~gametheory.analysis.corners.CornerTable.ess_at`) and
:class:`~gametheory.analysis.restpoints.RestPoint` all have both; queries
return these objects, never bare tuples.  A :class:`~gametheory.analysis.corners.CornerTable`
accepts either form as a key.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sympy

from ..errors import calls_checked
from ..game import Game, state_names
from ..latex import escape_markdown_cell as _escape_markdown_cell
from ..latex import latex_name as _latex_name
from ._text import (
    _LOCATION_PLURAL,
    _conditions_text,
    _coordinates_text,
    _count,
    _exact_is_printable,
    _fmt_complex,
    _fmt_number,
    _html,
    _latex_escape,
    _pandas,
)
from .restpoints import RestPointSet, Support

__all__ = ["StabilityKind", "Equilibrium", "StabilityReport"]

_THEORY = (
    "Selten (1980): in multi-population games every ESS is a strict Nash equilibrium, hence a vertex. "
    "Ritzberger & Weibull (1995): a rest point of the multi-population replicator dynamics is "
    "asymptotically stable if and only if it is a strict Nash equilibrium; so no mixed rest point is a sink."
)


class StabilityKind(enum.Enum):
    """Classification of a rest point by the eigenvalues of its Jacobian.

    Examples
    --------
    >>> StabilityKind.SINK, str(StabilityKind.NON_HYPERBOLIC)
    (<StabilityKind.SINK: 'sink'>, 'non-hyperbolic')
    """

    SINK = "sink"
    SOURCE = "source"
    SADDLE = "saddle"
    NON_HYPERBOLIC = "non-hyperbolic"

    def __str__(self) -> str:
        return self.value


def _sign(v: complex, eps: float) -> str:
    re = v.real
    return "0" if abs(re) <= eps else ("+" if re > 0 else "-")


@calls_checked
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
    is_nash : bool or None
        Whether no strategy outside the support earns more than the support's
        payoff (a Nash equilibrium); ``None`` for a system without payoffs
        (typed in from its equations, ``form="general"``).
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
        ``"exact"`` (60-digit eigenvalues of the exact Jacobian), ``"rounded"`` (the same, with
        irrational payoff constants such as ``exp(-1)`` rounded to 40 significant digits) or ``"double"``.
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

    Examples
    --------
    >>> from gametheory.models import classic
    >>> from gametheory.analysis.stability import analyze
    >>> (center,) = [e for e in analyze(classic.matching_pennies_3()) if not e.is_vertex]
    >>> center.label, center.kind.value, center.is_ess
    ('(1/2, 1/2, 1/2)', 'saddle', False)
    """

    point: np.ndarray
    eigenvalues: np.ndarray
    kind: StabilityKind
    is_ess: bool
    is_nash: bool | None
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
        return "vertex" if m == 0 else "interior" if m == d else "edge" if m == 1 else "face"

    @property
    def is_vertex(self) -> bool:
        """Whether the point is a vertex (a pure profile)."""
        return self.profile is not None

    @property
    def state(self) -> tuple[float, ...]:
        """The reduced state as a tuple: ints at a vertex (``(1, 0, 1)``), floats elsewhere.

        With :attr:`profile` this is the package's one way of naming a vertex;
        :class:`~gametheory.analysis.corners.CornerEntry` has the same two attributes.
        """
        if self.is_vertex:
            return tuple(int(round(float(v))) for v in self.point)
        return tuple(float(v) for v in self.point)

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
        """The point as a paper writes it: ``(0, 1, 1/2)``.

        Exact values when every coordinate is known exactly and short, otherwise
        every coordinate as a decimal: never a mix of the two.
        """
        return "(" + ", ".join(_coordinates_text(self.exact, self.point)) + ")"

    @property
    def stability(self) -> str:
        """A readable verdict: ``"ESS (sink)"``, ``"saddle (2 stable, 1 unstable)"``, ..."""
        if self.is_ess and self.kind is StabilityKind.SINK:
            text = "ESS (sink)"
        elif self.is_ess and not self.unstable_dimension:  # one population: ESS => asymptotically stable
            text = f"ESS, asymptotically stable (non-hyperbolic: {self.center_dimension} zero real part)"
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

    def summary(self) -> str:
        """One line: the point (and profile), its verdict, its eigenvalues, any flag.

        Examples
        --------
        >>> from gametheory.models import crisis_governance
        >>> from gametheory.analysis.stability import analyze
        >>> report = analyze(crisis_governance.game(), crisis_governance.STATUS_QUO)
        >>> print(report.ess[0].summary())
        (0, 0, 0) = ('B', 'P', 'I'): ESS (sink); eigenvalues -1.4, -4.8, -1
        """
        name = f" = {self.profile}" if self.profile is not None else f" ({self.location})"
        ev = ", ".join(_fmt_complex(complex(v)) for v in self.eigenvalues)
        text = f"{self.label}{name}: {self.stability}; eigenvalues {ev}"
        if self.disagreement:
            text += f"; FLAG: {self.disagreement}"
        return text

    def _repr_markdown_(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        return _html(self.summary())

    def __repr__(self) -> str:
        ev = ", ".join(_fmt_complex(complex(v)) for v in self.eigenvalues)
        return f"Equilibrium({self.label}, {self.kind.value}, ESS={self.is_ess}, eigenvalues [{ev}])"


@calls_checked
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

    Examples
    --------
    >>> from gametheory.models import crisis_governance
    >>> from gametheory.analysis.stability import analyze
    >>> report = analyze(crisis_governance.game(), crisis_governance.STATUS_QUO)
    >>> [(e.state, e.profile) for e in report.ess]
    [((0, 0, 0), ('B', 'P', 'I'))]
    >>> print(report.summary().splitlines()[1])
    Rest points: 9 isolated (8 vertices, 1 face); 0 continua; enumeration complete (exact)
    >>> report.to_frame().shape[0]
    9
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
        d = len(state_names(self.game.populations))
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
            elif self.game.symmetric_payoffs is not None:  # one population: mixed ESS exist
                cond = "ESS (Maynard Smith's test)" if e.is_ess else ""
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
            lines.append("| " + " | ".join(_escape_markdown_cell(c) for c in row) + " |")
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
                f"{_count(len(self.continua), 'continuum', 'continua')} of rest points "
                "(non-hyperbolic, never ESS): " + "; ".join(c.describe() for c in self.continua)
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
        where = ", ".join(_count(n, loc, _LOCATION_PLURAL[loc]) for loc, n in counts.items())
        title = self.game.name or "game"
        lines = [
            f"Stability analysis: {title}",
            f"Rest points: {len(self.equilibria)} isolated ({where}); {_count(len(self.continua), 'continuum', 'continua')}; "
            f"enumeration {'complete (exact)' if self.complete else 'NOT certified complete'}",
        ]
        replicator = _THEORY in self.notes  # the exact analysis of the replicator's theorems
        one_population = self.game.symmetric_payoffs is not None and any(
            "One population:" in n for n in self.notes
        )
        if self.ess and one_population:
            ess = "; ".join(f"{e.label} = {e.profile if e.profile else e.location}" for e in self.ess)
            lines.append(f"ESS (Maynard Smith; asymptotically stable): {ess}")
        elif self.ess:
            ess = "; ".join(f"{e.label} = {e.profile}" for e in self.ess)
            lines.append(f"ESS (strict Nash equilibria, asymptotically stable): {ess}")
        elif replicator:
            lines.append("ESS: none (no strict Nash equilibrium)")
        elif one_population:
            lines.append("ESS: none")
        else:
            lines.append("ESS: not decided for this dynamics (see the notes)")
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
        if replicator:
            lines.append(f"Theory check ({'consistent' if self.consistent else 'INCONSISTENT'}): {_THEORY}")
        lines.extend(self._short_notes())
        lines.extend(n for n in self.notes if n not in lines and n != _THEORY)
        return "\n".join(lines)

    def _repr_markdown_(self) -> str:
        return self.to_markdown()

    def _repr_html_(self) -> str:
        return _html(self.to_markdown())

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Draw the rest points, marked by stability kind, with :func:`gametheory.plot.rest_points`."""
        from .. import plot as _plot  # a result's plot() forwards to the drawing function

        return _plot.rest_points(self, ax=ax, **kwargs)

    def to_frame(self) -> Any:
        """The equilibria as a :class:`pandas.DataFrame` (one row each); needs pandas.

        Columns: one per state coordinate, then ``location``, ``support``,
        ``profile``, ``state``, ``eigenvalues``, ``sign``, ``kind``, ``is_ess``,
        ``is_nash``, the manifold dimensions, ``disagreement`` and ``numerical_verdict``.
        """
        pd = _pandas()
        names = state_names(self.game.populations)
        records = []
        for e in self.equilibria:
            rec: dict[str, Any] = {n: float(v) for n, v in zip(names, e.point)}
            rec.update(
                location=e.location,
                support=e.support,
                profile=e.profile,
                state=e.state,
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
            f"StabilityReport({len(self.equilibria)} rest points, {_count(len(self.continua), 'continuum', 'continua')}, "
            f"ESS: {ess}, consistent={self.consistent})"
        )


def _latex_point(e: Equilibrium) -> str:
    if _exact_is_printable(e.exact):
        vals = [sympy.latex(v) for v in e.exact]
    else:  # all coordinates as decimals, never a mix (as in Equilibrium.label)
        vals = [_fmt_number(float(v), 6) for v in e.point]
    return "(" + ", ".join(vals) + ")"


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


def _is_nash_mixed(game: Game, support: Support, pay: np.ndarray, eps: float) -> bool:
    offset = 0
    for pop, S in zip(game.populations, support):
        block = pay[offset : offset + pop.size]
        inside = max(block[pop.index(s)] for s in S)
        if block.max() > inside + eps:
            return False
        offset += pop.size
    return True
