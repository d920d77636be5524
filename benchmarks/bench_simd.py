"""Ensemble throughput against a hand-written SIMD C reference (issue 15): fraction of the hardware limit.

Usage::

    python benchmarks/bench_simd.py                  # 10,000 starts, 7 timing rounds, 2 threads
    python benchmarks/bench_simd.py --threads 1      # one thread each (steadier on a shared machine)
    python benchmarks/bench_simd.py --n 2000 --repeats 1

Three problems, each a 3-population x 2-strategy ("cube") replicator game: the
flagship (crisis governance) at ``STATUS_QUO`` and at ``OPTIMIZED``, and a seeded
random cube game.  Setting: ``--n`` starts (seeded uniform in the open cube),
t in [0, 50], rtol 1e-8, atol 1e-10.  For each problem it times, in the same run:

(a) the usual approach: sympy ``lambdify`` + one :func:`scipy.integrate.solve_ivp`
    (RK45) per trajectory, on ``--subset`` starts, rate extrapolated per trajectory;
(b) the C reference ``benchmarks/c/dp45_lanes.c``: Dormand-Prince 5(4) (scipy's
    RK45 step control, per trajectory) on the package's log-ratio chart
    :math:`\\dot u_i = \\Delta_i(x(u))`, :math:`x_i = 1/(1 + e^{-u_i})`, 16 trajectories
    in SIMD lanes per OpenMP thread, finished lanes refilled from a shared queue;
    compiled here with gcc (``-O3 -march=native``, and ``-ffast-math`` when its
    endpoint error stays within 1e-6), loaded with ctypes; skipped with a note
    when gcc is missing.  The game reaches the C code as numbers: the
    coefficients of the multilinear payoff differences :math:`\\Delta_i(x)`
    (``dyn.payoff_differences`` at the parameters);
(c) :func:`gametheory.simulate_many` with the numba backend (RK45 and DOP853; SIMD
    lanes, :mod:`gametheory.numerics.kernel_lanes`) and the numpy backend (DOP853), and,
    as the "before" of issue 15, the per-trajectory numba solver
    (``integrate_numba(..., lanes=False)``).

Endpoint errors are the largest deviation, over the first ``--subset`` starts, from
DOP853 at rtol 1e-12, atol 1e-14 on the replicator equation in shares.  The last
column is each method's rate as a fraction of (b)'s: the methods run in ``--repeats``
rounds, each once per round (numpy: once), so that load from other processes hits
all alike; rates are medians over the rounds, fractions the medians of the
per-round time ratios (numba and C use the same number of threads).
"""

from __future__ import annotations

import argparse
import ctypes
import itertools
import os
import platform
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import sympy
from scipy.integrate import solve_ivp

import gametheory as gt
from gametheory.models import crisis_governance
from gametheory.numerics import kernel_numba
from gametheory.numerics.system import EnsembleSystem

T_SPAN = (0.0, 50.0)
RTOL, ATOL = 1e-8, 1e-10
C_SOURCE = Path(__file__).parent / "c" / "dp45_lanes.c"
# threads that wait sleep, as numba's: spinning OpenMP threads would slow the reference on a shared machine
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
C_FLAGS = {"strict": ["-O3", "-march=native"], "fast-math": ["-O3", "-march=native", "-ffast-math"]}


def random_cube_game(seed: int = 15) -> gt.Game:
    """A 2x2x2 game with payoffs drawn uniformly from [-1, 1] (seeded)."""
    rng = np.random.default_rng(seed)
    pops = {"A": ["a1", "a2"], "B": ["b1", "b2"], "C": ["c1", "c2"]}
    table = {
        profile: tuple(round(float(v), 3) for v in rng.uniform(-1, 1, 3))
        for profile in itertools.product(*pops.values())
    }
    return gt.Game.from_table(pops, table, name="random cube")


def multilinear_coefficients(dyn, params) -> np.ndarray:
    """Coefficients (3, 8) of Delta_i = c0 + c1 x0 + c2 x1 + c3 x2 + c4 x0x1 + c5 x0x2 + c6 x1x2 + c7 x0x1x2."""
    values = {p.symbol: params.get(p.name, p.default) if params else p.default for p in dyn.game.parameters}
    x0, x1, x2 = dyn.states
    monomials = [1, x0, x1, x2, x0 * x1, x0 * x2, x1 * x2, x0 * x1 * x2]
    out = np.zeros((3, 8))
    for i, delta in enumerate(dyn.payoff_differences):
        poly = sympy.Poly(sympy.expand(sympy.sympify(delta).xreplace(values)), x0, x1, x2)
        for (e0, e1, e2), coeff in poly.terms():
            if max(e0, e1, e2) > 1:
                raise ValueError(f"payoff difference {i} is not multilinear: {delta}")
            out[i, monomials.index(x0**e0 * x1**e1 * x2**e2)] = float(coeff)
    return out


def build_c(variant: str, directory: str):
    """Compile the C reference (one variant of flags); None when gcc is missing."""
    gcc = shutil.which("gcc")
    if gcc is None:
        return None
    lib = Path(directory) / f"dp45_{variant.replace('-', '_')}.so"
    cmd = [gcc, *C_FLAGS[variant], "-fopenmp", "-fPIC", "-shared", str(C_SOURCE), "-o", str(lib), "-lm"]
    subprocess.run(cmd, check=True, capture_output=True)
    so = ctypes.CDLL(str(lib))
    so.dp45_ensemble.restype = ctypes.c_int
    p = ctypes.c_void_p
    so.dp45_ensemble.argtypes = [ctypes.c_int64, p, p, ctypes.c_double, ctypes.c_double, ctypes.c_double,
                                 ctypes.c_double, ctypes.c_int64, p, p, p, ctypes.c_int]  # fmt: skip
    return so


def run_c(so, starts: np.ndarray, coeffs: np.ndarray, threads: int) -> tuple[np.ndarray, np.ndarray]:
    n = starts.shape[0]
    U0 = np.ascontiguousarray(np.log(starts) - np.log1p(-starts))
    c = np.ascontiguousarray(coeffs)
    X = np.empty((n, 3))
    status = np.zeros(n, dtype=np.int32)
    steps = np.zeros(n, dtype=np.int64)
    so.dp45_ensemble(n, U0.ctypes.data, c.ctypes.data, T_SPAN[0], T_SPAN[1], RTOL, ATOL, 50_000,
                     X.ctypes.data, status.ctypes.data, steps.ctypes.data, threads)  # fmt: skip
    return X, status


def usual_approach(dyn, params, starts):
    """sympy lambdify + one solve_ivp (RK45) per trajectory, as papers' code does."""
    values = {p.symbol: params.get(p.name, p.default) if params else p.default for p in dyn.game.parameters}
    f = sympy.lambdify(dyn.states, [e.xreplace(values) for e in dyn.equations], "numpy")
    return np.array(
        [solve_ivp(lambda t, x: f(*x), T_SPAN, x0, rtol=RTOL, atol=ATOL).y[:, -1] for x0 in starts]
    )


def reference(dyn, params, starts):
    """DOP853 at rtol 1e-12, atol 1e-14 on the replicator equation in shares."""
    rhs = dyn.compiled("rhs")
    p = dyn.parameter_vector(params)[:, None]

    def one(x0):
        sol = solve_ivp(
            lambda t, x: rhs(x[:, None], p)[:, 0], T_SPAN, x0, method="DOP853", rtol=1e-12, atol=1e-14
        )
        return sol.y[:, -1]

    return np.array([one(x0) for x0 in starts])


def problem(name, dyn, params, args, libs, threads) -> None:
    """Time every method on one problem in ``--repeats`` interleaved rounds; print the table."""
    rng = np.random.default_rng(2026)
    starts = rng.uniform(0.0, 1.0, (args.n, 3))
    sub = starts[: args.subset]
    ref = reference(dyn, params, sub)
    start = time.perf_counter()
    usual = usual_approach(dyn, params, sub)
    usual_rate = len(sub) / (time.perf_counter() - start)
    methods = {}  # label -> (function returning final shares (N, 3), note)
    if libs:
        coeffs = multilinear_coefficients(dyn, params)
        for variant, so in libs.items():
            methods[f"(b) C DP5(4) SIMD lanes, {variant}"] = (
                lambda so=so: run_c(so, starts, coeffs, threads)[0],
                "",
            )
    for backend, method in (("numba", "RK45"), ("numba", "DOP853"), ("numpy", "DOP853")):
        if backend == "numba" and not kernel_numba.numba_available():
            continue

        def run(backend=backend, method=method):
            return dyn.simulate_many(starts, T_SPAN, params, rtol=RTOL, atol=ATOL, backend=backend, method=method,
                                     threads=threads if backend == "numba" else None).final  # fmt: skip

        methods[f"(c) simulate_many {backend} {method}"] = (run, "SIMD lanes" if backend == "numba" else "")
    if kernel_numba.numba_available():  # before the lanes: the per-trajectory numba solver, same run
        system = EnsembleSystem.from_dynamics(dyn, "numba")
        P = dyn.parameter_vector(params)
        for method in ("RK45", "DOP853"):

            def before(method=method):
                return kernel_numba.integrate_numba(system, starts, P, *T_SPAN, None, RTOL, ATOL, "log-ratio",
                                                    50_000, method, threads, lanes=False).final  # fmt: skip

            methods[f"(c) before: per-trajectory numba {method}"] = (before, "integrate_numba(lanes=False)")
    finals = {label: fn() for label, (fn, _) in methods.items()}  # builds or loads the kernels; endpoints
    errors = {label: np.abs(final[: args.subset] - ref).max() for label, final in finals.items()}
    # the reference: the fastest C variant whose endpoints hold 1e-6 (chosen by the first round's times)
    times = {label: [] for label in methods}
    for _ in range(args.repeats):  # rounds: each method once per round, so load spikes hit all alike
        for label, (fn, _) in methods.items():
            if "numpy" in label and times[label]:
                continue  # slow and not compared: one run
            begin = time.perf_counter()
            fn()
            times[label].append(time.perf_counter() - begin)
    c_labels = [label for label in methods if label.startswith("(b)") and errors[label] <= 1e-6]
    c_best = min(c_labels, key=lambda label: np.median(times[label])) if c_labels else None
    print(
        f"\n### {name}: {args.n:,} starts, t in {T_SPAN}, rtol {RTOL:g}, atol {ATOL:g}, {threads} thread(s)\n"
    )
    print(f"| method | trajectories/s | max endpoint error (first {args.subset}) | fraction of (b) | note |")
    print("|---|---:|---:|---:|---|")
    print(f"| (a) lambdify + solve_ivp RK45 | {usual_rate:,.0f} | {np.abs(usual - ref).max():.1e} | "
          f"{'n/a' if c_best is None else f'{usual_rate * np.median(times[c_best]) / args.n:.4f}'} | "
          f"timed on {len(sub)}, extrapolated |")  # fmt: skip
    for label, (_, note) in methods.items():
        rate = args.n / np.median(times[label])
        fraction = "n/a"
        if c_best is not None:  # median over rounds of the time ratio within a round
            k = len(times[label])
            fraction = f"{np.median(np.array(times[c_best][:k]) / np.array(times[label])):.2f}"
        print(f"| {label} | {rate:,.0f} | {errors[label]:.1e} | {fraction} | {note} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=10_000, help="starts per problem")
    parser.add_argument("--subset", type=int, default=100, help="starts for (a) and the endpoint errors")
    parser.add_argument("--repeats", type=int, default=7, help="interleaved timing rounds (medians)")
    parser.add_argument(
        "--threads", type=int, default=None, help="threads of (b) and numba (default: numba's)"
    )
    args = parser.parse_args()
    threads = args.threads or (kernel_numba._default_threads() if kernel_numba.numba_available() else 1)
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, numpy {np.__version__}, gametheory "
        f"{gt.__version__}; load average at start {', '.join(f'{x:.1f}' for x in os.getloadavg())}"
    )
    with tempfile.TemporaryDirectory() as directory:
        libs = {}
        if shutil.which("gcc") is None:
            print("note: no gcc on PATH: the C reference (b) is skipped, no fractions")
        else:
            libs = {variant: build_c(variant, directory) for variant in C_FLAGS}
        dyn = crisis_governance.game().replicator()
        problem("flagship STATUS_QUO", dyn, crisis_governance.STATUS_QUO, args, libs, threads)
        problem("flagship OPTIMIZED", dyn, crisis_governance.OPTIMIZED, args, libs, threads)
        problem("random cube game (seed 15)", random_cube_game().replicator(), {}, args, libs, threads)
    print(f"\nload average at end {', '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
