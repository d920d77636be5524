"""The argument parser of ``python -m gametheory``."""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from typing import Any

from .commands import _analyze, _basins, _figures, _regime, _report, _summary, _sweep
from .values import BUILTIN_MODELS, CSV_MAX_ROWS, DEFAULT_STARTS, DEFAULT_T_END


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
        "report",
        help="one self-contained HTML report of a model",
        description=(
            "Write one offline HTML file about MODEL: payoffs, parameters, equations (MathML), rest points "
            "and stability, ESS conditions, attractors, time series, phase portrait, sensitivity, regime map."
        ),
    )
    _model_options(p)
    p.add_argument("--out", default="report.html", help="the HTML file to write (default: %(default)s)")
    p.add_argument(
        "--progress", action=argparse.BooleanOptionalAction, default=None,
        help="one line per section on standard error (default: when it is a terminal)",
    )  # fmt: skip
    p.set_defaults(func=_report)
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
