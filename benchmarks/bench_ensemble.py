"""Ensemble integration benchmark (issue 4): trajectories per second and accuracy, one run, one machine.

Usage::

    python benchmarks/bench_ensemble.py                 # full table + 1,000,000-trajectory basins
    python benchmarks/bench_ensemble.py --quick         # N = 1,000 only, 100,000-trajectory basins

For the flagship model (crisis governance, 3 populations x 2 strategies),
t in [0, 50], rtol 1e-8, atol 1e-10, random interior starts (seeded), it
times, for N = 1,000 and 10,000 trajectories:

- the usual approach: sympy ``lambdify`` of the replicator equations (parameters
  substituted) and one :func:`scipy.integrate.solve_ivp` call (RK45) per trajectory;
- :func:`gametheory.simulate` one trajectory at a time (DOP853, log-ratio coordinates);
- :func:`gametheory.simulate_many` with the numpy backend, methods DOP853 (default) and RK45;
- :func:`gametheory.simulate_many` with the numba backend, DOP853 and RK45 (compiled or
  loaded from the kernel cache before timing; the cold compile time, measured in a
  separate process without the cache, is printed separately).

The two one-at-a-time methods run on a subset of ``--subset`` trajectories; their
rate per trajectory is extrapolated to N (the output says so).  Each method's
endpoints on the first ``--subset`` starts are compared with a tight reference:
DOP853 at rtol 1e-12, atol 1e-14 on the replicator equation in shares.

Then a basins-of-attraction estimate with ``--basins-n`` trajectories (t in [0, 200])
runs streamed in chunks, and its time and peak memory are printed (tracemalloc:
memory allocated by the computation; RSS: the whole process, numba's compiler included).
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import subprocess
import sys
import time
import tracemalloc

import numpy as np
import sympy
from scipy.integrate import solve_ivp

import gametheory as gt
from gametheory.models import crisis_governance
from gametheory.numerics import kernel_numba

T_SPAN = (0.0, 50.0)
COLD_COMPILE = """
import time, numpy as np
from gametheory.models import crisis_governance
dyn = crisis_governance.game().replicator()
start = time.perf_counter()
dyn.simulate_many(np.full((4, 3), 0.5), (0, 50), backend="numba")
print(time.perf_counter() - start)
"""
RTOL, ATOL = 1e-8, 1e-10


def usual_approach(dyn, params, starts):
    """sympy lambdify + one solve_ivp per trajectory, as papers' code does."""
    values = {p.symbol: params.get(p.name, p.default) for p in dyn.game.parameters}
    equations = [e.xreplace(values) for e in dyn.equations]
    f = sympy.lambdify(dyn.states, equations, "numpy")
    out = np.empty_like(starts)
    for k, x0 in enumerate(starts):
        sol = solve_ivp(lambda t, x: f(*x), T_SPAN, x0, rtol=RTOL, atol=ATOL)
        out[k] = sol.y[:, -1]
    return out


def reference(dyn, params, starts):
    """DOP853 at rtol 1e-12 on the replicator equation in shares (compiled right-hand side)."""
    rhs = dyn.compiled("rhs")
    p = dyn.parameter_vector(params)[:, None]
    out = np.empty_like(starts)
    for k, x0 in enumerate(starts):
        sol = solve_ivp(
            lambda t, x: rhs(x[:, None], p)[:, 0], T_SPAN, x0, method="DOP853", rtol=1e-12, atol=1e-14
        )
        out[k] = sol.y[:, -1]
    return out


def ensemble(dyn, starts, params, backend, method):
    return dyn.simulate_many(starts, T_SPAN, params, rtol=RTOL, atol=ATOL, backend=backend, method=method)


def timed(fn, *args):
    start = time.perf_counter()
    result = fn(*args)
    return result, time.perf_counter() - start


def table(dyn, name, params, sizes, subset, numba_ok):
    rng = np.random.default_rng(2024)
    starts_all = rng.uniform(0.0, 1.0, (max(sizes), 3))
    ref = reference(dyn, params, starts_all[:subset])
    print(f"\n### {name}: t in {T_SPAN}, rtol {RTOL:g}, atol {ATOL:g}\n")
    print(f"| N | method | trajectories/s | ratio to usual | max endpoint error (first {subset}) | note |")
    print("|---:|---|---:|---:|---:|---|")
    for n in sizes:
        starts = starts_all[:n]
        rows = []
        sub = starts[:subset]
        usual_final, dt = timed(usual_approach, dyn, params, sub)
        usual_rate = len(sub) / dt
        rows.append(
            (
                "usual (lambdify + solve_ivp RK45)",
                usual_rate,
                usual_final,
                f"timed on {len(sub)}, extrapolated",
            )
        )

        def one_by_one(xs):
            return np.array([gt.simulate(dyn, x0, T_SPAN, params, rtol=RTOL, atol=ATOL).final for x0 in xs])

        sim_final, dt = timed(one_by_one, sub)
        rows.append(
            ("gt.simulate (one at a time)", len(sub) / dt, sim_final, f"timed on {len(sub)}, extrapolated")
        )
        for backend in ("numpy", "numba") if numba_ok else ("numpy",):
            for method in ("DOP853", "RK45"):
                ens, dt = timed(ensemble, dyn, starts, params, backend, method)
                threads = f", {kernel_numba._default_threads()} threads" if backend == "numba" else ""
                label = f"simulate_many {backend} {method}{threads}"
                steps = f"all {n}; steps mean {ens.n_steps.mean():.0f}, max {ens.n_steps.max()}"
                rows.append((label, n / dt, ens.final[:subset], steps))
        for label, rate, final, note in rows:
            error = np.abs(final - ref[: len(final)]).max()
            print(f"| {n:,} | {label} | {rate:,.0f} | {rate / usual_rate:,.1f}x | {error:.1e} | {note} |")


def basins_run(dyn, n, backend):
    tracemalloc.start()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    res = gt.basins(dyn, crisis_governance.STATUS_QUO, n, backend=backend, progress=False)
    dt = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        f"\nbasins, {res.n:,} trajectories (STATUS_QUO, t in [0, 200], {res.chunks.n_chunks} chunks, backend "
        f"{backend}): {dt:.1f} s ({res.n / dt:,.0f} trajectories/s); peak memory allocated (tracemalloc) "
        f"{peak / 2**20:.1f} MiB; process peak RSS {rss_after / 1024:.0f} MiB (before the run "
        f"{rss_before / 1024:.0f} MiB)"
    )
    print(f"  result: {res!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="N = 1,000 only and a 100,000-trajectory basins run"
    )
    parser.add_argument("--subset", type=int, default=200, help="trajectories timed for the slow methods")
    parser.add_argument("--basins-n", type=int, default=None)
    parser.add_argument("--calibration", choices=["STATUS_QUO", "OPTIMIZED", "both"], default="both")
    args = parser.parse_args()
    sizes = (1000,) if args.quick else (1000, 10_000)
    basins_n = args.basins_n or (100_000 if args.quick else 1_000_000)
    dyn = crisis_governance.game().replicator()
    numba_ok = kernel_numba.numba_available()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"numpy {np.__version__}, gametheory {gt.__version__}; load average at start "
        f"{', '.join(f'{x:.1f}' for x in os.getloadavg())} (other processes share these CPUs)"
    )
    if numba_ok:
        cold = subprocess.run(
            [sys.executable, "-c", COLD_COMPILE], env=os.environ | {"GAMETHEORY_KERNEL_CACHE": "off"},
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        start = time.perf_counter()
        for method in ("DOP853", "RK45"):  # one kernel per method: build or load both before timing
            dyn.simulate_many(np.full((4, 3), 0.5), T_SPAN, backend="numba", method=method)
        print(
            f"numba kernel (DOP853): cold compile {float(cold.stdout):.1f} s (once per model and method; separate "
            f"process, no cache); this process built or loaded both kernels in {time.perf_counter() - start:.1f} s"
        )
    calibrations = ["STATUS_QUO", "OPTIMIZED"] if args.calibration == "both" else [args.calibration]
    for name in calibrations:
        table(dyn, name, getattr(crisis_governance, name), sizes, args.subset, numba_ok)
    basins_run(dyn, basins_n, "numba" if numba_ok else "numpy")
    print(f"load average at end {', '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
