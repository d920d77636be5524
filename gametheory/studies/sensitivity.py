"""Global sensitivity analysis: which parameter moves an outcome most (Sobol' indices, Morris screening).

The varied parameters :math:`p_1, \\dots, p_D` are uniform on their bounds; an
outcome :math:`Y = f(p)` is evaluated at a design of points drawn by SALib
(Herman & Usher 2017) and the design is analysed by SALib:

* ``method="sobol"`` (Saltelli 2002; Saltelli et al. 2010): first-order and total indices

  .. math:: S_i = \\frac{\\operatorname{Var}(E[Y \\mid p_i])}{\\operatorname{Var} Y}, \\qquad
            S_{Ti} = \\frac{E[\\operatorname{Var}(Y \\mid p_{\\sim i})]}{\\operatorname{Var} Y},

  from :math:`n (D + 2)` evaluations (``second_order=True``: :math:`n (2D + 2)`, and
  :math:`S_{ij}`), with bootstrap confidence intervals (``S1_conf``, ``ST_conf``: half-widths at
  ``confidence``).  ``n``, the base sample, is rounded up to a power of two (Sobol' balance).
* ``method="morris"`` (Morris 1991; Campolongo et al. 2007): ``n`` trajectories of one-at-a-time
  steps on a ``levels``-level grid, :math:`n (D + 1)` evaluations; ``mu_star`` is the mean absolute
  elementary effect (ranks the inputs), ``sigma`` its standard deviation (interactions,
  non-linearity), ``mu_star_conf`` the bootstrap half-width.

Outcomes are callables ``outcome(model, params) -> float`` (``params``: every parameter's value)
or built-in names (:data:`BUILT_IN`).  The design is cut into chunks of ``chunk_size`` points run
in this process or on an executor, and recorded in a Zarr store with ``store=``
(:mod:`gametheory.studies.execution`, :mod:`gametheory.studies.store`): a rerun loads the finished
chunks.  A callable is identified in the store by its module and qualified name; a process pool or
Dask needs callables that pickle (defined at module level).
"""

from __future__ import annotations

import json
import math
import os
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from .._checks import as_dynamics, check_count, keywords_checked
from ..errors import ParameterError, SpecificationError, suggest
from .execution import Task, check_progress, run_chunks
from .results import StudyResult, freeze, provenance_attrs
from .store import STORE_FORMAT, ArrayLayout, digest, spec_hash, versions

if TYPE_CHECKING:
    from ..dynamics.base import Dynamics
    from ..game import Game

__all__ = ["BUILT_IN", "SensitivityIndices", "sensitivity_indices"]

#: The built-in outcomes (``name``: meaning); ``<...>`` is filled in by the caller.
BUILT_IN: Mapping[str, str] = {
    "ess_exists": "1 if gametheory.analyze finds an ESS (mixed ones included), else 0",
    "ess:<profile>": "1 if the pure profile (e.g. 'C,E,A') is a strict Nash equilibrium (an ESS; "
    "gametheory.analysis.ess.strict_equilibria), else 0",
    "basin_share:<label>": "share of sampled starts certified to reach the vertex or outcome <label> "
    "(gametheory.basins with options['basin_n'] starts up to t = options['t_end'])",
    "time_to:<level>": "first time the ensemble mean share of every population's first strategy is "
    ">= level (options['starts'] Sobol' starts; options['t_end'] when never reached: censored)",
    "time_to:<strategy>:<level>": "the same for one strategy's share",
}

#: Defaults of ``options`` (built-in outcomes only).
OPTIONS: Mapping[str, Any] = {"basin_n": 64, "starts": 32, "t_end": 100.0, "seed": 0, "backend": "auto"}


@dataclass(frozen=True)
class _Outcome:
    """One outcome: a name, what it means, and how to compute it (pickles when its function does)."""

    name: str
    description: str
    identity: str
    kind: str
    function: Callable[..., Any] | None = None
    argument: Any = None
    options: Mapping[str, Any] = field(default_factory=dict)


def _callable_identity(function: Callable[..., Any]) -> str:
    target = function if hasattr(function, "__qualname__") else type(function)
    return f"{getattr(target, '__module__', '?')}.{getattr(target, '__qualname__', repr(target))}"


def _outcome(name: str, spec: Any, dyn: Dynamics, options: Mapping[str, Any]) -> _Outcome:
    """Check one outcome (a callable or a built-in name) and describe it."""
    if callable(spec):
        doc = (getattr(spec, "__doc__", None) or "").strip().splitlines()
        described = doc[0] if doc and not isinstance(spec, type) else _callable_identity(spec)
        return _Outcome(name, described, "callable:" + _callable_identity(spec), "callable", spec)
    if not isinstance(spec, str):
        raise SpecificationError(
            f"outcome {name!r} must be a callable outcome(model, params) -> float or a built-in name "
            f"({', '.join(BUILT_IN)}), got {type(spec).__name__}"
        )
    kind, _, rest = spec.partition(":")
    game = dyn.game
    profiles = {",".join(p): i for i, p in enumerate(game.profiles)}
    if kind == "ess_exists" and not rest:
        return _Outcome(name, BUILT_IN["ess_exists"], spec, kind)
    if kind in ("ess", "basin_share") and rest:
        label = rest.replace(" ", "").strip("()")
        if kind == "ess" and label not in profiles:
            raise SpecificationError(f"outcome {spec!r}: unknown profile {label!r}{suggest(label, profiles)}; "
                                     f"profiles are {sorted(profiles)}")  # fmt: skip
        text = BUILT_IN[f"{kind}:<{'profile' if kind == 'ess' else 'label'}>"].replace("<label>", label)
        return _Outcome(name, f"{spec}: {text}", spec, kind, argument=label, options=dict(options))
    if kind == "time_to" and rest:
        strategy, _, level_text = rest.rpartition(":")
        try:
            level = float(level_text)
        except ValueError:
            level = math.nan
        if not 0 < level <= 1:
            raise SpecificationError(
                f"outcome {spec!r}: the level must be a share in (0, 1], got {level_text!r}"
            )
        column = None
        if strategy:
            names = [(i, j, s) for i, p in enumerate(game.populations) for j, s in enumerate(p.strategies)]
            found = [(i, j) for i, j, s in names if s == strategy]
            if len(found) != 1:
                raise SpecificationError(f"outcome {spec!r}: strategy {strategy!r} is "
                                         f"{'ambiguous' if found else 'unknown'}{suggest(strategy, [s for *_, s in names])}")  # fmt: skip
            column = found[0]
        return _Outcome(name, f"{spec}: {BUILT_IN['time_to:<level>']}", spec, kind, argument=(column, level),
                        options=dict(options))  # fmt: skip
    raise SpecificationError(f"unknown outcome {spec!r}{suggest(kind, [k.split(':')[0] for k in BUILT_IN])}; "
                             f"use a callable or one of {list(BUILT_IN)}")  # fmt: skip


def _full_shares(dyn: Dynamics, y: np.ndarray) -> list[np.ndarray]:
    """Each population's shares (``(..., k)``) from reduced states ``(..., d, ...)`` on axis 1."""
    out, at = [], 0
    for k in dyn.game.strategy_counts:
        part = y[:, at : at + k - 1]
        out.append(np.concatenate([part, 1 - part.sum(axis=1, keepdims=True)], axis=1))
        at += k - 1
    return out


def _value(o: _Outcome, model: Any, dyn: Dynamics, params: dict[str, float]) -> float:
    """The outcome ``o`` at ``params``."""
    if o.kind == "callable":
        value = o.function(model, dict(params))  # type: ignore[misc]
    elif o.kind == "ess_exists":  # every ESS gametheory.analyze finds, mixed ones included
        from ..analysis.stability import analyze

        value = float(len(analyze(dyn, params).ess) > 0)
    elif o.kind == "ess":
        from ..analysis.ess import strict_equilibria

        strict = strict_equilibria(dyn, params)
        value = float(strict[[",".join(p) for p in dyn.game.profiles].index(o.argument)])
    elif o.kind == "basin_share":
        from .basins import basins

        opts = o.options
        res = basins(dyn, params, n=int(opts["basin_n"]), seed=int(opts["seed"]), backend=opts["backend"],
                     t_span=(0.0, float(opts["t_end"])))  # fmt: skip
        if o.argument not in res.outcomes:
            raise SpecificationError(f"outcome {o.identity!r}: {o.argument!r} is not an outcome of "
                                     f"gametheory.basins here ({list(res.outcomes)})")  # fmt: skip
        value = float(res.share.sel(outcome=o.argument))
    else:  # time_to
        from .grids import sample_states

        opts, (column, level) = o.options, o.argument
        size = 1 << max(0, math.ceil(math.log2(int(opts["starts"]))))
        starts = sample_states(dyn.game.strategy_counts, "sobol", int(opts["seed"]), replicates=(0,),
                               replicate_size=size)  # fmt: skip
        t = np.linspace(0.0, float(opts["t_end"]), 401)
        ens = dyn.simulate_many(starts, (0.0, t[-1]), params, t_eval=t, backend=opts["backend"])
        shares = [s.mean(axis=0) for s in _full_shares(dyn, np.asarray(ens.y))]  # (k, n_t) each
        mean = shares[column[0]][column[1]] if column else np.min([s[0] for s in shares], axis=0)
        reached = np.flatnonzero(mean >= level)
        value = float(t[reached[0]]) if reached.size else float(t[-1])
    value = float(value)
    if not math.isfinite(value):
        raise SpecificationError(f"outcome {o.name!r} is {value} at {params}; it must be a finite number")
    return value


def _chunk(inputs: Mapping[str, Any]) -> dict[str, np.ndarray]:
    """Evaluate every outcome at the design points ``inputs["X"]`` (runs in the worker)."""
    model, dyn, names, base = inputs["model"], inputs["dyn"], inputs["names"], inputs["base"]
    X, outcomes = inputs["X"], inputs["outcomes"]
    out = np.empty((len(X), len(outcomes)))
    for r, row in enumerate(X):
        params = dict(base) | dict(zip(names, map(float, row)))
        for k, o in enumerate(outcomes):
            out[r, k] = _value(o, model, dyn, params)
    return {"y": out}


@dataclass(frozen=True, repr=False)
class SensitivityIndices(StudyResult):
    """Sensitivity indices of outcomes to the varied parameters (immutable).

    Attributes
    ----------
    data : xarray.Dataset
        Sobol': ``S1``, ``S1_conf``, ``ST``, ``ST_conf`` (and ``S2``, ``S2_conf`` over
        ``("parameter", "parameter_2")``); Morris: ``mu_star``, ``mu_star_conf``, ``sigma``, ``mu``.
        Dims ``"parameter"`` (coordinates ``lower``, ``upper``: the bounds) and ``"outcome"`` when
        there are several outcomes; ``X`` (dims ``("sample", "parameter")``, the design) and ``Y``
        (the outcomes there); ``constant`` (True where an outcome did not vary: indices NaN).
        ``attrs``: ``method``, ``n``, ``n_evaluations``, ``seed``, ``outcomes`` (JSON: name ->
        description), ``salib`` (SALib's version), ``confidence``, provenance, ``params``.
    chunks : ChunkLog

    The result reads as the :class:`xarray.Dataset` it holds (``res["ST"]``,
    ``res.sel(parameter="F_g")``, ``res.attrs``, ``"S1" in res``); ``res.data`` is that
    Dataset itself.

    Examples
    --------
    >>> import gametheory as gt
    >>> from gametheory.models import crisis_governance as cg
    >>> res = gt.sensitivity_indices(cg.game(), "ess:C,E,A", dict(cg.OPTIMIZED), bounds={"F_g": (3, 8)},
    ...                              method="morris", n=4)
    >>> res.parameters, res.method
    (('lam', 'F_g', 'theta', 'mu', 'tau'), 'morris')
    """

    _plot_function = "sensitivity_indices"

    # It reads as the xarray.Dataset it holds: res["ST"], res.sel(parameter="F_g"), res.attrs, "S1" in res.
    def __getitem__(self, key: Any) -> Any:
        return self.data[key]

    def __contains__(self, key: Any) -> bool:
        return key in self.data

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or name in ("data", "chunks"):
            raise AttributeError(name)
        return getattr(self.data, name)

    @property
    def method(self) -> str:
        return str(self.data.attrs["method"])

    @property
    def parameters(self) -> tuple[str, ...]:
        return tuple(str(p) for p in self.data["parameter"].values)

    @property
    def outcomes(self) -> dict[str, str]:
        return json.loads(self.data.attrs["outcomes"])

    @property
    def key(self) -> str:
        """The main index: ``"ST"`` (Sobol') or ``"mu_star"`` (Morris)."""
        return "ST" if self.method == "sobol" else "mu_star"

    def ranking(self, outcome: str | None = None) -> tuple[str, ...]:
        """Parameters from the most to the least influential (by :attr:`key`)."""
        values = self.data[self.key]
        if "outcome" in values.dims:
            values = values.sel(outcome=outcome if outcome is not None else str(values["outcome"].values[0]))
        order = np.argsort(-np.nan_to_num(values.values, nan=-np.inf), kind="stable")
        return tuple(self.parameters[i] for i in order)

    def to_frame(self) -> Any:
        """One row per parameter (and outcome): the indices and their confidence half-widths."""
        names = [v for v in ("S1", "S1_conf", "ST", "ST_conf", "mu_star", "mu_star_conf", "sigma", "mu")
                 if v in self.data]  # fmt: skip
        return self.data[names].to_dataframe().reset_index()

    def summary(self) -> str:
        conf = "ST_conf" if self.method == "sobol" else "mu_star_conf"
        parts = []
        for name in self.outcomes:
            sel = {"outcome": name} if "outcome" in self.data.dims else {}
            if bool(self.data["constant"].sel(sel)):
                parts.append(f"{name}: constant")
                continue
            top = [f"{p} {float(self.data[self.key].sel(sel | {'parameter': p})):.3g}"
                   f"±{float(self.data[conf].sel(sel | {'parameter': p})):.2g}"
                   for p in self.ranking(name)[:5]]  # fmt: skip
            parts.append(f"{name}: " + ", ".join(top))
        head = f"SensitivityIndices({self.method}, n={self.data.attrs['n']}, {self.key} ranked; "
        return head + "; ".join(parts) + ")"


def _problem(
    dyn: Dynamics, vary: Sequence[str] | None, bounds: Mapping[str, Any] | None
) -> tuple[list[str], list[tuple[float, float]]]:
    """The varied parameters and their bounds (declared, overridden by ``bounds``)."""
    names = dyn.game.parameter_names
    declared = {p.name: p.bounds for p in dyn.game.parameters}
    given = {} if bounds is None else dict(bounds)
    for name in [*given, *(vary or ())]:
        if name not in names:
            raise ParameterError(
                f"unknown parameter {name!r}{suggest(name, names)}; the model has {list(names)}"
            )
    checked: dict[str, tuple[float, float]] = {}
    for name, pair in given.items():
        try:
            lo, hi = (float(v) for v in pair)
        except (TypeError, ValueError):
            raise ParameterError(f"bounds of {name!r} must be a pair (lower, upper), got {pair!r}") from None
        if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
            raise ParameterError(f"bounds of {name!r} must be finite with lower < upper, got {pair!r}")
        checked[name] = (lo, hi)

    def finite(name: str) -> bool:
        b = declared.get(name)
        return b is not None and all(math.isfinite(v) for v in b) and b[0] < b[1]

    if vary is None:
        chosen = [n for n in names if n in checked or finite(n)]
    else:
        chosen = list(dict.fromkeys(vary))
        for name in chosen:
            if name not in checked and not finite(name):
                raise ParameterError(
                    f"parameter {name!r} is varied but has no finite bounds (declared: {declared.get(name)}); "
                    f"give them, e.g. bounds={{{name!r}: (lower, upper)}}"
                )
    if not chosen:
        raise ParameterError(
            "no parameter to vary: none has finite declared bounds; give bounds={name: (lo, hi)}"
        )
    return chosen, [checked.get(n) or tuple(map(float, declared[n])) for n in chosen]  # type: ignore[misc]


def _salib() -> str:
    try:
        import SALib  # noqa: F401  (only: is it installed?)
    except ImportError:
        raise SpecificationError(
            'sensitivity_indices needs SALib: pip install "SALib>=1.4" (or gametheory-egt[sensitivity])'
        ) from None
    from importlib.metadata import version

    return version("SALib")


@keywords_checked
def sensitivity_indices(
    model: Dynamics | Game,
    outcome: Any,
    params: Mapping[str, Any] | None = None,
    *,
    bounds: Mapping[str, Any] | None = None,
    vary: Sequence[str] | None = None,
    method: str = "sobol",
    n: int = 256,
    seed: int = 0,
    second_order: bool = False,
    levels: int = 4,
    confidence: float = 0.95,
    options: Mapping[str, Any] | None = None,
    chunk_size: int = 64,
    store: str | os.PathLike[str] | None = None,
    executor: Any = None,
    progress: bool = False,
) -> SensitivityIndices:
    """Sobol' indices or Morris screening of outcomes of a model over its parameter ranges.

    See the module docstring for the formulas.  Parameters not varied keep ``params`` (defaults
    fill the rest); every varied parameter is uniform on its bounds.

    Parameters
    ----------
    model
        A game or any dynamics.
    outcome
        A callable ``outcome(model, params) -> float``, a built-in name (:data:`BUILT_IN`: e.g.
        ``"ess_exists"``, ``"ess:C,E,A"``, ``"basin_share:C,E,A"``, ``"time_to:0.9"``), or a
        mapping ``name -> either`` for several outcomes (same design, one more dim).
    params
        Values of the parameters that are not varied.
    bounds
        ``{name: (lower, upper)}``: overrides declared bounds and adds the parameter to the varied ones.
    vary
        The varied parameters (default: every parameter with finite declared bounds, and those in ``bounds``).
    method, n, seed
        ``"sobol"`` (``n``: base sample, rounded up to a power of two) or ``"morris"`` (``n``
        trajectories); the seed of the design and of the bootstrap.
    second_order, levels, confidence
        Sobol' second-order indices; Morris grid levels; level of the confidence intervals.
    options
        Settings of the built-in outcomes (:data:`OPTIONS`).
    chunk_size, store, executor, progress
        Design points per chunk; as in :func:`gametheory.studies.sweeps.sweep`.

    Returns
    -------
    SensitivityIndices

    Examples
    --------
    >>> import gametheory as gt
    >>> from gametheory.models import crisis_governance as cg
    >>> res = gt.sensitivity_indices(cg.game(), "ess:C,E,A", dict(cg.OPTIMIZED), n=8)
    >>> res.parameters, res.ranking()[0]
    (('lam', 'theta', 'mu', 'tau'), 'lam')
    """
    salib_version = _salib()
    dyn = as_dynamics(model)
    if method not in ("sobol", "morris"):
        raise SpecificationError(f"unknown method {method!r}{suggest(str(method), ['sobol', 'morris'])}; "
                                 "use 'sobol' or 'morris'")  # fmt: skip
    n = check_count(n, name="n", minimum=1, error=SpecificationError)
    seed = check_count(seed, name="seed", minimum=0, error=SpecificationError)
    size = check_count(chunk_size, name="chunk_size", minimum=1, error=SpecificationError)
    levels = check_count(levels, name="levels", minimum=2, error=SpecificationError)
    progress = check_progress(progress)
    if not (isinstance(confidence, float) and 0 < confidence < 1):
        raise SpecificationError(f"confidence must be a float in (0, 1), got {confidence!r}")
    unknown = set(options or {}) - set(OPTIONS)
    if unknown:
        raise SpecificationError(f"unknown options {sorted(unknown)}; known: {list(OPTIONS)}")
    opts = dict(OPTIONS) | dict(options or {})
    several = isinstance(outcome, Mapping)
    name = outcome if isinstance(outcome, str) else getattr(outcome, "__name__", "outcome")
    specs = dict(outcome) if several else {name if name.isidentifier() else "outcome": outcome}
    if not specs:
        raise SpecificationError("outcome is an empty mapping; give at least one outcome")
    outcomes = [_outcome(str(k), v, dyn, opts) for k, v in specs.items()]
    names, ranges = _problem(dyn, vary, bounds)
    fixed = dict(params or {})
    base = fixed | {nm: (lo + hi) / 2 for nm, (lo, hi) in zip(names, ranges) if nm not in fixed}
    resolved = dict(zip(dyn.game.parameter_names, map(float, dyn.parameter_vector(base))))
    problem = {"num_vars": len(names), "names": names, "bounds": [list(b) for b in ranges]}
    from SALib.analyze import morris as morris_analyze
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import morris as morris_sample
    from SALib.sample import sobol as sobol_sample

    if method == "sobol":
        n = 1 << math.ceil(math.log2(n))
        X = sobol_sample.sample(problem, n, calc_second_order=second_order, seed=seed)
    else:
        X = morris_sample.sample(problem, n, num_levels=levels, seed=seed)
    total, n_out = len(X), len(outcomes)
    n_chunks = -(-total // size)
    layout = {"y": ArrayLayout(("sample", "outcome"), (total, n_out), "float64", size)}
    found = versions("numpy") | {"SALib": salib_version}
    spec = {"format": STORE_FORMAT, "kind": "sensitivity", "fingerprint": dyn.game.fingerprint,
            "dynamics": type(dyn).__name__, "parameter_names": list(dyn.game.parameter_names),
            "fixed_parameters": resolved, "varied": names, "bounds": problem["bounds"], "method": method,
            "n": n, "seed": seed, "second_order": bool(second_order), "levels": levels,
            "outcomes": [o.identity for o in outcomes], "options": {k: str(v) for k, v in opts.items()},
            "design": digest(X), "chunk_size": size}  # fmt: skip

    def task(i: int) -> Task:
        inputs = {"function": _chunk, "model": model, "dyn": dyn, "names": names, "base": resolved,
                  "X": X[i * size : (i + 1) * size], "outcomes": outcomes}  # fmt: skip
        return Task("call", None, {}, inputs)  # type: ignore[arg-type]

    results, log = run_chunks(spec, task, n_chunks, layout, store, executor, progress, found)
    Y = np.concatenate([results[i]["y"] for i in range(n_chunks)])
    data = _indices(method, problem, X, Y, outcomes, second_order, levels, confidence, seed,
                    sobol_analyze, morris_analyze)  # fmt: skip
    data.attrs = provenance_attrs(
        dyn.game.fingerprint, spec_hash(spec), found, "python", params=resolved, method=method, n=n,
        n_evaluations=total, seed=seed, confidence=confidence, salib=salib_version,
        outcomes={o.name: o.description for o in outcomes}, options={k: str(v) for k, v in opts.items()},
    )  # fmt: skip
    if not several:
        data = data.squeeze("outcome", drop=False)
    return SensitivityIndices(freeze(data), log)


def _indices(
    method: str, problem: dict[str, Any], X: np.ndarray, Y: np.ndarray, outcomes: list[_Outcome],
    second_order: bool, levels: int, confidence: float, seed: int, sobol: Any, morris: Any,
) -> Any:  # fmt: skip
    """The Dataset of indices (SALib's analysis per outcome; NaN for an outcome that is constant)."""
    import xarray as xr

    D = problem["num_vars"]
    keys = (
        ["S1", "S1_conf", "ST", "ST_conf"]
        if method == "sobol"
        else ["mu_star", "mu_star_conf", "sigma", "mu"]
    )
    values = {k: np.full((len(outcomes), D), np.nan) for k in keys}
    pair = {k: np.full((len(outcomes), D, D), np.nan) for k in ("S2", "S2_conf")}
    constant = np.zeros(len(outcomes), dtype=bool)
    for k in range(len(outcomes)):
        y = np.ascontiguousarray(Y[:, k])
        if np.ptp(y) == 0:
            constant[k] = True
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SALib's own notes on sample sizes
            if method == "sobol":
                res = sobol.analyze(
                    problem,
                    y,
                    calc_second_order=second_order,
                    conf_level=confidence,
                    seed=np.random.SeedSequence(seed),
                )  # SALib ignores a seed of 0
            else:
                res = morris.analyze(problem, X, y, conf_level=confidence, num_levels=levels, seed=seed)
        for key in keys:
            values[key][k] = np.asarray(res[key], dtype=float)
        if method == "sobol" and second_order:
            for key in pair:
                pair[key][k] = np.asarray(res[key], dtype=float)
    variables: dict[str, Any] = {key: (("outcome", "parameter"), v) for key, v in values.items()}
    coords: dict[str, Any] = {"outcome": [o.name for o in outcomes], "parameter": problem["names"],
                              "lower": ("parameter", [b[0] for b in problem["bounds"]]),
                              "upper": ("parameter", [b[1] for b in problem["bounds"]])}  # fmt: skip
    if method == "sobol" and second_order:
        coords["parameter_2"] = problem["names"]
        variables |= {key: (("outcome", "parameter", "parameter_2"), v) for key, v in pair.items()}
    variables |= {"X": (("sample", "parameter"), X), "Y": (("sample", "outcome"), Y),
                  "constant": (("outcome",), constant)}  # fmt: skip
    return xr.Dataset(variables, coords=coords)
