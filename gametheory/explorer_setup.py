"""Setting up an explorer: slider ranges, checked parameters and bounds, starts and geometry.

Slider ranges
-------------
A parameter's slider spans its :attr:`~gametheory.Parameter.bounds`.  An
infinite or missing bound is replaced by the *default range* of the starting
value :math:`v` (the value given in ``params``, else the parameter's default):

- :math:`[0, 2v]` for :math:`v > 0`, :math:`[2v, 0]` for :math:`v < 0`,
  :math:`[-1, 1]` for :math:`v = 0` (and for a parameter without a default);
- a finite bound keeps its side (``(0, inf)`` with :math:`v = 3` gives
  :math:`[0, 6]`); should the range come out empty, the upper end is the
  lower end plus :math:`\\max(1, |\\text{lower}|)`.

Every parameter whose range was chosen this way is listed in
:attr:`gametheory.Explorer.notes` and in a note shown above the sliders;
``bounds={"name": (lo, hi)}`` sets a range explicitly.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from .dynamics.base import Dynamics
from .errors import ParameterError, SpecificationError, StateError, suggest
from .game import Game
from .parameters import Parameter

__all__ = ["slider_range"]


def slider_range(parameter: Parameter, value: float | None = None) -> tuple[float, float, bool]:
    """The slider range of a parameter, and whether a default range filled a side.

    Finite bounds are kept; a missing or infinite side comes from the default
    range of the starting value ``v`` (``value``, else the parameter's default):
    :math:`[0, 2v]` for :math:`v > 0`, :math:`[2v, 0]` for :math:`v < 0`,
    :math:`[-1, 1]` otherwise.  An empty result becomes
    :math:`[\\text{lo}, \\text{lo} + \\max(1, |\\text{lo}|)]`.

    Returns
    -------
    tuple
        ``(lo, hi, defaulted)``.

    Examples
    --------
    >>> from gametheory import Parameter
    >>> slider_range(Parameter("lam", 0.8, (0, 1)))
    (0.0, 1.0, False)
    >>> slider_range(Parameter("F_g", 3.0, (0, float("inf"))))
    (0.0, 6.0, True)
    >>> slider_range(Parameter("c", -2.0)), slider_range(Parameter("d", 0.0))
    ((-4.0, 0.0, True), (-1.0, 1.0, True))
    """
    v = parameter.default if value is None else float(value)
    if v is None or v == 0:
        default = (-1.0, 1.0)
    else:
        default = (0.0, 2.0 * v) if v > 0 else (2.0 * v, 0.0)
    bounds = parameter.bounds or (-math.inf, math.inf)
    lo = bounds[0] if math.isfinite(bounds[0]) else default[0]
    hi = bounds[1] if math.isfinite(bounds[1]) else default[1]
    if hi <= lo:
        hi = lo + max(1.0, abs(lo))
    return float(lo), float(hi), not (math.isfinite(bounds[0]) and math.isfinite(bounds[1]))


def check_bounds(game: Game, bounds: Mapping[str, Any] | None) -> dict[str, tuple[float, float]]:
    out: dict[str, tuple[float, float]] = {}
    for name, pair in (bounds or {}).items():
        if name not in game.parameter_names:
            raise ParameterError(
                f"bounds: {name!r} is not a parameter of the game{suggest(name, game.parameter_names)}"
            )
        try:
            lo, hi = (float(b) for b in pair)
        except (TypeError, ValueError):
            raise ParameterError(f"bounds[{name!r}] = {pair!r} must be two numbers (lo, hi)") from None
        if not (math.isfinite(lo) and math.isfinite(hi)):
            raise ParameterError(f"bounds[{name!r}] = {pair!r} must be finite")
        if not lo < hi:
            raise ParameterError(f"bounds[{name!r}] = {pair!r}: lower end must be below the upper end")
        out[name] = (lo, hi)
    return out


def check_params(game: Game, params: Mapping[str, Any] | None) -> dict[str, float | None]:
    values: dict[str, float | None] = {p.name: p.default for p in game.parameters}
    for name, value in (params or {}).items():
        if name not in values:
            raise ParameterError(
                f"params: {name!r} is not a parameter of the game{suggest(name, game.parameter_names)}"
            )
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise ParameterError(f"params[{name!r}] = {value!r} is not a number") from None
        if not math.isfinite(number):
            raise ParameterError(f"params[{name!r}] = {value!r} is not finite")
        values[name] = number
    return values


def clip_state(dyn: Dynamics, state: Any) -> np.ndarray:
    """``state`` moved into the state space: coordinates clipped to [0, 1], each population's sum to <= 1."""
    x = np.asarray(state, dtype=float).ravel()
    if x.shape != (dyn.dimension,) or not np.all(np.isfinite(x)):
        raise StateError(f"start {state!r} must be {dyn.dimension} finite numbers {list(dyn.state_names)}")
    x = np.clip(x, 0.0, 1.0)
    for sl in dyn.population_slices():
        total = x[sl].sum()
        if total > 1.0:
            x[sl] = x[sl] / total
    return x


def default_starts(geometry: str | None, dyn: Dynamics) -> np.ndarray:
    """A few interior starts for the portrait: cube corners at 0.2/0.8, a 3x3 square grid, a simplex ring."""
    if geometry == "cube":
        levels = (0.2, 0.8)
        return np.array([[a, b, c] for a in levels for b in levels for c in levels])
    if geometry == "square":
        levels = (0.2, 0.5, 0.8)
        return np.array([[a, b] for a in levels for b in levels])
    if geometry == "simplex":
        from .plot.phase import _default_starts as lattice

        return lattice(dyn, geometry, 4, simplex_population(dyn))
    return np.empty((0, dyn.dimension))


def default_start(dyn: Dynamics) -> np.ndarray:
    """Shares ``(2, 1, ..., 1)/(k + 1)`` in every population of ``k`` strategies: interior, off the centre."""
    return np.concatenate(
        [
            [2.0 / (sl.stop - sl.start + 2)] + [1.0 / (sl.stop - sl.start + 2)] * (sl.stop - sl.start - 1)
            for sl in dyn.population_slices()
        ]
    )


def simplex_population(dyn: Dynamics) -> int:
    return list(dyn.game.strategy_counts).index(3)


def explorer_geometry(dyn: Dynamics) -> str | None:
    """The portrait's geometry (cube, square, simplex), or ``None`` for a time series (more than 3 dimensions)."""
    from .plot.phase import _geometry as geometry_of

    if dyn.dimension > 3:
        return None
    try:
        return geometry_of(dyn, None)[0]
    except SpecificationError:
        return None
