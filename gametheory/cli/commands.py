"""The commands of ``python -m gametheory``: analyze, figures, summary, sweep, regime, basins."""

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

from ..errors import ParameterError, SpecificationError, StoreError, suggest
from .values import (
    BUILTIN_MODELS,
    CSV_MAX_ROWS,
    parse_assignments,
    parse_grids,
)


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
    from ..io import load_game

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
    from ..analysis.stability import analyze

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


def _report(args: argparse.Namespace) -> int:
    """``report MODEL --out FILE``: the one-file HTML report (gametheory.report)."""
    from ..reporting import report
    from ..reporting.document import check_output_path

    out = check_output_path(args.out)  # before the expensive work
    if args.progress is None:
        args.progress = sys.stderr.isatty()
    game, presets = _load_model(args.model)
    params = _given_params(args, presets)
    begin = time.perf_counter()
    rep = report(game, params, progress=bool(args.progress))
    path = rep.save(out)
    size = path.stat().st_size / 1e6
    print(f"Wrote {path} ({size:.2f} MB, {len(rep.sections)} sections, {time.perf_counter() - begin:.1f} s)")
    return 0


def _analysis_figures(game: Any, params: Mapping[str, float], report: Any, out: Path) -> list[Path]:
    """Standard figures and tables of one model at one parameter set."""
    import numpy as np

    from .. import plot
    from ..figures import save_figure

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
    from ..figures import build_flagship, manifest

    if args.list:
        for art in manifest():
            print(f"{art.name:28s} {art.kind:6s} section {art.section:5s} {art.caption}")
        return 0
    start = time.perf_counter()
    result = build_flagship(args.out, small=args.small or None, only=args.only, log=print)
    print(f"{len(result.files)} files in {result.out_dir} ({time.perf_counter() - start:.1f} s)")
    return 0


def _summary(args: argparse.Namespace) -> int:
    from ..models import crisis_governance as cg

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
    from ..studies.grids import sample_states
    from ..studies.sweeps import sweep

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
    from ..studies.regimes import regime_map

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
        from ..figures import save_figure

        ax = result.plot()
        lines += [f"wrote {p}" for p in save_figure(ax.figure, Path(args.out), "regime_map", ("png",))]
    print(result.summary(), *lines, sep="\n")
    return 0


def _basins(args: argparse.Namespace) -> int:
    import itertools

    import pandas as pd
    import xarray as xr

    from ..studies.basins import basins

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
