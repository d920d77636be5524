"""Results of the exact analysis of finite-population processes (immutable; ``summary``, ``to_frame``, ``plot``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["StationaryDistribution", "FixationMatrix", "StochasticStability", "FixationCurve"]


def _freeze(obj: Any, *names: str) -> None:
    for name in names:
        arr = np.array(getattr(obj, name), dtype=float)
        arr.setflags(write=False)
        object.__setattr__(obj, name, arr)


@dataclass(frozen=True)
class StationaryDistribution:
    """A stationary distribution over states of a finite-population process.

    Attributes
    ----------
    labels : tuple of str
        One per state: a pure profile (``"H"``, ``"(C, E, A)"``) for the small-mutation
        limit, a composition (``"H=3 D=7"``) for the full chain.
    counts : ndarray, shape (n_states, sum k_i)
        The composition of each state (population by population, see ``coordinates``).
    probabilities : ndarray, shape (n_states,)
        Sums to 1.
    coordinates : tuple of (population, strategy)
    mutation : str or float
        ``"small"`` (the small-mutation limit) or the mutation probability of the full chain.
    process : str
        A one-line description of the process.

    Examples
    --------
    >>> import gametheory as gt
    >>> from gametheory.models import classic
    >>> sd = gt.pairwise_comparison(classic.hawk_dove(), 10).stationary_distribution()
    >>> sd.labels, round(float(sd.probabilities.sum()), 12)
    (('H', 'D'), 1.0)
    """

    labels: tuple[str, ...]
    counts: np.ndarray
    probabilities: np.ndarray
    coordinates: tuple[tuple[str, str], ...]
    mutation: Any
    process: str

    def __post_init__(self) -> None:
        _freeze(self, "counts", "probabilities")

    def mean_shares(self) -> dict[tuple[str, str], float]:
        """Expected share of each (population, strategy) under the distribution.

        Examples
        --------
        >>> import gametheory as gt
        >>> from gametheory.models import classic
        >>> sd = gt.pairwise_comparison(classic.hawk_dove(), 10).stationary_distribution()
        >>> {k: round(v, 4) for k, v in sd.mean_shares().items()}
        {('population', 'H'): 0.982, ('population', 'D'): 0.018}
        """
        totals = {}
        for (pop, _), c in zip(self.coordinates, self.counts[0]):
            totals[pop] = totals.get(pop, 0.0) + c
        mean = self.probabilities @ self.counts
        return {key: float(v / totals[key[0]]) for key, v in zip(self.coordinates, mean)}

    def top(self, n: int = 10) -> list[tuple[str, float]]:
        """The ``n`` most likely states with their probabilities, most likely first."""
        order = np.argsort(-self.probabilities, kind="stable")[:n]
        return [(self.labels[k], float(self.probabilities[k])) for k in order]

    def summary(self) -> str:
        """The process, the mutation regime and the most likely states."""
        kind = "small-mutation limit" if self.mutation == "small" else f"mutation mu = {self.mutation:g}"
        lines = [f"Stationary distribution ({kind}) over {len(self.labels):,} states; {self.process}"]
        lines += [f"  {p:10.6f}  {label}" for label, p in self.top(10)]
        return "\n".join(lines)

    def to_frame(self) -> Any:
        """One row per state: label, the counts (one column per coordinate), probability (pandas)."""
        import pandas as pd

        frame = pd.DataFrame(self.counts.astype(int), columns=[f"{p}:{s}" for p, s in self.coordinates])
        frame.insert(0, "state", list(self.labels))
        frame["probability"] = self.probabilities
        return frame

    def plot(self, ax: Any = None) -> Any:
        """Draw with :func:`gametheory.plot.stationary_distribution`."""
        from ..plot.finite import stationary_distribution

        return stationary_distribution(self, ax=ax)

    def __repr__(self) -> str:
        return f"StationaryDistribution({len(self.labels)} states, mutation={self.mutation!r})"


@dataclass(frozen=True)
class FixationMatrix:
    """Fixation probabilities between monomorphic states that differ in one population.

    Attributes
    ----------
    states : tuple of str
        The monomorphic states (pure profiles).
    matrix : ndarray, shape (M, M)
        ``matrix[r, m]``: probability that one mutant turns state ``r`` into state ``m``;
        NaN where ``r == m`` or they differ in more than one population.
    neutral : ndarray, shape (M, M)
        The neutral reference :math:`1/Z_i` at the same entries (NaN elsewhere).
    process : str

    Examples
    --------
    >>> import gametheory as gt
    >>> from gametheory.models import classic
    >>> fm = gt.moran(classic.hawk_dove(), 10, w=0.0).fixation_matrix()
    >>> fm.states, fm.matrix[0, 1].round(12)
    (('H', 'D'), np.float64(0.1))
    """

    states: tuple[str, ...]
    matrix: np.ndarray
    neutral: np.ndarray
    process: str

    def __post_init__(self) -> None:
        _freeze(self, "matrix", "neutral")

    def summary(self) -> str:
        """One line per pair: resident -> mutant, rho, and rho relative to neutral."""
        lines = [f"Fixation probabilities; {self.process}"]
        for r, m in zip(*np.nonzero(np.isfinite(self.matrix))):
            rho, ref = self.matrix[r, m], self.neutral[r, m]
            lines.append(f"  {self.states[r]} -> {self.states[m]}: {rho:.6g} ({rho / ref:.3g} x neutral)")
        return "\n".join(lines)

    def to_frame(self) -> Any:
        """One row per resident-mutant pair: resident, mutant, rho, neutral (pandas)."""
        import pandas as pd

        rows = [
            (self.states[r], self.states[m], self.matrix[r, m], self.neutral[r, m])
            for r, m in zip(*np.nonzero(np.isfinite(self.matrix)))
        ]
        return pd.DataFrame(rows, columns=["resident", "mutant", "rho", "neutral"])

    def plot(self, ax: Any = None) -> Any:
        """Draw with :func:`gametheory.plot.fixation_matrix`."""
        from ..plot.finite import fixation_matrix

        return fixation_matrix(self, ax=ax)


@dataclass(frozen=True)
class StochasticStability:
    """The small-mutation stationary distribution along a grid of selection intensities.

    Attributes
    ----------
    intensity_name : str
        ``"beta"`` or ``"w"``; ``"Z"`` when the grid is of population sizes
        (:func:`gametheory.finite.stationary_curve`).
    intensities : ndarray, shape (n,)
    states : tuple of str
        The monomorphic states.
    probabilities : ndarray, shape (n, M)
        Row ``t``: the distribution at ``intensities[t]``.

    Examples
    --------
    >>> import gametheory as gt
    >>> from gametheory.models import classic
    >>> st = gt.pairwise_comparison(classic.hawk_dove(), 10).stochastic_stability([1.0, 20.0])
    >>> st.probabilities.shape, st.limit_states
    ((2, 2), ('H',))
    """

    intensity_name: str
    intensities: np.ndarray
    states: tuple[str, ...]
    probabilities: np.ndarray

    def __post_init__(self) -> None:
        _freeze(self, "intensities", "probabilities")

    @property
    def limit_states(self) -> tuple[str, ...]:
        """States with at least 1 % of the mass at the largest intensity (most likely first)."""
        last = self.probabilities[int(np.argmax(self.intensities))]
        order = np.argsort(-last, kind="stable")
        return tuple(self.states[k] for k in order if last[k] >= 0.01)

    def summary(self) -> str:
        """The distribution at the smallest and largest intensity, and the limit states."""
        lo, hi = int(np.argmin(self.intensities)), int(np.argmax(self.intensities))
        lines = [
            f"Small-mutation stationary distribution over {self.intensity_name} in "
            f"[{self.intensities[lo]:g}, {self.intensities[hi]:g}]"
        ]
        for k, s in enumerate(self.states):
            lines.append(f"  {s}: {self.probabilities[lo, k]:.4f} -> {self.probabilities[hi, k]:.4f}")
        lines.append(f"  limit states: {', '.join(self.limit_states)}")
        return "\n".join(lines)

    def to_frame(self) -> Any:
        """One row per intensity, one column per state (pandas)."""
        import pandas as pd

        frame = pd.DataFrame(self.probabilities, columns=list(self.states))
        frame.insert(0, self.intensity_name, self.intensities)
        return frame

    def plot(self, ax: Any = None) -> Any:
        """Draw with :func:`gametheory.plot.stochastic_stability`."""
        from ..plot.finite import stochastic_stability

        return stochastic_stability(self, ax=ax)


@dataclass(frozen=True)
class FixationCurve:
    r"""Fixation probabilities of one mutant along a grid of population sizes or selection intensities.

    Made by :func:`gametheory.finite.fixation_curve`.

    Attributes
    ----------
    variable : str
        ``"Z"`` (population size), ``"beta"`` or ``"w"``.
    values : ndarray, shape (n,)
        The grid.
    transitions : tuple of str
        One label per curve, ``"resident -> mutant"``.
    log_probabilities : ndarray, shape (m, n)
        :math:`\log\rho` (natural log; finite far below the smallest double).
    neutral : ndarray, shape (m, n)
        The neutral reference :math:`1/Z_i` of the population where the mutant arises.
    process : str
        The base process (one line).

    Examples
    --------
    >>> import gametheory as gt
    >>> from gametheory.models import classic
    >>> fc = gt.fixation_curve(gt.moran(classic.hawk_dove(), 10, w=0.0), ("H", "D"), sizes=[5, 10])
    >>> fc.probabilities.round(12).tolist(), fc.neutral.tolist()
    ([[0.2, 0.1]], [[0.2, 0.1]])
    """

    variable: str
    values: np.ndarray
    transitions: tuple[str, ...]
    log_probabilities: np.ndarray
    neutral: np.ndarray
    process: str

    def __post_init__(self) -> None:
        _freeze(self, "values", "log_probabilities", "neutral")

    @property
    def probabilities(self) -> np.ndarray:
        """:math:`\rho` (underflows to 0 below about 1e-308; see ``log_probabilities``)."""
        return np.exp(self.log_probabilities)

    def summary(self) -> str:
        """Each transition's probability at the ends of the grid, relative to neutral."""
        lo, hi = int(np.argmin(self.values)), int(np.argmax(self.values))
        lines = [
            f"Fixation probability over {self.variable} in [{self.values[lo]:g}, {self.values[hi]:g}]; {self.process}"
        ]
        for k, label in enumerate(self.transitions):
            ends = []
            for t in (lo, hi):
                log10 = self.log_probabilities[k, t] / np.log(10)
                ratio = (self.log_probabilities[k, t] - np.log(self.neutral[k, t])) / np.log(10)
                ends.append(f"{_sci(log10)} ({_sci(ratio)} x neutral)")
            lines.append(f"  {label}: {ends[0]} -> {ends[1]}")
        return "\n".join(lines)

    def to_frame(self) -> Any:
        """One row per grid value and transition: variable, transition, rho, log_rho, neutral (pandas)."""
        import pandas as pd

        rows = [
            (self.values[t], label, float(np.exp(self.log_probabilities[k, t])), self.log_probabilities[k, t],
             self.neutral[k, t])
            for k, label in enumerate(self.transitions)
            for t in range(len(self.values))
        ]  # fmt: skip
        return pd.DataFrame(rows, columns=[self.variable, "transition", "rho", "log_rho", "neutral"])

    def plot(self, ax: Any = None) -> Any:
        """Draw with :func:`gametheory.plot.fixation_curve`."""
        from ..plot.finite import fixation_curve

        return fixation_curve(self, ax=ax)


def _sci(log10: float) -> str:
    """A number given by its base-10 logarithm, as ``1.23e-45`` even below the smallest double."""
    if not np.isfinite(log10):
        return "0"
    exponent = int(np.floor(log10))
    mantissa = 10 ** (log10 - exponent)
    if mantissa >= 9.995:
        mantissa, exponent = 1.0, exponent + 1
    if -3 <= exponent <= 3:
        return f"{10.0**log10:.4g}"
    return f"{mantissa:.3g}e{exponent:+d}"
