"""Seeded random games for the analysis regression test and benchmark (``analyze`` on larger games).

Each game is built with :meth:`gametheory.Game.from_table` from a seeded numpy RNG, so the same
name always gives the same game.  Payoffs are small integers, or with ``parametric=True`` an
integer plus an integer multiple of a parameter ``a`` or ``b`` (evaluated at the numeric values
:data:`PARAMETER_VALUES`, which are not integers, so the exact solve works with rationals).
"""

from __future__ import annotations

import itertools

import numpy as np

import gametheory as gt

#: Parameter values at which the parametric games are analysed.
PARAMETER_VALUES = {"a": 0.3, "b": -1.25}


def random_game(sizes: tuple[int, ...], seed: int, *, parametric: bool = False, low: int = -5, high: int = 5):
    """A game with ``len(sizes)`` populations of ``sizes[i]`` strategies and seeded random payoffs."""
    rng = np.random.default_rng(seed)
    pops = {f"P{i}": [f"s{i}{j}" for j in range(k)] for i, k in enumerate(sizes)}
    table = {}
    used: set[str] = set()
    for profile in itertools.product(*pops.values()):
        row = []
        for _ in sizes:
            value = str(int(rng.integers(low, high + 1)))
            if parametric and rng.random() < 0.3:
                name = "a" if rng.random() < 0.5 else "b"
                used.add(name)
                value = f"{value} + {int(rng.integers(-3, 4))}*{name}"
            row.append(value)
        table[profile] = tuple(row)
    params = {name: 1.0 for name in sorted(used)} if used else None
    return gt.Game.from_table(pops, table, params, name=f"random{sizes}-seed{seed}")


def symmetric_game(k: int, seed: int):
    """A one-population game: a seeded random integer k x k matrix game."""
    rng = np.random.default_rng(seed)
    matrix = rng.integers(-5, 6, size=(k, k)).tolist()
    return gt.Game.symmetric([f"s{j}" for j in range(k)], matrix, name=f"symmetric{k}-seed{seed}")


#: name -> (sizes, seed, parametric): the games of the regression test (tests/data/analyze_reference.json).
REFERENCE_GAMES = {
    "2x2x2-s1": ((2, 2, 2), 1, False),
    "2x2x2-a-s2": ((2, 2, 2), 2, True),
    "3x3-s3": ((3, 3), 3, False),
    "3x3-a-s4": ((3, 3), 4, True),
    "2x3x2-s5": ((2, 3, 2), 5, False),
    "3x3x3-s6": ((3, 3, 3), 6, False),
    "3x3x3-s7": ((3, 3, 3), 7, False),
    "3x3x3-a-s8": ((3, 3, 3), 8, True),
    "2x2x2x2-s9": ((2, 2, 2, 2), 9, False),
    "2x2x2x2-a-s10": ((2, 2, 2, 2), 10, True),
    "2x2x2x2x2-s11": ((2, 2, 2, 2, 2), 11, False),
    "2x2x2x2x2-s12": ((2, 2, 2, 2, 2), 12, False),
}


def reference_game(name: str):
    """The game and parameter values of one entry of :data:`REFERENCE_GAMES`."""
    sizes, seed, parametric = REFERENCE_GAMES[name]
    game = random_game(sizes, seed, parametric=parametric)
    params = {p: PARAMETER_VALUES[p] for p in game.parameter_names}
    return game, params
