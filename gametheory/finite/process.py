r"""The Moran and pairwise comparison (Fermi) processes in finite populations.

A process is a Markov chain on compositions (strategy counts, population by
population; payoffs as in :mod:`gametheory.finite.payoffs`, self-interaction
excluded).  One *event* changes at most one individual:

* with ``N`` populations, the event happens in population :math:`i` with
  probability :math:`1/N`;
* **Moran (birth-death)**: fitness :math:`\phi = 1 - w + w\pi`, :math:`w \in [0, 1]`
  (a state where some present strategy has :math:`\phi \le 0` is refused); one
  individual reproduces with probability proportional to fitness, one individual
  chosen uniformly among all :math:`Z_i` (the parent included) dies and is
  replaced by the offspring, which with probability :math:`\mu` mutates to a
  uniformly random *other* strategy.  One ``a`` becomes one ``b`` with probability

  .. math::  T_{a\to b}(n) = \frac{1}{N}\,\frac{n_a}{Z}\Big[(1-\mu)\frac{n_b\phi_b}{\Phi}
             + \frac{\mu}{k-1}\Big(1 - \frac{n_b\phi_b}{\Phi}\Big)\Big],\qquad
             \Phi = \sum_c n_c \phi_c ;

* **pairwise comparison (Fermi)**: a focal and a distinct model are drawn at random
  from the population; the focal adopts the model's strategy with probability
  :math:`1/(1 + e^{-\beta(\pi_{model} - \pi_{focal})})`; with probability
  :math:`\mu` the focal instead switches to a uniformly random other strategy:

  .. math::  T_{a\to b}(n) = \frac{1}{N}\,\frac{n_a}{Z}\Big[(1-\mu)\frac{n_b}{Z-1}
             \frac{1}{1 + e^{-\beta(\pi_b - \pi_a)}} + \frac{\mu}{k-1}\Big].

**Time.** One unit of time is :math:`\sum_i Z_i` events.  With one population (or
equal sizes) each individual revises once per unit on average: the mean-field limit
of the Fermi process is :class:`~gametheory.dynamics.imitation.ImitationDynamics`
with the same :math:`\beta` and time unit, that of the Moran process is the
replicator dynamics slowed by :math:`w/\bar\phi`.  With unequal sizes population
:math:`i` revises :math:`\bar Z / Z_i` times per individual and unit
(:math:`\bar Z` the mean size), which rescales its mean-field equations by that
factor.  Fixation probabilities and times are those of the process without
mutation (:math:`\mu` is set to 0 there).
"""

from __future__ import annotations

import functools
import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

import numpy as np
from scipy.special import expit

from ..errors import ParameterError, SpecificationError, StateError, calls_checked
from ..game import Game
from . import chain, exact
from .payoffs import PayoffModel
from .results import FixationMatrix, StationaryDistribution, StochasticStability

__all__ = ["FiniteProcess", "moran", "pairwise_comparison"]


@calls_checked
@dataclass(frozen=True)
class FiniteProcess:
    r"""A finite-population process (immutable); build it with :func:`moran` or :func:`pairwise_comparison`.

    Attributes
    ----------
    game : Game
    sizes : tuple of int
        Population sizes :math:`Z_i`.
    kind : str
        ``"moran"`` or ``"pairwise comparison"``.
    intensity : float
        Selection intensity: :math:`w` (Moran) or :math:`\beta` (Fermi).
    mu : float
        Mutation probability per event.
    params : mapping
        Parameter values given (the game's defaults fill the rest).

    Examples
    --------
    >>> import gametheory as gt
    >>> from gametheory.models import classic
    >>> p = gt.pairwise_comparison(classic.hawk_dove(), 20, beta=1.0)
    >>> round(p.fixation_probability("D", "H"), 6)
    0.628805
    >>> p.n_states
    21
    """

    game: Game
    sizes: tuple[int, ...]
    kind: str
    intensity: float
    mu: float = 0.0
    params: Mapping[str, Any] = field(default_factory=dict)

    # ------------------------------------------------------------------ basics
    @functools.cached_property
    def payoff_model(self) -> PayoffModel:
        """The payoffs :math:`\\pi_{ij}(n)` at compositions (:class:`~gametheory.finite.payoffs.PayoffModel`)."""
        return PayoffModel(self.game, self.sizes, dict(self.params))

    @property
    def n_populations(self) -> int:
        """Number of populations ``N``."""
        return len(self.sizes)

    @property
    def coordinates(self) -> tuple[tuple[str, str], ...]:
        """(population, strategy) of each entry of a composition."""
        return tuple((p.name, s) for p in self.game.populations for s in p.strategies)

    @property
    def n_states(self) -> int:
        """Number of compositions of the full chain, :math:`\\prod_i \\binom{Z_i + k_i - 1}{k_i - 1}`."""
        return math.prod(math.comb(z + k - 1, k - 1) for z, k in zip(self.sizes, self.game.strategy_counts))

    @property
    def moves(self) -> tuple[tuple[int, int, int], ...]:
        """(population, from strategy, to strategy) of each entry of :meth:`rates`, strategies by index."""
        return tuple(
            (i, a, b)
            for i, k in enumerate(self.game.strategy_counts)
            for a in range(k)
            for b in range(k)
            if a != b
        )

    def payoffs(self, counts: Any) -> np.ndarray:
        """Payoffs :math:`\\pi_{ij}(n)` at compositions ``counts`` (shape ``(..., sum k_i)``; same shape out).

        Examples
        --------
        >>> import gametheory as gt
        >>> from gametheory.models import classic
        >>> gt.moran(classic.hawk_dove(), 4, w=0.5).payoffs([2, 2]).round(4)
        array([1.1667, 0.3333])
        """
        return self.payoff_model(self._counts(counts))

    def rates(self, counts: Any, *, mu: float | None = None) -> np.ndarray:
        r"""Per-event transition probabilities at compositions ``counts``, one per entry of :attr:`moves`.

        ``counts`` has shape ``(..., sum k_i)``; the result has shape ``(..., len(moves))``:
        entry ``(i, a, b)`` is the probability that the next event turns one ``a`` of
        population ``i`` into a ``b`` (the formulas of the module docstring, the
        :math:`1/N` included).  The chain stays put with probability one minus their
        sum.  One event lasts :math:`1/\sum_i Z_i` time units.  ``mu`` overrides the
        process's mutation probability.

        Raises
        ------
        StateError
            On a composition of the wrong shape or sums, or (Moran) where a present
            strategy has fitness :math:`\phi \le 0`.

        Examples
        --------
        >>> import gametheory as gt
        >>> from gametheory.models import classic
        >>> p = gt.pairwise_comparison(classic.hawk_dove(), 4, beta=1.0)
        >>> p.moves, p.rates([2, 2]).round(4)
        (((0, 0, 1), (0, 1, 0)), array([0.101 , 0.2324]))
        """
        n = self._counts(counts)
        mu = self.mu if mu is None else _check_mu(mu)
        pi = self.payoff_model(n)
        out = []
        n_pop = self.n_populations
        for i, (z, k) in enumerate(zip(self.sizes, self.game.strategy_counts)):
            lo = self.payoff_model.offsets[i]
            ni, pii = n[..., lo : lo + k], pi[..., lo : lo + k]
            if self.kind == "moran":
                phi = 1.0 - self.intensity + self.intensity * pii
                bad = (phi <= 0) & (ni > 0)
                if bad.any():
                    where = np.argwhere(bad)[0]
                    state = n[tuple(where[:-1])] if n.ndim > 1 else n
                    raise StateError(
                        f"Moran process: fitness 1 - w + w*pi = {phi[tuple(where)]:.6g} <= 0 of strategy "
                        f"{self.coordinates[lo + where[-1]]} at composition {tuple(int(c) for c in state)} "
                        "(use a smaller w, or shift the payoffs up)"
                    )
                weight = ni * phi
                share = weight / weight.sum(axis=-1, keepdims=True)  # who reproduces
            else:
                share = None
            for a in range(k):
                for b in range(k):
                    if a == b:
                        continue
                    dies = ni[..., a] / z
                    if share is not None:
                        birth = (1 - mu) * share[..., b] + mu / (k - 1) * (1 - share[..., b])
                    else:
                        adopt = expit(self.intensity * (pii[..., b] - pii[..., a]))
                        birth = (1 - mu) * ni[..., b] / (z - 1) * adopt + mu / (k - 1)
                    out.append(dies * birth / n_pop)
        return np.stack(out, axis=-1)

    def _counts(self, counts: Any) -> np.ndarray:
        try:
            n = np.asarray(counts, dtype=float)
        except (TypeError, ValueError):
            raise StateError(f"a composition must be an array of counts, got {counts!r:.80}") from None
        width = self.payoff_model.n_coordinates
        if n.ndim == 0 or n.shape[-1] != width:
            raise StateError(
                f"a composition has {width} counts {list(self.coordinates)}, got shape {n.shape}"
            )
        offsets = self.payoff_model.offsets
        for i, z in enumerate(self.sizes):
            block = n[..., offsets[i] : offsets[i + 1]]
            if (block < 0).any() or (block != np.round(block)).any() or (block.sum(axis=-1) != z).any():
                raise StateError(
                    f"the counts of population {self.game.populations[i].name!r} must be non-negative "
                    f"integers summing to Z = {z}, got {block.reshape(-1, block.shape[-1])[0].tolist()}"
                )
        return n

    # ------------------------------------------------------------- resolving names
    def _pair(self, resident: Any, mutant: Any) -> tuple[tuple[int, ...], int, int]:
        """(resident profile, population of the change, mutant strategy), by index."""
        if self.n_populations == 1 and (isinstance(resident, (str, numbers.Integral))):
            res, mut = (self._strategy(0, resident),), (self._strategy(0, mutant),)
        else:
            res, mut = self._profile(resident, "resident"), self._profile(mutant, "mutant")
        diff = [i for i in range(self.n_populations) if res[i] != mut[i]]
        if not diff:
            raise SpecificationError(f"resident and mutant are the same ({resident!r}): nothing to fix")
        if len(diff) > 1:
            names = [self.game.populations[i].name for i in diff]
            raise SpecificationError(
                f"resident {resident!r} and mutant {mutant!r} differ in populations {names}; a single "
                "mutant changes exactly one population"
            )
        return res, diff[0], mut[diff[0]]

    def _strategy(self, i: int, s: Any) -> int:
        pop = self.game.populations[i]
        if isinstance(s, numbers.Integral) and not isinstance(s, bool):
            if not 0 <= int(s) < pop.size:
                raise SpecificationError(f"population {pop.name!r} has no strategy index {s}")
            return int(s)
        return pop.index(s)

    def _profile(self, profile: Any, what: str) -> tuple[int, ...]:
        if isinstance(profile, str) or not isinstance(profile, Sequence):
            raise SpecificationError(
                f"the {what} must be a profile (one strategy per population "
                f"{list(self.game.population_names)}), got {profile!r:.80}"
            )
        return self.game.profile_indices(tuple(profile))

    # ----------------------------------------------------------------- exact results
    def fixation_probability(self, resident: Any, mutant: Any, *, log: bool = False) -> float:
        r"""Probability that one ``mutant`` fixes in a population of ``resident`` (no mutation).

        .. math::  \rho = \Big(1 + \sum_{k=1}^{Z-1} \prod_{j=1}^{k} \frac{T^-(j)}{T^+(j)}\Big)^{-1}

        over the birth-death chain of the mutant's count ``j`` in its population (the
        other populations monomorphic at the resident profile), evaluated in log
        space: finite for ``Z = 10,000`` and ``beta = 100``.  ``log=True`` returns
        :math:`\log\rho` (useful below 1e-308).

        Parameters
        ----------
        resident, mutant
            Strategy names (or indices) for one population; profiles (tuples of
            names, one per population) differing in exactly one population otherwise.

        Examples
        --------
        >>> import gametheory as gt
        >>> from gametheory.models import classic
        >>> neutral = gt.moran(classic.hawk_dove(), 10, w=0.0)
        >>> round(neutral.fixation_probability("H", "D"), 12)
        0.1
        """
        res, i, m = self._pair(resident, mutant)
        value = exact.log_fixation_probability(self, res, i, m)
        return float(value if log else np.exp(value))

    def fixation_time(self, resident: Any, mutant: Any, *, conditional: bool = True) -> float:
        r"""Mean time until one ``mutant`` fixes (``conditional=True``) or the chain absorbs (``False``).

        Solved exactly on the birth-death chain by a tridiagonal system
        (:func:`scipy.linalg.solve_banded`); in time units (:math:`\sum_i Z_i` events, see the
        module docstring).  The conditional time is that of the paths that fix.

        Examples
        --------
        >>> import gametheory as gt
        >>> from gametheory.models import classic
        >>> neutral = gt.moran(classic.hawk_dove(), 10, w=0.0)
        >>> round(neutral.fixation_time("H", "D"), 6)  # Z - 1 = 9 time units when neutral
        9.0
        """
        res, i, m = self._pair(resident, mutant)
        return exact.fixation_time(self, res, i, m, conditional=conditional)

    def fixation_matrix(self) -> FixationMatrix:
        """Fixation probabilities between all monomorphic states that differ in one population.

        Examples
        --------
        >>> import gametheory as gt
        >>> from gametheory.models import classic
        >>> fm = gt.pairwise_comparison(classic.hawk_dove(), 10).fixation_matrix()
        >>> fm.states, fm.neutral[0, 1]
        (('H', 'D'), np.float64(0.1))
        """
        return chain.fixation_matrix(self)

    def transition_matrix(self, mutation: Any = None) -> Any:
        """The embedded chain over monomorphic states (``mutation="small"``) or the full chain (a rate).

        ``mutation=None`` means ``"small"`` when the process has ``mu = 0``, else
        its ``mu``.  ``"small"``: a dense ``(M, M)`` array over the pure profiles
        (:attr:`FixationMatrix.states` order) with
        :math:`P_{ss'} = \\frac{1}{N}\\frac{1}{k_i - 1}\\rho_i(s_i \\to s'_i \\mid s_{-i})`.
        A rate: a :class:`scipy.sparse.csr_array` over all compositions
        (:func:`gametheory.finite.chain.compositions` order), rows summing to 1.

        Examples
        --------
        >>> import gametheory as gt
        >>> from gametheory.models import classic
        >>> p = gt.pairwise_comparison(classic.hawk_dove(), 5)
        >>> p.transition_matrix().shape, p.transition_matrix(0.01).shape
        ((2, 2), (6, 6))
        """
        rate = self._mutation(mutation)
        if rate == "small":
            return chain.embedded_matrix(self)
        return chain.full_matrix(self, rate)

    def stationary_distribution(self, mutation: Any = None) -> StationaryDistribution:
        """Stationary distribution, in the small-mutation limit (``"small"``) or of the full chain (a rate).

        ``"small"`` (Fudenberg and Imhof 2006): the stationary distribution of
        :meth:`transition_matrix` over the monomorphic states, computed by the
        Grassmann-Taksar-Heyman elimination in log space (no subtraction, no
        underflow).  A rate :math:`\\mu > 0`: the full chain over every composition,
        solved sparse (at most :data:`gametheory.limits.MAX_CHAIN_STATES` states).

        Examples
        --------
        >>> import gametheory as gt
        >>> from gametheory.models import classic
        >>> p = gt.pairwise_comparison(classic.hawk_dove(), 10)
        >>> p.stationary_distribution().probabilities.round(4)
        array([0.982, 0.018])
        """
        rate = self._mutation(mutation)
        if rate == "small":
            return chain.small_mutation_stationary(self)
        return chain.full_stationary(self, rate)

    def absorption_probabilities(self, counts: Any) -> dict[tuple[str, ...], float]:
        """Probability of ending monomorphic at each pure profile, from the composition ``counts`` (no mutation).

        A sparse solve over the transient compositions of the full chain (every
        composition where some population holds two or more strategies).

        Examples
        --------
        >>> import gametheory as gt
        >>> from gametheory.models import classic
        >>> p = gt.pairwise_comparison(classic.rock_paper_scissors(), 6)
        >>> out = p.absorption_probabilities([2, 2, 2])
        >>> round(sum(out.values()), 12), len(out)
        (1.0, 3)
        """
        return chain.absorption_probabilities(self, self._counts(counts))

    def stochastic_stability(self, intensities: Sequence[float]) -> StochasticStability:
        """The small-mutation stationary distribution along a grid of selection intensities (``beta`` or ``w``).

        The *limit states* are those holding at least 1 % of the mass at the largest
        intensity of the grid: the stochastically stable states when it is large.

        Examples
        --------
        >>> import gametheory as gt
        >>> from gametheory.models import classic
        >>> p = gt.pairwise_comparison(classic.hawk_dove(), 10)
        >>> p.stochastic_stability([0.1, 1.0, 10.0]).limit_states
        ('H',)
        """
        grid = [float(v) for v in intensities]
        rows = []
        for v in grid:
            proc = self.with_intensity(v)
            rows.append(chain.small_mutation_stationary(proc).probabilities)
        states = chain.monomorphic_labels(self)
        return StochasticStability(
            intensity_name="w" if self.kind == "moran" else "beta",
            intensities=np.array(grid),
            states=states,
            probabilities=np.array(rows),
        )

    def simulate(
        self, x0_counts: Any, t_max: float | None = None, *, steps: int | None = None, n_runs: int = 1,
        seed: Any = None, record: Any = None, backend: str = "auto", executor: Any = None, progress: bool = False,
        chunk_size: int = 256) -> Any:  # fmt: skip
        """Exact simulation of runs of the chain (:func:`gametheory.finite.simulate.simulate`).

        Examples
        --------
        >>> import gametheory as gt
        >>> from gametheory.models import classic
        >>> gt.moran(classic.hawk_dove(), 10, w=0.0).simulate([9, 1], 500, n_runs=10, seed=1).n_runs
        10
        """
        from .simulate import simulate

        return simulate(self, x0_counts, t_max, steps=steps, n_runs=n_runs, seed=seed, record=record,
                        backend=backend, executor=executor, progress=progress, chunk_size=chunk_size)  # fmt: skip

    def with_intensity(self, value: float) -> FiniteProcess:
        """The same process at another selection intensity (validated).

        Examples
        --------
        >>> import gametheory as gt
        >>> from gametheory.models import classic
        >>> gt.pairwise_comparison(classic.hawk_dove(), 10).with_intensity(3.0).intensity
        3.0
        """
        check = _check_w if self.kind == "moran" else _check_beta
        return replace(self, intensity=check(value))

    def _mutation(self, mutation: Any) -> Any:
        if mutation is None:
            return "small" if self.mu == 0 else self.mu
        if isinstance(mutation, str):
            if mutation != "small":
                raise ParameterError(f"mutation must be 'small' or a rate in (0, 1], got {mutation!r}")
            return mutation
        rate = _check_mu(mutation)
        if rate == 0:
            raise ParameterError(
                "mutation = 0: the full chain without mutation is absorbing (no unique stationary "
                "distribution); use mutation='small' for the small-mutation limit"
            )
        return rate

    def summary(self) -> str:
        """A few lines: the process, the sizes, the intensity, the mutation, the chain size.

        Examples
        --------
        >>> import gametheory as gt
        >>> from gametheory.models import classic
        >>> print(gt.moran(classic.hawk_dove(), 10, w=0.1).summary())
        Moran process on Hawk-dove
          population sizes Z = (10,); w = 0.1; mu = 0
          full chain: 11 compositions; 2 monomorphic states
        """
        name = "Moran process" if self.kind == "moran" else "Pairwise comparison (Fermi) process"
        label = "w" if self.kind == "moran" else "beta"
        n_mono = math.prod(self.game.strategy_counts)
        return "\n".join(
            [
                f"{name} on {self.game.name or 'a game'}",
                f"  population sizes Z = {self.sizes}; {label} = {self.intensity:g}; mu = {self.mu:g}",
                f"  full chain: {self.n_states:,} compositions; {n_mono} monomorphic states",
            ]
        )

    def __repr__(self) -> str:
        label = "w" if self.kind == "moran" else "beta"
        return f"FiniteProcess({self.kind}, Z={self.sizes}, {label}={self.intensity:g}, mu={self.mu:g})"


def moran(
    game: Game,
    sizes: int | Sequence[int],
    *,
    w: float = 1.0,
    mu: float = 0.0,
    params: Mapping[str, Any] | None = None,
) -> FiniteProcess:
    r"""The Moran (birth-death) process of ``game`` in populations of ``sizes`` (see :mod:`.process`).

    Fitness :math:`\phi = 1 - w + w\pi`; reproduction proportional to fitness,
    death uniform among all :math:`Z` individuals, mutation with probability
    ``mu`` to a uniformly random other strategy.

    Parameters
    ----------
    game : Game
    sizes : int or sequence of int
        One size for a one-population game, one per population otherwise; each >= 2.
    w : float in [0, 1]
        Intensity of selection (0: neutral drift).
    mu : float in [0, 1]
    params : mapping, optional
        The game's parameter values (defaults fill the rest).

    Examples
    --------
    >>> import gametheory as gt
    >>> from gametheory.models import classic
    >>> p = gt.moran(classic.hawk_dove(), 10, w=0.1)
    >>> round(p.fixation_probability("H", "D"), 6)
    0.089671
    """
    return _build(game, sizes, "moran", _check_w(w), mu, params)


def pairwise_comparison(
    game: Game,
    sizes: int | Sequence[int],
    *,
    beta: float = 1.0,
    mu: float = 0.0,
    params: Mapping[str, Any] | None = None,
) -> FiniteProcess:
    r"""The pairwise comparison process with the Fermi rule (see :mod:`.process`).

    A focal and a distinct model are drawn; the focal imitates with probability
    :math:`1/(1 + e^{-\beta(\pi_{model} - \pi_{focal})})`; with probability ``mu``
    it mutates to a uniformly random other strategy instead.

    Parameters
    ----------
    game : Game
    sizes : int or sequence of int
        One size for a one-population game, one per population otherwise; each >= 2.
    beta : float >= 0
        Intensity of selection (0: neutral drift).
    mu : float in [0, 1]
    params : mapping, optional

    Examples
    --------
    >>> import gametheory as gt
    >>> from gametheory.models import crisis_governance as cg
    >>> p = gt.pairwise_comparison(cg.game(), [10, 10, 10], beta=1.0, params=cg.OPTIMIZED)
    >>> round(p.fixation_probability(("B", "P", "I"), ("C", "P", "I")), 6)
    0.864665
    """
    return _build(game, sizes, "pairwise comparison", _check_beta(beta), mu, params)


def _build(game: Any, sizes: Any, kind: str, intensity: float, mu: Any, params: Any) -> FiniteProcess:
    if not isinstance(game, Game):
        raise SpecificationError(f"expected a Game, got {type(game).__name__}")
    n_pop = game.n_populations
    if isinstance(sizes, numbers.Integral) and not isinstance(sizes, bool):
        sizes = (sizes,) * n_pop if n_pop == 1 else sizes
    if isinstance(sizes, numbers.Integral) or not isinstance(sizes, Sequence) or isinstance(sizes, str):
        raise SpecificationError(
            f"sizes must be one integer per population ({n_pop}: {list(game.population_names)}), got {sizes!r:.60}"
        )
    if len(sizes) != n_pop:
        raise SpecificationError(
            f"sizes gives {len(sizes)} population sizes, the game has {n_pop} populations"
        )
    checked = []
    for name, z in zip(game.population_names, sizes):
        if not isinstance(z, numbers.Integral) or isinstance(z, bool) or z < 2:
            raise SpecificationError(f"population {name!r}: size Z = {z!r} must be an integer >= 2")
        checked.append(int(z))
    process = FiniteProcess(
        game, tuple(checked), kind, intensity, _check_mu(mu), MappingProxyType(dict(params or {}))
    )
    _ = process.payoff_model  # validates the parameters and the group size now
    return process


def _number(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(float(value)):
        raise ParameterError(f"{name} must be a finite real number, got {value!r:.60}")
    return float(value)


def _check_mu(mu: Any) -> float:
    mu = _number(mu, "mu (the mutation probability)")
    if not 0 <= mu <= 1:
        raise ParameterError(f"mu (the mutation probability) = {mu} lies outside [0, 1]")
    return mu


def _check_w(w: Any) -> float:
    w = _number(w, "w (the intensity of selection)")
    if not 0 <= w <= 1:
        raise ParameterError(f"w (the intensity of selection) = {w} lies outside [0, 1]")
    return w


def _check_beta(beta: Any) -> float:
    beta = _number(beta, "beta (the intensity of selection)")
    if beta < 0:
        raise ParameterError(f"beta (the intensity of selection) = {beta} must be >= 0")
    return beta
