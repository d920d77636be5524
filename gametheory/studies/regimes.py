"""Regime maps: which ESS / attractor prevails in each cell of a 1-D or 2-D parameter grid."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from .._checks import as_dynamics, check_count, keywords_checked
from ..errors import SpecificationError
from . import grids
from .execution import ChunkLog, Task, check_executor, check_progress, external_threads, run_chunks, settings
from .general import GENERAL_NOTE, cell_sinks, uses_general_certificate
from .results import StudyResult, freeze, provenance_attrs
from .store import ArrayLayout, digest, spec_hash, versions
from .sweeps import check_coordinates, common_spec

if TYPE_CHECKING:
    from ..dynamics.base import Dynamics
    from ..game import Game

__all__ = ["RegimeMap", "regime_map"]


@dataclass(frozen=True, repr=False)
class RegimeMap(StudyResult):
    """Which equilibrium prevails in each cell of a parameter grid (immutable).

    Attributes
    ----------
    data : xarray.Dataset
        ``ess`` (bool, dims ``(*swept, "vertex")``): whether each vertex is a
        strict Nash equilibrium (= ESS = asymptotically stable rest point) in
        each cell, exact corner conditions; ``regime`` (str, dims ``swept``):
        ``"ESS C,E,A"`` (unique), ``"bistable C,E,A | B,P,I"`` or ``"no ESS"``;
        with simulated starts also ``shares`` (dims ``(*swept, "outcome")``:
        the share of the sampled starts whose convergence to each vertex is
        *certified* (:func:`gametheory.analysis.certify.certify_final_states`),
        then ``"not certified"`` (the end state at ``t_span[1]`` proves no
        convergence, e.g. on a heteroclinic cycle) and ``"failed"``), ``near``
        (dims ``(*swept, "vertex")``: the share of the starts not certified whose
        end state is within ``tol`` of each vertex; part of the ``"not
        certified"`` share) and ``prevailing`` (str, dims ``swept``: the outcome
        with the largest share; when that is ``"not certified"``, it reads
        ``"near C,E,A at t = 200, not certified"`` if more than half of the
        uncertified end states are near the vertex C,E,A, else ``"not certified
        at t = 200"``).  ``attrs``: provenance, ``n``, ``t_end``.
    chunks : ChunkLog
    thresholds : dict
        For each swept parameter, the critical values of
        :func:`gametheory.analysis.thresholds.critical_values` (to draw as lines).

    ``ess``, ``regime``, ``shares``, ``near``, ``prevailing`` are the DataArrays
    (the last three None without simulation), ``values`` the swept values.

    Examples
    --------
    >>> import gametheory as gt
    >>> from gametheory.models import classic
    >>> rm = gt.regime_map(classic.matching_pennies_3(), {"a": [0.5, 1.0]}, n=0)
    >>> rm.regime.values.tolist()
    ['no ESS', 'no ESS']
    """

    thresholds: Mapping[str, Any] | None = None
    _plot_function = "regime_map"

    @property
    def ess(self) -> Any:
        return self.data["ess"]

    @property
    def regime(self) -> Any:
        return self.data["regime"]

    @property
    def shares(self) -> Any:
        return self._variable("shares")

    @property
    def near(self) -> Any:
        return self._variable("near")

    @property
    def prevailing(self) -> Any:
        return self._variable("prevailing")

    @property
    def values(self) -> dict[str, np.ndarray]:
        return {name: self.data[name].values for name in self.data.attrs["swept"].split()}

    @property
    def n(self) -> int:
        return int(self.data.attrs["n"])

    def to_frame(self) -> Any:
        """One row per cell: swept values, regime, number of ESS, the share of each outcome and of each "near"."""
        frame = self.regime.to_series().reset_index()
        frame["n_ess"] = self.ess.values.sum(axis=-1).reshape(-1)
        if self.shares is not None:
            wide = self.shares.to_series().unstack("outcome")
            for label in self.shares["outcome"].values:
                frame[f"share {label}"] = wide[label].to_numpy()
            near = self.near.to_series().unstack("vertex")
            for label in self.near["vertex"].values:
                frame[f"share near {label}, not certified"] = near[label].to_numpy()
            frame["prevailing"] = self.prevailing.values.reshape(-1)
        return frame

    def summary(self) -> str:
        swept = " x ".join(f"{k} ({len(v)})" for k, v in self.values.items())
        kinds = sorted(set(self.regime.values.reshape(-1).tolist()))
        text = f"RegimeMap({swept}; regimes {kinds}; {self.n} simulated starts per cell"
        if self.shares is not None:
            uncertified = float(self.shares.sel(outcome=grids.NOT_CERTIFIED).mean())
            text += f", {uncertified:.1%} {grids.uncertified_label(None, self.data.attrs['t_end'])}"
        return text + ")"


def _regime_labels(ess: np.ndarray, labels: Sequence[str]) -> np.ndarray:
    out = []
    for row in ess.reshape(-1, ess.shape[-1]):
        which = [labels[v] for v in np.flatnonzero(row)]
        if not which:
            out.append("no ESS")
        elif len(which) == 1:
            out.append(f"ESS {which[0]}")
        else:
            out.append(
                "bistable " + " | ".join(which) if len(which) == 2 else "multistable " + " | ".join(which)
            )
    return np.array(out, dtype=object).reshape(ess.shape[:-1])


def _prevailing(counts: np.ndarray, near: np.ndarray, labels: Sequence[str], t: float) -> np.ndarray:
    """Per cell, the outcome with the most starts; an uncertified one spelled out with its "near" detail.

    ``counts`` (cells, V + 2) per outcome of :func:`~gametheory.studies.grids.outcome_labels`,
    ``near`` (cells, V) uncertified ends near each vertex.
    """
    V = near.shape[1]
    out = np.array(labels, dtype=object)[np.argmax(counts, axis=1)]
    for c in np.flatnonzero(out == grids.NOT_CERTIFIED):
        k = int(np.argmax(near[c])) if V else -1
        close = labels[k] if k >= 0 and 2 * near[c, k] > counts[c, V] else None
        out[c] = grids.uncertified_label(close, t)
    return out.astype(str)


def _thresholds(game: Game, names: Iterable[str], params: Mapping[str, Any]) -> dict[str, Any]:
    """Critical values of each swept parameter."""
    from ..analysis.thresholds import critical_values

    return {name: tuple(critical_values(game, name, params)) for name in names}


@keywords_checked
def regime_map(
    model: Game | Dynamics,
    values: Mapping[str, Any],
    params: Mapping[str, Any] | None = None,
    *,
    n: int = 32,
    t_span: tuple[float, float] = (0.0, 200.0),
    tol: float = 1e-3,
    seed: int = 0,
    rtol: float = 1e-8,
    atol: float = 1e-10,
    backend: str = "auto",
    coordinates: str | None = None,
    method: str = "DOP853",
    max_steps: int = 50_000,
    chunk_size: int = 65536,
    store: str | os.PathLike[str] | None = None,
    executor: Any = None,
    progress: bool = False,
    threads: int | None = None,
) -> RegimeMap:
    """Which ESS / attractor prevails in each cell of a 1-D or 2-D parameter grid.

    Two views of every cell :math:`(p_1, p_2)`:

    1. exact: the vertices that are strict Nash equilibria,
       :math:`f_{ij}(s) < f_{is_i}(s)` for every deviation (the ESS, which are the
       asymptotically stable rest points; Selten 1980, Ritzberger & Weibull
       1995), from :func:`gametheory.analysis.ess.strict_equilibria`,
       vectorised over the cells; the symbolic thresholds where a condition
       changes sign come from :func:`gametheory.analysis.thresholds.critical_values`;
    2. simulated: ``n`` starts (a scrambled Sobol' sample, seed
       ``seed``, the same in every cell) are integrated to ``t_span[1]``; a
       start's outcome is the vertex :math:`v` only when its end state lies in a
       trapping box of :math:`v` (:func:`gametheory.analysis.certify.certify_final_states`:
       every payoff advantage :math:`f_{ij} - f_{iv_i}` is negative on the box, so the
       trajectory provably converges to :math:`v`), else ``"not certified"``, with the
       vertex it is within ``tol`` of at ``t_span[1]`` (if any) recorded in ``near``.
       A start passing a saddle vertex of a heteroclinic cycle is never counted as
       reaching it.

    A game with state-dependent payoffs (``Game(..., state_dependent=True)``, replicator
    dynamics): ``ess`` marks the vertices that are hyperbolic sinks (payoff differences at
    the vertex's own state, exact; thresholds from the same differences), the trapping boxes
    are bounded by Bernstein coefficients, and an attractor that is not a vertex counts as
    ``"not certified"``; ``attrs["vertex_theory"]`` says so.

    Any other dynamics without the replicator's vertex theory (logit, BNN, Smith, the replicator
    dynamics of a one-population game, ...) takes the general path of
    :mod:`gametheory.studies.general`: in each cell the sinks of :func:`gametheory.analyze` are the
    outcomes (labels are their rounded states; the ``vertex`` dimension runs over every sink of
    any cell, ``ess`` marks the sinks present in a cell and ``regime`` reads ``"sink ..."``), end
    states are certified by the sinks' trapping ellipsoids, and no thresholds are computed.

    Parameters
    ----------
    model
        A game or any dynamics.
    values
        ``{name: values}`` for one or two swept parameters (they need no default).
    params
        Other parameters (scalars; defaults fill the rest).
    n
        Simulated starts per cell (0: exact conditions only).
    t_span, tol, seed
        Integration span; the distance :math:`\\max_i (1 - x_{iv_i})` within which an
        uncertified end state is ``near`` the vertex :math:`v`; sample seed.
    rtol, atol, backend, coordinates, method, max_steps, threads
        As in :func:`gametheory.numerics.ensemble.simulate_many`.
    chunk_size
        Trajectories per chunk (whole cells per chunk).
    store, executor, progress
        As in :func:`gametheory.studies.sweeps.sweep`.

    Returns
    -------
    RegimeMap

    Examples
    --------
    >>> import gametheory as gt
    >>> game = gt.Game.from_table({"row": ["s0", "s1"], "col": ["s0", "s1"]},
    ...     {("s0", "s0"): ("a", "a"), ("s0", "s1"): ("0", "0"), ("s1", "s0"): ("0", "0"),
    ...      ("s1", "s1"): ("1", "1")})
    >>> rm = gt.regime_map(game, {"a": [-1.0, 1.0]}, n=8, t_span=(0, 20), backend="numpy")
    >>> rm.regime.values.tolist()
    ['ESS s1,s1', 'bistable s0,s0 | s1,s1']
    >>> rm.prevailing.values.tolist()
    ['s1,s1', 's0,s0']

    Jordan's three-player matching pennies: trajectories approach a heteroclinic cycle and pass
    close to one saddle vertex after another, none of which is an outcome.

    >>> from gametheory.models import classic
    >>> rm = gt.regime_map(classic.matching_pennies_3(), {"a": [1.0]}, n=16, t_span=(0, 100),
    ...                    backend="numpy")
    >>> float(rm.shares.sel(a=1.0, outcome="not certified")), rm.prevailing.values.tolist()
    (1.0, ['not certified at t = 100'])
    >>> rm.summary()
    "RegimeMap(a (1); regimes ['no ESS']; 16 simulated starts per cell, 100.0% not certified at t = 100)"
    """
    from ..analysis.ess import strict_equilibria
    from ..numerics.ensemble import resolve_backend
    from ..numerics.system import EnsembleSystem

    dyn = as_dynamics(model)
    grid = grids.swept_grid(dyn, values, 2)
    base = grids.fixed_params(params, grid)
    resolved = grids.resolved_params(dyn, params, grid)
    n = check_count(
        n, name="n (the number of simulated starts per cell)", minimum=0, error=SpecificationError
    )
    tol = grids.tolerance(tol)
    seed = check_count(seed, name="seed", minimum=0, error=SpecificationError)
    coordinates = check_coordinates(dyn, coordinates)
    progress = check_progress(progress)
    check_executor(executor)
    cells = grids.cells(grid)
    n_cells = len(next(iter(cells.values())))
    shape = tuple(len(v) for v in grid.values())
    merged = base | cells
    general = None
    if uses_general_certificate(dyn):  # no vertex theory: each cell's certified sinks are the outcomes
        Pg = dyn.parameter_vector(merged)
        Pg = Pg if Pg.ndim == 2 else np.repeat(Pg[:, None], n_cells, axis=1)
        per_cell = [cell_sinks(dyn, Pg[:, c]) for c in range(n_cells)]
        union: dict[str, int] = {}
        for sinks in per_cell:
            for s in sinks:
                union.setdefault(s["label"], len(union))
        labels = tuple(union) + (grids.NOT_CERTIFIED, grids.FAILED)
        general = {"cells": [(sinks, [union[s["label"]] for s in sinks]) for sinks in per_cell],
                   "n_labels": len(labels)}  # fmt: skip
        ess = np.zeros((n_cells, len(union)), dtype=bool)
        for c, (sinks, index) in enumerate(general["cells"]):
            ess[c, index] = [s["sink"] for s in sinks]
        ess = ess.reshape(shape + (len(union),))
    else:
        ess = np.asarray(strict_equilibria(dyn, merged))
        ess = ess.reshape(-1, 1) if ess.ndim == 1 else ess
        ess = np.broadcast_to(ess, (ess.shape[0], n_cells)).T.reshape(shape + (ess.shape[0],))
        labels = grids.outcome_labels(dyn)
    vertex_labels = labels[:-2]
    V = len(vertex_labels)
    used = resolve_backend(backend, n_cells * n)
    system = EnsembleSystem.from_dynamics(dyn, used, coordinates)
    options = settings(
        t_span, None, rtol, atol, coordinates, used, max_steps, external_threads(executor, threads), method
    )
    options["tol"] = tol
    fixed = {k: v for k, v in resolved.items() if k not in grid}
    spec = common_spec("regime_map", dyn, options, fixed)
    spec |= {"values": {k: digest(v) for k, v in grid.items()}, "n": int(n), "seed": int(seed),
             "tol": tol, "outcomes": "certified"}  # fmt: skip
    found = versions(used)
    # a swept parameter without a default takes its first value (the threshold of a parameter does not
    # depend on its own value); computed before the simulation: cheap, and fails early
    unset = {k: v[0] for k, v in grid.items() if dyn.game.parameter(k).default is None}
    thresholds = _thresholds(dyn.game, grid, base | unset) if general is None else {k: () for k in grid}
    regime = _regime_labels(ess, vertex_labels).astype(str)
    if general is not None:  # hyperbolic sinks, not an ESS test
        regime = np.char.replace(np.char.replace(regime, "no ESS", "no sink"), "ESS ", "sink ")
    variables: dict[str, Any] = {
        "ess": ((*grid, "vertex"), ess.copy()),
        "regime": (tuple(grid), regime),
    }
    log = ChunkLog(0, (), ())
    if n:
        size = grids.positive_int(chunk_size, "chunk_size")
        cells_per_chunk = max(1, size // n)
        n_chunks = -(-n_cells // cells_per_chunk)
        spec["cells_per_chunk"] = cells_per_chunk
        replicate = 1 << int(np.ceil(np.log2(n)))
        starts = grids.sample_states(
            system.strategy_counts, "sobol", seed, replicates=(0,), replicate_size=replicate
        )[:n]
        P = dyn.parameter_vector(merged)
        P = P if P.ndim == 2 else np.repeat(P[:, None], n_cells, axis=1)
        layout = {
            "counts": ArrayLayout(("cell", "outcome"), (n_cells, len(labels)), "int64", cells_per_chunk),
            "near": ArrayLayout(("cell", "vertex"), (n_cells, V), "int64", cells_per_chunk),
        }

        def task(i: int) -> Task:
            cols = slice(i * cells_per_chunk, min(n_cells, (i + 1) * cells_per_chunk))
            inputs: dict[str, Any] = {"starts": starts, "p": P[:, cols]}
            if general is not None:
                inputs["general"] = {"cells": general["cells"][cols], "n_labels": general["n_labels"]}
            return Task("regime", system, options, inputs, model=dyn)

        results, log = run_chunks(spec, task, n_chunks, layout, store, executor, progress, found)
        counts = np.concatenate([results[i]["counts"] for i in range(n_chunks)])
        near = np.concatenate([results[i]["near"] for i in range(n_chunks)])
        share_values = (counts / n).reshape(shape + (len(labels),))
        variables["shares"] = ((*grid, "outcome"), share_values)
        variables["near"] = ((*grid, "vertex"), (near / n).reshape(shape + (V,)))
        variables["prevailing"] = (
            tuple(grid),
            _prevailing(counts, near, labels, options["t1"]).reshape(shape),
        )
    import xarray as xr

    data = xr.Dataset(
        variables,
        coords=dict(grid) | {"vertex": list(vertex_labels), "outcome": list(labels)},
        attrs=provenance_attrs(
            dyn.game.fingerprint,
            spec_hash(spec),
            found,
            used,
            params=resolved,
            swept=" ".join(grid),
            n=int(n),
            seed=int(seed),
            t_end=options["t1"],
            **(grids.theory_attrs(dyn) if general is None else {"vertex_theory": GENERAL_NOTE}),
        ),  # fmt: skip
    )
    return RegimeMap(freeze(data), log, thresholds)
