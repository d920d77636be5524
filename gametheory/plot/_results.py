"""Accessors: the one place where :mod:`gametheory.plot` reads the package's result objects.

Drawing functions never look inside a result themselves; they call these
helpers, so adapting the plots to a new result type (e.g. ``xarray.Dataset``
sweep results) changes one function here:

* :func:`runs` -- trajectories of a Trajectory, a sequence of them, an
  Ensemble or a sweep result;
* :func:`sweep_runs` -- ``{value: run}`` of a one-parameter sweep;
* :func:`grid_values` -- the cells of a two-parameter regime map;
* :func:`basin_shares` -- outcome shares of a sampled basins result;
* :func:`basin_grid` -- outcome codes of a grid basins result;
* :func:`attractor_shares`, :func:`attractor_certified`, :func:`start_outcomes` -- an AttractorReport;
* :func:`report_game`, :func:`rest_point_kinds` -- a StabilityReport or a RestPoints result.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import SpecificationError


class ResultTypeError(SpecificationError, TypeError):
    """An object given to a plot function is not a result it can draw."""


@dataclass(frozen=True)
class Run:
    """One trajectory as drawn: ``t`` (n_t,), ``y`` (d, n_t); ``values``: the swept parameter values of a sweep's run."""

    t: np.ndarray
    y: np.ndarray
    state_names: tuple[str, ...] = ()
    values: tuple[tuple[str, float], ...] = ()


def dataset(result: Any) -> Any:
    """The read-only :class:`xarray.Dataset` of a study result (``result.data``), a Dataset itself, or None."""
    data = getattr(result, "data", result)
    return data if hasattr(data, "data_vars") and hasattr(data, "attrs") else None


def _has(result: Any, *names: str) -> bool:
    data = dataset(result)
    return data is not None and all(name in data.variables for name in names)


def _swept(data: Any) -> list[str]:
    """Names of the swept parameters of a study's Dataset (``attrs["swept"]``, in order)."""
    return str(data.attrs.get("swept", "")).split()


def _names(values: Any) -> tuple[str, ...]:
    """Plain strings of a coordinate's values (never the repr of 0-d DataArrays)."""
    return tuple(str(v) for v in np.asarray(values).tolist())


def _is_sweep(result: Any) -> bool:
    return _has(result, "y", "x0", "t")


def runs(result: Any) -> list[Run]:
    """Every trajectory of ``result``: a Trajectory, a sequence of them, an Ensemble or a sweep result."""
    if _is_sweep(result):  # y: dims (*swept, start, coordinate, t)
        data = dataset(result)
        y = data["y"].transpose(..., "coordinate", "t")
        ys = np.asarray(y.values, dtype=float)
        names = _names(data["coordinate"].values)
        t = np.asarray(data["t"].values, dtype=float)
        swept = [d for d in y.dims[:-2] if d != "start"]
        flat = ys.reshape(-1, ys.shape[-2], ys.shape[-1])
        out = []
        for k, index in enumerate(np.ndindex(*ys.shape[:-2])):
            at = dict(zip(y.dims[:-2], index))
            values = tuple((d, float(data[d].values[at[d]])) for d in swept)
            out.append(Run(t, flat[k], names, values))
        return out
    if hasattr(result, "t") and hasattr(result, "y") and np.ndim(result.y) == 2:  # a Trajectory
        return [Run(np.asarray(result.t), np.asarray(result.y), tuple(getattr(result, "state_names", ())))]
    if hasattr(result, "trajectories"):
        items = result.trajectories() if callable(result.trajectories) else result.trajectories
        return runs(list(items))
    if hasattr(result, "t") and hasattr(result, "y") and np.ndim(result.y) == 3:  # an Ensemble
        t = np.asarray(result.t)
        ys = np.asarray(result.y)
        names = tuple(getattr(result, "state_names", ()))
        return [Run(t, ys[k], names) for k in range(ys.shape[0])]
    if isinstance(result, Sequence) and not isinstance(result, str):
        out = []
        for r in result:
            out.extend(runs(r))
        return out
    raise ResultTypeError(
        f"expected a Trajectory, an Ensemble or a sequence of Trajectory objects, got {type(result).__name__}"
    )


def is_sweep(result: Any) -> bool:
    """Whether ``result`` is a sweep result (trajectories per swept value)."""
    return _is_sweep(result)


def sweep_runs(result: Any, parameter: str, start: int) -> dict[float, Run]:
    """``{value: run}`` from a one-parameter sweep result, the runs from initial state number ``start``."""
    data = dataset(result)
    swept = _swept(data)
    if swept != [parameter]:
        raise SpecificationError(
            f"the sweep varies {swept}; sensitivity of {parameter!r} needs a sweep of it alone"
        )
    ys = np.asarray(data["y"].transpose(parameter, "start", "coordinate", "t").values, dtype=float)
    if not 0 <= start < ys.shape[1]:
        raise SpecificationError(f"the sweep has {ys.shape[1]} initial states; start {start} does not exist")
    t = np.asarray(data["t"].values, dtype=float)
    values = np.asarray(data[parameter].values, dtype=float)
    return {float(v): Run(t, ys[k, start]) for k, v in enumerate(values)}


@dataclass(frozen=True)
class RegimeCells:
    """A two-parameter regime map as drawn.

    Attributes
    ----------
    parameters : (str, str)
        Horizontal and vertical parameter.
    values : (ndarray (n1,), ndarray (n2,))
    ess : ndarray of bool, shape (V, n2, n1)
        ``ess[v, b, a]``: vertex ``v`` (order of ``game.profiles``) is an ESS at
        ``(values[0][a], values[1][b])``.
    vertices : tuple of str
        Vertex names of the result (``"C,E,A"``).
    prevailing : ndarray of str, shape (n2, n1), or None
        The outcome most simulated starts reach (a vertex name, ``"other"``,
        ``"failed"``, or a label that says it is not certified).
    thresholds : dict or None
        ``{parameter: critical values}`` of both parameters.
    """

    parameters: tuple[str, str]
    values: tuple[np.ndarray, np.ndarray]
    ess: np.ndarray
    vertices: tuple[str, ...]
    prevailing: np.ndarray | None
    thresholds: Mapping[str, Any] | None


def is_regime_map(result: Any) -> bool:
    """Whether ``result`` is a regime-map result."""
    return _has(result, "ess", "regime")


def grid_values(result: Any) -> RegimeCells:
    """The cells of a two-parameter regime map (``gametheory.regime_map``), axes ordered (vertical, horizontal)."""
    data = dataset(result)
    names = _swept(data)
    if len(names) != 2:
        raise SpecificationError(f"a regime map plot needs two swept parameters, the result has {names}")
    n1, n2 = names
    ess = np.asarray(data["ess"].transpose("vertex", n2, n1).values, dtype=bool)
    prevailing = None
    if "prevailing" in data.variables:
        prevailing = np.asarray(data["prevailing"].transpose(n2, n1).values).astype(str).astype(object)
    return RegimeCells(
        (n1, n2),
        (np.asarray(data[n1].values, dtype=float), np.asarray(data[n2].values, dtype=float)),
        ess,
        _names(data["vertex"].values),
        prevailing,
        getattr(result, "thresholds", None),
    )


def is_basin_sample(result: Any) -> bool:
    """Whether ``result`` is a basins result of ``gametheory.basins``."""
    return _has(result, "share", "standard_error")


def basin_shares(result: Any) -> tuple[tuple[str, ...], np.ndarray, np.ndarray, int, tuple[str, ...]]:
    """``(outcome names, shares, standard errors, number of starts, vertex names)`` of a basins result.

    Outcomes are the vertices (``"C,E,A"``) in profile order, then ``"other"``
    and ``"failed"``, or whatever labels the result gives (e.g. ``"near C,E,A
    at t = 200, not certified"``); an outcome is a vertex when its name is
    one of the vertex names (``ess``'s ``vertex`` coordinate).
    """
    data = dataset(result)
    return (
        _names(data["outcome"].values),
        np.asarray(data["share"].transpose("outcome").values, dtype=float),
        np.asarray(data["standard_error"].transpose("outcome").values, dtype=float),
        int(data.attrs["n"]),
        _names(data["vertex"].values) if "vertex" in data.variables else (),
    )


def basin_grid(
    result: Any,
) -> tuple[tuple[str, ...], list[np.ndarray], np.ndarray, tuple[str, ...], tuple[str, ...]] | None:
    """``(dims, cell centres per dim, outcome code per cell, outcome names, vertex names)`` of a grid basins result.

    None when ``result`` is not a grid basins result.
    """
    if not _has(result, "grid", "share"):
        return None
    data = dataset(result)
    grid = data["grid"]
    dims = tuple(str(d) for d in grid.dims)
    centres = [np.asarray(grid[d].values, dtype=float) for d in grid.dims]
    vertices = _names(data["vertex"].values) if "vertex" in data.variables else ()
    return dims, centres, np.asarray(grid.values), _names(data["outcome"].values), vertices


def report_game(report: Any, dynamics: Any = None) -> Any:
    """The game (or dynamics) a rest-point result is about: ``report.game``, else ``dynamics``, else ``report.dynamics``."""
    game = getattr(report, "game", None)
    if hasattr(report, "equilibria") and game is not None:
        return game
    if hasattr(report, "points") and hasattr(report, "continua"):  # gametheory.rest_points
        own = getattr(report, "dynamics", None)
        if dynamics is None and own is None:
            raise ResultTypeError("drawing a rest_points result needs dynamics= (the game or its dynamics)")
        return dynamics if dynamics is not None else own
    raise ResultTypeError(
        f"expected a StabilityReport (gametheory.analyze) or a RestPoints result, got {type(report).__name__}"
    )


def rest_point_kinds(report: Any) -> list[tuple[np.ndarray, str]]:
    """``(point (d,), kind)`` of every rest point: the StabilityKind's value, or ``"unclassified"`` (RestPoints)."""
    if hasattr(report, "equilibria"):
        return [
            (np.asarray(eq.point, dtype=float), str(getattr(eq.kind, "value", eq.kind)).lower())
            for eq in report.equilibria
        ]
    return [(np.asarray(p.point, dtype=float), "unclassified") for p in report.points]


def attractor_certified(report: Any, attractor: Any) -> bool:
    """Whether every start of ``attractor`` (an entry of ``report.attractors``) has a certified outcome."""
    return all(bool(getattr(report.outcomes[i], "certified", False)) for i in attractor.members)


def attractor_shares(report: Any) -> tuple[list[tuple[Any, float]], int]:
    """``([(attractor, share)], number of starts)`` of an :class:`gametheory.AttractorReport`.

    Each attractor has ``label``, ``kind`` and ``example`` (with ``profile`` for a vertex).
    """
    if not hasattr(report, "attractors"):
        raise ResultTypeError(
            f"expected an AttractorReport, a basins result or {{outcome: share}}, got {type(report).__name__}"
        )
    return [(att, float(att.share)) for att in report.attractors], len(report.outcomes)


def start_outcomes(report: Any) -> tuple[np.ndarray, tuple[Any, ...], tuple[str, ...]]:
    """``(starts (n, d), outcome per start, state names)`` of an AttractorReport (or the grid view of basins)."""
    return np.asarray(report.starts, dtype=float), tuple(report.outcomes), tuple(report.state_names)


@dataclass(frozen=True)
class Indices:
    """Sensitivity indices of one outcome as drawn (:func:`sensitivity_indices`)."""

    method: str
    parameters: tuple[str, ...]
    main: np.ndarray  # ST (Sobol') or mu_star (Morris)
    main_conf: np.ndarray
    first: np.ndarray | None  # S1 (Sobol'), sigma (Morris)
    first_conf: np.ndarray | None
    outcome: str
    description: str
    n: int
    n_evaluations: int


def sensitivity_indices(result: Any, outcome: str | None = None) -> Indices:
    """The indices of one outcome of a :class:`gametheory.SensitivityIndices` (or its Dataset)."""
    import json

    data = dataset(result)
    if data is None or data.attrs.get("method") not in ("sobol", "morris") or "parameter" not in data.dims:
        raise ResultTypeError(
            f"expected a gametheory.SensitivityIndices (gt.sensitivity_indices), got {type(result).__name__}"
        )
    described = json.loads(data.attrs["outcomes"])
    names = list(described)
    if outcome is None:
        outcome = names[0]
    if outcome not in names:
        raise SpecificationError(f"unknown outcome {outcome!r}; the result has {names}")
    if "outcome" in data.dims:
        data = data.sel(outcome=outcome)
    sobol = data.attrs["method"] == "sobol"
    main, conf = ("ST", "ST_conf") if sobol else ("mu_star", "mu_star_conf")
    return Indices(
        str(data.attrs["method"]), _names(data["parameter"].values), np.asarray(data[main].values, float),
        np.asarray(data[conf].values, float), np.asarray(data["S1" if sobol else "sigma"].values, float),
        np.asarray(data["S1_conf"].values, float) if sobol else None, outcome, described[outcome],
        int(data.attrs["n"]), int(data.attrs["n_evaluations"]),
    )  # fmt: skip
