r"""Smith dynamics (pairwise comparison) of multi-population games.

Equations
---------
With expected payoffs :math:`f_{ij}(x)` (those of the replicator dynamics),

.. math::

    \dot x_{ij} = \sum_l x_{il}\,[f_{ij} - f_{il}]_+ \;-\; x_{ij} \sum_l [f_{il} - f_{ij}]_+,
    \qquad j < k_i,

with :math:`[u]_+ = \max(0, u)` (Smith 1984; Sandholm 2010, *Population Games and
Evolutionary Dynamics*, section 5.6): an agent of strategy ``l`` compares with a
strategy ``j`` drawn uniformly and switches at rate :math:`[f_{ij} - f_{il}]_+`.
Time is measured as in this formula (no normalisation of the rates), each population
on its own simplex.

The rest points are exactly the Nash equilibria (*Nash stationarity*), and the
dynamics satisfy positive correlation (Sandholm 2010, chapter 5).  The dynamics are
not imitative: a better strategy enters even from share 0, so faces are not
invariant; none of the flags of :class:`~gametheory.dynamics.base.TheoryFacts`
holds, and the chart is ``"shares"``.  The Jacobian at a kink is the average
of the one-sided derivatives across it (step :math:`H(0) = 1/2`, see
:mod:`gametheory.dynamics.positive_part`).
"""

from __future__ import annotations

from typing import ClassVar

import sympy

from ..game import Game
from .base import Dynamics, TheoryFacts
from .positive_part import positive_part

__all__ = ["SmithDynamics"]


class SmithDynamics(Dynamics):
    r"""Smith dynamics :math:`\dot x_{ij} = \sum_l x_{il}[f_{ij} - f_{il}]_+ - x_{ij}\sum_l [f_{il} - f_{ij}]_+`.

    Notes
    -----
    The Jacobian is the exact derivative away from the kinks :math:`f_{ij} = f_{il}`; on one of
    them it is the average of the two one-sided derivatives (step :math:`H(0) = 1/2`, see
    :mod:`gametheory.dynamics.positive_part`).

    Examples
    --------
    >>> from gametheory.models import classic
    >>> dyn = classic.matching_pennies_3().dynamics("smith")
    >>> dyn.chart, dyn.facts.rest_points_equalize_payoffs
    ('shares', False)
    >>> bool((dyn.vector_field([0.5, 0.5, 0.5], {"a": 1.0}) == 0).all())  # the Nash equilibrium is at rest
    True
    >>> dyn.vector_field([1.0, 1.0, 1.0], {"a": 1.0}).tolist()  # a vertex is not
    [0.0, 0.0, -2.0]
    """

    facts: ClassVar[TheoryFacts] = TheoryFacts(rest_points_are_nash=True)  # Nash stationarity
    chart: ClassVar[str] = "shares"

    def __init__(self, game: Game) -> None:
        super().__init__(game)
        self.expected_payoffs = game.replicator().expected_payoffs
        shares = self.shares_symbolic()
        rows = []
        for i, j in self.coordinates:
            f, x = self.expected_payoffs[i], shares[i]
            inflow = sympy.Add(*(x[l] * positive_part(f[j] - f[l]) for l in range(len(f)) if l != j))
            outflow = sympy.Add(*(positive_part(f[l] - f[j]) for l in range(len(f)) if l != j))
            rows.append(inflow - x[j] * outflow)
        self.equations = sympy.ImmutableMatrix(rows)
