r"""Logit dynamics (perturbed best response) and the smoothed best-response dynamics.

Equations
---------
With expected payoffs :math:`f_{ij}(x)` (those of the replicator dynamics) and a
noise level :math:`\eta > 0`, each population moves toward its logit choice

.. math::

    \dot x_{ij} = \sigma_{ij}(x) - x_{ij}, \qquad
    \sigma_{ij}(x) = \frac{\exp(f_{ij}(x)/\eta)}{\sum_l \exp(f_{il}(x)/\eta)}, \qquad j < k_i

(Sandholm 2010, *Population Games and Evolutionary Dynamics*, section 6.2), on the
time scale of the revision rate (every agent revises at rate one).  The softmax is
computed stably, :math:`\sigma_{ij} = \exp((f_{ij} - M_i)/\eta) / \sum_l
\exp((f_{il} - M_i)/\eta)` with :math:`M_i = \max_l f_{il}`, so no exponential
overflows however small :math:`\eta` is.

Rest points are the logit quantal response equilibria at precision
:math:`\lambda = 1/\eta` of the raw payoffs, :math:`x_i = \sigma_i(x)`; they are
interior (every share is positive) and are *not* Nash equilibria in general.  As
:math:`\eta \to 0` they approach Nash equilibria.  Faces are not invariant (unused
strategies enter at once), so no theory fact of :class:`~gametheory.dynamics.base.TheoryFacts`
holds and the integration chart is ``"shares"``.  Positive correlation fails (the
perturbation pulls toward the uniform choice); the logit dynamics satisfy its perturbed
form instead (Hofbauer and Sandholm 2007), so in potential games they converge to the
logit equilibria, which the analysis finds numerically (never as Nash equilibria).

The Jacobian is written out exactly,
:math:`\partial\sigma_{ij}/\partial x_c = \sigma_{ij}\,(\partial_c f_{ij} - \sum_l
\sigma_{il}\,\partial_c f_{il}) / \eta`, in the stable form of :math:`\sigma` (the
maximum :math:`M_i` cancels, so no step functions appear).
"""

from __future__ import annotations

import functools
import math
import numbers
from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np
import sympy

from ..errors import ParameterError, SpecificationError, suggest
from ..expressions import parse_expression
from ..game import Game
from ..latex import latex_name
from .base import Dynamics, TheoryFacts

__all__ = ["BestResponseDynamics", "LogitDynamics"]


class LogitDynamics(Dynamics):
    r"""Logit dynamics :math:`\dot x_{ij} = \mathrm{softmax}_j(f_i(x)/\eta) - x_{ij}` of a multi-population game.

    Parameters
    ----------
    game : Game
    eta : float or str
        The noise level :math:`\eta`: a positive finite number, or the name of a
        parameter of the game (then its value, given with the other parameters at
        evaluation, must be positive; a value <= 0 is a :class:`~gametheory.errors.ParameterError`).
        The precision of the quantal response equilibria at rest is :math:`\lambda = 1/\eta`.
        Required: there is no neutral default noise level (:class:`BestResponseDynamics`,
        the smoothed best response, is the one with a default).

    Raises
    ------
    SpecificationError
        If ``eta`` is not a positive finite number nor the name of one of the game's parameters
        (a bool, NaN, infinity, zero, a negative number, an unknown name...).

    Notes
    -----
    Time runs at the agents' revision rate; every population is normalised on its own
    simplex.  Rest points satisfy the quantal response fixed point :math:`x_i = \sigma_i(x)`
    on the raw payoffs.  The state space is forward invariant and its boundary is left at
    once (no invariant faces: chart ``"shares"``, facts all false).

    Examples
    --------
    >>> from gametheory.models import classic
    >>> dyn = LogitDynamics(classic.matching_pennies_3(), eta=0.5)  # or game.dynamics("logit", eta=0.5)
    >>> dyn.eta, dyn.chart, dyn.facts.faces_invariant
    (1/2, 'shares', False)
    >>> dyn.vector_field([0.5, 0.5, 0.5], {"a": 1.0}).round(12).tolist()  # the centre is a QRE
    [0.0, 0.0, 0.0]
    >>> print(dyn.to_latex().splitlines()[1])
    \frac{\mathrm{d}x}{\mathrm{d}t} &= \frac{e^{4 a y - 2 a}}{e^{- 4 a y + 2 a} + e^{4 a y - 2 a}} - x \\
    >>> LogitDynamics(classic.matching_pennies_3(), eta=0)
    Traceback (most recent call last):
    ...
    gametheory.errors.SpecificationError: eta must be a positive finite number or the name of a parameter of the game ['a']; got 0
    """

    facts: ClassVar[TheoryFacts] = TheoryFacts()
    chart: ClassVar[str] = "shares"

    def __init__(self, game: Game, eta: float | str) -> None:
        super().__init__(game)
        self.eta: sympy.Expr = _check_eta(game, eta)
        self.expected_payoffs = game.replicator().expected_payoffs
        self._eta_index = (
            game.parameter_names.index(self.eta.name) if isinstance(self.eta, sympy.Symbol) else None
        )
        self.choice_probabilities: tuple[tuple[sympy.Expr, ...], ...] = tuple(
            _softmax(row, self.eta) for row in self.expected_payoffs
        )
        shares = self.shares_symbolic()
        self.equations = sympy.ImmutableMatrix(
            [self.choice_probabilities[i][j] - shares[i][j] for i, j in self.coordinates]
        )

    @functools.cached_property
    def _jacobian(self) -> sympy.ImmutableMatrix:
        rows = []
        for r, (i, j) in enumerate(self.coordinates):
            sigma, payoffs = self.choice_probabilities[i], self.expected_payoffs[i]
            row = []
            for c, state in enumerate(self.states):
                slopes = [sympy.diff(f, state) for f in payoffs]
                mean = sympy.Add(*(s * g for s, g in zip(sigma, slopes)))
                row.append(sigma[j] * (slopes[j] - mean) / self.eta - (1 if c == r else 0))
            rows.append(row)
        return sympy.ImmutableMatrix(rows)

    def jacobian(self) -> sympy.ImmutableMatrix:
        r"""Exact Jacobian :math:`\partial\sigma_{ij}/\partial x_c - \delta_{(ij),c}`, shape ``(d, d)``.

        Examples
        --------
        >>> from gametheory.models import classic
        >>> dyn = classic.matching_pennies_3().dynamics("logit", eta=1)
        >>> dyn.jacobian_at([0.5, 0.5, 0.5], {"a": 1.0}).round(12).tolist()
        [[-1.0, 1.0, 0.0], [0.0, -1.0, 1.0], [-1.0, 0.0, -1.0]]
        """
        return self._jacobian

    def parameter_vector(self, params: Mapping[str, Any] | None = None) -> np.ndarray:
        """As :meth:`Dynamics.parameter_vector`, and refuses a value <= 0 of the parameter that is ``eta``.

        Examples
        --------
        >>> from gametheory import Game
        >>> game = Game.from_table({"r": ["A", "B"], "c": ["A", "B"]},
        ...     {"A,A": (1, 1), "A,B": (0, 0), "B,A": (0, 0), "B,B": (1, 1)}, parameters={"mu": 0.2})
        >>> game.dynamics("logit", eta="mu").parameter_vector({"mu": -1})
        Traceback (most recent call last):
        ...
        gametheory.errors.ParameterError: parameter 'mu' is the logit noise level eta and must be > 0, got -1.0
        """
        values = super().parameter_vector(params)
        if self._eta_index is not None:
            eta = np.atleast_1d(values[self._eta_index])
            if (eta <= 0).any():
                raise ParameterError(
                    f"parameter {self.eta.name!r} is the logit noise level eta and must be > 0, "
                    f"got {float(eta[eta <= 0][0])}"
                )
        return values

    def to_latex(self) -> str:
        """The system as a paper prints it (a LaTeX ``align`` environment), softmax written plainly.

        Examples
        --------
        >>> from gametheory.models import classic
        >>> "e^{" in classic.matching_pennies_3().dynamics("logit", eta=1).to_latex()
        True
        """
        names = {p.symbol: latex_name(p.name) for p in self.game.parameters}
        shares, lines = self.shares_symbolic(), []
        for r, (i, j) in enumerate(self.coordinates):
            terms = [sympy.exp(f / self.eta) for f in self.expected_payoffs[i]]
            sigma = sympy.Mul(terms[j], sympy.Pow(sympy.Add(*terms), -1), evaluate=False)
            lhs = rf"\frac{{\mathrm{{d}}{sympy.latex(self.states[r])}}}{{\mathrm{{d}}t}}"
            rhs = sympy.latex(sigma, symbol_names=names) + " - " + sympy.latex(shares[i][j])
            lines.append(f"{lhs} &= {rhs}")
        return "\\begin{align}\n" + " \\\\\n".join(lines) + "\n\\end{align}"


class BestResponseDynamics(LogitDynamics):
    r"""The *smoothed* best-response dynamics: logit dynamics at a small noise level (default ``eta=0.01``).

    The best-response dynamics :math:`\dot x_i \in B_i(x) - x_i` (Gilboa and Matsui 1991)
    are a differential inclusion: where a population has several best responses the
    direction is any point of their simplex, and the right-hand side jumps across the
    surfaces of indifference.  This package does **not** integrate the inclusion; it
    offers its standard smoothing, the logit dynamics of :class:`LogitDynamics`

    .. math::  \dot x_{ij} = \sigma_{ij}(x) - x_{ij}, \qquad
               \sigma_i = \arg\max_{y \in \Delta_i} \Big(\sum_j y_j f_{ij}(x) - \eta \sum_j y_j \ln y_j\Big),

    whose choice :math:`\sigma_i` is an :math:`\eta \ln k_i`-best response: its expected
    payoff falls short of the best payoff :math:`\max_j f_{ij}` by at most
    :math:`\eta \ln k_i` (the error is :math:`O(\eta)`), and it tends to the pure best
    response, exponentially fast in :math:`1/\eta`, wherever the best response is unique.
    Near indifference surfaces the smoothed field turns within a layer of width
    :math:`O(\eta)` in payoff differences, where the inclusion jumps.  Rest points are
    quantal response equilibria, hence :math:`\eta \ln k_i`-equilibria, whose limits as
    :math:`\eta \to 0` are Nash equilibria; they are not Nash equilibria themselves.
    Small ``eta`` makes the system stiff across those layers.

    Parameters
    ----------
    game : Game
    eta : float or str
        As for :class:`LogitDynamics`; default ``0.01``.

    Examples
    --------
    >>> from gametheory import Game
    >>> game = Game.from_table({"r": ["A", "B"], "c": ["A", "B"]},
    ...     {"A,A": (2, 2), "A,B": (0, 0), "B,A": (0, 0), "B,B": (1, 1)})
    >>> dyn = game.dynamics("best_response")  # smoothed: logit with eta = 0.01
    >>> dyn.eta
    1/100
    >>> dyn.vector_field([0.9, 0.9]).round(9).tolist()  # both move to their best response A
    [0.1, 0.1]
    """

    def __init__(self, game: Game, eta: float | str = 0.01) -> None:
        super().__init__(game, eta=eta)


def _check_eta(game: Game, eta: Any) -> sympy.Expr:
    """``eta`` as an exact positive number or the symbol of a game parameter; refuses anything else."""
    if isinstance(eta, str):
        if eta in game.parameter_names:
            return game.parameter(eta).symbol
        raise SpecificationError(
            f"eta {eta!r} is not a parameter of the game{suggest(eta, game.parameter_names)}; "
            f"give a positive number or one of {list(game.parameter_names)}"
        )
    ok = isinstance(eta, numbers.Real) and not isinstance(eta, (bool, np.bool_))
    if ok:
        value = float(eta)
        ok = math.isfinite(value) and value > 0
    if not ok:
        raise SpecificationError(
            "eta must be a positive finite number or the name of a parameter of the game "
            f"{list(game.parameter_names)}; got {eta!r:.60}"
        )
    return parse_expression(float(eta), where="eta")


def _softmax(payoffs: tuple[sympy.Expr, ...], eta: sympy.Expr) -> tuple[sympy.Expr, ...]:
    r"""Stable softmax :math:`\exp((f_j - M)/\eta) / \sum_l \exp((f_l - M)/\eta)`, :math:`M = \max_l f_l`."""
    top = sympy.Max(*payoffs)
    weights = [sympy.exp((f - top) / eta) for f in payoffs]
    total = sympy.Add(*weights)
    return tuple(w / total for w in weights)
