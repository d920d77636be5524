"""``gt.analyze`` per game size (issue 15): the shortcuts against the previous algorithm, same run.

Usage::

    python benchmarks/bench_analyze.py            # 3 runs per game and method
    python benchmarks/bench_analyze.py --quick    # 1 run

Games: the flagship (crisis governance, 2x2x2, STATUS_QUO), and seeded random integer games from
tests/analysis_games.py: 3x3 (two populations), 3x3x3, 2x2x2x2, 2x2x2x2x2, and a one-population
4-strategy matrix game.  Each run builds the game afresh (so the replicator derivation is included)
and empties the rest-point cache.  "new" is :func:`gametheory.analyze` as it is; "before" the same
call inside ``gametheory.analysis.shortcuts._without_shortcuts()``: every face solved by Groebner bases
(no pruning of faces with a dominated strategy, no linear solve) and full 60-digit eigenvalue problems,
i.e. the algorithm of commit c44c4e5.  Printed: median wall time and median CPU time (the machine is
shared: CPU time is the steadier figure) of each, and the ratio before/new; and the load average.
Last line: a sweep of a parametric 3x3x3 game over five parameter values (CPU time, one run).
The results of both are compared (kinds, ESS, points) and any difference is printed.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import statistics
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "tests"))

import numpy as np  # noqa: E402
from analysis_games import random_game, symmetric_game  # noqa: E402

import gametheory as gt  # noqa: E402
from gametheory.analysis import equilibria  # noqa: E402
from gametheory.analysis.shortcuts import _without_shortcuts  # noqa: E402
from gametheory.models import crisis_governance as cg  # noqa: E402

GAMES = {
    "2x2x2 flagship": (lambda: cg.game(), cg.STATUS_QUO),
    "3x3 (seed 3)": (lambda: random_game((3, 3), 3), None),
    "3x3x3 (seed 6)": (lambda: random_game((3, 3, 3), 6), None),
    "3x3x3 (seed 7)": (lambda: random_game((3, 3, 3), 7), None),
    "2x2x2x2 (seed 9)": (lambda: random_game((2, 2, 2, 2), 9), None),
    "2x2x2x2x2 (seed 11)": (lambda: random_game((2, 2, 2, 2, 2), 11), None),
    "2x2x2x2x2 (seed 12)": (lambda: random_game((2, 2, 2, 2, 2), 12), None),
    "one population, 4 strategies": (lambda: symmetric_game(4, 13), None),
}


def timed(make, params):
    equilibria._CACHE.clear()
    game = make()
    w, c = time.perf_counter(), time.process_time()
    report = gt.analyze(game, params)
    return time.perf_counter() - w, time.process_time() - c, report


def signature(report):
    return [
        (e.support, e.kind, e.is_ess, e.is_nash, np.round(e.point, 9).tolist()) for e in report.equilibria
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    runs = 1 if args.quick else 3
    for _ in range(2):  # warm-up: imports, first compilations
        timed(lambda: random_game((2, 2), 99), None)
        with _without_shortcuts():
            timed(lambda: random_game((2, 2), 99), None)
    print(f"load average before: {os.getloadavg()[0]:.2f} (cores: {os.cpu_count()})")
    print(
        f"{'game':32s} {'new wall':>9s} {'new cpu':>9s} {'before wall':>12s} {'before cpu':>11s} {'ratio (cpu)':>12s}"
    )
    for name, (make, params) in GAMES.items():
        new, old = [], []
        for _ in range(runs):  # interleaved, so that load changes hit both
            *t, rep_new = timed(make, params)
            new.append(t)
            with _without_shortcuts():
                *t, rep_old = timed(make, params)
            old.append(t)
        nw, nc = (statistics.median(v) for v in zip(*new))
        ow, oc = (statistics.median(v) for v in zip(*old))
        same = signature(rep_new) == signature(rep_old)
        print(
            f"{name:32s} {nw:8.3f}s {nc:8.3f}s {ow:11.3f}s {oc:10.3f}s {oc / nc:11.2f}x"
            + ("" if same else "   RESULTS DIFFER")
        )
    # a sweep: one game (built once), several parameter values; what does not depend on them is reused
    values = [{"a": a, "b": -1.25} for a in (0.1, 0.3, 0.7, 1.3, 2.9)]
    cpu = {}
    for label, context in (("new", None), ("before", _without_shortcuts)):
        equilibria._CACHE.clear()
        fresh = random_game((3, 3, 3), 8, parametric=True)
        c = time.process_time()
        if context is None:
            for v in values:
                gt.analyze(fresh, v)
        else:
            with context():
                for v in values:
                    gt.analyze(fresh, v)
        cpu[label] = time.process_time() - c
    print(
        f"{'sweep 3x3x3 parametric, 5 values':32s} {'':9s} {cpu['new']:8.3f}s {'':11s}  "
        f"{cpu['before']:10.3f}s {cpu['before'] / cpu['new']:11.2f}x"
    )
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
