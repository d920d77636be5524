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

Errors of the package (:class:`~gametheory.errors.GameError`: an unreadable
model file, an unknown parameter, ...) print one line ``error: ...`` on
standard error and exit with status 2, as do usage errors.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from .errors import GameError, ParameterError, SpecificationError, suggest

__all__ = ["main", "build_parser", "BUILTIN_MODELS", "parse_assignments"]


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


def parse_assignments(items: Sequence[str]) -> dict[str, float]:
    """``["F_g=8", "S=3.5"]`` -> ``{"F_g": 8.0, "S": 3.5}``.

    Raises
    ------
    ParameterError
        For an item without ``=``, an empty name, a value that is not a finite
        number, or a name given twice.
    """
    out: dict[str, float] = {}
    for item in items:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise ParameterError(f"--params expects NAME=VALUE, got {item!r}")
        try:
            number = float(value)
        except ValueError:
            raise ParameterError(f"--params {name}: value {value.strip()!r} is not a number") from None
        if not math.isfinite(number):
            raise ParameterError(f"--params {name}: value {value.strip()!r} is not finite")
        if name in out:
            raise ParameterError(f"--params gives {name!r} twice")
        out[name] = number
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


def _analyze(args: argparse.Namespace) -> int:
    game, presets = _load_model(args.model)
    dyn = game.replicator()
    params: dict[str, float] = {}
    if args.preset is not None:
        if args.preset not in presets:
            raise ParameterError(
                f"model {args.model!r} has no preset {args.preset!r}{suggest(args.preset, presets)}; "
                f"presets: {sorted(presets) or 'none'}"
            )
        params.update(presets[args.preset])
    params.update(parse_assignments(args.params or []))
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


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``python -m gametheory``."""
    parser = argparse.ArgumentParser(
        prog="python -m gametheory",
        description="Multi-population evolutionary games: exact replicator dynamics, stability, figures.",
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
    p.add_argument(
        "model",
        metavar="MODEL",
        help=f"a model file (.toml or .json) or a built-in model: {', '.join(sorted(BUILTIN_MODELS))}",
    )
    p.add_argument(
        "--params",
        nargs="+",
        action="extend",
        metavar="NAME=VALUE",
        help="parameter values, e.g. --params F_g=8 S=3 (repeatable; applied after --preset)",
    )
    p.add_argument(
        "--preset",
        metavar="NAME",
        help="a calibrated parameter set of a built-in model (crisis_governance: STATUS_QUO, OPTIMIZED)",
    )
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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 success, 2 error)."""
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
