"""What a study varies: parameter grids, sampled initial states, and the certified outcome of an end state.

The checks of a study's arguments live here too (swept grids, fixed parameters,
positive counts, the "near a vertex" tolerance), once for :func:`~gametheory.studies.sweeps.sweep`,
:func:`~gametheory.studies.regimes.regime_map` and :func:`~gametheory.studies.basins.basins`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .._checks import check_count
from ..analysis.certify import certify_final_states
from ..errors import ParameterError, SpecificationError

if TYPE_CHECKING:
    from ..dynamics.base import Dynamics

__all__ = [
    "FAILED",
    "NOT_CERTIFIED",
    "certified_outcomes",
    "outcome_labels",
    "sample_states",
    "uncertified_label",
]

#: Outcome of the end states whose convergence to a vertex is not certified.
NOT_CERTIFIED = "not certified"
#: Outcome of the failed integrations.
FAILED = "failed"


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


def certified_outcomes(
    dyn: Dynamics,
    final: Any,
    status: Any,
    params: Mapping[str, Any] | None,
    *,
    starts: Any = None,
    t: float | None = None,
    tol: float = 1e-3,
) -> tuple[np.ndarray, np.ndarray]:
    """The certified outcome of each end state, and the vertex an uncertified one is near.

    An end state's outcome is the vertex :math:`v` only when its trajectory provably converges
    to :math:`v` (the trapping-box certificate of
    :func:`gametheory.analysis.certify.certify_final_states`, the one
    :func:`gametheory.analysis.attractors.attractors` uses); being close to a vertex at
    ``t`` is no evidence (a heteroclinic cycle passes close to saddle vertices).

    Parameters
    ----------
    dyn
        The dynamics.
    final : array_like, shape (n, d)
        End states (reduced coordinates).
    status : array_like, shape (n,)
        Integration status (non-zero: failed).
    params
        Scalar parameter values of the integration.
    starts : array_like, shape (n, d), optional
        The starts (with invariant faces, each start's face is certified on its own).
    t
        Time of the end states.
    tol
        An uncertified end state with :math:`\\max_i (1 - x_{iv_i}) \\le` ``tol`` is near :math:`v`.

    Returns
    -------
    outcome : ndarray of int, shape (n,)
        Index into :func:`outcome_labels`: the certified vertex's position in
        ``dyn.vertices()``; ``V`` (the number of vertices) for ``"not certified"``;
        ``V + 1`` for ``"failed"``.
    near : ndarray of int, shape (n,)
        For an uncertified end state within ``tol`` of a vertex, that vertex's position in
        ``dyn.vertices()``; ``-1`` otherwise.

    Examples
    --------
    >>> from gametheory.models import classic
    >>> dyn = classic.matching_pennies_3().replicator()
    >>> outcome, near = certified_outcomes(dyn, [[1e-9, 1e-9, 1e-9], [0.5, 0.5, 0.5]], [0, 0], {"a": 1.0})
    >>> outcome.tolist(), near.tolist()
    ([8, 8], [7, -1])
    >>> [outcome_labels(dyn)[k] for k in outcome] + [",".join(dyn.vertices()[7][0])]
    ['not certified', 'not certified', 'T,T,T']
    """
    X = np.array(final, dtype=float)
    if X.ndim == 2:
        X[np.asarray(status).reshape(-1) != 0] = np.nan  # a failed integration is "failed" whatever it holds
    cert = certify_final_states(dyn, X, params, starts=starts, t=t, near=tol)
    V = len(cert.profiles)
    failed = cert.nearest < 0
    outcome = np.where(cert.certified, cert.vertex, np.where(failed, V + 1, V))
    near = np.where(~cert.certified & ~failed & (cert.distance <= tol), cert.nearest, -1)
    return outcome.astype(np.int64), near.astype(np.int64)


#: The ``vertex_theory`` attribute of a study of a game with state-dependent payoffs.
STATE_DEPENDENT_NOTE = (
    "state-dependent payoffs: 'ess' marks the vertices that are hyperbolic sinks (payoff differences "
    "taken at the vertex's own state; the ESS theorems for constant payoffs do not apply); certificates "
    "bound each payoff advantage on a box by its Bernstein coefficients; attractors that are not vertices "
    "(a stable focus, a limit cycle) count as not certified"
)


def theory_attrs(dyn: Dynamics) -> dict[str, str]:
    """``{"vertex_theory": ...}`` for the replicator of a game with state-dependent payoffs, else empty.

    Examples
    --------
    >>> from gametheory.models import crisis_governance as cg
    >>> theory_attrs(cg.game().replicator()), list(theory_attrs(cg.dynamic_accountability_game().replicator()))
    ({}, ['vertex_theory'])
    """
    from ..analysis.faces import state_dependent_replicator

    return {"vertex_theory": STATE_DEPENDENT_NOTE} if state_dependent_replicator(dyn) else {}


def outcome_labels(dyn: Dynamics) -> tuple[str, ...]:
    """``"C,E,A"`` for every vertex (certified convergence), then ``"not certified"`` and ``"failed"``.

    Examples
    --------
    >>> from gametheory.models import classic
    >>> outcome_labels(classic.matching_pennies_3().replicator())[-3:]
    ('T,T,T', 'not certified', 'failed')
    """
    return tuple(",".join(profile) for profile, _ in dyn.vertices()) + (NOT_CERTIFIED, FAILED)


def uncertified_label(near: str | None, t: float) -> str:
    """An uncertified outcome in words, as :func:`~gametheory.analysis.certify.certify_final_states` writes it.

    Examples
    --------
    >>> uncertified_label("H,H,T", 200.0), uncertified_label(None, 50)
    ('near H,H,T at t = 200, not certified', 'not certified at t = 50')
    """
    return f"near {near} at t = {t:g}, not certified" if near else f"not certified at t = {t:g}"


# ================================================================ argument checks
def swept_grid(dyn: Dynamics, grid: Mapping[str, Any], max_dims: int | None) -> dict[str, np.ndarray]:
    """``{name: 1-D float array}`` of the swept parameters, checked against the game's."""
    if not isinstance(grid, Mapping) or not grid:
        raise ParameterError("give the swept parameters as a mapping {name: values}, e.g. {'F_n': [1, 2, 4]}")
    if max_dims is not None and len(grid) > max_dims:
        raise ParameterError(f"at most {max_dims} swept parameters, got {list(grid)}")
    unknown = dyn.game.unknown_parameters(grid)
    if unknown:
        raise ParameterError(unknown)
    out = {}
    for name, values in grid.items():
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
    return check_count(value, name=name, error=SpecificationError)


def tolerance(tol: Any) -> float:
    """The "near a vertex" tolerance of an uncertified end state, a number in (0, 1)."""
    if isinstance(tol, bool) or not (isinstance(tol, (int, float)) and np.isfinite(tol) and 0 < tol < 1):
        raise SpecificationError(f"tol must be a number in (0, 1), got {tol!r}")
    return float(tol)
