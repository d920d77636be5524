"""Finite-population benchmark (issue 12): simulated runs per second, exact chains' time and memory.

Usage::

    python benchmarks/bench_finite.py            # full
    python benchmarks/bench_finite.py --quick    # fewer runs

Simulation, same process and same run for every method (start, horizon, events):

- a 2x2 game: hawk-dove (V = 2, C = 3), one population of Z = 100, pairwise comparison
  (Fermi) process, beta = 1, from 50 hawks, horizon t = 20 (2,000 events);
- the flagship (crisis governance, 3 populations x 2 strategies, OPTIMIZED), Z = 50 each,
  Fermi, beta = 1, mu = 0.01, from 25/25 in each population, horizon t = 20 (3,000 events).

Methods: :meth:`gametheory.FiniteProcess.simulate` with the numba backend (compiled before
timing; the compile time is printed) and the numpy backend (vectorised over runs), both
including the table of move probabilities built on each call (its time is also printed
alone); and a plain Python loop written here, event by event: choose the population,
compute the payoffs and the transition probabilities from the formulas, draw with
:mod:`random`.  Printed: runs/s and the ratios to the plain loop.

Exact: :meth:`~gametheory.FiniteProcess.stationary_distribution` ``("small")`` of the
flagship at Z = 50, and full chains with mutation at the largest sizes within
:data:`gametheory.limits.MAX_CHAIN_STATES` (flagship Z = 20: 9,261 compositions;
rock-paper-scissors Z = 139: 9,870): time and peak memory (tracemalloc: allocated by
Python code; the process's peak RSS before and after, which includes SuperLU).
"""

from __future__ import annotations

import argparse
import math
import platform
import random
import resource
import time
import tracemalloc

import numpy as np

import gametheory as gt
from gametheory.finite.simulate import rate_table
from gametheory.models import classic
from gametheory.models import crisis_governance as cg


def plain_python_runs(payoff, sizes, ks, beta, mu, x0, n_events, n_runs, seed):
    """The Fermi process event by event in plain Python (payoff(i, counts) -> list of payoffs)."""
    rng = random.Random(seed)
    n_pop = len(sizes)
    finals = []
    for _ in range(n_runs):
        counts = [list(block) for block in x0]
        for _ in range(n_events):
            i = int(rng.random() * n_pop)  # the event's population, probability 1/N
            z, k, n = sizes[i], ks[i], counts[i]
            pi = payoff(i, counts)
            u, acc, move = rng.random(), 0.0, None
            for a in range(k):
                for b in range(k):
                    if a == b:
                        continue
                    adopt = 1.0 / (1.0 + math.exp(-beta * (pi[b] - pi[a])))
                    acc += n[a] / z * ((1 - mu) * n[b] / (z - 1) * adopt + mu / (k - 1))
                    if move is None and u < acc:
                        move = (a, b)
            if move is not None:
                n[move[0]] -= 1
                n[move[1]] += 1
        finals.append(counts)
    return finals


def hawk_dove_payoff(z):
    a = [[-0.5, 2.0], [0.0, 1.0]]

    def payoff(_i, counts):
        n = counts[0]
        return [(sum(a[s][t] * n[t] for t in range(2)) - a[s][s]) / (z - 1) for s in range(2)]

    return payoff


def flagship_payoff(process):
    game, sizes = process.game, process.sizes
    model = process.payoff_model
    tables = [np.asarray(model._arrays[i]).tolist() for i in range(3)]  # numeric payoff arrays

    def payoff(i, counts):
        x = [[c / z for c in block] for block, z in zip(counts, sizes)]
        out = []
        for s in range(2):
            total = 0.0
            for p in range(2):
                for q in range(2):
                    prof = [p, q]
                    prof.insert(i, s)
                    others = [l for l in range(3) if l != i]
                    total += tables[i][prof[0]][prof[1]][prof[2]] * x[others[0]][p] * x[others[1]][q]
            out.append(total)
        return out

    assert game.strategy_counts == (2, 2, 2)
    return payoff


def rate(seconds, runs):
    return runs / seconds


def bench_case(name, process, x0, t_max, payoff, n_runs, n_plain):
    sizes, ks = process.sizes, process.game.strategy_counts
    n_events = int(t_max * sum(sizes))
    print(f"\n{name}: {process!r}, {n_events:,} events per run")
    t0 = time.perf_counter()
    rate_table(process)
    print(f"  move-probability table alone: {time.perf_counter() - t0:.3f} s")
    t0 = time.perf_counter()
    process.simulate(x0, t_max, n_runs=2, seed=0, backend="numba", record=False)
    print(f"  numba first call (compile + table): {time.perf_counter() - t0:.2f} s")
    results, means = {}, {}
    for backend, runs in (("numba", n_runs), ("numpy", n_runs // 4)):
        t0 = time.perf_counter()
        sim = process.simulate(x0, t_max, n_runs=runs, seed=1, backend=backend, record=False)
        results[backend] = rate(time.perf_counter() - t0, runs)
        first = sim.final[:, 0] / sizes[0]
        means[backend] = (first.mean(), first.std() / np.sqrt(runs))
    blocks, off = [], 0
    for k in ks:
        blocks.append(list(x0[off : off + k]))
        off += k
    t0 = time.perf_counter()
    finals = plain_python_runs(payoff, sizes, ks, process.intensity, process.mu, blocks, n_events, n_plain, 1)
    results["plain Python"] = rate(time.perf_counter() - t0, n_plain)
    first = np.array([f[0][0] / sizes[0] for f in finals])
    means["plain Python"] = (first.mean(), first.std() / np.sqrt(n_plain))
    for key, value in results.items():
        m, se = means[key]
        print(
            f"  {key:13s} {value:12,.1f} runs/s   x{value / results['plain Python']:8,.1f} the plain loop"
            f"   (final share of {process.coordinates[0][1]}: {m:.4f} +- {se:.4f})"
        )
    return results


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    scale = 1 if args.quick else 4
    print(
        f"Python {platform.python_version()}, numpy {np.__version__}, {platform.processor() or platform.machine()}"
    )
    hd = gt.pairwise_comparison(classic.hawk_dove(), 100, beta=1.0)
    bench_case("2x2 game, Z = 100", hd, [50, 50], 20.0, hawk_dove_payoff(100), 5_000 * scale, 10 * scale)
    flag = gt.pairwise_comparison(cg.game(), [50, 50, 50], beta=1.0, mu=0.01, params=cg.OPTIMIZED)
    bench_case("flagship, Z = 50 each", flag, [25] * 6, 20.0, flagship_payoff(flag), 2_000 * scale, 3 * scale)

    print("\nExact chains of the flagship (Fermi, beta = 1, OPTIMIZED)")
    small = gt.pairwise_comparison(cg.game(), [50, 50, 50], beta=1.0, params=cg.OPTIMIZED)
    t0 = time.perf_counter()
    sd = small.stationary_distribution("small")
    first = time.perf_counter() - t0
    t0 = time.perf_counter()
    for _ in range(5):
        small.with_intensity(1.0 + 1e-9 * _).stationary_distribution("small")
    again = (time.perf_counter() - t0) / 5
    print(
        f"  small-mutation stationary distribution, Z = 50: first call {first:.3f} s, new process {again:.3f} s"
    )
    print(f"    most likely: {sd.top(2)}")
    full = gt.pairwise_comparison(cg.game(), [20, 20, 20], beta=1.0, params=cg.OPTIMIZED)
    rps = gt.pairwise_comparison(classic.rock_paper_scissors(), 139, beta=1.0)
    for label, process in (("flagship, Z = 20", full), ("rock-paper-scissors, Z = 139", rps)):
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        tracemalloc.start()
        t0 = time.perf_counter()
        process.stationary_distribution(0.01)
        seconds = time.perf_counter() - t0
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"  full chain, {label} ({process.n_states:,} compositions, at MAX_CHAIN_STATES = 10,000), "
            f"mu = 0.01: {seconds:.2f} s, peak allocated (Python) {peak / 2**20:.0f} MiB, process peak RSS "
            f"{before:.0f} -> {after:.0f} MiB"
        )


if __name__ == "__main__":
    main()
