"""Resource limits, in one place.

Every limit that protects a user from a hang, an exhausted memory or an
unreadable result lives here, with the :class:`~gametheory.errors.GameError`
subclass raised when it is exceeded (or what happens instead).  The modules
that enforce a limit import its value from here; functions with a budget
argument (``rest_points(work_budget=...)``) take it as their default.

==========================  ==========  =============================================  =====================
limit                       value       what it bounds                                 raises
==========================  ==========  =============================================  =====================
``MAX_LENGTH``              20,000      characters of one payoff expression            ``ParseError``
``MAX_DEPTH``               60          nesting depth of one expression's syntax tree  ``ParseError``
``MAX_EXPONENT``            256         absolute value of a numeric exponent           ``ParseError``
``MAX_CONSTANT_DIGITS``     1,000       decimal digits of an exact constant built by   ``ParseError``
                                        a power (``(2**256)**256``)
``MAX_EXPANDED_TERMS``      5,000       terms of one payoff expression multiplied out  ``ParseError``
                                        (``(a+b+c+d)**256`` has 2.9 million)
``MAX_PROFILES``            20,000      pure strategy profiles of a game               ``SpecificationError``
``MAX_SYSTEM_TERMS``        100,000     terms of a derived system: expected payoffs,   ``SpecificationError``
                                        equations and Jacobian (coefficient terms
                                        counted)
``MAX_FILE_BYTES``          5,000,000   size of a model file read by ``load_game``     ``ParseError``
``MAX_GRID_POINTS``         10**8       states of a ``basins`` grid                    ``SpecificationError``
``WORK_BUDGET_SECONDS``     10.0        exact (Groebner) solving in ``rest_points``    result marked
                                        and ``analyze``; the rest is solved            incomplete, with a
                                        numerically (2x: left unsolved)                note naming supports
``MIN_HORIZON_RATE_UNITS``  1.0         shortest ``attractors`` horizon, in ``1 / r``  ``IntegrationError``
                                        (``r`` the game's rate scale)
``MAX_CHAIN_STATES``        10,000      compositions of a finite-population full       ``SpecificationError``
                                        chain (stationary distribution with mutation,
                                        absorption probabilities)
``MAX_RATE_TABLE_ENTRIES``  20,000,000  move probabilities tabled for simulation       ``SpecificationError``
                                        (compositions x moves; 8 bytes each)
==========================  ==========  =============================================  =====================

Sizes, not limits: ``small_mode`` tells whether ``GAMETHEORY_SMALL`` asks the flagship build,
the HTML report and the notebooks for their quick sizes (smaller samples and grids).

Examples
--------
>>> from gametheory import limits
>>> limits.MAX_PROFILES
20000
"""

from __future__ import annotations

import os

__all__ = [
    "small_mode",
    "MAX_CHAIN_STATES",
    "MAX_CONSTANT_DIGITS",
    "MAX_DEPTH",
    "MAX_EXPANDED_TERMS",
    "MAX_EXPONENT",
    "MAX_FILE_BYTES",
    "MAX_GRID_POINTS",
    "MAX_LENGTH",
    "MAX_PROFILES",
    "MAX_RATE_TABLE_ENTRIES",
    "MAX_SYSTEM_TERMS",
    "MIN_HORIZON_RATE_UNITS",
    "WORK_BUDGET_SECONDS",
]

#: Longest accepted payoff expression, in characters.
MAX_LENGTH = 20_000
#: Deepest accepted nesting of an expression's syntax tree.
MAX_DEPTH = 60
#: Largest accepted absolute value of a numeric exponent.
MAX_EXPONENT = 256
#: Most decimal digits of an exact constant a power in a payoff may build (``2**256`` has 78).
MAX_CONSTANT_DIGITS = 1_000
#: Most terms one payoff expression may have once multiplied out (see
#: :func:`gametheory.expressions.expanded_terms`): the derivation expands every payoff.
MAX_EXPANDED_TERMS = 5_000
#: Largest number of pure strategy profiles a game may have (every payoff is parsed and kept).
MAX_PROFILES = 20_000
#: Most terms the derivation of a game's dynamics may produce: the expected payoffs, the
#: equations and the Jacobian in monomials of the states, each monomial weighted by the
#: number of terms of its coefficient.  About 10 s of sympy work at the limit; 11 populations
#: of 2 strategies, or 2 populations of 30, exceed it.
MAX_SYSTEM_TERMS = 100_000
#: Largest model file accepted by :func:`gametheory.io.load_game`, in bytes.
MAX_FILE_BYTES = 5_000_000
#: Largest grid :func:`gametheory.studies.basins.basins` accepts (its outcome labels are kept in memory).
MAX_GRID_POINTS = 10**8
#: Wall-clock seconds one ``rest_points``/``analyze`` call may spend on exact (Groebner) solves;
#: the remaining supports are then solved by the numeric multi-start search and the result is
#: marked incomplete with a note naming them (after twice the budget they are left unsolved).
#: Checked between supports: one support system may overrun it by the time of its own solve.
WORK_BUDGET_SECONDS = 10.0
#: Shortest accepted horizon of :func:`gametheory.analysis.attractors.attractors`, in units of
#: ``1 / r`` (``r`` the game's rate scale); a shorter ``t_span`` raises ``IntegrationError``.
MIN_HORIZON_RATE_UNITS = 1.0
#: Most compositions of the full chain of a finite-population process
#: (:mod:`gametheory.finite.chain`).  The sparse LU factors of a chain over a lattice of
#: dimension ``sum(k_i - 1)`` fill in faster in more dimensions; measured peaks at the limit
#: (extra resident memory): 6 strategies, Z = 13 (8,568 states) 0.32 GB in 10 s; 8 strategies,
#: Z = 8: 0.27 GB; 3 populations of 2, Z = 20 (9,261 states): under 0.1 GB.  Beyond it use
#: ``mutation="small"`` (the small-mutation limit) or simulation.
MAX_CHAIN_STATES = 10_000
#: Most entries of the table of per-event move probabilities that
#: :func:`gametheory.finite.simulate.simulate` builds (one row per point of the mixed-radix
#: lattice of compositions, one column per move; 8 bytes each: 160 MB at the limit, built
#: block by block).  3 populations of 2 strategies fit up to Z = 148 each (measured: table
#: built in 2.4 s, process peak RSS 0.28 GB); one population of 3 strategies up to Z = 1,824.
MAX_RATE_TABLE_ENTRIES = 20_000_000


def small_mode() -> bool:
    """The quick mode of builds, reports and notebooks: smaller samples and grids.

    True when the environment variable ``GAMETHEORY_SMALL`` is set to a non-empty value other than 0.

    Examples
    --------
    >>> import os
    >>> small_mode() == (os.environ.get("GAMETHEORY_SMALL", "") not in ("", "0"))
    True
    """
    return os.environ.get("GAMETHEORY_SMALL", "") not in ("", "0")
