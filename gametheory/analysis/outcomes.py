"""Results of :func:`gametheory.analysis.attractors.attractors`: what each start approaches.

:class:`AttractorKind` names what a trajectory approaches, :class:`Outcome` holds the
decision and its evidence for one start, :class:`Attractor` groups the starts with one
outcome, and :class:`AttractorReport` holds all of them.  Every result is immutable.
"""

from __future__ import annotations

import enum
import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import AnalysisError, calls_checked

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


@calls_checked
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
        State at ``t_end`` (for ``FAILED``: the start).
    t_end : float
        Time up to which the trajectory was integrated (for ``FAILED``: 0).
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

    Examples
    --------
    >>> import gametheory as gt
    >>> pd_game = gt.Game.from_table(
    ...     {"row": ["C", "D"], "col": ["C", "D"]},
    ...     {("C", "C"): (3, 3), ("C", "D"): (0, 4), ("D", "C"): (4, 0), ("D", "D"): (1, 1)},
    ... )
    >>> rep = gt.attractors(pd_game, starts=[[0.9, 0.8], [0.2, 0.5]])
    >>> o = rep.outcomes[0]
    >>> o.kind, o.label, o.certified
    (<AttractorKind.REST_POINT: 'rest point'>, 'rest point (D, D) = (0, 0)', True)
    >>> o.eigenvalues.real.tolist()
    [-1.0, -1.0]
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

    def summary(self) -> str:
        """Two lines of plain text: what the start approaches, and why."""
        cert = " (certified)" if self.certified else ""
        return f"start {self.index}: {self.label}{cert}\n  evidence: {self.evidence}"

    def _repr_markdown_(self) -> str:
        cert = " (certified)" if self.certified else ""
        return f"**start {self.index}**: {_md(self.label)}{cert}\n\n{_md(self.evidence)}"

    def _repr_html_(self) -> str:
        cert = " (certified)" if self.certified else ""
        return f"<p><b>start {self.index}</b>: {html.escape(self.label)}{cert}</p><p>{html.escape(self.evidence)}</p>"


@calls_checked
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

    Examples
    --------
    >>> import gametheory as gt
    >>> pd_game = gt.Game.from_table(
    ...     {"row": ["C", "D"], "col": ["C", "D"]},
    ...     {("C", "C"): (3, 3), ("C", "D"): (0, 4), ("D", "C"): (4, 0), ("D", "D"): (1, 1)},
    ... )
    >>> rep = gt.attractors(pd_game, starts=[[0.9, 0.8], [0.2, 0.5]])
    >>> a = rep.attractors[0]
    >>> a.label, a.count, a.members
    ('rest point (D, D) = (0, 0)', 2, (0, 1))
    >>> a.summary()
    '100.0% (2) rest point (D, D) = (0, 0) [eigenvalues (-1, -1); 2 certified by a trapping box]'
    """

    kind: AttractorKind
    label: str
    count: int
    share: float
    members: tuple[int, ...]
    detail: str
    example: Outcome

    def summary(self) -> str:
        """One line of plain text: share, count, label and key numbers."""
        return f"{self.share:.1%} ({self.count}) {self.label}" + (f" [{self.detail}]" if self.detail else "")

    def _repr_markdown_(self) -> str:
        return _md(self.summary())

    def _repr_html_(self) -> str:
        return f"<p>{html.escape(self.summary())}</p>"


@calls_checked
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
        Tolerances of the integrator (on the coordinates it integrates).
    seed : int or None
        Seed of the Sobol sample (None when ``starts`` were given).
    coordinates : str
        ``"log-ratio"`` (the replicator path) or ``"shares"`` (the general path, any dynamics).

    Examples
    --------
    >>> import gametheory as gt
    >>> pd_game = gt.Game.from_table(
    ...     {"row": ["C", "D"], "col": ["C", "D"]},
    ...     {("C", "C"): (3, 3), ("C", "D"): (0, 4), ("D", "C"): (4, 0), ("D", "D"): (1, 1)},
    ... )
    >>> rep = gt.attractors(pd_game, starts=[[0.9, 0.8], [0.2, 0.5]])
    >>> rep.shares
    {'rest point (D, D) = (0, 0)': 1.0}
    >>> print(rep.to_markdown().splitlines()[2])
    | rest point (D, D) = (0, 0) | rest point | 100.0% | 2 | eigenvalues (-1, -1); 2 certified by a trapping box |
    >>> rep.to_frame()[["index", "kind", "certified"]].values.tolist()
    [[0, 'rest point', True], [1, 'rest point', True]]
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
    coordinates: str = "log-ratio"

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
            f"rtol = {self.rtol:g}, atol = {self.atol:g} ({self.coordinates} coordinates)"
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
            f"\n\n{len(self.outcomes)} starts, integrated in {self.coordinates} coordinates up to t = {self.t_span[1]:g} "
            f"(rtol {self.rtol:g}, atol {self.atol:g})."
        )
        return "\n".join(rows) + note

    def _repr_markdown_(self) -> str:
        return self.to_markdown()

    def _repr_html_(self) -> str:
        head = "<tr><th>outcome</th><th>kind</th><th>share</th><th>starts</th><th>details</th></tr>"
        rows = "".join(
            f"<tr><td>{html.escape(a.label)}</td><td>{a.kind.value}</td><td>{a.share:.1%}</td>"
            f"<td>{a.count}</td><td>{html.escape(a.detail)}</td></tr>"
            for a in self.attractors
        )
        return f"<table>{head}{rows}</table><p>{html.escape(self.summary().splitlines()[0])}</p>"

    def to_frame(self, per: str = "start") -> Any:
        """A pandas DataFrame: one row per start (``per="start"``) or per attractor (``"attractor"``).

        Per start: ``index``, the start's coordinates (``x0_<state>``), ``kind``, ``label``,
        ``certified``, ``t_end``, the final state (``final_<state>``), ``period``, ``dwell_ratio``.
        Per attractor: ``label``, ``kind``, ``count``, ``share``, ``detail``.
        """
        import pandas as pd

        if per == "attractor":
            return pd.DataFrame(
                {
                    "label": [a.label for a in self.attractors],
                    "kind": [a.kind.value for a in self.attractors],
                    "count": [a.count for a in self.attractors],
                    "share": [a.share for a in self.attractors],
                    "detail": [a.detail for a in self.attractors],
                }
            )
        if per != "start":
            raise AnalysisError(f"to_frame(per=...) takes 'start' or 'attractor', got {per!r}")
        data: dict[str, Any] = {"index": [o.index for o in self.outcomes]}
        for c, name in enumerate(self.state_names):
            data[f"x0_{name}"] = self.starts[:, c]
        data["kind"] = [o.kind.value for o in self.outcomes]
        data["label"] = list(self.labels)
        data["certified"] = [o.certified for o in self.outcomes]
        data["t_end"] = [o.t_end for o in self.outcomes]
        for c, name in enumerate(self.state_names):
            data[f"final_{name}"] = [float(o.final[c]) for o in self.outcomes]
        data["period"] = [np.nan if o.period is None else o.period for o in self.outcomes]
        data["dwell_ratio"] = [np.nan if o.dwell_ratio is None else o.dwell_ratio for o in self.outcomes]
        return pd.DataFrame(data)

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Draw this report with :func:`gametheory.plot.attractors` (forwarded lazily)."""
        from .. import plot as _plot  # a result's plot() forwards to the drawing function

        return _plot.attractors(self, ax=ax, **kwargs)

    def __repr__(self) -> str:
        parts = ", ".join(f"{a.label}: {a.share:.0%}" for a in self.attractors[:4])
        more = ", ..." if len(self.attractors) > 4 else ""
        return f"AttractorReport({len(self.outcomes)} starts; {parts}{more})"


def _md(text: str) -> str:
    """Text safe inside a Markdown table cell or paragraph."""
    return text.replace("|", "\\|")


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
            how = "a Lyapunov ellipsoid" if "ellipsoid" in ex.evidence else "a trapping box"
            text += f"; {certified} certified by {how}"
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
    if kind in (AttractorKind.UNRESOLVED, AttractorKind.FAILED):
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
