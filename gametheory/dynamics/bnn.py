r"""Brown-von Neumann-Nash (BNN) dynamics of multi-population games.

Equations
---------
With expected payoffs :math:`f_{ij}(x)` (those of the replicator dynamics), the
population's mean payoff :math:`\bar f_i = \sum_l x_{il} f_{il}` and the *excess
payoffs* :math:`e_{ij} = f_{ij} - \bar f_i`,

.. math::  \dot x_{ij} = [e_{ij}]_+ - x_{ij} \sum_l [e_{il}]_+, \qquad j < k_i,

with :math:`[u]_+ = \max(0, u)` (Brown and von Neumann 1950; Sandholm 2010,
*Population Games and Evolutionary Dynamics*, section 5.5).  Time is measured as in
this formula (a revising agent switches to strategy ``j`` at rate :math:`[e_{ij}]_+`;
no normalisation of the rates), each population on its own simplex.

The rest points are exactly the Nash equilibria (*Nash stationarity*), and the
dynamics satisfy positive correlation (Sandholm 2010, chapter 5).  The dynamics are
not imitative: a strategy with a positive excess payoff enters even from share 0, so
faces are not invariant; none of the flags of
:class:`~gametheory.dynamics.base.TheoryFacts` holds (rest points are the Nash
equilibria, not every state equalising payoffs on its support; asymptotically stable
states need not be strict equilibria), and the chart is ``"shares"``.  The
Jacobian at a kink is the average of the one-sided derivatives across it (step
:math:`H(0) = 1/2`, see :mod:`gametheory.dynamics.positive_part`).
"""

from __future__ import annotations

from typing import ClassVar

import sympy

from ..game import Game
from .base import Dynamics, TheoryFacts
from .positive_part import positive_part

__all__ = ["BrownNeumannNashDynamics"]


class BrownNeumannNashDynamics(Dynamics):
    r"""Brown-von Neumann-Nash dynamics :math:`\dot x_{ij} = [e_{ij}]_+ - x_{ij}\sum_l [e_{il}]_+`.

    Attributes
    ----------
    excess_payoffs : tuple of tuple of sympy.Expr
        :math:`e_{ij} = f_{ij} - \bar f_i` per population and strategy.

    Notes
    -----
    The Jacobian is the exact derivative away from the kinks :math:`e_{ij} = 0`; on one of
    them it is the average of the two one-sided derivatives (step :math:`H(0) = 1/2`, see
    :mod:`gametheory.dynamics.positive_part`).

    Examples
    --------
    >>> from gametheory.models import classic
    >>> dyn = classic.matching_pennies_3().dynamics("bnn")
    >>> dyn.chart, dyn.facts.faces_invariant
    ('shares', False)
    >>> bool((dyn.vector_field([0.5, 0.5, 0.5], {"a": 1.0}) == 0).all())  # the Nash equilibrium is at rest
    True
    >>> dyn.vector_field([1.0, 1.0, 1.0], {"a": 1.0}).tolist()  # a vertex is not
    [0.0, 0.0, -2.0]
    >>> dyn.to_latex().splitlines()[1].startswith(r"\frac{\mathrm{d}x}{\mathrm{d}t} &=")
    True
    """

    facts: ClassVar[TheoryFacts] = TheoryFacts(rest_points_are_nash=True)  # Nash stationarity
    chart: ClassVar[str] = "shares"

    def __init__(self, game: Game) -> None:
        super().__init__(game)
        self.expected_payoffs = game.replicator().expected_payoffs
        shares = self.shares_symbolic()
        self.excess_payoffs: tuple[tuple[sympy.Expr, ...], ...] = tuple(
            tuple(f - sympy.Add(*(s * g for s, g in zip(shares[i], row))) for f in row)
            for i, row in enumerate(self.expected_payoffs)
        )
        gains = [tuple(positive_part(e) for e in row) for row in self.excess_payoffs]
        self.equations = sympy.ImmutableMatrix(
            [gains[i][j] - shares[i][j] * sympy.Add(*gains[i]) for i, j in self.coordinates]
        )
