"""Ensemble speed of every dynamics against one-at-a-time ``solve_ivp``, in one run (issue 11).

Usage::

    python benchmarks/bench_dynamics.py            # N = 2,000 trajectories per dynamics
    python benchmarks/bench_dynamics.py --n 200    # quicker

For the flagship model (crisis governance, 3 populations x 2 strategies, default
parameters) with every payoff raised by one constant so that all are >= 1 (the
adjusted replicator divides by mean payoffs and the replicator-mutator reads payoffs
as birth rates; the other dynamics are unchanged by a common shift), t in [0, 50], rtol 1e-8, atol 1e-10, seeded random interior starts,
and every dynamics in :data:`gametheory.dynamics.KINDS` (options in ``OPTIONS``),
it times:

- the usual approach: the dynamics' sympy equations at the parameter values,
  ``lambdify``-ed, and one :func:`scipy.integrate.solve_ivp` call (RK45) per
  trajectory, on ``--subset`` starts, extrapolated to N (the output says so);
- :func:`gametheory.simulate_many` with the numpy backend and, when numba is
  installed, the numba backend (compiled before timing; the first call is
  reported separately).

Each row reports trajectories per second and the ratio to the usual approach
measured in the same run, and the largest endpoint difference from a DOP853
reference at rtol 1e-12 on the first ``--subset`` starts.
"""

from __future__ import annotations

import argparse
import platform
import time

import numpy as np
import sympy
from scipy.integrate import solve_ivp

import gametheory as gt
from gametheory.dynamics import KINDS
from gametheory.models import crisis_governance

T_SPAN = (0.0, 50.0)
RTOL, ATOL = 1e-8, 1e-10
#: Options of the dynamics that need them (a small mutation rate, moderate noise, unit selection).
OPTIONS: dict[str, dict[str, object]] = {
    "replicator_mutator": {"mutation": 0.01},
    "logit": {"eta": 0.5},
    "best_response": {},
    "imitation": {"beta": 1.0},
}


def _lambdified(dyn: gt.ReplicatorDynamics, params: dict[str, float]):
    rhs = sympy.lambdify([list(dyn.states)], list(dyn.equations_at(params)), "numpy")
    return lambda t, x: np.asarray(rhs(x), dtype=float)


def _shifted(game: gt.Game) -> gt.Game:
    """``game`` with every payoff raised by ``1 - (smallest payoff at the defaults)``."""
    values = [float(e.subs(game.defaults)) for row in game.payoffs.values() for e in row]
    shift = sympy.Integer(int(np.ceil(1 - min(values))))
    table = {profile: tuple(e + shift for e in row) for profile, row in game.payoffs.items()}
    pops = {p.name: list(p.strategies) for p in game.populations}
    return gt.Game.from_table(
        pops, table, parameters=game.parameters, name=f"{game.name} (payoffs + {shift})"
    )


def _one_at_a_time(f, starts: np.ndarray, method: str, rtol: float, atol: float) -> tuple[float, np.ndarray]:
    begin = time.perf_counter()
    ends = np.array([solve_ivp(f, T_SPAN, x0, method=method, rtol=rtol, atol=atol).y[:, -1] for x0 in starts])
    return time.perf_counter() - begin, ends


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000, help="trajectories per dynamics")
    parser.add_argument(
        "--subset", type=int, default=50, help="starts for the one-at-a-time runs and the accuracy check"
    )
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    try:
        import numba  # noqa: F401

        backends = ["numpy", "numba"]
    except ImportError:
        backends = ["numpy"]
    game = _shifted(crisis_governance.game())
    params = dict(game.defaults)
    starts = np.random.default_rng(args.seed).uniform(0.05, 0.95, size=(args.n, 3))
    sub = starts[: args.subset]
    print(f"{platform.processor() or platform.machine()}, Python {platform.python_version()}; "
          f"flagship 3x2, t in {T_SPAN}, rtol {RTOL}, atol {ATOL}; N = {args.n}")  # fmt: skip
    print(f"{'dynamics':<20}{'method':<28}{'traj/s':>12}{'ratio':>10}{'max |error|':>14}")
    for kind in sorted(KINDS):
        dyn = game.dynamics(kind, **OPTIONS.get(kind, {}))
        f = _lambdified(dyn, params)
        _, reference = _one_at_a_time(f, sub, "DOP853", 1e-12, 1e-14)
        seconds, ends = _one_at_a_time(f, sub, "RK45", RTOL, ATOL)
        base_rate = len(sub) / seconds
        err = np.abs(ends - reference).max()
        print(f"{kind:<20}{'solve_ivp one at a time *':<28}{base_rate:>12,.0f}{1.0:>10.1f}{err:>14.1e}")
        for backend in backends:
            first = time.perf_counter()
            gt.simulate_many(dyn, starts[:4], T_SPAN, params, backend=backend, rtol=RTOL, atol=ATOL)
            warm = time.perf_counter() - first
            begin = time.perf_counter()
            ens = gt.simulate_many(dyn, starts, T_SPAN, params, backend=backend, rtol=RTOL, atol=ATOL)
            rate = args.n / (time.perf_counter() - begin)
            err = np.abs(np.asarray(ens.y)[: len(sub), :, -1] - reference).max()
            label = f"simulate_many {backend}"
            print(
                f"{'':<20}{label:<28}{rate:>12,.0f}{rate / base_rate:>10.1f}{err:>14.1e}  (first call {warm:.2f} s)"
            )
    print(f"* on {args.subset} starts, rate extrapolated to N")


if __name__ == "__main__":
    main()
