"""Command line: ``python -m gametheory COMMAND`` (also installed as ``gametheory``).

Commands
--------
``analyze MODEL [--params NAME=VALUE ...] [--preset NAME] [--figures DIR] [--latex]``
    Read a model (a TOML or JSON model file, or the name of a built-in model),
    print its replicator equations, the stability table of every rest point
    and the verdict (which states are ESS); ``--figures DIR`` also writes the
    standard figures and tables of that model.
``report MODEL [--out FILE] [--params NAME=VALUE ...] [--preset NAME] [--progress]``
    One self-contained HTML file about the model (:func:`gametheory.report`):
    payoffs, parameters, equations, stability, ESS, attractors and figures.
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

import sys
from collections.abc import Sequence

from ..errors import GameError
from .parser import build_parser
from .values import BUILTIN_MODELS, parse_assignments, parse_grid, parse_grids

__all__ = ["BUILTIN_MODELS", "build_parser", "main", "parse_assignments", "parse_grid", "parse_grids"]


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
