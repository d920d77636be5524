r"""The event loop of :mod:`gametheory.finite.simulate`: a numba kernel and a numpy twin, bit for bit.

Both walk the embedded jump chain of a process from a table of cumulative
per-event transition probabilities (one row per composition, see
:func:`gametheory.finite.simulate.rate_table`).  At a composition whose moves have
total probability :math:`T`, the number of events until the next move (self-transitions
included) is geometric, :math:`K = 1 + \lfloor \ln U / \ln(1 - T) \rfloor`, and the
move is the first whose cumulative probability exceeds :math:`V\,T`
(:math:`U \in (0, 1]`, :math:`V \in [0, 1)` uniform).  Skipping the self-transitions
this way is exact and makes a near-absorbed chain cheap.

Random numbers: one splitmix64 stream per run (Steele, Lea and Flood 2014), seeded
with a 64-bit word; the same words give the same runs on both backends (the only
possible difference is the last bit of ``log`` in numba's libm against numpy's,
which would change one geometric draw in a tie of probability about 1e-16).
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

__all__ = ["run_numpy", "run_numba", "splitmix64"]

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)
_UNIT = 2.0**-53


def splitmix64(state: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Advance splitmix64 states (uint64 array): (new states, outputs).

    Examples
    --------
    >>> s, out = splitmix64(np.array([0], dtype=np.uint64))
    >>> hex(int(out[0]))  # the reference value of splitmix64 seeded with 0
    '0xe220a8397b1dcdaf'
    """
    with np.errstate(over="ignore"):
        state = state + _GOLDEN
        z = state.copy()
        z = (z ^ (z >> _S30)) * _M1
        z = (z ^ (z >> _S27)) * _M2
    return state, z ^ (z >> _S31)


def run_numpy(
    table: np.ndarray, delta: np.ndarray, moves: np.ndarray, x0: np.ndarray, index0: int,
    seeds: np.ndarray, grid: np.ndarray, e_max: int,
) -> dict[str, np.ndarray]:  # fmt: skip
    """All runs at once, vectorised over the runs still moving (see the module docstring).

    ``table`` (compositions, moves): cumulative move probabilities; ``delta`` (moves,): the
    change of the row index by each move; ``moves`` (moves, 2): the coordinate losing and
    the one gaining an individual; ``x0``, ``index0``: the start and its row; ``seeds``
    (runs,) uint64; ``grid``: the event counts to record at (ascending); ``e_max``: the
    last event.  Returns the final ``counts``, ``events`` (the absorption event of a
    stuck run, else ``e_max``), ``stuck``, ``paths`` (runs, grid, coordinates) and ``bad``
    (a run reached a composition without valid probabilities).

    Examples
    --------
    >>> table = np.array([[0.0, 0.0], [0.25, 0.5], [0.0, 0.0]])  # Z = 2: 1 <-> 0 or 2
    >>> out = run_numpy(table, np.array([-1, 1]), np.array([[0, 1], [1, 0]]), np.array([1, 1]), 1,
    ...                 np.arange(4, dtype=np.uint64), np.array([0, 10]), 10)
    >>> out["stuck"].tolist(), out["counts"].sum(axis=1).tolist()
    ([True, True, True, True], [2, 2, 2, 2])
    """
    n_runs, width = len(seeds), len(x0)
    counts = np.tile(x0.astype(np.int64), (n_runs, 1))
    index = np.full(n_runs, index0, dtype=np.int64)
    events = np.zeros(n_runs, dtype=np.int64)
    state = seeds.astype(np.uint64).copy()
    paths = np.zeros((n_runs, len(grid), width), dtype=np.int32)
    pointer = np.zeros(n_runs, dtype=np.int64)
    stuck = np.zeros(n_runs, dtype=bool)
    bad = np.zeros(n_runs, dtype=bool)
    grid_ext = np.append(grid.astype(np.int64), np.iinfo(np.int64).max)
    live = np.arange(n_runs)
    while len(live):
        cum = table[index[live]]
        total = cum[:, -1]
        frozen = ~(total > 0)  # no move possible (absorbed), or NaN (an invalid composition)
        if frozen.any():
            rows = live[frozen]
            stuck[rows] = True
            bad[rows] = np.isnan(total[frozen])
            _record(paths, pointer, rows, counts, grid_ext, np.full(len(rows), e_max + 1))
            live, cum, total = live[~frozen], cum[~frozen], total[~frozen]
            if not len(live):
                break
        state[live], a = splitmix64(state[live])
        state[live], b = splitmix64(state[live])
        u = ((a >> _S11).astype(np.float64) + 1.0) * _UNIT
        v = (b >> _S11).astype(np.float64) * _UNIT
        room = (e_max - events[live] + 1).astype(np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.log(u) / np.log1p(-total)
        k = np.where(total >= 1.0, 1.0, 1.0 + np.floor(np.minimum(ratio, room)))
        nxt = events[live] + k.astype(np.int64)
        _record(paths, pointer, live, counts, grid_ext, np.minimum(nxt, e_max + 1))
        over = nxt > e_max
        events[live[over]] = e_max
        go, keep = live[~over], ~over
        if len(go):
            m = (cum[keep] <= (v[keep] * total[keep])[:, None]).sum(axis=1)
            m = np.minimum(m, table.shape[1] - 1)
            index[go] += delta[m]
            counts[go, moves[m, 0]] -= 1  # one move per run: no repeated rows
            counts[go, moves[m, 1]] += 1
            events[go] = nxt[keep]
        live = go
    return {"counts": counts, "events": events, "stuck": stuck, "paths": paths, "bad": bad}


def _record(
    paths: np.ndarray, pointer: np.ndarray, rows: np.ndarray, counts: np.ndarray, grid_ext: np.ndarray,
    limit: np.ndarray,
) -> None:  # fmt: skip
    """Write the current counts of ``rows`` at their next grid points below ``limit``."""
    while len(rows):
        fill = grid_ext[pointer[rows]] < limit
        rows, limit = rows[fill], limit[fill]
        if len(rows):
            paths[rows, pointer[rows]] = counts[rows]
            pointer[rows] += 1


@functools.cache
def _numba_kernel() -> Any:
    import numba

    golden, m1, m2 = _GOLDEN, _M1, _M2
    s30, s27, s31, s11 = _S30, _S27, _S31, _S11
    unit = _UNIT

    @numba.njit(nogil=True, cache=False)
    def kernel(table, delta, moves, x0, index0, seeds, grid, e_max, counts, events, stuck, paths, bad):  # type: ignore[no-untyped-def]
        n_runs = seeds.shape[0]
        n_rec = grid.shape[0]
        n_moves = table.shape[1]
        for r in range(n_runs):
            s = seeds[r]
            for c in range(x0.shape[0]):
                counts[r, c] = x0[c]
            index = index0
            e = np.int64(0)
            p = 0
            while True:
                total = table[index, n_moves - 1]
                if not total > 0.0:
                    stuck[r] = True
                    bad[r] = total != total
                    while p < n_rec and grid[p] <= e_max:
                        for c in range(x0.shape[0]):
                            paths[r, p, c] = counts[r, c]
                        p += 1
                    break
                s = s + golden
                z = s
                z = (z ^ (z >> s30)) * m1
                z = (z ^ (z >> s27)) * m2
                a = z ^ (z >> s31)
                s = s + golden
                z = s
                z = (z ^ (z >> s30)) * m1
                z = (z ^ (z >> s27)) * m2
                b = z ^ (z >> s31)
                u = (np.float64(a >> s11) + 1.0) * unit
                v = np.float64(b >> s11) * unit
                room = np.float64(e_max - e + 1)
                if total >= 1.0:
                    k = 1.0
                else:
                    k = 1.0 + np.floor(min(np.log(u) / np.log1p(-total), room))
                nxt = e + np.int64(k)
                limit = min(nxt, e_max + 1)
                while p < n_rec and grid[p] < limit:
                    for c in range(x0.shape[0]):
                        paths[r, p, c] = counts[r, c]
                    p += 1
                if nxt > e_max:
                    e = e_max
                    break
                target = v * total
                m = 0
                while m < n_moves - 1 and table[index, m] <= target:
                    m += 1
                index += delta[m]
                counts[r, moves[m, 0]] -= 1
                counts[r, moves[m, 1]] += 1
                e = nxt
            events[r] = e
        return 0

    return kernel


def run_numba(
    table: np.ndarray, delta: np.ndarray, moves: np.ndarray, x0: np.ndarray, index0: int,
    seeds: np.ndarray, grid: np.ndarray, e_max: int,
) -> dict[str, np.ndarray]:  # fmt: skip
    """All runs, one after the other, in the compiled kernel (same arguments and output as :func:`run_numpy`).

    Examples
    --------
    >>> table = np.array([[0.0, 0.0], [0.25, 0.5], [0.0, 0.0]])
    >>> args = (table, np.array([-1, 1]), np.array([[0, 1], [1, 0]]), np.array([1, 1]), 1,
    ...         np.arange(4, dtype=np.uint64), np.array([0, 10]), 10)
    >>> all((run_numba(*args)[k] == run_numpy(*args)[k]).all() for k in ("counts", "events", "paths"))
    True
    """
    n_runs, width = len(seeds), len(x0)
    out = {
        "counts": np.zeros((n_runs, width), dtype=np.int64),
        "events": np.zeros(n_runs, dtype=np.int64),
        "stuck": np.zeros(n_runs, dtype=bool),
        "paths": np.zeros((n_runs, len(grid), width), dtype=np.int32),
        "bad": np.zeros(n_runs, dtype=bool),
    }
    _numba_kernel()(
        table, delta.astype(np.int64), moves.astype(np.int64), x0.astype(np.int64), np.int64(index0),
        seeds.astype(np.uint64), grid.astype(np.int64), np.int64(e_max), out["counts"], out["events"],
        out["stuck"], out["paths"], out["bad"],
    )  # fmt: skip
    return out
