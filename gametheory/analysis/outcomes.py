"""Results of :func:`gametheory.analysis.attractors.attractors`: what each start approaches.

:class:`AttractorKind` names what a trajectory approaches, :class:`Outcome` holds the
decision and its evidence for one start, :class:`Attractor` groups the starts with one
outcome, and :class:`AttractorReport` holds all of them.  Every result is immutable.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import AnalysisError

__all__ = ["AttractorKind", "Outcome", "Attractor", "AttractorReport"]


class AttractorKind(enum.Enum):
    """What a trajectory approaches (``FAILED``: the analysis of that start failed).

    Examples
    --------
    >>> AttractorKind("heteroclinic cycle") is AttractorKind.HETEROCLINIC_CYCLE
    True
    >>> str(AttractorKind.FAILED)
    'failed'
    """

    REST_POINT = "rest point"
    REST_POINT_SET = "set of rest points"
    NEUTRAL_CYCLE = "neutral cycle"
    LIMIT_CYCLE = "limit cycle"
    HETEROCLINIC_CYCLE = "heteroclinic cycle"
    UNRESOLVED = "unresolved"
    FAILED = "failed"

    def __str__(self) -> str:
        return self.value


def _frozen(arr: Any, dtype: Any = float) -> np.ndarray | None:
    if arr is None:
        return None
    out = np.array(arr, dtype=dtype)
    out.setflags(write=False)
    return out


@dataclass(frozen=True)
class Outcome:
    """What the trajectory from one start approaches (immutable).

    Attributes
    ----------
    index : int
        Position of the start in :attr:`AttractorReport.starts`.
    start : ndarray, shape (d,)
        The start (reduced state).
    kind : AttractorKind
    label : str
        Readable name of what is approached; starts with equal labels approach
        the same attractor (e.g. ``"rest point (B, P, I)"``).
    final : ndarray, shape (d,)
        State at ``t_end``.
    t_end : float
        Time up to which the trajectory was integrated.
    point : ndarray, shape (d,), or None
        The rest point approached (``REST_POINT``, ``REST_POINT_SET``), or the
        centre of a cycle (time average over one period).
    profile : tuple of str or None
        The pure profile when ``point`` is a vertex.
    eigenvalues : ndarray (complex) or None
        For a vertex :math:`v`: all payoff advantages
        :math:`f_{ij}(v) - f_{iv_i}(v)`, population by population and strategy
        by strategy (skipping :math:`v_i`), which are the eigenvalues of the
        Jacobian at :math:`v`.  For another rest point: the eigenvalues of the
        Jacobian restricted to the start's face.
    rates : ndarray or None
        For a vertex: the final slopes :math:`\\frac{d}{dt}\\ln(x_{ij}/x_{i v_i})`,
        aligned with ``eigenvalues`` (``nan`` for strategies absent from the
        start's face).  Inside a trapping box they equal the eigenvalues.
    certified : bool
        True when convergence is proved by a trapping box (see module docstring).
    period : float or None
        Period of a cycle.
    amplitude : ndarray, shape (d,), or None
        Half the peak-to-peak range of each coordinate over one period.
    drift : float or None
        Largest displacement between returns to the Poincare section, relative
        to the orbit's size (cycles).
    multiplier : float or None
        Contraction of a perturbation per period (limit cycles; below 1).
    corners : tuple of profiles or None
        Corner sequence of a heteroclinic cycle (one round, in visiting order,
        starting at the corner with the smallest state).
    dwell_times : tuple of float or None
        Durations of the completed corner visits of the periodic tail, in order.
    dwell_ratio : float or None
        :math:`(T_k / T_{k-m})^{1/m}` over the last round of ``m`` visits.
    evidence : str
        Why this outcome was decided.
    """

    index: int
    start: np.ndarray
    kind: AttractorKind
    label: str
    final: np.ndarray
    t_end: float
    evidence: str
    point: np.ndarray | None = None
    profile: tuple[str, ...] | None = None
    eigenvalues: np.ndarray | None = None
    rates: np.ndarray | None = None
    certified: bool = False
    period: float | None = None
    amplitude: np.ndarray | None = None
    drift: float | None = None
    multiplier: float | None = None
    corners: tuple[tuple[str, ...], ...] | None = None
    dwell_times: tuple[float, ...] | None = None
    dwell_ratio: float | None = None

    def __post_init__(self) -> None:
        for name in ("start", "final", "point", "rates", "amplitude"):
            object.__setattr__(self, name, _frozen(getattr(self, name)))
        object.__setattr__(self, "eigenvalues", _frozen(self.eigenvalues, complex))

    def __repr__(self) -> str:
        return f"Outcome(index={self.index}, kind={self.kind.value!r}, label={self.label!r})"


@dataclass(frozen=True)
class Attractor:
    """One distinct outcome and the starts that approach it (immutable).

    Attributes
    ----------
    kind : AttractorKind
    label : str
    count : int
        Number of starts.
    share : float
        ``count / n``.
    members : tuple of int
        Indices of those starts.
    detail : str
        Key numbers (vertex eigenvalues, period range, dwell ratio...).
    example : Outcome
        The outcome of the first member.
    """

    kind: AttractorKind
    label: str
    count: int
    share: float
    members: tuple[int, ...]
    detail: str
    example: Outcome


@dataclass(frozen=True)
class AttractorReport:
    """What the trajectories from a sample of starts approach (immutable).

    Attributes
    ----------
    game_name : str
    state_names : tuple of str
    params : mapping
        Parameter values used.
    starts : ndarray, shape (n, d)
    outcomes : tuple of Outcome
        One per start, in the order of ``starts``.
    attractors : tuple of Attractor
        Distinct outcomes, most frequent first.
    t_span : tuple of float
        ``(0, t1)``: the integration horizon.
    rtol, atol : float
        Tolerances of the integrator (on the log-ratio coordinates).
    seed : int or None
        Seed of the Sobol sample (None when ``starts`` were given).
    """

    game_name: str
    state_names: tuple[str, ...]
    params: Mapping[str, float]
    starts: np.ndarray
    outcomes: tuple[Outcome, ...]
    attractors: tuple[Attractor, ...]
    t_span: tuple[float, float]
    rtol: float
    atol: float
    seed: int | None

    def __post_init__(self) -> None:
        object.__setattr__(self, "starts", _frozen(self.starts))

    @property
    def labels(self) -> tuple[str, ...]:
        """Per-start labels."""
        return tuple(o.label for o in self.outcomes)

    @property
    def kinds(self) -> tuple[AttractorKind, ...]:
        """Per-start kinds."""
        return tuple(o.kind for o in self.outcomes)

    @property
    def shares(self) -> dict[str, float]:
        """Share of starts per label, most frequent first."""
        return {a.label: a.share for a in self.attractors}

    def share(self, kind: AttractorKind | str) -> float:
        """Share of starts whose outcome has this kind (an :class:`AttractorKind` or its value)."""
        if isinstance(kind, str):
            try:
                kind = AttractorKind(kind)
            except ValueError:
                raise AnalysisError(
                    f"unknown attractor kind {kind!r}; kinds are {[k.value for k in AttractorKind]}"
                ) from None
        return sum(o.kind is kind for o in self.outcomes) / max(1, len(self.outcomes))

    def summary(self) -> str:
        """A few lines of plain text."""
        n = len(self.outcomes)
        head = (
            f"Attractors of {self.game_name or 'the game'}: {n} start(s), t_span = (0, {self.t_span[1]:g}), "
            f"rtol = {self.rtol:g}, atol = {self.atol:g} (log-ratio coordinates)"
        )
        lines = [head]
        for a in self.attractors:
            lines.append(
                f"  {a.share:7.1%}  ({a.count:>4})  {a.label}" + (f"  [{a.detail}]" if a.detail else "")
            )
        return "\n".join(lines)

    def to_markdown(self) -> str:
        """A Markdown table: outcome, kind, share, starts, key numbers."""
        rows = [
            "| outcome | kind | share | starts | details |",
            "|---|---|---:|---:|---|",
        ]
        for a in self.attractors:
            label = a.label.replace("|", "\\|")
            detail = a.detail.replace("|", "\\|")
            rows.append(f"| {label} | {a.kind.value} | {a.share:.1%} | {a.count} | {detail} |")
        note = (
            f"\n\n{len(self.outcomes)} starts, integrated in log-ratio coordinates up to t = {self.t_span[1]:g} "
            f"(rtol {self.rtol:g}, atol {self.atol:g})."
        )
        return "\n".join(rows) + note

    def __repr__(self) -> str:
        parts = ", ".join(f"{a.label}: {a.share:.0%}" for a in self.attractors[:4])
        more = ", ..." if len(self.attractors) > 4 else ""
        return f"AttractorReport({len(self.outcomes)} starts; {parts}{more})"


def _group(outcomes: Sequence[Outcome], n: int) -> tuple[Attractor, ...]:
    by_label: dict[str, list[Outcome]] = {}
    for o in outcomes:
        by_label.setdefault(o.label, []).append(o)
    groups = []
    for label, members in by_label.items():
        ex = members[0]
        groups.append(
            Attractor(
                kind=ex.kind,
                label=label,
                count=len(members),
                share=len(members) / n,
                members=tuple(o.index for o in members),
                detail=_detail(members),
                example=ex,
            )
        )
    groups.sort(key=lambda a: (-a.count, a.label))
    return tuple(groups)


def _detail(members: Sequence[Outcome]) -> str:
    ex = members[0]
    kind = ex.kind
    if kind is AttractorKind.REST_POINT:
        text = f"eigenvalues {_fmt(ex.eigenvalues)}" if ex.eigenvalues is not None else ""
        certified = sum(o.certified for o in members)
        if certified:
            text += f"; {certified} certified by a trapping box"
        return text.strip("; ")
    if kind in (AttractorKind.NEUTRAL_CYCLE, AttractorKind.LIMIT_CYCLE):
        periods = [o.period for o in members if o.period is not None]
        lo, hi = min(periods), max(periods)
        text = f"period {lo:.4g}" + (f"–{hi:.4g}" if hi > lo else "")
        if kind is AttractorKind.LIMIT_CYCLE and ex.multiplier is not None:
            text += f"; multiplier {ex.multiplier:.3g}"
        return text
    if kind is AttractorKind.HETEROCLINIC_CYCLE:
        ratios = [o.dwell_ratio for o in members if o.dwell_ratio is not None]
        return f"dwell-time ratio {min(ratios):.4g}" + (
            f"–{max(ratios):.4g}" if max(ratios) > min(ratios) else ""
        )
    if kind is AttractorKind.UNRESOLVED:
        return ex.evidence[:120]
    if kind is AttractorKind.REST_POINT_SET:
        points = np.array([o.point for o in members])
        lo, hi = points.min(axis=0), points.max(axis=0)
        return "limits " + ", ".join(f"{a:.4g}" if a == b else f"{a:.4g}..{b:.4g}" for a, b in zip(lo, hi))
    return ""


def _fmt(values: Any, digits: int = 4) -> str:
    vals = list(values)
    parts = []
    for v in vals:
        if isinstance(v, complex) or np.iscomplexobj(v):
            v = complex(v)
            if abs(v.imag) <= 1e-12 * max(1.0, abs(v.real)):
                parts.append(f"{v.real:.{digits}g}")
            else:
                parts.append(f"{v.real:.{digits}g}{v.imag:+.{digits}g}i")
        else:
            parts.append(f"{float(v):.{digits}g}")
    return "(" + ", ".join(parts) + ")"


def _short(v: float) -> str:
    """Four significant digits, with values below 1e-9 shown as 0 (a share on a face)."""
    v = float(v)
    return "0" if abs(v) < 1e-9 else f"{v:.4g}"
