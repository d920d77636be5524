"""Hypothesis strategies for property-testing multi-population games.

Use them to property-test your own models::

    from hypothesis import given
    from gametheory.testing import games, interior_states

    @given(data=st.data())
    def test_my_invariant(data):
        game = data.draw(games(max_populations=3))
        x = data.draw(interior_states(game))
        ...

Strategies
----------
:func:`games`
    Random games: ``N`` populations with ``k_i`` strategies each; payoffs are
    small integers, optionally plus an integer multiple of a parameter.
:func:`interior_states`, :func:`states`
    Reduced states in the interior of (or anywhere in) the product of simplices.
:func:`parameter_values`
    A value for every parameter of a game, inside its declared bounds.
:func:`payoff_tables`
    Raw ``{profile: payoffs}`` tables for :meth:`Game.from_table`.

Requires the ``test`` extra (``pip install "gametheory-egt[test]"``).
"""

from __future__ import annotations

import itertools
import math
from typing import Any

try:
    from hypothesis import strategies as st
except ImportError as exc:  # pragma: no cover - only without the test extra
    raise ImportError('gametheory.testing needs hypothesis: pip install "gametheory-egt[test]"') from exc

import numpy as np

from .game import Game

__all__ = ["games", "payoff_tables", "interior_states", "states", "parameter_values"]

_PARAMETER_NAMES = ("a", "b", "c")


@st.composite
def payoff_tables(
    draw: st.DrawFn,
    strategy_counts: tuple[int, ...],
    *,
    payoff_range: tuple[int, int] = (-5, 5),
    symbolic: bool = False,
) -> tuple[dict[str, list[str]], dict[tuple[str, ...], tuple[str, ...]]]:
    """A ``(populations, payoffs)`` pair for :meth:`Game.from_table` with the given sizes.

    Payoffs are integers in ``payoff_range``; with ``symbolic=True`` each may
    also carry a term ``k*a``, ``k*b`` or ``k*c`` with a small integer ``k``.

    Examples
    --------
    >>> from hypothesis import given, settings
    >>> @settings(max_examples=5, derandomize=True, database=None)
    ... @given(payoff_tables((2, 3), symbolic=True))
    ... def check(table):
    ...     populations, payoffs = table
    ...     assert len(payoffs) == 6 and Game.from_table(populations, payoffs).strategy_counts == (2, 3)
    >>> check()
    """
    pops = {f"P{i}": [f"s{j}" for j in range(k)] for i, k in enumerate(strategy_counts)}
    lo, hi = payoff_range
    entry = st.integers(lo, hi).map(str)
    if symbolic:
        term = st.tuples(st.integers(-2, 2), st.sampled_from(_PARAMETER_NAMES))
        entry = st.tuples(st.integers(lo, hi), st.none() | term).map(
            lambda t: str(t[0]) if t[1] is None or t[1][0] == 0 else f"{t[0]} + {t[1][0]}*{t[1][1]}"
        )
    payoffs = {}
    for profile in itertools.product(*pops.values()):
        payoffs[profile] = tuple(draw(entry) for _ in strategy_counts)
    return pops, payoffs


@st.composite
def games(
    draw: st.DrawFn,
    *,
    min_populations: int = 2,
    max_populations: int = 4,
    min_strategies: int = 2,
    max_strategies: int = 3,
    max_profiles: int = 36,
    payoff_range: tuple[int, int] = (-5, 5),
    symbolic: bool = False,
) -> Game:
    """Random games with ``N`` in ``[min_populations, max_populations]`` populations.

    Each population has ``min_strategies..max_strategies`` strategies, and the
    number of pure profiles is at most ``max_profiles`` (sympy derivation time
    grows with it).  With ``symbolic=True`` payoffs contain the parameters
    ``a, b, c`` (defaults 1.0, bounds [-10, 10]).

    Examples
    --------
    >>> from hypothesis import given, settings
    >>> @settings(max_examples=5, derandomize=True, database=None, deadline=None)
    ... @given(games(max_populations=3, symbolic=True))
    ... def check(game):
    ...     assert 2 <= game.n_populations <= 3 and len(game.profiles) <= 36
    >>> check()
    """
    n = draw(st.integers(min_populations, max_populations))
    sizes: list[int] = []
    for i in range(n):
        budget = max_profiles // (math.prod(sizes) * min_strategies ** (n - i - 1))
        top = max(min_strategies, min(max_strategies, budget))
        sizes.append(draw(st.integers(min_strategies, top)))
    pops, payoffs = draw(payoff_tables(tuple(sizes), payoff_range=payoff_range, symbolic=symbolic))
    used = sorted({name for row in payoffs.values() for e in row for name in _PARAMETER_NAMES if name in e})
    from .parameters import Parameter

    params = [Parameter(name, 1.0, (-10.0, 10.0)) for name in used]
    return Game.from_table(pops, payoffs, params)


@st.composite
def _simplex_shares(draw: st.DrawFn, k: int, low: float) -> list[float]:
    weights = [draw(st.floats(low, 1.0, allow_nan=False)) for _ in range(k)]
    total = sum(weights)
    return [w / total for w in weights[:-1]]


def interior_states(game: Game, *, margin: float = 0.01) -> st.SearchStrategy[np.ndarray]:
    """Reduced states with every share of every population at least about ``margin``.

    Examples
    --------
    >>> from hypothesis import given, settings
    >>> from gametheory.models import classic
    >>> dyn = classic.matching_pennies_3().replicator()
    >>> @settings(max_examples=10, derandomize=True, database=None)
    ... @given(interior_states(dyn.game))
    ... def check(x):
    ...     assert dyn.check_state(x).min() > 0.005
    >>> check()
    """
    strategies = [_simplex_shares(pop.size, margin) for pop in game.populations]
    return st.tuples(*strategies).map(lambda parts: np.array([v for part in parts for v in part]))


def states(game: Game) -> st.SearchStrategy[np.ndarray]:
    """Reduced states anywhere in the state space, boundary (zero shares) included.

    Examples
    --------
    >>> from hypothesis import given, settings
    >>> from gametheory.models import classic
    >>> dyn = classic.matching_pennies_3().replicator()
    >>> @settings(max_examples=10, derandomize=True, database=None)
    ... @given(states(dyn.game))
    ... def check(x):
    ...     dyn.check_state(x)  # raises StateError outside the state space
    >>> check()
    """
    strategies = [
        st.lists(st.sampled_from([0.0, 1.0]) | st.floats(0.0, 1.0), min_size=pop.size, max_size=pop.size)
        .filter(lambda w: sum(w) > 0)
        .map(lambda w: [v / sum(w) for v in w[:-1]])
        for pop in game.populations
    ]
    return st.tuples(*strategies).map(lambda parts: np.clip([v for part in parts for v in part], 0, 1))


def parameter_values(game: Game, *, spread: float = 10.0) -> st.SearchStrategy[dict[str, Any]]:
    """A value for every parameter, inside its bounds (or ``[-spread, spread]`` without bounds).

    Examples
    --------
    >>> from hypothesis import given, settings
    >>> from gametheory.models import crisis_governance
    >>> dyn = crisis_governance.game().replicator()
    >>> @settings(max_examples=10, derandomize=True, database=None)
    ... @given(parameter_values(dyn.game))
    ... def check(params):
    ...     assert dyn.parameter_vector(params).shape == (len(dyn.parameters),)
    >>> check()
    """
    fields = {}
    for p in game.parameters:
        lo, hi = p.bounds if p.bounds is not None else (-spread, spread)
        lo, hi = max(lo, -spread), min(hi, spread)
        fields[p.name] = st.floats(lo, hi, allow_nan=False, allow_infinity=False)
    return st.fixed_dictionaries(fields)
