"""Command line: ``python -m gametheory COMMAND`` (also installed as ``gametheory``).

Commands
--------
``analyze MODEL [--params NAME=VALUE ...] [--preset NAME] [--figures DIR] [--latex]``
    Read a model (a TOML or JSON model file, or the name of a built-in model),
    print its replicator equations, the stability table of every rest point
    and the verdict (which states are ESS); ``--figures DIR`` also writes the
    standard figures and tables of that model.
``figures [--out DIR] [--small] [--only NAME ...] [--list]``
    Rebuild the flagship crisis-governance model's paper figures (PNG, PDF)
    and tables (Markdown, LaTeX) into ``DIR`` (default ``paper_figures/output``).
``summary``
    The flagship model's equations and where STATUS_QUO and OPTIMIZED end
    from the centre of the cube.
``sweep MODEL --param NAME=VALUES [--param ...] [--times K] [--csv auto|paths|final]``
    Time paths from ``--starts`` sampled starts for every combination of the
    swept values (:func:`gametheory.sweep`): ``DIR/sweep.nc`` (every path) and
    ``DIR/sweep.csv`` (the paths; only the final states for a big sweep).
``regime MODEL --param P1=VALUES [--param P2=VALUES] [--figure]``
    The ESS regime and prevailing outcome in each cell of a 1-D or 2-D grid
    (:func:`gametheory.regime_map`): ``DIR/regime_map.nc``, ``.csv`` (one row
    per cell) and with ``--figure`` ``.png``.
``basins MODEL [--param NAME=VALUES ...]``
    Share of the starts reaching each attractor (:func:`gametheory.basins`),
    in every cell of the grid if any: ``DIR/basins.nc``, ``DIR/basins.csv``.

``VALUES`` is ``V1,V2,...`` or ``START:STOP:NUM`` (:func:`parse_grid`).  The
study commands also take ``--params``, ``--preset``, ``--t-end T`` (``t_span =
(0, T)``, default 100), ``--starts N`` (default 64), ``--seed``, ``--backend``,
``--out DIR`` (default ``.``), ``--format netcdf|zarr`` and
``--progress/--no-progress`` (default: on when standard error is a terminal).
Progress goes to standard error; standard output gets the summary and the files written.

Errors of the package (:class:`~gametheory.errors.GameError`: an unreadable
model file, an unknown parameter, ...) print one line ``error: ...`` on
standard error and exit with status 2, as do usage errors.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from .errors import GameError, ParameterError, SpecificationError, StoreError, suggest

__all__ = ["BUILTIN_MODELS", "build_parser", "main", "parse_assignments", "parse_grid", "parse_grids"]

#: Defaults of the study commands: ``t_span = (0, DEFAULT_T_END)``, ``DEFAULT_STARTS`` starts.
DEFAULT_T_END = 100.0
DEFAULT_STARTS = 64
#: Largest sweep.csv written as time paths by ``--csv auto`` (bigger sweeps: final states only).
CSV_MAX_ROWS = 1_000_000


def _crisis() -> tuple[Any, dict[str, Mapping[str, float]]]:
    from .models import crisis_governance as cg

    return cg.game(), {"STATUS_QUO": cg.STATUS_QUO, "OPTIMIZED": cg.OPTIMIZED}


def _pennies() -> tuple[Any, dict[str, Mapping[str, float]]]:
    from .models import classic

    return classic.matching_pennies_3(), {}


def _wang() -> tuple[Any, dict[str, Mapping[str, float]]]:
    from .models import classic

    return classic.wang2023_air_pollution(), {"SCENARIO_1": classic.WANG2023_SCENARIO_1}


#: Built-in models by name: a factory returning ``(game, {preset name: parameter dict})``.
BUILTIN_MODELS: dict[str, Callable[[], tuple[Any, dict[str, Mapping[str, float]]]]] = {
    "crisis_governance": _crisis,
    "matching_pennies_3": _pennies,
    "wang2023_air_pollution": _wang,
}


def _number(text: str, where: str) -> float:
    """``text`` as a finite float; else a ParameterError ``"<where> '<text>' is not a number"``."""
    try:
        value = float(text)
    except ValueError:
        raise ParameterError(f"{where} {text.strip()!r} is not a number") from None
    if not math.isfinite(value):
        raise ParameterError(f"{where} {text.strip()!r} is not finite")
    return value


def parse_assignments(items: Sequence[str]) -> dict[str, float]:
    """``--params`` items ``NAME=VALUE`` as a dict; ParameterError for a malformed item or a name given twice.

    Examples
    --------
    >>> parse_assignments(["F_g=8", "S=3.5"])
    {'F_g': 8.0, 'S': 3.5}
    """
    out: dict[str, float] = {}
    for item in items:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise ParameterError(f"--params expects NAME=VALUE, got {item!r}")
        if name in out:
            raise ParameterError(f"--params gives {name!r} twice")
        out[name] = _number(value, f"--params {name}: value")
    return out


def parse_grid(item: str) -> tuple[str, Any]:
    """One ``--param`` item, ``NAME=V1,V2,...`` or ``NAME=START:STOP:NUM``, as ``(name, values)``.

    ``START:STOP:NUM`` stands for ``numpy.linspace(START, STOP, NUM)`` (both
    ends included); ``NAME=V`` gives one value.  ``values`` has shape ``(n,)``.
    A malformed item raises a :class:`~gametheory.errors.ParameterError` naming it.

    Examples
    --------
    >>> name, values = parse_grid("F_g=1:8:5")
    >>> name, values.tolist()
    ('F_g', [1.0, 2.75, 4.5, 6.25, 8.0])
    >>> parse_grid("S=0.5, 1, 2")[1].tolist()
    [0.5, 1.0, 2.0]
    >>> parse_grid("S=1:2")
    Traceback (most recent call last):
    gametheory.errors.ParameterError: --param 'S=1:2': a range is START:STOP:NUM, e.g. S=1:8:5
    """
    import numpy as np

    name, sep, spec = item.partition("=")
    name = name.strip()
    if not sep or not name or not spec.strip():
        raise ParameterError(f"--param expects NAME=V1,V2,... or NAME=START:STOP:NUM, got {item!r}")
    if ":" in spec:
        parts = spec.split(":")
        if len(parts) != 3:
            raise ParameterError(f"--param {item!r}: a range is START:STOP:NUM, e.g. {name}=1:8:5")
        start, stop = _number(parts[0], f"--param {item!r}:"), _number(parts[1], f"--param {item!r}:")
        num = parts[2].strip()
        if not num.isdigit() or int(num) < 1:
            raise ParameterError(f"--param {item!r}: NUM (the number of values) must be a positive integer")
        return name, np.linspace(start, stop, int(num))
    return name, np.array([_number(v, f"--param {item!r}:") for v in spec.split(",")])


def parse_grids(items: Sequence[str]) -> dict[str, Any]:
    """Every ``--param`` item (see :func:`parse_grid`) as ``{name: values}``; a name given twice is refused.

    Examples
    --------
    >>> {k: v.tolist() for k, v in parse_grids(["a=1,2", "b=0:1:3"]).items()}
    {'a': [1.0, 2.0], 'b': [0.0, 0.5, 1.0]}
    """
    out: dict[str, Any] = {}
    for item in items:
        name, values = parse_grid(item)
        if name in out:
            raise ParameterError(f"--param gives {name!r} twice")
        out[name] = values
    return out


def _load_model(model: str) -> tuple[Any, dict[str, Mapping[str, float]]]:
    """A built-in model by name, else a model file path."""
    if model in BUILTIN_MODELS:
        return BUILTIN_MODELS[model]()
    path = Path(model)
    if not path.exists() and path.suffix == "":
        raise SpecificationError(
            f"{model!r} is neither a model file nor a built-in model{suggest(model, BUILTIN_MODELS)}; "
            f"built-in models: {sorted(BUILTIN_MODELS)}"
        )
    from .io import load_game

    return load_game(path), {}


def _format_point(values: Sequence[float]) -> str:
    return "(" + ", ".join(f"{float(v):.4g}" for v in values) + ")"


def _profile_of(dyn: Any, point: Sequence[float]) -> str:
    """``" = (C, E, A)"`` when ``point`` is a vertex, else ``""``."""
    import numpy as np

    for profile, v in dyn.vertices():
        if np.max(np.abs(np.asarray(point, dtype=float) - v)) < 1e-9:
            return " = (" + ", ".join(profile) + ")"
    return ""


def _verdict(dyn: Any, report: Any) -> str:
    ess = [eq.point for eq in report.equilibria if getattr(eq, "is_ess", False)]
    if not ess:
        return (
            "no ESS: no rest point is asymptotically stable (no strict Nash equilibrium); "
            "see `attractors` for cycles"
        )
    names = [_format_point(p) + _profile_of(dyn, p) for p in ess]
    if len(ess) == 1:
        return f"unique ESS {names[0]}"
    return f"{len(ess)} ESS (multistable; the start decides): " + ", ".join(names)


def _given_params(args: argparse.Namespace, presets: Mapping[str, Mapping[str, float]]) -> dict[str, float]:
    """The ``--preset``'s values, overridden by ``--params``."""
    params: dict[str, float] = {}
    if args.preset is not None:
        if args.preset not in presets:
            raise ParameterError(
                f"model {args.model!r} has no preset {args.preset!r}{suggest(args.preset, presets)}; "
                f"presets: {sorted(presets) or 'none'}"
            )
        params.update(presets[args.preset])
    params.update(parse_assignments(args.params or []))
    return params


def _analyze(args: argparse.Namespace) -> int:
    game, presets = _load_model(args.model)
    dyn = game.replicator()
    params = _given_params(args, presets)
    values = dict(zip(game.parameter_names, map(float, dyn.parameter_vector(params))))
    from .analysis.stability import analyze

    report = analyze(game, values)
    print(game)
    print()
    coords = ", ".join(
        f"{s} = share of {game.populations[i].name} playing {game.populations[i].strategies[j]}"
        for s, (i, j) in zip(dyn.state_names, dyn.coordinates)
    )
    print(f"Replicator dynamics ({coords}):")
    if args.latex:
        print(dyn.to_latex())
    else:
        for r, (s, (i, _j)) in enumerate(zip(dyn.states, dyn.coordinates)):
            if game.populations[i].size == 2:
                print(f"  d{s}/dt = {s}*(1 - {s})*({dyn.payoff_differences[r]})")
            else:
                print(f"  d{s}/dt = {dyn.equations[r]}")
    print()
    print("Parameters: " + ", ".join(f"{k} = {v:g}" for k, v in values.items()))
    print()
    print("Rest points and their stability:")
    print(report.to_latex() if args.latex else report.to_markdown())
    print()
    print("Verdict: " + _verdict(dyn, report))
    if args.figures:
        written = _analysis_figures(game, values, report, Path(args.figures))
        print()
        print(f"Wrote {len(written)} files to {args.figures}: " + ", ".join(p.name for p in written))
    return 0


def _analysis_figures(game: Any, params: Mapping[str, float], report: Any, out: Path) -> list[Path]:
    """Standard figures and tables of one model at one parameter set."""
    import numpy as np

    from . import plot
    from .figures import save_figure

    out.mkdir(parents=True, exist_ok=True)
    dyn = game.replicator()
    written = []
    for name, text in (
        ("equations.tex", dyn.to_latex()),
        ("stability.md", report.to_markdown()),
        ("stability.tex", report.to_latex()),
    ):
        path = out / name
        path.write_text(text.rstrip("\n") + "\n", encoding="utf-8")
        written.append(path)
    centre = np.concatenate(
        [np.full(sl.stop - sl.start, 1.0 / (sl.stop - sl.start + 1)) for sl in dyn.population_slices()]
    )
    with plot.style():
        t_eval = np.linspace(0.0, 50.0, 301)
        runs = [dyn.simulate(centre, (0.0, 50.0), params, t_eval=t_eval)]
        ax = plot.time_series(runs, dynamics=dyn, title="from the centre of the state space")
        written += save_figure(ax.figure, out, "time_series")
        try:
            ax = plot.phase_portrait(dyn, params, report=report)
        except SpecificationError:
            pass  # no phase-portrait geometry for this game (e.g. four populations)
        else:
            written += save_figure(ax.figure, out, "phase_portrait")
    return written


def _figures(args: argparse.Namespace) -> int:
    from .figures import build_flagship, manifest

    if args.list:
        for art in manifest():
            print(f"{art.name:28s} {art.kind:6s} section {art.section:5s} {art.caption}")
        return 0
    start = time.perf_counter()
    result = build_flagship(args.out, small=args.small or None, only=args.only, log=print)
    print(f"{len(result.files)} files in {result.out_dir} ({time.perf_counter() - start:.1f} s)")
    return 0


def _summary(args: argparse.Namespace) -> int:
    from .models import crisis_governance as cg

    game = cg.game()
    dyn = game.replicator()
    print(game)
    print()
    for s, d in zip(dyn.states, dyn.payoff_differences, strict=True):
        print(f"d{s}/dt = {s}(1 - {s}) * [{d}]")
    print()
    for name, params in (("STATUS_QUO", cg.STATUS_QUO), ("OPTIMIZED", cg.OPTIMIZED)):
        tr = dyn.simulate([0.5, 0.5, 0.5], (0, 100), params)
        final = ", ".join(f"{n}={v:.4f}" for n, v in zip(dyn.state_names, tr.final, strict=True))
        print(f"{name:10s}: from (0.5, 0.5, 0.5) at t = 100: ({final})")
    return 0


# ------------------------------------------------------------------ sweep, regime, basins
def _note(args: argparse.Namespace, text: str) -> None:
    """A progress line on standard error (only with progress on)."""
    if args.progress:
        print(text, file=sys.stderr, flush=True)


def _timed(args: argparse.Namespace, command: str, text: str, call: Callable[[], Any]) -> Any:
    """``call()``, with a progress line before and the time taken after it."""
    _note(args, f"{command}: {text}")
    begin = time.perf_counter()
    result = call()
    _note(args, f"{command}: done in {time.perf_counter() - begin:.1f} s")
    return result


def _study_inputs(args: argparse.Namespace) -> tuple[Any, dict[str, float], dict[str, Any]]:
    """``(game, fixed parameters, swept grid)`` of a study command; settles ``args.progress``."""
    if args.progress is None:
        args.progress = sys.stderr.isatty()
    game, presets = _load_model(args.model)
    params = _given_params(args, presets)
    grid = parse_grids(args.param or [])
    return game, {k: v for k, v in params.items() if k not in grid}, grid


def _options(args: argparse.Namespace) -> dict[str, Any]:
    return {"t_span": (0.0, args.t_end), "backend": args.backend, "progress": bool(args.progress)}


def _write(args: argparse.Namespace, data: Any, frame: Any, stem: str, what: str) -> list[str]:
    """Write ``data`` (NetCDF, else Zarr) and ``frame`` (CSV) into ``--out``; lines naming the files."""
    out, fmt = Path(args.out), args.format
    try:
        out.mkdir(parents=True, exist_ok=True)
        if fmt == "netcdf":
            path = out / f"{stem}.nc"
            try:
                data.to_netcdf(path)
            except (ImportError, ValueError) as exc:  # no NetCDF engine (netCDF4, h5netcdf, scipy) installed
                print(f"note: cannot write NetCDF ({exc}); writing Zarr instead", file=sys.stderr)
                fmt = "zarr"
        if fmt == "zarr":
            path = out / f"{stem}.zarr"
            with warnings.catch_warnings():  # Zarr 3's notes on its own format, not the user's concern
                warnings.filterwarnings("ignore", module=r"zarr\.")
                data.to_zarr(path, mode="w")
        csv = out / f"{stem}.csv"
        frame.to_csv(csv, index=False)
    except OSError as exc:
        raise StoreError(f"--out {args.out}: cannot write the results ({exc})") from None
    return [f"wrote {path}", f"wrote {csv} ({what}: {len(frame):,} row{'s' * (len(frame) != 1)})"]


def _sweep(args: argparse.Namespace) -> int:
    from .studies.grids import sample_states
    from .studies.sweeps import sweep

    game, params, grid = _study_inputs(args)
    if not grid:
        raise ParameterError("sweep needs at least one --param NAME=V1,V2,... (the swept parameter)")
    size = 1 << max(0, math.ceil(math.log2(args.starts)))  # Sobol' points come in powers of two
    starts = sample_states(game.strategy_counts, "sobol", args.seed, replicates=(0,), replicate_size=size)
    n_cells = math.prod(len(v) for v in grid.values())
    result = _timed(
        args, "sweep", f"{n_cells} parameter cells x {args.starts} starts, t in [0, {args.t_end:g}]",
        lambda: sweep(game, grid, starts[: args.starts], params=params, n_times=args.times, **_options(args)),
    )  # fmt: skip
    rows = n_cells * args.starts * args.times
    paths = args.csv == "paths" or (args.csv == "auto" and rows <= CSV_MAX_ROWS)
    if paths:
        frame = result.to_frame()
    else:
        names = list(result.data["coordinate"].values)
        frame = result.final.to_series().unstack("coordinate")[names].rename_axis(columns=None)
        frame["status"] = result.status.to_series()
        frame = frame.reset_index()
    what = "time paths" if paths else "final states"
    print(result.summary(), *_write(args, result.data, frame, "sweep", what), sep="\n")
    return 0


def _regime(args: argparse.Namespace) -> int:
    from .studies.regimes import regime_map

    game, params, grid = _study_inputs(args)
    if not 1 <= len(grid) <= 2:
        raise ParameterError(f"regime needs one or two --param NAME=VALUES (the map's axes), got {len(grid)}")
    if args.figure and len(grid) != 2:
        raise ParameterError("--figure draws a two-parameter map: give two --param")
    n_cells = math.prod(len(v) for v in grid.values())
    result = _timed(
        args, "regime", f"{n_cells} parameter cells x {args.starts} starts, t in [0, {args.t_end:g}]",
        lambda: regime_map(game, grid, params, n=args.starts, seed=args.seed, **_options(args)),
    )  # fmt: skip
    lines = _write(args, result.data, result.to_frame(), "regime_map", "one per cell")
    if args.figure:
        from .figures import save_figure

        ax = result.plot()
        lines += [f"wrote {p}" for p in save_figure(ax.figure, Path(args.out), "regime_map", ("png",))]
    print(result.summary(), *lines, sep="\n")
    return 0


def _basins(args: argparse.Namespace) -> int:
    import itertools

    import pandas as pd
    import xarray as xr

    from .studies.basins import basins

    game, params, grid = _study_inputs(args)
    cells = [dict(zip(grid, map(float, values))) for values in itertools.product(*grid.values())]
    datasets, frames, summaries = [], [], []
    begin = time.perf_counter()
    for i, cell in enumerate(cells):
        label = ", ".join(f"{k}={v:g}" for k, v in cell.items())
        _note(args, f"basins: {args.starts} starts, t in [0, {args.t_end:g}]" + (f"; cell {i + 1} of "
              f"{len(cells)}: {label}" if grid else ""))  # fmt: skip
        result = basins(game, params | cell, args.starts, seed=args.seed, **_options(args))
        datasets.append(result.data.expand_dims({k: [v] for k, v in cell.items()}))
        frame = result.to_frame()
        frames.append(frame.assign(**cell)[[*cell, *frame.columns]])
        summaries.append((label + ": " if grid else "") + result.summary())
    _note(args, f"basins: done in {time.perf_counter() - begin:.1f} s")
    data = datasets[0] if not grid else xr.combine_by_coords(datasets, combine_attrs="drop_conflicts")
    if grid:  # the cells' provenance: one hash of their specifications; swept parameters NaN in params
        hashes = " ".join(d.attrs["spec_sha256"] for d in datasets)
        resolved = json.loads(datasets[0].attrs["params"]) | {k: math.nan for k in grid}
        data.attrs |= {"swept": " ".join(grid), "params": json.dumps(resolved),
                       "spec_sha256": hashlib.sha256(hashes.encode()).hexdigest()}  # fmt: skip
    frame = pd.concat(frames, ignore_index=True)
    lines = _write(args, data, frame, "basins", "one per outcome" + (" and cell" if grid else ""))
    print(*summaries, *lines, sep="\n")
    return 0


def _positive(kind: type, zero: bool = False) -> Callable[[str], Any]:
    """An argparse type: a positive (or with ``zero``, non-negative) finite ``kind`` (int or float)."""

    def convert(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if not (math.isfinite(value) and (value > 0 or zero and value == 0)):
            raise argparse.ArgumentTypeError(f"{text!r} is not a {'non-negative' if zero else 'positive'} "
                                             f"{kind.__name__}")  # fmt: skip
        return value

    return convert


def _model_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("model", metavar="MODEL", help="a model file (.toml or .json) or a built-in model: "
                   + ", ".join(sorted(BUILTIN_MODELS)))  # fmt: skip
    p.add_argument("--params", nargs="+", action="extend", metavar="NAME=VALUE",
                   help="parameter values, e.g. --params F_g=8 S=3 (repeatable; applied after --preset)")  # fmt: skip
    p.add_argument("--preset", metavar="NAME", help="a calibrated parameter set of a built-in model "
                   "(crisis_governance: STATUS_QUO, OPTIMIZED)")  # fmt: skip


def _study_parser(sub: Any, name: str, help: str, description: str, grid: str) -> argparse.ArgumentParser:
    p = sub.add_parser(name, help=help, description=description)
    _model_options(p)
    p.add_argument(
        "--param",
        action="append",
        metavar="NAME=VALUES",
        help=f"{grid}: VALUES is V1,V2,... or START:STOP:NUM (NUM evenly spaced values, ends included)",
    )
    p.add_argument(
        "--t-end", type=_positive(float), default=DEFAULT_T_END, metavar="T",
        help="integrate over t_span = (0, T) (default: %(default)g)",
    )  # fmt: skip
    p.add_argument(
        "--starts", type=_positive(int), default=DEFAULT_STARTS, metavar="N",
        help="number of starts, a scrambled Sobol' sample of the state space (default: %(default)s)",
    )  # fmt: skip
    p.add_argument("--seed", type=_positive(int, zero=True), default=0,
                   help="seed of the sampled starts (default: %(default)s)")  # fmt: skip
    p.add_argument(
        "--backend", choices=("auto", "numpy", "numba"), default="auto",
        help="ensemble integrator (default: %(default)s)",
    )  # fmt: skip
    p.add_argument("--out", default=".", metavar="DIR", help="output folder (default: the current one)")
    p.add_argument(
        "--format", choices=("netcdf", "zarr"), default="netcdf",
        help="the labelled result (xarray Dataset): NetCDF file .nc or Zarr store .zarr (default: %(default)s)",
    )  # fmt: skip
    p.add_argument(
        "--progress", action=argparse.BooleanOptionalAction, default=None,
        help="report progress on standard error (default: when it is a terminal)",
    )  # fmt: skip
    return p


def _add_study_commands(sub: Any) -> None:
    p = _study_parser(
        sub, "sweep", "time paths for every value of the swept parameters",
        "Integrate the replicator dynamics of MODEL from --starts sampled starts for every combination of the "
        "--param values (gametheory.sweep). Writes DIR/sweep.nc (every time path) and DIR/sweep.csv; prints "
        "the summary.", "swept parameter (repeatable; every combination is run)",
    )  # fmt: skip
    p.add_argument("--times", type=_positive(int), default=101, metavar="K",
                   help="output times, evenly spaced over [0, T] (default: %(default)s)")  # fmt: skip
    p.add_argument(
        "--csv", choices=("auto", "paths", "final"), default="auto",
        help=f"sweep.csv holds the time paths (one row per cell, start and time) or the final states (one row "
        f"per cell and start); auto: paths up to {CSV_MAX_ROWS:,} rows (default: %(default)s)",
    )  # fmt: skip
    p.set_defaults(func=_sweep)
    p = _study_parser(
        sub, "regime", "which ESS / attractor prevails on a 1-D or 2-D parameter grid",
        "Exact ESS regime and the simulated outcome of --starts sampled starts in every cell of a 1-D or 2-D "
        "grid (gametheory.regime_map). Writes DIR/regime_map.nc, DIR/regime_map.csv (one row per cell) and "
        "with --figure DIR/regime_map.png.", "an axis of the map (give one or two)",
    )  # fmt: skip
    p.add_argument("--figure", action="store_true", help="also draw the map (two axes) as DIR/regime_map.png")
    p.set_defaults(func=_regime)
    p = _study_parser(
        sub, "basins", "share of starts reaching each attractor",
        "Share of --starts sampled starts whose trajectory ends at each vertex, with a standard error "
        "(gametheory.basins); with --param, for every combination of the values. Writes DIR/basins.nc and "
        "DIR/basins.csv (one row per outcome and cell).", "optional swept parameter (repeatable)",
    )  # fmt: skip
    p.set_defaults(func=_basins)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``python -m gametheory``.

    Examples
    --------
    >>> args = build_parser().parse_args(["sweep", "crisis_governance", "--param", "F_g=1:8:5"])
    >>> args.param, args.t_end, args.starts, args.out
    (['F_g=1:8:5'], 100.0, 64, '.')
    """
    parser = argparse.ArgumentParser(
        prog="python -m gametheory",
        description="Multi-population evolutionary games: replicator dynamics, stability, parameter studies, figures.",
        epilog="Errors in a model or its parameters print 'error: ...' and exit with status 2.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    p = sub.add_parser(
        "analyze",
        help="equations, stability table and verdict of a model",
        description=(
            "Print the replicator equations of MODEL, the stability of every rest point (eigenvalues, kind, "
            "ESS) and the verdict. Parameters take the model's defaults unless --preset or --params set them."
        ),
    )
    _model_options(p)
    p.add_argument(
        "--figures", metavar="DIR", help="also write time series, phase portrait and tables to DIR"
    )
    p.add_argument("--latex", action="store_true", help="print equations and table as LaTeX")
    p.set_defaults(func=_analyze)
    p = sub.add_parser(
        "figures",
        help="rebuild the flagship model's figures and tables",
        description=(
            "Rebuild every figure (PNG, PDF) and table (Markdown, LaTeX) of the flagship crisis-governance "
            "model, deterministically. paper_figures/README.md describes each file."
        ),
    )
    p.add_argument("--out", default="paper_figures/output", help="output folder (default: %(default)s)")
    p.add_argument(
        "--small", action="store_true", help="small samples and grids (fast check; also GAMETHEORY_SMALL=1)"
    )
    p.add_argument("--only", nargs="+", metavar="NAME", help="build only these artifacts (see --list)")
    p.add_argument("--list", action="store_true", help="list the artifacts and exit")
    p.set_defaults(func=_figures)
    p = sub.add_parser("summary", help="equations and end states of the flagship model")
    p.set_defaults(func=_summary)
    _add_study_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 success, 2 error).

    Examples
    --------
    >>> main(["basins", "no_such_model"])  # prints "error: 'no_such_model' is neither ..." on stderr
    2
    """
    if "matplotlib.pyplot" not in sys.modules:  # a fresh process: write files, never open a window
        import matplotlib

        matplotlib.use("Agg")
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except GameError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # a file or folder the command reads or writes: one line naming it, no traceback
        where = " ".join(repr(str(f)) for f in (exc.filename, exc.filename2) if f is not None)
        reason = exc.strerror or str(exc)
        print(f"error: cannot use {where or 'a file'}: {reason}", file=sys.stderr)
        return 2
