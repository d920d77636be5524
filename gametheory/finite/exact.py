r"""The one-mutant birth-death chain: fixation probabilities (log space) and mean times (tridiagonal).

A single mutant ``m`` in population :math:`i` of a resident profile ``s`` (every
other population monomorphic at ``s``) moves along :math:`j = 0, \dots, Z_i`
mutants by one at a time, up with :math:`T^+(j)` (a resident becomes a mutant,
:meth:`~gametheory.finite.process.FiniteProcess.rates` with :math:`\mu = 0`) and
down with :math:`T^-(j)`.  With :math:`\gamma_j = T^-(j)/T^+(j)` and
:math:`S_k = \sum_{j \le k} \log\gamma_j` (:math:`S_0 = 0`):

.. math::  \log\rho = -\log\sum_{k=0}^{Z-1} e^{S_k},\qquad
           \phi_j = \sum_{k<j} e^{S_k} \Big/ \sum_{k<Z} e^{S_k},

with :math:`\log\gamma_j = -\beta(\pi_m - \pi_r)` (Fermi) or
:math:`\log\phi_r - \log\phi_m` (Moran, fitness :math:`\phi = 1 - w + w\pi`), so no
product is ever formed.  Mean times in events solve the tridiagonal system
:math:`(T^+_j + T^-_j) t_j - T^+_j t_{j+1} - T^-_j t_{j-1} = r_j`,
:math:`t_0 = t_Z = 0`: :math:`r_j = 1` gives the unconditional absorption time,
:math:`r_j = \phi_j/\phi_1` gives :math:`\phi_j\theta_j/\phi_1`, whose first entry is
the conditional fixation time :math:`\theta_1`.  Times are divided by
:math:`\sum_l Z_l` events per unit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from scipy.linalg import solve_banded
from scipy.special import logsumexp

from ..errors import NumericalError, StateError

if TYPE_CHECKING:
    from .process import FiniteProcess

__all__ = ["birth_death_chain", "log_fixation_probability", "fixation_time"]


def birth_death_chain(
    process: FiniteProcess, resident: tuple[int, ...], i: int, m: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(T+, T-, log gamma)`` at ``j = 1, ..., Z_i - 1`` mutants ``m`` in population ``i``.

    Examples
    --------
    >>> import gametheory as gt
    >>> from gametheory.models import classic
    >>> p = gt.moran(classic.hawk_dove(), 4, w=0.0)
    >>> up, down, log_gamma = birth_death_chain(p, (0,), 0, 1)
    >>> up.round(4), log_gamma
    (array([0.1875, 0.25  , 0.1875]), array([0., 0., 0.]))
    """
    model = process.payoff_model
    z = process.sizes[i]
    r = resident[i]
    j = np.arange(1, z, dtype=float)
    counts = np.zeros((z - 1, model.n_coordinates))
    for l, s in enumerate(resident):
        counts[:, model.offsets[l] + s] = process.sizes[l]
    counts[:, model.offsets[i] + r] = z - j
    counts[:, model.offsets[i] + m] = j
    rates = process.rates(counts, mu=0.0)
    moves = process.moves
    up = rates[:, moves.index((i, r, m))]
    down = rates[:, moves.index((i, m, r))]
    pi = model(counts)
    pi_r, pi_m = pi[:, model.offsets[i] + r], pi[:, model.offsets[i] + m]
    if process.kind == "moran":
        w = process.intensity
        log_gamma = np.log(1 - w + w * pi_r) - np.log(1 - w + w * pi_m)
    else:
        log_gamma = -process.intensity * (pi_m - pi_r)
    return up, down, log_gamma


def _log_partial_sums(log_gamma: np.ndarray) -> np.ndarray:
    """:math:`S_0 = 0, S_1, \\dots, S_{Z-1}`."""
    return np.concatenate([[0.0], np.cumsum(log_gamma)])


def log_fixation_probability(process: FiniteProcess, resident: tuple[int, ...], i: int, m: int) -> float:
    """:math:`\\log\\rho` of one mutant ``m`` in population ``i`` of the ``resident`` profile (module docstring).

    Examples
    --------
    >>> import math
    >>> import gametheory as gt
    >>> from gametheory.models import classic
    >>> p = gt.moran(classic.hawk_dove(), 8, w=0.0)
    >>> math.isclose(math.exp(log_fixation_probability(p, (0,), 0, 1)), 1 / 8)
    True
    """
    _, _, log_gamma = birth_death_chain(process, resident, i, m)
    value = -float(logsumexp(_log_partial_sums(log_gamma)))
    if not np.isfinite(value):
        raise NumericalError(f"the fixation probability is not finite (log rho = {value})")
    return value


def fixation_time(
    process: FiniteProcess, resident: tuple[int, ...], i: int, m: int, *, conditional: bool = True
) -> float:
    """Mean conditional fixation time (or unconditional absorption time) from one mutant, in time units.

    Examples
    --------
    >>> import gametheory as gt
    >>> from gametheory.models import classic
    >>> p = gt.moran(classic.hawk_dove(), 10, w=0.0)
    >>> round(fixation_time(p, (0,), 0, 1, conditional=False), 6)  # neutral: sum_j 1/j over Z ... in units
    2.828968
    """
    up, down, log_gamma = birth_death_chain(process, resident, i, m)
    size = up.size
    banded = np.zeros((3, size))
    banded[0, 1:] = -up[:-1]
    banded[1] = up + down
    banded[2, :-1] = -down[1:]
    if conditional:
        partial = _log_partial_sums(log_gamma)[:-1]  # S_0 .. S_{Z-2}
        rhs = np.exp(np.logaddexp.accumulate(partial))  # phi_j / phi_1 = sum_{k<j} e^{S_k}
    else:
        rhs = np.ones(size)
    if not np.isfinite(rhs).all():
        raise NumericalError(
            "the conditional fixation time overflows: the mutant's fixation probability is below "
            "about 1e-308 (use conditional=False, or weaker selection)"
        )
    if (up <= 0).any() or (down <= 0).any():
        raise StateError("the birth-death chain has a zero transition rate: a time is infinite or undefined")
    t = solve_banded((1, 1), banded, rhs)
    value = float(t[0]) / sum(process.sizes)
    if not np.isfinite(value):
        raise NumericalError(f"the fixation time is not finite ({value})")
    return value
