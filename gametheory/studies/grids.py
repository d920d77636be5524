"""What a study varies: parameter grids, sampled initial states, and the vertex an end state lies at.

The checks of a study's arguments live here too (swept grids, fixed parameters,
positive counts, the classification tolerance), once for :func:`~gametheory.studies.sweeps.sweep`,
:func:`~gametheory.studies.regimes.regime_map` and :func:`~gametheory.studies.basins.basins`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import ParameterError, SpecificationError, suggest

if TYPE_CHECKING:
    from ..dynamics.base import Dynamics
    from ..numerics.kernels import EnsembleSystem

__all__ = ["classify_final_states", "sample_states"]


def sample_states(
    strategy_counts: Sequence[int],
    sample: str,
    seed: int,
    *,
    replicates: Sequence[int] = (),
    replicate_size: int = 0,
    resolution: int = 0,
    start: int = 0,
    stop: int = 0,
) -> np.ndarray:
    """Initial states, uniform over the product of simplices.

    A point :math:`v \\in [0, 1)^d` maps to the states population by population:
    a 2-strategy population's share is :math:`v`; for ``k`` strategies the
    ``k`` spacings of the sorted ``k - 1`` coordinates are uniform on the
    simplex (Dirichlet(1, ..., 1)).

    ``sample="sobol"``: replicate ``r`` is a scrambled Sobol' sequence of
    ``replicate_size`` (a power of two) points with seed ``(seed, r)`` (Owen
    scrambling; independent replicates give an honest standard error).
    ``"random"``: i.i.d. uniform points, seed ``(seed, r)``.  ``"grid"``: the
    cell centres ``(i + 1/2) / resolution`` of a regular grid, flat indices
    ``start:stop`` in row-major order.

    Returns
    -------
    ndarray, shape (n, d)
        ``d = sum(k - 1 for k in strategy_counts)``.

    Examples
    --------
    >>> sample_states((2, 2), "grid", 0, resolution=2, start=0, stop=4).tolist()
    [[0.25, 0.25], [0.25, 0.75], [0.75, 0.25], [0.75, 0.75]]
    >>> sample_states((3,), "sobol", 1, replicates=[0], replicate_size=8).shape
    (8, 2)
    """
    from scipy.stats import qmc

    d = sum(k - 1 for k in strategy_counts)
    if sample == "grid":
        flat = np.arange(start, stop)
        idx = np.unravel_index(flat, (resolution,) * d) if d else ()
        V = np.stack([(i + 0.5) / resolution for i in idx], axis=1) if d else np.zeros((len(flat), 0))
    else:
        parts = []
        for r in replicates:
            rng = np.random.default_rng([int(seed), int(r)])
            if sample == "sobol":
                parts.append(qmc.Sobol(d, scramble=True, rng=rng).random(replicate_size))
            else:
                parts.append(rng.random((replicate_size, d)))
        V = np.concatenate(parts) if parts else np.zeros((0, d))
    out = np.empty_like(V)
    col = 0
    for k in strategy_counts:
        block = V[:, col : col + k - 1]
        if k == 2:
            out[:, col] = block[:, 0]
        else:
            ordered = np.sort(block, axis=1)
            out[:, col : col + k - 1] = np.diff(ordered, axis=1, prepend=0.0)
        col += k - 1
    return out


def classify_final_states(
    system: EnsembleSystem,
    final: np.ndarray,
    status: np.ndarray,
    tol: float,
    vertex_order: Sequence[int],
) -> np.ndarray:
    """Which vertex each final state lies at.

    A final state is at the pure profile :math:`s` when every reduced coordinate
    is within ``tol`` of the vertex's (max-norm distance); the candidate is the
    profile of each population's largest share.

    Parameters
    ----------
    system
        The system (anything with ``strategy_counts``).
    final : ndarray, shape (n, d)
    status : ndarray, shape (n,)
        Integration status (non-zero: failed).
    tol : float
    vertex_order : sequence of int
        ``vertex_order[flat]`` is the position, in ``dyn.vertices()``, of the
        profile with flat index ``flat`` (row-major over the strategy counts).

    Returns
    -------
    ndarray of int, shape (n,)
        The vertex's position in ``dyn.vertices()``; ``V`` (the number of
        vertices) when the state is at no vertex (``"other"``), ``V + 1`` for a
        failed integration (``"failed"``).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> two_by_two = SimpleNamespace(strategy_counts=(2, 2))
    >>> final = [[1.0, 0.9999], [0.0, 1.0], [0.5, 0.5], [1.0, 1.0]]
    >>> classify_final_states(two_by_two, final, [0, 0, 0, 1], 1e-3, (0, 1, 2, 3)).tolist()
    [0, 2, 4, 5]
    """
    final = np.asarray(final, dtype=float)
    n = final.shape[0]
    V = len(vertex_order)
    picks = []
    distance = np.zeros(n)
    col = 0
    with np.errstate(invalid="ignore"):
        for k in system.strategy_counts:
            block = final[:, col : col + k - 1]
            full = np.concatenate([block, 1.0 - block.sum(axis=1, keepdims=True)], axis=1)
            j = np.argmax(np.nan_to_num(full, nan=-1.0), axis=1)
            vertex = np.zeros_like(block)
            inside = j < k - 1
            vertex[np.flatnonzero(inside), j[inside]] = 1.0
            distance = np.maximum(distance, np.abs(block - vertex).max(axis=1, initial=0.0))
            picks.append(j)
            col += k - 1
    flat = np.ravel_multi_index(tuple(picks), system.strategy_counts) if picks else np.zeros(n, dtype=int)
    out = np.asarray(vertex_order, dtype=np.int64)[flat]
    out = np.where(distance <= tol, out, V)
    out = np.where(np.isfinite(final).all(axis=1), out, V)
    return np.where(np.asarray(status) == 0, out, V + 1)


def vertex_order(dyn: Dynamics) -> tuple[int, ...]:
    """``order[flat index of a profile] = its position in dyn.vertices()``."""
    counts = dyn.game.strategy_counts
    order = [0] * int(np.prod(counts))
    for position, (profile, _) in enumerate(dyn.vertices()):
        flat = int(np.ravel_multi_index(dyn.game.profile_indices(profile), counts))
        order[flat] = position
    return tuple(order)


def outcome_labels(dyn: Dynamics) -> tuple[str, ...]:
    """``"C,E,A"`` for every vertex, then ``"other"`` and ``"failed"``."""
    return tuple(",".join(profile) for profile, _ in dyn.vertices()) + ("other", "failed")


# ================================================================ argument checks
def swept_grid(dyn: Dynamics, grid: Mapping[str, Any], max_dims: int | None) -> dict[str, np.ndarray]:
    """``{name: 1-D float array}`` of the swept parameters, checked against the game's."""
    if not isinstance(grid, Mapping) or not grid:
        raise ParameterError("give the swept parameters as a mapping {name: values}, e.g. {'F_n': [1, 2, 4]}")
    if max_dims is not None and len(grid) > max_dims:
        raise ParameterError(f"at most {max_dims} swept parameters, got {list(grid)}")
    names = dyn.game.parameter_names
    out = {}
    for name, values in grid.items():
        if name not in names:
            raise ParameterError(
                f"unknown parameter {name!r}{suggest(str(name), names)}; the game's parameters are {list(names)}"
            )
        try:
            arr = np.asarray(values, dtype=float)
        except (TypeError, ValueError):
            raise ParameterError(f"values of swept parameter {name!r} are not numbers: {values!r}") from None
        arr = arr.reshape(-1) if arr.ndim == 0 else arr
        if arr.ndim != 1 or arr.size == 0:
            raise ParameterError(f"values of swept parameter {name!r} must be a non-empty 1-D sequence")
        out[str(name)] = arr
    return out


def fixed_params(params: Mapping[str, Any] | None, swept: Iterable[str]) -> dict[str, Any]:
    """The user's scalar parameter values, less the swept ones."""
    params = dict(params or {})
    swept = set(swept)
    for name, value in params.items():
        if np.ndim(value) != 0:
            raise ParameterError(
                f"parameter {name!r}: give scalar values in params; sweep a parameter through the grid instead"
            )
    return {k: v for k, v in params.items() if k not in swept}


def resolved_params(
    dyn: Dynamics, params: Mapping[str, Any] | None, grid: Mapping[str, np.ndarray]
) -> dict[str, float]:
    """Every parameter's value outside the sweep: given, else default; NaN for a swept one with neither.

    The swept parameters need no value of their own (they take the grid's), so the
    vector is resolved with the grid's first values and those are then replaced.
    """
    base = fixed_params(params, grid)
    vector = dyn.parameter_vector(base | {k: v[0] for k, v in grid.items()})
    out = dict(zip(dyn.game.parameter_names, map(float, vector)))
    for name in grid:
        given = (params or {}).get(name, dyn.game.parameter(name).default)
        out[name] = float("nan") if given is None else float(given)
    return out


def cells(grid: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The Cartesian product of the grid, each parameter's values flattened row-major."""
    mesh = np.meshgrid(*grid.values(), indexing="ij")
    return {name: m.reshape(-1) for name, m in zip(grid, mesh)}


def positive_int(value: Any, name: str) -> int:
    """``value`` as an int, refusing anything but a positive integer (``name`` in the message)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise SpecificationError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def tolerance(tol: Any) -> float:
    """The classification tolerance, a number in (0, 1)."""
    if isinstance(tol, bool) or not (isinstance(tol, (int, float)) and np.isfinite(tol) and 0 < tol < 1):
        raise SpecificationError(f"tol must be a number in (0, 1), got {tol!r}")
    return float(tol)
