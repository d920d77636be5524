"""What the ensemble kernels need of a dynamics, as picklable source text, and their raw result.

:class:`EnsembleSystem` carries the generated source (:mod:`gametheory.codegen`)
of the growth rates (log-ratio chart) or of the right-hand side (shares chart),
so that it pickles to process pools and Dask workers, which compile it on first
use.  :class:`KernelResult` is the raw output of
:func:`~gametheory.numerics.kernel_numpy.integrate_numpy` and
:func:`~gametheory.numerics.kernel_numba.integrate_numba`; the public result is
:class:`~gametheory.numerics.ensemble.Ensemble`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..codegen import CompiledFunction

if TYPE_CHECKING:
    from ..dynamics.base import Dynamics

__all__ = ["EnsembleSystem", "KernelResult", "STATUS_MESSAGES", "kernel_chart"]

#: Per-trajectory status codes of the kernels.
STATUS_MESSAGES = {
    0: "reached the end of t_span",
    -1: "the step size fell below the floating-point resolution of t (stiff or singular)",
    -2: "more steps than max_steps (stiff problem?)",
    -3: "non-finite values during integration (overflow; parameters too extreme?)",
}


def kernel_chart(coordinates: str) -> str:
    """The chart a kernel-level ``coordinates`` argument names: ``"log-ratio"`` or ``"shares"``.

    Examples
    --------
    >>> kernel_chart("log-ratio"), kernel_chart("shares")
    ('log-ratio', 'shares')
    """
    from .._checks import check_choice

    return check_choice(coordinates, ("log-ratio", "shares"), name="coordinates")


@dataclass(frozen=True)
class EnsembleSystem:
    """What the ensemble kernels need of a dynamics, as picklable source text.

    Attributes
    ----------
    strategy_counts : tuple of int
        ``k_i`` of each population; the state has ``d = sum(k_i - 1)`` coordinates.
    n_parameters : int
        Length ``p`` of the parameter vector.
    growth_array, growth_scalar, rhs_array, rhs_scalar : str
        Generated Python source (:mod:`gametheory.codegen`) of the growth rates
        :math:`g_{ij}` (all ``K = sum k_i`` of them, population by population;
        the expected payoffs for the replicator) and of the right-hand side
        :math:`\\dot x = F(x; p)`, in the ``"array"`` and ``"scalar"`` flavours;
        ``""`` where not needed (see :meth:`from_dynamics`).
    fingerprint : str
        :attr:`gametheory.game.Game.fingerprint` of the game.

    Examples
    --------
    >>> from gametheory.models import classic
    >>> system = EnsembleSystem.from_dynamics(classic.matching_pennies_3().replicator(), "numpy")
    >>> system.dimension, system.n_strategies, system.rhs_array
    (3, 6, '')
    """

    strategy_counts: tuple[int, ...]
    n_parameters: int
    growth_array: str
    growth_scalar: str
    rhs_array: str
    rhs_scalar: str
    fingerprint: str

    @classmethod
    def from_dynamics(
        cls, dyn: Dynamics, backend: str = "numba", coordinates: str = "log-ratio"
    ) -> EnsembleSystem:
        """The system of ``dyn``, with the sources that ``backend`` and ``coordinates`` need.

        Sources not needed are left empty (generating each costs a common
        subexpression elimination; ``dyn`` caches what it generates).
        """
        chart = kernel_chart(coordinates)
        # a dynamics integrated in shares need not have growth rates (only the log-ratio chart uses them)
        need = {("growth", "array") if chart == "log-ratio" else ("rhs", "array")}
        if backend == "numba":
            need.add(("growth", "scalar") if chart == "log-ratio" else ("rhs", "scalar"))

        def source(which: str, flavour: str) -> str:
            return dyn.compiled(which, flavour).source if (which, flavour) in need else ""

        return cls(
            strategy_counts=tuple(dyn.game.strategy_counts),
            n_parameters=len(dyn.parameters),
            growth_array=source("growth", "array"),
            growth_scalar=source("growth", "scalar"),
            rhs_array=source("rhs", "array"),
            rhs_scalar=source("rhs", "scalar"),
            fingerprint=dyn.game.fingerprint,
        )

    @property
    def dimension(self) -> int:
        """Number of state coordinates ``d``."""
        return sum(k - 1 for k in self.strategy_counts)

    @property
    def n_strategies(self) -> int:
        """Number of strategies ``K`` of all populations."""
        return sum(self.strategy_counts)

    @property
    def population_starts(self) -> tuple[int, ...]:
        """Index of each population's first strategy among the ``K`` strategies."""
        return tuple(int(s) for s in np.cumsum((0, *self.strategy_counts[:-1])))

    @property
    def reduced_strategies(self) -> np.ndarray:
        """For each state coordinate, its strategy's index among the ``K`` strategies."""
        return np.array(
            [s + j for s, k in zip(self.population_starts, self.strategy_counts) for j in range(k - 1)],
            dtype=np.int64,
        )

    def kernel_key(self, coordinates: str, method: str) -> str:
        """SHA-256 identifying the numba kernel for ``coordinates`` and ``method`` (its generated source)."""
        chart = kernel_chart(coordinates)
        source = self.growth_scalar if chart == "log-ratio" else self.rhs_scalar
        if not source:
            raise ValueError(f"this EnsembleSystem was made without the scalar source for {chart!r}")
        text = f"{chart}\n{method}\n{self.strategy_counts}\n{source}"
        return hashlib.sha256(text.encode()).hexdigest()

    def function(self, which: str) -> CompiledFunction:
        """The compiled ``"array"`` flavour of ``"growth"`` or ``"rhs"`` (cached per source)."""
        source = self.growth_array if which == "growth" else self.rhs_array
        if not source:
            raise ValueError(f"this EnsembleSystem was made without the {which!r} array source")
        return CompiledFunction(which, source, (), "array")


@dataclass(frozen=True)
class KernelResult:
    """Raw output of a kernel (see :class:`gametheory.numerics.ensemble.Ensemble` for the public result).

    Attributes
    ----------
    final : ndarray, shape (N, d)
        Reduced states at ``t1``.
    y : ndarray, shape (N, d, n_eval) or None
        Reduced states at ``t_eval`` (dense output), when ``t_eval`` was given.
    status : ndarray of int8, shape (N,)
        0 on success; see :data:`STATUS_MESSAGES`.
    nfev, n_steps, n_rejected : ndarray of int64, shape (N,)
        Right-hand-side evaluations, accepted and rejected steps per trajectory.

    Examples
    --------
    >>> r = KernelResult(np.zeros((1, 2)), None, np.zeros(1, np.int8), *(np.zeros(1, np.int64),) * 3)
    >>> r.final.shape
    (1, 2)
    """

    final: np.ndarray
    y: np.ndarray | None
    status: np.ndarray
    nfev: np.ndarray
    n_steps: np.ndarray
    n_rejected: np.ndarray
