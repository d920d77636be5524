r"""Whole chains: compositions, the sparse full chain with mutation, the small-mutation embedded chain.

**Full chain.** The states are all compositions, population by population
(:func:`compositions`; the first population varies slowest), :math:`\prod_i
\binom{Z_i + k_i - 1}{k_i - 1}` of them, at most
:data:`~gametheory.limits.MAX_CHAIN_STATES`.  Row :math:`n` of the sparse transition
matrix holds :meth:`~gametheory.finite.process.FiniteProcess.rates` at :math:`n`
and one minus their sum on the diagonal.  The stationary distribution solves
:math:`\pi (P - I) = 0`, :math:`\sum \pi = 1` by one sparse LU solve.

**Small-mutation limit** (Fudenberg and Imhof 2006).  The embedded chain on the
pure profiles moves from :math:`s` to :math:`s'` differing in population
:math:`i` with probability :math:`P_{ss'} = \frac{1}{N}\frac{1}{k_i - 1}
\rho_i(s_i \to s'_i \mid s_{-i})`.  Its stationary distribution is found by the
Grassmann-Taksar-Heyman elimination carried out on :math:`\log P` (every step a
sum of positive terms, so nothing cancels and nothing underflows).

**Absorption.** Without mutation the monomorphic compositions absorb; from any
composition the probabilities of ending at each solve one sparse system over the
transient compositions.
"""

from __future__ import annotations

import functools
import itertools
import math
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import spsolve
from scipy.special import logsumexp

from ..errors import NumericalError, SpecificationError
from ..limits import MAX_CHAIN_STATES
from . import exact
from .results import FixationMatrix, StationaryDistribution

if TYPE_CHECKING:
    from .process import FiniteProcess

__all__ = [
    "compositions",
    "monomorphic_labels",
    "full_matrix",
    "full_stationary",
    "embedded_matrix",
    "small_mutation_stationary",
    "fixation_matrix",
    "absorption_probabilities",
    "log_stationary_gth",
]


@functools.lru_cache(maxsize=64)
def compositions(total: int, parts: int) -> np.ndarray:
    """All ``parts``-vectors of counts summing to ``total``, lexicographic (first count ascending).

    Examples
    --------
    >>> compositions(2, 3).tolist()
    [[0, 0, 2], [0, 1, 1], [0, 2, 0], [1, 0, 1], [1, 1, 0], [2, 0, 0]]
    """
    if parts == 1:
        out = np.array([[total]], dtype=np.int64)
    else:
        out = np.concatenate(
            [
                np.column_stack([np.full(len(sub), a), sub])
                for a in range(total + 1)
                for sub in [compositions(total - a, parts - 1)]
            ]
        )
    out.setflags(write=False)
    return out


def _check_size(process: FiniteProcess) -> None:
    n = process.n_states
    if n > MAX_CHAIN_STATES:
        raise SpecificationError(
            f"the full chain has {n:,} compositions (sizes {process.sizes}, strategies "
            f"{process.game.strategy_counts}), more than MAX_CHAIN_STATES = {MAX_CHAIN_STATES:,}: use "
            "mutation='small' (the small-mutation limit), smaller populations, or simulation"
        )


class _States:
    """Every composition of a process, with a lookup from compositions to row numbers."""

    def __init__(self, process: FiniteProcess) -> None:
        self.per_population = [
            compositions(z, k) for z, k in zip(process.sizes, process.game.strategy_counts)
        ]
        self.radix, self.sorted_keys, self.order = [], [], []
        for z, comps in zip(process.sizes, self.per_population):
            k = comps.shape[1]
            if (z + 1) ** (k - 1) > 2**62:
                raise SpecificationError(f"a population of {k} strategies and size {z} is too large to index")
            radix = np.array([(z + 1) ** j for j in range(k - 1)] + [0], dtype=np.int64)
            keys = comps @ radix
            order = np.argsort(keys)
            self.radix.append(radix)
            self.sorted_keys.append(keys[order])
            self.order.append(order)
        lengths = [len(c) for c in self.per_population]
        self.strides = [math.prod(lengths[i + 1 :]) for i in range(len(lengths))]
        grids = np.meshgrid(*[np.arange(n) for n in lengths], indexing="ij")
        self.ranks = [g.ravel() for g in grids]  # rank of each state's composition, per population
        self.counts = np.concatenate([c[r] for c, r in zip(self.per_population, self.ranks)], axis=1)

    def rank(self, i: int, comps: np.ndarray) -> np.ndarray:
        keys = comps @ self.radix[i]
        return self.order[i][np.searchsorted(self.sorted_keys[i], keys)]


def _label(process: FiniteProcess, counts: np.ndarray) -> str:
    parts = []
    offsets = process.payoff_model.offsets
    for i, pop in enumerate(process.game.populations):
        block = counts[offsets[i] : offsets[i + 1]]
        parts.append(" ".join(f"{s}={int(c)}" for s, c in zip(pop.strategies, block)))
    return " | ".join(parts)


def monomorphic_labels(process: FiniteProcess) -> tuple[str, ...]:
    """Labels of the pure profiles: the strategy for one population, ``"(C, E, A)"`` otherwise.

    Examples
    --------
    >>> import gametheory as gt
    >>> from gametheory.models import classic
    >>> monomorphic_labels(gt.moran(classic.hawk_dove(), 5, w=0.1))
    ('H', 'D')
    """
    if process.n_populations == 1:
        return tuple(process.game.populations[0].strategies)
    return tuple(f"({', '.join(p)})" for p in process.game.profiles)


def _monomorphic(process: FiniteProcess) -> list[tuple[int, ...]]:
    return list(itertools.product(*(range(k) for k in process.game.strategy_counts)))


def _monomorphic_counts(process: FiniteProcess) -> np.ndarray:
    model = process.payoff_model
    out = []
    for prof in _monomorphic(process):
        row = np.zeros(model.n_coordinates)
        for i, s in enumerate(prof):
            row[model.offsets[i] + s] = process.sizes[i]
        out.append(row)
    return np.array(out)


def full_matrix(process: FiniteProcess, mu: float) -> sp.csr_array:
    """The sparse transition matrix of the full chain (rows sum to 1), states in :func:`compositions` order.

    Examples
    --------
    >>> import gametheory as gt
    >>> from gametheory.models import classic
    >>> P = full_matrix(gt.pairwise_comparison(classic.hawk_dove(), 4), 0.1)
    >>> P.shape, abs(P.sum(axis=1) - 1).max() < 1e-15
    ((5, 5), np.True_)
    """
    return _full(process, mu)[1]


def _full(process: FiniteProcess, mu: float) -> tuple[_States, sp.csr_array]:
    _check_size(process)
    states = _States(process)
    n = states.counts
    rates = process.rates(n, mu=mu)
    offsets = process.payoff_model.offsets
    index = np.arange(len(n))
    rows, cols, data = [index], [index], [1.0 - rates.sum(axis=1)]
    for col, (i, a, b) in enumerate(process.moves):
        live = np.nonzero(rates[:, col] > 0)[0]
        comps = n[live, offsets[i] : offsets[i + 1]].astype(np.int64)
        comps[:, a] -= 1
        comps[:, b] += 1
        target = live + (states.rank(i, comps) - states.ranks[i][live]) * states.strides[i]
        rows.append(live)
        cols.append(target)
        data.append(rates[live, col])
    matrix = sp.csr_array(
        (np.concatenate(data), (np.concatenate(rows), np.concatenate(cols))), shape=(len(n), len(n))
    )
    return states, matrix


def full_stationary(process: FiniteProcess, mu: float) -> StationaryDistribution:
    """The stationary distribution of the full chain with mutation probability ``mu > 0`` (sparse solve).

    Examples
    --------
    >>> import gametheory as gt
    >>> from gametheory.models import classic
    >>> sd = full_stationary(gt.pairwise_comparison(classic.hawk_dove(), 4), 0.1)
    >>> sd.labels[0], round(float(sd.probabilities.sum()), 12)
    ('H=0 D=4', 1.0)
    """
    states, matrix = _full(process, mu)
    pi = _stationary_sparse(matrix)
    labels = tuple(_label(process, c) for c in states.counts)
    return StationaryDistribution(labels, states.counts, pi, process.coordinates, float(mu), repr(process))


def _stationary_sparse(matrix: sp.csr_array) -> np.ndarray:
    """Solve :math:`\\pi(P - I) = 0` with one equation replaced by :math:`\\pi_a = 1`, then normalise.

    The anchor ``a`` is state 0, then (when the solution is badly scaled) its most likely state.
    A single-entry row keeps the LU factors as sparse as those of :math:`P` itself.
    """
    size = matrix.shape[0]
    base = (matrix - sp.eye_array(size, format="csr")).T.tocsr()
    anchor, pi = 0, None
    for _ in range(2):
        keep = np.ones(size, dtype=bool)
        keep[anchor] = False
        rows = sp.diags_array(keep.astype(float)) @ base
        system = (rows + sp.csr_array(([1.0], ([anchor], [anchor])), shape=(size, size))).tocsc()
        rhs = np.zeros(size)
        rhs[anchor] = 1.0
        with np.errstate(over="ignore", invalid="ignore"):
            pi = spsolve(system, rhs, permc_spec="MMD_AT_PLUS_A")
        finite = np.isfinite(pi)
        if finite.all() and np.abs(pi).max() < 1e100:
            break
        anchor = int(np.argmax(np.where(finite, np.abs(pi), 0.0)))
    if pi is None or not np.isfinite(pi).all():
        raise NumericalError("the sparse solve for the stationary distribution failed (singular chain)")
    pi = np.clip(pi, 0.0, None)
    return pi / pi.sum()


def _log_embedded(process: FiniteProcess) -> np.ndarray:
    """:math:`\\log P` of the embedded chain off the diagonal (``-inf`` elsewhere)."""
    profiles = _monomorphic(process)
    where = {p: k for k, p in enumerate(profiles)}
    n_pop = process.n_populations
    out = np.full((len(profiles), len(profiles)), -np.inf)
    for r, prof in enumerate(profiles):
        for i, k in enumerate(process.game.strategy_counts):
            for m in range(k):
                if m == prof[i]:
                    continue
                target = where[prof[:i] + (m,) + prof[i + 1 :]]
                log_rho = exact.log_fixation_probability(process, prof, i, m)
                out[r, target] = log_rho - math.log(n_pop) - math.log(k - 1)
    return out


def embedded_matrix(process: FiniteProcess) -> np.ndarray:
    """The embedded chain over the pure profiles (dense, rows summing to 1; :func:`monomorphic_labels` order).

    Examples
    --------
    >>> import gametheory as gt
    >>> from gametheory.models import classic
    >>> embedded_matrix(gt.moran(classic.hawk_dove(), 10, w=0.0)).round(3).tolist()
    [[0.9, 0.1], [0.1, 0.9]]
    """
    p = np.exp(_log_embedded(process))
    np.fill_diagonal(p, 0.0)
    np.fill_diagonal(p, 1.0 - p.sum(axis=1))
    return p


def log_stationary_gth(log_p: np.ndarray) -> np.ndarray:
    """Stationary distribution from :math:`\\log P` (off-diagonal entries) by the GTH elimination in log space.

    Examples
    --------
    >>> import numpy as np
    >>> log_p = np.log(np.array([[1.0, 0.2], [0.1, 1.0]]))  # the diagonal is ignored
    >>> log_stationary_gth(log_p).round(6)
    array([0.333333, 0.666667])
    """
    with np.errstate(divide="ignore"):
        work = np.array(log_p, dtype=float)
    size = work.shape[0]
    np.fill_diagonal(work, -np.inf)
    for n in range(size - 1, 0, -1):
        s = logsumexp(work[n, :n])
        if not np.isfinite(s):
            raise NumericalError(f"the embedded chain is reducible: state {n} cannot be left")
        work[:n, n] -= s
        work[:n, :n] = np.logaddexp(work[:n, :n], work[:n, n][:, None] + work[n, :n][None, :])
    log_pi = np.zeros(size)
    for n in range(1, size):
        log_pi[n] = logsumexp(log_pi[:n] + work[:n, n])
    return np.exp(log_pi - logsumexp(log_pi))


def small_mutation_stationary(process: FiniteProcess) -> StationaryDistribution:
    """The stationary distribution of the embedded chain over the pure profiles (Fudenberg and Imhof 2006).

    Examples
    --------
    >>> import gametheory as gt
    >>> from gametheory.models import classic
    >>> sd = small_mutation_stationary(gt.moran(classic.hawk_dove(), 10, w=0.0))
    >>> sd.probabilities.round(12).tolist()
    [0.5, 0.5]
    """
    pi = log_stationary_gth(_log_embedded(process))
    return StationaryDistribution(
        monomorphic_labels(process),
        _monomorphic_counts(process),
        pi,
        process.coordinates,
        "small",
        repr(process),
    )


def fixation_matrix(process: FiniteProcess) -> FixationMatrix:
    """Fixation probabilities between neighbouring pure profiles (see :class:`FixationMatrix`).

    Examples
    --------
    >>> import gametheory as gt
    >>> from gametheory.models import classic
    >>> fixation_matrix(gt.moran(classic.hawk_dove(), 4, w=0.0)).neutral.tolist()
    [[nan, 0.25], [0.25, nan]]
    """
    profiles = _monomorphic(process)
    where = {p: k for k, p in enumerate(profiles)}
    size = len(profiles)
    rho, neutral = np.full((size, size), np.nan), np.full((size, size), np.nan)
    for r, prof in enumerate(profiles):
        for i, k in enumerate(process.game.strategy_counts):
            for m in range(k):
                if m != prof[i]:
                    target = where[prof[:i] + (m,) + prof[i + 1 :]]
                    rho[r, target] = math.exp(exact.log_fixation_probability(process, prof, i, m))
                    neutral[r, target] = 1.0 / process.sizes[i]
    return FixationMatrix(monomorphic_labels(process), rho, neutral, repr(process))


def absorption_probabilities(process: FiniteProcess, counts: np.ndarray) -> dict[tuple[str, ...], float]:
    """Probabilities of absorption at each pure profile from the composition ``counts`` (no mutation).

    Examples
    --------
    >>> import numpy as np
    >>> import gametheory as gt
    >>> from gametheory.models import classic
    >>> out = absorption_probabilities(gt.moran(classic.hawk_dove(), 5, w=0.0), np.array([2.0, 3.0]))
    >>> {k: round(v, 12) for k, v in out.items()}
    {('H',): 0.4, ('D',): 0.6}
    """
    states, matrix = _full(process, 0.0)
    mono = _monomorphic_counts(process)
    absorbing = []
    for row in mono:
        ranks = [
            states.rank(
                i,
                row[None, process.payoff_model.offsets[i] : process.payoff_model.offsets[i + 1]].astype(
                    np.int64
                ),
            )[0]
            for i in range(process.n_populations)
        ]
        absorbing.append(int(sum(r * s for r, s in zip(ranks, states.strides))))
    start = int(
        sum(
            states.rank(
                i,
                counts[None, process.payoff_model.offsets[i] : process.payoff_model.offsets[i + 1]].astype(
                    np.int64
                ),
            )[0]
            * states.strides[i]
            for i in range(process.n_populations)
        )
    )
    names = [
        tuple(p.strategies[s] for p, s in zip(process.game.populations, prof))
        for prof in _monomorphic(process)
    ]
    if start in absorbing:
        return {name: float(a == start) for name, a in zip(names, absorbing)}
    transient = np.setdiff1d(np.arange(matrix.shape[0]), absorbing)
    q = matrix[transient][:, transient]
    r = matrix[transient][:, absorbing]
    system = (sp.eye_array(len(transient), format="csc") - q.tocsc()).T.tocsc()
    rhs = np.zeros(len(transient))
    rhs[np.searchsorted(transient, start)] = 1.0
    visits = spsolve(system, rhs)  # expected visits to each transient state from the start
    probs = r.T @ visits
    return {name: float(p) for name, p in zip(names, probs)}
