"""One-trajectory benchmark (issue 15): ``gt.simulate`` compiled (numba) vs solve_ivp, same run.

Usage::

    python benchmarks/bench_simulate.py            # full: 5 rounds
    python benchmarks/bench_simulate.py --quick    # 2 rounds, fewer calls

Per-call time = median over many warm calls (after warm-up), repeated in
``--rounds`` rounds; the table shows the median over rounds (and the spread).
Cases: the flagship (crisis governance, ``STATUS_QUO`` and ``OPTIMIZED``, x0 = (0.3, 0.6, 0.2)) and a
2x2 bimatrix game (matching pennies, two populations, x0 = (0.3, 0.6): a cycle), t in [0, 50], rtol
1e-8, atol 1e-10, with the solver's own steps and with ``t_eval`` (101 points):

- ``gt.simulate`` with ``backend="numba"`` (the default where numba is installed);
- ``gt.simulate`` with ``backend="scipy"`` (solve_ivp, the reference), and the ratio;
- for the 2x2 game, nashpy's ``Game.asymmetric_replicator_dynamics`` (scipy's
  ``odeint``, LSODA, its default tolerances) at the same 101 times, when nashpy is
  installed (and egttools' replicator, if installed); their agreement with a tight
  solution (DOP853, rtol 1e-12) is printed beside (a different tolerance: compare
  with care).

Agreement: the largest difference between the compiled and the solve_ivp results
(states at ``t_eval`` and final states).  Cold costs (first compile of the
integrator, of a model's callback, and the load from the disk cache) are measured in
fresh processes with an empty kernel cache directory.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time

import numpy as np
from scipy.integrate import solve_ivp

import gametheory as gt
from gametheory.models import crisis_governance

T_SPAN = (0.0, 50.0)
RTOL, ATOL = 1e-8, 1e-10
T_EVAL = np.linspace(*T_SPAN, 101)
A = np.array([[1.0, -1.0], [-1.0, 1.0]])  # matching pennies: the row player's payoffs A[row, col]
B = -A  # the column player's payoffs B[row, col]; trajectories cycle around (1/2, 1/2)
X0_2X2 = (0.3, 0.6)  # share of the first strategy of each population

COLD = """
import time, numpy as np
t = time.perf_counter()
import gametheory as gt
from gametheory.models import {module} as m
dyn = m.{factory}.replicator()
t_import = time.perf_counter() - t
t = time.perf_counter()
gt.simulate(dyn, {x0}, (0, 50), backend="numba")
print(t_import, time.perf_counter() - t)
"""


def per_call(fn, calls: int, rounds: int) -> tuple[float, float, float]:
    """Median per-call seconds of ``rounds`` rounds (each the median of ``calls`` calls); min and max."""
    for _ in range(max(3, calls // 10)):
        fn()  # warm-up
    medians = []
    for _ in range(rounds):
        times = np.empty(calls)
        for k in range(calls):
            start = time.perf_counter()
            fn()
            times[k] = time.perf_counter() - start
        medians.append(float(np.median(times)))
    return float(np.median(medians)), min(medians), max(medians)


def game_2x2() -> gt.Game:
    table = {(f"r{a}", f"c{b}"): (float(A[a, b]), float(B[a, b])) for a in range(2) for b in range(2)}
    return gt.Game.from_table({"row": ["r0", "r1"], "col": ["c0", "c1"]}, table, name="2x2 bimatrix")


def tight_2x2() -> np.ndarray:
    """DOP853 at rtol 1e-12 on the textbook two-population replicator, written here: (2, 101)."""

    def rhs(t, s):
        px, py = np.array([s[0], 1 - s[0]]), np.array([s[1], 1 - s[1]])
        f, g = A @ py, B.T @ px
        return [s[0] * (f[0] - px @ f), s[1] * (g[0] - py @ g)]

    return solve_ivp(rhs, T_SPAN, X0_2X2, method="DOP853", rtol=1e-12, atol=1e-14, t_eval=T_EVAL).y


def cold_costs() -> list[str]:
    """First compile and cached load, in fresh processes with an empty kernel cache."""
    lines = []
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([os.getcwd(), env.get("PYTHONPATH", "")])
    with tempfile.TemporaryDirectory() as cache:
        env["GAMETHEORY_KERNEL_CACHE"] = cache
        cases = [
            ("flagship, empty cache (integrator + model)", "crisis_governance", "game()", [0.3, 0.6, 0.2]),
            ("flagship again, from the disk cache", "crisis_governance", "game()", [0.3, 0.6, 0.2]),
            ("another model, integrator cached", "classic", "matching_pennies_3()", [0.2, 0.7, 0.45]),
        ]
        for label, module, factory, x0 in cases:
            code = COLD.format(module=module, factory=factory, x0=x0)
            out = subprocess.run(
                [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
            )
            t_import, t_first = map(float, out.stdout.split())
            lines.append(f"| {label} | {t_first:.3f} s | (import gametheory {t_import:.2f} s) |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--rounds", type=int, default=None)
    args = parser.parse_args()
    rounds = args.rounds or (2 if args.quick else 5)
    fast_calls, slow_calls = (100, 20) if args.quick else (400, 60)

    print(
        f"# gt.simulate, one trajectory: compiled vs solve_ivp ({platform.processor() or platform.machine()})"
    )
    print(f"\n{os.cpu_count()} CPUs; load average before: {', '.join(f'{v:.2f}' for v in os.getloadavg())}")
    print(f"t in {T_SPAN}, rtol {RTOL:g}, atol {ATOL:g}; median per call over {rounds} rounds (min-max)\n")

    flagship = crisis_governance.game().replicator()
    cases = [
        ("flagship (3x2, STATUS_QUO)", flagship, [0.3, 0.6, 0.2], crisis_governance.STATUS_QUO),
        ("flagship (3x2, OPTIMIZED)", flagship, [0.3, 0.6, 0.2], crisis_governance.OPTIMIZED),
        ("2x2 bimatrix", game_2x2().replicator(), list(X0_2X2), None),
    ]
    print("| case | output | numba per call | solve_ivp per call | ratio | max abs difference |")
    print("|---|---|---:|---:|---:|---:|")
    for name, dyn, x0, params in cases:
        for label, te in (("own steps (final)", None), ("t_eval, 101 points", T_EVAL)):

            def run(backend, dyn=dyn, x0=x0, params=params, te=te):
                return gt.simulate(dyn, x0, T_SPAN, params, rtol=RTOL, atol=ATOL, t_eval=te, backend=backend)

            fast, slow = run("numba"), run("scipy")
            assert fast.backend == "numba" and slow.backend == "scipy"
            diff = np.abs(fast.final - slow.final).max() if te is None else np.abs(fast.y - slow.y).max()
            tf = per_call(lambda run=run: run("numba"), fast_calls, rounds)
            ts = per_call(lambda run=run: run("scipy"), slow_calls, rounds)
            print(
                f"| {name} | {label} | {tf[0] * 1e6:.0f} us ({tf[1] * 1e6:.0f}-{tf[2] * 1e6:.0f}) "
                f"| {ts[0] * 1e6:.0f} us ({ts[1] * 1e6:.0f}-{ts[2] * 1e6:.0f}) | {ts[0] / tf[0]:.1f}x | {diff:.1e} |"
            )

    print("\n## 2x2 game against other packages (t_eval = 101 points)\n")
    dyn = game_2x2().replicator()
    tight = tight_2x2()
    ours = gt.simulate(dyn, list(X0_2X2), T_SPAN, t_eval=T_EVAL, rtol=RTOL, atol=ATOL)
    t_ours = per_call(
        lambda: gt.simulate(dyn, list(X0_2X2), T_SPAN, t_eval=T_EVAL, rtol=RTOL, atol=ATOL),
        fast_calls,
        rounds,
    )
    print("| package | per call | ratio to gt.simulate (numba) | max abs error vs DOP853 rtol 1e-12 |")
    print("|---|---:|---:|---:|")
    print(
        f"| gametheory (numba, rtol 1e-8) | {t_ours[0] * 1e6:.0f} us | 1.0x | {np.abs(ours.y - tight).max():.1e} |"
    )
    try:
        import nashpy
    except ImportError:
        print("\nnashpy is not installed (pip install nashpy): no comparison with its replicator_dynamics.")
    else:
        game = nashpy.Game(A, B)
        x_start, y_start = np.array([X0_2X2[0], 1 - X0_2X2[0]]), np.array([X0_2X2[1], 1 - X0_2X2[1]])

        def nash():
            return game.asymmetric_replicator_dynamics(x0=x_start, y0=y_start, timepoints=T_EVAL)

        xs, ys = nash()
        err = max(np.abs(xs[:, 0] - tight[0]).max(), np.abs(ys[:, 0] - tight[1]).max())
        t_nash = per_call(nash, slow_calls, rounds)
        print(
            f"| nashpy {nashpy.__version__} asymmetric_replicator_dynamics (odeint, its defaults) "
            f"| {t_nash[0] * 1e6:.0f} us | {t_nash[0] / t_ours[0]:.1f}x | {err:.1e} |"
        )
    try:
        import egttools  # noqa: F401
    except ImportError:
        print("\negttools is not installed: no comparison with it.")
    else:
        print(
            "\negttools is installed, but its replicator takes one population: not comparable on a bimatrix game."
        )

    print("\n## Cold costs (fresh processes, empty kernel cache)\n")
    print("| case | first simulate | |")
    print("|---|---:|---|")
    for line in cold_costs():
        print(line)
    print(f"\nload average after: {', '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
