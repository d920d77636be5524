"""Command line: ``python -m gametheory COMMAND``.

Commands
--------
``summary``
    The flagship crisis-governance model: its replicator equations and where
    the STATUS_QUO and OPTIMIZED calibrations end from the centre of the cube.
``figures [--out DIR]``
    Rebuild the flagship model's paper figures and tables into ``DIR``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

__all__ = ["main"]


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


def _figures(args: argparse.Namespace) -> int:
    return _summary(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m gametheory",
        description="Multi-population evolutionary games: analysis and figures.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("summary", help="equations and end states of the flagship model")
    p.set_defaults(func=_summary)
    p = sub.add_parser("figures", help="rebuild the flagship model's figures and tables")
    p.add_argument("--out", default="paper_figures/output", help="output folder (default: %(default)s)")
    p.set_defaults(func=_figures)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from .errors import GameError

    try:
        return int(args.func(args))
    except GameError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
