"""HTML report benchmark (issue 14): time and size of :func:`gametheory.report` per section.

Usage::

    python benchmarks/bench_report.py            # flagship (STATUS_QUO) and both reference cases
    python benchmarks/bench_report.py --quick    # the flagship only

For each model: the seconds of every section (as the report records them), the total, the
page's size in MB, and the ratio of the total to a baseline measured in the same run: one
:func:`gametheory.analyze` plus one :func:`gametheory.attractors` of 64 starts, the two
computations every report makes.  Default sizes (4 starts, 64 attractor starts, 2 sensitivity
parameters, a 15 x 15 regime map with 8 starts per cell).
"""

from __future__ import annotations

import argparse
import platform
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import gametheory as gt  # noqa: E402
from gametheory.models import crisis_governance as cg  # noqa: E402

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the flagship only")
    args = parser.parse_args()
    models = [("flagship STATUS_QUO", cg.game(), dict(cg.STATUS_QUO))]
    if not args.quick:
        for name in ("jordan1993_matching_pennies", "wang2023_s1_to_000"):
            models.append((name, gt.load_game(DATA / f"{name}.json"), None))
    print(f"python {platform.python_version()} on {platform.machine()}")
    for name, game, params in models:
        begin = time.perf_counter()
        gt.analyze(game, params)
        gt.attractors(game, params, n=64, seed=0)
        base = time.perf_counter() - begin
        begin = time.perf_counter()
        rep = gt.report(game, params, progress=False)
        total = time.perf_counter() - begin
        size = len(rep.html.encode()) / 1e6
        print(f"\n{name}: {total:.2f} s, {size:.2f} MB; baseline (analyze + attractors) {base:.2f} s, "
              f"ratio {total / base:.1f}")  # fmt: skip
        for k, s in enumerate(rep.sections, 1):
            print(f"  {k:2d}. {s.title:28s} {s.seconds:6.2f} s")


if __name__ == "__main__":
    main()
