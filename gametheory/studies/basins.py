"""Basins of attraction: the share of initial states reaching each attractor, with a standard error."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from .._checks import as_dynamics, check_count, keywords_checked
from ..errors import SpecificationError
from . import grids
from .execution import Task, check_progress, external_threads, run_chunks, settings
from .general import GENERAL_NOTE, cell_sinks, uses_general_certificate
from .results import StudyResult, freeze, provenance_attrs
from .store import ArrayLayout, spec_hash, versions
from .sweeps import check_coordinates, common_spec

if TYPE_CHECKING:
    from collections.abc import Mapping

    from ..dynamics.base import Dynamics
    from ..game import Game

__all__ = ["MAX_GRID_POINTS", "Basins", "basins"]

from ..limits import MAX_GRID_POINTS  # noqa: E402  (resource limits live in one place)


@dataclass(frozen=True, repr=False)
class Basins(StudyResult):
    """Shares of initial states reaching each attractor (immutable).

    Attributes
    ----------
    data : xarray.Dataset
        ``share`` (dim ``"outcome"``: the share of sampled states whose
        convergence to each vertex is *certified* by their end state at
        ``t_span[1]`` (:func:`gametheory.analysis.certify.certify_final_states`);
        then ``"not certified"``: no convergence proved, e.g. trajectories on a
        heteroclinic cycle, and ``"failed"``); ``standard_error`` (of
        ``share``, :math:`\\mathrm{sd}(\\hat p_r)/\\sqrt{R}` over the ``R``
        independent replicates; NaN for a grid or a single replicate);
        ``count`` (states per outcome); ``near`` and ``near_count`` (dim
        ``"vertex"``: the share and number of states not certified whose end
        state is within ``tol`` of each vertex; part of ``"not certified"``);
        ``ess`` (dim ``"vertex"``: strict Nash equilibria); for
        ``sample="grid"`` also ``grid``, the outcome index of every grid point,
        and ``grid_near``, the index of the vertex an uncertified end state is
        near (``-1`` where none), dims the state coordinates when every
        population has 2 strategies, else ``("point",)``.  ``attrs``:
        provenance, ``n``, ``sample``, ``replicates``, ``seed``, ``params``,
        ``t_end``.
    chunks : ChunkLog

    Examples
    --------
    >>> import gametheory as gt
    >>> from gametheory.models import classic
    >>> res = gt.basins(classic.matching_pennies_3(), n=64, replicate_size=32, t_span=(0, 5), backend="numpy")
    >>> res.outcomes[-2:], res.n, res.replicates
    (('not certified', 'failed'), 64, 2)
    >>> float(res.share.sel(outcome="not certified"))
    1.0
    """

    _plot_function = "basins"

    @property
    def share(self) -> Any:
        return self.data["share"]

    @property
    def standard_error(self) -> Any:
        return self.data["standard_error"]

    @property
    def counts(self) -> Any:
        return self.data["count"]

    @property
    def near(self) -> Any:
        return self.data["near"]

    @property
    def ess(self) -> Any:
        return self.data["ess"]

    @property
    def grid(self) -> Any:
        return self._variable("grid")

    @property
    def grid_near(self) -> Any:
        return self._variable("grid_near")

    @property
    def outcomes(self) -> tuple[str, ...]:
        return tuple(str(o) for o in self.data["outcome"].values)

    @property
    def n(self) -> int:
        return int(self.data.attrs["n"])

    @property
    def sample(self) -> str:
        return str(self.data.attrs["sample"])

    @property
    def replicates(self) -> int:
        return int(self.data.attrs["replicates"])

    @property
    def seed(self) -> int:
        return int(self.data.attrs["seed"])

    def to_frame(self) -> Any:
        """One row per outcome: share, standard error, count."""
        return self.data[["share", "standard_error", "count"]].to_dataframe().reset_index()

    def summary(self) -> str:
        t = float(self.data.attrs["t_end"])
        parts = []
        for label, s, e in zip(self.outcomes, self.share.values, self.standard_error.values):
            if s <= 0:
                continue
            if label == grids.NOT_CERTIFIED:
                label = grids.uncertified_label(None, t)
                near = [
                    f"near {v}: {x:.4f}"
                    for v, x in zip(self.near["vertex"].values, self.near.values)
                    if x > 0
                ]
                label += f" ({', '.join(near)})" if near else ""
            parts.append(f"{label}: {s:.4f} ± {e:.1e}")
        return f"Basins(n={self.n}, {self.sample}; " + "; ".join(parts) + ")"


@keywords_checked
def basins(
    model: Dynamics | Game,
    params: Mapping[str, Any] | None = None,
    n: int | None = None,
    *,
    resolution: int | None = None,
    sample: str = "sobol",
    seed: int = 0,
    t_span: tuple[float, float] = (0.0, 200.0),
    tol: float = 1e-3,
    replicate_size: int | None = None,
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
) -> Basins:
    """Share of initial states reaching each attractor, with a standard error.

    Initial states are drawn uniformly over the product of simplices (see
    :func:`gametheory.studies.grids.sample_states`) and integrated to
    ``t_span[1]``.  A state's outcome is the vertex :math:`v` only when its end
    state lies in a trapping box of :math:`v`, on which every payoff advantage
    :math:`f_{ij} - f_{iv_i}` is negative, so that the trajectory provably
    converges to :math:`v` (:func:`gametheory.analysis.certify.certify_final_states`,
    the certificate of :func:`gametheory.analysis.attractors.attractors`); every
    other state counts as ``"not certified"``, and ``near`` records the vertex it
    is within ``tol`` of at ``t_span[1]`` (a trajectory passing a saddle of a
    heteroclinic cycle is near that vertex, never certified to reach it).

    A game with state-dependent payoffs (``Game(..., state_dependent=True)``, replicator
    dynamics) is studied the same way with the theory that still holds there: ``ess`` marks
    the vertices that are hyperbolic sinks (payoff differences at the vertex's own state),
    the trapping boxes are bounded by Bernstein coefficients (still a proof), and an
    attractor that is not a vertex counts as ``"not certified"``; ``attrs["vertex_theory"]``
    says so.

    Any other dynamics without the replicator's vertex theory (``dyn.facts``: logit, BNN, Smith,
    replicator-mutator, the replicator dynamics of a one-population game, a system typed in
    from its equations) takes the general path of :mod:`gametheory.studies.general`: the
    outcomes are the sinks :func:`gametheory.analyze` finds, an end state counts for a sink when
    it lies in the sink's certified trapping ellipsoid (:mod:`gametheory.analysis.lyapunov`),
    ``ess`` and ``near`` run over those sinks, and ``attrs["vertex_theory"]`` says so.

    With ``sample="sobol"`` (default) or ``"random"`` the ``n`` points form
    ``R = n / replicate_size`` independent replicates (scrambled Sobol'
    sequences of ``replicate_size`` points, a power of two, each with its own
    seed ``(seed, r)``); ``n`` is rounded up to a multiple of
    ``replicate_size``.  The estimate is :math:`\\hat p = \\frac1R\\sum_r \\hat p_r`
    with standard error :math:`\\mathrm{sd}(\\hat p_r)/\\sqrt R` (randomised
    quasi-Monte Carlo; Owen 1997).  ``resolution=r`` instead integrates the
    :math:`r^d` cell centres of a grid.

    Parameters
    ----------
    model
        A game or any dynamics.
    params
        Parameter values (scalars; defaults fill the rest).
    n
        Number of sampled starts (default 4096); or give ``resolution``.
    resolution
        Grid points per coordinate (``sample="grid"``).
    sample, seed
        ``"sobol"``, ``"random"`` or ``"grid"``; the seed of the sample.
    t_span, tol
        Integration span; the distance :math:`\\max_i (1 - x_{iv_i})` within which an
        uncertified end state is ``near`` the vertex :math:`v`.
    replicate_size
        Points per replicate (a power of two; default: the largest power of two
        up to ``n / 16``, at most 16384, so that there are about 16 or more replicates).
    rtol, atol, backend, coordinates, method, max_steps, threads
        As in :func:`gametheory.numerics.ensemble.simulate_many`.
    chunk_size
        Trajectories per chunk (whole replicates per chunk); memory does not grow with ``n``.
    store, executor, progress
        As in :func:`gametheory.studies.sweeps.sweep`.

    Returns
    -------
    Basins

    Examples
    --------
    >>> import gametheory as gt
    >>> game = gt.Game.from_table({"row": ["s0", "s1"], "col": ["s0", "s1"]},
    ...     {("s0", "s0"): ("1", "1"), ("s0", "s1"): ("0", "0"), ("s1", "s0"): ("0", "0"),
    ...      ("s1", "s1"): ("1", "1")})
    >>> res = gt.basins(game, resolution=4, t_span=(0, 40), backend="numpy")
    >>> res.grid.values.tolist()
    [[3, 3, 3, 4], [3, 3, 4, 0], [3, 4, 0, 0], [4, 0, 0, 0]]

    The anti-diagonal is the stable manifold of the interior saddle: those starts are not certified.

    >>> res.outcomes[4], int(res.grid_near.values.max())
    ('not certified', -1)
    """
    from ..numerics.ensemble import resolve_backend
    from ..numerics.system import EnsembleSystem

    dyn = as_dynamics(model)
    base = grids.fixed_params(params, ())
    p_base = dyn.parameter_vector(base)
    resolved = dict(zip(dyn.game.parameter_names, map(float, p_base)))
    tol = grids.tolerance(tol)
    seed = check_count(seed, name="seed", minimum=0, error=SpecificationError)
    size = grids.positive_int(chunk_size, "chunk_size")
    coordinates = check_coordinates(dyn, coordinates)
    progress = check_progress(progress)
    d = dyn.dimension
    labels = grids.outcome_labels(dyn)
    sinks = None
    if uses_general_certificate(dyn):  # no vertex theory: the certified sinks are the outcomes
        sinks = cell_sinks(dyn, p_base)
        labels = tuple(s["label"] for s in sinks) + (grids.NOT_CERTIFIED, grids.FAILED)
        spec_general = {"sinks": sinks, "index": list(range(len(sinks))), "n_labels": len(labels)}
    if resolution is not None:
        if n is not None:
            raise SpecificationError(
                "give either n (a random or Sobol' sample) or resolution (a grid), not both"
            )
        resolution = grids.positive_int(resolution, "resolution")
        sample = "grid"
    elif sample == "grid":
        raise SpecificationError("sample='grid' needs resolution=")
    if sample not in ("sobol", "random", "grid"):
        raise SpecificationError(
            f"unknown sample {sample!r}; use 'sobol', 'random' or 'grid' (with resolution=)"
        )
    if sample == "grid":
        total = int(resolution) ** d
        if total > MAX_GRID_POINTS:
            raise SpecificationError(
                f"a grid of resolution {resolution} in {d} dimensions has {total:.3g} points (more than "
                f"{MAX_GRID_POINTS:.0e}); use sample='sobol' with n states instead"
            )
        n_replicates, rep = 1, 0
        n_chunks = -(-total // size)
        layout = {
            "outcome": ArrayLayout(("point",), (total,), "int16", size),
            "near": ArrayLayout(("point",), (total,), "int16", size),
        }
    else:
        n = 4096 if n is None else grids.positive_int(n, "n")
        if replicate_size is None:
            rep = 1 << max(0, min(14, int(np.floor(np.log2(max(n / 16, 1))))))
        else:
            rep = grids.positive_int(replicate_size, "replicate_size")
            if rep & (rep - 1):
                raise SpecificationError(f"replicate_size must be a power of two (Sobol' balance), got {rep}")
        n_replicates = -(-n // rep)
        total = n_replicates * rep
        per_chunk = max(1, size // rep)
        n_chunks = -(-n_replicates // per_chunk)
        V = len(labels) - 2
        layout = {
            "counts": ArrayLayout(("replicate", "outcome"), (n_replicates, V + 2), "int64", per_chunk),
            "near": ArrayLayout(("replicate", "vertex"), (n_replicates, V), "int64", per_chunk),
        }
    used = resolve_backend(backend, total)
    system = EnsembleSystem.from_dynamics(dyn, used, coordinates)
    options = settings(
        t_span, None, rtol, atol, coordinates, used, max_steps, external_threads(executor, threads), method
    )
    options |= {"tol": tol, "sample": sample, "seed": int(seed), "p": p_base, "replicate_size": rep}
    spec = common_spec("basins", dyn, options, resolved)
    spec |= {"sample": sample, "seed": int(seed), "n": total, "resolution": resolution, "replicate_size": rep,
             "chunk_size": size, "tol": tol, "outcomes": "certified"}  # fmt: skip
    found = versions(used)

    def task(i: int) -> Task:
        if sample == "grid":
            inputs = {"resolution": resolution, "start": i * size, "stop": min(total, (i + 1) * size)}
        else:
            reps = tuple(range(i * per_chunk, min(n_replicates, (i + 1) * per_chunk)))
            inputs = {"replicates": reps, "replicate_size": rep}
        if sinks is not None:
            inputs["general"] = spec_general
        return Task("basins", system, options, inputs, model=dyn)

    results, log = run_chunks(spec, task, n_chunks, layout, store, executor, progress, found)
    variables: dict[str, Any] = {}
    coords: dict[str, Any] = {"outcome": list(labels), "vertex": list(labels[:-2])}
    if sample == "grid":
        outcome = np.concatenate([results[i]["outcome"] for i in range(n_chunks)]).astype(np.int64)
        close = np.concatenate([results[i]["near"] for i in range(n_chunks)])
        counts = np.bincount(outcome, minlength=len(labels))
        near_count = np.bincount(close[close >= 0].astype(np.int64), minlength=len(labels) - 2)
        share = counts / total
        error = np.full(len(labels), np.nan)
        if all(k == 2 for k in dyn.game.strategy_counts):
            centres = (np.arange(resolution) + 0.5) / resolution
            coords |= {name: centres for name in dyn.state_names}
            dims: tuple[str, ...] = tuple(dyn.state_names)
            outcome, close = outcome.reshape((resolution,) * d), close.reshape((resolution,) * d)
        else:
            coords["point"] = np.arange(total)
            dims = ("point",)
        variables["grid"] = (dims, outcome)
        variables["grid_near"] = (dims, close)
    else:
        per_rep = np.concatenate([results[i]["counts"] for i in range(n_chunks)])
        counts = per_rep.sum(axis=0)
        near_count = np.concatenate([results[i]["near"] for i in range(n_chunks)]).sum(axis=0)
        p_r = per_rep / rep
        share = p_r.mean(axis=0)
        error = (
            p_r.std(axis=0, ddof=1) / np.sqrt(n_replicates)
            if n_replicates > 1
            else np.full(len(labels), np.nan)
        )
    from ..analysis.ess import strict_equilibria

    if sinks is None:
        ess = np.asarray(strict_equilibria(dyn, base), dtype=bool)
    else:  # every outcome is a hyperbolic sink of the analysis
        ess = np.array([s["sink"] for s in sinks], dtype=bool)
    variables |= {
        "share": (("outcome",), share),
        "standard_error": (("outcome",), error),
        "count": (("outcome",), counts),
        "near": (("vertex",), near_count / total),
        "near_count": (("vertex",), near_count),
        "ess": (("vertex",), ess),
    }
    import xarray as xr

    data = xr.Dataset(
        variables,
        coords=coords,
        attrs=provenance_attrs(
            dyn.game.fingerprint,
            spec_hash(spec),
            found,
            used,
            params=resolved,
            n=int(total),
            sample=sample,
            replicates=int(n_replicates),
            seed=int(seed),
            t_end=options["t1"],
            **(grids.theory_attrs(dyn) if sinks is None else {"vertex_theory": GENERAL_NOTE}),
        ),  # fmt: skip
    )
    return Basins(freeze(data), log)
