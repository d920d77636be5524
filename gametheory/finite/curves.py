r"""Exact results of a finite-population process along a grid of population sizes or selection intensities.

:func:`fixation_curve` gives the fixation probability of one mutant (for one or
several resident-mutant pairs) as the population size :math:`Z` or the
intensity of selection (:math:`\beta` of the Fermi process, :math:`w` of the
Moran process) varies, with the neutral reference :math:`1/Z`;
:func:`stationary_curve` gives the small-mutation stationary distribution along
the same kind of grid.  Both start from a process built by
:func:`gametheory.moran` or :func:`gametheory.pairwise_comparison` and change
only the varied quantity.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import SpecificationError
from . import chain
from .results import FixationCurve, StochasticStability

if TYPE_CHECKING:
    from .process import FiniteProcess

__all__ = ["fixation_curve", "stationary_curve"]


def _grid(process: Any, sizes: Any, intensities: Any) -> tuple[str, list[Any]]:
    from .process import FiniteProcess

    if not isinstance(process, FiniteProcess):
        raise SpecificationError(
            f"expected a FiniteProcess (gt.moran or gt.pairwise_comparison), got {type(process).__name__}"
        )
    if (sizes is None) == (intensities is None):
        raise SpecificationError("give exactly one grid: sizes=[...] or intensities=[...]")
    grid = sizes if sizes is not None else intensities
    if isinstance(grid, (str, bytes)) or not isinstance(grid, Sequence | np.ndarray) or len(grid) == 0:
        raise SpecificationError(f"the grid must be a non-empty sequence, got {grid!r:.60}")
    if intensities is not None:
        return ("w" if process.kind == "moran" else "beta"), [process.with_intensity(v) for v in grid]
    processes = []
    for z in grid:
        if not isinstance(z, numbers.Integral) or isinstance(z, bool) or z < 2:
            raise SpecificationError(f"sizes: every population size must be an integer >= 2, got {z!r}")
        processes.append(replace(process, sizes=(int(z),) * process.n_populations))
    return "Z", processes


def fixation_curve(
    process: FiniteProcess,
    transitions: Any,
    *,
    sizes: Sequence[int] | None = None,
    intensities: Sequence[float] | None = None,
) -> FixationCurve:
    r"""Fixation probability of one mutant as the population size or the selection intensity varies.

    For each grid value the process is ``process`` with every population of size
    ``Z`` (``sizes``) or with the intensity ``beta`` / ``w`` (``intensities``);
    the probability is :meth:`~gametheory.finite.process.FiniteProcess.fixation_probability`
    (no mutation, log space).  The neutral reference is :math:`1/Z_i`, ``Z_i`` the
    size of the population where the mutant arises.

    Parameters
    ----------
    process : FiniteProcess
        The base process (its game, kind, parameters, and the quantity not varied).
    transitions
        One ``(resident, mutant)`` pair or a list of them (strategy names for one
        population, profiles otherwise; see ``fixation_probability``).
    sizes, intensities
        Exactly one grid: population sizes (integers >= 2, the same for every
        population) or selection intensities.

    Returns
    -------
    FixationCurve

    Examples
    --------
    >>> import gametheory as gt
    >>> from gametheory.models import classic
    >>> p = gt.pairwise_comparison(classic.hawk_dove(), 20)
    >>> fc = gt.fixation_curve(p, [("D", "H"), ("H", "D")], intensities=[0.0, 1.0])
    >>> fc.transitions, fc.probabilities.round(4).tolist()
    (('D -> H', 'H -> D'), [[0.05, 0.6288], [0.05, 0.0009]])
    """
    variable, processes = _grid(process, sizes, intensities)
    pairs = [transitions] if _is_pair(transitions) else list(transitions)
    if not pairs or not all(_is_pair(t) for t in pairs):
        raise SpecificationError(
            f"transitions must be a (resident, mutant) pair or a list of them, got {transitions!r:.80}"
        )
    logs = np.empty((len(pairs), len(processes)))
    neutral = np.empty_like(logs)
    labels = []
    for k, (resident, mutant) in enumerate(pairs):
        _, i, _ = process._pair(resident, mutant)
        labels.append(f"{_name(resident)} -> {_name(mutant)}")
        for t, proc in enumerate(processes):
            logs[k, t] = proc.fixation_probability(resident, mutant, log=True)
            neutral[k, t] = 1.0 / proc.sizes[i]
    values = [p.sizes[0] if variable == "Z" else p.intensity for p in processes]
    return FixationCurve(variable, np.array(values, float), tuple(labels), logs, neutral, repr(process))


def stationary_curve(
    process: FiniteProcess,
    *,
    sizes: Sequence[int] | None = None,
    intensities: Sequence[float] | None = None,
) -> StochasticStability:
    """The small-mutation stationary distribution as the population size or the selection intensity varies.

    ``intensities`` gives :meth:`~gametheory.finite.process.FiniteProcess.stochastic_stability`;
    ``sizes`` the same over population sizes (every population of size ``Z``;
    the result's ``intensity_name`` is ``"Z"``).

    Examples
    --------
    >>> import gametheory as gt
    >>> from gametheory.models import classic
    >>> st = gt.stationary_curve(gt.pairwise_comparison(classic.hawk_dove(), 10), sizes=[5, 50])
    >>> st.intensity_name, st.probabilities[:, 0].round(4).tolist()
    ('Z', [0.9399, 1.0])
    """
    variable, processes = _grid(process, sizes, intensities)
    if variable != "Z":
        return process.stochastic_stability([p.intensity for p in processes])
    rows = [chain.small_mutation_stationary(p).probabilities for p in processes]
    return StochasticStability(
        intensity_name="Z",
        intensities=np.array([p.sizes[0] for p in processes], float),
        states=chain.monomorphic_labels(process),
        probabilities=np.array(rows),
    )


def _is_pair(obj: Any) -> bool:
    return (
        isinstance(obj, tuple)
        and len(obj) == 2
        and all(isinstance(x, str | tuple | numbers.Integral) for x in obj)
    )


def _name(strategy_or_profile: Any) -> str:
    if isinstance(strategy_or_profile, tuple):
        return "(" + ", ".join(str(s) for s in strategy_or_profile) + ")"
    return str(strategy_or_profile)
