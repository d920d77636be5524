r"""Pairwise imitation dynamics with the Fermi switching rate (pairwise comparison process).

Equations
---------
A revising agent of population ``i`` playing ``l`` meets a random member of its
own population playing ``j`` and switches to ``j`` with probability
:math:`\rho(f_{ij} - f_{il})`, :math:`\rho(\Delta) = 1/(1 + e^{-\beta\Delta})`.
The mean dynamic is

.. math::  \dot x_{ij} = x_{ij} \sum_l x_{il}\,[\rho(f_{ij} - f_{il}) - \rho(f_{il} - f_{ij})]
           = x_{ij} \sum_l x_{il} \tanh\!\big(\beta (f_{ij} - f_{il}) / 2\big),

for :math:`j < k_i` (Traulsen, Nowak and Pacheco 2006, Phys. Rev. E 74:011909;
Sandholm 2010, ch. 5).  It is the large-population limit of the pairwise
comparison (Fermi) process.

Time scale and normalisation: one unit of time is ``N_i`` revision opportunities
in population ``i`` of size ``N_i`` (each agent revises once per unit on average),
the same per-capita revision rate in every population; there is no other
normalisation.  For small :math:`\beta`, :math:`\tanh(\beta\Delta/2) = \beta\Delta/2
+ O(\beta^3)`, so the field is :math:`(\beta/2)` times the replicator field up to a
relative error :math:`O(\beta^2)`: weak selection slows the replicator down.

:math:`\beta` (the intensity of selection) is a positive finite number; it enters
the equations exactly (``0.1`` as ``1/10``).

Theorems analysis may use: it is an *imitative* dynamic (Sandholm 2010, ch. 5), so
faces are invariant (an unused strategy is never imitated), its rest points are the
restricted equilibria, the points where every strategy in use earns the same (the
replicator's rest points: Nash equilibria and more), and it satisfies *positive
correlation* (:math:`\dot x \cdot f(x) > 0` away from rest points; per population).
Stability is not the replicator's: the Jacobian differs off the faces, so sinks are
decided by this dynamics' own eigenvalues, and no ESS theorem is applied.
"""

from __future__ import annotations

import math
import numbers
from typing import ClassVar

import sympy

from ..errors import SpecificationError
from ..expressions import parse_expression
from ..game import Game
from .base import Dynamics, TheoryFacts

__all__ = ["ImitationDynamics"]


class ImitationDynamics(Dynamics):
    r"""Pairwise imitation :math:`\dot x_{ij} = x_{ij}\sum_l x_{il}\tanh(\beta(f_{ij}-f_{il})/2)`.

    Parameters
    ----------
    game : Game
    beta : float, default 1.0
        Intensity of selection :math:`\beta`, a positive finite real number.

    Attributes
    ----------
    beta : sympy.Rational or sympy.Float
        :math:`\beta` as it enters the equations.
    growth_rates : tuple of tuple of sympy.Expr
        Per-capita growth :math:`\sum_l x_{il}\tanh(\beta(f_{ij}-f_{il})/2)`.

    Raises
    ------
    SpecificationError
        When ``beta`` is not a positive finite real number.

    Examples
    --------
    >>> from gametheory.models import classic
    >>> dyn = classic.matching_pennies_3().dynamics("imitation", beta=0.5)
    >>> dyn.equations[0]
    x*(1 - x)*tanh(a*(y - 1/2))
    >>> dyn.vector_field([0.5, 1.0, 0.5], {"a": 1.0}).round(6)
    array([0.115529, 0.      , 0.      ])
    >>> classic.matching_pennies_3().dynamics("imitation", beta=0)
    Traceback (most recent call last):
    ...
    gametheory.errors.SpecificationError: imitation dynamics: beta (the intensity of selection) must be a positive finite real number, got 0
    """

    #: Imitative: faces are invariant, and a rest point's support earns equal payoffs
    #: (the best strategy in use would otherwise grow).  Vertex eigenvalues are
    #: tanh of half the scaled payoff differences, and the strict-Nash theorem of the
    #: replicator is not established here.
    facts: ClassVar[TheoryFacts] = TheoryFacts(faces_invariant=True, rest_points_equalize_payoffs=True)
    chart: ClassVar[str] = "log-ratio"

    def __init__(self, game: Game, beta: float = 1.0) -> None:
        super().__init__(game)
        self.beta = _check_beta(beta)
        self.expected_payoffs = game.replicator().expected_payoffs
        shares = self.shares_symbolic()
        self._growth = tuple(
            tuple(
                sympy.Add(
                    *(
                        share * sympy.tanh(sympy.factor_terms(self.beta * (f - g) / 2))
                        for l, (share, g) in enumerate(zip(shares[i], row))
                        if l != j
                    )
                )
                for j, f in enumerate(row)
            )
            for i, row in enumerate(self.expected_payoffs)
        )
        rows = []
        for r, (i, j) in enumerate(self.coordinates):
            s = self.states[r]
            if game.populations[i].size == 2:  # x(1-x) tanh(beta Delta/2): the vertices are exact zeros
                rows.append(sympy.factor_terms(s * self._growth[i][j].subs(shares[i][-1], 1 - s)))
            else:
                rows.append(s * self._growth[i][j])
        self.equations = sympy.ImmutableMatrix(rows)

    @property
    def growth_rates(self) -> tuple[tuple[sympy.Expr, ...], ...]:
        r"""Per-capita growth :math:`\dot x_{ij}/x_{ij} = \sum_l x_{il}\tanh(\beta(f_{ij}-f_{il})/2)`."""
        return self._growth


def _check_beta(beta: object) -> sympy.Expr:
    """``beta`` as an exact sympy number, or a SpecificationError naming it."""
    ok = isinstance(beta, numbers.Real) and not isinstance(beta, bool) and math.isfinite(float(beta))
    if isinstance(beta, sympy.Basic):
        ok = bool(beta.is_number and beta.is_real and beta.is_finite)
    if not ok or not float(beta) > 0:  # type: ignore[arg-type]
        raise SpecificationError(
            "imitation dynamics: beta (the intensity of selection) must be a positive finite real number, "
            f"got {beta!r:.60}"
        )
    return parse_expression(float(beta) if not isinstance(beta, sympy.Basic) else beta, where="beta")
