r"""Adjusted (Maynard Smith) replicator dynamics of multi-population games.

Equations
---------
With expected payoffs :math:`f_{ij}(x)` and the population's mean payoff
:math:`\bar f_i = \sum_l x_{il} f_{il}`,

.. math::  \dot x_{ij} = x_{ij}\,\frac{f_{ij}(x) - \bar f_i(x)}{\bar f_i(x)}, \qquad j < k_i

(Maynard Smith 1982; Hofbauer and Sigmund 1998; Weibull 1995, ch. 5).
Per population this is the replicator dynamics divided by :math:`\bar f_i > 0`: the
same orbits within one population, a time change that differs between
populations, so in multi-population games the two dynamics can differ in
stability (an interior rest point of a bimatrix game may be asymptotically
stable here, never for the replicator).  Time is measured in generations of a
discrete-time model with fitness proportional to payoff.

Positive payoffs
----------------
The equations need :math:`\bar f_i > 0` on the whole simplex.  The rule enforced
is the simple sufficient one: at the parameter values used, every payoff of every
population is > 0; :meth:`AdjustedReplicatorDynamics.parameter_vector` (which every
numerical routine calls) refuses values where a payoff is <= 0, naming it.

State-dependent payoffs
-----------------------
The formula needs only the expected payoffs :math:`f_{ij}(x)`, so it holds unchanged
for a game with state-dependent payoffs :math:`\pi_i(s; x)` (``Game(...,
state_dependent=True)``).  Then "every payoff > 0" must hold at every state: each
payoff polynomial must be > 0 on the state box, checked by its exact Bernstein
coefficients (all > 0; exact, namely the values at the box's corners, for payoffs of
degree at most 1 in each state, sufficient otherwise).  The theorems on payoffs
constant per profile lapse (:class:`~gametheory.dynamics.base.TheoryFacts` keeps only
the invariance of faces).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np
import sympy

from ..errors import ParameterError
from ..game import Game
from ..latex import latex_name
from ._payoff_table import PayoffTable
from .base import Dynamics, TheoryFacts

__all__ = ["AdjustedReplicatorDynamics"]


class AdjustedReplicatorDynamics(Dynamics):
    r"""Adjusted replicator dynamics :math:`\dot x_{ij} = x_{ij}(f_{ij} - \bar f_i)/\bar f_i`.

    Parameters
    ----------
    game : Game
        Payoffs must be > 0 at the parameter values used (checked by
        :meth:`parameter_vector`).

    Attributes
    ----------
    mean_payoffs : tuple of sympy.Expr
        :math:`\bar f_i(x)` of each population.
    equations : sympy.ImmutableMatrix
        Column ``(d, 1)``: the replicator's right-hand side of each coordinate
        divided by its population's mean payoff.

    Examples
    --------
    >>> import gametheory as gt
    >>> game = gt.Game.from_table(
    ...     {"row": ["A", "B"], "col": ["A", "B"]},
    ...     {("A", "A"): (3, 1), ("A", "B"): (1, 2), ("B", "A"): (2, 3), ("B", "B"): (4, 1)},
    ... )
    >>> dyn = game.dynamics("adjusted_replicator")
    >>> dyn.equations[0]
    x*(1 - x)*(4*y - 3)/(4*x*y - 3*x - 2*y + 4)
    >>> dyn.vector_field([0.5, 0.5]).round(6)
    array([-0.1     ,  0.071429])
    >>> gt.Game.from_table(game.populations, {("A", "A"): (3, 1), ("A", "B"): (1, 2),
    ...     ("B", "A"): (2, 3), ("B", "B"): ("a", 1)}, {"a": 0}).dynamics("adjusted_replicator").vector_field([0.5, 0.5])
    Traceback (most recent call last):
    ...
    gametheory.errors.ParameterError: the adjusted replicator dynamics needs every payoff of population 'row' to be > 0 (then its mean payoff is positive on the whole simplex): the payoff of 'row' at profile ('B', 'B') = a is 0 at {'a': 0.0}
    """

    #: Imitative: faces are invariant; with positive mean payoffs the rest points are
    #: the replicator's (payoffs equal on the support).  Vertex eigenvalues are payoff
    #: ratios, not differences, and interior rest points of multi-population games
    #: may be asymptotically stable, so the last two facts do not hold.
    facts: ClassVar[TheoryFacts] = TheoryFacts(faces_invariant=True, rest_points_equalize_payoffs=True)
    chart: ClassVar[str] = "log-ratio"

    def __init__(self, game: Game) -> None:
        super().__init__(game)
        replicator = game.replicator()
        self.expected_payoffs = replicator.expected_payoffs
        shares = self.shares_symbolic()
        self.mean_payoffs: tuple[sympy.Expr, ...] = tuple(
            sympy.expand(sum((s * f for s, f in zip(shares[i], self.expected_payoffs[i])), sympy.Integer(0)))
            for i in range(len(game.populations))
        )
        self.equations = sympy.ImmutableMatrix(
            [replicator.equations[r] / self.mean_payoffs[i] for r, (i, _) in enumerate(self.coordinates)]
        )
        self._payoff_table = PayoffTable(game, self.states)

    @property
    def growth_rates(self) -> tuple[tuple[sympy.Expr, ...], ...]:
        r"""Per-capita growth up to a term common to the population: :math:`f_{ij}/\bar f_i`."""
        return tuple(
            tuple(f / self.mean_payoffs[i] for f in row) for i, row in enumerate(self.expected_payoffs)
        )

    def parameter_vector(self, params: Mapping[str, Any] | None = None) -> np.ndarray:
        """As :meth:`Dynamics.parameter_vector`, and refuses values at which a payoff is <= 0.

        Raises
        ------
        ParameterError
            Also when a payoff is not > 0 at the values (naming population, profile and value).
        """
        p = super().parameter_vector(params)
        offence = self._payoff_table.first(p, lambda v: ~(v > 0))
        if offence is not None:
            raise ParameterError(
                f"the adjusted replicator dynamics needs every payoff of population {offence.population!r} "
                f"to be > 0 (then its mean payoff is positive on the whole simplex): {offence}"
            )
        return p

    def to_latex(self) -> str:
        r"""The system as a paper prints it (a LaTeX ``align`` environment), with :math:`\bar f_i` written out."""
        names = {p.symbol: latex_name(p.name) for p in self.game.parameters}
        replicator = self.game.replicator()
        lines = []
        for r, (i, _) in enumerate(self.coordinates):
            s = sympy.latex(self.states[r])
            numerator = sympy.latex(replicator.equations[r], symbol_names=names)
            mean = sympy.latex(self.mean_payoffs[i], symbol_names=names)
            lines.append(rf"\frac{{\mathrm{{d}}{s}}}{{\mathrm{{d}}t}} &= \frac{{{numerator}}}{{{mean}}}")
        return "\\begin{align}\n" + " \\\\\n".join(lines) + "\n\\end{align}"
