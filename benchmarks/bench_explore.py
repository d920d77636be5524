"""Time per update of :func:`gametheory.explore` on the flagship, against the naive path, in one run.

Usage::

    python benchmarks/bench_explore.py            # 20 slider moves
    python benchmarks/bench_explore.py --moves 60

On the flagship model (crisis governance, 3 populations x 2 strategies,
STATUS_QUO), the F_g slider is moved ``--moves`` times across [0.5, 5.5] (the
ESS set changes at 4.3).  For each move it times:

- the explorer's update (:meth:`gametheory.Explorer.set`), split into analysis
  (:func:`gametheory.analyze` and its table), integration (8 portrait starts and
  the highlighted one, ``simulate_many`` with the numba backend, compiled at
  construction) and drawing (the figure redrawn in place and encoded as PNG);
- the naive path at the same parameters: ``gt.analyze(game, params).to_frame()``
  then ``plot.phase_portrait(game, params)`` from scratch (its own analysis,
  its default 27 starts with the default ``simulate_many`` backend, a new
  figure), saved as PNG and closed.

The table reports medians and the ratio naive / explorer measured in the same run.
Construction (widgets, first analysis, numba warm-up) is reported separately.
"""

from __future__ import annotations

import argparse
import io
import platform
import statistics
import time

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import gametheory as gt  # noqa: E402
from gametheory import plot  # noqa: E402
from gametheory.models import crisis_governance as cg  # noqa: E402


def naive_update(game: gt.Game, params: dict[str, float]) -> float:
    begin = time.perf_counter()
    gt.analyze(game, params).to_frame()
    ax = plot.phase_portrait(game, params)
    buffer = io.BytesIO()
    ax.figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(ax.figure)
    return time.perf_counter() - begin


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=20, help="slider moves timed")
    args = parser.parse_args()
    print(
        f"Python {platform.python_version()}, numpy {np.__version__}, {platform.processor() or platform.machine()}"
    )
    game = cg.game()
    begin = time.perf_counter()
    explorer = gt.explore(game, cg.STATUS_QUO)
    print(f"construction (widgets, first update, numba warm-up): {time.perf_counter() - begin:.2f} s")
    values = np.linspace(0.5, 5.5, args.moves)
    np.random.default_rng(0).shuffle(values)
    naive_update(game, dict(cg.STATUS_QUO))  # warm the naive path's caches too (first analyze, compilation)
    parts: dict[str, list[float]] = {"analysis": [], "integration": [], "drawing": [], "total": []}
    naive = []
    for value in values:
        explorer.set(F_g=float(value))
        for key, seconds in explorer.timings.items():
            parts[key].append(seconds)
        parts["total"].append(explorer.last_update_seconds)
        naive.append(naive_update(game, explorer.params))
    med = {key: statistics.median(v) for key, v in parts.items()}
    naive_median = statistics.median(naive)
    print(f"\nflagship, {args.moves} moves of F_g in [0.5, 5.5]; medians (s)")
    print(f"{'':28s}{'median s':>10s}{'share':>8s}")
    for key in ("analysis", "integration", "drawing"):
        print(f"  explorer {key:18s}{med[key]:10.4f}{med[key] / med['total']:8.0%}")
    print(f"  explorer update (total)    {med['total']:10.4f}")
    print(f"  naive analyze + portrait   {naive_median:10.4f}")
    print(f"  ratio naive / explorer     {naive_median / med['total']:10.1f}x")
    print(f"  explorer slowest update    {max(parts['total']):10.4f}")


if __name__ == "__main__":
    main()
