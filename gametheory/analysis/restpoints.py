"""Results of rest-point enumeration: RestPoint, RestPointSet (continua), RestPoints."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sympy

from ..errors import calls_checked
from ._text import _LOCATION_PLURAL, _coordinates_text, _count, _html, _pandas, _set_text

__all__ = ["RestPoint", "RestPointSet", "RestPoints", "Support", "state_support"]

#: A support: for each population, the names of its strategies with positive share.
Support = tuple[tuple[str, ...], ...]

_DIGITS = 50  # working precision (significant digits) of high-precision root finding
_POSITIVE = 1e-30  # a share computed at 50 digits counts as positive above this
_CACHE: dict[tuple[Any, ...], RestPoints] = {}
_CACHE_SIZE = 256


def _readonly(a: np.ndarray) -> np.ndarray:
    a = np.array(a, dtype=float)
    a.setflags(write=False)
    return a


def _face_location(m: int, d: int) -> str:
    if m == 0:
        return "vertex"
    if m == 1:
        return "edge"
    return "interior" if m == d else "face"


@calls_checked
@dataclass(frozen=True)
class RestPoint:
    """An isolated rest point of the replicator dynamics.

    Attributes
    ----------
    point : ndarray, shape (d,)
        Reduced state (read-only).
    support : tuple of tuple of str
        For each population, the strategies with positive share.
    exact : tuple of sympy.Expr or None
        The reduced state as exact algebraic numbers when known: vertices,
        isolated points of positive-dimensional systems, and zero-dimensional
        supports in shape position whose root polynomial has coefficients of
        at most 256 bits or degree 1; ``None`` when the roots were computed
        numerically to 50 digits (see :mod:`~gametheory.analysis.equilibria`).
    profile : tuple of str or None
        The pure profile for a vertex, ``None`` otherwise.
    certified : bool
        Found by exact algebra (``True``) or by the numeric multi-start search.
    digits : tuple of str or None
        The point to 50 significant digits (decimal strings) when found by exact
        algebra: what :func:`gametheory.analysis.stability.analyze` linearises at.
    residual : float
        :math:`\\max_r |\\dot x_r|` at ``point`` (double precision).

    Examples
    --------
    >>> from gametheory.models import classic
    >>> from gametheory.analysis.equilibria import rest_points
    >>> (center,) = rest_points(classic.matching_pennies_3()).mixed
    >>> center.location, center.certified, center.exact
    ('interior', True, (1/2, 1/2, 1/2))
    """

    point: np.ndarray
    support: Support
    exact: tuple[sympy.Expr, ...] | None
    profile: tuple[str, ...] | None
    certified: bool = True
    residual: float = 0.0
    digits: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "point", _readonly(self.point))

    @property
    def face_dimension(self) -> int:
        """Dimension of the face whose relative interior holds the point: :math:`\\sum_i (|S_i| - 1)`."""
        return sum(len(s) - 1 for s in self.support)

    @property
    def location(self) -> str:
        """``"vertex"``, ``"edge"``, ``"face"`` or ``"interior"``."""
        return _face_location(self.face_dimension, self.point.shape[0])

    @property
    def is_vertex(self) -> bool:
        return self.profile is not None

    def __repr__(self) -> str:
        pt = ", ".join(f"{v:.6g}" for v in self.point)
        return f"RestPoint(({pt}), {self.location}, support={self.support})"

    @property
    def state(self) -> tuple[float, ...]:
        """The reduced state as a tuple: ints at a vertex (``(1, 0, 1)``), floats elsewhere."""
        if self.is_vertex:
            return tuple(int(round(float(v))) for v in self.point)
        return tuple(float(v) for v in self.point)

    @property
    def label(self) -> str:
        """The point as text: exact when every coordinate is known and short, else all decimal."""
        return "(" + ", ".join(_coordinates_text(self.exact, self.point)) + ")"

    def summary(self) -> str:
        """One line: the point, where it lies, its support, how it was found."""
        how = "exact algebra" if self.certified else "numeric search (not certified)"
        name = f" = {self.profile}" if self.profile is not None else ""
        return f"{self.label}{name}: {self.location}, support {self.support}, {how}"

    def _repr_markdown_(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        return _html(self.summary())


@calls_checked
@dataclass(frozen=True)
class RestPointSet:
    """A continuum (positive-dimensional set) of rest points inside one face.

    Every point of the set is a rest point, and every one is non-hyperbolic (a
    zero eigenvalue along the set).  When known exactly, the set is
    ``{x : x = parametrization(free), free coordinates in region}``.

    Attributes
    ----------
    support : tuple of tuple of str
        The face (support per population) whose relative interior holds the set.
    dimension : int
        Dimension of the set (number of free coordinates; for a numeric set,
        the nullity of the support system's Jacobian at the sampled points).
    equations : tuple of sympy.Expr
        The support system: polynomials in the state symbols (parameters
        substituted) that vanish on the set.
    states : tuple of sympy.Symbol
        The state symbols of ``equations`` and ``parametrization``.
    free : tuple of sympy.Symbol
        The free state coordinates (empty for a numeric set).
    parametrization : tuple of sympy.Expr or None
        The reduced state, coordinate by coordinate, as expressions in ``free``;
        ``None`` for a set found by the numeric search.
    region : tuple of sympy.Set or None
        When the admissible values of the free coordinates form a product of
        intervals (always for one-dimensional sets), the exact range of each;
        ``None`` when the range was only explored by sampling.
    samples : ndarray, shape (n_samples, d)
        Points of the set in the open face (read-only).
    strategies : tuple of tuple of str
        All strategies of each population (to read supports off states).
    certified : bool
        ``True`` when the set and its range were obtained exactly.

    Examples
    --------
    >>> import gametheory as gt
    >>> from gametheory.analysis.equilibria import rest_points
    >>> table = {("1", "1"): (1, 1), ("2", "1"): (1, 1), ("1", "2"): (2, 0), ("2", "2"): (0, 0)}
    >>> game = gt.Game.from_table({"a": ["1", "2"], "b": ["1", "2"]}, table)
    >>> (line,) = rest_points(game).continua
    >>> line.describe(), line.contains([0.3, 1.0])
    ('0 < x < 1, y = 1', True)
    """

    support: Support
    dimension: int
    equations: tuple[sympy.Expr, ...]
    states: tuple[sympy.Symbol, ...]
    strategies: tuple[tuple[str, ...], ...]
    free: tuple[sympy.Symbol, ...]
    parametrization: tuple[sympy.Expr, ...] | None
    region: tuple[sympy.Set, ...] | None
    samples: np.ndarray
    certified: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "samples", _readonly(self.samples))

    @property
    def location(self) -> str:
        """``"edge"``, ``"face"`` or ``"interior"``: where the continuum lies."""
        m = sum(len(s) - 1 for s in self.support)
        return _face_location(m, len(self.states))

    def describe(self) -> str:
        """A one-line description in plain notation, e.g. ``x = 1/2, 0 < y < 1, z = 1``."""
        if self.parametrization is None:
            eqs = ", ".join(f"{sympy.sstr(e)} = 0" for e in self.equations)
            return f"numeric set of dimension {self.dimension} on support {self.support}: {eqs}"
        parts = []
        for expr, sym in zip(self.parametrization, self.states):
            if expr == sym and sym in self.free:
                if self.region is not None:
                    parts.append(_set_text(sym, self.region[self.free.index(sym)]))
                else:
                    parts.append(f"{sym} free (range sampled)")
            else:
                parts.append(f"{sym} = {sympy.sstr(expr)}")
        return ", ".join(parts)

    def contains(self, x: Sequence[float], tol: float = 1e-8) -> bool:
        """Whether the reduced state ``x`` lies on the set, within ``tol``.

        ``x`` must have exactly this support (shares above ``tol`` on it, at most
        ``tol`` off it), satisfy the support equations within ``tol``, and, for
        an exact set, match its parametrization within ``tol``.
        """
        x = np.asarray(x, dtype=float)
        if x.shape != (len(self.states),):
            return False
        if state_support(self.strategies, x, tol) != self.support:
            return False
        values = dict(zip(self.states, x.tolist()))
        for e in self.equations:
            if abs(float(e.xreplace(values))) > tol:
                return False
        if self.parametrization is not None:
            free_values = {s: values[s] for s in self.free}
            for expr, v in zip(self.parametrization, x):
                try:
                    target = float(expr.xreplace(free_values))
                except (TypeError, ZeroDivisionError):
                    return False
                if not math.isfinite(target) or abs(target - v) > tol:
                    return False
        return True

    def __repr__(self) -> str:
        return f"RestPointSet(dimension {self.dimension}, {self.location}: {self.describe()})"

    def summary(self) -> str:
        """One line: dimension, where it lies, the set in plain notation, and whether it is certified."""
        how = "exact" if self.certified else "explored by sampling (not certified)"
        return f"continuum of dimension {self.dimension} ({self.location}, {how}): {self.describe()}"

    def _repr_markdown_(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        return _html(self.summary())


@calls_checked
@dataclass(frozen=True)
class RestPoints:
    """All rest points found for one parameter set (immutable).

    Iterating over it, indexing it and ``len`` give the isolated
    :class:`RestPoint` objects; continua are in :attr:`continua`.

    Attributes
    ----------
    points : tuple of RestPoint
        Isolated rest points: the vertices first (in ``game.profiles`` order),
        then by face dimension.
    continua : tuple of RestPointSet
        Positive-dimensional sets of rest points (degenerate games).
    complete : bool
        ``True`` when every support system was solved exactly: then the points
        and continua are all the rest points there are.
    params : dict
        The parameter values used (defaults filled in).
    exact_parameters : dict
        The exact rationals the parameters were converted to.
    method : str
        How the support systems were solved.
    notes : tuple of str
        Anything the reader should know (numeric supports, rounded payoffs...).
    dynamics : Dynamics or None
        The dynamics whose rest points these are (for state names and plots).

    Examples
    --------
    >>> from gametheory.models import classic
    >>> from gametheory.analysis.equilibria import rest_points
    >>> res = rest_points(classic.matching_pennies_3())
    >>> len(res), len(res.vertices), res.complete
    (9, 8, True)
    >>> res.mixed[0].label
    '(1/2, 1/2, 1/2)'
    >>> print(res.summary().splitlines()[0])
    Rest points: 9 isolated (8 vertices, 1 interior); 0 continua; enumeration complete (exact)
    """

    points: tuple[RestPoint, ...]
    continua: tuple[RestPointSet, ...]
    complete: bool
    params: Mapping[str, float]
    exact_parameters: Mapping[str, sympy.Rational]
    method: str
    notes: tuple[str, ...] = field(default=())
    dynamics: Any = field(default=None, repr=False, compare=False)

    def __iter__(self) -> Iterator[RestPoint]:
        return iter(self.points)

    def __len__(self) -> int:
        return len(self.points)

    def __getitem__(self, k: int) -> RestPoint:
        return self.points[k]

    @property
    def vertices(self) -> tuple[RestPoint, ...]:
        return tuple(p for p in self.points if p.is_vertex)

    @property
    def mixed(self) -> tuple[RestPoint, ...]:
        """Isolated rest points that are not vertices."""
        return tuple(p for p in self.points if not p.is_vertex)

    @property
    def array(self) -> np.ndarray:
        """The isolated rest points as an array of shape ``(n, d)``."""
        if not self.points:
            return np.zeros((0, 0))
        return np.stack([p.point for p in self.points])

    def _state_names(self) -> tuple[str, ...]:
        if self.dynamics is not None:
            return tuple(self.dynamics.state_names)
        d = self.points[0].point.shape[0] if self.points else 0
        return tuple(f"x{k}" for k in range(d))

    def summary(self) -> str:
        """Plain text: counts by location, certification, every point, every continuum, notes."""
        counts: dict[str, int] = {}
        for p in self.points:
            counts[p.location] = counts.get(p.location, 0) + 1
        where = ", ".join(_count(n, loc, _LOCATION_PLURAL[loc]) for loc, n in counts.items())
        status = "complete (exact)" if self.complete else "NOT certified complete"
        lines = [
            f"Rest points: {len(self.points)} isolated ({where}); "
            f"{_count(len(self.continua), 'continuum', 'continua')}; enumeration {status}"
        ]
        lines.extend(f"  {p.summary()}" for p in self.points)
        lines.extend(f"  {c.summary()}" for c in self.continua)
        lines.extend(self.notes)
        return "\n".join(lines)

    def to_markdown(self) -> str:
        """A Markdown table: one row per isolated rest point, continua and notes below."""
        lines = ["| Point | Location | Support | Found by |", "|---|---|---|---|"]
        for p in self.points:
            support = "; ".join(", ".join(S) for S in p.support)
            how = "exact algebra" if p.certified else "numeric search"
            lines.append(f"| {p.label} | {p.location} | {support} | {how} |")
        lines.extend(f"\n{c.summary()}" for c in self.continua)
        if not self.complete:
            lines.append("\nThe enumeration is not certified complete (numeric search).")
        return "\n".join(lines) + "\n"

    def _repr_markdown_(self) -> str:
        return self.to_markdown()

    def _repr_html_(self) -> str:
        return _html(self.to_markdown())

    def to_frame(self) -> Any:
        """The isolated rest points as a :class:`pandas.DataFrame` (one row each); needs pandas.

        Columns: one per state coordinate, then ``location``, ``support``,
        ``profile``, ``certified``, ``residual``.
        """
        pd = _pandas()
        names = self._state_names()
        records = []
        for p in self.points:
            rec: dict[str, Any] = {n: float(v) for n, v in zip(names, p.point)}
            rec.update(
                location=p.location,
                support=p.support,
                profile=p.profile,
                certified=p.certified,
                residual=p.residual,
            )
            records.append(rec)
        return pd.DataFrame.from_records(
            records, columns=[*names, "location", "support", "profile", "certified", "residual"]
        )

    def plot(self, ax: Any = None) -> Any:
        """Draw these rest points with :func:`gametheory.plot.rest_points` (imported lazily)."""
        from ..plot import rest_points

        return rest_points(self, ax=ax)

    def __repr__(self) -> str:
        return (
            f"RestPoints({_count(len(self.vertices), 'vertex', 'vertices')}, "
            f"{_count(len(self.mixed), 'other isolated point', 'other isolated points')}, "
            f"{_count(len(self.continua), 'continuum', 'continua')}, complete={self.complete})"
        )


# ---------------------------------------------------------------- supports
def state_support(strategies: Sequence[Sequence[str]], x: Sequence[float], tol: float = 1e-8) -> Support:
    """The support of a reduced state: per population, the strategies with share above ``tol``.

    ``strategies`` lists every population's strategies (``[p.strategies for p in game.populations]``).

    Examples
    --------
    >>> state_support([["C", "D"], ["L", "M", "R"]], [1.0, 0.5, 0.0])
    (('C',), ('L', 'R'))
    """
    x = np.asarray(x, dtype=float)
    out, pos = [], 0
    for names in strategies:
        k = len(names)
        part = x[pos : pos + k - 1]
        shares = [*part.tolist(), 1.0 - float(part.sum())]
        out.append(tuple(n for n, v in zip(names, shares) if v > tol))
        pos += k - 1
    return tuple(out)
