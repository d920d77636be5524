r"""The log-ratio chart: coordinates in which faces stay invariant and corners are not sticky.

On the face of the state space that holds a state ``x0``, population ``i`` has
the support :math:`S_i` (strategies with positive share at ``x0``) and the
reference strategy :math:`r_i` (the last one in :math:`S_i`).  The chart's
coordinates are

.. math::  u_{ij} = \ln(x_{ij} / x_{i r_i}), \qquad j \in S_i \setminus \{r_i\},

population by population, in strategy order (``m = sum_i (|S_i| - 1)`` of them;
``m = 0`` at a vertex).  A dynamics whose per-capita growth rates are
:math:`g_{ij}(x)` (up to a term common to the population; for the replicator,
the expected payoffs :math:`f_{ij}`, see
:attr:`~gametheory.dynamics.base.Dynamics.growth_rates`) becomes

.. math::  \dot u_{ij} = g_{ij}(x) - g_{i r_i}(x), \qquad
           x = \mathrm{softmax}(u_{i\cdot}, 0) \text{ on each support,}

a bounded right-hand side without the :math:`x(1-x)` factors that make corners
numerically sticky: shares never leave the simplex, tiny shares keep full
relative precision, a trajectory that only passes a corner (a heteroclinic
cycle) is not captured by it through rounding, and shares outside the support
stay exactly zero.

This module holds the chart once, in the flavours its users need (simulation,
ensembles and the attractor analysis):

- :func:`face_charts`: the chart of every start of an ensemble (vectorised);
  :meth:`LogRatioChart.on_face_of`: the chart of one state;
  :meth:`LogRatioChart.on_face`: the chart of a face given by its support;
- :meth:`LogRatioChart.states` (numpy, ``u -> x``), :meth:`LogRatioChart.rhs`
  (one trajectory, plain Python floats, for :func:`scipy.integrate.solve_ivp`)
  and :meth:`LogRatioChart.vector_field` (numpy, many trajectories on one face);
- log-shares :math:`L_{ij} = \ln x_{ij}` in and out
  (:meth:`LogRatioChart.log_shares`, :meth:`LogRatioChart.states_from_log`,
  :meth:`LogRatioChart.u_of_log_shares`, :meth:`LogRatioChart.difference`), which keep
  full relative precision for shares far below the smallest double;
- :func:`states_source`: the same map ``u -> x`` as source lines for the
  generated numba kernels.

Every map from ``u`` to shares is evaluated without overflow: the softmax is taken
relative to the largest logit of the population (the reference's being 0).

The growth rates come compiled from the dynamics, ``dyn.compiled("growth", flavour)``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

if TYPE_CHECKING:
    from ..dynamics.base import Dynamics

__all__ = ["FaceBlock", "LogRatioChart", "chart_of", "face_charts", "logsumexp", "states_source"]


def chart_of(dyn: Dynamics, coordinates: str | None = None) -> str:
    """The chart to integrate ``dyn`` in: ``coordinates``, or the dynamics' own :attr:`~Dynamics.chart`.

    Raises
    ------
    IntegrationError
        For a name other than ``"log-ratio"`` or ``"shares"``, or the log-ratio
        chart on a dynamics whose faces are not invariant.

    Examples
    --------
    >>> from gametheory.models import classic
    >>> dyn = classic.matching_pennies_3().replicator()
    >>> chart_of(dyn), chart_of(dyn, "shares")
    ('log-ratio', 'shares')
    """
    from .._checks import check_choice
    from ..dynamics.base import CHARTS
    from ..errors import IntegrationError

    name = dyn.chart if coordinates is None else check_choice(coordinates, CHARTS, name="coordinates")
    if name == "log-ratio" and not dyn.facts.faces_invariant:
        raise IntegrationError(
            f"coordinates='log-ratio' needs invariant faces, which {type(dyn).__name__} does not have; "
            "use coordinates='shares'"
        )
    return name


def _starts(counts: Sequence[int]) -> tuple[int, ...]:
    """Index of each population's first strategy among the ``K = sum k_i`` strategies."""
    return tuple(int(s) for s in np.cumsum((0, *counts[:-1])))


def logsumexp(Z: np.ndarray, axis: int = 0) -> np.ndarray:
    """:math:`\\ln \\sum \\exp Z` along ``axis``, for arrays whose maxima are finite (faster than scipy's).

    Examples
    --------
    >>> float(logsumexp(np.array([0.0, 0.0, -1000.0])))
    0.6931471805599453
    """
    top = Z.max(axis=axis, keepdims=True)
    return np.log(np.exp(Z - top).sum(axis=axis)) + np.squeeze(top, axis=axis)


def face_charts(strategy_counts: Sequence[int], X0: np.ndarray) -> dict[str, np.ndarray]:
    """The log-ratio charts of the faces holding each initial state (vectorised over ``N``).

    Parameters
    ----------
    strategy_counts : sequence of int
        ``k_i`` of each population.
    X0 : ndarray, shape (N, d)
        Valid reduced initial states.

    Returns
    -------
    dict with
        ``"support"`` (N, K) bool: strategies with positive share;
        ``"u0"`` (N, d): initial chart coordinates, first ``m`` entries used;
        ``"m"`` (N,): number of chart coordinates (0 at a vertex);
        ``"src"`` (N, K): per strategy, its chart coordinate (``>= 0``),
        ``-2`` for its population's reference strategy, ``-1`` outside the support;
        ``"free"``, ``"ref"`` (N, d): for each chart coordinate, the strategy
        and its reference strategy (indices among the ``K`` strategies).

    Examples
    --------
    >>> faces = face_charts((2, 2), np.array([[0.5, 0.0], [1.0, 1.0]]))
    >>> faces["m"].tolist(), faces["src"].tolist()
    ([1, 0], [[0, -2, -1, -2], [-2, -1, -2, -1]])
    """
    counts = tuple(int(k) for k in strategy_counts)
    X0 = np.clip(np.asarray(X0, dtype=float), 0.0, 1.0)
    N, d = X0.shape
    K = sum(counts)
    support = np.zeros((N, K), dtype=bool)
    src = np.full((N, K), -1, dtype=np.int64)
    free = np.zeros((N, d), dtype=np.int64)
    ref = np.zeros((N, d), dtype=np.int64)
    u0 = np.zeros((N, d))
    m = np.zeros(N, dtype=np.int64)
    col = 0
    rows = np.arange(N)
    for start, k in zip(_starts(counts), counts):
        block = X0[:, col : col + k - 1]
        full = np.concatenate([block, (1.0 - block.sum(axis=1))[:, None]], axis=1)
        supp = full > 0
        support[:, start : start + k] = supp
        # reference: the last strategy in the support (every population has one)
        last = k - 1 - np.argmax(supp[:, ::-1], axis=1)
        src[rows, start + last] = -2
        with np.errstate(divide="ignore"):
            log_ref = np.log(full[rows, last])
            for j in range(k - 1):
                is_free = supp[:, j] & (j < last)
                a = m[is_free]
                src[is_free, start + j] = a
                free[is_free, a] = start + j
                ref[is_free, a] = start + last[is_free]
                u0[is_free, a] = np.log(full[is_free, j]) - log_ref[is_free]
                m[is_free] += 1
        col += k - 1
    return {"support": support, "u0": u0, "m": m, "src": src, "free": free, "ref": ref}


class FaceBlock(NamedTuple):
    """One population's part of a :class:`LogRatioChart`.

    Examples
    --------
    >>> chart = LogRatioChart.on_face((3, 2), ((0, 1, 2), (0, 1)))
    >>> chart.blocks[0]
    FaceBlock(population=0, offset=0, support=(0, 1, 2), reference=2, position=0, m=2)
    """

    #: index of the population
    population: int
    #: index of its first strategy among the ``K`` strategies (its first row of the log-shares)
    offset: int
    #: its strategies with positive share, ascending; the last one is the reference
    support: tuple[int, ...]
    #: its reference strategy :math:`r_i`
    reference: int
    #: its first chart coordinate (its coordinates are contiguous)
    position: int
    #: its number of chart coordinates, ``len(support) - 1``
    m: int


class LogRatioChart:
    """The log-ratio chart of one face (see the module docstring).

    Parameters
    ----------
    strategy_counts : sequence of int
        ``k_i`` of each population.
    src : ndarray of int, shape (K,)
        Per strategy: its chart coordinate, ``-2`` for the reference, ``-1`` outside the support
        (a row of :func:`face_charts`).
    u0 : ndarray, shape (m,), optional
        Chart coordinates of the state the chart was built on.

    Attributes
    ----------
    m : int
        Number of chart coordinates.
    free, ref : ndarray of int, shape (m,)
        For each chart coordinate, its strategy and its reference strategy (among the ``K``).
    u0 : ndarray, shape (m,)
    support : tuple of tuple of int
        Per population, the strategies of the face (ascending; the last is the reference).
    blocks : tuple of FaceBlock
        Per population, where its strategies and chart coordinates are.

    Examples
    --------
    >>> from gametheory.models import classic
    >>> dyn = classic.matching_pennies_3().replicator()
    >>> chart = LogRatioChart.on_face_of(dyn, [0.5, 0.2, 0.0])
    >>> chart.m, chart.u0.round(4).tolist()
    (2, [0.0, -1.3863])
    >>> chart.states(chart.u0[:, None])[:, 0].round(12).tolist()
    [0.5, 0.2, 0.0]
    """

    def __init__(self, strategy_counts: Sequence[int], src: np.ndarray, u0: np.ndarray | None = None) -> None:
        self.strategy_counts = tuple(int(k) for k in strategy_counts)
        self.src = np.asarray(src, dtype=np.int64)
        self.dimension = sum(k - 1 for k in self.strategy_counts)
        # per population: (first state row, k, first chart coordinate, strategies with a chart
        # coordinate, reference strategy); a population's chart coordinates are contiguous
        self._blocks = []
        blocks = []
        free, ref = [], []
        row = 0
        for i, (start, k) in enumerate(zip(_starts(self.strategy_counts), self.strategy_counts)):
            codes = [int(c) for c in self.src[start : start + k]]
            js = [j for j, c in enumerate(codes) if c >= 0]
            ref_j = codes.index(-2)
            self._blocks.append((row, k, codes[js[0]] if js else 0, js, ref_j))
            blocks.append(FaceBlock(i, start, (*js, ref_j), ref_j, len(free), len(js)))
            free.extend(start + j for j in js)
            ref.extend(start + ref_j for _ in js)
            row += k - 1
        self.blocks = tuple(blocks)
        self.support = tuple(b.support for b in blocks)
        self.free = np.array(free, dtype=np.int64)
        self.ref = np.array(ref, dtype=np.int64)
        self.m = len(free)
        self.u0 = np.zeros(self.m) if u0 is None else np.asarray(u0, dtype=float)

    @classmethod
    def on_face_of(cls, dyn: Dynamics, x0: Any) -> LogRatioChart:
        """The chart of the face holding the reduced state ``x0`` (shape ``(d,)``), with ``u0`` at ``x0``."""
        counts = dyn.game.strategy_counts
        faces = face_charts(counts, np.asarray(x0, dtype=float)[None, :])
        return cls(counts, faces["src"][0], faces["u0"][0, : int(faces["m"][0])])

    @classmethod
    def on_face(cls, strategy_counts: Sequence[int], support: Sequence[Sequence[int]]) -> LogRatioChart:
        """The chart of the face ``support`` (per population, its strategies with positive share).

        ``u0`` is 0, the face's barycentre.

        Raises
        ------
        StateError
            If a population has no strategy in ``support``, or one out of range.

        Examples
        --------
        >>> chart = LogRatioChart.on_face((3, 2), [(0, 2), (1,)])
        >>> chart.m, chart.support, chart.src.tolist()
        (1, ((0, 2), (1,)), [0, -1, -2, -1, -2])
        """
        from ..errors import StateError

        counts = tuple(int(k) for k in strategy_counts)
        if len(support) != len(counts):
            raise StateError(
                f"support must name the strategies of {len(counts)} populations, got {support!r}"
            )
        src = np.full(sum(counts), -1, dtype=np.int64)
        a = 0
        for i, (start, k, S) in enumerate(zip(_starts(counts), counts, support)):
            S = sorted({int(j) for j in S})
            if not S or S[0] < 0 or S[-1] >= k:
                raise StateError(
                    f"support of population {i} must be strategies among 0..{k - 1}, got {support[i]!r}"
                )
            src[start + S[-1]] = -2
            for j in S[:-1]:
                src[start + j] = a
                a += 1
        return cls(counts, src)

    def states(self, u: np.ndarray) -> np.ndarray:
        """Reduced states ``(d, n)`` of chart coordinates ``u`` of shape ``(m, n)``."""
        n = u.shape[1]
        x = np.zeros((self.dimension, n))
        for row, k, a0, js, ref_j in self._blocks:
            if not js:  # the population sits at its reference strategy
                if ref_j < k - 1:
                    x[row + ref_j] = 1.0
            elif k == 2:  # sigmoid of the one coordinate, without overflow: e = exp(-|u|)
                v = u[a0]
                e = np.exp(-np.abs(v))
                x[row] = np.where(v >= 0, 1.0, e) / (1.0 + e)
            else:  # softmax over the support, the reference's coordinate being 0
                sub = u[a0 : a0 + len(js)]
                top = np.maximum(sub.max(axis=0), 0.0)
                w = np.exp(sub - top)
                w_ref = np.exp(-top)
                total = w.sum(axis=0) + w_ref
                x[[row + j for j in js]] = w / total
                if ref_j < k - 1:
                    x[row + ref_j] = w_ref / total
        return x

    def log_shares(self, u: np.ndarray) -> np.ndarray:
        """Full log-shares :math:`L_{ij} = \\ln x_{ij}`, shape ``(K, n)``, of chart coordinates ``(m, n)``.

        A log-softmax per population (``-inf`` outside the face): exact in relative terms for
        shares far below the smallest double.

        Examples
        --------
        >>> chart = LogRatioChart.on_face((2,), [(0, 1)])
        >>> chart.log_shares(np.array([[-2000.0]]))[:, 0].tolist()
        [-2000.0, 0.0]
        """
        n = u.shape[1]
        L = np.full((len(self.src), n), -np.inf)
        for b in self.blocks:
            Z = np.vstack([u[b.position : b.position + b.m], np.zeros((1, n))])
            L[[b.offset + j for j in b.support]] = Z - logsumexp(Z, axis=0)
        return L

    def states_from_log(self, L: np.ndarray) -> np.ndarray:
        """Reduced states ``(d, n)`` of full log-shares ``L`` of shape ``(K, n)``."""
        X = np.exp(L)
        starts = _starts(self.strategy_counts)
        return np.concatenate([X[s : s + k - 1] for s, k in zip(starts, self.strategy_counts)])

    def u_of_log_shares(self, L: np.ndarray) -> np.ndarray:
        """Chart coordinates ``(m,)`` or ``(m, n)`` of full log-shares ``(K,)`` or ``(K, n)``.

        Examples
        --------
        >>> chart = LogRatioChart.on_face((3,), [(0, 1, 2)])
        >>> chart.u_of_log_shares(np.log([0.5, 0.25, 0.25])).tolist()
        [0.6931471805599453, 0.0]
        """
        return L[self.free] - L[self.ref]

    def difference(self, u: np.ndarray, a: int, b: int) -> np.ndarray:
        """:math:`L_a - L_b = \\ln(x_a / x_b)` for strategies ``a``, ``b`` (among the ``K``) of one population.

        ``u`` has shape ``(m,)`` or ``(m, n)``; both strategies must be on the face.

        Examples
        --------
        >>> chart = LogRatioChart.on_face((3,), [(0, 1, 2)])
        >>> float(chart.difference(np.array([1.5, -0.5]), 0, 1))
        2.0
        """
        from ..errors import StateError

        values = []
        for s in (a, b):
            code = int(self.src[s])
            if code == -1:
                raise StateError(f"strategy {s} is not on the chart's face {self.support}")
            values.append(u[code] if code >= 0 else 0.0)
        return values[0] - values[1]

    def vector_field(
        self, growth: Callable[..., np.ndarray]
    ) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
        """``(u, P) -> u'`` for many trajectories on this face (numpy).

        ``growth`` is the ``"array"`` flavour of the compiled growth rates
        (``dyn.compiled("growth")``); ``u`` has shape ``(m, n)``, ``P`` ``(p, n)`` or ``(p, 1)``.
        """
        free, ref, states = self.free, self.ref, self.states

        def rhs(u: np.ndarray, P: np.ndarray) -> np.ndarray:
            F = growth(states(u), P)
            return F[free] - F[ref]

        return rhs

    def rhs(self, growth: Callable[..., None], p: np.ndarray) -> Callable[[float, np.ndarray], np.ndarray]:
        """``(t, u) -> u'`` for one trajectory, in plain Python floats (for ``solve_ivp``).

        ``growth`` is the ``"scalar"`` flavour of the compiled growth rates
        (``dyn.compiled("growth", "scalar")``); ``p`` the parameter vector ``(p,)``.
        Scalar arithmetic avoids numpy's per-call overhead on these tiny vectors.
        """
        import math

        plist = p.tolist()
        # per population: (k, support, its free strategies, its reference), strategies among the K
        blocks = []
        for (_, k, _, js, ref_j), start in zip(self._blocks, _starts(self.strategy_counts)):
            blocks.append((k, (*js, ref_j), tuple(start + j for j in js), start + ref_j))
        n_growth = sum(self.strategy_counts)
        exp = math.exp

        def f(t: float, u: np.ndarray) -> np.ndarray:
            values = u.tolist()
            x: list[float] = []
            pos = 0
            for size, support, _, _ in blocks:
                m = len(support) - 1
                logits = values[pos : pos + m]
                logits.append(0.0)
                top = max(logits)
                weights = [exp(v - top) for v in logits]
                total = sum(weights)
                full = [0.0] * size
                for index, weight in zip(support, weights):
                    full[index] = weight / total
                x.extend(full[:-1])
                pos += m
            g = [0.0] * n_growth
            growth(x, plist, g)
            return np.array([g[j] - g[ref] for _, _, free, ref in blocks for j in free], dtype=float)

        return f


def states_source(strategy_counts: Sequence[int]) -> list[str]:
    """Source lines setting ``_x{c}`` (reduced shares) from chart coordinates ``u`` and the face ``src``.

    The numba flavour of :meth:`LogRatioChart.states`, for the generated kernels
    (:mod:`gametheory.numerics.kernel_numba`); ``xf`` is scratch space of length ``max k_i``.

    Examples
    --------
    >>> states_source((2,))[:2]
    ['code = src[0]', 'if code >= 0:']
    """
    counts = tuple(int(k) for k in strategy_counts)
    out: list[str] = []
    row = 0
    for start, k in zip(_starts(counts), counts):
        if k == 2:
            out += [
                f"code = src[{start}]",
                "if code >= 0:",
                "    v = u[code]",
                "    e = numpy.exp(-abs(v))",
                f"    _x{row} = (1.0 if v >= 0 else e) / (1.0 + e)",
                "elif code == -2:",
                f"    _x{row} = 1.0",
                "else:",
                f"    _x{row} = 0.0",
            ]
        else:
            out += [
                "top = -numpy.inf",
                f"for j in range({k}):",
                f"    code = src[{start} + j]",
                "    if code >= 0:",
                "        top = max(top, u[code])",
                "    elif code == -2:",
                "        top = max(top, 0.0)",
                "total = 0.0",
                f"for j in range({k}):",
                f"    code = src[{start} + j]",
                "    w = 0.0",
                "    if code >= 0:",
                "        w = numpy.exp(u[code] - top)",
                "    elif code == -2:",
                "        w = numpy.exp(-top)",
                "    xf[j] = w",
                "    total += w",
            ]
            out += [f"_x{row + j} = xf[{j}] / total" for j in range(k - 1)]
        row += k - 1
    return out
